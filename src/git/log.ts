/**
 * History as reverie reads it: the first-parent chain of a branch, newest first. On main that is the list of
 * approvals (fast-forwards, merges, reverts); on a dream branch it is the cycle's actions in order.
 */
import * as git from 'isomorphic-git';
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

/** The best common ancestor of two commits (like `git merge-base`), or undefined when their histories never meet. */
export async function mergeBase(repo: Repo, a: string, b: string): Promise<string | undefined> {
  return (await mergeBases(repo, a, b))[0];
}

async function mergeBases(repo: Repo, a: string, b: string): Promise<string[]> {
  const { fs, gitdir, cache } = repo;
  return (await git.findMergeBase({ fs, gitdir, cache, oids: [a, b] })) as string[];
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
