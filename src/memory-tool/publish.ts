/**
 * Agent sessions' memory-tool writes reviewed on GitHub like any other change: each `reverie/session-<id>` branch
 * with writes main lacks is pushed and gets one pull request into main, its body listing each write (the tool
 * command, its trailers) and the diff. Run by the dream cycle whenever it is linked to GitHub, after the cycle, so
 * a team reviews agents' live writes where it reviews the cycles. A branch pushed by the machine the agent ran on
 * (and so only on GitHub) is fetched and gets its pull request too. What reviewers decided is taken in as for a
 * cycle: a merged pull request (main has the writes) and one closed without merging on the branch's tip both
 * retire the branch here and on GitHub, as `reverie approve` and `reverie reject` do locally.
 */
import { deleteBranch, isAncestor, listBranches, resolveRef, updateBranch } from '../git/index.js';
import type { PullRequest } from '../github/client.js';
import { fetchBranch, listRemoteBranches, pushBranch } from '../github/remote.js';
import { reviewBranch } from '../cycle/branch-review.js';
import { transportOf, type GitHubLink } from '../cycle/publish.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { redactText } from '../sessions/redact.js';
import { SESSION_PREFIX } from './branch.js';
import { sessionPullBody, sessionPullTitle } from './pull-body.js';

export interface SessionPull {
  branch: string;
  /** What this run did: opened or updated its pull request, found it as it is, or retired the branch. */
  outcome: 'opened' | 'updated' | 'unchanged' | 'merged' | 'rejected' | 'diverged';
  pull?: { number: number; url: string };
}

export async function publishSessionBranches(context: RepoContext, link: GitHubLink): Promise<SessionPull[]> {
  const { repo } = context;
  const remote = await listRemoteBranches(repo, { ...transportOf(link), prefix: SESSION_PREFIX });
  const names = [...new Set([...(await listBranches(repo, SESSION_PREFIX)), ...remote.keys()])].sort();
  if (names.length === 0) return [];
  const pulls = await link.client.pullsWithPrefix(SESSION_PREFIX, 'all');
  const results: SessionPull[] = [];
  for (const branch of names) {
    const result = await publishOne(context, link, { branch, remoteTip: remote.get(branch), pull: newest(pulls.filter((p) => p.head === branch)) });
    if (result) results.push(result);
  }
  return results;
}

async function publishOne(context: RepoContext, link: GitHubLink, input: { branch: string; remoteTip: string | undefined; pull: PullRequest | undefined }): Promise<SessionPull | undefined> {
  const { repo, config } = context;
  const { branch, remoteTip, pull } = input;
  const tip = await takeRemoteTip(context, link, branch, remoteTip);
  const main = await mainTip(context);
  const numbered = pull ? { pull: { number: pull.number, url: pull.url } } : {};
  if (await isAncestor(repo, tip, main)) {
    // Main has every write (merged on GitHub, or approved here): the branch has done its work.
    await retire(context, link, branch, remoteTip);
    return pull || remoteTip ? { branch, outcome: 'merged', ...numbered } : undefined;
  }
  if (pull && pull.state === 'closed' && pull.headSha === tip) {
    // Merged another way (squash, rebase) or closed unmerged: decided on the branch as it is, either way.
    await retire(context, link, branch, remoteTip);
    return { branch, outcome: pull.merged ? 'merged' : 'rejected', ...numbered };
  }
  const open = pull?.state === 'open' ? pull : undefined;
  if (remoteTip !== tip) {
    const diverged = remoteTip !== undefined && !(await isAncestor(repo, remoteTip, tip));
    // Someone else's commits on GitHub's branch while its pull request is open are theirs to reconcile.
    if (diverged && open) return { branch, outcome: 'diverged', ...numbered };
    await pushBranch(repo, { ...transportOf(link), branch, force: diverged });
  }
  const review = await reviewBranch(context, branch);
  const title = sessionPullTitle(review);
  const body = sessionPullBody(review, config.git.main);
  if (open) {
    // What GitHub holds was redacted on the way (client.ts): compared the same way, an unchanged branch writes nothing.
    if (open.title === redactText(title) && open.body === redactText(body)) return { branch, outcome: 'unchanged', ...numbered };
    const updated = await link.client.updatePull(open.number, { title, body });
    return { branch, outcome: 'updated', pull: { number: updated.number, url: updated.url } };
  }
  const created = await link.client.createPull({ head: branch, base: config.git.main, title, body, draft: link.config.draft });
  if (link.config.labels) await link.client.addLabels(created.number, ['reverie', 'reverie:session']).catch(() => undefined);
  return { branch, outcome: 'opened', pull: { number: created.number, url: created.url } };
}

/**
 * The branch's tip here, after taking GitHub's when this clone lacks the branch or is behind it (the agent ran on
 * another machine, or a reviewer reverted a write on GitHub).
 */
async function takeRemoteTip(context: RepoContext, link: GitHubLink, branch: string, remoteTip: string | undefined): Promise<string> {
  const { repo } = context;
  const local = await resolveRef(repo, `refs/heads/${branch}`);
  if (remoteTip === undefined || remoteTip === local) return local!;
  await fetchBranch(repo, { ...transportOf(link), branch });
  if (local === undefined) {
    await updateBranch(repo, branch, remoteTip, { expectedOld: null });
    return remoteTip;
  }
  if (await isAncestor(repo, local, remoteTip)) {
    await updateBranch(repo, branch, remoteTip, { expectedOld: local });
    return remoteTip;
  }
  return local;
}

async function retire(context: RepoContext, link: GitHubLink, branch: string, remoteTip: string | undefined): Promise<void> {
  if (remoteTip) await link.client.deleteBranch(branch);
  if (await resolveRef(context.repo, `refs/heads/${branch}`)) await deleteBranch(context.repo, branch);
}

function newest(pulls: readonly PullRequest[]): PullRequest | undefined {
  return [...pulls].sort((a, b) => b.number - a.number)[0];
}

/** One line per branch, for the log. */
export function sessionPullLines(pulls: readonly SessionPull[]): string[] {
  const what: Record<SessionPull['outcome'], string> = {
    opened: 'pushed, pull request opened',
    updated: 'pushed, pull request updated',
    unchanged: 'its pull request is up to date',
    merged: 'merged: the branch is deleted here and on GitHub',
    rejected: 'closed without merging: the writes are dropped, the branch deleted here and on GitHub',
    diverged: 'differs on GitHub in a way this clone cannot take in while its pull request is open; left for a person',
  };
  return pulls.map((p) => `${p.branch}: ${what[p.outcome]}${p.pull ? ` (#${p.pull.number} ${p.pull.url})` : ''}`);
}
