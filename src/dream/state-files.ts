/**
 * How the state is laid out in `.reverie/`, so that what a cycle writes follows the cycle rather than the history:
 * the sessions each cycle processed in a file of that cycle (written once), the pattern records in shards by key (a
 * cycle rewrites those of the patterns it saw), the rejections in one file. The older layout (one file of all
 * processed sessions, one of all patterns) is read as well, and replaced by the first write.
 */
import type { DreamState } from './types.js';

/** Folder, at the repository root, of what must survive between cycles. */
export const STATE_DIR = '.reverie';

/** The sessions processed, one file (or a few) per cycle. */
const PROCESSED_DIR = `${STATE_DIR}/processed/`;
/** The pattern records, in shards by key. */
const PATTERNS_DIR = `${STATE_DIR}/patterns/`;
/** Where an older reverie kept all processed sessions, and all patterns: read, and replaced on the next write. */
const LEGACY_PROCESSED = `${STATE_DIR}/processed.json`;
const LEGACY_PATTERNS = `${STATE_DIR}/patterns.json`;
const REJECTED = `${STATE_DIR}/rejected.json`;

/**
 * Reads the state from the files of a commit (missing files mean a repository that never dreamed). Both layouts are
 * read: the files of one cycle each and of one shard each (`processed/`, `patterns/`), and the single files an
 * older reverie wrote (`processed.json`, `patterns.json`), which the next write of the state replaces.
 */
export function readState(files: ReadonlyMap<string, string>): DreamState {
  const processed: DreamState['processed'] = parse(files, LEGACY_PROCESSED);
  const patterns: DreamState['patterns'] = parse(files, LEGACY_PATTERNS);
  for (const [path, text] of files) {
    if (path.startsWith(PROCESSED_DIR)) readProcessedPart(path, text, processed);
    else if (path.startsWith(PATTERNS_DIR)) readPatternShard(path, text, patterns);
  }
  return { processed, patterns, rejected: parse(files, REJECTED) };
}

/**
 * The state as files: the sessions each cycle processed in files of that cycle (at most PART_SESSIONS lines each, by
 * hash), the patterns in SHARDS files by a hash of their key, the rejections in one. A cycle adds a file of its own
 * and changes the shards of the patterns it saw: what it writes grows with the cycle, not with the history.
 */
export function stateFiles(state: DreamState, before?: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...stateFileTexts(state, before)].map(([path, text]) => [path, made(text)]));
}

/**
 * What writing `state` changes in a commit whose files are `before` (its state files at least): the files whose text
 * differs, and null for those to delete (the single files of the older layout, a part no longer there). A state read
 * from `before` and written unchanged changes nothing.
 */
export function stateChanges(state: DreamState, before: ReadonlyMap<string, string>): Map<string, string | null> {
  return new Map([...changedFiles(state, before)].map(([path, text]) => [path, text === null ? null : made(text)]));
}

/**
 * stateChanges with a file `before` lacks (a cycle's own list of sessions, a shard a first cycle writes) as what makes
 * its bytes, for a commit to call when it writes the file: tens of megabytes at 100,000 sessions, then never all
 * held at once, and never as one string (they are written a piece at a time into a chunk of bytes, then the next).
 */
export function stateWrites(state: DreamState, before: ReadonlyMap<string, string>): Map<string, string | (() => Buffer) | null> {
  return new Map([...changedFiles(state, before)].map(([path, text]) => [path, typeof text === 'function' ? () => bytesOf(text) : text]));
}

/** The files that change, a file `before` lacks as what writes it (no other needs writing before it is compared). */
function changedFiles(state: DreamState, before: ReadonlyMap<string, string>): Map<string, Text | null> {
  const changes = new Map<string, Text | null>();
  const after = stateFileTexts(state, before);
  for (const [path, text] of after) {
    const was = before.get(path);
    if (was === undefined) {
      changes.set(path, text);
      continue;
    }
    const now = made(text);
    if (now !== was) changes.set(path, now);
  }
  for (const path of before.keys()) if (isStatePath(path) && !after.has(path)) changes.set(path, null);
  return changes;
}

/** A file's text, or what writes it a piece at a time. */
type Text = string | Pieces;

/** Writes a text as pieces, in order; no piece ends inside a surrogate pair (each is whole JSON, or ASCII). */
type Pieces = (write: (piece: string) => void) => void;

function made(text: Text): string {
  if (typeof text === 'string') return text;
  const pieces: string[] = [];
  text((piece) => pieces.push(piece));
  return pieces.join('');
}

/** Characters joined into one string before they are encoded: small enough to die young, as the pieces do. */
const CHUNK_CHARS = 32 * 1024;

/** The UTF-8 bytes of a text written in pieces, encoded a chunk at a time: no string of the whole file is made. */
function bytesOf(text: Pieces): Buffer {
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let chars = 0;
  text((piece) => {
    pending.push(piece);
    chars += piece.length;
    if (chars < CHUNK_CHARS) return;
    chunks.push(Buffer.from(pending.join(''), 'utf8'));
    pending = [];
    chars = 0;
  });
  chunks.push(Buffer.from(pending.join(''), 'utf8'));
  return Buffer.concat(chunks);
}

function stateFileTexts(state: DreamState, before?: ReadonlyMap<string, string>): Map<string, Text> {
  const files = new Map<string, Text>();
  for (const [path, text] of processedFiles(state.processed, before)) files.set(path, text);
  for (const [path, text] of patternFiles(state.patterns, before)) files.set(path, text);
  files.set(REJECTED, stableJson(state.rejected));
  return files;
}

/** Whether `path` holds part of the state (in either layout), as against a cycle's record. */
function isStatePath(path: string): boolean {
  return path === LEGACY_PROCESSED || path === LEGACY_PATTERNS || path === REJECTED || path.startsWith(PROCESSED_DIR) || path.startsWith(PATTERNS_DIR);
}

/** Whether `path` holds sessions processed: all that a check of which sessions are new needs to read. */
export function isProcessedFile(path: string): boolean {
  return path === LEGACY_PROCESSED || path.startsWith(PROCESSED_DIR);
}

/** How many sessions one file of processed sessions lists at most: no commit holds one big text of them all. */
const PART_SESSIONS = 10_000;

/** How many files the patterns are spread over. */
const SHARDS = 64;

/**
 * One line per session, `["<hash>","<id>","<source>"]`, sorted by hash, in `processed/<cycle>.jsonl` (the cycle's
 * id percent-encoded where it is not a plain name), then `<cycle>+2.jsonl` and on past PART_SESSIONS.
 */
function processedFiles(processed: DreamState['processed'], before?: ReadonlyMap<string, string>): Map<string, Text> {
  const byCycle = new Map<string, string[]>();
  for (const hash of Object.keys(processed)) {
    const cycle = processed[hash]!.cycle;
    const hashes = byCycle.get(cycle);
    if (hashes) hashes.push(hash);
    else byCycle.set(cycle, [hash]);
  }
  const files = new Map<string, Text>();
  for (const [cycle, hashes] of byCycle) {
    const kept = before && unchangedParts(cycle, hashes, processed, before);
    if (kept) {
      for (const [path, text] of kept) files.set(path, text);
      continue;
    }
    hashes.sort();
    for (let part = 0; part * PART_SESSIONS < hashes.length; part++) {
      files.set(partPath(cycle, part), (write) => writePart(hashes.slice(part * PART_SESSIONS, (part + 1) * PART_SESSIONS), processed, write));
    }
  }
  return files;
}

function writePart(hashes: string[], processed: DreamState['processed'], write: (piece: string) => void): void {
  for (const hash of hashes) {
    const { id, source } = processed[hash]!;
    write(JSON.stringify([hash, id, source]));
    write('\n');
  }
}

function partPath(cycle: string, part: number): string {
  return `${PROCESSED_DIR}${encodeURIComponent(cycle)}${part === 0 ? '' : `+${part + 1}`}.jsonl`;
}

/**
 * The files of a past cycle's sessions as `before` holds them, when every session of the cycle is one read from them
 * and they hold no other: what almost every cycle finds of every cycle before it, told without writing them again.
 */
function unchangedParts(cycle: string, hashes: string[], processed: DreamState['processed'], before: ReadonlyMap<string, string>): [string, string][] | undefined {
  const parts: [string, string][] = [];
  let lines = 0;
  for (let part = 0; ; part++) {
    const path = partPath(cycle, part);
    const text = before.get(path);
    if (text === undefined) break;
    parts.push([path, text]);
    lines += countLines(text);
  }
  if (lines !== hashes.length) return undefined;
  const paths = new Set(parts.map(([path]) => path));
  return hashes.every((hash) => paths.has(READ_FROM.get(processed[hash]!) ?? '')) ? parts : undefined;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The file each processed session was read from: a session still recorded as read is one its file still says. */
const READ_FROM = new WeakMap<object, string>();

function readProcessedPart(path: string, text: string, into: DreamState['processed']): void {
  const cycle = decodeURIComponent(path.slice(PROCESSED_DIR.length).replace(/(\+\d+)?\.jsonl$/, ''));
  for (let start = 0; start < text.length; ) {
    const next = text.indexOf('\n', start);
    const end = next < 0 ? text.length : next;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === '') continue;
    const [hash, id, source] = processedLine(line, path);
    const entry = { id, source, cycle };
    READ_FROM.set(entry, path);
    into[hash] = entry;
  }
}

/** `["<hash>","<id>","<source>"]`: split at its quotes when no string in it has an escape (so none holds a quote), else parsed. */
function processedLine(line: string, path: string): [string, string, string] {
  if (!line.includes('\\') && line.startsWith('["') && line.endsWith('"]')) {
    const fields = line.slice(2, -2).split('","');
    if (fields.length === 3) return fields as [string, string, string];
  }
  const fields = parseText<unknown>(line, path);
  if (!Array.isArray(fields) || fields.length !== 3 || !fields.every((s) => typeof s === 'string')) throw corrupt(path, 'a line is not [hash, id, source]');
  return fields as [string, string, string];
}

/**
 * The patterns in their shards, `patterns/<nn>.json`: a JSON object of the records whose key falls there, one record
 * a line (its keys sorted), in the order of the keys. A record's long list of sessions costs its ids and no
 * indentation, and a cycle's diff shows the records it changed.
 */
function patternFiles(patterns: DreamState['patterns'], before?: ReadonlyMap<string, string>): Map<string, Text> {
  const shards = new Map<string, string[]>();
  for (const key of Object.keys(patterns).sort()) {
    const path = `${PATTERNS_DIR}${shardOf(key)}.json`;
    const keys = shards.get(path);
    if (keys) keys.push(key);
    else shards.set(path, [key]);
  }
  const files = new Map<string, Text>();
  for (const [path, keys] of shards) {
    files.set(path, unchangedShard(path, keys, patterns, before) ?? ((write) => writeShard(keys, patterns, write)));
  }
  return files;
}

function writeShard(keys: string[], patterns: DreamState['patterns'], write: (piece: string) => void): void {
  write('{\n');
  keys.forEach((key, i) => {
    write(`${i === 0 ? '' : ',\n'}${JSON.stringify(key)}: `);
    writeJson(sortedDeep(patterns[key]), write);
  });
  write('\n}\n');
}

/**
 * Lists longer than this are written an item at a time (a pattern's sessions): not as one string of them all. A list
 * this long is a few hundred kilobytes written whole, which dies young; pieces cost more time the smaller they are.
 */
export const LONG_LIST = 4096;

/**
 * JSON.stringify(value), in pieces: a plain object a property at a time, a long list of strings an item at a time,
 * anything else whole. The same text, as JSON.stringify writes an object's properties in the order of its keys and
 * leaves out those it cannot write (undefined, functions, symbols); `value` has been through sortedDeep, so no toJSON
 * is left to call.
 */
export function writeJson(value: unknown, write: (piece: string) => void): void {
  // Most values hold no long list: written whole, as fast as JSON.stringify writes.
  if (!holdsLongList(value)) {
    write(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value) && value.length > LONG_LIST && allStrings(value)) {
    write('[');
    for (let i = 0; i < value.length; i++) write(i === 0 ? JSON.stringify(value[i]) : `,${JSON.stringify(value[i])}`);
    write(']');
    return;
  }
  if (!isPlainObject(value)) {
    write(JSON.stringify(value));
    return;
  }
  let first = true;
  write('{');
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeJson(item, write);
  }
  write('}');
}

/** Whether writeJson would write a part of `value` an item at a time. */
function holdsLongList(value: unknown): boolean {
  if (Array.isArray(value)) {
    if (value.length > LONG_LIST && allStrings(value)) return true;
    for (const item of value) if (item && typeof item === 'object' && holdsLongList(item)) return true;
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item && typeof item === 'object' && holdsLongList(item)) return true;
  }
  return false;
}

/** Every item a string, holes none (JSON writes a hole as null). */
function allStrings(list: unknown[]): boolean {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value) || hasToJson(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A shard of patterns as it was read: its text, and how many records it held. */
interface ReadShard {
  text: string;
  records: number;
}

/** The shard each pattern record was read from, and its key there: a record still the one read is one its shard still says. */
const SHARD_OF = new WeakMap<object, { shard: ReadShard; key: string }>();

function readPatternShard(path: string, text: string, into: DreamState['patterns']): void {
  const records = parseText<DreamState['patterns']>(text, path);
  if (!records || typeof records !== 'object' || Array.isArray(records)) throw corrupt(path, 'not an object of pattern records');
  const shard: ReadShard = { text, records: 0 };
  for (const [key, record] of Object.entries(records)) {
    // Frozen: a record changed in place would still pass for the one its shard says (unchangedShard), so none may be.
    if (record && typeof record === 'object') SHARD_OF.set(frozen(record), { shard, key });
    into[key] = record;
    shard.records++;
  }
}

function frozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    // A record's lists of sessions are strings by the hundred: looked through, not copied first.
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (item && typeof item === 'object') frozen(item);
    } else for (const item of Object.values(value)) frozen(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * The text of a shard as `before` holds it, when its records are exactly those read from that text (the same objects,
 * as many): most shards of a cycle that saw a few patterns, told without writing their records out again.
 */
function unchangedShard(path: string, keys: string[], patterns: DreamState['patterns'], before?: ReadonlyMap<string, string>): string | undefined {
  const text = before?.get(path);
  if (text === undefined) return undefined;
  const shard = SHARD_OF.get(patterns[keys[0]!]!)?.shard;
  if (!shard || shard.text !== text || shard.records !== keys.length) return undefined;
  return keys.every((key) => {
    const read = SHARD_OF.get(patterns[key]!);
    return read?.shard === shard && read.key === key;
  })
    ? text
    : undefined;
}

/** FNV-1a of the key's UTF-16 units, two hex digits: stable across runs and machines, and cheap. */
function shardOf(key: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return ((hash >>> 0) % SHARDS).toString(16).padStart(2, '0');
}

/** JSON with sorted keys and a final newline: the same state always gives the same bytes, and small diffs. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortedDeep(value), null, 2)}\n`;
}

/**
 * The value with the keys of every object in order, sharing each part whose keys are in order already: a state read
 * from its file is, so only what a cycle added is copied (a state of 100,000 sessions is not held twice), and
 * JSON.stringify runs without a replacer, which it would call for every value (10,000 sessions: 100 ms, not 37).
 * The order is the one an object built from the sorted keys has: JavaScript puts keys that are array indexes first.
 */
function sortedDeep(input: unknown): unknown {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = sortedDeep(value[i]);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const changed = !keys.every((key, i) => i === 0 || keys[i - 1]! < key);
  let items: unknown[] | undefined;
  keys.forEach((key, i) => {
    const item = sortedDeep(object[key]);
    if (item !== object[key]) (items ??= keys.map((k) => object[k]))[i] = item;
  });
  if (!changed && !items) return object;
  const values = items ?? keys.map((k) => object[k]);
  return Object.fromEntries(keys.map((key, i) => [key, values[i]] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function hasToJson(value: unknown): value is { toJSON: () => unknown } {
  return typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function';
}

function parse<T>(files: ReadonlyMap<string, string>, path: string): Record<string, T> {
  const text = files.get(path);
  return text === undefined ? {} : parseText<Record<string, T>>(text, path);
}

function parseText<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw corrupt(path);
  }
}

function corrupt(path: string, what = 'not valid JSON'): Error {
  return new Error(`${path}: ${what}; restore it from git history (git checkout HEAD -- ${path})`);
}
