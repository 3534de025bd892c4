/**
 * A branch that is not a cycle's, as a person reviews it: a hand edit `reverie compile` brought back
 * (`reverie/hand-edit-…`), the compiled files waiting in the memory repository (`reverie/compile`), or an agent
 * session's writes with the memory tool (`reverie/session-…`). Its commits that main lacks, each with its trailers
 * and files, and the whole change as one diff against where it left main. Read-only.
 */
import { branchCommits } from '../compile/waiting.js';
import { changedPaths, mergeBase, readFileAt, resolveRef } from '../git/index.js';
import { GitStateError } from '../errors.js';
import { unifiedDiff } from './diff.js';
import { mainTip, type RepoContext } from './repo-context.js';

export interface BranchCommit {
  oid: string;
  subject: string;
  /** Reverie's trailers (`Reverie-Session`, `Reverie-Tool-Command`, `Reverie-Hand-Edit`, …), in the order written. */
  trailers: [string, string][];
  /** Files the commit changes, from the repository root. */
  files: string[];
}

export interface BranchReview {
  branch: string;
  tip: string;
  /** Where the branch left main: its diff is measured from here. */
  base: string;
  commits: BranchCommit[];
  /** Every file the branch changes, as one unified diff (git's a/ b/ style); empty when main has it all. */
  diff: string;
}

export async function reviewBranch(context: RepoContext, branch: string): Promise<BranchReview> {
  const { repo } = context;
  const tip = await resolveRef(repo, `refs/heads/${branch}`);
  if (!tip) throw new GitStateError(`no branch ${branch} in ${repo.dir}`);
  const main = await mainTip(context);
  const base = (await mergeBase(repo, tip, main)) ?? main;
  const commits: BranchCommit[] = [];
  for (const entry of await branchCommits(repo, branch, main)) {
    const trailers = Object.entries(entry.trailers).flatMap(([key, values]) => values.map((v): [string, string] => [key, v]));
    commits.push({ oid: entry.oid, subject: entry.subject, trailers, files: await changedPaths(repo, entry.parents[0], entry.oid) });
  }
  const files = await changedPaths(repo, base, tip);
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  for (const file of files) {
    const [old, next] = await Promise.all([readFileAt(repo, base, file), readFileAt(repo, tip, file)]);
    if (old !== undefined) before.set(file, old);
    if (next !== undefined) after.set(file, next);
  }
  return { branch, tip, base, commits, diff: unifiedDiff(before, after) };
}
