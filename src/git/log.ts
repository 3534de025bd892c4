/**
 * History as reverie reads it: the first-parent chain of a branch, newest first. On main that is the list of
 * approvals (fast-forwards, merges, reverts); on a dream branch it is the cycle's actions in order.
 */
import { isoGit } from './iso.js';
import type { ReadCommitResult } from 'isomorphic-git';
import { GitStateError } from '../errors.js';
import { readCommit } from './cache.js';
import { parseCommitMessage } from './message.js';
import { resolveRef, type Repo } from './repo.js';

export interface LogEntry {
  oid: string;
  parents: string[];
  /** The full message, as stored. */
  message: string;
  subject: string;
  body: string;
  trailers: Record<string, string[]>;
  author: { name: string; email: string };
  /** Committer time, seconds since the epoch: when the commit was made on this branch. */
  timestamp: number;
}

export interface ReadLogOptions {
  /** At most this many commits. */
  depth?: number;
  /**
   * Stop before this commit, and before the point where `ref`'s history meets it, so that
   * `readLog(repo, branch, { since: mainOid })` lists the branch's own commits even after main moved on
   * (like `git log --first-parent main..branch` for a branch cut from main).
   */
  since?: string;
}

/** Commits on the first-parent chain of `ref`, newest first. Throws GitStateError if `ref` does not exist. */
export async function readLog(repo: Repo, ref: string, { depth, since }: ReadLogOptions = {}): Promise<LogEntry[]> {
  const head = await resolveRef(repo, ref);
  if (!head) throw new GitStateError(`cannot read the log of ${ref}: no such branch or commit`);
  const stop = new Set(since ? [since, ...(await mergeBases(repo, head, since))] : []);
  const entries: LogEntry[] = [];
  for await (const commit of walkFirstParent(repo, head)) {
    if (stop.has(commit.oid) || entries.length === depth) break;
    entries.push(toEntry(commit));
  }
  return entries;
}

/** Commits from `oid` back along first parents to the root, read lazily so callers can stop early. */
export async function* walkFirstParent(repo: Repo, oid: string): AsyncGenerator<ReadCommitResult> {
  let next: string | undefined = oid;
  while (next) {
    const commit = await readCommit(repo, next);
    yield commit;
    next = commit.commit.parent[0];
  }
}

/** One commit as a log entry, by oid (read once per repository, see cache.ts). */
export async function readEntry(repo: Repo, oid: string): Promise<LogEntry> {
  return toEntry(await readCommit(repo, oid));
}

/**
 * Commits reachable from `tip` but not from `other`, newest first (like `git rev-list other..tip`), at most `limit`
 * of them. Down a chain without merges the first commit `other` also reaches is a merge base, so the walk stops at
 * the merge bases and a branch a few commits ahead costs a few reads; past a merge, a side parent may be older than
 * the bases, so everything the bases reach is read once and the walk stops there.
 */
export async function commitsNotIn(repo: Repo, tip: string, other: string, limit = 100): Promise<LogEntry[]> {
  const bases = await mergeBases(repo, tip, other);
  let common = new Set(bases);
  let everyCommon = false;
  const found: LogEntry[] = [];
  const seen = new Set<string>();
  const queue = [tip];
  for (let oid = queue.shift(); oid !== undefined && found.length < limit; oid = queue.shift()) {
    if (seen.has(oid) || common.has(oid)) continue;
    seen.add(oid);
    const commit = await readCommit(repo, oid);
    if (commit.commit.parent.length > 1 && !everyCommon) [common, everyCommon] = [await reachableFrom(repo, bases), true];
    found.push(toEntry(commit));
    queue.push(...commit.commit.parent);
  }
  return found.sort((a, b) => b.timestamp - a.timestamp);
}

/** Every commit reachable from `starts`. */
async function reachableFrom(repo: Repo, starts: string[]): Promise<Set<string>> {
  const reached = new Set<string>();
  const queue = [...starts];
  for (let oid = queue.shift(); oid !== undefined; oid = queue.shift()) {
    if (reached.has(oid)) continue;
    reached.add(oid);
    queue.push(...(await readCommit(repo, oid)).commit.parent);
  }
  return reached;
}

/** The best common ancestor of two commits (like `git merge-base`), or undefined when their histories never meet. */
export async function mergeBase(repo: Repo, a: string, b: string): Promise<string | undefined> {
  return (await mergeBases(repo, a, b))[0];
}

async function mergeBases(repo: Repo, a: string, b: string): Promise<string[]> {
  const { fs, gitdir, cache } = repo;
  return (await (await isoGit()).findMergeBase({ fs, gitdir, cache, oids: [a, b] })) as string[];
}

function toEntry({ oid, commit }: ReadCommitResult): LogEntry {
  const { subject, body, trailers } = parseCommitMessage(commit.message);
  return {
    oid,
    parents: commit.parent,
    message: commit.message,
    subject,
    body,
    trailers,
    author: { name: commit.author.name, email: commit.author.email },
    timestamp: commit.committer.timestamp,
  };
}
