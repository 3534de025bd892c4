/**
 * The memory store a dream reads, and the one it writes. A store holds memories by absolute path (`/notes.md`); the
 * repository holds them under the memory root (`memory/notes.md`). The dream reads the cycle's memory whole, the
 * protected files too (they are context a dream should heed), and whatever it does to them is refused later by the
 * guards like any engine's change.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { createHash } from 'node:crypto';
import { UsageError } from '../../../errors.js';
import type { MemorySnapshot } from '../../../memory/types.js';
import { isStoreRelativePath, MAX_MEMORY_BYTES } from '../../../store/paths.js';

/** Repository path → text, of every memory file. */
export type MemoryFiles = ReadonlyMap<string, string>;

export function memoryFilesOf(memory: MemorySnapshot): Map<string, string> {
  return new Map(memory.files.map((f) => [f.path, f.document.text]));
}

/** `memory/notes.md` → `/notes.md`. */
export function storePath(root: string, repoPath: string): string {
  return `/${root === '' ? repoPath : repoPath.slice(root.length + 1)}`;
}

/** `/notes.md` → `memory/notes.md`. */
export function repoPath(root: string, path: string): string {
  const inside = path.replace(/^\/+/, '');
  return root === '' ? inside : `${root}/${inside}`;
}

/** What identifies the memory a dream read: its paths and texts. */
export function memoryHash(files: MemoryFiles): string {
  const hash = createHash('sha256');
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update(`${path}\u0000${text}\u0000`);
  return hash.digest('hex');
}

/** A file the store cannot hold stops the cycle before anything is created: better said now than half uploaded. */
export function checkUploadable(files: MemoryFiles): void {
  for (const [path, text] of files) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_MEMORY_BYTES) throw new UsageError(`${path} is ${bytes} bytes; a memory store holds at most ${MAX_MEMORY_BYTES} bytes per memory, so the managed engine cannot send it to a dream (split the file)`);
  }
}

/** A new store holding the memory, for one dream. */
export async function createInputStore(client: Anthropic, name: string, root: string, files: MemoryFiles): Promise<string> {
  const store = await client.beta.memoryStores.create({ name, description: 'The memory a reverie cycle sent to a dream, as the memory repository held it.' });
  for (const [path, text] of files) await client.beta.memoryStores.memories.create(store.id, { path: storePath(root, path), content: text });
  return store.id;
}

/**
 * Brings a store the configuration names to the memory, by content hash: a memory that differs is written with a
 * `content_sha256` precondition on what was listed, so that an agent's write in between fails the cycle rather than
 * being overwritten. A memory the repository does not have is an agent's write no cycle has taken in: the cycle stops
 * rather than have the dream read it, or delete it.
 */
export async function syncInputStore(client: Anthropic, storeId: string, root: string, files: MemoryFiles): Promise<void> {
  const listed = new Map<string, { id: string; sha: string }>();
  for await (const item of client.beta.memoryStores.memories.list(storeId, { view: 'basic' })) {
    if (item.type === 'memory') listed.set(item.path, { id: item.id, sha: item.content_sha256 });
  }
  const wanted = new Map([...files].map(([path, text]) => [storePath(root, path), text]));
  const strangers = [...listed.keys()].filter((path) => !wanted.has(path)).sort();
  if (strangers.length > 0) {
    throw new UsageError(
      `memory store ${storeId} holds ${strangers.slice(0, 5).join(', ')}${strangers.length > 5 ? ` and ${strangers.length - 5} more` : ''}, which the memory repository does not: ` +
        'bring what agents wrote there into the repository (or delete it from the store) before a dream reads it, or leave managed.store.id out to send each dream a store of its own',
    );
  }
  for (const [path, text] of wanted) {
    const there = listed.get(path);
    if (!there) await client.beta.memoryStores.memories.create(storeId, { path, content: text });
    else if (there.sha !== sha256(text)) {
      await client.beta.memoryStores.memories.update(there.id, { memory_store_id: storeId, content: text, precondition: { type: 'content_sha256', content_sha256: there.sha } });
    }
  }
}

export interface StoreFiles {
  /** Repository path → text. */
  files: Map<string, string>;
  /** Store paths that name no file under the memory root (`..`, empty segments): left out, never written. */
  refused: string[];
}

/** The store's memories as repository paths → text. A path comes from the network: one that would leave the memory root is refused. */
export async function readStore(client: Anthropic, storeId: string, root: string): Promise<StoreFiles> {
  const files = new Map<string, string>();
  const refused: string[] = [];
  for await (const item of client.beta.memoryStores.memories.list(storeId, { view: 'full' })) {
    if (item.type !== 'memory') continue;
    if (!item.path.startsWith('/') || !isStoreRelativePath(item.path.slice(1))) {
      refused.push(item.path);
      continue;
    }
    const content = item.content ?? (await client.beta.memoryStores.memories.retrieve(item.id, { memory_store_id: storeId })).content ?? '';
    files.set(repoPath(root, item.path), content);
  }
  return { files, refused };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
