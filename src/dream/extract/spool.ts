import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Session } from '../../sessions/types.js';
import type { ObservedSession } from './observation.js';
import { statementOf, type Statement } from './preference-clusters.js';

/** Who a session was and where it came from: what a cycle records of each session it processed. */
export interface SessionRef {
  id: string;
  source: string;
  hash: string;
}

/**
 * The head of a session's line: its ref, its start time and its preference statements (none asked to be recorded), as
 * `[id, source, hash, startedAt, [[terms, prefer, avoid, intent | null], …]]`. Read back without the rest of the line.
 */
type Head = [string, string, string, string, [string[], string[], string[], string | null][]];

/** The refs of the sessions added, in the order they were added, once their heads are read back. */
interface Refs {
  ids: string[];
  sources: string[];
  hashes: string[];
  /** Dropped once the sessions are put in time order: only that needs them. */
  startedAt?: string[];
  statements?: (Statement[] | undefined)[];
}

/** Lines waiting to be written: written in chunks of about this many bytes. */
const CHUNK = 64 * 1024;

/** How much of the file a sequential read of the heads takes at a time. */
const READ_BLOCK = 1 << 20;

/**
 * The observations of a cycle's new sessions, kept out of memory as they stream in. Extraction folds sessions in time
 * order, and must know every preference statement of the cycle before it keys any, so it cannot fold a session as it
 * is read; but what it sums (the words people typed) is summed here, as it streams, and each observation is written to
 * a file (one line per session, the file unlinked as soon as it is opened, so that nothing is left behind if the
 * process dies), to be read back once, in time order, by `extractPatterns`.
 *
 * While sessions stream in, memory holds where each line is and nothing else of it (12 bytes a session): whatever a
 * cycle holds while it reads, V8 lets its heap grow to a few times that before collecting. A line starts with its
 * session's ref, start time and preference statements, read back together, without the rest, when they are first
 * needed (the order, the statements, the refs): once reading is done.
 *
 * Iterating a spool gives the sessions' refs in the order they were added, which is all a cycle's bookkeeping needs.
 */
export class ObservationSpool implements Iterable<SessionRef> {
  /** Per term, the sentences people typed that contain it, summed over every session added. */
  readonly userTerms = new Map<string, number>();
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private count = 0;
  private refs: Refs | undefined;
  private readonly dir: string;
  private readonly chunk: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private bytes = 0;
  private file: { fd: number; path: string; folder: string; unlinked: boolean } | undefined;
  private released = false;

  /** `dir`: where the file goes (the system's temporary folder by default); `chunk`: bytes held before writing. */
  constructor(options: { dir?: string; chunk?: number } = {}) {
    this.dir = options.dir ?? os.tmpdir();
    this.chunk = options.chunk ?? CHUNK;
  }

  get length(): number {
    return this.count;
  }

  [Symbol.iterator](): Iterator<SessionRef> {
    const { ids, sources, hashes } = this.readRefs();
    let i = 0;
    return {
      next: () => (i < ids.length ? { done: false, value: { id: ids[i]!, source: sources[i]!, hash: hashes[i++]! } } : { done: true, value: undefined }),
    };
  }

  add(observed: ObservedSession): void {
    if (this.released) throw new Error('observations added to a spool already read');
    for (const [term, n] of observed.userTerms) this.userTerms.set(term, (this.userTerms.get(term) ?? 0) + n);
    const statements = observed.preferences.filter((o) => !o.explicit).map(statementOf);
    const head: Head = [observed.id, observed.source, observed.hash, observed.startedAt ?? '', statements.map((s) => [s.terms, s.prefer, s.avoid, s.intent ?? null])];
    // JSON never holds a raw tab: the first one ends the head.
    const line = `${JSON.stringify(head)}\t${JSON.stringify({ ...observed, userTerms: [] })}\n`;
    const length = Buffer.byteLength(line);
    // Refs read back before this session came would leave it out: they are read again when next asked for.
    this.refs = undefined;
    this.place(this.bytes, length);
    this.pending.push(line);
    this.pendingBytes += length;
    this.bytes += length;
    if (this.pendingBytes >= this.chunk) this.flush();
  }

  /**
   * The sessions in time order (then by id; sessions alike in both keep the order they were added in), each with its
   * preference statements; `observations` reads them back, in that order, once. `userTerms` comes back empty: the
   * spool has their sum.
   */
  inTimeOrder(): { statements: Statement[]; observations: () => Generator<ObservedSession> } {
    const refs = this.readRefs();
    const startedAt = refs.startedAt;
    if (this.released || !startedAt) throw new Error('a spool is read only once');
    const ids = refs.ids;
    const order = Array.from({ length: this.count }, (_, i) => i).sort((a, b) => startedAt[a]!.localeCompare(startedAt[b]!) || ids[a]!.localeCompare(ids[b]!));
    const statements = order.flatMap((i) => refs.statements?.[i] ?? []);
    // Only the order needed the start times, only the clustering the statements: neither is held through the fold.
    delete refs.startedAt;
    delete refs.statements;
    const observations = function* (this: ObservationSpool): Generator<ObservedSession> {
      try {
        const read = this.reader();
        for (const i of order) {
          const line = read(i);
          const observed = JSON.parse(line.slice(line.indexOf('\t') + 1)) as ObservedSession;
          // The strings the spool holds already, rather than copies: pattern records keep session ids by the thousand.
          observed.id = ids[i]!;
          yield observed;
        }
      } finally {
        this.release();
      }
    }.bind(this);
    return { statements, observations };
  }

  /** Closes and removes the file; the refs stay. Called once the observations are read, or when a cycle stops early. */
  release(): void {
    if (this.released) return;
    this.readRefs();
    this.released = true;
    this.pending = [];
    if (!this.file) return;
    fs.closeSync(this.file.fd);
    removeFile(this.file);
    this.file = undefined;
  }

  /** Where the line of the next session is, in arrays that grow as they fill. */
  private place(offset: number, length: number): void {
    if (this.count === this.offsets.length) {
      const offsets = new Float64Array(this.count * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const lengths = new Uint32Array(this.count * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.count++;
  }

  /** The refs, start times and statements of every session, read from the heads of their lines the first time they are asked for. */
  private readRefs(): Refs {
    if (this.refs) return this.refs;
    const refs: Refs = { ids: [], sources: [], hashes: [], startedAt: [], statements: [] };
    // A few logs give every session its source: one string each, not one a session.
    const sources = new Map<string, string>();
    const heads = this.file ? this.headsOnDisk() : this.pending.map((line) => line.slice(0, line.indexOf('\t')));
    for (const text of heads) {
      const [id, source, hash, startedAt, statements] = JSON.parse(text) as Head;
      refs.ids.push(id);
      refs.sources.push(sources.get(source) ?? (sources.set(source, source), source));
      refs.hashes.push(hash);
      refs.startedAt!.push(startedAt);
      refs.statements!.push(statements.length > 0 ? statements.map(([terms, prefer, avoid, intent]) => ({ terms, prefer, avoid, intent: intent ?? undefined })) : undefined);
    }
    this.refs = refs;
    return refs;
  }

  /** The head of each line in the file, in the order they were written, read a block at a time. */
  private *headsOnDisk(): Generator<string> {
    this.flush();
    const fd = this.file!.fd;
    let block = Buffer.alloc(READ_BLOCK);
    let blockStart = 0;
    let blockEnd = 0;
    for (let i = 0; i < this.count; i++) {
      const offset = this.offsets[i]!;
      const end = offset + this.lengths[i]!;
      if (end > blockEnd) {
        if (block.length < end - offset) block = Buffer.alloc(end - offset);
        blockStart = offset;
        blockEnd = offset + readFully(fd, block, Math.min(block.length, this.bytes - offset), offset, i);
      }
      const start = offset - blockStart;
      yield block.toString('utf8', start, block.indexOf(9, start));
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (!this.file) this.file = createFile(this.dir);
    fs.writeSync(this.file.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Reads the line of session `i`: from the file, or from memory when the lines never filled a chunk. */
  private reader(): (i: number) => string {
    if (this.released) throw new Error('a spool is read only once');
    if (!this.file) {
      const lines = this.pending;
      this.pending = [];
      return (i) => lines[i]!;
    }
    this.flush();
    const fd = this.file.fd;
    let buffer = Buffer.alloc(64 * 1024);
    return (i) => {
      const length = this.lengths[i]!;
      if (buffer.length < length) buffer = Buffer.alloc(length * 2);
      readFully(fd, buffer, length, this.offsets[i]!, i);
      return buffer.toString('utf8', 0, length);
    };
  }
}

/** Reads `length` bytes at `position` into the start of `buffer`; returns `length`. */
function readFully(fd: number, buffer: Buffer, length: number, position: number, session: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error(`observation spool: session ${session} cut short`);
    done += n;
  }
  return length;
}
/** A file only this process can open; unlinked at once where the system allows it, so that a crash leaves nothing. */
function createFile(dir: string): { fd: number; path: string; folder: string; unlinked: boolean } {
  fs.mkdirSync(dir, { recursive: true });
  const folder = fs.mkdtempSync(path.join(dir, 'spool-'));
  const file = path.join(folder, 'observations.ndjson');
  const fd = fs.openSync(file, 'wx+', 0o600);
  const created = { fd, path: file, folder, unlinked: false };
  try {
    removeFile(created);
  } catch {
    // Windows keeps an open file: it goes at release.
  }
  return created;
}

function removeFile(file: { path: string; folder: string; unlinked: boolean }): void {
  if (!file.unlinked) fs.rmSync(file.path, { force: true });
  file.unlinked = true;
  fs.rmSync(file.folder, { recursive: true, force: true });
}

export function isSpool(sessions: unknown): sessions is ObservationSpool {
  return sessions instanceof ObservationSpool;
}

/** The sessions as a list, for an engine that needs them all at once: a spool is read back whole, in time order. */
export function sessionList(sessions: readonly (Session | ObservedSession)[] | ObservationSpool): readonly (Session | ObservedSession)[] {
  return isSpool(sessions) ? [...sessions.inTimeOrder().observations()] : sessions;
}
