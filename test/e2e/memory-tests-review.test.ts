/**
 * Memory tests when review happens on GitHub: a real git server and the fake GitHub REST API on 127.0.0.1. A cycle's
 * pull request opens with the tests it fixes and breaks and the context cost per target; a reviewer who drops the
 * action that broke a case gets the record and the body made again for what remains, and `reverie approve` says
 * that the hold is gone.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../../src/cycle/context.js';
import { connectGitHub } from '../../src/cycle/publish.js';
import { respondToReview } from '../../src/cycle/respond.js';
import { readReviewEvent } from '../../src/github/events.js';
import { estimateTokens } from '../../src/memory/tokens.js';
import { reverieAsync } from '../helpers/cli.js';
import { issueCommentEvent, pullRequestEvent, type GitHubEvent } from '../helpers/github-events.js';
import { runGit } from '../helpers/git-server.js';
import { FAST_GITHUB, gitAuth, githubWorld, NOTES, TOKEN, type World } from '../helpers/github-world.js';
import { git, makeTempDir } from '../helpers/git.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/**
 * Against the world's memory and sessions: the cycle's merge of the two port notes keeps the short one and loses
 * "pricing service listens" (broken), its update to pnpm and its add of the ISO 8601 rule make the others pass (fixed).
 */
const CASES = `cases:
  - name: pricing port
    question: Which port does the pricing service listen on?
    expect: pricing service listens
  - name: installs
    question: How do I install dependencies?
    expect: pnpm install
  - name: release dates
    question: How are dates written in release notes?
    expect: ISO 8601
`;

const BROKEN_ROW = '| pricing port | **broken** (pass → fail) | .reverie/tests/memory.yaml:2 | missing &#34;pricing service listens&#34; |';

interface RecordJson {
  actions: { id: string; type: string; commit?: string }[];
  memory_tests?: { fixed: number; broken: number; holds: string[]; cases: { name: string; change: string }[] };
  held_by_tests?: string[];
  reviewer_drops?: { id: string }[];
}

function recordOn(w: World, branch: string, cycle: string): RecordJson {
  return JSON.parse(git(w.bare, ['show', `${branch}:.reverie/cycles/${cycle}.json`])) as RecordJson;
}

/** The pull request's body from its first line to the end of the context cost table. */
function tablesOf(body: string): string {
  const start = body.indexOf('### Memory tests');
  const end = body.indexOf('_Tokens are estimated');
  return body.slice(start, end);
}

/** Handles an event as the Action does, in a fresh clone of the repository. */
async function respond(w: World, event: GitHubEvent) {
  const clone = await makeTempDir();
  cleanups.push(() => rm(clone, { recursive: true, force: true }));
  await runGit(clone, ['clone', '-q', w.server.repoUrl('memory'), '.'], gitAuth());
  const context = await openContext(clone);
  const link = await connectGitHub(context, FAST_GITHUB);
  return respondToReview(context, link!, readReviewEvent(event.name, JSON.stringify(event.payload)), { now: new Date('2026-12-02T10:00:00Z') });
}

/** memory/notes.md at a ref on GitHub's side, with the final newline the git helper trims. */
function notesAt(w: World, ref: string): string {
  return `${git(w.bare, ['show', `${ref}:memory/notes.md`])}\n`;
}

/** The notes namespace's row of the context cost table, from the file before and after. */
function costRow(before: string, after: string): string {
  const lines = (text: string) => text.split('\n').length - 1;
  const cell = (a: number, b: number) => `${a} → ${b} (${b > a ? `+${b - a}` : b < a ? `−${a - b}` : '±0'})`;
  return `| namespace notes | ${cell(estimateTokens(before), estimateTokens(after))} | ${cell(lines(before), lines(after))} |  |`;
}

const untick = (body: string, id: string) => body.replace(`- [x] <!-- reverie-action:${id} -->`, `- [ ] <!-- reverie-action:${id} -->`);

describe('memory tests on a cycle reviewed on GitHub', () => {
  it('the pull request opens with the cases the cycle fixes and breaks and the context cost per target', async () => {
    const w = await githubWorld(cleanups, { files: { '.reverie/tests/memory.yaml': CASES } });
    const result = await w.run();
    expect(result.pull).toMatchObject({ number: 1, action: 'created' });
    expect(result.memory_tests).toMatchObject({ fixed: 2, broken: 1, stillFailing: 0, passing: 0 });

    const body = w.github.state.pulls[0]!.body!;
    const lines = body.split('\n');
    // The tables come first, right under the title: a reviewer reads what the cycle does to what agents know before how.
    expect(lines.slice(1, 5)).toEqual([`## Dream cycle \`${result.cycle}\``, '', '### Memory tests', '']);
    expect(lines[5]).toBe('❌ **2 fixed, 1 broken**, 0 still failing, 0 passing (3 cases)');
    expect(body).toContain(BROKEN_ROW);
    expect(body).toContain('| installs | fixed (fail → pass) | .reverie/tests/memory.yaml:5 | passes |');
    expect(body).toContain('| release dates | fixed (fail → pass) | .reverie/tests/memory.yaml:8 | passes |');
    expect(body).toContain('> - it breaks memory test &#34;pricing port&#34; &#40;.reverie/tests/memory.yaml:2&#41;');
    // The broken case is listed before the fixed ones.
    expect(body.indexOf('| pricing port |')).toBeLessThan(body.indexOf('| installs |'));
    const after = notesAt(w, result.branch!);
    expect(body).toContain(['### Context cost per target', '', '| target | tokens | lines | limit |', '| :-- | --: | --: | :-- |', '| namespace instructions | 0 → 0 (±0) | 0 → 0 (±0) |  |', costRow(NOTES, after)].join('\n'));
    // Then the rest of the review document.
    expect(body.indexOf('_Tokens are estimated')).toBeLessThan(body.indexOf('reverie read'));
    expect(body.indexOf('reverie read')).toBeLessThan(body.indexOf('How to review'));
    expect(w.github.violations).toEqual([]);
  });

  it('a cycle held back in auto mode goes to a pull request; unticking the action that broke a case makes the tests again, and approve says the hold is gone', async () => {
    const w = await githubWorld(cleanups, { mode: 'auto', files: { '.reverie/tests/memory.yaml': CASES } });
    const main = git(w.bare, ['rev-parse', 'main']);
    const result = await w.run({ now: new Date('2026-12-01T03:00:00Z') });
    expect(result.merged).toBe(false);
    expect(result.approval).toContain('sent to review: it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)');
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(main);
    const pull = w.github.state.pulls[0]!;
    expect(pull.body).toContain(BROKEN_ROW);
    expect(pull.body).toContain('> [!WARNING]');
    const merge = result.actions.find((a) => a.type === 'merge')!;
    expect(merge).toBeDefined();

    w.github.setPermission('ada', 'write');
    const { from } = w.github.editPullBodyAs(pull.number, 'ada', untick(pull.body!, merge.id));
    const response = await respond(w, pullRequestEvent(w.github, pull.number, 'edited', { sender: 'ada', changes: { body: { from } } }));
    expect(response).toMatchObject({ outcome: 'revised', cycle: result.cycle });
    expect(response.reply).toContain('Memory tests with the actions left: 2 fixed, 0 broken, 0 still failing; nothing holds the cycle back any more.');

    // The record on the branch answers for the actions that remain: the case only the merge broke passes again.
    const record = recordOn(w, result.branch!, result.cycle!);
    expect(record.reviewer_drops?.map((d) => d.id)).toEqual([merge.id]);
    expect(record.memory_tests).toMatchObject({ fixed: 2, broken: 0, holds: [] });
    expect(record.memory_tests?.cases.find((c) => c.name === 'pricing port')?.change).toBe('passing');
    expect(record.held_by_tests).toEqual(['it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)']);
    // And so does the pull request's body.
    const body = w.github.state.pulls[0]!.body!;
    expect(body).toContain(`- [ ] <!-- reverie-action:${merge.id} -->`);
    expect(tablesOf(body)).toContain('✅ **2 fixed, 0 broken**, 0 still failing, 1 passing (3 cases)');
    expect(tablesOf(body)).not.toContain('pricing port');
    expect(tablesOf(body)).not.toContain('[!WARNING]');
    const afterDrop = notesAt(w, result.branch!);
    expect(afterDrop).toContain('The pricing service listens on port 8081.');
    expect(tablesOf(body)).toContain(costRow(NOTES, afterDrop));

    // A person approves what is left: the command says that the review took the hold away.
    const approved = await reverieAsync(['approve', result.cycle!, '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(
      `memory tests: nothing holds this cycle back any more: it was held because it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2); without the action left out (${merge.id}) it breaks no case and takes no target over a limit`,
    );
    expect(approved.stdout).not.toContain('approved by a person over');
    expect(notesAt(w, 'main')).toBe(afterDrop);
    expect(w.github.state.pulls[0]!.state).toBe('closed');
    expect(w.github.state.comments.at(-1)?.body).toContain('Memory tests: nothing holds this cycle back any more: it was held because it breaks memory test &#34;pricing port&#34;');
    const onMain = JSON.parse(git(w.bare, ['show', `main:.reverie/cycles/${result.cycle}.json`])) as RecordJson;
    expect(onMain.memory_tests?.broken).toBe(0);
    expect(w.github.violations).toEqual([]);
  });

  it('a /reverie keep that brings the breaking action back brings its hold back; approving over it says so', async () => {
    const w = await githubWorld(cleanups, { files: { '.reverie/tests/memory.yaml': CASES } });
    const result = await w.run({ now: new Date('2026-12-01T03:00:00Z') });
    const merge = result.actions.find((a) => a.type === 'merge')!;
    w.github.setPermission('ada', 'write');
    const pull = w.github.state.pulls[0]!;
    const drop = w.github.commentAs(pull.number, 'ada', `/reverie drop ${merge.id}`);
    expect(await respond(w, issueCommentEvent(w.github, drop))).toMatchObject({ outcome: 'revised' });
    expect(recordOn(w, result.branch!, result.cycle!).memory_tests).toMatchObject({ broken: 0, holds: [] });

    const keep = w.github.commentAs(pull.number, 'ada', `/reverie keep ${merge.id}`);
    const kept = await respond(w, issueCommentEvent(w.github, keep));
    expect(kept.reply).toContain('Memory tests with the actions left: 2 fixed, 1 broken, 0 still failing; not merged without a person: it breaks memory test');
    expect(recordOn(w, result.branch!, result.cycle!).memory_tests).toMatchObject({ fixed: 2, broken: 1 });
    expect(w.github.state.pulls[0]!.body).toContain(BROKEN_ROW);

    const approved = await reverieAsync(['approve', result.cycle!, '--repo', w.dir], { env: { GITHUB_TOKEN: TOKEN } });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('memory tests: approved by a person over what they hold against it: it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)');
  });

  it('reverie drop on the command line updates the record and the body; approve --except recomputes the record that lands', async () => {
    const w = await githubWorld(cleanups, { files: { '.reverie/tests/memory.yaml': CASES } });
    const result = await w.run({ now: new Date('2026-12-01T03:00:00Z') });
    const merge = result.actions.find((a) => a.type === 'merge')!;
    const add = result.actions.find((a) => a.type === 'add')!;
    const env = { env: { GITHUB_TOKEN: TOKEN } };

    const dropped = await reverieAsync(['drop', result.cycle!, add.id, '--repo', w.dir], env);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain('memory tests with the actions left: 1 fixed, 1 broken, 1 still failing; not merged without a person: it breaks memory test "pricing port"');
    const body = w.github.state.pulls[0]!.body!;
    expect(tablesOf(body)).toContain('❌ **1 fixed, 1 broken**, 1 still failing, 0 passing (3 cases)');
    expect(tablesOf(body)).toContain('| release dates | still failing | .reverie/tests/memory.yaml:8 | missing &#34;ISO 8601&#34; |');

    const approved = await reverieAsync(['approve', result.cycle!, '--except', merge.id, '--json', '--repo', w.dir], env);
    expect(approved.code, approved.stderr).toBe(0);
    const json = JSON.parse(approved.stdout) as { memory_tests: { held_when_made: string[]; holds: string[]; left_out: string[] } };
    expect(json.memory_tests).toEqual({ held_when_made: ['it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)'], holds: [], left_out: [add.id, merge.id] });
    const onMain = JSON.parse(git(w.bare, ['show', `main:.reverie/cycles/${result.cycle}.json`])) as RecordJson;
    expect(onMain.memory_tests).toMatchObject({ fixed: 1, broken: 0, holds: [] });
  });
});
