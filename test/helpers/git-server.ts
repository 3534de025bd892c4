/**
 * A real git smart-HTTP server for tests: a Node `http` server on 127.0.0.1 that hands each request to the CGI
 * program `git http-backend`, so native git and isomorphic-git push and fetch against the same code that
 * serves git over HTTP in production setups, not against a mock of the protocol.
 *
 * The server runs on the test's own event loop, so talk to it with async clients only: a synchronous git
 * call (like `git()` in ./git.ts) blocks the loop the server needs to answer it, and hangs. Use `runGit`.
 */
import { execFile, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { access, constants, mkdtemp, realpath, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface GitServerRequest {
  method: string;
  /** The URL path without the query, e.g. `/notes.git/info/refs`. */
  path: string;
  /** `git-upload-pack` (fetch, clone) or `git-receive-pack` (push), when the request names one. */
  service?: string;
  status: number;
  /** The request's Content-Encoding, e.g. `gzip` (native git compresses large fetch negotiations). */
  contentEncoding?: string;
  /** What `git http-backend` wrote to stderr, if anything (the reason behind a 403 or 404); set when it exits. */
  error?: string;
}

export interface GitServerOptions {
  /**
   * When set, every request needs HTTP Basic auth carrying this token as the password or as the username
   * (GitHub accepts both `x-access-token:<token>` and `<token>:x-oauth-basic`); others get 401.
   */
  token?: string;
  /** Makes the first `count` requests answer `status` (500 by default) without reaching git. */
  failNext?: { count: number; status?: number } & FaultOptions;
}

export interface FaultOptions {
  /** Headers of the scripted answer, e.g. `{ 'Retry-After': '600' }`. */
  headers?: Record<string, string>;
  /** Only requests of this service fail (`git-receive-pack`: pushes); the others are served. */
  service?: 'git-upload-pack' | 'git-receive-pack';
}

export interface GitServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The clone URL of the bare repository `name`. */
  repoUrl(name: string): string;
  /** The folder of the bare repository `name`, for inspecting it with native git. */
  bareDir(name: string): string;
  /**
   * Creates the bare repository `name` (HEAD on main) and returns its folder. With `from`, a local repository,
   * all its branches are pushed into it and HEAD follows `from`'s current branch.
   */
  createBare(name: string, opts?: { from?: string }): Promise<string>;
  /** Every request answered so far, in the order the answers started. */
  requests: GitServerRequest[];
  /** Makes the next `count` requests (of `service`, when given) answer `status` (500 by default) without reaching git. */
  failNext(count: number, status?: number, options?: FaultOptions): void;
  /** Stops the server, ends requests in flight and deletes the repositories. */
  close(): Promise<void>;
}

const REALM = 'reverie test git server';
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);

/**
 * Native git with no user or system config, no prompts and no proxy or askpass settings inherited from the
 * developer's shell, so a failed login fails instead of waiting for a password. Returns trimmed stdout.
 */
export async function runGit(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd: dir, env: { ...gitEnv(), ...env } });
  return stdout.replace(/\n$/, '');
}

function gitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const backend = await findHttpBackend();
  const projectRoot = await realpath(await mkdtemp(path.join(os.tmpdir(), 'reverie-git-server-')));
  const requests: GitServerRequest[] = [];
  const children = new Set<ChildProcess>();
  let failures: { count: number; status: number } & FaultOptions = { status: 500, ...options.failNext, count: options.failNext?.count ?? 0 };

  const server = http.createServer((req, res) => {
    const record: GitServerRequest = describeRequest(req);
    const answer = (status: number, headers: http.OutgoingHttpHeaders = {}): void => {
      record.status = status;
      requests.push(record);
      res.writeHead(status, headers);
    };
    if (failures.count > 0 && (!failures.service || failures.service === record.service)) {
      failures.count--;
      answer(failures.status, { 'Content-Type': 'text/plain', ...failures.headers });
      res.end('injected failure\n');
      return;
    }
    const user = options.token === undefined ? undefined : authenticatedUser(req, options.token);
    if (user === null) {
      answer(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': `Basic realm="${REALM}"` });
      res.end('authentication required\n');
      return;
    }
    const child = runBackend(backend, projectRoot, req, user);
    children.add(child);
    child.on('exit', () => children.delete(child));
    relayBackend(child, req, res, record, answer);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bareDir = (name: string): string => path.join(projectRoot, `${checkRepoName(name)}.git`);

  return {
    url,
    requests,
    bareDir,
    repoUrl: (name) => `${url}/${checkRepoName(name)}.git`,
    createBare: (name, opts = {}) => createBareRepo(bareDir(name), opts.from),
    failNext: (count, status = 500, fault = {}) => {
      failures = { count, status, ...fault };
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const child of children) child.kill();
      await closed;
      await rm(projectRoot, { recursive: true, force: true });
    },
  };
}

/** Some distributions ship `git http-backend` in a separate package; say so rather than fail per request. */
async function findHttpBackend(): Promise<string> {
  const execPath = await runGit(os.tmpdir(), ['--exec-path']);
  const backend = path.join(execPath, 'git-http-backend');
  await access(backend, constants.X_OK).catch(() => {
    throw new Error(`git http-backend not found at ${backend}; install the package that provides it`);
  });
  return backend;
}

/** Names become path segments and URLs; keep them to one plain segment. */
/** `memory`, or `owner/name` for a URL GitHub's way (`/acme/app.git`), which tells the repository's owner and name. */
function checkRepoName(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(name)) throw new Error(`bad repository name: ${name}`);
  return name;
}

async function createBareRepo(dir: string, from: string | undefined): Promise<string> {
  await runGit(os.tmpdir(), ['init', '-q', '--bare', '--initial-branch=main', dir]);
  if (from !== undefined) {
    await runGit(from, ['push', '-q', dir, 'refs/heads/*:refs/heads/*']);
    const branch = await runGit(from, ['symbolic-ref', '-q', 'HEAD']).catch(() => undefined);
    if (branch) await runGit(dir, ['symbolic-ref', 'HEAD', branch]);
  }
  return dir;
}

function describeRequest(req: http.IncomingMessage): GitServerRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const lastSegment = url.pathname.split('/').pop() ?? '';
  const service = url.searchParams.get('service') ?? (SERVICES.has(lastSegment) ? lastSegment : undefined);
  const encoding = req.headers['content-encoding'];
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    status: 0,
    ...(service ? { service } : {}),
    ...(encoding ? { contentEncoding: encoding } : {}),
  };
}

/**
 * The user a request authenticates as, null when it does not carry the token. The token is the password
 * (`x-access-token:<token>`) or the username (`<token>:x-oauth-basic`); in the latter case the other half
 * names the user, so the token never reaches the backend (which writes REMOTE_USER into reflogs).
 */
function authenticatedUser(req: http.IncomingMessage, token: string): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (password === token) return username || 'token';
  if (username === token) return password || 'token';
  return null;
}

/** Starts `git http-backend` with the CGI environment (RFC 3875) it reads the request from. */
function runBackend(
  backend: string,
  projectRoot: string,
  req: http.IncomingMessage,
  user: string | undefined,
): ChildProcessWithoutNullStreams {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(),
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    // Anonymous pushes are refused unless the server enables receive-pack; this server accepts them.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  const optional: Record<string, string | undefined> = {
    CONTENT_TYPE: req.headers['content-type'],
    // Absent for chunked bodies; http-backend then reads stdin to the end.
    CONTENT_LENGTH: req.headers['content-length'],
    // http-backend inflates gzip bodies itself when told the encoding.
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'],
    // Carries `version=2`, which switches upload-pack to protocol v2.
    HTTP_GIT_PROTOCOL: headerValue(req.headers['git-protocol']),
    REMOTE_USER: user,
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) env[name] = value;
  return spawn(backend, [], { env });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Streams the request into the backend and its CGI response back, turning `Status:` into the HTTP status. */
function relayBackend(
  child: ChildProcessWithoutNullStreams,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  record: GitServerRequest,
  answer: (status: number, headers?: http.OutgoingHttpHeaders) => void,
): void {
  const { stdin, stdout, stderr } = child;
  let errors = '';
  stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  child.on('exit', () => {
    if (errors.trim()) record.error = errors.trim();
  });
  // The backend may answer (say 403) without reading the body; its closed stdin is then no error of ours.
  stdin.on('error', () => {});
  req.pipe(stdin);
  res.on('close', () => {
    if (!res.writableFinished) child.kill();
  });

  const fail = (): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    answer(500, { 'Content-Type': 'text/plain' });
    res.end('git http-backend failed\n');
  };
  child.on('error', fail);
  readCgiHead(stdout)
    .then(async (head) => {
      answer(head.status, head.headers);
      await pipeline(stdout, res);
    })
    .catch(fail);
}

interface CgiHead {
  status: number;
  headers: Record<string, string>;
}

/**
 * Reads the CGI header block off `stdout` and leaves the body in the stream. The status comes from a
 * `Status: 404 Not Found` line, 200 when there is none, as RFC 3875 prescribes.
 */
function readCgiHead(stdout: Readable): Promise<CgiHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = findHeadEnd(buffered);
      if (!end) return;
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.pause();
      const body = buffered.subarray(end.bodyStart);
      if (body.length > 0) stdout.unshift(body);
      resolve(parseCgiHead(buffered.subarray(0, end.headEnd).toString('latin1')));
    };
    const onEnd = (): void => reject(new Error('git http-backend ended before sending headers'));
    stdout.on('data', onData);
    stdout.once('end', onEnd);
  });
}

/** CGI programs may end header lines with CRLF or LF; http-backend uses CRLF, but both are legal. */
function findHeadEnd(buffer: Buffer): { headEnd: number; bodyStart: number } | undefined {
  const ends = [
    { at: buffer.indexOf('\r\n\r\n'), length: 4 },
    { at: buffer.indexOf('\n\n'), length: 2 },
  ].filter((end) => end.at >= 0);
  const first = ends.sort((a, b) => a.at - b.at)[0];
  return first && { headEnd: first.at, bodyStart: first.at + first.length };
}

function parseCgiHead(text: string): CgiHead {
  const head: CgiHead = { status: 200, headers: {} };
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') head.status = Number.parseInt(value, 10) || 500;
    else head.headers[name] = value;
  }
  return head;
}
