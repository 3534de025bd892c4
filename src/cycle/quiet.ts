import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileDurably } from '../git/durable.js';
import { SETTLED_MS } from '../sessions/hash-cache.js';
import { listSessionFiles } from '../sessions/load.js';
import { VERSION } from '../version.js';
import type { RepoContext } from './context.js';

/**
 * A quiet run: most nights nothing has happened since the last cycle (no new log, no edit to the memory), and the
 * heuristic engine is pure, so the same inputs plan the same nothing. A run that found nothing to do leaves, in the
 * git directory, a fingerprint of everything the plan read (main's commit, which holds the memory, its history and
 * the state; the configuration; reverie's version and build; every log file's size, times, inode and device) with what it reported; the next run with the same fingerprint
 * reports the same without reading anything again. The fingerprint is this clone's: a fresh clone has none.
 */
export interface QuietRecord {
  fingerprint: string;
  /** What the run reported, as it reported it. */
  report: unknown;
}

export function quietFile({ repo }: RepoContext): string {
  return path.join(repo.gitdir, 'reverie', 'quiet.json');
}

/** The fingerprint of a run's inputs at `base`, or nothing when a log changed too recently to tell. */
export async function quietFingerprint(context: RepoContext, base: string, engine: string, now = Date.now()): Promise<string | undefined> {
  const { repo, config } = context;
  const listing = await listSessionFiles(repo.dir, config.sessions);
  const stamps: string[] = [];
  // One stat after another, without a promise each: ten thousand of them take a few tens of milliseconds.
  for (const file of listing.files) {
    const info = statSync(file.path, { throwIfNoEntry: false });
    if (!info) return undefined;
    // A log written this recently may be written again within the same tick of its clock, as the hash cache knows.
    if (now - info.mtimeMs < SETTLED_MS) return undefined;
    stamps.push(`${file.display}\u0000${info.size}\u0000${info.mtimeMs}\u0000${info.ctimeMs}\u0000${info.ino}\u0000${info.dev}`);
  }
  const unread = listing.unread.map((u) => `${u.file}\u0000${u.reason}`);
  const inputs = JSON.stringify({ version: VERSION, build: buildStamp(), engine, config, base, stamps, unread, warnings: listing.warnings });
  return createHash('sha256').update(inputs).digest('hex');
}

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
