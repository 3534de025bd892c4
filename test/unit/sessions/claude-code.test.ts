import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCodeReader, classifyUserText } from '../../../src/sessions/readers/claude-code.js';
import type { Session, Turn } from '../../../src/sessions/types.js';
import { CLAUDE, readAll, sourceOf, sourceOfLines } from './helpers.js';

const MUSIC = '-Users-chip-dev-ai-music';
const PUSH = `${MUSIC}/fed8ce56-bc79-401f-a83e-af084253362f.jsonl`;
const ORCHESTRATOR = 'claude-code-viewer/5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl';
const INIT = 'claude-code-viewer/1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl';

async function readFixture(rel: string) {
  return readAll(claudeCodeReader, sourceOf(join(CLAUDE, rel), `sessions/${rel}`));
}

async function one(rel: string) {
  const { sessions, warnings } = await readFixture(rel);
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

async function fixtureLines(rel: string): Promise<string[]> {
  return (await readFile(join(CLAUDE, rel), 'utf8')).split('\n').filter((l) => l !== '');
}

const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);

/** Every result answers a call made in an earlier turn of the same session. */
function expectPaired(session: { turns: Turn[] }): void {
  const seen = new Set<string>();
  for (const turn of session.turns) {
    for (const result of turn.toolResults) expect(seen, `result ${result.toolCallId}`).toContain(result.toolCallId);
    for (const call of turn.toolCalls) seen.add(call.id);
  }
}

describe('claude-code reader: real transcripts', () => {
  it('reads a short session: turns, merged assistant records, paired results, rejections, outcome', async () => {
    const s = await one(PUSH);
    expect(s.id).toBe('fed8ce56-bc79-401f-a83e-af084253362f');
    expect(s.agent).toBe(MUSIC);
    expect(s.cwd).toBe('/Users/chip/dev/ai-music');
    expect(s.startedAt).toBe('2025-06-10T12:36:23.208Z');
    expect(s.endedAt).toBe('2025-06-10T12:37:28.376Z');
    expect(s.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'user', 'user', 'assistant', 'user', 'assistant']);
    expect(s.turns.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.turns[0]?.text).toBe('push to github');
    // Three records of message msg_01Vb73..., one block each, make one turn.
    expect(s.turns[1]?.text).toMatch(/^I'll help you push to GitHub/);
    expect(s.turns[1]?.toolCalls.map((c) => c.input.command)).toEqual(['git status', 'git remote -v']);
    // The two results, one record each, answer that turn together.
    expect(s.turns[2]?.toolResults.map((r) => r.toolCallId)).toEqual(['toolu_01VSEqoeVyQpPU4RxEN3N4hq', 'toolu_01LjFNEf5XrVHXXTePS4tRFR']);
    expect(calls(s)).toHaveLength(7);
    expect(results(s)).toHaveLength(7);
    expectPaired(s);
    const rejected = results(s).filter((r) => r.rejected);
    expect(rejected).toHaveLength(2);
    expect(rejected.every((r) => r.isError)).toBe(true);
    expect(s.turns[5]).toMatchObject({ role: 'user', synthetic: true, text: '[Request interrupted by user for tool use]' });
    expect(s.turns[6]).toMatchObject({ text: 'continue' });
    expect(s.turns[6]?.synthetic).toBeUndefined();
    expect(s.outcome).toEqual({ status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' });
  });

  it('detects a real tool error (ModuleNotFoundError) and infers failure when the log ends on it', async () => {
    const s = await one(`${MUSIC}/d3ad4cdc-5657-435d-98fa-0035d53e383d.first30.jsonl`);
    const errors = results(s).filter((r) => r.isError);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.rejected).toBeUndefined();
    expect(errors[0]?.text).toContain("ModuleNotFoundError: No module named 'torch'");
    expect(s.outcome.status).toBe('failure');
    expect(s.outcome.inferred).toBe(true);
    expect(s.outcome.reason).toMatch(/^the last Bash call failed: /);
  });

  it('reads inline sidechains as sidechain turns, with the sub-agent prompts synthetic', async () => {
    const s = await one(ORCHESTRATOR);
    const side = s.turns.filter((t) => t.sidechain);
    expect(s.turns).toHaveLength(42);
    expect(side).toHaveLength(20);
    const prompts = side.filter((t) => t.role === 'user' && t.text !== '');
    expect(prompts.map((t) => t.text.slice(0, 30))).toEqual(['Examine the package.json file(', 'Analyze the current project st']);
    expect(prompts.every((t) => t.synthetic)).toBe(true);
    expectPaired(s);
    const errors = results(s).filter((r) => r.isError);
    expect(errors.map((r) => r.text.slice(0, 40))).toEqual([
      '<tool_use_error>InputValidationError: Ta',
      'lsd: 3: No such file or directory (os er',
      '<tool_use_error>File has not been read y',
    ]);
    // The slash command and its expansion (isMeta) are the harness talking.
    expect(s.turns.slice(0, 2).map((t) => t.synthetic)).toEqual([true, true]);
    expect(s.turns[0]?.text).toContain('<command-name>/orchestrator</command-name>');
    // The Edit error was recovered (Read, then MultiEdit), so the session succeeded.
    expect(s.outcome.status).toBe('success');
  });

  it('gives a sub-agent log that repeats its parent sessionId an id of its own', async () => {
    const s = await one('claude-code-viewer/agent-test-hash-123.jsonl');
    expect(s.id).toBe('5c0375b4-57a5-4f26-b12d-d022ee4e51b7:agent-test-hash-123');
    expect(s.turns.every((t) => t.sidechain)).toBe(true);
  });

  it('infers failure when the last real tool call failed, whatever bookkeeping followed', async () => {
    const s = await one(INIT);
    expect(s.outcome).toMatchObject({ status: 'failure', inferred: true });
    expect(s.outcome.reason).toMatch(/^the last Write call failed: Claude requested permissions/);
  });

  it('marks the local-command caveat, /clear and its stdout as synthetic', async () => {
    const s = await one('agentcmd/06381696-0074-49f8-863e-6ad4fac507f9.jsonl');
    expect(s.gitBranch).toBe('feat/fix-ordering'); // the branch when the session started
    expect(s.turns.slice(0, 4).map((t) => [t.role, t.synthetic ?? false])).toEqual([
      ['user', true],
      ['user', true],
      ['user', true],
      ['user', false],
    ]);
    expect(s.turns[0]?.text).toMatch(/^Caveat: /);
    expect(s.turns[3]?.text).toMatch(/^Let's explore scrolling/);
    // The last ExitPlanMode call has no result: the log ends there.
    expect(calls(s)).toHaveLength(3);
    expect(results(s)).toHaveLength(2);
    expectPaired(s);
  });

  it('reads interrupts, a rejected plan and an image result', async () => {
    const s = await one('agentcmd/full-session-two.jsonl');
    const synthetic = s.turns.filter((t) => t.synthetic).map((t) => t.text.slice(0, 30));
    expect(synthetic).toEqual([
      'Caveat: The messages below wer',
      '<command-name>/clear</command-',
      '<local-command-stdout></local-',
      '[Request interrupted by user]',
      '[Request interrupted by user f',
    ]);
    const rejected = results(s).filter((r) => r.rejected);
    expect(rejected).toHaveLength(1);
    expect(results(s).some((r) => r.text === '[image]')).toBe(true);
    expect(s.outcome.status).toBe('success');
  });

  it('names images in user text instead of inlining them', async () => {
    const s = await one('agentcmd/user-image.jsonl');
    expect(s.turns[0]?.text).toBe('[image]\nWhat is this an image of?');
    expect(JSON.stringify(s)).not.toContain('iVBORw0KGgo');
  });

  it('reads a file holding only a summary of another session as no session, without warnings', async () => {
    expect(await readFixture(`${MUSIC}/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl`)).toEqual({ sessions: [], warnings: [] });
  });

  it('skips summary and file-history-snapshot records silently', async () => {
    const s = await one(PUSH); // starts with a summary record
    expect(s.turns[0]?.text).toBe('push to github');
    const snapshots = await one('agentcmd/06381696-0074-49f8-863e-6ad4fac507f9.jsonl');
    expect(snapshots.turns.length).toBeGreaterThan(0);
  });
});

describe('claude-code reader: damaged and combined files', () => {
  it('warns about a corrupt line with its number, and reads the rest', async () => {
    const lines = await fixtureLines(PUSH);
    lines.splice(4, 0, '{"type":"user","message":{"role":"user","content":"trunc');
    lines.splice(7, 0, 'not json at all');
    const { sessions, warnings } = await readAll(claudeCodeReader, sourceOfLines(lines, 'logs/x.jsonl'));
    expect(warnings.map((w) => [w.file, w.line])).toEqual([
      ['logs/x.jsonl', 5],
      ['logs/x.jsonl', 8],
    ]);
    expect(warnings[0]?.message).toMatch(/^not valid JSON/);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.turns).toHaveLength(10);
  });

  it('caps warnings per file', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `garbage ${i}`);
    const { warnings } = await readAll(claudeCodeReader, sourceOfLines(lines));
    expect(warnings).toHaveLength(21);
    expect(warnings[20]?.message).toBe('80 more problem lines not listed');
  });

  it('yields one session per sessionId, in order of appearance, also when interleaved', async () => {
    const a = await fixtureLines(PUSH);
    const b = await fixtureLines(INIT);
    const joined = await readAll(claudeCodeReader, sourceOfLines([...a, ...b]));
    expect(joined.sessions.map((s) => [s.id, s.turns.length])).toEqual([
      ['fed8ce56-bc79-401f-a83e-af084253362f', 10],
      ['1af7fc5e-8455-4414-9ccd-011d40f70b2a', 15],
    ]);
    const interleaved = a.flatMap((line, i) => [line, b[i] ?? '']).concat(b.slice(a.length));
    const mixed = await readAll(claudeCodeReader, sourceOfLines(interleaved));
    // The first line of the first file is a summary, so the second file's session starts first.
    expect(mixed.sessions.map((s) => [s.turns.length, s.outcome.status])).toEqual([
      [15, 'failure'],
      [10, 'success'],
    ]);
    expect(mixed.sessions[1]).toEqual(joined.sessions[0]);
  });

  it('reads empty input as no session', async () => {
    expect(await readAll(claudeCodeReader, sourceOfLines([]))).toEqual({ sessions: [], warnings: [] });
    expect(await readAll(claudeCodeReader, sourceOfLines(['', '   ']))).toEqual({ sessions: [], warnings: [] });
  });

  it('falls back to the file name for records without a sessionId', async () => {
    const { sessions } = await readAll(claudeCodeReader, sourceOfLines([user('hello', {}, { sessionId: undefined })], 'a/b/log-7.jsonl'));
    expect(sessions[0]?.id).toBe('log-7');
    expect(sessions[0]?.agent).toBe('b');
  });
});

// Records built on the shape of the real ones above, for cases the fixtures do not cover.
const BASE = { sessionId: 's-1', cwd: '/w', isSidechain: false, timestamp: '2025-10-01T10:00:00.000Z' };
function user(content: unknown, extra: Record<string, unknown> = {}, base: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...BASE, ...base, type: 'user', message: { role: 'user', content }, ...extra });
}
function assistant(id: string, content: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...BASE, type: 'assistant', message: { id, role: 'assistant', model: 'claude-sonnet-4-5', content }, ...extra });
}
async function session(lines: string[]): Promise<Omit<Session, 'hash' | 'source' | 'format'>> {
  const { sessions } = await readAll(claudeCodeReader, sourceOfLines(lines));
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

describe('claude-code reader: record shapes', () => {
  it('leaves thinking out and drops a turn that only thought', async () => {
    const s = await session([
      user('why?'),
      assistant('m1', [{ type: 'thinking', thinking: 'secret musings', signature: 'x' }]),
      assistant('m1', [{ type: 'text', text: 'Because.' }]),
      assistant('m2', [{ type: 'thinking', thinking: 'more' }]),
    ]);
    expect(s.turns.map((t) => [t.role, t.text])).toEqual([
      ['user', 'why?'],
      ['assistant', 'Because.'],
    ]);
    expect(JSON.stringify(s)).not.toContain('musings');
  });

  it('does not merge records of different messages', async () => {
    const s = await session([user('hi'), assistant('m1', [{ type: 'text', text: 'a' }]), assistant('m2', [{ type: 'text', text: 'b' }])]);
    expect(s.turns.map((t) => t.text)).toEqual(['hi', 'a', 'b']);
  });

  it('takes system reminders out of typed text, and marks reminder-only text synthetic', async () => {
    const s = await session([
      user('fix the build <system-reminder>The user opened file x.ts</system-reminder>'),
      user([{ type: 'text', text: '<system-reminder>Todo list is empty</system-reminder>' }]),
    ]);
    expect(s.turns[0]).toMatchObject({ text: 'fix the build' });
    expect(s.turns[0]?.synthetic).toBeUndefined();
    expect(s.turns[1]).toMatchObject({ synthetic: true });
  });

  it('marks continuation summaries, API errors and system records synthetic', async () => {
    const s = await session([
      user('This session is being continued from a previous conversation that ran out of context.', { isCompactSummary: true }),
      assistant('m1', [{ type: 'text', text: 'API Error: 529 overloaded' }], { isApiErrorMessage: true }),
      JSON.stringify({ ...BASE, type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted' }),
    ]);
    expect(s.turns.map((t) => [t.role, t.synthetic])).toEqual([
      ['user', true],
      ['assistant', true],
      ['system', true],
    ]);
  });

  it('reads tool results with array content and is_error, and a string input as an object', async () => {
    const s = await session([
      assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'pytest' } }]),
      user([{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: [{ type: 'text', text: 'E   AssertionError' }] }]),
      assistant('m2', [{ type: 'tool_use', id: 't2', name: 'Odd', input: 'raw' }]),
    ]);
    expect(s.turns[1]?.toolResults).toEqual([{ toolCallId: 't1', isError: true, text: 'E   AssertionError' }]);
    expect(s.turns[2]?.toolCalls[0]?.input).toEqual({ value: 'raw' });
  });

  it('redacts secrets in text, tool inputs and tool results', async () => {
    const key = ['sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK'].join('');
    const s = await session([
      user(`use ${key} please`),
      assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: `export ANTHROPIC_API_KEY=${key}`, env: { password: 'pw1234' } } }]),
      user([{ type: 'tool_result', tool_use_id: 't1', content: `key is ${key}` }]),
    ]);
    const text = JSON.stringify(s);
    expect(text).not.toContain(key);
    expect(text).not.toContain('pw1234');
    expect(s.turns[0]?.text).toBe('use [REDACTED:anthropic-key] please');
  });

  it('shortens a huge tool result to its head and tail', async () => {
    const big = `${'a'.repeat(100_000)}Traceback: the real error`;
    const s = await session([assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }]), user([{ type: 'tool_result', tool_use_id: 't1', content: big }])]);
    const text = s.turns[1]?.toolResults[0]?.text ?? '';
    expect(text.length).toBeLessThan(40_000);
    expect(text).toMatch(/characters omitted/);
    expect(text.endsWith('Traceback: the real error')).toBe(true);
  });
});

describe('classifyUserText', () => {
  it.each([
    ['<command-name>/clear</command-name>', true],
    ['<local-command-stdout>done</local-command-stdout>', true],
    ['Caveat: The messages below were generated by the user while running local commands. DO NOT respond', true],
    ['[Request interrupted by user]', true],
    ['This session is being continued from a previous conversation that ran out of context.', true],
    ['<system-reminder>x</system-reminder>', true],
    ['please run the tests', false],
    ['Caveat emptor, this is my own text', false],
  ])('%s → synthetic %s', (text, synthetic) => {
    expect(classifyUserText(text, false).synthetic).toBe(synthetic);
  });
});
