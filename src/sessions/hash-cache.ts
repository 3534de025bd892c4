/**
 * The content hashes of session logs, remembered by what `stat` says about each file, so that a cycle can tell
 * that thousands of logs are unchanged (and already processed) without reading and hashing them again.
 *
 * The content hash stays the identity of a log; this only avoids recomputing it. A file's entry is trusted
 * only while its size, modification and change times, inode and device are exactly as recorded: appending to
 * a log, rewriting it, replacing it or touching it makes it be read and hashed again. The cache is local and
 * disposable (it lives in the git directory, never in a commit): a missing, unreadable or corrupt cache, or a
 * bad entry in it, only means that those files are hashed again.
 */
import type { Stats } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What identifies one version of a file without reading it. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

/** Never changed once made: an entry read from the cache is written back as the line it was read from. */
export interface RememberedHash extends Readonly<FileStamp> {
  /** sha256 (hex) of the file's bytes. */
  readonly sha256: string;
}

/** Absolute path → the file's stamp and content hash when it was last read. */
export type HashCache = ReadonlyMap<string, RememberedHash>;

const FORMAT_VERSION = 1;

/**
 * How old a file's last modification must be before its stamp is remembered. A file written twice within
 * one tick of the file system's clock (a second on some file systems, two on FAT) keeps its modification
 * time; only a stamp older than any tick can be told apart from every later write (git's "racy" files).
 */
export const SETTLED_MS = 2000;

export function stampOf(stat: Stats): FileStamp {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, dev: stat.dev };
}

/** The remembered content hash of `path`, when the file is exactly as it was when that hash was taken. */
export function rememberedHash(cache: HashCache, path: string, stamp: FileStamp): string | undefined {
  const entry = cache.get(path);
  return entry && sameStamp(entry, stamp) ? entry.sha256 : undefined;
}

/** The entry to remember for a file read at `now` (ms since the epoch), or undefined while it may still change unseen. */
export function hashToRemember(stamp: FileStamp, sha256: string, now: number): RememberedHash | undefined {
  return now - stamp.mtimeMs >= SETTLED_MS ? { ...stamp, sha256 } : undefined;
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

/** The cache in `text`; whatever is not a well-formed entry is left out, and text that is not a cache gives an empty one. */
export function parseHashCache(text: string): Map<string, RememberedHash> {
  return parseAsWritten(text) ?? parseAsJson(text);
}

const HEADER = `{"version":${FORMAT_VERSION},"files":{\n`;
/** A number as JSON writes it (its grammar, no more). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The cache read line by line, as serializeHashCache writes it: faster than JSON.parse and a check of each entry, for
 * the ten thousand entries of a large history. Undefined at the first thing it was not written that way (an escape in
 * a path, an entry that is not well formed, text after the end), which parseAsJson then reads as before.
 */
function parseAsWritten(text: string): Map<string, RememberedHash> | undefined {
  if (!text.startsWith(HEADER)) return undefined;
  const cache = new Map<string, RememberedHash>();
  let at = HEADER.length;
  for (;;) {
    const end = text.indexOf('\n', at);
    if (end < 0) return undefined;
    const line = text.slice(at, text.charCodeAt(end - 1) === 44 /* , */ ? end - 1 : end);
    at = end + 1;
    if (line === '}}') return text.slice(at).trim() === '' ? cache : undefined;
    const split = line.indexOf('":[');
    const entry = entryAsWritten(line, split);
    if (!entry) return undefined;
    cache.set(line.slice(1, split), entry);
    linesRead.set(entry, line);
  }
}

/**
 * The line each entry was read from: an entry is never changed (RememberedHash is read-only), so one read and kept
 * is written back as that line instead of through two JSON.stringify calls, ten thousand times a cycle.
 */
const linesRead = new WeakMap<RememberedHash, string>();

/** `"<path>":[size,mtimeMs,ctimeMs,ino,dev,"<sha256>"]`, with no escape in the path; `split` is where `":[` is. */
function entryAsWritten(line: string, split: number): RememberedHash | undefined {
  if (line.charCodeAt(0) !== 34 /* " */ || split < 0 || !line.endsWith('"]')) return undefined;
  const quote = line.indexOf('"', 1);
  const slash = line.indexOf('\\');
  if (quote !== split || (slash >= 0 && slash < split)) return undefined;
  const numbers = [0, 0, 0, 0, 0];
  let at = split + 3;
  for (let i = 0; i < 5; i++) {
    const comma = line.indexOf(',', at);
    if (comma < 0) return undefined;
    const field = line.slice(at, comma);
    const n = Number(field);
    if (!JSON_NUMBER.test(field) || !Number.isFinite(n)) return undefined;
    numbers[i] = n;
    at = comma + 1;
  }
  // What is left is `"<64 hex digits>"]`.
  if (line.length !== at + 67 || line.charCodeAt(at) !== 34) return undefined;
  const sha256 = line.slice(at + 1, at + 65);
  if (!SHA256.test(sha256)) return undefined;
  const [size, mtimeMs, ctimeMs, ino, dev] = numbers as [number, number, number, number, number];
  return { size, mtimeMs, ctimeMs, ino, dev, sha256 };
}

function parseAsJson(text: string): Map<string, RememberedHash> {
  const cache = new Map<string, RememberedHash>();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return cache;
  }
  if (!isObject(value) || value.version !== FORMAT_VERSION || !isObject(value.files)) return cache;
  for (const [path, entry] of Object.entries(value.files)) {
    const remembered = asRemembered(entry);
    if (remembered) cache.set(path, remembered);
  }
  return cache;
}

/** One line per file, `path: [size, mtimeMs, ctimeMs, ino, dev, sha256]`: ten thousand logs make about 1.5 MB. */
export function serializeHashCache(cache: HashCache): string {
  const paths = [...cache.keys()].sort();
  const lines = paths.map((path) => {
    const e = cache.get(path) as RememberedHash;
    const read = linesRead.get(e);
    if (read !== undefined && read.startsWith(path, 1) && read.startsWith('":[', path.length + 1)) return read;
    return `${JSON.stringify(path)}:${JSON.stringify([e.size, e.mtimeMs, e.ctimeMs, e.ino, e.dev, e.sha256])}`;
  });
  return `{"version":${FORMAT_VERSION},"files":{\n${lines.join(',\n')}\n}}\n`;
}

function asRemembered(entry: unknown): RememberedHash | undefined {
  if (!Array.isArray(entry) || entry.length !== 6) return undefined;
  const [size, mtimeMs, ctimeMs, ino, dev, sha256] = entry as unknown[];
  const numbers = [size, mtimeMs, ctimeMs, ino, dev];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  return { size, mtimeMs, ctimeMs, ino, dev, sha256 } as RememberedHash;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Two caches with the same entries: nothing to write. */
export function sameCache(a: HashCache, b: HashCache): boolean {
  if (a.size !== b.size) return false;
  for (const [path, entry] of a) {
    const other = b.get(path);
    if (!other || other.sha256 !== entry.sha256 || !sameStamp(other, entry)) return false;
  }
  return true;
}

/** The cache kept in `file`; empty when there is none or it cannot be read. */
export async function readHashCache(file: string): Promise<Map<string, RememberedHash>> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? new Map() : parseHashCache(text);
}

/**
 * Replaces the cache in `file` as a whole (written aside, then renamed over it, so that a reader never sees
 * half a file). A cache that cannot be written is no error: the next load hashes those files again.
 */
export async function writeHashCache(file: string, cache: HashCache): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temporary, serializeHashCache(cache));
    await rename(temporary, file);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}
