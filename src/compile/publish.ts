/**
 * `reverie compile` on GitHub: after a run, each git repository it wrote into whose remote is on the GitHub server of
 * `github.api_url` gets what waits there. In review mode that is `reverie/compile`, pushed, with ONE pull request kept
 * up to date (as release-please keeps one); in auto mode, the branch the files were committed on, pushed when every
 * commit it has that GitHub lacks is one of compile's. The memory repository's record (`.reverie/compiled.json`) goes
 * to its main by the same rule, so that the next run, on any clone, tells a hand edit from its own work.
 * Nothing is pushed without a `github:` section in reverie.yaml.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GitHubConfig } from '../config/index.js';
import { GitHubCredentialsError, GitStateError } from '../errors.js';
import { commitsNotIn, currentBranch, isAncestor, openRepo, resolveRef, updateBranch, type Repo } from '../git/index.js';
import { redactText } from '../sessions/redact.js';
import type { PullRequest } from '../github/client.js';
import { fetchBranch, onGitHubServer, pushBranch, remoteUrl, resolveRemote, type TransportInput } from '../github/remote.js';
import { DEFAULT_WAITS, type WaitPolicy } from '../github/waits.js';
import { connectRepository, githubToken, transportOf, type ConnectOptions, type GitHubLink } from '../cycle/publish.js';
import type { RepoContext } from '../cycle/repo-context.js';
import { COMPILE_BRANCH } from './branch-names.js';
import { compilePullBody, compilePullTitle } from './pull-body.js';
import type { CompileReport } from './run.js';
import { branchCommits } from './waiting.js';

/** The remote a code repository is pushed to: the one a clone names so. */
export const TARGET_REMOTE = 'origin';

export interface CompilePublication {
  /** The repository written into, as reverie.yaml's `into:` names it (`.` for the memory repository). */
  into: string;
  /** `owner/name` on GitHub; null when the repository is not on GitHub (then `note` says why nothing was pushed). */
  repository: string | null;
  /** The branch pushed (or that would have been). */
  branch: string;
  /** What the push did: `pushed`, `up-to-date` (GitHub had it), or `not-pushed` (see `note`). */
  push: 'pushed' | 'up-to-date' | 'not-pushed';
  /** Review mode: the pull request of `reverie/compile`, and what this run did to it. */
  pull: { number: number; url: string; action: 'created' | 'updated' | 'unchanged' | 'closed' } | null;
  note?: string;
}

export interface PublishCompileOptions extends ConnectOptions {
  /** Where links in the pull request's body point (`https://github.com`, or a GitHub Enterprise Server). */
  serverUrl?: string;
}

/** Publishes what a compile (not a check) left in each git repository it wrote into. */
export async function publishCompile(context: RepoContext, report: CompileReport, options: PublishCompileOptions = {}): Promise<CompilePublication[]> {
  const github = context.config.github;
  if (report.check || !github) return [];
  const token = requireToken(options.env);
  const publications: CompilePublication[] = [];
  const memory = await memoryRepository(context, github, token, options);
  let mainPushed = false;
  for (const { into, dir } of destinations(report)) {
    const inMemory = dir === context.repo.dir;
    const repo = inMemory ? context.repo : await openRepo(dir);
    const target = await targetRemote(repo, inMemory, github);
    const branch = report.mode === 'review' ? COMPILE_BRANCH : inMemory ? context.config.git.main : ((await currentBranch(repo)) ?? '');
    if (typeof target === 'string') {
      if (await hasWaiting(repo, branch, inMemory ? context.config.git.main : await currentBranch(repo))) publications.push({ into, repository: null, branch, push: 'not-pushed', pull: null, note: target });
      continue;
    }
    if (report.mode === 'review') {
      const base = inMemory ? context.config.git.main : await currentBranch(repo);
      const published = base ? await publishReviewBranch(repo, target, { base, options, ...(memory.name ? { memoryRepository: memory.name } : {}) }) : undefined;
      if (published) publications.push({ into, ...published });
    } else {
      const pushed = await pushCompileCommits(repo, await transport(repo, target, token, options), branch);
      mainPushed ||= inMemory;
      if (pushed) publications.push({ into, repository: target.name, branch, pull: null, ...pushed });
    }
  }
  // The record, on the memory repository's main (in auto mode with the compiled files, when they went there).
  if (memory.transport && !mainPushed) {
    const pushed = await pushCompileCommits(context.repo, memory.transport, context.config.git.main);
    if (pushed && pushed.push !== 'up-to-date') publications.push({ into: '.', repository: memory.name ?? null, branch: context.config.git.main, pull: null, ...pushed });
  }
  return publications;
}

/**
 * Before a review-mode compile: each repository it writes into gets `reverie/compile` as GitHub has it, when this
 * clone lacks the branch (a fresh checkout on a runner) or is behind it. The compile then adds to the branch its open
 * pull request is on, instead of cutting another that would clash with it.
 */
export async function fetchCompileBranches(context: RepoContext, options: ConnectOptions = {}): Promise<void> {
  const github = context.config.github;
  if (!github) return;
  const token = requireToken(options.env);
  const dirs = new Set(context.config.agents.flatMap((a) => (a.compile ? [path.resolve(context.repo.dir, a.compile.into)] : [])));
  for (const dir of dirs) {
    const inMemory = dir === context.repo.dir;
    if (!inMemory && !existsSync(path.join(dir, '.git'))) continue;
    const repo = inMemory ? context.repo : await openRepo(dir);
    const target = await targetRemote(repo, inMemory, github);
    if (typeof target === 'string') continue;
    const remote = await fetchBranch(repo, { ...(await transport(repo, target, token, options)), branch: COMPILE_BRANCH });
    const local = await resolveRef(repo, `refs/heads/${COMPILE_BRANCH}`);
    if (!remote || remote === local) continue;
    if (!local) await updateBranch(repo, COMPILE_BRANCH, remote, { expectedOld: null });
    else if (await isAncestor(repo, local, remote)) await updateBranch(repo, COMPILE_BRANCH, remote, { expectedOld: local });
  }
}

/** The git repositories the report's agents committed into, each once, in the report's order. */
function destinations(report: CompileReport): { into: string; dir: string }[] {
  const seen = new Map<string, string>();
  for (const agent of report.agents) {
    if (agent.destination.kind === 'folder' || agent.destination.branch === null) continue;
    if (!seen.has(agent.destination.dir)) seen.set(agent.destination.dir, agent.into);
  }
  return [...seen].map(([dir, into]) => ({ into, dir }));
}

/** Where a repository goes on GitHub: its remote and name, or why it does not go there. */
interface Target {
  config: GitHubConfig;
  /** `owner/name`. */
  name: string;
}

async function targetRemote(repo: Repo, inMemory: boolean, github: GitHubConfig): Promise<Target | string> {
  if (inMemory) {
    const remote = await resolveRemote(repo, github.remote, github.repo);
    return { config: github, name: `${remote.owner}/${remote.repo}` };
  }
  const url = await remoteUrl(repo, TARGET_REMOTE).catch(() => undefined);
  if (!url) return `${path.basename(repo.dir)} has no git remote "${TARGET_REMOTE}": nothing pushed`;
  if (!onGitHubServer(url, github.apiUrl)) return `its remote "${TARGET_REMOTE}" is not on the GitHub server of github.api_url (${github.apiUrl}): nothing pushed`;
  const config: GitHubConfig = { ...github, remote: TARGET_REMOTE };
  delete config.repo;
  const remote = await resolveRemote(repo, TARGET_REMOTE);
  return { config, name: `${remote.owner}/${remote.repo}` };
}

/** The memory repository on GitHub: its name, and how to push its main (no API call: the record needs none). */
async function memoryRepository(context: RepoContext, github: GitHubConfig, token: string, options: ConnectOptions): Promise<{ name?: string; transport?: TransportInput }> {
  const remote = await resolveRemote(context.repo, github.remote, github.repo).catch(() => undefined);
  if (!remote) return {};
  return { name: `${remote.owner}/${remote.repo}`, transport: { remote, token, waits: waitsOf(github, options) } };
}

async function transport(repo: Repo, target: Target, token: string, options: ConnectOptions): Promise<TransportInput> {
  const remote = await resolveRemote(repo, target.config.remote, target.config.repo);
  return { remote, token, waits: waitsOf(target.config, options) };
}

function waitsOf(github: GitHubConfig, options: ConnectOptions): WaitPolicy {
  return { secondMs: options.timing?.secondMs ?? DEFAULT_WAITS.secondMs, maxWaitSeconds: github.maxWaitSeconds };
}

/**
 * With a `github:` section, a compile that writes publishes what it wrote, which needs a token: checked before
 * anything is written, so that a missing one stops the run with nothing half-done.
 */
export function requireToken(env: NodeJS.ProcessEnv | undefined): string {
  const token = githubToken(env);
  if (!token) throw new GitHubCredentialsError('reverie.yaml has a github: section, so reverie compile pushes what it writes and opens its pull requests on GitHub, which needs a token: set GITHUB_TOKEN (or GH_TOKEN)');
  return token;
}

async function hasWaiting(repo: Repo, branch: string, base: string | undefined): Promise<boolean> {
  const tip = await resolveRef(repo, `refs/heads/${branch}`);
  const baseTip = base ? await resolveRef(repo, `refs/heads/${base}`) : undefined;
  return tip !== undefined && branch !== base && (baseTip === undefined || !(await isAncestor(repo, tip, baseTip)));
}

/**
 * `reverie/compile` on GitHub, and its one pull request: pushed when GitHub lacks its commits, the open pull request
 * updated when its text changed, else a new one opened. A pull request closed without merging on the branch's
 * current commit is a reviewer's decision: it stays closed until a compile adds a commit.
 */
async function publishReviewBranch(
  repo: Repo,
  target: Target,
  input: { base: string; options: PublishCompileOptions; memoryRepository?: string },
): Promise<Omit<CompilePublication, 'into'> | undefined> {
  const tip = await resolveRef(repo, `refs/heads/${COMPILE_BRANCH}`);
  const baseTip = await resolveRef(repo, `refs/heads/${input.base}`);
  if (!tip || !baseTip || (await isAncestor(repo, tip, baseTip))) return undefined;
  const link = await connectRepository(repo, target.config, input.options);
  const pulls = await link.client.pullsFrom(COMPILE_BRANCH, 'all');
  const open = pulls.find((p) => p.state === 'open');
  const push = await pushBranchOf(repo, link, { open });
  const local = (await resolveRef(repo, `refs/heads/${COMPILE_BRANCH}`))!;
  const commits = await branchCommits(repo, COMPILE_BRANCH, baseTip);
  const title = compilePullTitle(commits);
  const body = compilePullBody(commits, { base: input.base, ...(input.memoryRepository ? { memoryRepository: input.memoryRepository } : {}), ...(input.options.serverUrl ? { serverUrl: input.options.serverUrl } : {}) });
  const result = { repository: target.name, branch: COMPILE_BRANCH, push };
  if (open) {
    // GitHub stores the body as sent, and what is sent is redacted (client.ts): the same redaction compares equal.
    if (open.title === redactText(title) && open.body === redactText(body)) return { ...result, pull: pullOf(open, 'unchanged') };
    return { ...result, pull: pullOf(await link.client.updatePull(open.number, { title, body }), 'updated') };
  }
  const closed = pulls.find((p) => p.state === 'closed' && !p.merged && p.headSha === local);
  if (closed) return { ...result, pull: pullOf(closed, 'closed'), note: `pull request #${closed.number} was closed without merging; it stays closed until the memory changes` };
  const pull = await link.client.createPull({ head: COMPILE_BRANCH, base: input.base, title, body, draft: link.config.draft });
  if (link.config.labels) await link.client.addLabels(pull.number, ['reverie', 'reverie:compile']).catch(() => undefined);
  return { ...result, pull: pullOf(pull, 'created') };
}

function pullOf(pull: PullRequest, action: NonNullable<CompilePublication['pull']>['action']): CompilePublication['pull'] {
  return { number: pull.number, url: pull.url, action };
}

/**
 * Brings `reverie/compile` on GitHub and here to the same commit: pushed when GitHub's is behind; taken when someone
 * added commits there (a reviewer's fix); replaced when the two have diverged and no pull request is open on it
 * (the branch was cut again from a base that took in the last one), and left for a person when one is.
 */
async function pushBranchOf(repo: Repo, link: GitHubLink, { open }: { open: PullRequest | undefined }): Promise<CompilePublication['push']> {
  const local = (await resolveRef(repo, `refs/heads/${COMPILE_BRANCH}`))!;
  const remote = await fetchBranch(repo, { ...transportOf(link), branch: COMPILE_BRANCH });
  if (remote === local) return 'up-to-date';
  if (remote && (await isAncestor(repo, local, remote))) {
    await updateBranch(repo, COMPILE_BRANCH, remote, { expectedOld: local });
    return 'up-to-date';
  }
  const diverged = remote !== undefined && !(await isAncestor(repo, remote, local));
  if (diverged && open) {
    throw new GitStateError(`${COMPILE_BRANCH} of ${path.basename(repo.dir)} and of ${link.remote.owner}/${link.remote.repo} have diverged while pull request #${open.number} is open; merge or close it, then compile again`);
  }
  await pushBranch(repo, { ...transportOf(link), branch: COMPILE_BRANCH, force: diverged });
  return 'pushed';
}

/**
 * Pushes `branch` when every commit it has that GitHub's lacks is one of `reverie compile`'s (a `Reverie-Compile`
 * trailer): the compiled files in auto mode, the record. Anyone else's unpushed commits are theirs to push; then, or
 * when the branches have diverged, nothing is pushed and the note says why. Undefined: nothing to push.
 */
async function pushCompileCommits(repo: Repo, transport: TransportInput, branch: string): Promise<Pick<CompilePublication, 'push' | 'note'> | undefined> {
  const local = await resolveRef(repo, `refs/heads/${branch}`);
  if (!local) return undefined;
  const remote = await fetchBranch(repo, { ...transport, branch });
  if (remote === local) return { push: 'up-to-date' };
  if (!remote) return { push: 'not-pushed', note: `GitHub has no branch ${branch}: push it first` };
  if (await isAncestor(repo, local, remote)) return { push: 'up-to-date' };
  if (!(await isAncestor(repo, remote, local))) return { push: 'not-pushed', note: `${branch} here and on GitHub have diverged: pull, then compile again` };
  const ahead = await commitsNotIn(repo, local, remote);
  const others = ahead.filter((c) => c.trailers['Reverie-Compile'] === undefined);
  if (others.length > 0) return { push: 'not-pushed', note: `${branch} has ${others.length === 1 ? 'a commit' : `${others.length} commits`} that reverie compile did not make (${others[0]!.oid.slice(0, 7)} "${others[0]!.subject}"): push ${branch} yourself` };
  await pushBranch(repo, { ...transport, branch });
  return { push: 'pushed' };
}
