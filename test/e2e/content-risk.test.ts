/**
 * Content risk in a real cycle: a lesson about pushing, credentials, review and the like is written, but auto mode never
 * puts it on main by itself, whatever `approval.auto` allows; the review shows why. And the injection corpus
 * (bench/injections) run through both engines, in auto and in review mode: nothing it carries reaches memory, and the
 * honest lessons beside it are still learned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dream } from '../../src/cycle/dream.js';
import { FORMATS, LESSONS, VARIANTS, corpusSessions } from '../../bench/injections/corpus.js';
import { runCorpus } from '../../bench/injections/run.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { git, makeMemoryRepo, type Files } from '../helpers/git.js';
import { transcript } from '../helpers/transcript.js';

const said = (id: string, start: string, sentence: string) =>
  transcript({ sessionId: id, start }, [{ user: 'Fix the cart total.' }, { assistant: 'Done.' }, { user: sentence }, { assistant: 'Noted.' }]);

const FILES: Files = {
  'reverie.yaml': TEST_CONFIG,
  'memory/notes.md': '# Notes\n\n## Project\n\n- The API listens on port 8080.\n',
  'sessions/a/s1.jsonl': said('s1', '2026-11-02T09:00:00Z', 'We use pnpm, not npm, in this repo.'),
  'sessions/b/s2.jsonl': said('s2', '2026-11-03T09:00:00Z', 'We use pnpm, not npm, in this repo.'),
  'sessions/a/s3.jsonl': said('s3', '2026-11-04T09:00:00Z', 'Never force-push to `main`; open a pull request instead.'),
  'sessions/b/s4.jsonl': said('s4', '2026-11-05T09:00:00Z', 'Never force-push to `main`; open a pull request instead.'),
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('a high-risk lesson in auto mode', () => {
  it('lands on main only after review, although approval.auto takes adds; the review says why', async () => {
    const repo = await makeMemoryRepo(FILES);
    cleanups.push(repo.cleanup);
    const result = await dream({ repoDir: repo.dir, now: new Date('2026-11-10T02:00:00Z') });

    expect(result.actions.map((a) => a.summary)).toEqual([expect.stringMatching(/pnpm/), expect.stringMatching(/force-push/)]);
    expect(result.merged).toBe(false);
    expect(result.appliedWithoutReview).toBe(1);
    expect(result.approval).toMatch(/1 action needs review \(approval\.auto is add, update, merge, resolve, prune; 1 high risk by content\)/);
    const onMain = git(repo.dir, ['show', 'main:memory/notes.md']);
    expect(onMain).toContain('pnpm');
    expect(onMain).not.toContain('force-push');

    const review = reverieJson<{ actions: { summary: string; risk: string; risk_reasons: string[] }[] }>(['review', '--json'], { cwd: repo.dir });
    expect(review.actions.map((a) => [a.risk, a.risk_reasons])).toEqual([
      ['low', []],
      ['high', ['it pushes past the usual way ("force-push")']],
    ]);
    expect(reverie(['review'], { cwd: repo.dir }).stdout).toContain('high risk: it pushes past the usual way ("force-push")');
  });

  it('a run killed after the branch was written and before main took the safe part: the next auto run takes it, and says so', async () => {
    const repo = await makeMemoryRepo(FILES);
    cleanups.push(repo.cleanup);
    const first = await dream({ repoDir: repo.dir, now: new Date('2026-11-10T02:00:00Z') });
    const safeTip = git(repo.dir, ['rev-parse', 'main']);
    // As the killed run left it: the cycle's branch written, main still where the cycle began.
    git(repo.dir, ['reset', '-q', '--hard', first.base]);

    const again = reverieJson<{ repaired: string[]; outcome: string }>(['dream', '--mode', 'auto'], { cwd: repo.dir });
    expect(again.repaired).toEqual([expect.stringContaining(`cycle ${first.cycle}: main fast-forwarded over 1 safe action`)]);
    expect(again.outcome).toBe('pending-review');
    expect(git(repo.dir, ['rev-parse', 'main'])).toBe(safeTip);
    expect(git(repo.dir, ['show', 'main:memory/notes.md'])).not.toContain('force-push');
  });

  it('`reverie dream` marks the high-risk action under its line, and --json gives each action its risk', async () => {
    const repo = await makeMemoryRepo(FILES);
    cleanups.push(repo.cleanup);
    const human = reverie(['dream', '--mode', 'dry-run'], { cwd: repo.dir });
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('force-push') && l.includes('add'));
    expect(lines[at + 1]?.trim()).toBe('high risk, needs a person: it pushes past the usual way ("force-push")');
    expect(lines.filter((l) => l.includes('high risk'))).toHaveLength(1);

    const json = reverieJson<{ actions: { risk: string; risk_reasons: string[] }[] }>(['dream', '--mode', 'dry-run'], { cwd: repo.dir });
    expect(json.actions.map((a) => a.risk)).toEqual(['low', 'high']);
  });
});

describe('the injection corpus', () => {
  it('holds at least 50 variants in user text, assistant text, tool output and file contents, in four log formats', () => {
    expect(VARIANTS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(VARIANTS.map((v) => v.where))).toEqual(new Set(['user text', 'assistant text', 'tool output', 'file contents']));
    expect(new Set(VARIANTS.map((v) => v.id)).size).toBe(VARIANTS.length);
    const sessions = corpusSessions();
    expect(new Set(sessions.map((s) => s.format))).toEqual(new Set(FORMATS));
    expect(sessions).toHaveLength(2 * (VARIANTS.length + LESSONS.length));
  });

  it.each([
    ['heuristic', 'auto'],
    ['heuristic', 'review'],
    ['claude', 'auto'],
    ['claude', 'review'],
  ] as const)('%s engine, %s mode: nothing injected reaches memory, the honest lessons do', async (engine, mode) => {
    const outcome = await runCorpus(engine, mode);
    expect(outcome.promoted).toEqual([]);
    expect(outcome.learned.sort()).toEqual(LESSONS.map((l) => l.id).sort());
  });
});
