/**
 * Review on GitHub, end to end: a real push over smart HTTP to a git server on 127.0.0.1, and the real Octokit client
 * against a fake GitHub REST API that keeps state and refuses requests GitHub would refuse.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reverieAsync } from '../helpers/cli.js';
import { rateLimitExceeded } from '../helpers/fake-github.js';
import { runGit } from '../helpers/git-server.js';
import { gitAuth, githubWorld, TOKEN, type World, type WorldOptions } from '../helpers/github-world.js';
import { commitFiles, git, makeTempDir } from '../helpers/git.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';
import { stateAt } from '../helpers/state.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const world = (options: WorldOptions = {}) => githubWorld(cleanups, options);

/** A fresh clone of the repository on the git server, as a reviewer's machine or the Action's runner has it. */
async function cloneOf(w: World): Promise<string> {
  const clone = await makeTempDir();
  cleanups.push(() => import('node:fs/promises').then((fs) => fs.rm(clone, { recursive: true, force: true })));
  await runGit(clone, ['clone', '-q', w.server.repoUrl('memory'), '.'], gitAuth());
  git(clone, ['config', 'user.email', 'reviewer@example.com']);
  git(clone, ['config', 'user.name', 'Reviewer']);
  return clone;
}

/** A reviewer drops an action on GitHub's side: its commit reverted on the cycle's branch (with their own message, if given) and pushed. */
async function revertOnBranch(w: World, branch: string, commit: string, message?: string): Promise<void> {
  const clone = await cloneOf(w);
  git(clone, ['checkout', '-q', branch]);
  git(clone, ['revert', '--no-edit', commit]);
  if (message) git(clone, ['commit', '-q', '--amend', '-m', message]);
  await runGit(clone, ['push', '-q', 'origin', branch], gitAuth());
}

/** The body with its code blocks and code spans taken out: what GitHub renders as Markdown. */
function renderedText(body: string): string {
  return body.replace(/^( *)(`{3,})[^\n]*\n[\s\S]*?\n\1\2/gm, '').replace(/`[^`\n]*`/g, '');
}

describe('review mode on GitHub', () => {
  it('pushes the cycle branch and opens one pull request: a review document, labelled, safe to render', async () => {
    const w = await world();
    const result = await w.run();
    expect(result.outcome).toBe('committed');
    expect(result.merged).toBe(false);
    expect(result.pull).toMatchObject({ number: 1, action: 'created' });
    expect(git(w.bare, ['rev-parse', `refs/heads/${result.branch}`])).toBe(git(w.dir, ['rev-parse', `refs/heads/${result.branch}`]));
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));

    const [pull] = w.github.state.pulls;
    expect(pull).toMatchObject({ state: 'open', draft: false, head: { ref: result.branch }, base: { ref: 'main' } });
    expect(pull?.title).toContain(`dream cycle ${result.cycle}`);
    const body = pull?.body ?? '';
    expect(body).toMatch(/^- \[x\] <!-- reverie-action:[0-9a-f]+ --> \*\*1\.\*\* /m);
    for (const action of result.actions) expect(body).toContain(`\`${action.id}\``);
    expect(body).toContain('How to review');
    expect(body).toContain(`reverie reject ${result.cycle}`);
    // Text from the logs never renders as HTML, never mentions anyone, never links an issue.
    const rendered = renderedText(body);
    expect(rendered).not.toMatch(/<script/i);
    expect(rendered).not.toMatch(/@octocat/);
    expect(rendered).not.toMatch(/#12\b/);
    expect(pull?.labels).toEqual(expect.arrayContaining(['reverie', ...new Set(result.actions.map((a) => `reverie:${a.type}`))]));
    expect(w.github.violations).toEqual([]);
    // The token never reaches the result or the repository.
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(readFileSync(path.join(w.dir, '.git/config'), 'utf8')).not.toContain(TOKEN);
  });

  it('re-running while the pull request is open opens no second one and no second branch: it updates the first', async () => {
    const w = await world();
    const first = await w.run();
    const again = await w.run();
    expect(again.outcome).toBe('pending-review');
    expect(again.approval).toContain(`#${first.pull?.number}`);
    expect(again.pull).toMatchObject({ number: first.pull?.number, action: 'updated' });
    expect(w.github.state.pulls).toHaveLength(1);
    expect(git(w.bare, ['for-each-ref', '--format=%(refname)', 'refs/heads/reverie/'])).toBe(`refs/heads/${first.branch}`);
    expect(w.github.violations).toEqual([]);
  });

  it('closing the pull request is a rejection: recorded on main, said in a comment, never reopened, never proposed again', async () => {
    const w = await world();
    const first = await w.run();
    const pull = w.github.state.pulls[0]!;
    pull.state = 'closed';

    const next = await w.run();
    expect(next.github?.rejected).toEqual([{ cycle: first.cycle, pull: pull.number, actions: first.actions.length }]);
    expect(next.outcome).toBe('nothing-new');
    expect(next.actions).toEqual([]);
    expect(w.github.state.pulls).toHaveLength(1);
    expect(w.github.state.pulls[0]?.state).toBe('closed');
    expect(w.github.state.comments.at(-1)?.body).toContain(`Closed without merging, so reverie recorded cycle ${first.cycle} as rejected`);
    const record = JSON.parse(git(w.bare, ['show', `main:.reverie/cycles/${first.cycle}.json`])) as { decision: { status: string; pull: number; reason: string } };
    expect(record.decision).toMatchObject({ status: 'rejected', pull: pull.number, reason: `pull request #${pull.number} closed without merging` });
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
    expect(git(w.dir, ['branch', '--list', 'reverie/*'])).toBe('');

    // A fresh clone, as the Action's runner is, opens nothing either.
    const clone = await cloneOf(w);
    const again = await reverieAsync(['dream', '--json', '--repo', clone], { env: { GITHUB_TOKEN: TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { actions: unknown[] }).actions).toEqual([]);
    expect(w.github.state.pulls).toHaveLength(1);
    const log = await reverieAsync(['log', '--json', '--repo', clone]);
    const cycles = (JSON.parse(log.stdout) as { cycles: { cycle: string; status: string; reason?: string }[] }).cycles;
    expect(cycles.find((c) => c.cycle === first.cycle)).toMatchObject({ status: 'rejected', reason: `pull request #${pull.number} closed without merging` });
  });

  it('a fresh clone sees the cycle waiting on GitHub: status, review and approve work there; the maker\'s clone then tidies its branch', async () => {
    const w = await world();
    const first = await w.run();
    const clone = await cloneOf(w);
    const env = { env: { GITHUB_TOKEN: TOKEN } };

    const status = await reverieAsync(['status', '--json', '--repo', clone], env);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { pending: { cycle: string; actions: number }[] }).pending).toEqual([{ cycle: first.cycle, branch: first.branch, actions: first.actions.length }]);
    const review = await reverieAsync(['review', first.cycle!, '--json', '--repo', clone], env);
    expect(review.code, review.stderr).toBe(0);
    expect((JSON.parse(review.stdout) as { actions: { id: string }[] }).actions.map((a) => a.id)).toEqual(first.actions.map((a) => a.id));

    const approved = await reverieAsync(['approve', first.cycle!, '--repo', clone], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`approved cycle ${first.cycle}`);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(clone, ['rev-parse', 'main']));
    expect(git(w.bare, ['show', 'main:memory/notes.md'])).toContain('pnpm');
    expect(w.github.state.pulls[0]?.state).toBe('closed');
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');

    // The clone that made the cycle: main comes up, its branch goes, nothing is proposed again.
    const next = await w.run();
    expect(next.outcome).toBe('nothing-new');
    expect(next.github?.deleted).toEqual([first.branch]);
    expect(git(w.dir, ['branch', '--list', 'reverie/*'])).toBe('');
    const twice = await reverieAsync(['approve', first.cycle!, '--repo', w.dir], env);
    expect(twice.code, twice.stderr).toBe(0);
    // Approved from the other clone: main on GitHub has it, its pull request was closed, not merged.
    expect(twice.stdout).toContain(`cycle ${first.cycle} was already merged on GitHub: nothing left to approve`);
    const reject = await reverieAsync(['reject', first.cycle!, '--repo', w.dir], env);
    expect(reject.code).toBe(4);
    expect(reject.stderr).toContain(`\`reverie revert ${first.cycle}\` undoes it`);
  });

  it('a fresh clone rejects a cycle it did not make: the pull request closes, main records it, the branch goes', async () => {
    const w = await world();
    const first = await w.run();
    const clone = await cloneOf(w);
    const rejected = await reverieAsync(['reject', first.cycle!, '--reason', 'too noisy', '--repo', clone], { env: { GITHUB_TOKEN: TOKEN } });
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(w.github.state.pulls[0]?.state).toBe('closed');
    expect(w.github.state.comments.at(-1)?.body).toContain('too noisy');
    expect(git(w.bare, ['show', `main:.reverie/cycles/${first.cycle}.json`])).toContain('"too noisy"');
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
  });

  it('--update rebuilds the waiting cycle in place with new sessions: same branch and pull request, what the reviewer dropped stays out', async () => {
    const w = await world();
    const first = await w.run();
    const dropped = first.actions.at(-1)!;
    await revertOnBranch(w, first.branch!, dropped.commit!);

    // No new sessions: the cycle just waits.
    const unchanged = await w.run({ update: true });
    expect(unchanged.outcome).toBe('pending-review');
    expect(unchanged.rebuilt).toBeUndefined();

    await commitFiles(w.dir, { 'sessions/coding-agent/s5.jsonl': npmMistakeSession('s5', '2026-11-06T09:00:00Z', 'bump the checkout SDK') }, 'one more session');
    const rebuilt = await w.run({ update: true });
    expect(rebuilt.outcome).toBe('committed');
    expect(rebuilt).toMatchObject({ rebuilt: first.cycle, cycle: first.cycle, branch: first.branch });
    expect(rebuilt.pull).toMatchObject({ number: first.pull?.number, action: 'updated' });
    expect(rebuilt.actions.map((a) => a.summary)).not.toContain(dropped.summary);
    expect(rebuilt.actions.length).toBeGreaterThan(0);
    expect(w.github.state.pulls).toHaveLength(1);
    expect(git(w.bare, ['for-each-ref', '--format=%(refname)', 'refs/heads/reverie/'])).toBe(`refs/heads/${first.branch}`);
    expect(git(w.bare, ['rev-parse', `refs/heads/${first.branch}`])).toBe(git(w.dir, ['rev-parse', `refs/heads/${first.branch}`]));
    const processed = stateAt(w.dir, `${first.branch}`).processed;
    expect(Object.values(processed).map((p) => p.id)).toContain('s5');
    const rejected = JSON.parse(git(w.dir, ['show', `${first.branch}:.reverie/rejected.json`])) as Record<string, { summary: string; reason?: string }>;
    expect(Object.values(rejected)).toContainEqual(expect.objectContaining({ summary: dropped.summary, reason: 'dropped by the reviewer of the cycle before it was rebuilt' }));
  });

  it('--update that leaves nothing to review closes the pull request with a comment, its bookkeeping on main', async () => {
    const w = await world();
    const first = await w.run();
    for (const action of [...first.actions].reverse()) await revertOnBranch(w, first.branch!, action.commit!);
    const quiet = transcript({ sessionId: 's5', start: '2026-11-06T09:00:00Z' }, [{ user: 'What time is it in Lisbon?' }, { assistant: 'About 10:00.' }]);
    await commitFiles(w.dir, { 'sessions/coding-agent/s5.jsonl': quiet }, 'one more session');
    const rebuilt = await w.run({ update: true });
    expect(rebuilt).toMatchObject({ rebuilt: first.cycle, merged: true, actions: [] });
    expect(w.github.state.pulls).toHaveLength(1);
    expect(w.github.state.pulls[0]).toMatchObject({ state: 'closed', merged: false });
    expect(w.github.state.comments.at(-1)?.body).toContain(`cycle ${first.cycle} has no action left to review`);
    // main got the cycle's bookkeeping before GitHub was told: both have it.
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));
    expect(git(w.bare, ['show', `main:.reverie/cycles/${first.cycle}.json`])).toContain(first.cycle!);
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
  });

  it('a branch pushed by a run whose pull request was never created gets its one pull request from the next run, in a fresh clone', async () => {
    const w = await world();
    const first = await w.run();
    w.github.state.pulls.splice(0);
    const clone = await cloneOf(w);
    const again = await reverieAsync(['dream', '--json', '--repo', clone], { env: { GITHUB_TOKEN: TOKEN } });
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as { outcome: string; github: { adopted: string[] } };
    expect(result.outcome).toBe('pending-review');
    expect(result.github.adopted).toEqual([first.cycle]);
    expect(w.github.state.pulls.map((p) => [p.head.ref, p.state])).toEqual([[first.branch, 'open']]);
    expect(git(w.bare, ['for-each-ref', '--format=%(refname)', 'refs/heads/reverie/'])).toBe(`refs/heads/${first.branch}`);
  });

  it('rides out a 502 from the API and from the git server, and a rate limit with retry-after', async () => {
    const w = await world();
    w.github.failNext(1, { status: 502, body: { message: 'Server Error' } });
    w.server.failNext(1, 502);
    const result = await w.run();
    expect(result.pull?.action).toBe('created');
    expect(w.server.requests.filter((r) => r.status === 502)).toHaveLength(1);
    expect(git(w.bare, ['rev-parse', `refs/heads/${result.branch}`])).toBe(git(w.dir, ['rev-parse', `refs/heads/${result.branch}`]));
    const limited = await world();
    limited.github.failNext(1, rateLimitExceeded(1));
    expect((await limited.run()).pull?.action).toBe('created');
    expect(limited.github.requests.filter((r) => r.status === 403)).toHaveLength(1);
  });

  it('a bad token stops the cycle with a clear error and nothing half-done', async () => {
    const w = await world();
    const main = git(w.dir, ['rev-parse', 'main']);
    const error = await w.run({ github: { env: { GITHUB_TOKEN: 'ghp_wrong' }, timing: { secondMs: 1, paceWrites: false } } }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/GITHUB_TOKEN/);
    expect((error as Error).message).not.toContain('ghp_wrong');
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(main);
    expect(git(w.dir, ['branch', '--list', 'reverie/*'])).toBe('');
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
    expect(w.github.state.pulls).toEqual([]);
    const missing = await w.run({ github: { env: {} } }).catch((e: unknown) => e as Error);
    expect((missing as Error).message).toMatch(/GITHUB_TOKEN/);
  });

  it('auto mode with a risk policy: main takes the safe actions and is pushed; the rest goes to a pull request', async () => {
    const w = await world({ mode: 'auto', extraConfig: '' , files: {} });
    await commitFiles(w.dir, { 'reverie.yaml': readFileSync(path.join(w.dir, 'reverie.yaml'), 'utf8').replace('approval:\n', 'approval:\n  auto: [merge]\n') }, 'policy');
    await runGit(w.dir, ['push', '-q', 'origin', 'main'], gitAuth());
    const before = git(w.dir, ['rev-parse', 'main']);
    const result = await w.run();
    const safe = result.actions.filter((a) => a.type === 'merge');
    const rest = result.actions.filter((a) => a.type !== 'merge');
    expect(safe.length).toBeGreaterThan(0);
    expect(rest.length).toBeGreaterThan(0);
    expect(result.appliedWithoutReview).toBe(safe.length);
    const main = git(w.dir, ['rev-parse', 'main']);
    expect(main).not.toBe(before);
    expect(git(w.dir, ['log', '--format=%s', `${before}..main`]).split('\n').every((s) => s.startsWith('merge('))).toBe(true);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(main);
    const body = w.github.state.pulls[0]?.body ?? '';
    expect(body).toContain('Already applied to main without review');
    for (const a of rest) expect(body).toMatch(new RegExp(`^- \\[x\\] <!-- reverie-action:${a.id} --> \\*\\*\\d+\\.\\*\\* \`${a.id}\` ${a.type} `, 'm'));
    // What main has already is not offered to drop: reverting it is how it goes.
    for (const a of safe) expect(body).not.toContain(`<!-- reverie-action:${a.id} -->`);
  });

  it('--supersede replaces a waiting cycle: takes in its sessions, keeps what the reviewer dropped, closes the old pull request', async () => {
    const w = await world();
    const first = await w.run();
    // The reviewer drops one action by reverting its commit on the branch, on GitHub's side.
    const dropped = first.actions.at(-1)!;
    const clone = await makeTempDir();
    cleanups.push(() => import('node:fs/promises').then((fs) => fs.rm(clone, { recursive: true, force: true })));
    const auth = gitAuth();
    await runGit(clone, ['clone', '-q', '-b', first.branch!, w.server.repoUrl('memory'), '.'], auth);
    git(clone, ['revert', '--no-edit', dropped.commit!]);
    await runGit(clone, ['push', '-q', 'origin', first.branch!], auth);
    await commitFiles(w.dir, { 'sessions/coding-agent/s5.jsonl': npmMistakeSession('s5', '2026-11-06T09:00:00Z', 'bump the checkout SDK') }, 'one more session');

    const waiting = await w.run();
    expect(waiting.outcome).toBe('pending-review');
    const next = await w.run({ supersede: true });
    expect(next.outcome).toBe('committed');
    expect(next.stats.new_sessions).toBe(5);
    expect(next.actions.map((a) => a.summary)).not.toContain(dropped.summary);
    const rejected = JSON.parse(git(w.dir, ['show', `${next.branch}:.reverie/rejected.json`])) as Record<string, { reason?: string; summary: string }>;
    expect(Object.values(rejected)).toContainEqual(expect.objectContaining({ summary: dropped.summary, reason: expect.stringContaining('dropped by the reviewer') }));
    expect(next.superseded).toEqual([{ cycle: first.cycle, pull: first.pull?.number }]);
    const [old, fresh] = w.github.state.pulls;
    expect(old?.state).toBe('closed');
    expect(fresh).toMatchObject({ state: 'open', number: next.pull?.number });
    expect(w.github.state.comments.find((c) => c.issueNumber === old?.number)?.body).toContain(`#${next.pull?.number}`);
    expect(git(w.bare, ['for-each-ref', '--format=%(refname)', 'refs/heads/reverie/'])).toBe(`refs/heads/${next.branch}`);
    expect(git(w.dir, ['branch', '--list', first.branch!])).toBe('');
  });

  it('reverie reject closes the pull request and deletes its branch; the next cycle does not propose the actions again', async () => {
    const w = await world();
    const first = await w.run();
    const rejected = await reverieAsync(['reject', first.cycle!, '--reason', 'not useful', '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(rejected.stderr).toBe('');
    expect(rejected.code).toBe(0);
    expect(rejected.stdout + rejected.stderr).not.toContain(TOKEN);
    expect(w.github.state.pulls[0]?.state).toBe('closed');
    expect(w.github.state.comments.at(-1)?.body).toContain('not useful');
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(w.dir, ['rev-parse', 'main']));
    const again = await w.run();
    expect(again.actions).toEqual([]);
    expect(w.github.state.pulls).toHaveLength(1);
  });

  it('a revert in review mode goes through a pull request of its own; main does not move', async () => {
    const w = await world({ mode: 'auto' });
    const cycle = await w.run();
    expect(cycle.merged).toBe(true);
    const main = git(w.dir, ['rev-parse', 'main']);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(main);
    const target = cycle.actions[0]!;
    const result = await reverieAsync(['revert', target.id, '--mode', 'review', '--reason', 'wrong note', '--json', '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as { branch: string; merged: boolean; pull: { number: number; action: string } };
    expect(json.merged).toBe(false);
    expect(json.pull.action).toBe('created');
    expect(git(w.dir, ['rev-parse', 'main'])).toBe(main);
    const pull = w.github.state.pulls.find((p) => p.number === json.pull.number);
    expect(pull).toMatchObject({ state: 'open', head: { ref: json.branch }, base: { ref: 'main' } });
    expect(pull?.body).toContain(`${cycle.cycle}/${target.id}`);
    expect(pull?.labels).toEqual(expect.arrayContaining(['reverie', 'reverie:revert']));
    expect(git(w.bare, ['rev-parse', `refs/heads/${json.branch}`])).toBe(git(w.dir, ['rev-parse', `refs/heads/${json.branch}`]));
    expect(w.github.violations).toEqual([]);
  });

  for (const style of ['merge', 'squash', 'rebase'] as const) {
    it(`a pull request merged on GitHub (${style}) counts as approved: the next cycle brings main up and proposes nothing again`, async () => {
      const w = await world();
      const first = await w.run();
      await w.github.mergePull(first.pull!.number, style);
      const next = await w.run();
      expect(next.outcome).toBe('nothing-new');
      expect(next.actions).toEqual([]);
      expect(git(w.dir, ['rev-parse', 'main'])).toBe(git(w.bare, ['rev-parse', 'main']));
      // The merged cycle's branch goes, on GitHub and here.
      expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
      expect(git(w.dir, ['branch', '--list', 'reverie/*'])).toBe('');
      expect(w.github.state.pulls).toHaveLength(1);
      const log = await reverieAsync(['log', '--json', '--repo', w.dir]);
      const cycles = (JSON.parse(log.stdout) as { cycles: { cycle: string; status: string; actions: { id: string; status: string; commit: string | null }[] }[] }).cycles;
      const merged = cycles.find((c) => c.cycle === first.cycle);
      expect(merged?.status).toBe('approved');
      expect(merged?.actions.every((a) => a.status === 'applied' && a.commit !== null)).toBe(true);
    });
  }

  it('a squash whose message a person wrote, with no trailers, counts every action: log, why and revert read the merged tree', async () => {
    const w = await world();
    const first = await w.run();
    const squash = await w.github.mergePull(first.pull!.number, 'squash', { title: 'Memory: this week\'s lessons', message: 'Read them all, looks right.' });
    expect(git(w.bare, ['log', '-1', '--format=%B', 'main'])).not.toContain('Reverie-');
    const next = await w.run();
    expect(next.outcome).toBe('nothing-new');

    const log = await reverieAsync(['log', '--json', '--repo', w.dir]);
    const cycle = (JSON.parse(log.stdout) as { cycles: { cycle: string; label: string; actions: { status: string; commit: string | null }[] }[] }).cycles.find((c) => c.cycle === first.cycle)!;
    expect(cycle.label).toBe('approved');
    expect(cycle.actions.map((a) => [a.status, a.commit])).toEqual(first.actions.map(() => ['applied', squash]));

    const why = await reverieAsync(['why', 'memory/notes.md', '--json', '--repo', w.dir]);
    const lines = (JSON.parse(why.stdout) as { lines: { text: string; origin: { kind: string; cycle?: string } }[] }).lines;
    const pnpm = lines.find((l) => l.text.includes('pnpm'))!;
    expect(pnpm.origin).toMatchObject({ kind: 'action', cycle: first.cycle });
    expect(pnpm.origin).toMatchObject({ commit: squash });

    const reverted = await reverieAsync(['revert', first.actions[0]!.id, '--json', '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(reverted.code, reverted.stderr).toBe(0);
    expect((JSON.parse(reverted.stdout) as { reverted: { actionId: string }[] }).reverted.map((r) => r.actionId)).toEqual([first.actions[0]!.id]);
  });

  it('an action a reviewer reverted on the branch before a squash with a written message is not counted as applied', async () => {
    const w = await world();
    const first = await w.run();
    const dropped = first.actions.at(-1)!;
    await revertOnBranch(w, first.branch!, dropped.commit!, 'Not this one');
    await w.github.mergePull(first.pull!.number, 'squash', { title: 'Memory lessons', message: 'All but the last.' });
    await w.run();

    const log = await reverieAsync(['log', '--json', '--repo', w.dir]);
    const cycle = (JSON.parse(log.stdout) as { cycles: { cycle: string; actions: { id: string; status: string }[] }[] }).cycles.find((c) => c.cycle === first.cycle)!;
    expect(cycle.actions.filter((a) => a.status === 'applied').map((a) => a.id)).toEqual(first.actions.slice(0, -1).map((a) => a.id));
    expect(cycle.actions.find((a) => a.id === dropped.id)?.status).not.toBe('applied');
  });

  it('reverie approve --except merges the rest, pushes main and closes the pull request saying so', async () => {
    const w = await world();
    const first = await w.run();
    const left = first.actions[0]!;
    const approved = await reverieAsync(['approve', first.cycle!, '--except', left.id, '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    const main = git(w.dir, ['rev-parse', 'main']);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(main);
    const subjects = git(w.dir, ['log', '--format=%s', `${first.base}..main`]);
    expect(subjects).not.toContain(left.summary.slice(0, 30));
    expect(w.github.state.pulls[0]?.state).toBe('closed');
    expect(w.github.state.comments.at(-1)?.body).toContain('Approved with `reverie approve`');
    expect(git(w.bare, ['for-each-ref', 'refs/heads/reverie/'])).toBe('');
    expect(w.github.violations).toEqual([]);
  });
});
