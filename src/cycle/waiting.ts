/**
 * Cycles waiting for review, and what a new cycle does about them: by default it stops and reports them (publishing
 * each again on GitHub, which is how a half-failed publish is finished); with `--supersede` it replaces them, taking
 * in their sessions and remembering what their reviewers dropped.
 */
import type { RecordedAction } from '../dream/state.js';
import { deleteBranch, resolveRef } from '../git/index.js';
import type { PullRequest } from '../github/client.js';
import { actionsOnMain } from './approve.js';
import type { RepoContext } from './context.js';
import { droppedOnBranch } from './dropped.js';
import { cycleIdFrom, pendingCycles, type PendingCycle } from './history.js';
import { closeCyclePull, fetchCycleBranch, openCyclePulls, publishCycle, type GitHubLink, type PublishedPull } from './publish.js';

/** What a cycle that stops behind waiting ones reports. */
export interface WaitingReport {
  approval: string;
  pendingPulls: { number: number; url: string; branch: string }[];
  pull?: PublishedPull;
}

export interface Waiting {
  /** Dream branches here that main does not contain. */
  pending: PendingCycle[];
  /** Open pull requests of dream branches on GitHub (a fresh clone in CI has no local branch for them). */
  pulls: PullRequest[];
}

export async function waitingCycles(context: RepoContext, link: GitHubLink | undefined): Promise<Waiting> {
  return { pending: await pendingCycles(context), pulls: link ? await openCyclePulls(link) : [] };
}

/**
 * A cycle is still waiting: a new one does not pile on top of it. On GitHub, each waiting cycle here is published
 * again (pushed, its pull request updated, or opened if a push or the pull request's creation failed half-way): a
 * re-run finishes what a failed one left, and never opens a second pull request.
 */
export async function waitForReview(context: RepoContext, link: GitHubLink | undefined, base: string, waiting: Waiting): Promise<WaitingReport> {
  const pulls = waiting.pulls.map((p) => ({ number: p.number, url: p.url, branch: p.head }));
  let pull: PublishedPull | undefined;
  if (link) {
    for (const cycle of waiting.pending) {
      if (!cycle.record) continue;
      pull = await publishCycle(context, link, { branch: cycle.branch, record: cycle.record, safe: context.config.approval.auto, alreadyApplied: await actionsOnMain(context, cycle.record, base) });
      if (!pulls.some((p) => p.number === pull?.number)) pulls.push({ number: pull.number, url: pull.url, branch: cycle.branch });
    }
  }
  const names = [...new Set([...waiting.pending.map((p) => p.cycle), ...pulls.map((p) => cycleIdFrom(p.branch))])];
  const first = names[0] ?? '';
  const where = pulls.length > 0 ? ` (${pulls.map((p) => `#${p.number} ${p.url}`).join(', ')})` : '';
  return {
    approval: `cycle ${names.join(', ')} is waiting for review${where}: merge its pull request, or run \`reverie approve ${first}\` or \`reverie reject ${first}\`; \`reverie dream --supersede\` replaces it with a new cycle`,
    pendingPulls: pulls,
    ...(pull ? { pull } : {}),
  };
}

export interface Superseded {
  cycles: { cycle: string; branch: string; pull?: number }[];
  /** Actions of those cycles the reviewer reverted on the branch: not to be proposed again. */
  droppedByReviewer: (RecordedAction & { cycle: string })[];
}

/** The waiting cycles a `--supersede` run replaces, and what their reviewers already dropped from them. */
export async function toSupersede(context: RepoContext, link: GitHubLink | undefined, main: string, waiting: Waiting): Promise<Superseded> {
  const branches = new Map<string, number | undefined>(waiting.pending.map((p) => [p.branch, undefined]));
  for (const pull of waiting.pulls) branches.set(pull.head, pull.number);
  const result: Superseded = { cycles: [], droppedByReviewer: [] };
  for (const [branch, pull] of branches) {
    const cycle = cycleIdFrom(branch);
    result.cycles.push({ cycle, branch, ...(pull !== undefined ? { pull } : {}) });
    const tip = link ? await fetchCycleBranch(context, link, branch) : await resolveRef(context.repo, `refs/heads/${branch}`);
    if (!tip) continue;
    const dropped = await droppedOnBranch(context.repo, { tip, main, cycle });
    result.droppedByReviewer.push(...dropped.map((a) => ({ ...a, cycle })));
  }
  return result;
}

/** Closes the superseded cycles' pull requests with a link to what replaced them (`next`), and deletes their branches. */
export async function retire(context: RepoContext, link: GitHubLink | undefined, cycles: Superseded['cycles'], next: string): Promise<{ cycle: string; pull?: number }[]> {
  for (const old of cycles) {
    if (link) await closeCyclePull(link, old.branch, `Superseded by ${next}, which takes in this cycle's sessions. Actions dropped on this branch are remembered and not proposed again.`);
    await deleteBranch(context.repo, old.branch).catch(() => undefined);
  }
  return cycles.map(({ cycle, pull }) => ({ cycle, ...(pull !== undefined ? { pull } : {}) }));
}
