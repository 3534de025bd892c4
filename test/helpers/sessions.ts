/**
 * Builds normalised `Session` objects for unit tests of the pure core, without going through a log reader:
 * each step becomes the turns a reader would produce (a tool call in an assistant turn, its result in the
 * next user turn, as in the Claude message shape).
 */
import { createHash } from 'node:crypto';
import type { Outcome, Session, Turn } from '../../src/sessions/types.js';

export type SessionStep =
  | { user: string; synthetic?: boolean; sidechain?: boolean }
  | { assistant: string }
  | { bash: string; output?: string; error?: boolean }
  | { tool: string; input: Record<string, unknown>; output?: string; error?: boolean };

export interface SessionOptions {
  id: string;
  agent?: string;
  /** ISO time of the first turn; each turn is one second later. */
  start?: string;
  outcome?: Outcome['status'];
  source?: string;
}

export function session(options: SessionOptions, steps: SessionStep[]): Session {
  const start = Date.parse(options.start ?? '2026-11-01T10:00:00.000Z');
  const turns: Turn[] = [];
  let toolNo = 0;
  const push = (turn: Omit<Turn, 'index' | 'timestamp'>) => {
    const index = turns.length;
    turns.push({ ...turn, index, timestamp: new Date(start + index * 1000).toISOString() });
  };
  for (const step of steps) {
    if ('user' in step) {
      push({
        role: 'user',
        text: step.user,
        toolCalls: [],
        toolResults: [],
        ...(step.synthetic ? { synthetic: true } : {}),
        ...(step.sidechain ? { sidechain: true } : {}),
      });
    } else if ('assistant' in step) {
      push({ role: 'assistant', text: step.assistant, toolCalls: [], toolResults: [] });
    } else {
      const id = `toolu_${options.id}_${toolNo++}`;
      const [name, input] = 'bash' in step ? ['Bash', { command: step.bash, description: 'run' }] : [step.tool, step.input];
      push({ role: 'assistant', text: '', toolCalls: [{ id, name, input }], toolResults: [] });
      push({ role: 'user', text: '', toolCalls: [], toolResults: [{ toolCallId: id, isError: step.error === true, text: step.output ?? '' }] });
    }
  }
  const last = turns[turns.length - 1];
  const body = JSON.stringify({ options, steps });
  const result: Session = {
    id: options.id,
    agent: options.agent ?? 'agent-a',
    format: 'reverie',
    source: options.source ?? `sessions/${options.agent ?? 'agent-a'}/${options.id}.jsonl`,
    hash: createHash('sha256').update(body).digest('hex'),
    startedAt: new Date(start).toISOString(),
    turns,
    outcome: { status: options.outcome ?? 'success', inferred: false },
  };
  if (last?.timestamp) result.endedAt = last.timestamp;
  return result;
}

/** A session where `npm install` fails on the workspace protocol and `pnpm install` is run instead and works. */
export function npmThenPnpm(id: string, agent: string, start: string, task = 'add a date picker to checkout'): Session {
  return session({ id, agent, start }, [
    { user: `Please ${task}.` },
    { assistant: 'First I will install the dependencies.' },
    {
      bash: 'npm install',
      output: 'npm error code EUNSUPPORTEDPROTOCOL\nnpm error Unsupported URL Type "workspace:": workspace:*',
      error: true,
    },
    { assistant: 'This is a pnpm workspace; using pnpm.' },
    { bash: 'pnpm install', output: 'Packages: +812\nDone in 6.1s' },
    { assistant: 'Done: the dependencies are installed.' },
  ]);
}
