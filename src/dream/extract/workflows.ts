import type { Session } from '../../sessions/types.js';
import { commandHead, isTrivial } from './commands.js';
import { stepsOf } from './mistakes.js';
import type { Observation } from './observation.js';

const MIN_LENGTH = 2;
const MAX_LENGTH = 4;

/** One meaningful command of a session that ended well, as workflows see it. */
export interface RunStep {
  head: string;
  turn: number;
  /** Part of getting a failed command to pass: a fix, not a habit. */
  retry: boolean;
}

/** The session's meaningful commands in order: a few short strings, all workflows need of a session. */
export function commandRun(session: Session): RunStep[] {
  if (session.outcome.status !== 'success') return [];
  const heads: RunStep[] = [];
  // Failed commands, with how many heads had been recorded when each failed.
  const failed = new Map<string, number>();
  for (const step of stepsOf(session)) {
    if (step.command === undefined || step.result === undefined || isTrivial(step.command) || isInspection(step.command)) continue;
    const head = commandHead(step.command);
    if (step.result.isError) {
      if (!failed.has(head)) failed.set(head, heads.length);
      continue;
    }
    if (heads[heads.length - 1]?.head !== head) heads.push({ head, turn: step.turn, retry: false });
    const since = failed.get(head);
    if (since !== undefined) {
      // The failed command passed on a retry: it and what ran before it since the failure (`git pull
      // --rebase`) were the recovery. A failure never retried (another tool did the job) marks nothing.
      for (const run of heads.slice(since)) run.retry = true;
      failed.delete(head);
    }
  }
  return heads;
}

/**
 * Runs of meaningful commands (2 to 4 in a row) in a session that ended well. One session proposes all its runs;
 * which of them recur, and which are the longest that do, is decided once all sessions are in.
 */
export function workflowsOf(heads: readonly RunStep[]): Observation[] {
  const seen = new Map<string, Observation>();
  for (let length = MIN_LENGTH; length <= MAX_LENGTH; length++) {
    for (let i = 0; i + length <= heads.length; i++) {
      const run = heads.slice(i, i + length);
      const names = run.map((r) => r.head);
      if (new Set(names).size !== names.length) continue;
      // Getting a failed command to pass is a fix (a mistake's lesson), not a habit.
      if (run.some((r) => r.retry)) continue;
      // Branch, commit, push, open a pull request: every project's routine, nothing this one teaches.
      if (names.every((n) => /^(git|gh)\b/.test(n))) continue;
      const key = `workflow:${names.join(' > ')}`;
      if (seen.has(key)) continue;
      seen.set(key, {
        key,
        kind: 'workflow',
        statement: workflowStatement(names),
        terms: names.flatMap((n) => n.split(' ')),
        quote: names.join(' → '),
        turn: run[0]?.turn ?? 0,
        prefer: names,
      });
    }
  }
  return [...seen.values()];
}

/** Subcommands that only look (`gh pr view`, `kubectl get`, `docker compose port`): part of any task, no habit. */
const LOOKS = new Set(['view', 'diff', 'get', 'describe', 'logs', 'log', 'list', 'ls', 'show', 'status', 'top', 'history', 'whoami', 'version', 'port', 'inspect', 'info']);

function isInspection(command: string): boolean {
  const words = command.replace(/^.*?&&\s*/, '').trim().split(/\s+/).slice(1, 4);
  return words.some((w) => LOOKS.has(w));
}

export function workflowStatement(heads: string[]): string {
  const steps = heads.map((h) => `\`${h}\``);
  return `Run ${steps.join(', then ')}: this sequence recurs in sessions that ended well.`;
}
