/**
 * The repository on GitHub that a memory repo's cycles go to: where to push (over HTTPS, the only transport
 * isomorphic-git has), and which `owner/name` the API calls are about. A failed push or fetch becomes one of the
 * GitHub errors of errors.ts: refused credentials, the server unavailable, a rate limit, or a refusal of the update.
 */
import path from 'node:path';
import type { PromiseFsClient } from 'isomorphic-git';
import type { GitHttpRequest } from 'isomorphic-git';
import { GitHubCredentialsError, GitHubError, GitHubRateLimitError, GitHubUnavailableError, GitStateError, UsageError } from '../errors.js';
import type { Repo } from '../git/index.js';
import { isoGit } from '../git/iso.js';
import { DEFAULT_WAITS, duration, rateLimitWait, serverErrorWait, sleep, whenWaitEnds, type Headers, type WaitPolicy } from './waits.js';

export interface GitHubRemote {
  /** HTTPS URL to push to and fetch from. */
  url: string;
  /**
   * The git remote whose tracking refs (`refs/remotes/<name>/…`) record what was fetched and pushed: the one reverie.yaml
   * names, one whose URL is the given URL, or else reverie's own, which is never written into .git/config.
   */
  name: string;
  owner: string;
  repo: string;
}

/** The tracking name for a remote given as a URL that no remote of the repository has. */
export const URL_REMOTE_NAME = 'reverie-github';

/**
 * `remote` is a git remote's name (`origin`) or a URL; `repoName` (`owner/name`) wins over what the URL says. An SSH
 * URL is turned into its HTTPS form, since the push authenticates with a token over HTTPS.
 */
export async function resolveRemote(repo: Repo, remote: string, repoName?: string): Promise<GitHubRemote> {
  const isUrl = isRemoteUrl(remote);
  const url = httpsUrl(isUrl ? remote : await remoteUrl(repo, remote));
  const fromUrl = ownerAndName(url);
  const [owner, name] = (repoName ?? fromUrl ?? '').split('/');
  if (!owner || !name) throw new UsageError(`cannot tell the GitHub repository from ${describe(url)}; set github.repo: owner/name in reverie.yaml`);
  return { url, name: isUrl ? await remoteNamed(repo, url) : remote, owner, repo: name };
}

/**
 * Whether a remote's URL is on the GitHub server whose REST API is `apiUrl`: github.com for `https://api.github.com`,
 * the same host for a GitHub Enterprise Server's `https://<host>/api/v3`. A repository hosted elsewhere (GitLab, a
 * bare repository on a file share) gets no pull request.
 */
export function onGitHubServer(remoteUrl: string, apiUrl: string): boolean {
  try {
    const remoteHost = new URL(httpsUrl(remoteUrl)).hostname.toLowerCase();
    const apiHost = new URL(apiUrl).hostname.toLowerCase();
    return remoteHost === apiHost || `api.${remoteHost}` === apiHost;
  } catch {
    return false;
  }
}

/** `https://…`, `ssh://…`, `git@host:owner/name`, as opposed to the name of a git remote. */
export function isRemoteUrl(remote: string): boolean {
  return /^[a-z]+:\/\/|^[^/\s]+@[^/\s]+:/i.test(remote);
}

export async function remoteUrl(repo: Repo, name: string): Promise<string> {
  const url = (await (await isoGit()).getConfig({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, path: `remote.${name}.url` })) as string | undefined;
  if (!url) throw new UsageError(`the repository has no git remote "${name}"; add it (git remote add ${name} <url>) or set github.remote to a URL in reverie.yaml`);
  return url;
}

/** The repository's remote that already points at `url` (so its tracking refs stay right), else reverie's own name. */
async function remoteNamed(repo: Repo, url: string): Promise<string> {
  for (const { remote, url: own } of await (await isoGit()).listRemotes({ fs: repo.fs, gitdir: repo.gitdir })) {
    if (sameUrl(own, url)) return remote;
  }
  return URL_REMOTE_NAME;
}

function sameUrl(a: string, b: string): boolean {
  try {
    const bare = (url: string) => httpsUrl(url).replace(/(\.git)?\/?$/, '').toLowerCase();
    return bare(a) === bare(b);
  } catch {
    return false;
  }
}

/** `git@host:owner/name.git` and `ssh://git@host/owner/name` become `https://host/owner/name.git`; credentials in the URL go. */
export function httpsUrl(url: string): string {
  const scp = /^[^/\s@]+@([^/\s:]+):(.+)$/.exec(url);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const parsed = new URL(url);
  if (parsed.protocol === 'ssh:' || parsed.protocol === 'git:') return `https://${parsed.hostname}${parsed.pathname}`;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

function ownerAndName(url: string): string | undefined {
  const match = /^[a-z]+:\/\/[^/]+\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** A URL fit for a message: no credentials, no query. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the remote URL';
  }
}

/** How many times a push or fetch is tried again after a server error or a rate limit. */
const RETRIES = 2;

/** What every push and fetch takes: where, with which token, and how long it may wait before trying again. */
export interface TransportInput {
  remote: Pick<GitHubRemote, 'url' | 'name'>;
  token: string;
  /** See WaitPolicy: test time and the cap on a wait. */
  waits?: WaitPolicy;
}

export interface PushInput extends TransportInput {
  /** The branch on the remote (`reverie/dream-...`), and the local branch pushed to it unless `commit` is given. */
  branch: string;
  /** A commit to push to `branch` instead of the local branch's tip (approve pushes main's new tip before moving it). */
  commit?: string;
  /** Replace what the remote has on that branch (a cycle rebuilt under the same name). */
  force?: boolean;
  /** Delete the branch on the remote instead. */
  delete?: boolean;
}

/** Pushes one branch with the token as HTTP Basic credentials, as GitHub takes them (`x-access-token:<token>`). */
export async function pushBranch(repo: Repo, input: PushInput): Promise<void> {
  const what = `push ${input.branch} to ${describe(input.remote.url)}`;
  const result = await withRetries(repo, input, what, async (transport) =>
    (await isoGit()).push({
      ...transport,
      ref: input.commit ?? input.branch,
      remoteRef: `refs/heads/${input.branch}`,
      force: input.force ?? false,
      delete: input.delete ?? false,
    }),
  );
  const refused = Object.entries(result.refs ?? {}).find(([, status]) => !status.ok);
  if (!result.ok || refused) throw updateRefused(what, refused?.[1].error ?? result.error ?? 'no reason given');
}

/**
 * git's "infinite" depth: `deepen 2147483647` is what `git fetch --unshallow` sends, and the server answers it with
 * the whole history and an `unshallow` line for each commit that was a shallow boundary here.
 */
const UNSHALLOW_DEPTH = 2147483647;

/**
 * The commit a branch points at on the remote, fetched into the local object database; undefined when it has none.
 * With `unshallow`, a shallow clone (`.git/shallow`) gets the branch's whole history, so that walks through parents
 * (ancestry, provenance) do not run into commits the clone never fetched.
 */
export async function fetchBranch(repo: Repo, input: TransportInput & { branch: string; unshallow?: boolean }): Promise<string | undefined> {
  const { branch, ...rest } = input;
  return fetchRef(repo, { ...rest, ref: branch });
}

/**
 * The commit any ref points at on the remote (a branch by its short name, or a full ref such as
 * `refs/reverie/engine`), fetched into the local object database; undefined when the remote has no such ref. No local
 * ref is written but the remote's tracking branches, as its fetch refspec maps them.
 */
export async function fetchRef(repo: Repo, input: TransportInput & { ref: string; unshallow?: boolean }): Promise<string | undefined> {
  const result = await withRetries(repo, input, `fetch ${input.ref} from ${describe(input.remote.url)}`, async (transport) =>
    (await isoGit())
      .fetch({
        ...transport,
        fs: withRemoteInConfig(repo, input.remote),
        ref: input.ref,
        singleBranch: true,
        tags: false,
        ...(input.unshallow ? { depth: UNSHALLOW_DEPTH } : {}),
      })
      // No such ref there: an answer, not a failure.
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'NotFoundError') return undefined;
        throw error;
      }),
  );
  return result?.fetchHead ?? undefined;
}

/**
 * Pushes the local full ref `ref` (`refs/reverie/engine`) to the same name on the remote. With `force`, whatever the
 * remote has there is replaced; the caller checks first (remoteRefTip) that it is what it expects.
 */
export async function pushRef(repo: Repo, input: TransportInput & { ref: string; force?: boolean }): Promise<void> {
  const what = `push ${input.ref} to ${describe(input.remote.url)}`;
  const result = await withRetries(repo, input, what, async (transport) => (await isoGit()).push({ ...transport, ref: input.ref, remoteRef: input.ref, force: input.force ?? false }));
  const refused = Object.entries(result.refs ?? {}).find(([, status]) => !status.ok);
  if (!result.ok || refused) throw updateRefused(what, refused?.[1].error ?? result.error ?? 'no reason given');
}

/** The commit a branch points at on the remote, read from its ref advertisement: nothing is fetched or written. */
export async function remoteBranchTip(repo: Repo, input: TransportInput & { branch: string }): Promise<string | undefined> {
  const { branch, ...rest } = input;
  return remoteRefTip(repo, { ...rest, ref: `refs/heads/${branch}` });
}

/** The commit a full ref points at on the remote, read from its ref advertisement: nothing is fetched or written. */
export async function remoteRefTip(repo: Repo, input: TransportInput & { ref: string }): Promise<string | undefined> {
  const { ref } = input;
  const refs = await withRetries(repo, input, `read ${ref.replace(/^refs\/heads\//, '')} on ${describe(input.remote.url)}`, async ({ http, url, onAuth, onAuthFailure }) =>
    // Protocol v1: the ref advertisement alone, one GET; v2 would ask for it in a POST, as a fetch does.
    (await isoGit()).listServerRefs({ http, url, onAuth, onAuthFailure, prefix: ref, protocolVersion: 1 }),
  );
  return refs.find((r) => r.ref === ref)?.oid;
}

/**
 * The repository's file system, with `remote` in what isomorphic-git reads of .git/config when the repository has no
 * remote of that name: a fetch records what it fetched under the remote's fetch refspec, and refuses without one. So
 * a `github.remote` given as a URL works without an `origin`, and without reverie writing a remote into the config.
 */
function withRemoteInConfig(repo: Repo, remote: TransportInput['remote']): PromiseFsClient {
  if (remote.name !== URL_REMOTE_NAME) return repo.fs;
  const configFile = path.resolve(repo.gitdir, 'config');
  const section = `\n[remote "${remote.name}"]\n\turl = ${remote.url}\n\tfetch = +refs/heads/*:refs/remotes/${remote.name}/*\n`;
  const readFile = repo.fs.promises.readFile as (file: string, options?: unknown) => Promise<string | Uint8Array>;
  const withSection = async (file: string, options?: unknown): Promise<string | Uint8Array> => {
    if (path.resolve(String(file)) !== configFile) return readFile(file, options);
    const text = await readFile(file, 'utf8').catch(() => '');
    const whole = `${typeof text === 'string' ? text : Buffer.from(text).toString('utf8')}${section}`;
    return typeof options === 'string' || (options as { encoding?: string } | undefined)?.encoding ? whole : Buffer.from(whole, 'utf8');
  };
  return { promises: { ...repo.fs.promises, readFile: withSection } };
}

/**
 * Runs a push or fetch, and again after an answer that asks for patience: a server error (after what its
 * `retry-after` asks, else a short backoff) or a rate limit (as long as it lasts, up to the cap). Any failure leaves as
 * one of the GitHub errors, or as GitStateError for a push the remote refuses because its branch has moved.
 */
async function withRetries<T>(repo: Repo, input: TransportInput, what: string, run: (transport: Transport) => Promise<T>): Promise<T> {
  const waits = input.waits ?? DEFAULT_WAITS;
  for (let retry = 0; ; retry++) {
    const answers: Answer[] = [];
    try {
      return await run(transport(repo, input, answers));
    } catch (error) {
      const failure = transportFailure(error, answers.at(-1), { nowMs: Date.now(), retry: retry + 1 });
      const worthWaiting = (failure.kind === 'rate-limit' || failure.kind === 'unavailable') && failure.wait <= waits.maxWaitSeconds;
      if (!worthWaiting || retry >= RETRIES) throw transportError(failure, what, waits, error);
      await sleep(failure.wait, waits);
    }
  }
}

/** The HTTP answer behind a failed push or fetch: isomorphic-git's errors keep the status but not the headers. */
interface Answer {
  status: number;
  headers: Headers;
}

type Transport = ReturnType<typeof transport>;

/** What every push and fetch takes: the repository, an HTTP client that notes failed answers, the URL and the token. */
function transport(repo: Repo, input: TransportInput, answers: Answer[]) {
  const noting = {
    // Loaded on the first request: its HTTP stack (node:https and its kin) is most of what a cycle that never
    // talks to GitHub would load for it.
    request: async (request: GitHttpRequest) => {
      const { default: http } = await import('isomorphic-git/http/node');
      const response = await http.request(request);
      if (response.statusCode >= 400) answers.push({ status: response.statusCode, headers: (response.headers ?? {}) as Headers });
      return response;
    },
  };
  return { fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, cache: repo.cache, http: noting, url: input.remote.url, remote: input.remote.name, ...auth(input.token) };
}

function auth(token: string) {
  return {
    onAuth: () => ({ username: 'x-access-token', password: token }),
    // A refused token is final: without this isomorphic-git would ask again with the same one.
    onAuthFailure: () => ({ cancel: true }),
  };
}

/** A failed push or fetch, classified: what kind, and the seconds to wait before trying again when it is worth it. */
export type TransportFailure =
  | { kind: 'credentials'; status?: number }
  | { kind: 'rate-limit'; status: number; wait: number }
  | { kind: 'unavailable'; status?: number; wait: number; cause: string }
  | { kind: 'moved' }
  | { kind: 'refused'; reason: string }
  | { kind: 'other'; status?: number; cause: string };

/** Network errors that mean "nothing answered", worth another try. */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/**
 * Pure: what kind of failure an isomorphic-git error is, given the last failed HTTP answer (isomorphic-git keeps its
 * status, not its headers) and which retry would come next (for the backoff after a server error).
 */
export function transportFailure(error: unknown, answer: Answer | undefined, { nowMs, retry }: { nowMs: number; retry: number }): TransportFailure {
  const e = error as { code?: string; data?: { statusCode?: number; reason?: string; result?: { refs?: Record<string, { error?: string }> } }; message?: string };
  // The last failed answer is this error's only for an HTTP error or refused credentials (the 401 before giving up).
  const status = e.data?.statusCode ?? (e.code === 'HttpError' || e.code === 'UserCanceledError' ? answer?.status : undefined);
  if (e.code === 'UserCanceledError' || status === 401) return { kind: 'credentials', ...(status ? { status } : {}) };
  if (e.code === 'PushRejectedError' && e.data?.reason === 'not-fast-forward') return { kind: 'moved' };
  if (e.code === 'GitPushError') return { kind: 'refused', reason: refusalReason(e.data?.result?.refs) ?? e.message ?? 'no reason given' };
  if (status !== undefined) {
    const wait = rateLimitWait({ status, headers: answer?.headers ?? {}, message: e.message ?? '' }, nowMs);
    if (wait !== undefined) return { kind: 'rate-limit', status, wait };
    if (status === 403) return { kind: 'credentials', status };
    if (status >= 500) return { kind: 'unavailable', status, wait: serverErrorWait(answer?.headers, retry, nowMs), cause: `HTTP ${status}` };
  }
  if (e.code && CONNECTION_ERRORS.has(e.code)) return { kind: 'unavailable', wait: retry * retry, cause: e.message ?? e.code };
  return { kind: 'other', ...(status ? { status } : {}), cause: e.message ?? String(error) };
}

function refusalReason(refs: Record<string, { error?: string }> | undefined): string | undefined {
  const reasons = Object.values(refs ?? {}).flatMap((r) => (r.error ? [r.error] : []));
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

function transportError(failure: TransportFailure, what: string, waits: WaitPolicy, error: unknown): Error {
  if (error instanceof GitHubError) return error;
  switch (failure.kind) {
    case 'credentials':
      return new GitHubCredentialsError(
        `could not ${what}: the token was refused${failure.status ? ` (HTTP ${failure.status})` : ''}. Set GITHUB_TOKEN (or GH_TOKEN) to a token with contents: write on the repository.`,
        failure.status,
      );
    case 'rate-limit': {
      const when = whenWaitEnds(failure.wait, Date.now());
      const why = failure.wait > waits.maxWaitSeconds ? `it lifts in ${duration(failure.wait)}, longer than reverie waits (github.max_wait_seconds: ${waits.maxWaitSeconds})` : 'it was still there after waiting it out';
      return new GitHubRateLimitError(`could not ${what}: the git server is rate limiting (HTTP ${failure.status}); ${why}; run it again ${when.words} or later`, failure.status, when.at);
    }
    case 'unavailable': {
      const asked = failure.wait > waits.maxWaitSeconds ? `it asked for ${duration(failure.wait)}, longer than reverie waits (github.max_wait_seconds: ${waits.maxWaitSeconds})` : `also after ${RETRIES} retries`;
      return new GitHubUnavailableError(`could not ${what}: the git server did not answer (${failure.cause}), ${asked}. GitHub may be having trouble (https://www.githubstatus.com): try again later`, failure.status);
    }
    case 'refused':
      return updateRefused(what, failure.reason);
    case 'moved':
      return new GitStateError(`could not ${what}: the branch there has commits this repository does not have (someone pushed, or a pull request was merged); fetch it, then run reverie again`);
    default:
      return new GitHubError(`could not ${what}: ${failure.cause}`, failure.status);
  }
}

/** The remote took the push but refused to update the branch: a protected branch, a hook, a rule of the server. */
function updateRefused(what: string, reason: string): GitHubError {
  return new GitHubError(`could not ${what}: the remote refused the update (${reason}); if the branch is protected, let the token push to it or approve through the pull request`);
}

/** The branches on the remote whose names start with `prefix` (`reverie/dream-`), with their tips; nothing is fetched. */
export async function listRemoteBranches(repo: Repo, input: TransportInput & { prefix: string }): Promise<Map<string, string>> {
  const refs = await withRetries(repo, input, `list the ${input.prefix}* branches of ${describe(input.remote.url)}`, async ({ http, url, onAuth, onAuthFailure }) =>
    (await isoGit()).listServerRefs({ http, url, onAuth, onAuthFailure, prefix: `refs/heads/${input.prefix}`, protocolVersion: 1 }),
  );
  return new Map(refs.map((r) => [r.ref.slice('refs/heads/'.length), r.oid]));
}
