/**
 * Logs read on worker threads: each worker detects, parses, normalises, redacts and hashes whole logs, and hands back
 * what this thread would have made of them; this thread takes the results in path order, so that what a load finds
 * is the same, byte for byte, whatever the number of threads. A large log (one streamed in bounded memory) is left
 * to this thread, in its turn.
 *
 * Opt-in, with `REVERIE_READ_THREADS=<n>` (or `readThreads: n`): on the shared 2-core machine it was measured on,
 * with the cores already busy, two workers made a load of 1,785 logs slower (each worker takes 150-200 ms to start
 * and load the readers, then runs them unoptimised at first, and every session is copied back to this thread). Only
 * for many logs: fewer than MIN_FILES_FOR_THREADS are read here anyway. A worker that cannot start or fails leaves
 * its logs to this thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReadAhead, ReadFileOptions, SessionFile } from './load.js';

/** Below this many logs to read, they are read on this thread: starting workers would cost more than it saves. */
export const MIN_FILES_FOR_THREADS = 256;

/** Logs sent to a worker at a time: enough to make a message's cost small, few enough to share the work evenly. */
const BATCH_FILES = 16;

/** Batches sent ahead of the one this thread takes next, per worker: bounds what waits in memory. */
const BATCHES_AHEAD_PER_WORKER = 2;

/** What the worker is started with. */
export interface WorkerSetup {
  skipHashes: string[];
  maxLineBytes?: number;
}

/** A batch to read, and what came of it: each log read whole, or left to this thread as too large to read whole. */
export interface BatchRequest {
  batch: number;
  files: SessionFile[];
}
export type BatchResult = { batch: number; results: WorkerRead[] } | { batch: number; failed: string };
export type WorkerRead = ReadAhead | { large: SessionFile };

/**
 * How many threads read `files` logs: `requested` (LoadOptions.readThreads), else REVERIE_READ_THREADS, else one;
 * never more than there are cores; and one, this thread alone, for fewer than MIN_FILES_FOR_THREADS logs or where no
 * worker can be started.
 */
export function readThreadsFor(files: number, requested?: number): number {
  const fromEnv = process.env.REVERIE_READ_THREADS;
  const wanted = requested ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? Number(fromEnv) : 1);
  if (!Number.isInteger(wanted) || wanted <= 1 || files < MIN_FILES_FOR_THREADS) return 1;
  return workerEntry() ? Math.min(wanted, availableParallelism()) : 1;
}

/**
 * What a worker runs, or undefined where there is nothing to run. Built by tsc, the worker's module sits beside this
 * one; bundled (the command line), beside the bundle's entry, one folder up from its chunks. Run from the TypeScript
 * sources (tsx, the tests), the worker registers tsx's loader before it imports its module. The GitHub Action's
 * single-file bundle has none: it reads on one thread.
 */
function workerEntry(): { script: URL | string; eval?: true } | undefined {
  for (const relative of ['./read-worker.js', '../read-worker.js']) {
    const url = new URL(relative, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return { script: url };
  }
  const source = new URL('./read-worker.ts', import.meta.url);
  if (import.meta.url.endsWith('.ts') && source.protocol === 'file:' && existsSync(fileURLToPath(source))) {
    return { script: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); });`, eval: true };
  }
  return undefined;
}

/**
 * What `inThread` would yield for each of `files`, in order, read by `threads` workers. `inThread` reads a log here:
 * every log of a batch whose worker failed; `openLarge` opens a log too large to read whole, to be streamed here.
 */
export async function* readInWorkers(
  files: readonly SessionFile[],
  options: ReadFileOptions,
  threads: number,
  inThread: (file: SessionFile) => Promise<ReadAhead>,
  openLarge: (file: SessionFile) => ReadAhead,
): AsyncGenerator<ReadAhead> {
  const batches: SessionFile[][] = [];
  for (let i = 0; i < files.length; i += BATCH_FILES) batches.push(files.slice(i, i + BATCH_FILES));
  const pool = new Pool(threads, options, batches);
  try {
    for (let b = 0; b < batches.length; b++) {
      const results = await pool.take(b);
      if (results === undefined) {
        // The worker failed (or none could start): this batch is read here.
        for (const file of batches[b] as SessionFile[]) yield await inThread(file);
        continue;
      }
      for (const read of results) yield 'large' in read ? openLarge(read.large) : read;
    }
  } finally {
    await pool.close();
  }
}

/** The workers, the batches sent to each, and the results not taken yet. */
class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly sentTo = new Map<Worker, number>();
  private readonly done = new Map<number, WorkerRead[] | undefined>();
  private waiting: { batch: number; resolve: () => void } | undefined;
  private sent = 0;
  private taken = 0;
  private broken = false;

  constructor(
    threads: number,
    options: ReadFileOptions,
    private readonly batches: SessionFile[][],
  ) {
    const entry = workerEntry();
    if (!entry) {
      this.broken = true;
      return;
    }
    const setup: WorkerSetup = { skipHashes: [...(options.skipHashes ?? [])], ...(options.maxLineBytes !== undefined ? { maxLineBytes: options.maxLineBytes } : {}) };
    for (let i = 0; i < threads; i++) {
      let worker: Worker;
      try {
        worker = new Worker(entry.script, { workerData: setup, ...(entry.eval ? { eval: true } : {}) });
      } catch {
        this.broken = true;
        break;
      }
      worker.on('message', (message: BatchResult) => this.finished(worker, message));
      worker.on('error', () => this.fail(worker));
      worker.on('exit', () => this.fail(worker));
      this.workers.push(worker);
      this.idle.push(worker);
    }
    this.send();
  }

  /** The results of batch `b`, once there; undefined when this thread is to read it. */
  async take(b: number): Promise<WorkerRead[] | undefined> {
    while (!this.done.has(b)) {
      // Not sent (no worker left), or sent and lost: read here.
      if (b >= this.sent && (this.broken || this.workers.length === 0)) return this.takeOut(b, undefined);
      await new Promise<void>((resolve) => (this.waiting = { batch: b, resolve }));
    }
    return this.takeOut(b, this.done.get(b));
  }

  private takeOut(b: number, results: WorkerRead[] | undefined): WorkerRead[] | undefined {
    this.done.delete(b);
    this.taken = b + 1;
    if (b >= this.sent) this.sent = b + 1;
    this.send();
    return results;
  }

  private send(): void {
    if (this.broken) return;
    const limit = this.taken + this.workers.length * BATCHES_AHEAD_PER_WORKER;
    while (this.idle.length > 0 && this.sent < this.batches.length && this.sent < limit) {
      const worker = this.idle.shift() as Worker;
      const batch = this.sent++;
      this.sentTo.set(worker, batch);
      worker.postMessage({ batch, files: this.batches[batch] as SessionFile[] } satisfies BatchRequest);
    }
  }

  private finished(worker: Worker, message: BatchResult): void {
    this.sentTo.delete(worker);
    this.settle(message.batch, 'failed' in message ? undefined : message.results);
    this.idle.push(worker);
    this.send();
  }

  /** A worker that failed or ended: its batch in progress, and every batch not sent yet, are read here. */
  private fail(worker: Worker): void {
    const index = this.workers.indexOf(worker);
    if (index < 0) return;
    this.workers.splice(index, 1);
    const idle = this.idle.indexOf(worker);
    if (idle >= 0) this.idle.splice(idle, 1);
    this.broken = true;
    const batch = this.sentTo.get(worker);
    this.sentTo.delete(worker);
    if (batch !== undefined) this.settle(batch, undefined);
    this.wake();
    void worker.terminate();
  }

  private settle(batch: number, results: WorkerRead[] | undefined): void {
    this.done.set(batch, results);
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve();
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.broken = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
