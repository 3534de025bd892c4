/**
 * The GitHub REST API, through @octokit/rest with GitHub's recommended retry and throttling behaviour: a 5xx is
 * retried with backoff, a rate limit waits as long as GitHub says (retry-after, or until the limit resets), and
 * writes are paced. Everything else reverie needs from GitHub is a method here taking and returning plain objects,
 * so that the rest of the code never sees Octokit. The token is handed to Octokit and never appears in a message.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { GitHubError } from '../errors.js';
import { redactText } from '../sessions/redact.js';

const ReverieOctokit = Octokit.plugin(retry, throttling);
type Client = InstanceType<typeof ReverieOctokit>;

export interface GitHubClientOptions {
  /** `https://api.github.com`, or a GitHub Enterprise Server's `https://<host>/api/v3`. */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  /** How many times a rate-limited request is retried before giving up. */
  rateLimitRetries?: number;
  /**
   * Milliseconds per second of waiting, 1000 unless a test against a local fake API makes time pass faster; with
   * `paceWrites: false` writes are not spaced out either (GitHub asks for it; a fake does not need it).
   */
  timing?: { secondMs: number; paceWrites: boolean };
}

export interface PullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  labels: string[];
}

export interface PullInput {
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
}

type Task = (...args: unknown[]) => unknown;
const UNPACED = { key: () => ({ schedule: (_o: unknown, task: Task, ...args: unknown[]) => Promise.resolve(task(...args)) }) } as unknown as NonNullable<ThrottlingOptions['write']>;
const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export class GitHubClient {
  private readonly octokit: Client;
  readonly owner: string;
  readonly repo: string;

  constructor(options: GitHubClientOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    const retries = options.rateLimitRetries ?? 3;
    const secondMs = options.timing?.secondMs ?? 1000;
    const paced = options.timing?.paceWrites ?? true;
    const again = (_after: number, _request: unknown, _octokit: unknown, retryCount: number) => retryCount < retries;
    this.octokit = new ReverieOctokit({
      baseUrl: options.apiUrl,
      auth: options.token,
      userAgent: 'reverie',
      log: QUIET,
      retry: { retryAfterBaseValue: secondMs },
      throttle: { retryAfterBaseValue: secondMs, onRateLimit: again, onSecondaryRateLimit: again, ...(paced ? {} : { write: UNPACED, notifications: UNPACED }) },
    });
  }

  /** Checks that the token works and can see the repository; the first call of a run, so a bad token stops it early. */
  async checkAccess(): Promise<{ defaultBranch: string; canPush: boolean }> {
    const { data } = await this.call('read the repository', () => this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo }));
    return { defaultBranch: data.default_branch, canPush: data.permissions?.push ?? true };
  }

  /** Pull requests from `branch` of this repository, open ones first, newest first. */
  async pullsFrom(branch: string, state: 'open' | 'closed' | 'all' = 'all'): Promise<PullRequest[]> {
    const { data } = await this.call(`list pull requests from ${branch}`, () =>
      this.octokit.rest.pulls.list({ owner: this.owner, repo: this.repo, head: `${this.owner}:${branch}`, state, per_page: 100 }),
    );
    return data.map(toPull).sort((a, b) => Number(b.state === 'open') - Number(a.state === 'open') || b.number - a.number);
  }

  /** Open pull requests whose branch starts with `prefix`, oldest first. */
  async openPullsWithPrefix(prefix: string): Promise<PullRequest[]> {
    return this.pullsWithPrefix(prefix, 'open');
  }

  /** Pull requests in `state` whose branch starts with `prefix`, oldest first. */
  async pullsWithPrefix(prefix: string, state: 'open' | 'closed' | 'all'): Promise<PullRequest[]> {
    const pulls = await this.call(`list ${state === 'all' ? '' : `${state} `}pull requests`, () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, { owner: this.owner, repo: this.repo, state, per_page: 100 }),
    );
    return pulls
      .map(toPull)
      .filter((p) => p.head.startsWith(prefix))
      .sort((a, b) => a.number - b.number);
  }

  // Titles, bodies and comments quote sessions: every text written to GitHub goes through redactText here, the
  // one door it leaves by, whoever built it.
  async createPull(input: PullInput): Promise<PullRequest> {
    const { data } = await this.call(`open a pull request from ${input.head}`, () =>
      this.octokit.rest.pulls.create({ owner: this.owner, repo: this.repo, head: input.head, base: input.base, title: redactText(input.title), body: redactText(input.body), draft: input.draft ?? false }),
    );
    return toPull(data);
  }

  async updatePull(number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequest> {
    const text = { ...(change.title !== undefined ? { title: redactText(change.title) } : {}), ...(change.body !== undefined ? { body: redactText(change.body) } : {}) };
    const { data } = await this.call(`update pull request #${number}`, () => this.octokit.rest.pulls.update({ owner: this.owner, repo: this.repo, pull_number: number, ...change, ...text }));
    return toPull(data);
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.call(`label pull request #${number}`, () => this.octokit.rest.issues.addLabels({ owner: this.owner, repo: this.repo, issue_number: number, labels }));
  }

  async comment(number: number, body: string): Promise<void> {
    await this.call(`comment on pull request #${number}`, () => this.octokit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: number, body: redactText(body) }));
  }

  /** Deletes a branch on GitHub; a branch already gone is no error. */
  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.octokit.rest.git.deleteRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
    } catch (error) {
      if (isRequestError(error) && (error.status === 404 || error.status === 422)) return;
      throw explain(error, `delete branch ${branch}`, this);
    }
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw explain(error, what, this);
    }
  }
}

/** What Octokit throws for an HTTP error (its RequestError, named `HttpError`). */
interface RequestError {
  status: number;
  response?: { data?: unknown };
}

function isRequestError(error: unknown): error is RequestError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number';
}

/** A GitHub error as a message a person can act on, naming what was being done and never the token. */
function explain(error: unknown, what: string, { owner, repo }: { owner: string; repo: string }): Error {
  if (!isRequestError(error)) return error instanceof Error ? error : new Error(String(error));
  const detail = githubMessage(error);
  const prefix = `GitHub refused to ${what} in ${owner}/${repo} (HTTP ${error.status}${detail ? `: ${detail}` : ''})`;
  switch (error.status) {
    case 401:
      return new GitHubError(`${prefix}. The token is not valid: set GITHUB_TOKEN (or GH_TOKEN) to a token with contents: write and pull-requests: write.`, 401);
    case 403:
      return new GitHubError(`${prefix}. The token lacks a permission (contents: write and pull-requests: write are needed), or the rate limit was still exceeded after retrying.`, 403);
    case 404:
      return new GitHubError(`${prefix}. The repository does not exist or the token cannot see it; check github.repo in reverie.yaml and the token's access.`, 404);
    default:
      return new GitHubError(`${prefix}.`, error.status);
  }
}

function githubMessage(error: RequestError): string {
  const data = error.response?.data as { message?: unknown; errors?: { message?: unknown }[] } | undefined;
  const parts = [typeof data?.message === 'string' ? data.message : '', ...(data?.errors ?? []).map((e) => (typeof e.message === 'string' ? e.message : ''))];
  return parts.filter(Boolean).join('; ').slice(0, 300);
}

interface PullData {
  number: number;
  html_url: string;
  state: string;
  merged_at?: string | null;
  merged?: boolean;
  draft?: boolean;
  title: string;
  body?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  labels?: ({ name?: string } | string)[];
}

function toPull(data: PullData): PullRequest {
  return {
    number: data.number,
    url: data.html_url,
    state: data.state === 'open' ? 'open' : 'closed',
    merged: data.merged ?? Boolean(data.merged_at),
    draft: data.draft ?? false,
    title: data.title,
    body: data.body ?? '',
    head: data.head.ref,
    base: data.base.ref,
    headSha: data.head.sha,
    labels: (data.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
  };
}
