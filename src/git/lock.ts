/**
 * Two locks. The repository lock (`<gitdir>/reverie.lock`) keeps two dream cycles from working on one memory
 * repo at once; it lives in the git directory so it is never committed and every clone has its own. The ref
 * lock (`<gitdir>/<ref>.lock`) is git's own convention, so that a compare-and-set of a branch also excludes a
 * native `git` updating that branch at the same moment.
 */
import { crypto } from '../util/crypto.js';
import { readFileSync, unlinkSync } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitStateError, LockedError } from '../errors.js';
import { createExclusive, writeFileDurably } from './durable.js';
import type { Repo } from './repo.js';

/** What the lock file says about its holder, so that a person can decide whether it is stale. */
export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  purpose: string;
}

export const LOCK_FILE = 'reverie.lock';

/** A lock file younger than this that cannot be parsed is most likely being written right now. */
const FRESH_MS = 10_000;

/**
 * Takes the repository lock, or throws LockedError naming the holder. A lock left by a process that is no
 * longer running on this host is taken over. The returned `release()` is idempotent and also runs on exit.
 */
export async function acquireLock(repo: Repo, { purpose }: { purpose: string }): Promise<() => void> {
  const file = path.join(repo.gitdir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose };
  const text = `${JSON.stringify(info, null, 2)}\n`;
  // A few rounds, because a stale lock we remove may be re-taken by a racing process before we create ours.
  for (let round = 0; round < 3; round++) {
    if (await createExclusive(file, text)) return releaser(file, text);
    const held = await readLock(file);
    if (!held) continue;
    if (held.info ? isRunning(held.info) : held.ageMs < FRESH_MS) throw lockedError(file, held.info);
    await takeOver(file, held.text);
  }
  throw new LockedError(`could not take ${file}: other reverie processes keep taking it`);
}

/** Reads the lock holder, or undefined if no lock exists. `info` is undefined when the file is unreadable JSON. */
export async function readLock(file: string): Promise<{ text: string; info?: LockInfo; ageMs: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file)]);
    return { text, info: parseLock(text), ageMs: Date.now() - stat.mtimeMs };
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? (info as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/** A pid on another host cannot be checked, so it counts as running; signal 0 checks without signalling. */
function isRunning(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return true;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return code(err) === 'EPERM';
  }
}

/**
 * Removes the stale lock we read, and only that one: renaming is atomic, so if a racing process replaced the
 * file meanwhile we notice that what we moved aside is not what we judged stale and put it back.
 */
async function takeOver(file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${crypto().randomBytes(4).toString('hex')}`;
  try {
    await fsp.rename(file, aside);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  if ((await fsp.readFile(aside, 'utf8')) !== staleText) await fsp.link(aside, file).catch(() => undefined);
  await fsp.rm(aside, { force: true });
}

function releaser(file: string, text: string): () => void {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only remove the file if it is still ours (it always should be; never delete another holder's lock).
    try {
      if (readFileSync(file, 'utf8') === text) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
  // Synchronous on purpose: 'exit' handlers cannot await.
  process.on('exit', release);
  return release;
}

function lockedError(file: string, info: LockInfo | undefined): LockedError {
  const holder = info
    ? `pid ${info.pid} on ${info.host}, since ${info.started}, for "${info.purpose}"`
    : 'a process that is writing the lock file right now';
  return new LockedError(
    `another reverie run holds the lock on this repository (${holder}). ` +
      `Wait for it to finish; if no reverie process is running, delete ${file}`,
  );
}

/** What a ref lock of ours says about its holder, so that one left by a killed process can be told from git's. */
const REF_LOCK_MARK = 'reverie ref lock';

/**
 * Runs `fn` while holding git's lock file for `ref` (e.g. `refs/heads/main.lock`), created with O_EXCL
 * exactly as git does, so the read-compare-write of a ref cannot interleave with another writer. `fn` moves the
 * ref with the `write` it is given: the new value is written whole beside the ref and renamed over it.
 */
export async function lockRef<T>(repo: Repo, ref: string, fn: (write: (oid: string) => Promise<void>) => Promise<T>): Promise<T> {
  const file = path.join(repo.gitdir, `${ref}.lock`);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  // Git never reads another process's lock file, so ours may say who holds it: a stale one can then be removed
  // safely when its process is gone (see staleRefLocks).
  const holder: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose: `update ${ref}` };
  if (!(await createExclusive(file, `${REF_LOCK_MARK} ${JSON.stringify(holder)}\n`))) {
    throw new GitStateError(`${ref} is being updated by another process; if none is running, \`reverie doctor\` removes ${file}`);
  }
  try {
    return await fn((oid) => writeFileDurably(path.join(repo.gitdir, ref), `${oid}\n`));
  } finally {
    await fsp.rm(file, { force: true });
  }
}

/** Ref lock files under `refs/` that a reverie process on this host took and did not release: it is gone. */
export async function staleRefLocks(repo: Repo): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await fsp.readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.lock') && (await isStaleRefLock(full))) found.push(full);
    }
  };
  await walk(path.join(repo.gitdir, 'refs'));
  return found.sort();
}

async function isStaleRefLock(file: string): Promise<boolean> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  if (!text.startsWith(`${REF_LOCK_MARK} `)) return false;
  const info = parseLock(text.slice(REF_LOCK_MARK.length + 1));
  return info !== undefined && !isRunning(info);
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}
