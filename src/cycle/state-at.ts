/**
 * What a commit holds for a cycle to start from, read without parsing the memory: the state, the memory files' text,
 * and what a cycle could not read of the memory as it is. `status` needs no more, and so loads no Markdown parser;
 * readBase (context.ts) builds the memory's snapshot on the same reading.
 */
import { readState, STATE_DIR } from '../dream/state.js';
import type { DreamState } from '../dream/types.js';
import { readFilesAt } from '../git/tree.js';
import { isMarkdownPath, memoryFilesOf } from '../memory/namespaces.js';
import type { SourceFile } from '../memory/snapshot.js';
import { symlinkMessage, type MemorySymlink } from '../memory/symlinks.js';
import type { ReadWarning } from '../sessions/types.js';
import { notUtf8At, notUtf8Message, symlinksAt, type NotUtf8 } from './memory-files.js';
import type { RepoContext } from './repo-context.js';

/**
 * The state's own files in `.reverie/`, without the record of every past cycle in `.reverie/cycles/`: the
 * state never reads those, and every cycle adds one (hundreds of kilobytes once thousands of sessions are in).
 */
export function isStateFile(path: string): boolean {
  return path.startsWith(`${STATE_DIR}/`) && !path.startsWith(`${STATE_DIR}/cycles/`);
}

/** The Markdown files under the memory root and the state's files at `oid`, by path. */
export async function baseFilesAt({ repo, config }: RepoContext, oid: string): Promise<{ files: Map<string, string>; markdown: SourceFile[] }> {
  const root = config.memory.root;
  const inMemory = (path: string) => (root === '' || path.startsWith(`${root}/`)) && isMarkdownPath(path);
  const files = await readFilesAt(repo, oid, (path) => inMemory(path) || isStateFile(path), { under: [root, STATE_DIR] });
  return { files, markdown: [...files].filter(([path]) => inMemory(path)).map(([path, text]) => ({ path, text })) };
}

/** The state at `oid`, and the memory's links and files that are not UTF-8, as readBase finds them. */
export async function readStateAt(context: RepoContext, oid: string): Promise<{ state: DreamState; symlinks: MemorySymlink[]; notUtf8: NotUtf8[] }> {
  const { files, markdown } = await baseFilesAt(context, oid);
  const memory = memoryFilesOf(markdown, context.config.memory.root, context.config.memory.namespaces);
  const [notUtf8, symlinks] = await Promise.all([notUtf8At(context.repo, oid, memory), symlinksAt(context.repo, oid, context.config.memory.root)]);
  return { state: readState(files), symlinks, notUtf8 };
}

/** What a cycle and status say of the memory they could not read as it is: each link, each file that is not text. */
export function baseWarnings({ symlinks, notUtf8 }: { symlinks: MemorySymlink[]; notUtf8: NotUtf8[] }): ReadWarning[] {
  return [
    ...symlinks.map((link) => ({ file: link.path, message: symlinkMessage(link) })),
    ...notUtf8.map((file) => ({ file: file.path, line: file.line, message: notUtf8Message() })),
  ];
}
