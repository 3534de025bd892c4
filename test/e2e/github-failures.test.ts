/**
 * Failures on GitHub's side, end to end against the local git server and the fake GitHub API: each says what failed
 * and what to do, with its own exit code; waits GitHub asks for are honoured up to the cap (in test time); what can
 * fail without harm (labels) does not fail the cycle; what would surprise a reviewer (unpushed commits of main in a
 * pull request) is said; and a remote given as a URL works without any git remote.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubCredentialsError, GitHubRateLimitError, GitHubUnavailableError } from '../../src/errors.js';
import { reverieAsync } from '../helpers/cli.js';
import { githubWorld, TOKEN, type WorldOptions } from '../helpers/github-world.js';
import { commitFiles, git } from '../helpers/git.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const world = (options: WorldOptions = {}) => githubWorld(cleanups, options);
const PULLS = { method: 'POST', path: '/repos/acme/memory/pulls' };
const LABELS = { method: 'POST', path: /^\/repos\/acme\/memory\/issues\/\d+\/labels$/ };

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the cycle to fail');
    },
    (error: unknown) => error as Error,
  );
}

describe('failures say what failed', () => {
  it('a 503 on push is a server error with its exit code, no token advice; nothing is opened', async () => {
    const w = await world();
    w.server.failNext(10, 503, { service: 'git-receive-pack' });
    const error = await failureOf(w.run());
    expect(error).toBeInstanceOf(GitHubUnavailableError);
    expect((error as GitHubUnavailableError).exitCode).toBe(9);
    expect(error.message).toMatch(/could not push reverie\/dream-\S+ to http:\/\/127\.0\.0\.1:\d+\/memory\.git: the git server did not answer \(HTTP 503\), also after 2 retries/);
    expect(error.message).not.toMatch(/token|permission/i);
    expect(w.server.requests.filter((r) => r.status === 503)).toHaveLength(3);
    expect(w.github.state.pulls).toEqual([]);
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
  });

  it('an auto cycle whose push of main fails leaves main here where it was, and the next run lands it', async () => {
    const w = await world({ mode: 'auto' });
    const main = git(w.dir, ['rev-parse', 'main']);
    // One push and its two retries.
    w.server.failNext(3, 503, { service: 'git-receive-pack' });
    const error = await failureOf(w.run());
    expect(error).toBeInstanceOf(GitHubUnavailableError);
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(main);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(main);
    const again = await w.run();
    expect(again).toMatchObject({ outcome: 'committed', merged: true });
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));
    expect(git(w.dir, ['rev-parse', 'main'])).not.toBe(main);
  });

  it('the CLI exits with the server error\'s code, and says to try again later', async () => {
    const w = await world();
    // retry-after: 0 is the server's own "try again now": the CLI, in real time, does not sleep.
    w.server.failNext(10, 503, { service: 'git-receive-pack', headers: { 'Retry-After': '0' } });
    const run = await reverieAsync(['dream', '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(run.code).toBe(9);
    expect(run.stderr).toMatch(/did not answer \(HTTP 503\).*try again later/);
    expect(run.stderr).not.toMatch(/token|GITHUB_TOKEN/);
  });

  it('a push refused for its credentials (403) talks about the token', async () => {
    const w = await world();
    w.server.failNext(2, 403, { service: 'git-receive-pack' });
    const error = await failureOf(w.run());
    expect(error).toBeInstanceOf(GitHubCredentialsError);
    expect((error as GitHubCredentialsError).exitCode).toBe(7);
    expect(error.message).toMatch(/could not push .*: the token was refused \(HTTP 403\)\. Set GITHUB_TOKEN \(or GH_TOKEN\) to a token with contents: write/);
    expect(error.message).not.toContain(TOKEN);
  });

  it('a 401 from the API is a credentials error', async () => {
    const w = await world();
    const error = await failureOf(w.run({ github: { env: { GITHUB_TOKEN: 'ghp_wrong' }, timing: { secondMs: 1, paceWrites: false } } }));
    expect(error).toBeInstanceOf(GitHubCredentialsError);
    expect(error.message).toMatch(/HTTP 401: Bad credentials.*not valid/);
    const cli = await reverieAsync(['dream', '--repo', w.dir], { env: { GITHUB_TOKEN: 'ghp_wrong' } });
    expect(cli.code).toBe(7);
  });

  it('a 429 whose retry-after is over the cap fails at once with a rate-limit error that says when to retry', async () => {
    const w = await world({ extraConfig: '  max_wait_seconds: 300\n' });
    const main = git(w.dir, ['rev-parse', 'main']);
    w.github.failNext(1, { status: 429, headers: { 'retry-after': '600' }, body: { message: 'Too Many Requests' } });
    const started = Date.now();
    const error = await failureOf(w.run());
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect((error as GitHubRateLimitError).exitCode).toBe(10);
    const retryAt = (error as GitHubRateLimitError).retryAt.getTime();
    expect(retryAt - started).toBeGreaterThanOrEqual(599_000);
    expect(retryAt - Date.now()).toBeLessThanOrEqual(600_000);
    expect(error.message).toMatch(/HTTP 429: Too Many Requests\): it lifts in 10 minutes, longer than reverie waits \(github\.max_wait_seconds: 300\); run it again at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 10 minutes\) or later/);
    expect(error.message).not.toMatch(/token|permission/i);
    // Asked once, not again a second later.
    expect(w.github.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(w.github.requests).toHaveLength(1);
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(main);
  });

  it('a 429 with a short retry-after is waited out (in test time), and the cycle goes on', async () => {
    const w = await world();
    w.github.failNext(1, { status: 429, headers: { 'retry-after': '30' }, body: { message: 'Too Many Requests' } }, PULLS);
    const result = await w.run();
    expect(result.pull?.action).toBe('created');
    expect(w.github.requests.filter((r) => r.method === 'POST' && r.path === PULLS.path).map((r) => r.status)).toEqual([429, 201]);
    expect(w.github.state.pulls).toHaveLength(1);
  });

  it('a push answered 429 waits out a short retry-after, and stops with when to retry past the cap', async () => {
    const w = await world();
    w.server.failNext(1, 429, { service: 'git-receive-pack', headers: { 'Retry-After': '20' } });
    expect((await w.run()).pull?.action).toBe('created');
    expect(w.server.requests.filter((r) => r.status === 429)).toHaveLength(1);

    const limited = await world();
    limited.server.failNext(1, 429, { service: 'git-receive-pack', headers: { 'Retry-After': '3600' } });
    const error = await failureOf(limited.run());
    expect(error).toBeInstanceOf(GitHubRateLimitError);
    expect(error.message).toMatch(/could not push .*: the git server is rate limiting \(HTTP 429\); it lifts in 1 hour, longer than reverie waits \(github\.max_wait_seconds: 900\); run it again at .* UTC \(in 1 hour\) or later/);
    expect(limited.github.state.pulls).toEqual([]);
  });
});

describe('labels are best-effort', () => {
  it('a 503 from the API is asked again after its retry-after; one that asks past the cap fails at once, saying so', async () => {
    const w = await world();
    w.github.failNext(2, { status: 503, headers: { 'retry-after': '30' }, body: { message: 'Service Unavailable' } }, PULLS);
    const started = Date.now();
    const result = await w.run();
    expect(result.pull?.action).toBe('created');
    // Thirty seconds twice, at a millisecond per second here.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(w.github.requests.filter((r) => r.status === 503)).toHaveLength(2);

    const far = await world();
    far.github.failNext(1, { status: 503, headers: { 'retry-after': '3600' }, body: { message: 'Service Unavailable' } }, PULLS);
    const error = await failureOf(far.run());
    expect(error).toBeInstanceOf(GitHubUnavailableError);
    expect(error.message).toContain('it asked to wait 1 hour, longer than reverie waits (github.max_wait_seconds: 900)');
    expect(far.github.requests.filter((r) => r.status === 503)).toHaveLength(1);
  });

  it('a failed label call leaves one pull request and a warning; the cycle succeeds', async () => {
    const w = await world();
    w.github.failNext(1, { status: 422, body: { message: 'Validation Failed', errors: [{ message: 'label is too long' }] } }, LABELS);
    const result = await w.run();
    expect(result.outcome).toBe('committed');
    expect(result.pull).toMatchObject({ number: 1, action: 'created' });
    expect(result.pull?.warnings).toEqual([expect.stringMatching(/^could not label pull request #1 reverie, reverie:\S+.*: GitHub refused to label pull request #1 in acme\/memory \(HTTP 422: Validation Failed; label is too long\); the pull request is open without them$/)]);
    expect(w.github.state.pulls).toHaveLength(1);
    expect(w.github.state.pulls[0]?.labels).toEqual([]);
  });
});

describe('a pull request carries only what it should', () => {
  it('warns when local main is ahead of main on GitHub: the commits would ride along in the pull request', async () => {
    const w = await world();
    const local = await commitFiles(w.dir, { 'memory/people.md': '# People\n\n- Ana owns billing.\n' }, 'note who owns billing');
    const result = await w.run();
    expect(result.pull?.action).toBe('created');
    expect(result.pull?.warnings).toEqual([
      `local main has 1 commit that main on acme/memory does not (${local.slice(0, 7)} "note who owns billing"): ${result.branch} was cut after it, so it is in its pull request too; push main first if it belongs there`,
    ]);
    // Told, not pushed behind anyone's back.
    expect(git(w.bare, ['rev-parse', 'main'])).not.toBe(local);
  });

  it('says nothing when main here and on GitHub agree', async () => {
    const w = await world();
    expect((await w.run()).pull?.warnings).toEqual([]);
  });
});

describe('github.remote as a URL', () => {
  it('works end to end without an origin remote, and writes no remote into .git/config', async () => {
    const w = await world({ remote: 'url' });
    expect(git(w.dir, ['remote'])).toBe('');
    const config = readFileSync(path.join(w.dir, '.git/config'), 'utf8');
    const result = await w.run();
    expect(result.pull).toMatchObject({ number: 1, action: 'created', warnings: [] });
    expect(git(w.bare, ['rev-parse', `refs/heads/${result.branch}`])).toBe(git(w.dir, ['rev-parse', `refs/heads/${result.branch}`]));
    expect(readFileSync(path.join(w.dir, '.git/config'), 'utf8')).toBe(config);
    expect(git(w.dir, ['remote'])).toBe('');

    const approved = await reverieAsync(['approve', result.cycle!, '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));
    expect(w.github.state.pulls[0]?.state).toBe('closed');
    expect(w.github.violations).toEqual([]);
  });
});
