/**
 * Builds Claude Code transcripts (the JSONL Claude Code writes per session) for tests: the record shape of
 * real ones (parentUuid chain, message.content blocks, tool_use / tool_result pairs), with only the fields
 * a test cares about spelled out.
 */
import { createHash } from 'node:crypto';

export type Step =
  | { user: string }
  | { assistant: string }
  | { bash: string; output: string; error?: boolean }
  | { tool: string; input: Record<string, unknown>; output: string; error?: boolean };

export interface TranscriptOptions {
  sessionId: string;
  /** ISO time of the first record; each record is one second later. */
  start?: string;
  cwd?: string;
}

export function transcript(options: TranscriptOptions, steps: Step[]): string {
  const start = Date.parse(options.start ?? '2026-11-01T10:00:00.000Z');
  const records: Record<string, unknown>[] = [];
  let parent: string | null = null;
  let n = 0;
  const push = (record: Record<string, unknown>) => {
    const uuid = uuidOf(`${options.sessionId}:${n}`);
    records.push({
      parentUuid: parent,
      isSidechain: false,
      userType: 'external',
      cwd: options.cwd ?? '/home/dev/acme',
      sessionId: options.sessionId,
      version: '2.0.27',
      gitBranch: 'main',
      ...record,
      uuid,
      timestamp: new Date(start + n * 1000).toISOString(),
    });
    parent = uuid;
    n++;
  };
  const assistant = (content: unknown) =>
    push({ type: 'assistant', message: { model: 'claude-sonnet-4-5-20250929', id: `msg_${n}`, type: 'message', role: 'assistant', content: [content], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } } });
  for (const step of steps) {
    if ('user' in step) push({ type: 'user', message: { role: 'user', content: step.user } });
    else if ('assistant' in step) assistant({ type: 'text', text: step.assistant });
    else {
      const id = `toolu_${uuidOf(`${options.sessionId}:tool:${n}`).replace(/-/g, '').slice(0, 24)}`;
      const [name, input] = 'bash' in step ? ['Bash', { command: step.bash, description: 'run' }] : [step.tool, step.input];
      assistant({ type: 'tool_use', id, name, input });
      push({
        type: 'user',
        message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content: step.output, ...(step.error ? { is_error: true } : {}) }] },
        toolUseResult: step.error ? `Error: ${step.output}` : { stdout: step.output, stderr: '', interrupted: false },
      });
    }
  }
  return `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
}

function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A session where `npm install` fails on the workspace protocol and `pnpm install` fixes it. */
export function npmMistakeSession(sessionId: string, start: string, words = 'add a date picker to checkout'): string {
  return transcript({ sessionId, start }, [
    { user: `Please ${words}.` },
    { assistant: 'First I will install the dependencies.' },
    { bash: 'npm install', output: 'npm error code EUNSUPPORTEDPROTOCOL\nnpm error Unsupported URL Type "workspace:": workspace:*', error: true },
    { assistant: 'This is a pnpm workspace; using pnpm.' },
    { bash: 'pnpm install', output: 'Packages: +812\nDone in 6.1s' },
    { bash: 'pnpm test', output: 'Test Files  12 passed (12)' },
    { assistant: 'Done: the change is in and the tests pass.' },
  ]);
}
