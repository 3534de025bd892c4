/**
 * What a push sends and what a pull commits, worked out from the memory on main, the store as listed, and the record
 * of where both last agreed (state.ts). Pure: the shell (sync.ts) does the requests and the commits.
 *
 * A push never overwrites a write it has not seen: a memory is sent only when the store still holds what the record
 * says it held (and the request carries that as its `content_sha256` precondition); otherwise it is a conflict, and
 * the store's version comes back as a branch to decide.
 */
import { createHash } from 'node:crypto';
import type { BetaManagedAgentsActor, BetaManagedAgentsMemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import { redactText } from '../sessions/redact.js';
import { MAX_MEMORY_BYTES, type StoreMapping } from './paths.js';
import type { StoreRecord } from './state.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A memory as a store lists it (view=basic): enough to tell whether it changed. */
export interface ListedMemory {
  id: string;
  path: string;
  sha256: string;
}

export type PushStep =
  | { kind: 'create'; path: string; file: string; text: string }
  | { kind: 'update'; path: string; file: string; text: string; id: string; expected: string }
  | { kind: 'delete'; path: string; file: string; id: string; expected: string }
  /** Store and main agree; the record learns it if it did not know. */
  | { kind: 'in-sync'; path: string; file: string; id: string; sha256: string }
  /** Gone from main and from the store: the record forgets it. */
  | { kind: 'forget'; path: string; file: string }
  | { kind: 'too-large'; path: string; file: string; bytes: number }
  /** A branch of store changes to this memory waits for review: nothing is sent until it is decided. */
  | { kind: 'waiting'; path: string; file: string; branch: string }
  | { kind: 'conflict'; path: string; file: string; reason: string };

export interface PushInput {
  /** The mirrored memory files on main: repository path → text. */
  files: ReadonlyMap<string, string>;
  mapping: StoreMapping;
  record: StoreRecord;
  /** The store's memories now, by path. */
  store: ReadonlyMap<string, ListedMemory>;
  /** Store paths that waiting store branches change, with the branch. */
  waiting: ReadonlyMap<string, string>;
}

export function planPush({ files, mapping, record, store, waiting }: PushInput): PushStep[] {
  const byPath = new Map<string, { file: string; text?: string }>();
  for (const [file, text] of files) {
    const path = mapping.storePathOf(file);
    if (path !== undefined) byPath.set(path, { file, text });
  }
  for (const path of Object.keys(record.memories)) {
    if (byPath.has(path)) continue;
    const mapped = mapping.fileOf(path);
    byPath.set(path, { file: 'file' in mapped ? mapped.file : path });
  }
  const steps: PushStep[] = [];
  for (const [path, { file, text }] of [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const branch = waiting.get(path);
    if (branch) {
      steps.push({ kind: 'waiting', path, file, branch });
      continue;
    }
    steps.push(text === undefined ? removal(path, file, record, store) : sending(path, file, text, record, store));
  }
  return steps;
}

function sending(path: string, file: string, text: string, record: StoreRecord, store: ReadonlyMap<string, ListedMemory>): PushStep {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MEMORY_BYTES) return { kind: 'too-large', path, file, bytes };
  const hash = sha256(text);
  const current = store.get(path);
  const recorded = record.memories[path];
  if (current?.sha256 === hash) return { kind: 'in-sync', path, file, id: current.id, sha256: hash };
  if (!current) {
    if (!recorded) return { kind: 'create', path, file, text };
    return { kind: 'conflict', path, file, reason: 'deleted or moved in the store since the last sync' };
  }
  if (recorded?.sha256 === current.sha256 && recorded.id === current.id) {
    return { kind: 'update', path, file, text, id: current.id, expected: current.sha256 };
  }
  return { kind: 'conflict', path, file, reason: 'changed in the store since the last sync' };
}

function removal(path: string, file: string, record: StoreRecord, store: ReadonlyMap<string, ListedMemory>): PushStep {
  const current = store.get(path);
  const recorded = record.memories[path];
  if (!current) return { kind: 'forget', path, file };
  if (recorded?.sha256 === current.sha256 && recorded.id === current.id) {
    return { kind: 'delete', path, file, id: current.id, expected: current.sha256 };
  }
  return { kind: 'conflict', path, file, reason: 'deleted on main, and changed in the store since the last sync' };
}

/** One version of the store as a commit to make, or why it is not taken. */
export interface PulledVersion {
  version: BetaManagedAgentsMemoryVersion;
  /** Repository path → new text (null: deleted); empty when the version is skipped. */
  changes: Map<string, string | null>;
  /** The memory file the version is about, when it maps to one. */
  file?: string;
  /** Set when the version is not taken, saying why. */
  skipped?: string;
  /** Whether redaction changed the text. */
  redacted: boolean;
}

/**
 * The store's versions in order (oldest first) as commits, and the record once they are taken. A version of a
 * memory outside the mirror, of a protected file, or redacted in the store is skipped and said; the record still
 * learns what the store holds, so that the next push restores a protected file rather than calling it a conflict.
 */
export function planPull(versions: readonly BetaManagedAgentsMemoryVersion[], record: StoreRecord, mapping: StoreMapping): { pulled: PulledVersion[]; record: StoreRecord } {
  const memories = { ...record.memories };
  const pathOfId = new Map(Object.entries(memories).map(([path, m]) => [m.id, path]));
  const pulled: PulledVersion[] = [];
  for (const version of versions) {
    const entry: PulledVersion = { version, changes: new Map(), redacted: false };
    pulled.push(entry);
    if (version.redacted_at || version.path === null || version.path === undefined) {
      entry.skipped = 'redacted in the store: its content is gone';
      continue;
    }
    const oldPath = pathOfId.get(version.memory_id);
    const target = mapping.fileOf(version.path);
    if (oldPath !== undefined && oldPath !== version.path) {
      delete memories[oldPath];
      const old = mapping.fileOf(oldPath);
      if ('file' in old && !old.protected) entry.changes.set(old.file, null);
    }
    if (version.operation === 'deleted') {
      delete memories[version.path];
      pathOfId.delete(version.memory_id);
      if ('file' in target && !target.protected) entry.changes.set(target.file, null);
    } else {
      const content = version.content ?? '';
      // Only what the mirror holds is recorded: a push deletes from the store what the record has and main has not.
      if ('file' in target) memories[version.path] = { id: version.memory_id, sha256: version.content_sha256 ?? sha256(content) };
      pathOfId.set(version.memory_id, version.path);
      if ('file' in target && !target.protected) {
        const text = redactText(content);
        entry.redacted = text !== content;
        entry.changes.set(target.file, text);
      }
    }
    if ('skip' in target) entry.skipped = `${version.path} is ${target.skip}`;
    else {
      entry.file = target.file;
      if (target.protected) entry.skipped = `${target.file} is in a protected namespace: an agent's write is not taken, and the next push restores it`;
    }
  }
  return { pulled, record: { ...record, memories } };
}

/** Who made a change, for a commit's author line and trailers. */
export function actorOf(actor: BetaManagedAgentsActor | undefined | null): { kind: string; id: string; label: string } {
  if (!actor) return { kind: 'unknown', id: 'unknown', label: 'an unrecorded author' };
  if (actor.type === 'session_actor') return { kind: actor.type, id: actor.session_id, label: `agent session ${actor.session_id}` };
  if (actor.type === 'api_actor') return { kind: actor.type, id: actor.api_key_id, label: `API key ${actor.api_key_id}` };
  if (actor.type === 'user_actor') return { kind: actor.type, id: actor.user_id, label: `user ${actor.user_id}` };
  return { kind: actor.type, id: actor.service_account_id, label: `service account ${actor.service_account_id}` };
}

/** The versions a pull has not seen, oldest first: after the record's point, and not the repository's own. */
export function newVersions(listed: readonly BetaManagedAgentsMemoryVersion[], record: StoreRecord, alreadyWaiting: ReadonlySet<string>): BetaManagedAgentsMemoryVersion[] {
  const seen = new Set([...(record.since?.ids ?? []), ...record.own_versions, ...alreadyWaiting]);
  const since = record.since?.at;
  return listed
    .map((version, order) => ({ version, order }))
    .filter(({ version }) => !seen.has(version.id) && (since === undefined || version.created_at >= since))
    // A list comes newest first: among versions of the same time, the later in the list is the older.
    .sort((a, b) => (a.version.created_at < b.version.created_at ? -1 : a.version.created_at > b.version.created_at ? 1 : b.order - a.order))
    .map(({ version }) => version);
}

/** The record's point after a pull saw `listed`: the newest time, and the ids at that time. */
export function advanceSince(record: StoreRecord, listed: readonly BetaManagedAgentsMemoryVersion[]): StoreRecord {
  if (listed.length === 0) return record;
  const newest = listed.reduce((a, v) => (v.created_at > a ? v.created_at : a), record.since?.at ?? '');
  const atNewest = listed.filter((v) => v.created_at === newest).map((v) => v.id);
  const ids = record.since?.at === newest ? [...new Set([...record.since.ids, ...atNewest])] : atNewest;
  const seen = new Set(listed.map((v) => v.id));
  return { ...record, since: { at: newest, ids: ids.sort() }, own_versions: record.own_versions.filter((id) => !seen.has(id)) };
}
