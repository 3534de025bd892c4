/**
 * The fake GitHub, driven by the real @octokit/rest client with the retry and throttling plugins, as reverie
 * drives GitHub: pull-request bookkeeping, GitHub's refusals, scripted faults the plugins must ride out, and
 * merges that write real commits into a bare repository checked with native git.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { retry } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  rateLimitExceeded,
  secondaryRateLimitExceeded,
  startFakeGitHub,
  type FakeGitHub,
} from '../helpers/fake-github.js';
import { commitFiles, git, makeTempDir, writeFiles, type Files } from '../helpers/git.js';

const OWNER = 'octo';
const REPO = 'memory';
const TOKEN = 'test-token-not-secret';

const GitHubClient = Octokit.plugin(retry, throttling);

/**
 * The throttling plugin spaces every write a second apart (its `write` group) and every write that notifies
 * people (creating a pull request, commenting, merging) three seconds apart (its `notifications` group), as
 * GitHub asks. The fake needs no pacing, and this file would take a minute with it. Rate-limit retries still
 * go through the plugin's own limiter.
 */
type Task = (...args: unknown[]) => unknown;
const unpaced = {
  key: () => ({ schedule: (_options: unknown, task: Task, ...args: unknown[]) => Promise.resolve(task(...args)) }),
} as unknown as NonNullable<ThrottlingOptions['write']>;

const quietLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

type LimitHandler = NonNullable<ThrottlingOptions['onRateLimit']>;
const retryTwice: LimitHandler = (_after, _options, _octokit, retryCount) => retryCount < 2;

interface ClientOptions {
  token?: string;
  onRateLimit?: LimitHandler;
  onSecondaryRateLimit?: LimitHandler;
}

function client(fake: FakeGitHub, options: ClientOptions = {}) {
  return new GitHubClient({
    baseUrl: fake.url,
    auth: options.token ?? fake.token,
    log: quietLog,
    // The plugins multiply their waits, counted in seconds, by these (1000 by default): here a second is 1 or 10 ms.
    retry: { retryAfterBaseValue: 1 },
    throttle: {
      retryAfterBaseValue: 10,
      write: unpaced,
      notifications: unpaced,
      onRateLimit: options.onRateLimit ?? retryTwice,
      onSecondaryRateLimit: options.onSecondaryRateLimit ?? retryTwice,
    },
  });
}

interface Remote {
  /** The bare repository the fake serves. */
  bare: string;
  /** A clone to make branches in. */
  work: string;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bare repository whose main has one commit, and a work clone pushing to it. */
async function makeRemote(): Promise<Remote> {
  const root = await makeTempDir();
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const work = path.join(root, 'work');
  const bare = path.join(root, 'origin.git');
  git(root, ['init', '-q', '-b', 'main', work]);
  await commitFiles(work, { 'notes.md': 'one\ntwo\nthree\n' }, 'initial');
  git(root, ['clone', '-q', '--bare', work, bare]);
  git(work, ['remote', 'add', 'origin', bare]);
  return { bare, work };
}

interface BranchCommit {
  files: Files;
  message: string;
  /** Author name, when not the helper's `Test`. */
  author?: string;
}

/** Pushes `branch`, made from main with one commit per entry. Returns the branch's tip. */
async function pushBranch(remote: Remote, branch: string, commits: BranchCommit[]): Promise<string> {
  git(remote.work, ['checkout', '-q', '-b', branch, 'main']);
  for (const commit of commits) {
    await writeFiles(remote.work, commit.files);
    git(remote.work, ['add', '-A']);
    const author: Record<string, string> = commit.author
      ? { GIT_AUTHOR_NAME: commit.author, GIT_AUTHOR_EMAIL: `${commit.author.toLowerCase()}@example.com` }
      : {};
    git(remote.work, ['commit', '-q', '-m', commit.message], author);
  }
  git(remote.work, ['push', '-q', 'origin', branch]);
  git(remote.work, ['checkout', '-q', 'main']);
  return git(remote.work, ['rev-parse', branch]);
}

/** Moves main on the remote with one more commit. */
async function advanceMain(remote: Remote, files: Files, message: string): Promise<string> {
  await commitFiles(remote.work, files, message);
  git(remote.work, ['push', '-q', 'origin', 'main']);
  return git(remote.work, ['rev-parse', 'main']);
}

async function start(remote?: Remote): Promise<FakeGitHub> {
  const bareRepo = remote ? { bareRepo: remote.bare } : {};
  const fake = await startFakeGitHub({ owner: OWNER, repo: REPO, token: TOKEN, ...bareRepo });
  cleanups.push(() => fake.close());
  return fake;
}

/** Status codes the client saw for requests whose path starts with `prefix`. */
function statuses(fake: FakeGitHub, method: string, prefix: string): number[] {
  return fake.requests.filter((r) => r.method === method && r.path.startsWith(prefix)).map((r) => r.status);
}

const repo = { owner: OWNER, repo: REPO };

describe('fake GitHub: pull requests', () => {
  it('creates, finds by head, edits, closes, reopens, labels and comments', async () => {
    const remote = await makeRemote();
    const headSha = await pushBranch(remote, 'dream/1', [
      { files: { 'notes.md': 'one\ntwo\nthree\nfour\n' }, message: 'Add four' },
    ]);
    const fake = await start(remote);
    const github = client(fake);

    const created = await github.pulls.create({
      ...repo,
      head: 'dream/1',
      base: 'main',
      title: 'Dream 1',
      body: 'first',
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/1`,
      head: { ref: 'dream/1', sha: headSha, label: `${OWNER}:dream/1` },
      base: { ref: 'main' },
      user: { login: OWNER },
    });

    const byHead = await github.pulls.list({ ...repo, head: `${OWNER}:dream/1` });
    expect(byHead.data.map((pull) => pull.number)).toEqual([1]);
    expect((await github.pulls.list({ ...repo, head: `${OWNER}:other` })).data).toEqual([]);

    await github.pulls.update({ ...repo, pull_number: 1, body: 'second' });
    expect(fake.state.pulls[0]?.body).toBe('second');

    await github.pulls.update({ ...repo, pull_number: 1, state: 'closed' });
    expect((await github.pulls.list({ ...repo })).data).toEqual([]);
    expect((await github.pulls.list({ ...repo, state: 'closed' })).data.map((pull) => pull.number)).toEqual([1]);
    const reopened = await github.pulls.update({ ...repo, pull_number: 1, state: 'open' });
    expect(reopened.data.state).toBe('open');

    const labels = await github.issues.addLabels({ ...repo, issue_number: 1, labels: ['reverie'] });
    expect(labels.data.map((label) => label.name)).toEqual(['reverie']);
    expect((await github.issues.getLabel({ ...repo, name: 'reverie' })).data.color).toBe('ededed');
    expect(fake.state.labels.get('reverie')).toEqual({ name: 'reverie', color: 'ededed', description: null });
    await expect(github.issues.createLabel({ ...repo, name: 'reverie' })).rejects.toMatchObject({
      status: 422,
      response: {
        data: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] },
      },
    });

    await github.issues.createComment({ ...repo, issue_number: 1, body: 'looks right' });
    const comments = await github.issues.listComments({ ...repo, issue_number: 1 });
    expect(comments.data.map((comment) => comment.body)).toEqual(['looks right']);

    expect((await github.users.getAuthenticated()).data.login).toBe(OWNER);
    expect((await github.repos.get(repo)).data.default_branch).toBe('main');
    expect(fake.violations).toEqual([]);
  });

  it('refuses what GitHub refuses: a duplicate, an empty or missing head, reopening a deleted head', async () => {
    const remote = await makeRemote();
    await pushBranch(remote, 'dream/2', [{ files: { 'a.md': 'a\n' }, message: 'Add a' }]);
    git(remote.work, ['push', '-q', 'origin', 'main:refs/heads/empty']);
    const fake = await start(remote);
    const github = client(fake);

    await github.pulls.create({ ...repo, head: 'dream/2', base: 'main', title: 'Dream 2' });
    const create = (head: string) => github.pulls.create({ ...repo, head, base: 'main', title: `from ${head}` });
    const refusal = (error: object) => ({
      status: 422,
      response: { data: { message: 'Validation Failed', errors: [error] } },
    });
    await expect(create(`${OWNER}:dream/2`)).rejects.toMatchObject(
      refusal({ code: 'custom', message: `A pull request already exists for ${OWNER}:dream/2.` }),
    );
    await expect(create('empty')).rejects.toMatchObject(refusal({ message: 'No commits between main and empty' }));
    await expect(create('missing')).rejects.toMatchObject(refusal({ field: 'head', code: 'invalid' }));

    await github.git.deleteRef({ ...repo, ref: 'heads/dream/2' });
    expect(git(remote.bare, ['branch', '--list', 'dream/2'])).toBe('');
    expect((await github.pulls.get({ ...repo, pull_number: 1 })).data.state).toBe('closed');
    const reopening = github.pulls.update({ ...repo, pull_number: 1, state: 'open' });
    await expect(reopening).rejects.toMatchObject({ status: 422 });
    expect(fake.violations).toEqual([]);
  });

  it('answers what GitHub refuses with 422, and records it and what GitHub would ignore', async () => {
    const fake = await start();
    const github = client(fake);
    await github.pulls.create({ ...repo, head: 'dream/3', base: 'main', title: 'Dream 3' });

    // The cast stands for a caller whose types drifted from GitHub's.
    const merged = 'merged' as 'open';
    await expect(github.pulls.update({ ...repo, pull_number: 1, state: merged })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Validation Failed', errors: [{ field: 'state', code: 'invalid' }] } },
    });
    expect(fake.state.pulls[0]?.state).toBe('open');
    expect(fake.violations).toEqual([
      expect.stringMatching(/^PATCH \/repos\/octo\/memory\/pulls\/1: state: "merged" is not one of/),
    ]);

    // GitHub ignores a head filter without the owner, and an unknown key: served, but recorded.
    const unfiltered = await github.pulls.list({ ...repo, head: 'someone-else-s-branch' });
    expect(unfiltered.data).toHaveLength(1);
    await github.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...repo, pull_number: 1, titel: 'typo' });
    expect(fake.violations.slice(1)).toEqual([
      expect.stringContaining('lacks the owner'),
      expect.stringContaining("unknown body property 'titel'"),
    ]);
  });

  it('answers a wrong token with 401 Bad credentials, not retried', async () => {
    const fake = await start();
    const github = client(fake, { token: 'wrong' });
    await expect(github.users.getAuthenticated()).rejects.toMatchObject({
      status: 401,
      response: { data: { message: 'Bad credentials' } },
    });
    expect(fake.requests).toEqual([{ method: 'GET', path: '/user', status: 401 }]);
  });
});

describe('fake GitHub: faults the octokit plugins ride out', () => {
  it('a 502 is retried by the retry plugin', async () => {
    const fake = await start();
    fake.failNext(1, { status: 502 });
    const pulls = await client(fake).pulls.list(repo);
    expect(pulls.status).toBe(200);
    expect(statuses(fake, 'GET', '/repos/octo/memory/pulls')).toEqual([502, 200]);
  });

  it('a 403 rate limit is waited out by the throttling plugin, from x-ratelimit-reset', async () => {
    const fake = await start();
    const onRateLimit = vi.fn(retryTwice);
    // Two seconds ahead, in whole seconds: the answer may reach the plugin in the next second.
    fake.failNext(1, rateLimitExceeded(2));
    const user = await client(fake, { onRateLimit }).users.getAuthenticated();
    expect(user.data.login).toBe(OWNER);
    expect(statuses(fake, 'GET', '/user')).toEqual([403, 200]);
    expect(onRateLimit).toHaveBeenCalledOnce();
    // Seconds until the reset, plus one the plugin adds.
    expect(onRateLimit.mock.calls[0]?.[0]).toBeGreaterThanOrEqual(2);
  });

  it('a 403 secondary rate limit is waited out from retry-after', async () => {
    const fake = await start();
    const onSecondaryRateLimit = vi.fn(() => true);
    fake.failNext(1, secondaryRateLimitExceeded(1));
    const github = client(fake, { onSecondaryRateLimit });
    await github.pulls.create({ ...repo, head: 'dream/4', base: 'main', title: 'Dream 4' });
    expect(statuses(fake, 'POST', '/repos/octo/memory/pulls')).toEqual([403, 201]);
    expect(onSecondaryRateLimit).toHaveBeenCalledWith(1, expect.anything(), expect.anything(), 0);
  });

  it('every response carries rate-limit headers and a request id', async () => {
    const fake = await start();
    const response = await client(fake).repos.get(repo);
    expect(Number(response.headers['x-ratelimit-limit'])).toBe(5000);
    expect(Number(response.headers['x-ratelimit-remaining'])).toBe(4999);
    expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
    expect(response.headers['x-github-request-id']).toMatch(/\w/);
  });
});

describe('fake GitHub: merges write real commits', () => {
  const log = (remote: Remote, format: string) => git(remote.bare, ['log', '-1', `--format=${format}`, 'main']);

  it('merge: a merge commit of base and head, with GitHub\'s message', async () => {
    const remote = await makeRemote();
    const headSha = await pushBranch(remote, 'dream/m', [{ files: { 'm.md': 'm\n' }, message: 'Add m' }]);
    const baseSha = git(remote.bare, ['rev-parse', 'main']);
    const fake = await start(remote);
    const github = client(fake);
    await github.pulls.create({ ...repo, head: 'dream/m', base: 'main', title: 'Dream M' });

    const result = await github.pulls.merge({ ...repo, pull_number: 1, merge_method: 'merge' });
    expect(result.data).toMatchObject({ merged: true, message: 'Pull Request successfully merged' });
    expect(git(remote.bare, ['rev-parse', 'main'])).toBe(result.data.sha);
    expect(log(remote, '%P')).toBe(`${baseSha} ${headSha}`);
    expect(log(remote, '%B')).toBe(`Merge pull request #1 from ${OWNER}/dream/m\n\nDream M\n`);
    expect(log(remote, '%cn <%ce>')).toBe('GitHub <noreply@github.com>');
    expect((await github.pulls.get({ ...repo, pull_number: 1 })).data).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: result.data.sha,
    });
    expect(fake.violations).toEqual([]);
  });

  it('squash: one commit on base listing the squashed messages, trailers kept', async () => {
    const remote = await makeRemote();
    await pushBranch(remote, 'dream/s', [
      { files: { 's.md': 's1\n' }, message: 'Start s\n\nWhy s exists.' },
      { files: { 's.md': 's2\n' }, message: 'Finish s\n\nReverie-Cycle: 7\nSigned-off-by: Test <test@example.com>' },
    ]);
    const baseSha = await advanceMain(remote, { 'other.md': 'x\n' }, 'Unrelated change on main');
    const fake = await start(remote);
    const github = client(fake);
    await github.pulls.create({ ...repo, head: 'dream/s', base: 'main', title: 'Dream S' });

    // The fake's own entry point is the same merge as the endpoint.
    const sha = await fake.mergePull(1, 'squash');
    expect(git(remote.bare, ['rev-parse', 'main'])).toBe(sha);
    expect(log(remote, '%P')).toBe(baseSha);
    expect(log(remote, '%B')).toBe(
      [
        'Dream S (#1)',
        '',
        '* Start s',
        '',
        'Why s exists.',
        '',
        '* Finish s',
        '',
        'Reverie-Cycle: 7',
        'Signed-off-by: Test <test@example.com>',
        '',
      ].join('\n'),
    );
    expect(git(remote.bare, ['show', 'main:s.md'])).toBe('s2');
    expect(git(remote.bare, ['show', 'main:other.md'])).toBe('x');
    expect(log(remote, '%an|%cn')).toBe(`${OWNER}|GitHub`);
    expect(fake.state.pulls[0]).toMatchObject({ merged: true, mergeCommitSha: sha, state: 'closed' });
  });

  it('squash of a single commit: GitHub keeps that commit\'s subject and body', async () => {
    const remote = await makeRemote();
    const message = 'Tidy notes\n\nBecause.\n\nReverie-Cycle: 9';
    await pushBranch(remote, 'dream/one', [{ files: { 'one.md': '1\n' }, message }]);
    const fake = await start(remote);
    const github = client(fake);
    await github.pulls.create({ ...repo, head: 'dream/one', base: 'main', title: 'A different title' });

    await github.pulls.merge({ ...repo, pull_number: 1, merge_method: 'squash' });
    expect(log(remote, '%B')).toBe('Tidy notes (#1)\n\nBecause.\n\nReverie-Cycle: 9\n');
  });

  it('rebase: each commit re-applied on base with its message and author, GitHub as committer', async () => {
    const remote = await makeRemote();
    const original = await pushBranch(remote, 'dream/r', [
      { files: { 'r.md': 'r1\n' }, message: 'First r', author: 'Ada' },
      { files: { 'r.md': 'r2\n' }, message: 'Second r\n\nReverie-Cycle: 8', author: 'Ada' },
    ]);
    const baseSha = await advanceMain(remote, { 'other.md': 'y\n' }, 'Another change on main');
    const fake = await start(remote);
    const github = client(fake);
    await github.pulls.create({ ...repo, head: 'dream/r', base: 'main', title: 'Dream R' });

    const result = await github.pulls.merge({ ...repo, pull_number: 1, merge_method: 'rebase' });
    const replayed = git(remote.bare, ['rev-list', `${baseSha}..main`]).split('\n');
    expect(replayed).toHaveLength(2);
    expect(replayed[0]).toBe(result.data.sha);
    expect(result.data.sha).not.toBe(original);
    expect(git(remote.bare, ['rev-parse', 'main~2'])).toBe(baseSha);
    const replayedLog = git(remote.bare, ['log', '--format=%s|%an|%cn', `${baseSha}..main`]);
    expect(replayedLog).toBe('Second r|Ada|GitHub\nFirst r|Ada|GitHub');
    const authorship = (range: string) => git(remote.bare, ['log', '--format=%an <%ae> %ad', range]);
    expect(authorship(`${baseSha}..main`)).toBe(authorship(`${baseSha}..dream/r`));
    expect(log(remote, '%B')).toBe('Second r\n\nReverie-Cycle: 8\n');
    expect(git(remote.bare, ['show', 'main:r.md'])).toBe('r2');
    expect(git(remote.bare, ['show', 'main:other.md'])).toBe('y');
    expect(fake.violations).toEqual([]);
  });

  it('conflicting changes: 405 not mergeable, base untouched; the retry plugin retries 405', async () => {
    const remote = await makeRemote();
    await pushBranch(remote, 'dream/c', [{ files: { 'notes.md': 'one\nTWO\nthree\n' }, message: 'Shout two' }]);
    const baseSha = await advanceMain(remote, { 'notes.md': 'one\n2\nthree\n' }, 'Number two');
    const fake = await start(remote);
    const github = client(fake);
    await github.pulls.create({ ...repo, head: 'dream/c', base: 'main', title: 'Dream C' });
    const before = await github.pulls.get({ ...repo, pull_number: 1 });
    expect(before.data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' });

    await expect(github.pulls.merge({ ...repo, pull_number: 1, merge_method: 'squash' })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Pull Request is not mergeable' } },
    });
    expect(git(remote.bare, ['rev-parse', 'main'])).toBe(baseSha);
    expect(fake.state.pulls[0]).toMatchObject({ state: 'open', merged: false });
    // 405 is not in the plugin's doNotRetry list: one request and three retries.
    expect(statuses(fake, 'PUT', '/repos/octo/memory/pulls/1/merge')).toEqual([405, 405, 405, 405]);
    await expect(fake.mergePull(1, 'merge')).rejects.toThrow(/not mergeable/);
  });
});
