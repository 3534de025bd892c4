/**
 * A stateful fake of the part of GitHub's REST API that reverie uses, served on 127.0.0.1 so tests drive it
 * with the real @octokit/rest client (`new Octokit({ baseUrl: fake.url, auth: fake.token })`).
 *
 * Every request is checked against GitHub's published request shapes (github-schema.ts): what GitHub would
 * refuse is refused the same way (422 "Validation Failed"), and what GitHub would silently ignore (an unknown
 * body key, a `head` filter without its owner) is served as GitHub serves it. Both are recorded in
 * `violations`, so a test can assert the code under test speaks GitHub's API and not merely the fake's.
 *
 * With `bareRepo`, the repository is a real bare git repository: branch heads are read from it, and merges
 * write real commits into it with native git, shaped as GitHub shapes them (merge commit, squash, rebase).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http, { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkRequest,
  loadOperations,
  operationMatcher,
  type MatchedOperation,
  type Operation,
} from './github-schema.js';
import { INVALID_JSON, parseJson, readBody } from './http-body.js';

export type MergeMethod = 'merge' | 'squash' | 'rebase';

export interface FakePull {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  /** Label names, as first written. */
  labels: string[];
  /** Login of the user who opened it. */
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeLabel {
  name: string;
  color: string;
  description: string | null;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

/** GitHub's reaction types, as `POST .../reactions` takes them. */
export const REACTION_CONTENTS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;
export type ReactionContent = (typeof REACTION_CONTENTS)[number];

export interface FakeReaction {
  commentId: number;
  content: ReactionContent;
  /** Login of the user who reacted. */
  user: string;
}

/** A repository role, as GitHub names it in `role_name` (custom roles aside). */
export type RepositoryRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

/** How GitHub relates a user to the repository on comments and pull requests (the values the fake gives). */
export type AuthorAssociation = 'OWNER' | 'COLLABORATOR' | 'NONE';

export interface FakeGitHubState {
  pulls: FakePull[];
  /** Keyed by lower-cased name: GitHub's label names are case-insensitive. */
  labels: Map<string, FakeLabel>;
  comments: FakeComment[];
  /** Reactions to issue comments, in the order they were made. */
  reactions: FakeReaction[];
}

export interface RecordedRequest {
  method: string;
  /** Path and query string, as requested. */
  path: string;
  status: number;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  token: string;
  defaultBranch?: string;
  /** A bare git repository the fake treats as the repository: heads are read from it, merges written into it. */
  bareRepo?: string;
  /** Login of the token's user; defaults to `owner`. */
  login?: string;
}

export interface FakeGitHub {
  url: string;
  token: string;
  /** The repository the fake serves, as GitHub spells it. */
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
  state: FakeGitHubState;
  requests: RecordedRequest[];
  violations: string[];
  /**
   * The next `count` requests, whatever they are, get `reply` instead of being served (a 502, a rate limit...); with
   * `only`, the next `count` requests it matches (say `POST /repos/acme/memory/pulls`), the others being served.
   */
  failNext(count: number, reply: ScriptedReply, only?: { method: string; path: string | RegExp }): void;
  /** Merges as `PUT .../pulls/{number}/merge` does; resolves to the merge commit's sha, rejects when GitHub would. */
  /** Merges as a person would on the pull request's page; `message` replaces GitHub's default title and body. */
  mergePull(number: number, method: MergeMethod, message?: MessageParts): Promise<string>;
  /**
   * Gives `login` a role on the repository, as `GET .../collaborators/{username}/permission` then reports it;
   * 'none' takes it away. The fake's own login (options.login ?? owner) starts as 'admin'.
   */
  setPermission(login: string, role: RepositoryRole | 'none'): void;
  /** The role `login` has on the repository ('none' when no test gave it one). */
  roleOf(login: string): RepositoryRole | 'none';
  /** Comments on the pull request as `login` would on its page (not through the API); throws when there is none. */
  commentAs(issueNumber: number, login: string, body: string): FakeComment;
  /**
   * Edits the pull request's body as `login` would on its page. Throws, as GitHub would refuse, unless `login`
   * opened the pull request or has write access (write, maintain or admin). Returns the body it replaced ('' for none).
   */
  editPullBodyAs(number: number, login: string, body: string): { from: string };
  close(): Promise<void>;
}

/**
 * GitHub's answer when the primary rate limit is used up. The fake sets `x-ratelimit-reset` `seconds` ahead:
 * octokit's throttling plugin waits until that reset (plus a second) and ignores `retry-after` here.
 */
export function rateLimitExceeded(seconds = 1): ScriptedReply {
  return {
    status: 403,
    headers: { 'retry-after': String(seconds), 'x-ratelimit-remaining': '0' },
    body: {
      message: 'API rate limit exceeded for user ID 1000.',
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
    },
  };
}

/** GitHub's answer when a secondary (abuse) rate limit trips; octokit reads `retry-after` for these. */
export function secondaryRateLimitExceeded(seconds = 1): ScriptedReply {
  return {
    status: 403,
    headers: { 'retry-after': String(seconds) },
    body: {
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
    },
  };
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const fake = new FakeGitHubServer(options);
  await fake.listen();
  return fake;
}

const DOCS = 'https://docs.github.com/rest';
const HTML_ROOT = 'https://github.com';
const RATE_LIMIT = 5000;
const RATE_WINDOW_SECONDS = 3600;
const GITHUB_IDENTITY: Identity = { name: 'GitHub', email: 'noreply@github.com' };
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by handlers to answer early, the way GitHub does. */
class GitHubError extends Error {
  constructor(readonly reply: Reply) {
    super(`${reply.status} ${describeBody(reply.body)}`);
  }
}

/** One entry of GitHub's `errors` list in a 422 answer. */
interface ErrorItem {
  resource: string;
  code: 'missing_field' | 'invalid' | 'custom' | 'already_exists';
  field?: string;
  message?: string;
}

/** `commit_title` / `commit_message` of a merge request. */
export interface MessageParts {
  title?: string;
  message?: string;
}

interface Call {
  operation: Operation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  url: URL;
}

type Handler = (call: Call) => Promise<Reply>;

class FakeGitHubServer implements FakeGitHub {
  url = '';
  readonly token: string;
  readonly state: FakeGitHubState = { pulls: [], labels: new Map(), comments: [], reactions: [] };
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];

  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
  private readonly login: string;
  /** Roles by lower-cased login: GitHub's logins are case-insensitive. */
  private readonly roles = new Map<string, RepositoryRole>();
  /** The id and time GitHub gives each reaction, kept off the recorded `state.reactions`. */
  private readonly reactionMeta = new Map<FakeReaction, { id: number; createdAt: string }>();
  private readonly repository: Repository;
  private readonly match = operationMatcher(loadOperations());
  private readonly server = http.createServer((request, response) => void this.serve(request, response));
  private readonly faults: { reply: ScriptedReply; only?: { method: string; path: string | RegExp } }[] = [];
  private readonly handlers: Record<string, Handler> = {
    'users/get-authenticated': () => this.getAuthenticatedUser(),
    'repos/get': () => this.getRepository(),
    'pulls/list': (call) => this.listPulls(call),
    'pulls/create': (call) => this.createPull(call),
    'pulls/get': (call) => this.getPull(call),
    'pulls/update': (call) => this.updatePull(call),
    'pulls/merge': (call) => this.mergePullRequest(call),
    'issues/add-labels': (call) => this.addLabels(call),
    'issues/get-label': (call) => this.getLabel(call),
    'issues/create-label': (call) => this.createLabel(call),
    'issues/list-comments': (call) => this.listComments(call),
    'issues/create-comment': (call) => this.createComment(call),
    'git/delete-ref': (call) => this.deleteRef(call),
    'repos/get-collaborator-permission-level': (call) => this.getPermission(call),
    'reactions/create-for-issue-comment': (call) => this.createReaction(call),
  };
  /** Requests are served one at a time, as one consistent history, like a single GitHub repository. */
  private queue: Promise<unknown> = Promise.resolve();
  private nextIssueNumber = 1;
  private nextId = 1;
  private requestCount = 0;
  private rateUsed = 0;
  private rateResetAt = epochSeconds() + RATE_WINDOW_SECONDS;

  constructor(options: FakeGitHubOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.token = options.token;
    this.login = options.login ?? options.owner;
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.repository = options.bareRepo ? new GitRepository(options.bareRepo) : new VirtualRepository();
    this.roles.set(this.login.toLowerCase(), 'admin');
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  failNext(count: number, reply: ScriptedReply, only?: { method: string; path: string | RegExp }): void {
    for (let i = 0; i < count; i++) this.faults.push({ reply, ...(only ? { only } : {}) });
  }

  /** The first scripted fault that applies to this request, taken off the list. */
  private takeFault(method: string, url: URL): ScriptedReply | undefined {
    const applies = ({ only }: { only?: { method: string; path: string | RegExp } }) =>
      !only || (only.method === method && (typeof only.path === 'string' ? only.path === url.pathname : only.path.test(url.pathname)));
    const index = this.faults.findIndex(applies);
    return index < 0 ? undefined : this.faults.splice(index, 1)[0]?.reply;
  }

  async mergePull(number: number, method: MergeMethod, message: MessageParts = {}): Promise<string> {
    try {
      return await this.serially(() => this.merge(this.pullOrNotFound(number), method, message));
    } catch (error) {
      if (error instanceof GitHubError) throw new Error(`merging #${number} was refused: ${error.message}`);
      throw error;
    }
  }

  setPermission(login: string, role: RepositoryRole | 'none'): void {
    if (role === 'none') this.roles.delete(login.toLowerCase());
    else this.roles.set(login.toLowerCase(), role);
  }

  roleOf(login: string): RepositoryRole | 'none' {
    return this.roles.get(login.toLowerCase()) ?? 'none';
  }

  commentAs(issueNumber: number, login: string, body: string): FakeComment {
    const pull = this.outsideRequest(`commenting on #${issueNumber}`, () => this.pullOrNotFound(issueNumber));
    return this.addComment(pull, login, body);
  }

  editPullBodyAs(number: number, login: string, body: string): { from: string } {
    const pull = this.outsideRequest(`editing #${number}`, () => this.pullOrNotFound(number));
    const role = this.roleOf(login);
    const isAuthor = pull.user.toLowerCase() === login.toLowerCase();
    if (!isAuthor && role !== 'write' && role !== 'maintain' && role !== 'admin') {
      throw new Error(`GitHub would not let ${login} (role ${role}) edit #${number}: only its author or a writer can`);
    }
    const from = pull.body ?? '';
    pull.body = body;
    pull.updatedAt = timestamp();
    return { from };
  }

  /** Runs a lookup for a helper acting as a person; GitHub's refusal becomes a plain error naming the action. */
  private outsideRequest<T>(action: string, task: () => T): T {
    try {
      return task();
    } catch (error) {
      if (error instanceof GitHubError) throw new Error(`${action} was refused: ${error.message}`);
      throw error;
    }
  }

  async close(): Promise<void> {
    // Clients keep connections alive; without this, close() would wait for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing ----

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.url);
    let reply: Reply;
    try {
      const raw = await readBody(request, MAX_BODY_BYTES);
      reply = await this.replyTo(method, url, request.headers.authorization, raw);
    } catch (error) {
      // A failure of the fake itself: a test must not pass on it unnoticed.
      this.violations.push(`${method} ${url.pathname}: the fake failed: ${(error as Error).message}`);
      reply = { status: 500, body: { message: 'Server Error', documentation_url: DOCS } };
    }
    this.requests.push({ method, path: url.pathname + url.search, status: reply.status });
    this.send(response, reply);
  }

  private async replyTo(method: string, url: URL, authorization: string | undefined, raw: string): Promise<Reply> {
    const fault = this.takeFault(method, url);
    if (fault) return this.scripted(fault);
    if (!this.authorized(authorization)) return failure(401, 'Bad credentials', DOCS);
    const matched = this.match(method, url.pathname);
    const handler = matched && this.handlers[matched.operation.operationId];
    if (!matched || !handler) {
      this.violate(method, url, 'no such operation in operations.json (or the fake does not serve it)');
      return failure(404, 'Not Found', DOCS);
    }
    const docs = matched.operation.documentationUrl;
    if (!this.isThisRepository(matched.pathParams)) return failure(404, 'Not Found', docs);
    const body = parseJson(raw);
    if (body === INVALID_JSON) {
      this.violate(method, url, 'the body is not JSON');
      return failure(400, 'Problems parsing JSON', docs);
    }
    const refusal = this.checkShape(method, url, matched, body);
    if (refusal) return refusal;
    const { operation, pathParams: params } = matched;
    const call: Call = { operation, params, query: url.searchParams, url, body: asRecord(body) };
    return this.serially(() => handler(call)).catch((error: unknown) => {
      if (error instanceof GitHubError) return error.reply;
      throw error;
    });
  }

  /** Validates against GitHub's shapes; answers 422 for what GitHub refuses, records what it would ignore. */
  private checkShape(method: string, url: URL, matched: MatchedOperation, body: unknown): Reply | undefined {
    const check = checkRequest(matched.operation, { pathParams: matched.pathParams, query: url.searchParams, body });
    for (const ignored of check.ignored) this.violate(method, url, `${ignored} (GitHub ignores it)`);
    if (check.rejected.length === 0) return undefined;
    for (const error of check.rejected) this.violate(method, url, `${error.field}: ${error.message}`);
    return validationFailed(matched.operation, check.rejected);
  }

  private authorized(authorization: string | undefined): boolean {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '');
    return match?.[1] === this.token;
  }

  private isThisRepository(params: Record<string, string>): boolean {
    if (params.owner === undefined) return true;
    const sameName = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
    return sameName(params.owner, this.owner) && sameName(params.repo, this.repo);
  }

  private scripted(fault: ScriptedReply): Reply {
    const headers = Object.fromEntries(
      Object.entries(fault.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    // A used-up rate limit comes with its reset time; octokit computes its wait from that header.
    if (headers['x-ratelimit-remaining'] === '0' && headers['x-ratelimit-reset'] === undefined) {
      headers['x-ratelimit-reset'] = String(epochSeconds() + Number(headers['retry-after'] ?? 60));
    }
    const body = fault.body ?? { message: STATUS_CODES[fault.status] ?? 'Error', documentation_url: DOCS };
    return { status: fault.status, headers, body };
  }

  private send(response: http.ServerResponse, reply: Reply): void {
    const text = reply.body === undefined || reply.status === 204 ? '' : JSON.stringify(reply.body);
    const headers: Record<string, string> = {
      ...this.standardHeaders(),
      ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'content-length': String(Buffer.byteLength(text)),
      ...reply.headers,
    };
    response.writeHead(reply.status, headers);
    response.end(text);
  }

  /** What GitHub sends on every answer; the throttling plugin reads the rate-limit ones. */
  private standardHeaders(): Record<string, string> {
    if (epochSeconds() >= this.rateResetAt) {
      this.rateResetAt = epochSeconds() + RATE_WINDOW_SECONDS;
      this.rateUsed = 0;
    }
    this.rateUsed++;
    this.requestCount++;
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - this.rateUsed)),
      'x-ratelimit-reset': String(this.rateResetAt),
      'x-ratelimit-used': String(this.rateUsed),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': requestId(this.requestCount),
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-oauth-scopes': 'repo',
    };
  }

  private violate(method: string, url: URL, message: string): void {
    this.violations.push(`${method} ${url.pathname}: ${message}`);
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- users and repository ----

  private async getAuthenticatedUser(): Promise<Reply> {
    return { status: 200, body: { ...this.userJson(this.login), name: this.login, email: null } };
  }

  private async getRepository(): Promise<Reply> {
    return { status: 200, body: this.repositoryJson() };
  }

  private async deleteRef(call: Call): Promise<Reply> {
    const ref = call.params.ref ?? '';
    const branch = ref.startsWith('heads/') ? ref.slice('heads/'.length) : undefined;
    const docs = call.operation.documentationUrl;
    if (branch === this.defaultBranch) throw new GitHubError(failure(422, 'Cannot delete the default branch', docs));
    if (branch === undefined || !(await this.repository.deleteBranch(branch))) {
      throw new GitHubError(failure(422, 'Reference does not exist', docs));
    }
    // GitHub closes the open pull requests whose head branch is gone.
    for (const pull of this.state.pulls) {
      if (pull.state === 'open' && pull.head.ref === branch) this.closePull(pull);
    }
    return { status: 204 };
  }

  // ---- pull requests ----

  private async listPulls(call: Call): Promise<Reply> {
    await Promise.all(this.state.pulls.map((pull) => this.refresh(pull)));
    const state = call.query.get('state') ?? 'open';
    const base = call.query.get('base');
    const matchesHead = this.headFilter(call);
    const matchesState = (pull: FakePull) => state === 'all' || pull.state === state;
    const matchesBase = (pull: FakePull) => base === null || pull.base.ref === base;
    const chosen = this.state.pulls.filter((pull) => matchesState(pull) && matchesBase(pull) && matchesHead(pull));
    const ordered = sortPulls(chosen, call.query.get('sort') ?? 'created', call.query.get('direction'));
    const page = paginate(ordered, call.url);
    return { status: 200, body: page.items.map((pull) => this.pullJson(pull)), headers: page.headers };
  }

  /** `head=owner:branch`; GitHub ignores a filter without the owner, and so does the fake (recording it). */
  private headFilter(call: Call): (pull: FakePull) => boolean {
    const head = call.query.get('head');
    if (head === null) return () => true;
    if (!head.includes(':')) {
      this.violate('GET', call.url, `head=${head} lacks the owner ('owner:branch'), so GitHub ignores the filter`);
      return () => true;
    }
    // Another owner's branch would be a fork's, and this fake has no forks: nothing matches.
    const branch = this.ownBranch(head);
    return (pull) => pull.head.ref === branch;
  }

  private async createPull(call: Call): Promise<Reply> {
    const docs = call.operation.documentationUrl;
    const fields = call.body;
    if (fields.issue !== undefined || fields.head_repo !== undefined) {
      this.violate('POST', call.url, 'the fake does not convert issues or open pull requests from forks');
      throw new GitHubError(validationFailedWith(docs, [{ resource: 'PullRequest', code: 'invalid', field: 'head' }]));
    }
    const title = optionalString(fields.title);
    if (title === undefined) {
      const missingTitle: ErrorItem = { resource: 'PullRequest', code: 'missing_field', field: 'title' };
      throw new GitHubError(validationFailedWith(docs, [missingTitle]));
    }
    const baseRef = String(fields.base);
    const headRef = this.ownBranch(String(fields.head));
    const baseSha = await this.repository.tip(baseRef);
    const headSha = headRef === undefined ? undefined : await this.repository.tip(headRef);
    if (baseSha === undefined) throw new GitHubError(invalidField(docs, 'base'));
    if (headRef === undefined || headSha === undefined) throw new GitHubError(invalidField(docs, 'head'));
    this.refuseDuplicate(docs, headRef, baseRef);
    if ((await this.repository.commitsAhead(baseSha, headSha)).length === 0) {
      throw new GitHubError(customError(docs, `No commits between ${baseRef} and ${headRef}`));
    }
    const now = timestamp();
    const pull: FakePull = {
      number: this.nextIssueNumber++,
      title,
      body: optionalString(fields.body) ?? null,
      state: 'open',
      draft: fields.draft === true,
      head: { ref: headRef, sha: headSha },
      base: { ref: baseRef, sha: baseSha },
      merged: false,
      mergedAt: null,
      mergeCommitSha: null,
      closedAt: null,
      labels: [],
      user: this.login,
      createdAt: now,
      updatedAt: now,
    };
    this.state.pulls.push(pull);
    const body = await this.fullPullJson(pull);
    return { status: 201, body, headers: { location: body.url } };
  }

  /** `branch` or `owner:branch` of this repository's owner; undefined for another owner's (a fork's) branch. */
  private ownBranch(head: string): string | undefined {
    const separator = head.indexOf(':');
    if (separator < 0) return head;
    return head.slice(0, separator).toLowerCase() === this.owner.toLowerCase() ? head.slice(separator + 1) : undefined;
  }

  private refuseDuplicate(docs: string | null, headRef: string, baseRef: string, except?: FakePull): void {
    const duplicate = this.state.pulls.find(
      (pull) => pull !== except && pull.state === 'open' && pull.head.ref === headRef && pull.base.ref === baseRef,
    );
    if (duplicate) {
      throw new GitHubError(customError(docs, `A pull request already exists for ${this.owner}:${headRef}.`));
    }
  }

  private async getPull(call: Call): Promise<Reply> {
    const pull = this.pullOrNotFound(Number(call.params.pull_number));
    await this.refresh(pull);
    return { status: 200, body: await this.fullPullJson(pull) };
  }

  private async updatePull(call: Call): Promise<Reply> {
    const docs = call.operation.documentationUrl;
    const pull = this.pullOrNotFound(Number(call.params.pull_number));
    await this.refresh(pull);
    const fields = call.body;
    // Everything that can refuse runs before anything changes, so a refused edit leaves the pull request as it was.
    const newBase = typeof fields.base === 'string' && fields.base !== pull.base.ref ? fields.base : undefined;
    const newBaseSha = newBase === undefined ? undefined : await this.repository.tip(newBase);
    if (newBase !== undefined && newBaseSha === undefined) throw new GitHubError(invalidField(docs, 'base'));
    if (fields.state === 'open' && pull.state === 'closed') await this.reopen(pull, docs);
    else if (fields.state === 'closed' && pull.state === 'open') this.closePull(pull);
    if (newBase !== undefined && newBaseSha !== undefined) pull.base = { ref: newBase, sha: newBaseSha };
    if (typeof fields.title === 'string') pull.title = fields.title;
    if (typeof fields.body === 'string') pull.body = fields.body;
    pull.updatedAt = timestamp();
    return { status: 200, body: await this.fullPullJson(pull) };
  }

  private async reopen(pull: FakePull, docs: string | null): Promise<void> {
    if (pull.merged) {
      throw new GitHubError(customError(docs, 'state cannot be changed. The pull request has been merged.', 'state'));
    }
    const headSha = await this.repository.tip(pull.head.ref);
    if (headSha === undefined) {
      throw new GitHubError(customError(docs, 'state cannot be changed. The head branch was deleted.', 'state'));
    }
    this.refuseDuplicate(docs, pull.head.ref, pull.base.ref, pull);
    pull.state = 'open';
    pull.closedAt = null;
    pull.head.sha = headSha;
  }

  private closePull(pull: FakePull): void {
    const now = timestamp();
    pull.state = 'closed';
    pull.closedAt = now;
    pull.updatedAt = now;
  }

  /** Follows the branches while the pull request is open, as GitHub does; a deleted head closes it. */
  private async refresh(pull: FakePull): Promise<void> {
    if (pull.state !== 'open') return;
    const headSha = await this.repository.tip(pull.head.ref);
    const baseSha = await this.repository.tip(pull.base.ref);
    if (headSha === undefined) return this.closePull(pull);
    pull.head.sha = headSha;
    if (baseSha !== undefined) pull.base.sha = baseSha;
  }

  private pullOrNotFound(number: number): FakePull {
    const pull = this.state.pulls.find((candidate) => candidate.number === number);
    if (!pull) throw new GitHubError(failure(404, 'Not Found', `${DOCS}/pulls/pulls`));
    return pull;
  }

  // ---- merging ----

  private async mergePullRequest(call: Call): Promise<Reply> {
    const pull = this.pullOrNotFound(Number(call.params.pull_number));
    const fields = call.body;
    const method = (optionalString(fields.merge_method) ?? 'merge') as MergeMethod;
    const sha = await this.merge(pull, method, {
      expectedHead: optionalString(fields.sha),
      title: optionalString(fields.commit_title),
      message: optionalString(fields.commit_message),
    });
    return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
  }

  private async merge(
    pull: FakePull,
    method: MergeMethod,
    options: MessageParts & { expectedHead?: string },
  ): Promise<string> {
    const docs = `${DOCS}/pulls/pulls#merge-a-pull-request`;
    await this.refresh(pull);
    if (pull.state !== 'open') throw new GitHubError(failure(405, 'Pull Request is not mergeable', docs));
    if (pull.draft) throw new GitHubError(failure(405, 'Pull Request is still a draft', docs));
    if (options.expectedHead !== undefined && options.expectedHead !== pull.head.sha) {
      throw new GitHubError(failure(409, 'Head branch was modified. Review and try the merge again.', docs));
    }
    const commits = await this.repository.commitsAhead(pull.base.sha, pull.head.sha);
    const outcome = await this.repository.merge({
      baseRef: pull.base.ref,
      baseSha: pull.base.sha,
      headSha: pull.head.sha,
      method,
      message: this.mergeMessage(pull, method, commits, options),
      author: this.identity(),
    });
    if (!outcome.merged) throw new GitHubError(failure(405, MERGE_REFUSALS[outcome.reason], docs));
    this.closePull(pull);
    pull.merged = true;
    pull.mergedAt = pull.closedAt;
    pull.mergeCommitSha = outcome.sha;
    return outcome.sha;
  }

  /**
   * GitHub's default messages (a repository's default settings, as `repositoryJson` states them);
   * `commit_title` and `commit_message` replace their parts. A rebase keeps each commit's own message.
   */
  private mergeMessage(pull: FakePull, method: MergeMethod, commits: CommitInfo[], custom: MessageParts): string {
    if (method === 'merge') {
      const title = custom.title ?? `Merge pull request #${pull.number} from ${this.owner}/${pull.head.ref}`;
      return withBody(title, custom.message ?? pull.title);
    }
    const [only, ...others] = commits;
    // COMMIT_OR_PR_TITLE: a single commit keeps its own subject and body; several go under the PR's title.
    if (only && others.length === 0) {
      const { subject, body } = splitMessage(only.message);
      return withBody(custom.title ?? `${subject} (#${pull.number})`, custom.message ?? body);
    }
    const title = custom.title ?? `${pull.title} (#${pull.number})`;
    return withBody(title, custom.message ?? commits.map(squashEntry).join('\n\n'));
  }

  /** The merging user, as GitHub records it on merge and squash commits (GitHub itself is the committer). */
  private identity(): Identity {
    return { name: this.login, email: `${userId(this.login)}+${this.login}@users.noreply.github.com` };
  }

  // ---- labels and comments ----

  private async addLabels(call: Call): Promise<Reply> {
    const pull = this.pullOrNotFound(Number(call.params.issue_number));
    const requested = Array.isArray(call.body.labels) ? call.body.labels : [];
    for (const item of requested) {
      const name = typeof item === 'string' ? item : String(asRecord(item).name);
      // Like GitHub, a label that does not exist yet is created.
      const label =
        this.state.labels.get(name.toLowerCase()) ?? this.addLabel({ name, color: 'ededed', description: null });
      if (!pull.labels.some((existing) => existing.toLowerCase() === name.toLowerCase())) pull.labels.push(label.name);
    }
    pull.updatedAt = timestamp();
    return { status: 200, body: pull.labels.map((name) => this.labelJson(name)) };
  }

  private async getLabel(call: Call): Promise<Reply> {
    const label = this.state.labels.get((call.params.name ?? '').toLowerCase());
    if (!label) throw new GitHubError(failure(404, 'Not Found', call.operation.documentationUrl));
    return { status: 200, body: this.labelJson(label.name) };
  }

  private async createLabel(call: Call): Promise<Reply> {
    const docs = call.operation.documentationUrl;
    const name = String(call.body.name);
    const color = optionalString(call.body.color) ?? 'ededed';
    if (this.state.labels.has(name.toLowerCase())) {
      throw new GitHubError(validationFailedWith(docs, [{ resource: 'Label', code: 'already_exists', field: 'name' }]));
    }
    if (!/^[0-9a-fA-F]{6}$/.test(color)) {
      throw new GitHubError(validationFailedWith(docs, [{ resource: 'Label', code: 'invalid', field: 'color' }]));
    }
    this.addLabel({ name, color: color.toLowerCase(), description: optionalString(call.body.description) ?? null });
    const body = this.labelJson(name);
    return { status: 201, body, headers: { location: body.url } };
  }

  private addLabel(label: FakeLabel): FakeLabel {
    this.state.labels.set(label.name.toLowerCase(), label);
    return label;
  }

  private async listComments(call: Call): Promise<Reply> {
    const number = this.pullOrNotFound(Number(call.params.issue_number)).number;
    const since = call.query.get('since');
    const comments = this.state.comments.filter(
      (comment) => comment.issueNumber === number && (since === null || comment.updatedAt >= since),
    );
    const page = paginate(comments, call.url);
    return { status: 200, body: page.items.map((comment) => this.commentJson(comment)), headers: page.headers };
  }

  private async createComment(call: Call): Promise<Reply> {
    const pull = this.pullOrNotFound(Number(call.params.issue_number));
    const comment = this.addComment(pull, this.login, String(call.body.body));
    const body = this.commentJson(comment);
    return { status: 201, body, headers: { location: body.url } };
  }

  private addComment(pull: FakePull, login: string, text: string): FakeComment {
    const now = timestamp();
    const comment: FakeComment = {
      id: this.nextId++,
      issueNumber: pull.number,
      body: text,
      user: login,
      createdAt: now,
      updatedAt: now,
    };
    this.state.comments.push(comment);
    return comment;
  }

  // ---- reactions and permissions ----

  /**
   * The token's user reacts to an issue comment. GitHub answers 201 with the new reaction, or 200 with the one
   * already there when this user already gave this comment this reaction (nothing new is recorded then).
   */
  private async createReaction(call: Call): Promise<Reply> {
    const docs = call.operation.documentationUrl;
    const commentId = Number(call.params.comment_id);
    if (!this.state.comments.some((comment) => comment.id === commentId)) {
      throw new GitHubError(failure(404, 'Not Found', docs));
    }
    // The request-shape check already refuses a content outside GitHub's list; this keeps the handler honest alone.
    const content = REACTION_CONTENTS.find((known) => known === call.body.content);
    if (content === undefined) {
      throw new GitHubError(validationFailedWith(docs, [{ resource: 'Reaction', code: 'invalid', field: 'content' }]));
    }
    const existing = this.state.reactions.find(
      (reaction) => reaction.commentId === commentId && reaction.content === content && reaction.user === this.login,
    );
    if (existing) return { status: 200, body: this.reactionJson(existing) };
    const reaction: FakeReaction = { commentId, content, user: this.login };
    this.reactionMeta.set(reaction, { id: this.nextId++, createdAt: timestamp() });
    this.state.reactions.push(reaction);
    return { status: 201, body: this.reactionJson(reaction) };
  }

  /**
   * `permission` is GitHub's legacy base role (maintain reads as write, triage as read), `role_name` the role.
   *
   * A login no test gave a role answers 200 with permission and role_name 'none'. GitHub itself answers a user
   * who exists but is no collaborator of a public repository with 'read' (anyone may read it), and a login that
   * names no user with 404; the fake knows of no users beyond its roles, and 'none' is the answer code deciding
   * whether to trust a person must already treat as "not trusted", so tests of strangers need no set-up.
   */
  private async getPermission(call: Call): Promise<Reply> {
    const login = call.params.username ?? '';
    const role = this.roleOf(login);
    const user = { ...this.userJson(login), permissions: rolePermissions(role), role_name: role };
    return { status: 200, body: { permission: LEGACY_PERMISSION[role], role_name: role, user } };
  }

  // ---- response shapes, as GitHub's ----

  private get apiRepoUrl(): string {
    return `${this.url}/repos/${this.owner}/${this.repo}`;
  }

  private get htmlRepoUrl(): string {
    return `${HTML_ROOT}/${this.owner}/${this.repo}`;
  }

  private associationOf(login: string): AuthorAssociation {
    return authorAssociation(this.owner, login, this.roleOf(login));
  }

  private reactionJson(reaction: FakeReaction) {
    const meta = this.reactionMeta.get(reaction);
    if (!meta) throw new Error(`reaction ${reaction.content} by ${reaction.user} has no id`);
    return {
      id: meta.id,
      node_id: `REA_${meta.id}`,
      user: this.userJson(reaction.user),
      content: reaction.content,
      created_at: meta.createdAt,
    };
  }

  private userJson(login: string) {
    const id = userId(login);
    return {
      login,
      id,
      node_id: `U_${id}`,
      type: userType(login),
      site_admin: false,
      url: `${this.url}/users/${login}`,
      html_url: `${HTML_ROOT}/${login}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    };
  }

  private repositoryJson() {
    return {
      id: userId(`${this.owner}/${this.repo}`),
      node_id: `R_${this.owner}_${this.repo}`,
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      owner: this.userJson(this.owner),
      private: false,
      visibility: 'public',
      fork: false,
      url: this.apiRepoUrl,
      html_url: this.htmlRepoUrl,
      clone_url: `${this.htmlRepoUrl}.git`,
      default_branch: this.defaultBranch,
      permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
      allow_merge_commit: true,
      allow_squash_merge: true,
      allow_rebase_merge: true,
      delete_branch_on_merge: false,
      // GitHub's defaults, which the fake's merge and squash messages follow.
      merge_commit_title: 'MERGE_MESSAGE',
      merge_commit_message: 'PR_TITLE',
      squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
      squash_merge_commit_message: 'COMMIT_MESSAGES',
    };
  }

  private branchJson(branch: { ref: string; sha: string }) {
    return {
      label: `${this.owner}:${branch.ref}`,
      ref: branch.ref,
      sha: branch.sha,
      user: this.userJson(this.owner),
      repo: this.repositoryJson(),
    };
  }

  /** The list shape ("pull-request-simple"): no `merged` or `mergeable`, as on GitHub. */
  private pullJson(pull: FakePull) {
    const api = `${this.apiRepoUrl}/pulls/${pull.number}`;
    const html = `${this.htmlRepoUrl}/pull/${pull.number}`;
    return {
      url: api,
      id: 1_000_000 + pull.number,
      node_id: `PR_${pull.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${this.apiRepoUrl}/issues/${pull.number}`,
      commits_url: `${api}/commits`,
      comments_url: `${this.apiRepoUrl}/issues/${pull.number}/comments`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: this.userJson(pull.user),
      body: pull.body,
      labels: pull.labels.map((name) => this.labelJson(name)),
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      draft: pull.draft,
      head: this.branchJson(pull.head),
      base: this.branchJson(pull.base),
      author_association: this.associationOf(pull.user),
    };
  }

  /** The single-pull shape: adds `merged`, `mergeable` (computed with git for open ones) and counts. */
  private async fullPullJson(pull: FakePull) {
    const mergeable = pull.state === 'open' ? await this.repository.mergeable(pull.base.sha, pull.head.sha) : null;
    return {
      ...this.pullJson(pull),
      merged: pull.merged,
      merged_by: pull.merged ? this.userJson(this.login) : null,
      mergeable,
      mergeable_state: mergeable === null ? 'unknown' : mergeable ? 'clean' : 'dirty',
      maintainer_can_modify: false,
      comments: this.state.comments.filter((comment) => comment.issueNumber === pull.number).length,
    };
  }

  private labelJson(name: string) {
    const label = this.state.labels.get(name.toLowerCase()) ?? { name, color: 'ededed', description: null };
    return {
      id: userId(`label:${label.name.toLowerCase()}`),
      node_id: `LA_${encodeURIComponent(label.name)}`,
      url: `${this.apiRepoUrl}/labels/${encodeURIComponent(label.name)}`,
      name: label.name,
      color: label.color,
      description: label.description,
      default: false,
    };
  }

  private commentJson(comment: FakeComment) {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${this.apiRepoUrl}/issues/comments/${comment.id}`,
      html_url: `${this.htmlRepoUrl}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${this.apiRepoUrl}/issues/${comment.issueNumber}`,
      body: comment.body,
      user: this.userJson(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: this.associationOf(comment.user),
    };
  }
}

// ---- answers ----

function failure(status: number, message: string, documentationUrl: string | null): Reply {
  return { status, body: { message, documentation_url: documentationUrl ?? DOCS, status: String(status) } };
}

function validationFailedWith(documentationUrl: string | null, errors: ErrorItem[]): Reply {
  return {
    status: 422,
    body: { message: 'Validation Failed', errors, documentation_url: documentationUrl ?? DOCS, status: '422' },
  };
}

function validationFailed(operation: Operation, errors: ErrorItem[]): Reply {
  return validationFailedWith(operation.documentationUrl, errors);
}

function invalidField(documentationUrl: string | null, field: string): Reply {
  return validationFailedWith(documentationUrl, [{ resource: 'PullRequest', code: 'invalid', field }]);
}

function customError(documentationUrl: string | null, message: string, field?: string): Reply {
  const error: ErrorItem = { resource: 'PullRequest', code: 'custom', message, ...(field ? { field } : {}) };
  return validationFailedWith(documentationUrl, [error]);
}

/** `permission` in GitHub's answer: the legacy base roles, maintain mapped to write and triage to read. */
const LEGACY_PERMISSION: Record<RepositoryRole | 'none', 'admin' | 'write' | 'read' | 'none'> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

/** The `permissions` flags GitHub gives a collaborator with `role`: each role has those below it. */
function rolePermissions(role: RepositoryRole | 'none') {
  const order = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];
  const atLeast = (wanted: string) => order.indexOf(role) >= order.indexOf(wanted);
  return {
    admin: atLeast('admin'),
    maintain: atLeast('maintain'),
    push: atLeast('write'),
    triage: atLeast('triage'),
    pull: atLeast('read'),
  };
}

/**
 * `author_association` as GitHub gives it on a user-owned repository: the owner, a collaborator (anyone with a
 * role), or no relation. GitHub's CONTRIBUTOR and FIRST_TIMER kinds, which need a commit history, are left out.
 */
export function authorAssociation(owner: string, login: string, role: RepositoryRole | 'none'): AuthorAssociation {
  if (login.toLowerCase() === owner.toLowerCase()) return 'OWNER';
  return role === 'none' ? 'NONE' : 'COLLABORATOR';
}

/** GitHub Apps act as `name[bot]` users of type Bot (github-actions[bot] for GITHUB_TOKEN). */
export function userType(login: string): 'User' | 'Bot' {
  return login.endsWith('[bot]') ? 'Bot' : 'User';
}

const MERGE_REFUSALS: Record<MergeRefusal, string> = {
  conflict: 'Pull Request is not mergeable',
  'cannot-rebase': "This branch can't be rebased",
  'base-moved': 'Base branch was modified. Review and try the merge again.',
};

// ---- small helpers ----

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describeBody(body: unknown): string {
  const message = asRecord(body).message;
  return typeof message === 'string' ? message : JSON.stringify(body);
}

/** GitHub's timestamps: ISO 8601 to the second. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A stable numeric id for a name, so answers are the same from run to run. */
function userId(name: string): number {
  return parseInt(createHash('sha1').update(name).digest('hex').slice(0, 7), 16);
}

function requestId(count: number): string {
  const hex = count.toString(16).toUpperCase().padStart(8, '0');
  return `FA4E:${hex.slice(0, 4)}:${hex}:${hex}:${hex.slice(4)}`;
}

function withBody(title: string, body: string): string {
  return body.trim() === '' ? `${title}\n` : `${title}\n\n${body.replace(/\s+$/, '')}\n`;
}

/** GitHub's squash message lists each commit as `* subject`, then its body (trailers included). */
function squashEntry(commit: CommitInfo): string {
  const { subject, body } = splitMessage(commit.message);
  return body ? `* ${subject}\n\n${body}` : `* ${subject}`;
}

function splitMessage(message: string): { subject: string; body: string } {
  const [subject = '', ...rest] = message.replace(/\s+$/, '').split('\n');
  return { subject, body: rest.join('\n').trim() };
}

function sortPulls(pulls: FakePull[], sort: string, direction: string | null): FakePull[] {
  // popularity and long-running need comment counts and activity windows; created order stands in for them.
  const key = (pull: FakePull) => (sort === 'updated' ? pull.updatedAt : pull.createdAt);
  const ascending = direction === 'asc' || (direction === null && sort !== 'created' && sort !== 'updated');
  const sorted = [...pulls].sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
  return ascending ? sorted : sorted.reverse();
}

/** `per_page` / `page` slicing with a `Link` header, which octokit's paginate follows. */
function paginate<T>(items: T[], url: URL): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const pageUrl = (n: number) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    return target.toString();
  };
  const links: string[] = [];
  if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
  if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`);
  const headers: Record<string, string> = links.length ? { link: links.join(', ') } : {};
  return { items: items.slice((page - 1) * perPage, page * perPage), headers };
}

// ---- the repository: real (a bare git repository) or virtual ----

interface Identity {
  name: string;
  email: string;
}

interface CommitInfo {
  sha: string;
  parents: string[];
  /** The raw message, exactly as stored (trailers included). */
  message: string;
  author: Identity & { date: string };
}

interface MergeRequest {
  baseRef: string;
  baseSha: string;
  headSha: string;
  method: MergeMethod;
  /** Message of the merge or squash commit; a rebase keeps each commit's own. */
  message: string;
  author: Identity;
}

type MergeRefusal = 'conflict' | 'cannot-rebase' | 'base-moved';
type MergeOutcome = { merged: true; sha: string } | { merged: false; reason: MergeRefusal };

interface Repository {
  /** The branch's head commit, or undefined when there is no such branch. */
  tip(branch: string): Promise<string | undefined>;
  /** Commits reachable from head and not from base, oldest first. */
  commitsAhead(baseSha: string, headSha: string): Promise<CommitInfo[]>;
  mergeable(baseSha: string, headSha: string): Promise<boolean>;
  merge(request: MergeRequest): Promise<MergeOutcome>;
  /** False when there was no such branch. */
  deleteBranch(branch: string): Promise<boolean>;
}

/**
 * Without a bare repository every branch exists, one made-up commit ahead of any other, and merges always
 * succeed: enough for tests about pull-request bookkeeping rather than git content.
 */
class VirtualRepository implements Repository {
  private readonly tips = new Map<string, string>();
  private readonly deleted = new Set<string>();

  async tip(branch: string): Promise<string | undefined> {
    if (this.deleted.has(branch)) return undefined;
    return this.tips.get(branch) ?? fakeSha(`branch:${branch}`);
  }

  async commitsAhead(baseSha: string, headSha: string): Promise<CommitInfo[]> {
    if (baseSha === headSha) return [];
    const author = { ...GITHUB_IDENTITY, date: '0 +0000' };
    return [{ sha: headSha, parents: [baseSha], message: 'Changes\n', author }];
  }

  async mergeable(): Promise<boolean> {
    return true;
  }

  async merge(request: MergeRequest): Promise<MergeOutcome> {
    const sha = fakeSha(`${request.method}:${request.baseSha}:${request.headSha}`);
    this.tips.set(request.baseRef, sha);
    return { merged: true, sha };
  }

  async deleteBranch(branch: string): Promise<boolean> {
    if (this.deleted.has(branch)) return false;
    this.deleted.add(branch);
    return true;
  }
}

function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/**
 * A bare git repository, read and written with native git plumbing (no working tree, so nothing to clean
 * up and nothing a test's own clone could trip over). Commits are made as GitHub makes them: the committer
 * is `GitHub <noreply@github.com>`.
 */
class GitRepository implements Repository {
  constructor(private readonly gitDir: string) {}

  async tip(branch: string): Promise<string | undefined> {
    if (!isPlausibleBranchName(branch)) return undefined;
    const result = await runGit(this.gitDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  async commitsAhead(baseSha: string, headSha: string): Promise<CommitInfo[]> {
    const listed = await this.git(['rev-list', '--reverse', '--topo-order', `${baseSha}..${headSha}`]);
    const shas = listed.split('\n').filter(Boolean);
    return Promise.all(shas.map((sha) => this.readCommit(sha)));
  }

  async mergeable(baseSha: string, headSha: string): Promise<boolean> {
    return (await this.mergeTrees(baseSha, headSha)) !== undefined;
  }

  async merge(request: MergeRequest): Promise<MergeOutcome> {
    const tree = await this.mergeTrees(request.baseSha, request.headSha);
    if (tree === undefined) return { merged: false, reason: 'conflict' };
    let sha: string | undefined;
    if (request.method === 'merge') {
      sha = await this.commitTree(tree, [request.baseSha, request.headSha], request.message, request.author);
    } else if (request.method === 'squash') {
      sha = await this.commitTree(tree, [request.baseSha], request.message, request.author);
    } else {
      sha = await this.replay(request.baseSha, request.headSha);
      if (sha === undefined) return { merged: false, reason: 'cannot-rebase' };
    }
    // Only moves the base if nobody pushed to it meanwhile, as GitHub refuses a merge onto a moved base.
    const moved = await runGit(this.gitDir, ['update-ref', `refs/heads/${request.baseRef}`, sha, request.baseSha]);
    return moved.code === 0 ? { merged: true, sha } : { merged: false, reason: 'base-moved' };
  }

  async deleteBranch(branch: string): Promise<boolean> {
    const sha = await this.tip(branch);
    if (sha === undefined) return false;
    await this.git(['update-ref', '-d', `refs/heads/${branch}`, sha]);
    return true;
  }

  /**
   * Re-applies each commit of the pull request on top of base, keeping message and author, as GitHub's
   * "rebase and merge" does. Undefined when a commit does not apply or is a merge commit.
   */
  private async replay(baseSha: string, headSha: string): Promise<string | undefined> {
    let current = baseSha;
    for (const commit of await this.commitsAhead(baseSha, headSha)) {
      const [parent, ...otherParents] = commit.parents;
      if (parent === undefined || otherParents.length > 0) return undefined;
      const tree = await this.cherryPickTree(current, parent, commit.sha);
      if (tree === undefined) return undefined;
      current = await this.commitTree(tree, [current], commit.message, commit.author);
    }
    return current;
  }

  /**
   * The tree of `commit` re-applied onto `onto`: a three-way merge with the commit's parent as base. git 2.39
   * has no `merge-tree --merge-base`, so a throwaway commit with `onto`'s tree and `parent` as its only
   * parent makes `parent` the merge base.
   */
  private async cherryPickTree(onto: string, parent: string, commit: string): Promise<string | undefined> {
    const ontoTree = await this.git(['rev-parse', `${onto}^{tree}`]);
    const standIn = await this.commitTree(ontoTree, [parent], 'stand-in for a cherry-pick\n', GITHUB_IDENTITY);
    return this.mergeTrees(standIn, commit);
  }

  /** The merged tree of two commits, or undefined when they conflict. */
  private async mergeTrees(ours: string, theirs: string): Promise<string | undefined> {
    const result = await runGit(this.gitDir, ['merge-tree', '--write-tree', '--no-messages', ours, theirs]);
    if (result.code === 1) return undefined;
    if (result.code !== 0) throw new Error(`git merge-tree failed: ${result.stderr.trim()}`);
    return result.stdout.split('\n')[0]?.trim();
  }

  private async commitTree(
    tree: string,
    parents: string[],
    message: string,
    author: Identity & { date?: string },
  ): Promise<string> {
    const env: Record<string, string> = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email };
    if (author.date) env.GIT_AUTHOR_DATE = author.date;
    const parentArgs = parents.flatMap((parent) => ['-p', parent]);
    // Through stdin the message is stored verbatim, so a replayed commit keeps its exact text and trailers.
    return this.git(['commit-tree', tree, ...parentArgs], { input: message, env });
  }

  private async readCommit(sha: string): Promise<CommitInfo> {
    const raw = await runGit(this.gitDir, ['cat-file', 'commit', sha]);
    if (raw.code !== 0) throw new Error(`git cat-file failed: ${raw.stderr.trim()}`);
    const split = raw.stdout.indexOf('\n\n');
    const headers = (split < 0 ? raw.stdout : raw.stdout.slice(0, split)).split('\n');
    const message = split < 0 ? '' : raw.stdout.slice(split + 2);
    const parents = headers.filter((line) => line.startsWith('parent ')).map((line) => line.slice('parent '.length));
    const authorLine = headers.find((line) => line.startsWith('author ')) ?? '';
    const author = /^author (.*) <([^>]*)> (\d+ [+-]\d{4})$/.exec(authorLine);
    if (!author) throw new Error(`commit ${sha} has an unreadable author line`);
    return { sha, parents, message, author: { name: author[1] ?? '', email: author[2] ?? '', date: author[3] ?? '' } };
  }

  private async git(args: string[], options: GitRunOptions = {}): Promise<string> {
    const result = await runGit(this.gitDir, args, options);
    if (result.code !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr.trim()}`);
    return result.stdout.trim();
  }
}

/** Branch names come from requests: refuse what could be read as an option or escape refs/heads/. */
function isPlausibleBranchName(branch: string): boolean {
  return /^[\w./-]+$/.test(branch) && !branch.startsWith('-') && !branch.includes('..') && !branch.endsWith('/');
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface GitRunOptions {
  input?: string;
  env?: Record<string, string>;
}

/**
 * Runs native git on `gitDir` with no user or system configuration and the GitHub committer. Inherited GIT_*
 * variables are dropped: a test run from a git hook has GIT_DIR set, which would point git elsewhere.
 */
function runGit(gitDir: string, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
  const env = {
    ...inherited,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_COMMITTER_NAME: GITHUB_IDENTITY.name,
    GIT_COMMITTER_EMAIL: GITHUB_IDENTITY.email,
    LC_ALL: 'C',
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn('git', ['--git-dir', gitDir, ...args], { env, stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin?.end(options.input);
  });
}
