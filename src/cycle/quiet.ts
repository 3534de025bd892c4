import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileDurably } from '../git/durable.js';
import { acquireLock } from '../git/lock.js';
import { SETTLED_MS } from '../sessions/hash-cache.js';
import { listAndStamp, type StampedListing } from '../sessions/list.js';
import { VERSION } from '../version.js';
import type { DreamOptions, DreamResult } from './dream.js';
import { emptyResult } from './empty-result.js';
import { pendingCycles } from './history.js';
import { needsRecovery } from './recover.js';
import { mainTip, openContext, type RepoContext } from './repo-context.js';

/**
 * A quiet run: most nights nothing has happened since the last cycle (no new log, no edit to the memory), and the
 * heuristic engine is pure, so the same inputs plan the same nothing. A run that found nothing to do leaves, in the
 * git directory, a fingerprint of everything the plan read (main's commit, which holds the memory, its history and
 * the state; the configuration; reverie's version and build; every log file's size, times, inode and device) with
 * what it reported; the next run with the same fingerprint reports the same without reading anything again. The
 * fingerprint is this clone's: a fresh clone has none.
 */
export interface QuietRecord {
  fingerprint: string;
  /** What the run reported, as it reported it. */
  report: unknown;
}

/** What a quiet run reports again: what a run with nothing to do found, not where main was. */
export type QuietReport = Pick<DreamResult, 'stats' | 'dropped' | 'notices' | 'impact' | 'warnings' | 'unread'>;

/**
 * A quiet night answered by the command line before the rest of reverie loads (the session readers, the Markdown
 * parser, the engines and the git writers are most of what a run that does nothing would spend): only when a whole
 * run could do nothing but answer from the record. That is a run of the heuristic engine that writes (a dry run reads
 * everything), with no review on GitHub (that run syncs with GitHub first), no cycle waiting for review, and nothing
 * an interrupted run left to repair; under the repository lock, as the whole run would be. Otherwise, or on any
 * error, undefined: the whole run decides, and says what went wrong.
 */
export async function quietRun(options: DreamOptions): Promise<{ result?: DreamResult; listing?: StampedListing }> {
  try {
    const context = await openContext(options.repoDir, options.configFile);
    const { config, repo } = context;
    const mode = options.mode ?? config.mode;
    const engine = options.engine ?? config.engine;
    if (mode === 'dry-run' || engine !== 'heuristic' || config.github) return {};
    const release = await acquireLock(repo, { purpose: 'dream' });
    try {
      // Without a record there is nothing to answer from, and the whole run lists the logs itself.
      if (!existsSync(quietFile(context)) || (await needsRecovery(repo, config.git.main))) return {};
      if ((await pendingCycles(context)).length > 0) return {};
      const base = await mainTip(context);
      const listing = await listAndStamp(repo.dir, config.sessions);
      const fingerprint = quietFingerprint(context, base, engine, listing);
      const known = fingerprint ? ((await readQuiet(context, fingerprint)) as QuietReport | undefined) : undefined;
      // Not quiet: the whole run reads the logs this listing found, rather than listing and stating them again.
      return known ? { result: { ...emptyResult(base, mode, [], [], 0), ...known } } : { listing };
    } finally {
      release();
    }
  } catch {
    return {};
  }
}

export function quietFile({ repo }: RepoContext): string {
  return path.join(repo.gitdir, 'reverie', 'quiet.json');
}

/**
 * The fingerprint of a run's inputs at `base`, from the logs as `listing` found them, or nothing when a log changed
 * too recently to tell.
 */
export function quietFingerprint(context: RepoContext, base: string, engine: string, listing: StampedListing, now = Date.now()): string | undefined {
  const { config } = context;
  const unread = listing.unread.map((u) => `${u.file}\u0000${u.reason}`);
  const hash = createHash('sha256').update(JSON.stringify({ version: VERSION, build: buildStamp(), engine, config, base, unread, warnings: listing.warnings }));
  // A thousand logs at a time: their names, each ended by a NUL (which no file name holds), then their stamps as
  // numbers, never written out as text: for ten thousand logs, writing that text cost several times the hashing.
  const numbers = new Float64Array(STAMPS_AT_ONCE * 5);
  let names = '';
  let count = 0;
  const flush = () => {
    hash.update(names).update(new Uint8Array(numbers.buffer, 0, count * 5 * 8));
    names = '';
    count = 0;
  };
  for (const file of listing.files) {
    const info = listing.stamps.get(file.path);
    if (!info) return undefined;
    // A log written this recently may be written again within the same tick of its clock, as the hash cache knows.
    if (now - info.mtimeMs < SETTLED_MS) return undefined;
    names += `${file.display}\u0000`;
    const at = count * 5;
    numbers[at] = info.size;
    numbers[at + 1] = info.mtimeMs;
    numbers[at + 2] = info.ctimeMs;
    numbers[at + 3] = info.ino;
    numbers[at + 4] = info.dev;
    if (++count === STAMPS_AT_ONCE) flush();
  }
  flush();
  return hash.digest('hex');
}

const STAMPS_AT_ONCE = 1024;

/**
 * When the code running was built: the same version built again (a checkout of another commit, a fix being worked on)
 * may plan otherwise, and every build writes this module's file anew.
 */
function buildStamp(): number | undefined {
  try {
    return statSync(fileURLToPath(import.meta.url)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** What the last quiet run reported, if its fingerprint is this one. */
export async function readQuiet(context: RepoContext, fingerprint: string): Promise<unknown> {
  const text = await readFile(quietFile(context), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as QuietRecord;
    return record.fingerprint === fingerprint ? record.report : undefined;
  } catch {
    // A record cut short by a crash is no record: the run reads everything, as without one.
    return undefined;
  }
}

export async function writeQuiet(context: RepoContext, record: QuietRecord): Promise<void> {
  await writeFileDurably(quietFile(context), JSON.stringify(record));
}
