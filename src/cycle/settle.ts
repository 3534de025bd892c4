/**
 * A decision taken here (`approve`, `reject`) when review happens on GitHub. GitHub's side is looked at before
 * anything moves here: a cycle whose pull request was already merged (or closed as a rejection) is recognised, not
 * fought; main's new tip is pushed before main moves here, so a push that fails leaves main as it was; the pull
 * request is closed after. `--dry-run` reads GitHub's side and writes nothing, not even a fetched object.
 */
import { GitStateError } from '../errors.js';
import { deleteBranch, isAncestor, readEntry, resolveRef } from '../git/index.js';
import type { PullRequest } from '../github/client.js';
import { fetchBranch, pushBranch, remoteBranchTip } from '../github/remote.js';
import { decisionAt } from './approve.js';
import { mainTip, type RepoContext } from './context.js';
import { cycleBranchName, cycleIdFrom } from './history.js';
import { syncMain, transportOf, type GitHubLink } from './publish.js';

export interface DecidedOnGitHub {
  cycle: string;
  decision: 'approved' | 'rejected';
  /** main on GitHub, which holds the decision. */
  main: string;
  /** The cycle's pull request, merged (approved) or closed (rejected), when GitHub still lists it. */
  pull?: PullRequest;
}

/** The cycle as main on GitHub has decided it, fetched; undefined while it waits for a decision there. */
export async function decidedOnGitHub(context: RepoContext, link: GitHubLink, argument: string): Promise<DecidedOnGitHub | undefined> {
  const cycle = cycleIdFrom(argument);
  const main = await fetchBranch(context.repo, { ...transportOf(link), branch: context.config.git.main });
  const decision = main ? await decisionAt(context, main, cycle) : undefined;
  if (!main || !decision) return undefined;
  const pulls = await link.client.pullsFrom(cycleBranchName(cycle), 'closed');
  const pull = pulls.find((p) => p.merged === (decision === 'approved'));
  return { cycle, decision, main, ...(pull ? { pull } : {}) };
}

/** In words: `cycle 20261124-172546 was already merged on GitHub (pull request #3)`. */
export function decidedLine({ cycle, decision, pull }: DecidedOnGitHub): string {
  const how = decision === 'approved' ? 'merged' : 'rejected';
  return `cycle ${cycle} was already ${how} on GitHub${pull ? ` (pull request #${pull.number})` : ''}`;
}

/**
 * `approve` of a cycle GitHub already merged: main here follows main there (a fast-forward), the local branch goes,
 * and nothing else happens. A cycle rejected there is not approved here behind the reviewer's back.
 */
export async function acceptMergeOnGitHub(context: RepoContext, link: GitHubLink, decided: DecidedOnGitHub): Promise<{ main: string; message: string }> {
  if (decided.decision === 'rejected') {
    throw new GitStateError(`${decidedLine(decided)}: it is not approved here; its sessions go into the next cycle`);
  }
  const { main } = await syncMain(context, link);
  const branch = cycleBranchName(decided.cycle);
  if (await resolveRef(context.repo, `refs/heads/${branch}`)) await deleteBranch(context.repo, branch);
  return { main, message: `${decidedLine(decided)}: nothing left to approve; main here is at ${main.slice(0, 7)}, as on GitHub` };
}

/** `reject` of a cycle GitHub already decided: a rejection stands as it is; a merge is undone by a revert, not here. */
export function rejectionOnGitHub(decided: DecidedOnGitHub): string {
  if (decided.decision === 'approved') {
    throw new GitStateError(`${decidedLine(decided)}: there is nothing to reject; \`reverie revert ${decided.cycle}\` undoes it on main`);
  }
  return `${decidedLine(decided)}: nothing left to reject`;
}

/** `beforeMove` of approve and reject: main's new tip goes to GitHub first. */
export function pushMainFirst(context: RepoContext, link: GitHubLink): (tip: string) => Promise<void> {
  return (tip) => pushBranch(context.repo, { ...transportOf(link), branch: context.config.git.main, commit: tip });
}

/** GitHub's side of a decision, for a dry run: read without fetching or writing anything. */
export interface GitHubView {
  /** What the decision would do before anything else: bring main here up to main there. */
  first: string[];
  /** main on GitHub when it is ahead and this clone has it: the decision would be taken on it. */
  main?: string;
  /** The cycle as GitHub decided it, when main there says so and this clone has that commit. */
  decided?: DecidedOnGitHub;
}

export async function viewFromGitHub(context: RepoContext, link: GitHubLink, argument: string): Promise<GitHubView> {
  const { repo, config } = context;
  const main = config.git.main;
  const here = await mainTip(context);
  const there = await remoteBranchTip(repo, { ...transportOf(link), branch: main });
  if (!there) return { first: [] };
  if (!(await readEntry(repo, there).then(() => true, () => false))) {
    return { first: [`fetch ${main} from GitHub (at ${there.slice(0, 7)}, which this clone does not have yet) and bring ${main} here up to it; if the cycle is decided there, nothing else`] };
  }
  const decision = await decisionAt(context, there, argument);
  const decided = decision ? { decided: { cycle: cycleIdFrom(argument), decision, main: there } } : {};
  if (there === here || (await isAncestor(repo, there, here))) return { first: [], ...decided };
  if (!(await isAncestor(repo, here, there))) return { first: [`stop: ${main} here and on GitHub have diverged; pull (or push) ${main} first`] };
  return { first: [`bring ${main} here up to ${there.slice(0, 7)}, as on GitHub (a fast-forward)`], main: there, ...decided };
}

/** The steps a decision would take on GitHub after it is taken here: push, close or open the pull request. */
export async function githubSteps(context: RepoContext, link: GitHubLink, { branch, after }: { branch: string; after: 'close' | 'open' }): Promise<string[]> {
  const where = `${link.remote.owner}/${link.remote.repo}`;
  const main = context.config.git.main;
  const open = (await link.client.pullsFrom(branch, 'open'))[0];
  if (after === 'open') return [`push ${branch} to ${where}`, open ? `update pull request #${open.number}` : `open a pull request from ${branch} against ${main}`];
  return [`push ${main} to ${where}`, open ? `close pull request #${open.number} with a comment` : 'close its pull request, if one is open', `delete branch ${branch} on ${where}`];
}
