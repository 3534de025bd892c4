/**
 * Writing many objects as one pack rather than one loose file each. A loose object is its whole content compressed,
 * so a cycle of 500 edits to one 600 KB file compresses and flushes 500 copies of the file (most of the time of its
 * commits). In a pack, a version of a file is stored as a delta from the next version of the same path: what the
 * edit between them changed, a few hundred bytes, compressed. Every 50th version of a path (and the last) is whole,
 * so that reading one costs at most 49 deltas, the chain length git itself writes by default; the newest version,
 * the one the next cycle reads, is whole. The pack and its index (version 2) are written as git writes them: to
 * temporary files, flushed, renamed into `objects/pack` pack first, index last (a reader looks for the index).
 */
import { crypto } from '../util/crypto.js';
import path from 'node:path';
import { writeFileDurablySync } from './durable.js';
import { zlib } from './zlib.js';

type PackedType = 'blob' | 'tree' | 'commit';

const TYPE_CODES: Record<PackedType, number> = { commit: 1, tree: 2, blob: 3 };
const OFS_DELTA = 6;

/** Versions of one path per delta chain: the newest of each run is stored whole. git's default depth is 50. */
const CHAIN = 50;

/** Objects a pack holds before it is written and the next one begun: what a cycle keeps in memory meanwhile. */
const MAX_ENTRIES = 1024;

/** A delta larger than this share of its object is not worth it: the object is stored whole. */
const DELTA_SHARE = 0.5;

interface PendingEntry {
  oid: string;
  type: PackedType;
  /** The whole content, until the entry is written or turned into a delta. */
  content?: Buffer;
  /** The delta from the next version of the same path, which is written before this one. */
  delta?: { base: PendingEntry; data: Buffer };
  /** The content compressed already (an object added as the last version of its path), and its size before. */
  deflated?: { size: number; data: Buffer };
}

/** The chain of one path: its newest version, and where in its run of CHAIN it is. */
interface Chain {
  newest: PendingEntry;
  length: number;
}

/**
 * Collects objects and writes them as packs into `gitdir`. Nothing is on disk until `write` (or the builder holds
 * MAX_ENTRIES objects); until then, whoever added the objects must not point a ref at them.
 */
export class PackBuilder {
  private entries: PendingEntry[] = [];
  private readonly oids = new Set<string>();
  private readonly chains = new Map<string, Chain>();
  /** Packs written so far, by file name (pack-<checksum>). */
  readonly written: string[] = [];

  constructor(private readonly gitdir: string) {}

  /**
   * Adds an object whose oid is `oid`; `path` names the file a blob is a version of, for deltas between versions.
   * `last`: no later version of `path` comes before the pack is written, so the content is compressed now and only
   * its compressed bytes are held (a cycle's state files are tens of megabytes, and compress to a third). Were a later
   * version to come after all, it would be stored whole, as the first of a new chain.
   */
  add(type: PackedType, content: Buffer, oid: string, path?: string, { last = false }: { last?: boolean } = {}): void {
    if (this.oids.has(oid)) return;
    if (this.entries.length >= MAX_ENTRIES) this.write();
    const entry: PendingEntry = { oid, type, content };
    this.entries.push(entry);
    this.oids.add(oid);
    if (type === 'blob' && path !== undefined) this.chain(entry, path);
    if (!last) return;
    entry.deflated = { size: content.length, data: deflate(content) };
    entry.content = undefined;
    if (path !== undefined) this.chains.delete(path);
  }

  /** Makes `entry` the newest version of `path`: the version before it becomes a delta from it where that pays. */
  private chain(entry: PendingEntry, path: string): void {
    const content = entry.content as Buffer;
    const chain = this.chains.get(path);
    if (chain && chain.length < CHAIN) {
      const older = chain.newest;
      const data = deltaFrom(content, older.content as Buffer);
      if (data.length <= (older.content as Buffer).length * DELTA_SHARE) {
        older.delta = { base: entry, data };
        older.content = undefined;
        this.chains.set(path, { newest: entry, length: chain.length + 1 });
        return;
      }
    }
    this.chains.set(path, { newest: entry, length: 1 });
  }

  /** Writes what was added since the last write as one pack; nothing when nothing was. */
  write(): void {
    if (this.entries.length === 0) return;
    // The newest first: a delta's base (a later version) must come before it in the pack.
    const order = this.entries.slice().reverse();
    this.entries = [];
    this.chains.clear();
    this.written.push(writePack(this.gitdir, order));
  }
}

/** Writes the pack and its index; returns the pack's name. */
function writePack(gitdir: string, order: PendingEntry[]): string {
  const offsets = new Map<PendingEntry, number>();
  const crcs = new Map<PendingEntry, number>();
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(order.length, 8);
  const parts: Buffer[] = [header];
  let offset = header.length;
  const hash = crypto().createHash('sha1').update(header);
  for (const entry of order) {
    const base = entry.delta && offsets.get(entry.delta.base);
    const bytes =
      entry.delta && base !== undefined
        ? Buffer.concat([entryHeader(OFS_DELTA, entry.delta.data.length), distance(offset - base), deflate(entry.delta.data)])
        : entry.deflated
          ? Buffer.concat([entryHeader(TYPE_CODES[entry.type], entry.deflated.size), entry.deflated.data])
          : Buffer.concat([entryHeader(TYPE_CODES[entry.type], (entry.content as Buffer).length), deflate(entry.content as Buffer)]);
    offsets.set(entry, offset);
    crcs.set(entry, crc32(bytes));
    parts.push(bytes);
    hash.update(bytes);
    offset += bytes.length;
    // Written: its content goes as the pack grows, not once the whole pack is (a cycle of 100,000 sessions packs
    // tens of megabytes of state).
    entry.content = undefined;
    entry.deflated = undefined;
  }
  const checksum = hash.digest();
  parts.push(checksum);
  const name = `pack-${checksum.toString('hex')}`;
  const folder = path.join(gitdir, 'objects', 'pack');
  writeFileDurablySync(path.join(folder, `${name}.pack`), parts, { mode: 0o444 });
  const sorted = order.slice().sort((a, b) => (a.oid < b.oid ? -1 : a.oid > b.oid ? 1 : 0));
  writeFileDurablySync(path.join(folder, `${name}.idx`), indexOf(sorted, offsets, crcs, checksum), { mode: 0o444 });
  return name;
}

/** An object's content as a pack stores it: level 1, as git compresses loose objects (core.looseCompression). */
function deflate(content: Buffer): Buffer {
  return zlib().deflateSync(content, { level: 1 });
}

/** A version 2 pack index: fan-out table, names, CRCs, offsets, the pack's checksum, its own. */
function indexOf(sorted: PendingEntry[], offsets: Map<PendingEntry, number>, crcs: Map<PendingEntry, number>, packChecksum: Buffer): Buffer {
  const count = sorted.length;
  const large = sorted.filter((entry) => (offsets.get(entry) as number) >= 0x80000000);
  const index = Buffer.alloc(8 + 256 * 4 + count * 28 + large.length * 8 + 40);
  index.writeUInt32BE(0xff744f63, 0);
  index.writeUInt32BE(2, 4);
  let at = 8;
  for (let byte = 0, position = 0; byte < 256; byte++) {
    while (position < count && parseInt((sorted[position] as PendingEntry).oid.slice(0, 2), 16) <= byte) position++;
    index.writeUInt32BE(position, at);
    at += 4;
  }
  for (const entry of sorted) at += index.write(entry.oid, at, 'hex');
  for (const entry of sorted) at = index.writeUInt32BE(crcs.get(entry) as number, at);
  let next = 0;
  for (const entry of sorted) {
    const offset = offsets.get(entry) as number;
    at = index.writeUInt32BE(offset < 0x80000000 ? offset : (0x80000000 | next++) >>> 0, at);
  }
  for (const entry of large) {
    const offset = offsets.get(entry) as number;
    at = index.writeUInt32BE(Math.floor(offset / 2 ** 32), at);
    at = index.writeUInt32BE(offset % 2 ** 32, at);
  }
  at += packChecksum.copy(index, at);
  crypto().createHash('sha1').update(index.subarray(0, at)).digest().copy(index, at);
  return index;
}

/** An entry's type and inflated size: 3 bits of type, the size 4 bits then 7 at a time, low bits first. */
function entryHeader(type: number, size: number): Buffer {
  const bytes = [(type << 4) | (size & 15)];
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes[bytes.length - 1] = (bytes.at(-1) as number) | 0x80;
    bytes.push(rest & 0x7f);
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(bytes);
}

/** How far back an OFS_DELTA's base is, in git's encoding: 7 bits at a time, high bits first, each but the last less one. */
function distance(value: number): Buffer {
  const bytes = [value & 0x7f];
  let rest = Math.floor(value / 128);
  while (rest > 0) {
    rest -= 1;
    bytes.unshift(0x80 | (rest & 0x7f));
    rest = Math.floor(rest / 128);
  }
  return Buffer.from(bytes);
}

/**
 * A delta that makes `target` from `base`: the bytes they begin and end with copied, the rest inserted. An edit
 * changes one stretch of a file (or a few close together), which this finds without diffing the two.
 */
export function deltaFrom(base: Buffer, target: Buffer): Buffer {
  const prefix = commonPrefix(base, target);
  const suffix = commonSuffix(base, target, prefix);
  const out: number[] = [...varint(base.length), ...varint(target.length)];
  const chunks: Buffer[] = [];
  const flush = () => {
    chunks.push(Buffer.from(out));
    out.length = 0;
  };
  copy(out, 0, prefix);
  flush();
  for (let at = prefix; at < target.length - suffix; at += 127) {
    const end = Math.min(at + 127, target.length - suffix);
    out.push(end - at);
    flush();
    chunks.push(target.subarray(at, end));
  }
  copy(out, base.length - suffix, suffix);
  flush();
  return Buffer.concat(chunks);
}

/** Copy instructions for `length` bytes of the base from `offset`, at most 64 KiB each (a size of 0 means 64 KiB). */
function copy(out: number[], offset: number, length: number): void {
  for (let done = 0; done < length; ) {
    const size = Math.min(0x10000, length - done);
    const from = offset + done;
    const op = out.length;
    out.push(0x80);
    for (let bit = 0; bit < 4; bit++) {
      const byte = Math.floor(from / 2 ** (8 * bit)) & 0xff;
      if (byte !== 0) {
        out[op] = (out[op] as number) | (1 << bit);
        out.push(byte);
      }
    }
    if (size !== 0x10000) {
      for (let bit = 0; bit < 2; bit++) {
        const byte = (size >> (8 * bit)) & 0xff;
        if (byte !== 0) {
          out[op] = (out[op] as number) | (16 << bit);
          out.push(byte);
        }
      }
    }
    done += size;
  }
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    const byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? byte | 0x80 : byte);
  } while (rest > 0);
  return bytes;
}

/** Bytes compared a chunk at a time by Buffer.compare, then one at a time within the first chunk that differs. */
const CHUNK = 4096;

function commonPrefix(a: Buffer, b: Buffer): number {
  const limit = Math.min(a.length, b.length);
  let at = 0;
  while (at + CHUNK <= limit && a.compare(b, at, at + CHUNK, at, at + CHUNK) === 0) at += CHUNK;
  while (at < limit && a[at] === b[at]) at++;
  return at;
}

/** The length of what both end with, not reaching into the first `prefix` bytes of either. */
function commonSuffix(a: Buffer, b: Buffer, prefix: number): number {
  const limit = Math.min(a.length, b.length) - prefix;
  let length = 0;
  while (length + CHUNK <= limit && a.compare(b, b.length - length - CHUNK, b.length - length, a.length - length - CHUNK, a.length - length) === 0) length += CHUNK;
  while (length < limit && a[a.length - 1 - length] === b[b.length - 1 - length]) length++;
  return length;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (the zlib one), which a version 2 index keeps for each entry. */
function crc32(bytes: Buffer): number {
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
