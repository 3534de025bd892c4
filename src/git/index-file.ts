/**
 * The index (`<gitdir>/index`), read and rewritten directly for what approval needs: to tell whether the few files
 * a fast-forward updates are clean, and to record all of them at once once they are written.
 *
 * isomorphic-git rewrites the whole index for every file it stages (serialising 10,000 session entries each time)
 * and hashes and compresses the file again although its blob is already stored. Here the index is parsed once,
 * entries nobody touches are copied byte for byte, and the new entries carry the oid the commit already has and
 * the stat of the file just written. Only the formats git writes by default are handled (versions 2 and 3, with
 * optional extensions, which git lets a writer drop and isomorphic-git drops too); `readIndex` says undefined for
 * anything else, and the caller keeps to isomorphic-git.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from './durable.js';

export interface IndexEntry {
  /** Path from the repository root, `/`-separated. */
  path: string;
  stage: number;
  /** The entry as stored, from its first byte to the last of its padding. */
  raw: Buffer;
}

export interface IndexFile {
  version: 2 | 3;
  entries: IndexEntry[];
  /** Modification time of the index file, in nanoseconds: entries not older than it may hide a change ("racy"). */
  mtimeNs: bigint;
}

/** The stat data and object id of a stage-0 entry, as compared with a file on disk. */
export interface EntryStat {
  ctimeSeconds: number;
  ctimeNanoseconds: number;
  mtimeSeconds: number;
  mtimeNanoseconds: number;
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  oid: string;
}

const SIGNATURE = 0x44495243; // "DIRC"
const HEADER_BYTES = 12;
const SHA1_BYTES = 20;
const FIXED_BYTES = 62;
const EXTENDED_FLAG = 0x4000;
const NAME_MASK = 0xfff;

/** The index of the repository, or undefined when there is none or it is in a form not handled here. */
export async function readIndex(gitdir: string): Promise<IndexFile | undefined> {
  const file = path.join(gitdir, 'index');
  const stat = await fsp.stat(file, { bigint: true }).catch(() => undefined);
  if (!stat) return undefined;
  const key = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  if (lastRead?.file === file && lastRead.key === key) return lastRead.index;
  const bytes = await fsp.readFile(file).catch(() => undefined);
  const after = await fsp.stat(file, { bigint: true }).catch(() => undefined);
  if (!bytes || !after) return undefined;
  const parsed = parseIndex(bytes);
  const index = parsed && { ...parsed, mtimeNs: stat.mtimeNs };
  // Remembered only when the file did not change while it was read: git and reverie replace an index by a rename,
  // so a new one is a new inode, and one changed in place changes its times.
  if (index && `${after.dev}:${after.ino}:${after.size}:${after.mtimeNs}:${after.ctimeNs}` === key) lastRead = { file, key, index };
  return index;
}

/**
 * The last index read, with the stat of its file: an approval reads it to check the files it updates and again to
 * record them, and ten thousand entries take tens of milliseconds to parse. Entries are never changed.
 */
let lastRead: { file: string; key: string; index: IndexFile } | undefined;

/** Parses an index; undefined for a version, extension or checksum this module does not handle. */
export function parseIndex(bytes: Buffer): Omit<IndexFile, 'mtimeNs'> | undefined {
  if (bytes.length < HEADER_BYTES + SHA1_BYTES || bytes.readUInt32BE(0) !== SIGNATURE) return undefined;
  const version = bytes.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  const body = bytes.length - SHA1_BYTES;
  const trailer = bytes.subarray(body);
  // A zero trailer is git's `index.skipHash`; any other must be the checksum of what precedes it.
  if (trailer.some((b) => b !== 0) && !createHash('sha1').update(bytes.subarray(0, body)).digest().equals(trailer)) return undefined;
  const count = bytes.readUInt32BE(8);
  const entries: IndexEntry[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const entry = entryAt(bytes, at, version, body);
    if (!entry) return undefined;
    entries.push(entry);
    at += entry.raw.length;
  }
  return onlyOptionalExtensions(bytes, at, body) ? { version, entries } : undefined;
}

function entryAt(bytes: Buffer, at: number, version: number, end: number): IndexEntry | undefined {
  if (at + FIXED_BYTES > end) return undefined;
  const flags = bytes.readUInt16BE(at + 60);
  const extended = (flags & EXTENDED_FLAG) !== 0;
  if (extended && version < 3) return undefined;
  const nameStart = at + FIXED_BYTES + (extended ? 2 : 0);
  const nul = bytes.indexOf(0, nameStart);
  if (nul < 0 || nul >= end) return undefined;
  const length = (nameStart - at + (nul - nameStart) + 8) & ~7;
  if (at + length > end) return undefined;
  return { path: bytes.toString('utf8', nameStart, nul), stage: (flags >> 12) & 3, raw: bytes.subarray(at, at + length) };
}

/**
 * Extensions after the entries: an optional one (its signature starts with a capital letter: the cache tree, the
 * untracked cache, fsmonitor data, ...) may be dropped by a writer, git says; a required one (split index, sparse
 * directories) may not, so an index with one is left to isomorphic-git.
 */
function onlyOptionalExtensions(bytes: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; ) {
    if (at + 8 > end) return false;
    const first = bytes[at] as number;
    if (first < 0x41 || first > 0x5a) return false;
    at += 8 + bytes.readUInt32BE(at + 4);
  }
  return true;
}

/** The stat data of an entry without flags beyond its stage (no skip-worktree, no intent-to-add), else undefined. */
export function entryStat(entry: IndexEntry): EntryStat | undefined {
  const raw = entry.raw;
  if (raw.readUInt16BE(60) & EXTENDED_FLAG) return undefined;
  const u32 = (offset: number) => raw.readUInt32BE(offset);
  return {
    ctimeSeconds: u32(0),
    ctimeNanoseconds: u32(4),
    mtimeSeconds: u32(8),
    mtimeNanoseconds: u32(12),
    dev: u32(16),
    ino: u32(20),
    mode: u32(24),
    uid: u32(28),
    gid: u32(32),
    size: u32(36),
    oid: raw.toString('hex', 40, 60),
  };
}

/**
 * True when `stat` (of the file on disk) is what the entry recorded, as git compares them, and the entry is older
 * than the index: then the file still holds the entry's content. A file changed within the same clock tick as the
 * index was written could look unchanged, which is why a racy entry never counts.
 */
export function statMatches(entry: EntryStat, stat: BigIntStats, indexMtimeNs: bigint): boolean {
  const fields = statFields(stat);
  const entryMtimeNs = BigInt(entry.mtimeSeconds) * 1_000_000_000n + BigInt(entry.mtimeNanoseconds);
  return (
    entryMtimeNs < indexMtimeNs &&
    fields.ctimeSeconds === entry.ctimeSeconds &&
    fields.ctimeNanoseconds === entry.ctimeNanoseconds &&
    fields.mtimeSeconds === entry.mtimeSeconds &&
    fields.mtimeNanoseconds === entry.mtimeNanoseconds &&
    fields.dev === entry.dev &&
    fields.ino === entry.ino &&
    fields.mode === entry.mode &&
    fields.uid === entry.uid &&
    fields.gid === entry.gid &&
    fields.size === entry.size
  );
}

/** What the index records of a file's stat: times split into seconds and nanoseconds, the rest cut to 32 bits. */
function statFields(stat: BigIntStats): Omit<EntryStat, 'oid'> {
  const low = (n: bigint) => Number(n & 0xffffffffn);
  return {
    ctimeSeconds: low(stat.ctimeNs / 1_000_000_000n),
    ctimeNanoseconds: Number(stat.ctimeNs % 1_000_000_000n),
    mtimeSeconds: low(stat.mtimeNs / 1_000_000_000n),
    mtimeNanoseconds: Number(stat.mtimeNs % 1_000_000_000n),
    dev: low(stat.dev),
    ino: low(stat.ino),
    mode: modeOf(stat),
    uid: low(stat.uid),
    gid: low(stat.gid),
    size: low(stat.size),
  };
}

/** git's mode for a file on disk: a symlink, or a regular file that is executable or not. */
function modeOf(stat: BigIntStats): number {
  if (stat.isSymbolicLink()) return 0o120000;
  return (stat.mode & 0o111n) !== 0n ? 0o100755 : 0o100644;
}

/** A stage-0 entry for a file just written: its blob's oid and its stat, so that `git status` needs no re-hash. */
export function newEntry(filePath: string, oid: string, stat: BigIntStats): IndexEntry {
  const name = Buffer.from(filePath, 'utf8');
  const raw = Buffer.alloc((FIXED_BYTES + name.length + 8) & ~7);
  const fields = statFields(stat);
  const numbers = [
    fields.ctimeSeconds,
    fields.ctimeNanoseconds,
    fields.mtimeSeconds,
    fields.mtimeNanoseconds,
    fields.dev,
    fields.ino,
    fields.mode,
    fields.uid,
    fields.gid,
    fields.size,
  ];
  numbers.forEach((n, i) => raw.writeUInt32BE(n, i * 4));
  raw.write(oid, 40, 'hex');
  raw.writeUInt16BE(Math.min(name.length, NAME_MASK), 60);
  name.copy(raw, FIXED_BYTES);
  return { path: filePath, stage: 0, raw };
}

/**
 * The entries with every stage of the `replaced` paths taken out and `added` put in, in the index's order
 * (by the bytes of the path, then by stage). Each added entry finds its place by a binary search: a cycle adds a few
 * dozen entries to an index of ten thousand.
 */
export function replaceEntries(entries: readonly IndexEntry[], replaced: ReadonlySet<string>, added: readonly IndexEntry[]): IndexEntry[] {
  const kept = entries.filter((e) => !replaced.has(e.path));
  const incoming = [...added].sort(compareEntries);
  const merged: IndexEntry[] = [];
  let from = 0;
  for (const entry of incoming) {
    const at = firstAfter(kept, entry, from);
    for (let i = from; i < at; i++) merged.push(kept[i] as IndexEntry);
    merged.push(entry);
    from = at;
  }
  for (let i = from; i < kept.length; i++) merged.push(kept[i] as IndexEntry);
  return merged;
}

/** The first index at or after `from` whose entry comes after `entry` (or the length): `sorted` is in index order. */
function firstAfter(sorted: readonly IndexEntry[], entry: IndexEntry, from: number): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareEntries(sorted[middle] as IndexEntry, entry) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function compareEntries(a: IndexEntry, b: IndexEntry): number {
  return Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')) || a.stage - b.stage;
}

/**
 * The bytes of an index holding `entries`, without extensions. Entries read from one index are slices of its bytes,
 * and those left in place follow one another there: each such run is copied at once, not entry by entry.
 */
export function serializeIndex(version: 2 | 3, entries: readonly IndexEntry[]): Buffer {
  const length = entries.reduce((sum, e) => sum + e.raw.length, HEADER_BYTES);
  const out = Buffer.allocUnsafe(length + SHA1_BYTES);
  out.writeUInt32BE(SIGNATURE, 0);
  out.writeUInt32BE(version, 4);
  out.writeUInt32BE(entries.length, 8);
  let at = HEADER_BYTES;
  for (let i = 0; i < entries.length; ) {
    const first = (entries[i] as IndexEntry).raw;
    let end = first.byteOffset + first.length;
    let next = i + 1;
    for (let raw = entries[next]?.raw; raw && raw.buffer === first.buffer && raw.byteOffset === end; raw = entries[next]?.raw) {
      end += raw.length;
      next++;
    }
    out.set(new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset), at);
    at += end - first.byteOffset;
    i = next;
  }
  createHash('sha1').update(out.subarray(0, length)).digest().copy(out, length);
  return out;
}

/** Replaces the index file as a whole: written aside, flushed, then renamed over it, so that no reader sees half of it. */
export async function writeIndex(gitdir: string, version: 2 | 3, entries: readonly IndexEntry[]): Promise<void> {
  await writeFileDurably(path.join(gitdir, 'index'), serializeIndex(version, entries));
}
