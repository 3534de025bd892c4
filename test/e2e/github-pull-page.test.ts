/**
 * Review from the pull request page alone: a reviewer unticks an action's box, comments `/reverie …` commands, or
 * closes the pull request, and reverie (as the Action runs it on the event, in a fresh clone of the repository) acts
 * and answers. A real git server and the fake GitHub on 127.0.0.1; the events are the payloads GitHub sends.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction } from '../../src/action/run.js';
import { openContext } from '../../src/cycle/context.js';
import { listCycles } from '../../src/cycle/history.js';
import { syncCycles } from '../../src/cycle/github-cycles.js';
import { connectGitHub } from '../../src/cycle/publish.js';
import { respondToReview } from '../../src/cycle/respond.js';
import { readReviewEvent } from '../../src/github/events.js';
import { reverieAsync } from '../helpers/cli.js';
import { issueCommentEvent, pullRequestEvent, writeEvent, type GitHubEvent } from '../helpers/github-events.js';
import { runGit } from '../helpers/git-server.js';
import { FAST_GITHUB, gitAuth, githubWorld, TOKEN, type World } from '../helpers/github-world.js';
import { git, makeTempDir } from '../helpers/git.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A fresh clone of the repository on the git server, as the Action's runner has it. */
async function runnerClone(w: World): Promise<string> {
  const clone = await makeTempDir();
  cleanups.push(() => rm(clone, { recursive: true, force: true }));
  await runGit(clone, ['clone', '-q', w.server.repoUrl('memory'), '.'], gitAuth());
  return clone;
}

/** Handles an event as the Action does, in a fresh clone, with a fast clock for the fake. */
async function respond(w: World, event: GitHubEvent) {
  const clone = await runnerClone(w);
  const context = await openContext(clone);
  const link = await connectGitHub(context, FAST_GITHUB);
  return respondToReview(context, link!, readReviewEvent(event.name, JSON.stringify(event.payload)), { now: new Date('2026-12-02T10:00:00Z') });
}

/** A waiting cycle of two or more actions, its pull request open, and `ada` with write access. */
async function waitingCycle() {
  const w = await githubWorld(cleanups);
  const result = await w.run({ now: new Date('2026-12-01T03:00:00Z') });
  expect(result.actions.length).toBeGreaterThanOrEqual(2);
  w.github.setPermission('ada', 'write');
  const pull = w.github.state.pulls[0]!;
  return { w, result, pull, ids: result.actions.map((a) => a.id) };
}

function branchCommits(w: World, branch: string): string[] {
  return git(w.bare, ['log', '--format=%s', `main..${branch}`]).split('\n').filter(Boolean);
}

const untick = (body: string, id: string) => body.replace(`- [x] <!-- reverie-action:${id} -->`, `- [ ] <!-- reverie-action:${id} -->`);
const tick = (body: string, id: string) => body.replace(`- [ ] <!-- reverie-action:${id} -->`, `- [x] <!-- reverie-action:${id} -->`);
const lastComment = (w: World) => w.github.state.comments.at(-1)!;

describe('review from the pull request page', () => {
  it('an unticked box drops its action: the branch is rebuilt without it, the body updated, the drop remembered through the merge', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const [first, second] = ids as [string, string];
    const before = branchCommits(w, result.branch!);
    const secondCommit = git(w.bare, ['rev-parse', `${result.branch}~${before.length - 1 - 1}`]);
    const { from } = w.github.editPullBodyAs(pull.number, 'ada', untick(pull.body!, second));
    const response = await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from } } }));
    expect(response).toMatchObject({ outcome: 'revised', cycle: result.cycle, pull: pull.number });

    const after = branchCommits(w, result.branch!);
    expect(after).toHaveLength(before.length - 1);
    expect(after.join('\n')).not.toContain(result.actions[1]!.summary.slice(0, 40));
    // The actions before the dropped one keep their commits.
    expect(git(w.bare, ['rev-parse', `${result.branch}~${after.length - 1}`])).toBe(git(w.dir, ['rev-parse', `${result.branch}~${before.length - 1}`]));
    expect(secondCommit).not.toBe('');
    const body = w.github.state.pulls[0]!.body!;
    expect(body).toContain(`- [ ] <!-- reverie-action:${second} -->`);
    expect(body).toContain(`- [x] <!-- reverie-action:${first} -->`);
    expect(body).toContain('_dropped by ada_');
    expect(lastComment(w).body).toContain(`Dropped \`${second}\``);
    const rejected = JSON.parse(git(w.bare, ['show', `${result.branch}:.reverie/rejected.json`])) as Record<string, { reason?: string }>;
    expect(Object.values(rejected).some((r) => r.reason === `unticked on pull request #${pull.number} by ada`)).toBe(true);

    // Merged on the page: the dropped action counts as rejected, the other as applied, and no later cycle proposes it.
    await w.github.mergePull(pull.number, 'squash');
    const next = await w.run({ now: new Date('2026-12-03T03:00:00Z') });
    expect(next.actions.map((a) => a.id)).not.toContain(second);
    const cycle = (await listCycles(await openContext(w.dir))).find((c) => c.cycle === result.cycle)!;
    expect(cycle.actions.find((a) => a.id === second)?.status).toBe('rejected');
    expect(cycle.actions.find((a) => a.id === first)?.status).toBe('applied');
  });

  it('the clone that made the cycle takes the branch as the review on the page left it: approving there does not bring a dropped action back', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const [, second] = ids as [string, string];
    const dropped = result.actions[1]!;
    const stale = git(w.dir, ['rev-parse', result.branch!]);
    const { from } = w.github.editPullBodyAs(pull.number, 'ada', untick(pull.body!, second));
    expect(await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from } } }))).toMatchObject({ outcome: 'revised' });
    const revised = git(w.bare, ['rev-parse', result.branch!]);
    // GitHub's branch was rebuilt: it does not descend from the one the maker's clone has.
    expect(() => git(w.bare, ['merge-base', '--is-ancestor', stale, revised])).toThrow();

    const approved = await reverieAsync(['approve', result.cycle!, '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(approved.code, approved.stderr).toBe(0);
    // Listed without a commit: the record keeps it, the branch does not.
    expect(approved.stdout).toContain(`  ------- ${dropped.type} ${dropped.summary}`);
    expect(git(w.bare, ['log', '--format=%s', 'main'])).not.toContain(dropped.summary.slice(0, 40));
    expect(git(w.bare, ['log', '--format=%B', 'main'])).not.toMatch(new RegExp(`Reverie-Action: ${dropped.type}[\\s\\S]*${second}`));
    const cycle = (await listCycles(await openContext(w.dir))).find((c) => c.cycle === result.cycle)!;
    expect(cycle.actions.find((a) => a.id === second)?.status).toBe('rejected');
  });

  it('a branch here with a commit of a person\'s own is kept, whatever GitHub\'s revision', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const { from } = w.github.editPullBodyAs(pull.number, 'ada', untick(pull.body!, ids[1]!));
    expect(await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from } } }))).toMatchObject({ outcome: 'revised' });
    git(w.dir, ['checkout', '-q', result.branch!]);
    git(w.dir, ['-c', 'user.email=ada@example.com', '-c', 'user.name=Ada', 'commit', '-q', '--allow-empty', '-m', 'docs: a note of mine']);
    git(w.dir, ['checkout', '-q', 'main']);
    const mine = git(w.dir, ['rev-parse', result.branch!]);
    const context = await openContext(w.dir);
    const sync = await syncCycles(context, (await connectGitHub(context, FAST_GITHUB))!, { now: new Date('2026-12-02T11:00:00Z') });
    expect(sync.adopted).toEqual([]);
    expect(git(w.dir, ['rev-parse', result.branch!])).toBe(mine);
  });

  it('a /reverie drop comment drops, a /reverie keep brings it back, each answered in a reply', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const [, second] = ids as [string, string];
    const before = branchCommits(w, result.branch!);
    const drop = w.github.commentAs(pull.number, 'ada', `Not this one.\n/reverie drop \`${second}\``);
    expect(await respond(w, issueCommentEvent(w.github, drop))).toMatchObject({ outcome: 'revised' });
    expect(branchCommits(w, result.branch!)).toHaveLength(before.length - 1);
    expect(lastComment(w).body).toContain(`> /reverie drop`);
    expect(lastComment(w).body).toContain(`Dropped \`${second}\``);
    expect(w.github.state.reactions).toContainEqual(expect.objectContaining({ commentId: drop.id, content: '+1' }));

    // The run reverie's own body update starts (with a person's token it is an edit by a writer) finds nothing to do,
    // and its reply, which quotes the command, is not taken for one.
    const comments = w.github.state.comments.length;
    const own = pullRequestEvent(w.github, pull.number, 'edited', { sender: 'acme', changes: { body: { from: pull.body! } } });
    expect(await respond(w, own)).toMatchObject({ outcome: 'ignored' });
    const reply = lastComment(w);
    expect(await respond(w, issueCommentEvent(w.github, { ...reply, user: 'acme' }))).toMatchObject({ outcome: 'ignored' });
    expect(w.github.state.comments).toHaveLength(comments);

    const keep = w.github.commentAs(pull.number, 'ada', `/reverie keep ${second}`);
    expect(await respond(w, issueCommentEvent(w.github, keep))).toMatchObject({ outcome: 'revised' });
    expect(branchCommits(w, result.branch!)).toEqual(before);
    expect(w.github.state.pulls[0]!.body).toContain(`- [x] <!-- reverie-action:${second} -->`);
    const rejected = JSON.parse(git(w.bare, ['show', `${result.branch}:.reverie/rejected.json`])) as Record<string, { cycle: string }>;
    expect(Object.values(rejected).filter((r) => r.cycle === result.cycle)).toEqual([]);
  });

  it('ticking a dropped box brings its action back', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const [, second] = ids as [string, string];
    const before = branchCommits(w, result.branch!);
    const edit = w.github.editPullBodyAs(pull.number, 'ada', untick(pull.body!, second));
    await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from: edit.from } } }));
    const dropped = w.github.state.pulls[0]!.body!;
    const again = w.github.editPullBodyAs(pull.number, 'ada', tick(dropped, second));
    expect(await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from: again.from } } }))).toMatchObject({ outcome: 'revised' });
    expect(branchCommits(w, result.branch!)).toEqual(before);
  });

  it('obeys only people with write access: a reader\'s command is answered and not done, a reader\'s box edit is undone', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    w.github.setPermission('mallory', 'read');
    const tip = git(w.bare, ['rev-parse', result.branch!]);
    const comment = w.github.commentAs(pull.number, 'mallory', '/reverie approve');
    expect(await respond(w, issueCommentEvent(w.github, comment))).toMatchObject({ outcome: 'refused' });
    expect(lastComment(w).body).toContain('mallory has read access');
    expect(w.github.state.pulls[0]).toMatchObject({ state: 'open', merged: false });

    // A writer who edited the body and lost write access before the run.
    const original = w.github.state.pulls[0]!.body!;
    w.github.setPermission('stranger', 'write');
    const edit = w.github.editPullBodyAs(pull.number, 'stranger', untick(original, ids[0]!));
    w.github.setPermission('stranger', 'none');
    expect(await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'stranger', changes: { body: { from: edit.from } } }))).toMatchObject({ outcome: 'refused' });
    expect(git(w.bare, ['rev-parse', result.branch!])).toBe(tip);
    expect(w.github.state.pulls[0]!.body).toBe(original);
    expect(lastComment(w).body).toContain('stranger has no access');
  });

  it('ignores bots and comments without a command, and answers nothing to them', async () => {
    const { w, pull } = await waitingCycle();
    const comments = w.github.state.comments.length;
    const bot = w.github.commentAs(pull.number, 'renovate[bot]', '/reverie approve');
    expect(await respond(w, issueCommentEvent(w.github, bot, { senderType: 'Bot' }))).toMatchObject({ outcome: 'ignored' });
    const chat = w.github.commentAs(pull.number, 'ada', 'Looks fine to me.');
    expect(await respond(w, issueCommentEvent(w.github, chat))).toMatchObject({ outcome: 'ignored' });
    expect(w.github.state.comments).toHaveLength(comments + 2);
    expect(w.github.state.pulls[0]).toMatchObject({ state: 'open' });
  });

  it('leaves a /reverie comment on a pull request that is not a cycle\'s alone, and says nothing', async () => {
    const { w, pull } = await waitingCycle();
    const sha = git(w.bare, ['rev-parse', 'main']);
    git(w.bare, ['branch', 'docs/typo', sha]);
    w.github.state.pulls.push({ ...pull, number: 2, title: 'docs: a person\'s change', head: { ref: 'docs/typo', sha }, user: 'ada' });
    const comments = w.github.state.comments.length;
    const comment = w.github.commentAs(2, 'ada', '/reverie approve');
    expect(await respond(w, issueCommentEvent(w.github, comment))).toMatchObject({ outcome: 'ignored', pull: 2 });
    expect(w.github.state.comments).toHaveLength(comments + 1);
    expect(w.github.state.pulls.find((p) => p.number === 2)).toMatchObject({ state: 'open', merged: false });
  });

  it('/reverie why answers with the rationale and evidence; an unknown id or command is answered with what there is', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const comment = w.github.commentAs(pull.number, 'ada', `/reverie why ${ids[0]}\n/reverie why deadbeef\n/reverie merge`);
    expect(await respond(w, issueCommentEvent(w.github, comment))).toMatchObject({ outcome: 'answered' });
    const reply = lastComment(w).body;
    expect(reply).toContain(`\`${ids[0]}\``);
    expect(reply).toContain('<details open><summary>Evidence</summary>');
    expect(reply).toContain('has no action `deadbeef`');
    expect(reply).toContain('reverie has no command `merge`');
    expect(reply).toContain('/reverie drop <id>');
    expect(branchCommits(w, result.branch!).length).toBe(result.actions.length + 1);
  });

  it('/reverie approve merges the pull request through GitHub and records it; /reverie reject records the reason and closes', async () => {
    const { w, result, pull } = await waitingCycle();
    const approve = w.github.commentAs(pull.number, 'ada', '/reverie approve');
    expect(await respond(w, issueCommentEvent(w.github, approve))).toMatchObject({ outcome: 'approved' });
    expect(w.github.state.pulls[0]).toMatchObject({ state: 'closed', merged: true });
    expect(git(w.bare, ['show', `main:.reverie/cycles/${result.cycle}.json`])).toContain(result.cycle!);
    expect(git(w.bare, ['branch', '--list', result.branch!])).toBe('');
    expect(lastComment(w).body).toContain('Merged with a merge commit');

    const second = await githubWorld(cleanups);
    const made = await second.run({ now: new Date('2026-12-01T03:00:00Z') });
    second.github.setPermission('ada', 'admin');
    const reject = second.github.commentAs(1, 'ada', '/reverie reject the port moved to 8082');
    expect(await respond(second, issueCommentEvent(second.github, reject))).toMatchObject({ outcome: 'rejected' });
    expect(second.github.state.pulls[0]).toMatchObject({ state: 'closed', merged: false });
    const record = JSON.parse(git(second.bare, ['show', `main:.reverie/cycles/${made.cycle}.json`])) as { decision?: { status: string; reason?: string } };
    expect(record.decision).toMatchObject({ status: 'rejected', reason: 'the port moved to 8082 (ada on pull request #1)' });
    const next = await second.run({ now: new Date('2026-12-03T03:00:00Z') });
    expect(next.actions.filter((a) => made.actions.some((m) => m.id === a.id))).toEqual([]);
    expect(second.github.state.pulls).toHaveLength(1);
  });

  it('unticking every box rejects the cycle', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    let body = pull.body!;
    for (const id of ids) body = untick(body, id);
    const { from } = w.github.editPullBodyAs(pull.number, 'ada', body);
    expect(await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from } } }))).toMatchObject({ outcome: 'revised' });
    expect(w.github.state.pulls[0]).toMatchObject({ state: 'closed', merged: false });
    const record = JSON.parse(git(w.bare, ['show', `main:.reverie/cycles/${result.cycle}.json`])) as { decision?: { status: string } };
    expect(record.decision?.status).toBe('rejected');
  });

  it('leaves a branch a person committed to, and says how to drop instead', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const clone = await runnerClone(w);
    git(clone, ['checkout', '-q', result.branch!]);
    git(clone, ['-c', 'user.email=ada@example.com', '-c', 'user.name=Ada', 'commit', '-q', '--allow-empty', '-m', 'docs: a note of mine']);
    await runGit(clone, ['push', '-q', 'origin', result.branch!], gitAuth());
    const tip = git(w.bare, ['rev-parse', result.branch!]);
    const comment = w.github.commentAs(pull.number, 'ada', `/reverie drop ${ids[0]}`);
    expect(await respond(w, issueCommentEvent(w.github, comment))).toMatchObject({ outcome: 'answered' });
    expect(git(w.bare, ['rev-parse', result.branch!])).toBe(tip);
    expect(lastComment(w).body).toContain('reverie did not make');
    expect(w.github.state.reactions).toContainEqual(expect.objectContaining({ commentId: comment.id, content: 'confused' }));
  });

  it('the Action handles a closed pull request and a comment from the event file, and sets its outputs', async () => {
    const { w, result, pull, ids } = await waitingCycle();
    const workspace = await runnerClone(w);
    const temp = await mkdtemp(path.join(os.tmpdir(), 'reverie-runner-'));
    cleanups.push(() => rm(temp, { recursive: true, force: true }));
    const outputs = path.join(temp, 'outputs');
    const comment = w.github.commentAs(pull.number, 'ada', `/reverie drop ${ids[0]}`);
    const eventEnv = await writeEvent(temp, issueCommentEvent(w.github, comment));
    const printed: string[] = [];
    const env = {
      ...eventEnv,
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'acme/memory',
      GITHUB_API_URL: w.github.url,
      GITHUB_OUTPUT: outputs,
      RUNNER_TEMP: temp,
      INPUT_COMMAND: 'respond',
      'INPUT_GITHUB-TOKEN': TOKEN,
    };
    const code = await runAction({ env, cwd: workspace, tempDir: temp, print: (l) => printed.push(l), printError: (l) => printed.push(l) });
    expect(printed.filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(TOKEN);
    expect(code).toBe(0);
    const written = await readFile(outputs, 'utf8');
    expect(written).toMatch(/outcome<<(\S+)\nrevised\n\1/);
    expect(written).toMatch(new RegExp(`cycle<<(\\S+)\\n${result.cycle}\\n\\1`));
    expect(branchCommits(w, result.branch!)).toHaveLength(result.actions.length);
  });

  it('a pull request closed on the page is recorded as the rejection at once', async () => {
    const { w, result, pull } = await waitingCycle();
    w.github.state.pulls[0]!.state = 'closed';
    const response = await respond(w, pullRequestEvent(w.github, pull.number, 'closed', { sender: 'ada' }));
    expect(response).toMatchObject({ outcome: 'recorded', cycle: result.cycle });
    expect(response.sync?.join('\n')).toContain('closed without merging');
    const record = JSON.parse(git(w.bare, ['show', `main:.reverie/cycles/${result.cycle}.json`])) as { decision?: { status: string; pull?: number } };
    expect(record.decision).toMatchObject({ status: 'rejected', pull: pull.number });
  });
});
