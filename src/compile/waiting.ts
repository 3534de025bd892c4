/** The branches of `reverie compile` waiting in the memory repository: read by `reverie status`, so kept light. */
import { readEntry, type LogEntry } from '../git/log.js';
import { isAncestor, listBranches, resolveRef, type Repo } from '../git/repo.js';
import { COMPILE_BRANCH, HAND_EDIT_PREFIX, TRAILER } from './branch-names.js';

/** The commits of `branch` that main does not have, oldest first, following first parents. */
export async function branchCommits(repo: Repo, branch: string, main: string): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let oid = await resolveRef(repo, `refs/heads/${branch}`);
  while (oid !== undefined && !(await isAncestor(repo, oid, main))) {
    const entry = await readEntry(repo, oid);
    entries.push(entry);
    oid = entry.parents[0];
  }
  return entries.reverse();
}

/** The branches of `reverie compile` in the memory repository that main has not taken in, for `reverie status`. */
export async function waitingCompileBranches(repo: Repo, main: string): Promise<{ branch: string; commits: number; files: string[] }[]> {
  const waiting: { branch: string; commits: number; files: string[] }[] = [];
  const branches = [...(await listBranches(repo, HAND_EDIT_PREFIX)), ...(await listBranches(repo, COMPILE_BRANCH)).filter((b) => b === COMPILE_BRANCH)];
  for (const branch of branches) {
    const commits = await branchCommits(repo, branch, main);
    if (commits.length === 0) continue;
    const files = [...new Set(commits.flatMap((c) => c.trailers[TRAILER.file] ?? []))];
    waiting.push({ branch, commits: commits.length, files });
  }
  return waiting;
}
