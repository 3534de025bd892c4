/**
 * Review on GitHub: the imperative shell between a cycle's branch and its pull request. Like release-please's one
 * pull request kept up to date from one branch, a cycle has exactly one pull request: a re-run pushes the branch
 * again and updates the open pull request it finds for it, so nothing is ever opened twice.
 */
import type { GitHubConfig } from '../config/index.js';
import { safeFirst } from '../dream/risk.js';
import type { CycleRecord, RecordedAction } from '../dream/state.js';
import type { ActionType } from '../dream/types.js';
import { GitHubCredentialsError, GitHubError, GitStateError } from '../errors.js';
import { commitsNotIn, fastForward, isAncestor, isNotFound, mergeBase, resolveRef, updateBranch, type LogEntry, type Repo } from '../git/index.js';
import type { GitHubClient, GitHubClientOptions, PullRequest } from '../github/client.js';
import { pullBody, pullTitle, revertBody } from '../github/pull-body.js';
import { fetchBranch, pushBranch, resolveRemote, type GitHubRemote, type TransportInput } from '../github/remote.js';
import type { WaitPolicy } from '../github/waits.js';
import { mainTip, type RepoContext } from './context.js';
import { BRANCH_PREFIX } from './history.js';

/** A connection to the repository's GitHub side for one command: remote, API client and token. */
export interface GitHubLink {
  config: GitHubConfig;
  remote: GitHubRemote;
  client: GitHubClient;
  token: string;
  /** Test time and the cap on a wait before retries; see WaitPolicy. */
  waits: WaitPolicy;
}

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  /** For tests against a local fake API: see GitHubClientOptions.timing. */
  timing?: GitHubClientOptions['timing'];
}

/** The token reverie uses, from the environment; never printed, never written anywhere. */
export function githubToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.GITHUB_TOKEN?.trim() || env.GH_TOKEN?.trim() || undefined;
}

/**
 * Connects when reverie.yaml has a `github:` section, checking the token and the repository before anything else
 * happens, so that a bad token stops a command with nothing half-done. Without the section: undefined.
 */
export async function connectGitHub(context: RepoContext, options: ConnectOptions = {}): Promise<GitHubLink | undefined> {
  const config = context.config.github;
  if (!config) return undefined;
  return connectRepository(context.repo, config, options);
}

/**
 * Connects to the GitHub repository that `config.remote` of `repo` points at (the memory repository, or a code
 * repository `reverie compile` writes into), checking the token and the repository first.
 */
export async function connectRepository(repo: Repo, config: GitHubConfig, options: ConnectOptions = {}): Promise<GitHubLink> {
  const token = githubToken(options.env);
  if (!token) throw new GitHubCredentialsError('reverie.yaml has a github: section, so review happens on GitHub, which needs a token: set GITHUB_TOKEN (or GH_TOKEN)');
  const remote = await resolveRemote(repo, config.remote, config.repo);
  // Octokit loads only when a command talks to GitHub.
  const { GitHubClient } = await import('../github/client.js');
  const client = new GitHubClient({ apiUrl: config.apiUrl, token, owner: remote.owner, repo: remote.repo, maxWaitSeconds: config.maxWaitSeconds, ...(options.timing ? { timing: options.timing } : {}) });
  await client.checkAccess();
  return { config, remote, client, token, waits: { secondMs: options.timing?.secondMs ?? 1000, maxWaitSeconds: config.maxWaitSeconds } };
}

/** Where a push or fetch of this link goes, with what token and waits. */
export function transportOf(link: GitHubLink): TransportInput {
  return { remote: link.remote, token: link.token, waits: link.waits };
}

/**
 * Brings local main up to the remote's main when the remote is ahead (a cycle's pull request was merged on GitHub),
 * by fast-forward only. A local main ahead of the remote is left as it is (pushMain sends it); a main that has
 * diverged from the remote's is an error a person must resolve.
 */
export async function syncMain(context: RepoContext, link: GitHubLink): Promise<{ main: string; updated: boolean }> {
  const main = await mainTip(context);
  const branch = context.config.git.main;
  const remote = await fetchBranch(context.repo, { ...transportOf(link), branch });
  if (!remote || remote === main || (await isAncestor(context.repo, remote, main))) return { main, updated: false };
  if (!(await isAncestor(context.repo, main, remote))) {
    throw new GitStateError(`local ${branch} and ${branch} on ${link.remote.owner}/${link.remote.repo} have diverged; pull (or push) ${branch} first, then run reverie again`);
  }
  await fastForward(context.repo, { branch, to: remote, expectedOld: main });
  return { main: remote, updated: true };
}

/** Pushes local main to the remote (a fast-forward there: the remote refuses anything else). */
export async function pushMain(context: RepoContext, link: GitHubLink): Promise<void> {
  await pushBranch(context.repo, { ...transportOf(link), branch: context.config.git.main });
}

/** The cycles waiting for review on GitHub: open pull requests from dream branches, oldest first. */
export async function openCyclePulls(link: GitHubLink): Promise<PullRequest[]> {
  return link.client.openPullsWithPrefix(BRANCH_PREFIX);
}

export interface PublishInput {
  branch: string;
  record: CycleRecord;
  /** Action types applied without review. */
  safe: readonly ActionType[];
  /** Actions of the cycle already on main (auto mode applied the safe ones): the pull request is about the rest. */
  alreadyApplied?: readonly RecordedAction[];
  /** The branch's tip before the cycle was rebuilt in place: GitHub's branch is replaced when it is still there. */
  replacing?: string;
}

export interface PublishedPull {
  number: number;
  url: string;
  /** What this run did: opened it, or brought the open one up to date. */
  action: 'created' | 'updated';
  /** What went wrong without stopping it (labels not added) or needs a person's eye (unpushed commits of main in it). */
  warnings: string[];
}

/** Pushes the cycle's branch and creates or updates its one pull request, then labels it. */
export async function publishCycle(context: RepoContext, link: GitHubLink, input: PublishInput): Promise<PublishedPull> {
  const warnings = await pushCycleBranch(context, link, input.branch, input.replacing);
  const pending = input.record.actions.filter((a) => !(input.alreadyApplied ?? []).some((b) => b.id === a.id));
  const record = { ...input.record, actions: safeFirst(pending, input.safe) };
  const title = pullTitle(record);
  const body = pullBody({ record, safe: input.safe, marker: `reverie-cycle:${input.record.cycle}`, ...(input.alreadyApplied ? { alreadyApplied: input.alreadyApplied } : {}) });
  const pull = await upsertPull(context, link, { branch: input.branch, title, body, labels: ['reverie', ...new Set(record.actions.map((a) => `reverie:${a.type}`))] });
  return { ...pull, warnings: [...warnings, ...pull.warnings] };
}

/**
 * The one pull request of a branch, brought up to date: the open one updated, or a new one opened; then labelled with
 * what it lacks of `labels` (when the configuration labels pull requests). A closed one is a reviewer's decision and
 * is never reopened: a cycle's is recorded as a rejection before anything is published (github-cycles.ts). Labels
 * are a convenience: once the pull request exists, failing to label it is a warning, not a failed cycle.
 */
async function upsertPull(context: RepoContext, link: GitHubLink, input: { branch: string; title: string; body: string; labels: string[] }): Promise<PublishedPull> {
  const { title, body } = input;
  const existing = (await link.client.pullsFrom(input.branch, 'open'))[0];
  let pull: PullRequest;
  let action: PublishedPull['action'];
  if (existing) [pull, action] = [await link.client.updatePull(existing.number, { title, body }), 'updated'];
  else [pull, action] = [await link.client.createPull({ head: input.branch, base: context.config.git.main, title, body, draft: link.config.draft }), 'created'];
  const missing = link.config.labels ? input.labels.filter((l) => !pull.labels.includes(l)) : [];
  const warnings = await addLabelsIfPossible(link, pull.number, missing);
  return { number: pull.number, url: pull.url, action, warnings };
}

async function addLabelsIfPossible(link: GitHubLink, number: number, labels: string[]): Promise<string[]> {
  try {
    await link.client.addLabels(number, labels);
    return [];
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    return [`could not label pull request #${number} ${labels.join(', ')}: ${error.message.replace(/\.$/, '')}; the pull request is open without them`];
  }
}

/**
 * Brings the cycle's branch on GitHub and here to the same commit without losing anyone's work: a reviewer's commits
 * on GitHub (a revert that drops an action) are fetched and kept, reverie's own new commits are pushed; a branch
 * that has diverged is left for a person. Returns a warning when the push carries unpushed commits of main.
 */
async function pushCycleBranch(context: RepoContext, link: GitHubLink, branch: string, replacing?: string): Promise<string[]> {
  const { repo } = context;
  const local = await resolveRef(repo, `refs/heads/${branch}`);
  const remote = await fetchBranch(repo, { ...transportOf(link), branch });
  if (!local || remote === local) return [];
  // Rebuilt in place from what GitHub had: replaced there too, unless someone pushed to it since.
  if (replacing && remote === replacing) {
    await pushBranch(repo, { ...transportOf(link), branch, force: true });
    return [];
  }
  if (remote && (await isAncestor(repo, local, remote))) {
    await updateBranch(repo, branch, remote, { expectedOld: local });
    return [];
  }
  if (remote && !(await isAncestor(repo, remote, local))) {
    throw new GitStateError(`${branch} here and on ${link.remote.owner}/${link.remote.repo} have diverged; reconcile them (or reject the cycle) before reverie publishes it again`);
  }
  const riding = await unpushedMainIn(context, link, { branch, tip: local });
  await pushBranch(repo, { ...transportOf(link), branch });
  return riding ? [riding] : [];
}

/**
 * Commits of local main that main on GitHub lacks, and that the branch was cut after: pushed with the branch, they
 * would ride along in its pull request unnoticed. Said in a warning, never pushed to main behind a person's back.
 */
async function unpushedMainIn(context: RepoContext, link: GitHubLink, { branch, tip }: { branch: string; tip: string }): Promise<string | undefined> {
  const { repo, config } = context;
  const main = config.git.main;
  const local = await resolveRef(repo, `refs/heads/${main}`);
  const remote = local && (await fetchBranch(repo, { ...transportOf(link), branch: main }));
  if (!local || !remote || remote === local) return undefined;
  const commits = await ridingAlong(repo, { tip, local, remote });
  if (commits.length === 0) return undefined;
  const named = commits.slice(0, 3).map((c) => `${c.oid.slice(0, 7)} "${c.subject}"`).join(', ');
  const more = commits.length > 3 ? `, and ${commits.length - 3} more` : '';
  const count = commits.length === 1 ? '1 commit' : `${commits.length} commits`;
  return (
    `local ${main} has ${count} that ${main} on ${link.remote.owner}/${link.remote.repo} does not (${named}${more}): ${branch} was cut after ${commits.length === 1 ? 'it' : 'them'}, ` +
    `so ${commits.length === 1 ? 'it is' : 'they are'} in its pull request too; push ${main} first if ${commits.length === 1 ? 'it belongs' : 'they belong'} there`
  );
}

/** Commits of `local` (main here) that `remote` (main there) lacks and `tip` (a branch cut from main) carries. */
async function ridingAlong(repo: RepoContext['repo'], { tip, local, remote }: { tip: string; local: string; remote: string }): Promise<LogEntry[]> {
  try {
    const base = await mergeBase(repo, tip, local);
    return base ? await commitsNotIn(repo, base, remote) : [];
  } catch (error) {
    // A shallow clone may lack the commits to walk: no warning, rather than a cycle that fails over one.
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** Closes a cycle's open pull request, if it has one, with a comment saying why, and deletes its branch on GitHub. */
export async function closeCyclePull(link: GitHubLink, branch: string, comment: string): Promise<PullRequest | undefined> {
  const open = (await link.client.pullsFrom(branch, 'open'))[0];
  if (open) {
    await link.client.comment(open.number, comment);
    await link.client.updatePull(open.number, { state: 'closed' });
  }
  await link.client.deleteBranch(branch);
  return open;
}

/** The tip of a dream branch on GitHub, fetched, when only the remote has it (a fresh clone in CI). */
export async function fetchCycleBranch(context: RepoContext, link: GitHubLink, branch: string): Promise<string | undefined> {
  const local = await resolveRef(context.repo, `refs/heads/${branch}`);
  if (local) return local;
  return fetchBranch(context.repo, { ...transportOf(link), branch });
}

export interface RevertToPublish {
  branch: string;
  target: string;
  reason?: string;
  reverted: { cycle: string; actionId: string; type: string; summary: string; commit: string; revert: string }[];
}

/** A revert made in review mode goes through a pull request of its own, like a cycle. */
export async function publishRevert(context: RepoContext, link: GitHubLink, input: RevertToPublish): Promise<PublishedPull> {
  const warnings = await pushCycleBranch(context, link, input.branch);
  const pull = await upsertPull(context, link, { branch: input.branch, title: `reverie: revert ${input.target}`, body: revertBody(input), labels: ['reverie', 'reverie:revert'] });
  return { ...pull, warnings: [...warnings, ...pull.warnings] };
}
