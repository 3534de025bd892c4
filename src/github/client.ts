/**
 * The GitHub REST API, through @octokit/rest with GitHub's recommended retry and throttling behaviour: a 5xx is
 * retried with backoff, a rate limit waits as long as GitHub says (retry-after, or until the limit resets) up to a
 * cap, and writes are paced. Everything else reverie needs from GitHub is a method here taking and returning plain
 * objects, so that the rest of the code never sees Octokit. The token is handed to Octokit and never appears in a
 * message. A failure becomes one of the GitHub errors of errors.ts, which say what failed and what to do.
 */
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { GitHubCredentialsError, GitHubError, GitHubRateLimitError, GitHubUnavailableError } from '../errors.js';
import { redactText } from '../sessions/redact.js';
import { DEFAULT_MAX_WAIT_SECONDS, duration, rateLimitWait, serverErrorWait, sleep, whenWaitEnds, type Headers, type WaitPolicy } from './waits.js';

const ReverieOctokit = Octokit.plugin(throttling);
/** Tries again after a server error (or no answer at all), waiting what it asks (retry-after) or a growing backoff. */
const SERVER_RETRIES = 3;
type Client = InstanceType<typeof ReverieOctokit>;

export interface GitHubClientOptions {
  /** `https://api.github.com`, or a GitHub Enterprise Server's `https://<host>/api/v3`. */
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  /** How many times a rate-limited request is retried before giving up. */
  rateLimitRetries?: number;
  /** The longest rate limit waited out, in seconds (15 minutes by default); a longer one fails with when to retry. */
  maxWaitSeconds?: number;
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

export const ROLES = ['admin', 'maintain', 'write', 'triage', 'read', 'none'] as const;
export type Role = (typeof ROLES)[number];
export type MergeMethod = 'merge' | 'squash' | 'rebase';

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
  private readonly apiUrl: string;
  private readonly rateLimitRetries: number;
  private readonly waits: WaitPolicy;

  constructor(options: GitHubClientOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.apiUrl = options.apiUrl;
    this.rateLimitRetries = options.rateLimitRetries ?? 3;
    this.waits = { secondMs: options.timing?.secondMs ?? 1000, maxWaitSeconds: options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS };
    const paced = options.timing?.paceWrites ?? true;
    // Rate limits and server errors are waited out in `call`, by GitHub's documented rule and under the cap: the
    // throttling plugin would ignore retry-after on a used-up limit and a 429 that does not say "secondary", and
    // Octokit's retry plugin would ask again after a second whatever a 503's retry-after says. The throttling plugin
    // still paces writes.
    const handledInCall = () => false;
    this.octokit = new ReverieOctokit({
      baseUrl: options.apiUrl,
      auth: options.token,
      userAgent: 'reverie',
      log: QUIET,
      throttle: { onRateLimit: handledInCall, onSecondaryRateLimit: handledInCall, ...(paced ? {} : { write: UNPACED, notifications: UNPACED }) },
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

  /** One pull request by its number. */
  async getPull(number: number): Promise<PullRequest> {
    const { data } = await this.call(`read pull request #${number}`, () => this.octokit.rest.pulls.get({ owner: this.owner, repo: this.repo, pull_number: number }));
    return toPull(data);
  }

  /**
   * What `login` may do in the repository: `admin`, `maintain`, `write`, `triage`, `read` or `none` (GitHub's role
   * name, which tells maintain from write). A user GitHub does not know has no role.
   */
  async roleOf(login: string): Promise<Role> {
    const answer = await this.call(`read the permission of ${login}`, () =>
      this.octokit.rest.repos.getCollaboratorPermissionLevel({ owner: this.owner, repo: this.repo, username: login }).catch((error: unknown) => {
        if (isRequestError(error) && error.status === 404) return undefined;
        throw error;
      }),
    );
    const data = answer?.data as { permission?: string; role_name?: string } | undefined;
    const role = data?.role_name ?? data?.permission ?? 'none';
    return (ROLES as readonly string[]).includes(role) ? (role as Role) : 'none';
  }

  /**
   * Merges a pull request as a person would on its page, with the first method the repository allows of `methods`.
   * GitHub refusing (branch protection, required reviews, a conflict) is a GitHubError with its reason.
   */
  async mergePull(number: number, headSha: string, methods: readonly MergeMethod[] = ['merge', 'squash', 'rebase']): Promise<{ sha: string; method: MergeMethod }> {
    let refusal: unknown;
    for (const method of methods) {
      try {
        const { data } = await this.call(`merge pull request #${number}`, () =>
          this.octokit.rest.pulls.merge({ owner: this.owner, repo: this.repo, pull_number: number, sha: headSha, merge_method: method }),
        );
        return { sha: data.sha, method };
      } catch (error) {
        // 405 also says "this merge method is not allowed": the next one may be.
        if (!(error instanceof GitHubError) || error.status !== 405) throw error;
        refusal = error;
      }
    }
    throw refusal;
  }

  /** A reaction on a comment: how a bot says "seen" (eyes) or "done" (+1) without another comment. */
  async react(commentId: number, content: '+1' | '-1' | 'eyes' | 'confused'): Promise<void> {
    await this.call(`react to comment ${commentId}`, () => this.octokit.rest.reactions.createForIssueComment({ owner: this.owner, repo: this.repo, comment_id: commentId, content }));
  }

  /** Deletes a branch on GitHub; a branch already gone is no error. */
  async deleteBranch(branch: string): Promise<void> {
    await this.call(`delete branch ${branch}`, () =>
      this.octokit.rest.git.deleteRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` }).catch((error: unknown) => {
        if (isRequestError(error) && (error.status === 404 || error.status === 422)) return undefined;
        throw error;
      }),
    );
  }

  /**
   * Runs a request, waiting out the rate limits that lift within the cap, and a server error (or no answer) a few times,
   * as long as it asks (retry-after) within the cap; any failure leaves as a GitHub error.
   */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let limited = 0, failed = 0; ; ) {
      try {
        return await request();
      } catch (error) {
        if (!isRequestError(error)) throw explain(error, what, this.place(), undefined);
        const limit = rateLimitWait({ status: error.status, headers: error.response?.headers, message: githubMessage(error) }, Date.now());
        if (limit !== undefined) {
          if (limit > this.waits.maxWaitSeconds || limited++ >= this.rateLimitRetries) throw explain(error, what, this.place(), limit);
          await sleep(limit, this.waits);
          continue;
        }
        if (error.status < 500 || failed++ >= SERVER_RETRIES) throw explain(error, what, this.place(), undefined);
        const wait = serverErrorWait(error.response?.headers, failed, Date.now());
        if (wait > this.waits.maxWaitSeconds) throw explain(error, what, this.place(), undefined, wait);
        await sleep(wait, this.waits);
      }
    }
  }

  private place(): Place {
    return { owner: this.owner, repo: this.repo, apiUrl: this.apiUrl, maxWaitSeconds: this.waits.maxWaitSeconds };
  }
}

/** What Octokit throws for an HTTP error (its RequestError, named `HttpError`); no `response` when nothing answered. */
interface RequestError {
  status: number;
  message: string;
  response?: { data?: unknown; headers?: Headers };
}

function isRequestError(error: unknown): error is RequestError {
  return error instanceof Error && error.name === 'HttpError' && typeof (error as { status?: unknown }).status === 'number';
}

/** Where a request went, for messages. */
interface Place {
  owner: string;
  repo: string;
  apiUrl: string;
  maxWaitSeconds: number;
}

const PERMISSIONS = 'contents: write and pull-requests: write';

/**
 * A GitHub failure as a message a person can act on, naming what was being done and never the token: refused
 * credentials (the only case that speaks of the token), a rate limit and when it lifts, GitHub unavailable, or a
 * request GitHub rejects. `wait` is the rate limit's wait in seconds, when the answer was one.
 */
function explain(error: unknown, what: string, place: Place, wait: number | undefined, serverWait?: number): Error {
  if (!isRequestError(error)) return error instanceof Error ? error : new Error(String(error));
  const where = `${place.owner}/${place.repo}`;
  if (!error.response) {
    return new GitHubUnavailableError(`could not reach GitHub at ${place.apiUrl} to ${what} in ${where} (${error.message}), also after retrying; check the network (and github.api_url), then try again`);
  }
  const detail = githubMessage(error);
  const answer = `HTTP ${error.status}${detail ? `: ${detail}` : ''}`;
  if (wait !== undefined) return rateLimited(what, where, answer, error.status, wait, place.maxWaitSeconds);
  if (error.status >= 500) {
    const retried = serverWait !== undefined ? `it asked to wait ${duration(serverWait)}, longer than reverie waits (github.max_wait_seconds: ${place.maxWaitSeconds})` : `also after ${SERVER_RETRIES} retries`;
    return new GitHubUnavailableError(`GitHub failed to ${what} in ${where} (${answer}): ${retried}; GitHub may be having trouble (https://www.githubstatus.com): try again later`, error.status);
  }
  const refused = `GitHub refused to ${what} in ${where} (${answer})`;
  switch (error.status) {
    case 401:
      return new GitHubCredentialsError(`${refused}. The token is not valid (or has expired): set GITHUB_TOKEN (or GH_TOKEN) to a token with ${PERMISSIONS}.`, 401);
    case 403:
      return new GitHubCredentialsError(`${refused}. The token lacks a permission: it needs ${PERMISSIONS}.`, 403);
    case 404:
      return new GitHubCredentialsError(`${refused}. The repository does not exist or the token cannot see it; check github.repo in reverie.yaml and the token's access.`, 404);
    default:
      return new GitHubError(`${refused}.`, error.status);
  }
}

/** A rate limit not waited out: beyond the cap, or still there after the retries. Says when to try again. */
function rateLimited(what: string, where: string, answer: string, status: number, wait: number, maxWaitSeconds: number): GitHubRateLimitError {
  const when = whenWaitEnds(wait, Date.now());
  const why = wait > maxWaitSeconds ? `it lifts in ${duration(wait)}, longer than reverie waits (github.max_wait_seconds: ${maxWaitSeconds})` : 'it was still there after waiting it out';
  return new GitHubRateLimitError(`GitHub's rate limit stopped reverie from trying to ${what} in ${where} (${answer}): ${why}; run it again ${when.words} or later`, status, when.at);
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
