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

/** What the spool keeps in memory of each session: enough to order, record and cluster them; the rest is on disk. */
interface Entry extends SessionRef {
  startedAt: string;
  offset: number;
  length: number;
  /** Its preference statements as clustering compares them (none asked to be recorded), when it has any. */
  statements?: Statement[];
}

/** Lines waiting to be written: written in chunks of about this many bytes. */
const CHUNK = 1 << 20;

/**
 * The observations of a cycle's new sessions, kept out of memory as they stream in. Extraction folds sessions in time
 * order, and must know every preference statement of the cycle before it keys any, so it cannot fold a session as it
 * is read; but what it sums (the words people typed) is summed here, as it streams, and the rest of each observation
 * is written to a file (one JSON line per session, the file unlinked as soon as it is opened, so that nothing is left
 * behind if the process dies), to be read back once, in time order, by `extractPatterns`. What stays in memory per
 * session is its id, hash, source, start time, where its line is, and its preference statements.
 *
 * Iterating a spool gives the sessions' refs in the order they were added, which is all a cycle's bookkeeping needs.
 */
export class ObservationSpool implements Iterable<SessionRef> {
  /** Per term, the sentences people typed that contain it, summed over every session added. */
  readonly userTerms = new Map<string, number>();
  private readonly entries: Entry[] = [];
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
    return this.entries.length;
  }

  [Symbol.iterator](): Iterator<SessionRef> {
    return this.entries[Symbol.iterator]();
  }

  add(observed: ObservedSession): void {
    if (this.released) throw new Error('observations added to a spool already read');
    for (const [term, n] of observed.userTerms) this.userTerms.set(term, (this.userTerms.get(term) ?? 0) + n);
    const line = `${JSON.stringify({ ...observed, userTerms: [] })}\n`;
    const length = Buffer.byteLength(line);
    const entry: Entry = { id: observed.id, source: observed.source, hash: observed.hash, startedAt: observed.startedAt ?? '', offset: this.bytes, length };
    const statements = observed.preferences.filter((o) => !o.explicit).map(statementOf);
    if (statements.length > 0) entry.statements = statements;
    this.entries.push(entry);
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
    const order = [...this.entries].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
    const statements = order.flatMap((e) => e.statements ?? []);
    const observations = function* (this: ObservationSpool): Generator<ObservedSession> {
      try {
        const read = this.reader();
        for (const entry of order) {
          const observed = JSON.parse(read(entry)) as ObservedSession;
          // The strings the spool holds already, rather than copies: pattern records keep session ids by the thousand.
          observed.id = entry.id;
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
    this.released = true;
    this.pending = [];
    if (!this.file) return;
    fs.closeSync(this.file.fd);
    removeFile(this.file);
    this.file = undefined;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (!this.file) this.file = createFile(this.dir);
    fs.writeSync(this.file.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Reads an entry's line: from the file, or from memory when the lines never filled a chunk. */
  private reader(): (entry: Entry) => string {
    if (this.released) throw new Error('a spool is read only once');
    if (!this.file) {
      const all = Buffer.from(this.pending.join(''));
      this.pending = [];
      return (entry) => all.toString('utf8', entry.offset, entry.offset + entry.length);
    }
    this.flush();
    const fd = this.file.fd;
    let buffer = Buffer.alloc(64 * 1024);
    return (entry) => {
      if (buffer.length < entry.length) buffer = Buffer.alloc(entry.length * 2);
      let done = 0;
      while (done < entry.length) {
        const n = fs.readSync(fd, buffer, done, entry.length - done, entry.offset + done);
        if (n === 0) throw new Error(`observation spool: ${entry.id} cut short`);
        done += n;
      }
      return buffer.toString('utf8', 0, entry.length);
    };
  }
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
