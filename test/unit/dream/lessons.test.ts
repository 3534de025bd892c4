/**
 * What the offline engine learns from how a failure was overcome, and how it reads memory against it:
 * one lesson per missing program whatever the shell, a preparation and retry on one command line, a
 * missing object that is gone rather than replaced, habits that are not recoveries or mere looking,
 * and notes that mention something only to say it is gone.
 */
import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { extractPatterns } from '../../../src/dream/extract/index.js';
import { planCycle } from '../../../src/dream/plan.js';
import type { Pattern, Plan } from '../../../src/dream/types.js';
import type { SourceFile } from '../../../src/memory/index.js';
import type { Session } from '../../../src/sessions/types.js';
import { session, type SessionStep } from '../../helpers/sessions.js';
import { filesOf, INBOX, planInput } from './fixtures.js';

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`;
const notes = (...items: string[]): SourceFile => ({ path: INBOX, text: `# Notes\n\n${items.map((i) => `- ${i}\n`).join('')}` });
const inSessions = (steps: (n: number) => SessionStep[], count = 2, firstPrompt = 'Fix the flaky orders test.'): Session[] =>
  Array.from({ length: count }, (_, i) => session({ id: `s${i + 1}`, agent: `agent-${i % 2}`, start: day(i + 1) }, [{ user: firstPrompt }, ...steps(i + 1)]));
const all = (sessions: Session[]): Pattern[] => {
  const extraction = extractPatterns(sessions, {}, 2);
  return [...extraction.signal, ...extraction.noise];
};
const after = (files: SourceFile[], plan: Plan): string => [...applyActions(filesOf(files), plan.actions).values()].join('\n');

describe('lessons from failures', () => {
  it('a missing program is one lesson whether bash, sh or zsh says so', () => {
    const shells = ['bash: line 1: python: command not found', '/bin/sh: 1: python: not found', 'zsh: command not found: python'];
    const sessions = inSessions((n) => [
      { bash: 'python scripts/seed.py', output: shells[n - 1] ?? '', error: true },
      { bash: 'python3 scripts/seed.py', output: 'seeded 200 orders' },
    ], 3);
    const mistakes = all(sessions).filter((p) => p.kind === 'mistake');
    expect(mistakes).toHaveLength(1);
    expect(mistakes[0]?.support.sessions).toBe(3);
    expect(mistakes[0]?.signature).toBe('python :: not installed');
  });

  it('a preparation and the retry on one command line is the fix', () => {
    const sessions = inSessions(() => [
      { bash: 'pnpm install', output: ' ERR_PNPM_UNSUPPORTED_ENGINE  Unsupported environment (bad pnpm and/or Node.js version)', error: true },
      { bash: 'nvm use 20 && pnpm install', output: 'Now using node v20.18.0\nDone in 4.1s' },
    ]);
    const [mistake] = extractPatterns(sessions, {}, 2).signal.filter((p) => p.kind === 'mistake');
    expect(mistake?.fix).toBe('run `nvm use 20` first, then retry');
  });

  it('a missing object is gone, not replaced by whatever the agent ran next, and the note that uses it is pruned', () => {
    const sessions = inSessions(() => [
      { bash: 'kubectl rollout restart deploy/legacy-billing -n staging', output: 'Error from server (NotFound): deployments.apps "legacy-billing" not found', error: true },
      { bash: 'kubectl get pods -n staging', output: 'api-7d9 1/1 Running' },
    ]);
    const [mistake] = all(sessions).filter((p) => p.kind === 'mistake');
    expect(mistake?.fix).toBeUndefined();
    expect(mistake?.dropped).toEqual(['legacy-billing']);
    const files = [notes('After every deploy, restart `legacy-billing` (`kubectl rollout restart deploy/legacy-billing`).', 'Check pods with `kubectl get pods -n staging`.')];
    const plan = planCycle(planInput({ files, sessions }));
    expect(plan.actions.map((a) => a.type)).toEqual(['prune']);
    expect(after(files, plan)).not.toContain('legacy-billing');
  });

  it('a note that mentions the missing program only to say it is gone is left alone', () => {
    const sessions = inSessions(() => [
      { bash: 'docker-compose up -d db', output: 'zsh: command not found: docker-compose', error: true },
      { bash: 'docker compose up -d db', output: 'Container db Started' },
    ]);
    const files = [notes('Use `docker compose` (the v2 plugin); the old `docker-compose` binary is not installed.')];
    expect(planCycle(planInput({ files, sessions })).actions).toEqual([]);
  });
});

describe('workflows', () => {
  it('commands that only look, and the recovery of a failed command, are no habit', () => {
    const sessions = inSessions(() => [
      { bash: 'gh pr view 512', output: 'title: retry carrier calls' },
      { bash: 'uv run pytest -q', output: '12 passed' },
      { bash: 'git push', output: '! [rejected] main -> main (fetch first)', error: true },
      { bash: 'git pull --rebase', output: 'Successfully rebased' },
      { bash: 'git push', output: 'main -> main' },
    ], 4);
    const workflows = extractPatterns(sessions, {}, 2).signal.filter((p) => p.kind === 'workflow');
    expect(workflows.map((w) => w.prefer)).toEqual([]);
  });
});

describe('preferences', () => {
  it('the task a session opens with is no preference, even when it recurs; a rule stated as one is', () => {
    const task = 'Dates in the orders table show in US format; switch to the format we use elsewhere.';
    const sessions = inSessions(() => [{ user: 'Always store timestamps in UTC, never local time.' }], 2, task);
    const preferences = extractPatterns(sessions, {}, 2).signal.filter((p) => p.kind === 'preference');
    expect(preferences.map((p) => p.statement)).toEqual(['Always store timestamps in UTC, never local time.']);
  });
});
