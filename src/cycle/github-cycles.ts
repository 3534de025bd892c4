/**
 * The cycles GitHub knows of, and this clone brought in line with them. The pull request is the source of truth, as
 * in release-please: a cycle waiting on GitHub is a cycle waiting here, whichever machine made it (a fresh clone in CI
 * made most of them); a pull request closed without a merge is a rejection, recorded on main so that its actions are
 * never proposed again; a merged or rejected cycle's branch goes, here and on GitHub.
 */
import { cyclePath, parseCycleRecord, type CycleRecord } from '../dream/state.js';
import { blobOidAt, deleteBranch, isAncestor, readEntry, readFileAt, readLog, resolveRef, updateBranch } from '../git/index.js';
import type { PullRequest } from '../github/client.js';
import { fetchBranch, listRemoteBranches } from '../github/remote.js';
import { recordRejection } from './approve.js';
import { mainTip, type RepoContext } from './context.js';
import { BRANCH_PREFIX, cycleIdFrom, newestTip } from './history.js';
import { connectGitHub, githubToken, transportOf, type GitHubLink } from './publish.js';
import { pushMainFirst } from './settle.js';
import { actionMarks } from './trailers.js';

/** A cycle as GitHub has it: its branch there (if it still exists) and its newest pull request (if it has one). */
export interface RemoteCycle {
  cycle: string;
  branch: string;
  /** The branch's tip on GitHub, fetched into this repository; undefined when the branch is gone there. */
  tip?: string;
  pull?: PullRequest;
}

/** What syncing did, for the command to say. */
export interface CycleSync {
  /** Cycles whose pull request was closed without a merge, now recorded as rejected on main. */
  rejected: { cycle: string; pull: number; actions: number }[];
  /** Cycles waiting on GitHub that had no branch here, or an older one, and now have it. */
  adopted: string[];
  /** Branches of cycles main has taken in or rejected, deleted here and on GitHub. */
  deleted: string[];
}

/**
 * Every dream branch on GitHub and every pull request from one, by cycle; branch tips are fetched so that their
 * commits can be read here. Pull requests of other branches (and of branches no longer named like a cycle's) are left out.
 */
export async function remoteCycles(context: RepoContext, link: GitHubLink): Promise<RemoteCycle[]> {
  const branches = await listRemoteBranches(context.repo, { ...transportOf(link), prefix: BRANCH_PREFIX });
  const pulls = await link.client.pullsWithPrefix(BRANCH_PREFIX, 'all');
  const names = new Set([...branches.keys(), ...pulls.map((p) => p.head)]);
  const cycles: RemoteCycle[] = [];
  for (const branch of [...names].sort()) {
    const remoteTip = branches.get(branch);
    const tip = remoteTip && (await fetchTip(context, link, branch, remoteTip));
    const pull = newestPull(pulls.filter((p) => p.head === branch));
    cycles.push({ cycle: cycleIdFrom(branch), branch, ...(tip ? { tip } : {}), ...(pull ? { pull } : {}) });
  }
  return cycles;
}

/** The branch tips on GitHub of cycles still waiting there, for commands that only read (status, review, log). */
export function waitingTips(cycles: readonly RemoteCycle[]): Map<string, string> {
  return new Map(cycles.filter((c) => c.tip && c.pull?.state !== 'closed').map((c) => [c.branch, c.tip!]));
}

/**
 * Brings this clone in line with GitHub, under the repository lock and after main was synced: closed pull requests
 * become rejections on main (pushed, and said in a comment), cycles waiting on GitHub get their branch here, and
 * branches of decided cycles are deleted on both sides.
 */
export async function syncCycles(context: RepoContext, link: GitHubLink, options: { now: Date }): Promise<CycleSync> {
  const sync: CycleSync = { rejected: [], adopted: [], deleted: [] };
  for (const remote of await remoteCycles(context, link)) {
    const main = await mainTip(context);
    if (await decidedOnMain(context, main, remote)) {
      if (await removeBranches(context, link, remote)) sync.deleted.push(remote.branch);
    } else if (remote.pull?.state === 'closed') {
      const rejected = await rejectClosed(context, link, remote, options.now);
      if (rejected) sync.rejected.push(rejected);
    } else if (remote.tip && (await adoptBranch(context, remote.branch, remote.tip))) {
      sync.adopted.push(remote.cycle);
    }
  }
  return sync;
}

/** What a command prints of a sync, one line per thing done. */
export function syncLines(sync: CycleSync): string[] {
  return [
    ...sync.rejected.map((r) => `cycle ${r.cycle}: pull request #${r.pull} was closed without merging; recorded as rejected (${r.actions} action(s) will not be proposed again)`),
    ...sync.adopted.map((cycle) => `cycle ${cycle} is waiting for review on GitHub; its branch is here now`),
    ...sync.deleted.map((branch) => `deleted branch ${branch}: main has taken in or rejected its cycle`),
  ];
}

/** Main holds the cycle's record (merged, squashed, rebased, rejected) or its branch's tip (fast-forwarded). */
async function decidedOnMain(context: RepoContext, main: string, remote: RemoteCycle): Promise<boolean> {
  if (await blobOidAt(context.repo, main, cyclePath(remote.cycle))) return true;
  return remote.tip !== undefined && (await isAncestor(context.repo, remote.tip, main));
}

/** Deletes the branch on GitHub and here; true when either existed. */
async function removeBranches(context: RepoContext, link: GitHubLink, remote: RemoteCycle): Promise<boolean> {
  const local = await resolveRef(context.repo, `refs/heads/${remote.branch}`);
  if (remote.tip) await link.client.deleteBranch(remote.branch);
  if (local) await deleteBranch(context.repo, remote.branch);
  return Boolean(local || remote.tip);
}

/**
 * A pull request closed without a merge: the cycle is rejected on main, main is pushed, the pull request says so,
 * and the branch goes. Its record comes from the branch on GitHub, or this clone's when GitHub's is gone; with
 * neither, nothing can be recorded and the cycle is left alone.
 */
async function rejectClosed(context: RepoContext, link: GitHubLink, remote: RemoteCycle, now: Date): Promise<CycleSync['rejected'][number] | undefined> {
  const pull = remote.pull!;
  const tip = await newestTip(context, remote.branch, remote.tip);
  const text = tip && (await readFileAt(context.repo, tip, cyclePath(remote.cycle)));
  if (!tip || !text) return undefined;
  const record = parseCycleRecord(text);
  const reason = `pull request #${pull.number} closed without merging`;
  // GitHub takes main's new tip before main moves here: a refused push leaves this clone as it was.
  const rejection = await recordRejection(context, { cycle: remote.cycle, branch: remote.branch, tip, record }, { now, reason, pull: pull.number, beforeMove: pushMainFirst(context, link) });
  await link.client.comment(
    pull.number,
    `Closed without merging, so reverie recorded cycle ${remote.cycle} as rejected on \`${context.config.git.main}\` (${rejection.main.slice(0, 7)}): ` +
      `its ${rejection.rejected} action(s) will not be proposed again. To take the rejection back, revert that commit: the next cycle may then propose them again.`,
  );
  await removeBranches(context, link, remote);
  return { cycle: remote.cycle, pull: pull.number, actions: rejection.rejected };
}

/**
 * The branch here, created or fast-forwarded to GitHub's tip, or replaced by it when GitHub has the cycle as a later
 * review left it; true when it moved. Any other diverged branch here is kept.
 */
async function adoptBranch(context: RepoContext, branch: string, tip: string): Promise<boolean> {
  const local = await resolveRef(context.repo, `refs/heads/${branch}`);
  if (local === tip) return false;
  if (local && !(await isAncestor(context.repo, local, tip)) && !(await revisedThere(context, branch, local, tip))) return false;
  await updateBranch(context.repo, branch, tip, { expectedOld: local ?? null });
  return true;
}

/**
 * GitHub's tip is the cycle rebuilt after this clone's (a reviewer dropped or kept actions there, a run rebuilt it in
 * place), and this clone's branch holds nothing but reverie's commits of the cycle: approving or revising the branch
 * here would otherwise bring back what the reviewer dropped.
 */
async function revisedThere(context: RepoContext, branch: string, local: string, remote: string): Promise<boolean> {
  const cycle = cycleIdFrom(branch);
  const read = async (tip: string) => {
    const text = await readFileAt(context.repo, tip, cyclePath(cycle));
    return text === undefined ? undefined : parseCycleRecord(text);
  };
  const [mine, theirs] = await Promise.all([read(local), read(remote)]);
  if (!mine || !theirs || !(revisedAt(theirs) > revisedAt(mine))) return false;
  const commits = await readLog(context.repo, local, { since: mine.base });
  return commits.every((c) => actionMarks(c.message).some((m) => m.cycle === cycle));
}

function revisedAt(record: CycleRecord): number {
  return Date.parse(record.revised_at ?? record.created);
}

/** The tip GitHub listed, fetched unless this repository has the commit already. */
async function fetchTip(context: RepoContext, link: GitHubLink, branch: string, listed: string): Promise<string | undefined> {
  if (await hasCommit(context, listed)) return listed;
  return fetchBranch(context.repo, { ...transportOf(link), branch });
}

async function hasCommit(context: RepoContext, oid: string): Promise<boolean> {
  try {
    await readEntry(context.repo, oid);
    return true;
  } catch {
    return false;
  }
}

/** The open pull request if there is one, else the newest. */
function newestPull(pulls: PullRequest[]): PullRequest | undefined {
  return [...pulls].sort((a, b) => Number(b.state === 'open') - Number(a.state === 'open') || b.number - a.number)[0];
}

/**
 * For a command that only reads (status, review): the tips of the cycles waiting on GitHub, so that a clone that did
 * not make a cycle still sees it. Without a `github:` section, or without a token, GitHub is not asked (`note` says
 * so); a failure to reach it is a note too, and the command goes on with what this clone has.
 */
export async function waitingOnGitHub(context: RepoContext, note: (line: string) => void): Promise<Map<string, string>> {
  if (!context.config.github) return new Map();
  if (!githubToken()) {
    note('GitHub was not asked for the cycles waiting there: set GITHUB_TOKEN (or GH_TOKEN) to see them from this clone');
    return new Map();
  }
  try {
    const link = await connectGitHub(context);
    return link ? waitingTips(await remoteCycles(context, link)) : new Map();
  } catch (error) {
    note(`GitHub could not be asked for the cycles waiting there (${(error as Error).message}); showing this clone's`);
    return new Map();
  }
}
