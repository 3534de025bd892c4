/**
 * The repository on GitHub that a memory repo's cycles go to: where to push (over HTTPS, the only transport
 * isomorphic-git has), and which `owner/name` the API calls are about.
 */
import * as git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { GitHubError, UsageError } from '../errors.js';
import type { Repo } from '../git/index.js';

export interface GitHubRemote {
  /** HTTPS URL to push to and fetch from. */
  url: string;
  owner: string;
  repo: string;
}

/**
 * `remote` is a git remote's name (`origin`) or a URL; `repoName` (`owner/name`) wins over what the URL says. An SSH
 * URL is turned into its HTTPS form, since the push authenticates with a token over HTTPS.
 */
export async function resolveRemote(repo: Repo, remote: string, repoName?: string): Promise<GitHubRemote> {
  const configured = /^[a-z]+:\/\/|^[^/\s]+@[^/\s]+:/i.test(remote) ? remote : await remoteUrl(repo, remote);
  const url = httpsUrl(configured);
  const fromUrl = ownerAndName(url);
  const [owner, name] = (repoName ?? fromUrl ?? '').split('/');
  if (!owner || !name) throw new UsageError(`cannot tell the GitHub repository from ${describe(url)}; set github.repo: owner/name in reverie.yaml`);
  return { url, owner, repo: name };
}

async function remoteUrl(repo: Repo, name: string): Promise<string> {
  const url = (await git.getConfig({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, path: `remote.${name}.url` })) as string | undefined;
  if (!url) throw new UsageError(`the repository has no git remote "${name}"; add it (git remote add ${name} <url>) or set github.remote to a URL in reverie.yaml`);
  return url;
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

/** How long to wait before the retries of a push or fetch that met a server error, in seconds. */
const RETRY_AFTER_SECONDS = [1, 3];

export interface PushInput {
  url: string;
  token: string;
  /** Milliseconds per second of waiting between retries (1000; less for tests against a local server). */
  secondMs?: number;
  /** Local branch (`reverie/dream-...`). */
  branch: string;
  /** Replace what the remote has on that branch (a cycle rebuilt under the same name). */
  force?: boolean;
  /** Delete the branch on the remote instead. */
  delete?: boolean;
}

/** Pushes one branch with the token as HTTP Basic credentials, as GitHub takes them (`x-access-token:<token>`). */
export async function pushBranch(repo: Repo, input: PushInput): Promise<void> {
  try {
    const result = await withRetries(input.secondMs, () => git.push({
      ...transport(repo, input.url, input.token),
      ref: input.branch,
      remoteRef: `refs/heads/${input.branch}`,
      force: input.force ?? false,
      delete: input.delete ?? false,
    }));
    const refused = Object.entries(result.refs ?? {}).find(([, status]) => !status.ok);
    if (!result.ok || refused) throw new GitHubError(`the remote refused the push of ${input.branch}: ${refused?.[1].error ?? result.error ?? 'no reason given'}`);
  } catch (error) {
    throw pushError(error, `push ${input.branch} to ${describe(input.url)}`);
  }
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
export async function fetchBranch(repo: Repo, input: { url: string; token: string; branch: string; secondMs?: number; unshallow?: boolean }): Promise<string | undefined> {
  try {
    const result = await withRetries(input.secondMs, () => git.fetch({
      ...transport(repo, input.url, input.token),
      ref: input.branch,
      singleBranch: true,
      tags: false,
      ...(input.unshallow ? { depth: UNSHALLOW_DEPTH } : {}),
    }));
    return result.fetchHead ?? undefined;
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    throw pushError(error, `fetch ${input.branch} from ${describe(input.url)}`);
  }
}

/** Runs a push or fetch again after a 5xx from the server (a proxy's 502, a moment of unavailability). */
async function withRetries<T>(secondMs = 1000, run: () => Promise<T>): Promise<T> {
  for (const wait of RETRY_AFTER_SECONDS) {
    try {
      return await run();
    } catch (error) {
      const status = (error as { data?: { statusCode?: number } }).data?.statusCode ?? 0;
      if (status < 500) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait * secondMs));
    }
  }
  return run();
}

/** What every push and fetch takes: the repository, the URL, and the token as credentials. */
function transport(repo: Repo, url: string, token: string) {
  return { fs: repo.fs, http, dir: repo.dir, gitdir: repo.gitdir, cache: repo.cache, url, ...auth(token) };
}

function auth(token: string) {
  return {
    onAuth: () => ({ username: 'x-access-token', password: token }),
    // A refused token is final: without this isomorphic-git would ask again with the same one.
    onAuthFailure: () => ({ cancel: true }),
  };
}

function pushError(error: unknown, what: string): Error {
  if (error instanceof GitHubError) return error;
  const e = error as { code?: string; data?: { statusCode?: number }; message?: string };
  const status = e.data?.statusCode;
  if (status === 401 || status === 403 || e.code === 'UserCanceledError') {
    return new GitHubError(`could not ${what}: the token was refused${status ? ` (HTTP ${status})` : ''}. Set GITHUB_TOKEN (or GH_TOKEN) to a token with contents: write.`, status);
  }
  if (status) return new GitHubError(`could not ${what}: HTTP ${status}`, status);
  return new GitHubError(`could not ${what}: ${e.message ?? String(error)}`);
}

/** The branches on the remote whose names start with `prefix` (`reverie/dream-`), with their tips; no objects fetched. */
export async function listRemoteBranches(input: { url: string; token: string; prefix: string; secondMs?: number }): Promise<Map<string, string>> {
  try {
    const refs = await withRetries(input.secondMs, () =>
      git.listServerRefs({ http, url: input.url, prefix: `refs/heads/${input.prefix}`, protocolVersion: 2, ...auth(input.token) }),
    );
    return new Map(refs.map((r) => [r.ref.slice('refs/heads/'.length), r.oid]));
  } catch (error) {
    throw pushError(error, `list the ${input.prefix}* branches of ${describe(input.url)}`);
  }
}
