import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as isogit from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, runGit, type GitServer } from '../helpers/git-server.js';
import { commitFiles, git, makeTempDir, makeTempRepo } from '../helpers/git.js';

const TOKEN = 'test-token-0123456789';
const withToken = () => ({ username: 'x-access-token', password: TOKEN });

let server: GitServer;
beforeAll(async () => {
  server = await startGitServer({ token: TOKEN });
});
afterAll(async () => {
  await server?.close();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function tempRepo(files: Record<string, string>) {
  const repo = await makeTempRepo(files);
  cleanups.push(repo.cleanup);
  return repo;
}

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  cleanups.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The repository URL with Basic credentials in it, the way native git takes a token. */
function urlWithCredentials(name: string, username: string, password: string): string {
  const url = new URL(server.repoUrl(name));
  url.username = username;
  url.password = password;
  return url.toString();
}

/** The requests made while `action` ran. */
async function requestsDuring(action: () => Promise<unknown>): Promise<GitServer['requests']> {
  const before = server.requests.length;
  await action();
  return server.requests.slice(before);
}

/** Every ref of the bare repository `name`, read with native git. */
function bareRefs(name: string): string {
  return git(server.bareDir(name), ['for-each-ref', '--format=%(refname) %(objectname)']);
}

describe('git smart-HTTP test server', () => {
  it('listens on 127.0.0.1 and answers 401 with a Basic challenge to requests without the token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await server.createBare('challenge');
    const res = await fetch(`${server.repoUrl('challenge')}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/challenge.git/info/refs',
      service: 'git-upload-pack',
      status: 401,
    });
  });

  it('takes a native git push and serves a native git clone', async () => {
    const repo = await tempRepo({ 'memory/notes.md': '# Notes\n' });
    await server.createBare('native');

    const pushed = await requestsDuring(() =>
      runGit(repo.dir, ['push', '-q', urlWithCredentials('native', 'x-access-token', TOKEN), 'main']),
    );
    expect(pushed).toContainEqual(
      expect.objectContaining({ method: 'POST', service: 'git-receive-pack', status: 200 }),
    );
    expect(git(server.bareDir('native'), ['rev-parse', 'refs/heads/main'])).toBe(repo.head);

    // GitHub's other spelling: the token as the username.
    const clone = path.join(await tempDir(), 'clone');
    await runGit(path.dirname(clone), ['clone', '-q', urlWithCredentials('native', TOKEN, 'x-oauth-basic'), clone]);
    expect(git(clone, ['rev-parse', 'HEAD'])).toBe(repo.head);
    expect(await readFile(path.join(clone, 'memory/notes.md'), 'utf8')).toBe('# Notes\n');
  });

  it('inflates the gzip-compressed negotiation native git sends when it wants many commits', async () => {
    const repo = await tempRepo({ 'a.md': 'a\n' });
    // Forty branches on forty commits make the want list pass the 1 KiB at which git starts compressing.
    for (let i = 0; i < 40; i++) {
      const commit = git(repo.dir, ['commit-tree', 'HEAD^{tree}', '-p', 'HEAD', '-m', `branch ${i}`]);
      git(repo.dir, ['branch', `b${i}`, commit]);
    }
    await server.createBare('gzip', { from: repo.dir });

    const clone = path.join(await tempDir(), 'clone');
    const fetched = await requestsDuring(() =>
      runGit(path.dirname(clone), ['clone', '-q', urlWithCredentials('gzip', 'x-access-token', TOKEN), clone]),
    );
    expect(fetched).toContainEqual(
      expect.objectContaining({ method: 'POST', service: 'git-upload-pack', contentEncoding: 'gzip', status: 200 }),
    );
    expect(git(clone, ['for-each-ref', '--count=100', 'refs/remotes/origin/b*']).split('\n')).toHaveLength(40);
  });

  it('takes an isomorphic-git push and serves isomorphic-git clone and fetch', async () => {
    const repo = await tempRepo({ 'memory/notes.md': '# Notes\n' });
    await server.createBare('iso');
    const remote = { http, url: server.repoUrl('iso'), onAuth: withToken };

    const pushed = await isogit.push({ fs, dir: repo.dir, ...remote, ref: 'main' });
    expect(pushed).toMatchObject({ ok: true, refs: { 'refs/heads/main': { ok: true } } });
    expect(git(server.bareDir('iso'), ['rev-parse', 'refs/heads/main'])).toBe(repo.head);

    const clone = path.join(await tempDir(), 'clone');
    await isogit.clone({ fs, dir: clone, ...remote });
    expect(await isogit.resolveRef({ fs, dir: clone, ref: 'HEAD' })).toBe(repo.head);
    expect(await readFile(path.join(clone, 'memory/notes.md'), 'utf8')).toBe('# Notes\n');

    const next = await commitFiles(repo.dir, { 'memory/notes.md': '# Notes\n\n- more\n' }, 'more');
    await isogit.push({ fs, dir: repo.dir, ...remote, ref: 'main' });
    const fetched = await isogit.fetch({ fs, dir: clone, ...remote, ref: 'main' });
    expect(fetched.fetchHead).toBe(next);
    expect(await isogit.resolveRef({ fs, dir: clone, ref: 'refs/remotes/origin/main' })).toBe(next);
  });

  it('refuses a push with a wrong token with HTTP 401 and leaves the bare repository unchanged', async () => {
    const repo = await tempRepo({ 'memory/notes.md': '# Notes\n' });
    await server.createBare('guarded', { from: repo.dir });
    const refsBefore = bareRefs('guarded');
    await commitFiles(repo.dir, { 'memory/notes.md': '# Vandalised\n' }, 'unwanted');

    const attempt = requestsDuring(() =>
      isogit.push({
        fs,
        http,
        dir: repo.dir,
        url: server.repoUrl('guarded'),
        ref: 'main',
        onAuth: () => ({ username: 'x-access-token', password: 'wrong-token' }),
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'HttpError',
      data: { statusCode: 401 },
    });
    expect(bareRefs('guarded')).toBe(refsBefore);
    // Only the ref discovery was tried (once bare, once with the wrong token); no pack was ever sent.
    const tried = server.requests.filter((r) => r.path.startsWith('/guarded.git/'));
    expect(tried.map((r) => [r.method, r.service, r.status])).toEqual([
      ['GET', 'git-receive-pack', 401],
      ['GET', 'git-receive-pack', 401],
    ]);
  });

  it('creates a branch with a push and moves it forward with the next', async () => {
    const repo = await tempRepo({ 'memory/notes.md': '# Notes\n' });
    await server.createBare('branches', { from: repo.dir });
    const remote = { fs, http, dir: repo.dir, url: server.repoUrl('branches'), onAuth: withToken };
    const bare = server.bareDir('branches');

    git(repo.dir, ['switch', '-q', '-c', 'dream/cycle-1']);
    const first = await commitFiles(repo.dir, { 'memory/notes.md': '# Notes\n\n- one\n' }, 'one');
    const created = await isogit.push({ ...remote, ref: 'dream/cycle-1' });
    expect(created.refs['refs/heads/dream/cycle-1']).toMatchObject({ ok: true });
    expect(git(bare, ['rev-parse', 'refs/heads/dream/cycle-1'])).toBe(first);
    expect(git(bare, ['rev-parse', 'refs/heads/main'])).toBe(repo.head);

    const second = await commitFiles(repo.dir, { 'memory/notes.md': '# Notes\n\n- one\n- two\n' }, 'two');
    await isogit.push({ ...remote, ref: 'dream/cycle-1' });
    expect(git(bare, ['rev-parse', 'refs/heads/dream/cycle-1'])).toBe(second);
    expect(git(bare, ['rev-list', 'refs/heads/dream/cycle-1'])).toBe([second, first, repo.head].join('\n'));
    expect(git(bare, ['fsck', '--no-progress'])).toBe('');
  });

  it('without a token, takes anonymous pushes (http-backend refuses them unless told otherwise)', async () => {
    const open = await startGitServer();
    cleanups.push(() => open.close());
    const repo = await tempRepo({ 'a.md': 'a\n' });
    await open.createBare('open');

    await isogit.push({ fs, http, dir: repo.dir, url: open.repoUrl('open'), ref: 'main' });
    expect(git(open.bareDir('open'), ['rev-parse', 'refs/heads/main'])).toBe(repo.head);
    expect(open.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it('answers injected failures with their status, then serves normally again', async () => {
    const repo = await tempRepo({ 'a.md': 'a\n' });
    await server.createBare('flaky', { from: repo.dir });
    const clone = path.join(await tempDir(), 'clone');
    const remote = { fs, http, dir: clone, url: server.repoUrl('flaky'), onAuth: withToken };

    server.failNext(1, 502);
    await expect(isogit.clone(remote)).rejects.toMatchObject({ code: 'HttpError', data: { statusCode: 502 } });
    await fs.promises.rm(clone, { recursive: true, force: true });
    await isogit.clone(remote);
    expect(await isogit.resolveRef({ fs, dir: clone, ref: 'HEAD' })).toBe(repo.head);
  });
});
