/**
 * Packfiles: finding an object through a pack's index (version 2) and reading its entry alone, from its offset,
 * its deltas applied. What odb.ts uses for packed objects instead of reading a whole pack into memory.
 */
import { readSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { GitStateError } from '../errors.js';
import type { Lru } from './lru.js';
import type { ObjectType, RawObject } from './odb.js';
import { zlib } from './zlib.js';

/** Pack entry types (the 3-bit type in an entry's header). */
const PACK_TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** Longer delta chains than git ever writes (its limit is 4095) mean a pack that loops back on itself. */
const MAX_DELTA_DEPTH = 10_000;

export interface Pack {
  /** The `.pack` file. */
  file: string;
  /** The `.idx` file's bytes (version 2). */
  index: Buffer;
  count: number;
  /** Offsets of every entry, ascending, made when first needed: where one entry ends is where the next begins. */
  sortedOffsets?: Float64Array;
  /** Offset of the pack's trailing checksum, i.e. the end of its last entry. */
  end: number;
}

/** What reading an entry needs besides the pack: resolved entries to reuse, and objects named as delta bases. */
export interface EntryContext {
  /** Resolved entries by `<pack file>:<offset>`. */
  bases: Lru<RawObject>;
  /** The object a reference delta names as its base, wherever it is stored. */
  objectNamed: (oid: string, depth: number) => Promise<RawObject | undefined>;
}

/** The packs in the object database, reusing those already loaded; a pack whose index we do not read is left out. */
export async function loadPacks(gitdir: string, known: Pack[]): Promise<Pack[]> {
  const folder = path.join(gitdir, 'objects', 'pack');
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  const loaded: Pack[] = [];
  for (const name of names.filter((n) => n.endsWith('.idx')).sort()) {
    const file = path.join(folder, `${name.slice(0, -'.idx'.length)}.pack`);
    const pack = known.find((p) => p.file === file) ?? (await loadPack(path.join(folder, name), file));
    if (pack) loaded.push(pack);
  }
  return loaded;
}

const IDX_MAGIC = 0xff744f63;
const FANOUT = 8;
const NAMES = FANOUT + 256 * 4;

async function loadPack(indexFile: string, file: string): Promise<Pack | undefined> {
  const [index, stat] = await Promise.all([fsp.readFile(indexFile).catch(() => undefined), fsp.stat(file).catch(() => undefined)]);
  if (!index || !stat || index.length < NAMES || index.readUInt32BE(0) !== IDX_MAGIC || index.readUInt32BE(4) !== 2) return undefined;
  const count = index.readUInt32BE(NAMES - 4);
  if (index.length < NAMES + count * 28 + 40) return undefined;
  return { file, index, count, end: stat.size - 20 };
}

/** Where the 4-byte offsets of a version 2 index start. */
function offsetTable(pack: Pack): number {
  return NAMES + pack.count * 24;
}

/** Position of `oid` in the pack's sorted name table, or -1. */
export function findInPack(pack: Pack, oid: Buffer): number {
  const first = oid[0] as number;
  let low = first === 0 ? 0 : pack.index.readUInt32BE(FANOUT + (first - 1) * 4);
  let high = pack.index.readUInt32BE(FANOUT + first * 4);
  while (low < high) {
    const middle = (low + high) >>> 1;
    const at = NAMES + middle * 20;
    // The name at `middle` against the one looked for: negative when it sorts before it.
    const order = pack.index.compare(oid, 0, 20, at, at + 20);
    if (order === 0) return middle;
    if (order < 0) low = middle + 1;
    else high = middle;
  }
  return -1;
}

export function offsetAt(pack: Pack, position: number): number {
  const small = pack.index.readUInt32BE(offsetTable(pack) + position * 4);
  if ((small & 0x80000000) === 0) return small;
  // Packs over 2 GiB keep large offsets in a table of their own.
  const large = offsetTable(pack) + pack.count * 4 + (small & 0x7fffffff) * 8;
  return Number(pack.index.readBigUInt64BE(large));
}

/** Where the entry at `offset` ends: at the next entry, or at the pack's checksum. */
function entryEnd(pack: Pack, offset: number): number {
  pack.sortedOffsets ??= sortedOffsets(pack);
  const sorted = pack.sortedOffsets;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) <= offset) low = middle + 1;
    else high = middle;
  }
  return low < sorted.length ? (sorted[low] as number) : pack.end;
}

function sortedOffsets(pack: Pack): Float64Array {
  const offsets = new Float64Array(pack.count);
  for (let i = 0; i < pack.count; i++) offsets[i] = offsetAt(pack, i);
  return offsets.sort();
}

/** The object stored at `offset`, its deltas applied. */
export async function readEntry(pack: Pack, handle: fsp.FileHandle, offset: number, context: EntryContext, depth = 0): Promise<RawObject> {
  if (depth > MAX_DELTA_DEPTH) throw new GitStateError(`${pack.file}: a delta chain never ends`);
  const { bases } = context;
  const key = `${pack.file}:${offset}`;
  const known = bases.get(key);
  if (known) return known;
  const end = entryEnd(pack, offset);
  const bytes = Buffer.alloc(end - offset);
  // Read at once rather than through the thread pool: an entry is a few kilobytes of a file the system has cached,
  // and a cycle reads hundreds of them, each a round trip to the pool and back that cost more than the read.
  const bytesRead = readSync(handle.fd, bytes, 0, bytes.length, offset);
  if (bytesRead !== bytes.length) throw new GitStateError(`${pack.file} is shorter than its index says`);
  const header = entryHeader(bytes);
  const broken = () => new GitStateError(`${pack.file}: the entry at ${offset} is corrupt`);
  const data = inflateOrThrow(bytes.subarray(header.dataStart), broken);
  if (data.length !== header.size) throw broken();
  let object: RawObject;
  if (header.type === OFS_DELTA || header.type === REF_DELTA) {
    const base =
      header.type === OFS_DELTA
        ? await readEntry(pack, handle, offset - (header.baseDistance as number), context, depth + 1)
        : await context.objectNamed(header.baseOid as string, depth + 1);
    if (!base) throw new GitStateError(`${pack.file}: the base of the entry at ${offset} is missing`);
    object = { type: base.type, content: applyDelta(base.content, data) };
  } else {
    const type = PACK_TYPES[header.type];
    if (!type) throw new GitStateError(`${pack.file}: the entry at ${offset} has unknown type ${header.type}`);
    object = { type, content: data };
  }
  bases.set(key, object);
  return object;
}

interface EntryHeader {
  type: number;
  /** Size of the inflated data: the object, or the delta. */
  size: number;
  dataStart: number;
  baseDistance?: number;
  baseOid?: string;
}

function entryHeader(bytes: Buffer): EntryHeader {
  let at = 0;
  let byte = bytes[at++] as number;
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  for (let shift = 4; byte & 0x80; shift += 7) {
    byte = bytes[at++] as number;
    size += (byte & 0x7f) * 2 ** shift;
  }
  if (type === OFS_DELTA) {
    byte = bytes[at++] as number;
    let distance = byte & 0x7f;
    while (byte & 0x80) {
      byte = bytes[at++] as number;
      distance = (distance + 1) * 128 + (byte & 0x7f);
    }
    return { type, size, dataStart: at, baseDistance: distance };
  }
  if (type === REF_DELTA) return { type, size, dataStart: at + 20, baseOid: bytes.toString('hex', at, at + 20) };
  return { type, size, dataStart: at };
}

/** git's delta format: the sizes of base and result, then copies from the base and inserted bytes. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let at = 0;
  const readSize = (): number => {
    let size = 0;
    let byte: number;
    let shift = 0;
    do {
      byte = delta[at++] as number;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return size;
  };
  if (readSize() !== base.length) throw new GitStateError('a delta does not fit its base');
  const result = Buffer.alloc(readSize());
  let out = 0;
  while (at < delta.length) {
    const op = delta[at++] as number;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[at++] as number) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (16 << bit)) size += (delta[at++] as number) * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || out + size > result.length) throw new GitStateError('a delta copies past its base');
      out += base.copy(result, out, offset, offset + size);
    } else if (op > 0) {
      if (out + op > result.length || at + op > delta.length) throw new GitStateError('a delta inserts past its end');
      out += delta.copy(result, out, at, at + op);
      at += op;
    } else {
      throw new GitStateError('a delta holds a reserved instruction');
    }
  }
  if (out !== result.length) throw new GitStateError('a delta is shorter than it says');
  return result;
}

/** Inflated data, or `error()` thrown for data that does not inflate. */
export function inflateOrThrow(deflated: Buffer, error: () => Error): Buffer {
  try {
    return zlib().inflateSync(deflated);
  } catch {
    throw error();
  }
}
