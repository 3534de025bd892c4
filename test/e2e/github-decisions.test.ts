/**
 * Decisions taken on the command line when review happens on GitHub: `--dry-run` says what would happen and writes
 * nothing (not a ref, not an object, not a file; nothing pushed, nothing changed on GitHub); `approve` recognises a
 * pull request GitHub already merged, and never moves main here before GitHub has taken its new tip.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reverieAsync } from '../helpers/cli.js';
import { githubWorld, TOKEN, type World, type WorldOptions } from '../helpers/github-world.js';
import { commitFiles, git } from '../helpers/git.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const world = (options: WorldOptions = {}) => githubWorld(cleanups, options);
const cli = (w: World, args: string[]) => reverieAsync([...args, '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });

/** Every file of the clone (its .git included) by content, the remote's refs, and GitHub's state. */
async function everything(w: World): Promise<string> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(`${path.relative(w.dir, full)} ${createHash('sha1').update(await readFile(full)).digest('hex')}`);
    }
  };
  await walk(w.dir);
  const remote = git(w.bare, ['for-each-ref', '--format=%(refname) %(objectname)']);
  return JSON.stringify({ files: files.sort(), remote, pulls: w.github.state.pulls, comments: w.github.state.comments });
}

/** What a dry run may do on the network: read. No push, no fetch of objects, no write to GitHub's API. */
function expectOnlyReads(w: World, since: { api: number; git: number }): void {
  expect(w.github.requests.slice(since.api).filter((r) => r.method !== 'GET')).toEqual([]);
  expect(w.server.requests.slice(since.git).filter((r) => r.method !== 'GET')).toEqual([]);
}

const counts = (w: World) => ({ api: w.github.requests.length, git: w.server.requests.length });

describe('--dry-run writes nothing', () => {
  it('approve --dry-run names the refs that would move, the branch deletion and the pull request it would close', async () => {
    const w = await world();
    const cycle = await w.run();
    const main = git(w.dir, ['rev-parse', 'main']);
    const tip = git(w.dir, ['rev-parse', cycle.branch!]);
    const before = await everything(w);
    const since = counts(w);
    const run = await cli(w, ['approve', cycle.cycle!, '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      `dry run: nothing written; reverie approve ${cycle.cycle} would`,
      `  move main: ${main.slice(0, 7)} → ${tip.slice(0, 7)} (fast-forward)`,
      `  move ${cycle.branch}: deleted (was ${tip.slice(0, 7)})`,
      '  on GitHub: push main to acme/memory',
      '  on GitHub: close pull request #1 with a comment',
      `  on GitHub: delete branch ${cycle.branch} on acme/memory`,
      '',
    ]);
    expect(await everything(w)).toBe(before);
    expectOnlyReads(w, since);
  });

  it('approve --except --dry-run replays the rest on main: the commits it would write, what it leaves out', async () => {
    const w = await world();
    const cycle = await w.run();
    const left = cycle.actions[0]!;
    const before = await everything(w);
    const run = await cli(w, ['approve', cycle.cycle!, '--except', left.id, '--dry-run', '--json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { dry_run: boolean; refs: { branch: string; change: string }[]; commits: string[]; notes: string[] };
    expect(plan.dry_run).toBe(true);
    expect(plan.refs.map((r) => `${r.branch} ${r.change}`)).toEqual(['main new-commits', `${cycle.branch} delete`]);
    expect(plan.commits).toHaveLength(cycle.actions.length);
    expect(plan.commits.at(-1)).toBe(`chore(reverie): record cycle ${cycle.cycle} (${cycle.actions.length - 1} of ${cycle.actions.length} actions approved)`);
    expect(plan.notes).toEqual([expect.stringContaining(`${left.type} ${left.id} left out`)]);
    expect(await everything(w)).toBe(before);
  });

  it('reject --dry-run names the bookkeeping commit, the branch deletion and the pull request it would close', async () => {
    const w = await world();
    const cycle = await w.run();
    const before = await everything(w);
    const since = counts(w);
    const run = await cli(w, ['reject', cycle.cycle!, '--reason', 'not now', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  commit chore(reverie): reject cycle ${cycle.cycle}\n`);
    expect(run.stdout).toMatch(/ {2}move main: [0-9a-f]{7} → 1 new commit on top\n/);
    expect(run.stdout).toContain(`  move ${cycle.branch}: deleted`);
    expect(run.stdout).toContain('  on GitHub: close pull request #1 with a comment');
    expect(run.stdout.match(/note: .* remembered as rejected/g)).toHaveLength(cycle.actions.length);
    expect(await everything(w)).toBe(before);
    expectOnlyReads(w, since);
  });

  it('revert --dry-run names its revert commits and where they would go: main (auto) or a branch and a pull request (review)', async () => {
    const w = await world({ mode: 'auto' });
    const cycle = await w.run();
    const target = cycle.actions[0]!;
    const before = await everything(w);
    const since = counts(w);
    const auto = await cli(w, ['revert', target.id, '--dry-run']);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toContain(`  commit revert(${target.paths[0]}): ${target.summary.slice(0, 40)}`);
    expect(auto.stdout).toMatch(/ {2}move main: [0-9a-f]{7} → 1 new commit on top\n {2}on GitHub: push main to acme\/memory\n/);
    const review = await cli(w, ['revert', target.id, '--mode', 'review', '--dry-run']);
    expect(review.code).toBe(0);
    expect(review.stdout).toContain(`  move reverie/revert-${target.id}: created, with 1 new commit on`);
    expect(review.stdout).toContain(`  on GitHub: open a pull request from reverie/revert-${target.id} against main`);
    expect(await everything(w)).toBe(before);
    expectOnlyReads(w, since);
  });

  it('a revert that would conflict says so, as the real one does, and writes nothing', async () => {
    const w = await world({ mode: 'auto' });
    const cycle = await w.run();
    await commitFiles(w.dir, { 'memory/notes.md': '# Notes\n\nRewritten by hand since.\n' }, 'rewrite the notes');
    const before = await everything(w);
    const dry = await cli(w, ['revert', cycle.cycle!, '--dry-run']);
    expect(await everything(w)).toBe(before);
    const real = await cli(w, ['revert', cycle.cycle!]);
    expect(dry.code).toBe(1);
    expect(real.code).toBe(1);
    expect(dry.stderr).toBe(real.stderr);
    expect(dry.stderr).toMatch(/^reverie: cannot revert /);
    expect((await cli(w, ['revert', 'nothing-by-that-name', '--dry-run'])).code).toBe(2);
  });
});

describe('approve on GitHub', () => {
  it('after the pull request was merged on GitHub: recognised and said, main brought up, no library message', async () => {
    const w = await world();
    const cycle = await w.run();
    await w.github.mergePull(cycle.pull!.number, 'squash');
    const dry = await cli(w, ['approve', cycle.cycle!, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`fetch main from GitHub`);
    const run = await cli(w, ['approve', cycle.cycle!]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`cycle ${cycle.cycle} was already merged on GitHub (pull request #1): nothing left to approve; main here is at ${git(w.bare, ['rev-parse', '--short=7', 'main'])}, as on GitHub\n`);
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(git(w.bare, ['rev-parse', 'main']));
    expect(git(w.dir, ['branch', '--list', cycle.branch!])).toBe('');
    // Now that this clone has GitHub's main, a dry run sees the merge itself.
    const again = await cli(w, ['approve', cycle.cycle!, '--dry-run']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`note: cycle ${cycle.cycle} is already merged on GitHub: nothing else would happen`);
  });

  it('reject after a merge on GitHub says to revert instead, and changes nothing', async () => {
    const w = await world();
    const cycle = await w.run();
    await w.github.mergePull(cycle.pull!.number, 'merge');
    const main = git(w.dir, ['rev-parse', 'main']);
    const run = await cli(w, ['reject', cycle.cycle!]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`cycle ${cycle.cycle} was already merged on GitHub (pull request #1): there is nothing to reject; \`reverie revert ${cycle.cycle}\` undoes it on main`);
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(main);
  });

  it('main here does not move when GitHub does not take its new tip', async () => {
    const w = await world();
    const cycle = await w.run();
    const main = git(w.dir, ['rev-parse', 'main']);
    // A try and two retries, each answered 503.
    w.server.failNext(3, 503, { service: 'git-receive-pack', headers: { 'Retry-After': '0' } });
    const run = await cli(w, ['approve', cycle.cycle!]);
    expect(run.code).toBe(9);
    expect(run.stderr).toMatch(/could not push main to .*did not answer \(HTTP 503\)/);
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(main);
    expect(git(w.dir, ['rev-parse', cycle.branch!])).toBeTruthy();
    expect(w.github.state.pulls[0]?.state).toBe('open');
    // Once GitHub answers, the same command finishes the job.
    const again = await cli(w, ['approve', cycle.cycle!]);
    expect(again.code).toBe(0);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));
  });
});
