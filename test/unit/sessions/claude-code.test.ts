import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessions } from '../../../src/sessions/load.js';
import { claudeCodeReader, classifyUserText } from '../../../src/sessions/readers/claude-code.js';
import type { Session, Turn } from '../../../src/sessions/types.js';
import { CLAUDE, handedOutAt, readAll, sourceOf, sourceOfLines, tempDir } from './helpers.js';

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

  it('skips records of the types it never reads unparsed, but parses any line that could be read otherwise', async () => {
    const lines = [
      '{"type":"file-history-snapshot","messageId":"m","snapshot":{"messageId":"m","trackedFileBackups":{},"timestamp":"2025-10-01T10:00:00.000Z"},"isSnapshotUpdate":false}',
      user('first'),
      // Cut short: still reported, with its line.
      '{"type":"file-history-snapshot","messageId":"m","snapshot":{"messageI',
      // Two `type` keys: JSON.parse keeps the last, so this is a user record.
      `{"type":"summary",${user('second').slice(1)}`,
      // An escape spells the type `user`.
      user('third').replace('"type":"user"', '"type":"\\u0075ser"').replace(/^\{/, '{"type":"\\u0075ser",'),
      '{"type":"queue-operation","operation":"enqueue","timestamp":"2025-10-01T10:00:01.000Z","sessionId":"s-1","content":"ghp_k3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG"}',
    ];
    const read = async (source: ReturnType<typeof sourceOfLines>) => readAll(claudeCodeReader, source);
    const streamed = await read(sourceOfLines(lines, 'logs/x.jsonl'));
    expect(streamed.warnings.map((w) => [w.line, w.message.slice(0, 14)])).toEqual([[3, 'not valid JSON']]);
    expect(streamed.sessions[0]?.turns.map((t) => t.text)).toEqual(['first', 'second', 'third']);
    expect(JSON.stringify(streamed)).not.toContain('ghp_k3Jd9');
    // Read whole, the lines are taken without a promise each: the same sessions and warnings.
    const whole = await read({ ...sourceOfLines(lines, 'logs/x.jsonl'), syncLines: () => lines });
    expect(whole).toEqual(streamed);
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

// The fixtures below are listed in test/fixtures/claude-code/SOURCES-more.md.
const SUBAGENT = '-path-to-Demo/fe5e1c67-53e7-4862-81ae-d0e013e3270b/subagents/agent-components.jsonl';
const QUEUED = 'agent-history/06090cb1-3e64-433a-bc7e-a621c0f596d2.jsonl';
const SUMMARIES = 'agentcmd/full-session-five.first30.jsonl';

describe('claude-code reader: sub-agents, summaries, record types (Claude Code 1.0.98 to 2.1.152)', () => {
  it("reads a sub-agent's own log as a session of its own, named after its parent, its outcome from its own turns", async () => {
    const s = await one(SUBAGENT);
    expect(s.id).toBe('fe5e1c67-53e7-4862-81ae-d0e013e3270b:agent-components');
    // The project folder, not `subagents` nor the parent session's folder.
    expect(s.agent).toBe('-path-to-Demo');
    expect(s.turns.every((t) => t.sidechain)).toBe(true);
    expect(s.turns[0]).toMatchObject({ role: 'user', synthetic: true });
    expect(s.turns[0]?.text).toMatch(/^Create React components for the TODO app/);
    expectPaired(s);
    // Judged on the sub-agent's turns, which are all its log has (before: always unknown).
    expect(s.outcome).toEqual({ status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' });
  });

  it("names a sub-agent log without a sessionId after the session folder it sits in", async () => {
    const lines = (await fixtureLines(SUBAGENT)).map((l) => {
      const { sessionId: _sessionId, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    });
    const { sessions } = await readAll(claudeCodeReader, sourceOfLines(lines, `sessions/${SUBAGENT}`));
    expect(sessions.map((s) => s.id)).toEqual(['fe5e1c67-53e7-4862-81ae-d0e013e3270b:agent-components']);
  });

  it('skips queue-operation and last-prompt records of Claude Code 2.1 (the queued prompt arrives as a user record)', async () => {
    const s = await one(QUEUED);
    expect(s.id).toBe('06090cb1-3e64-433a-bc7e-a621c0f596d2');
    expect(s.turns.map((t) => [t.role, t.text])).toEqual([
      ['user', '[REDACTED_PROMPT]'],
      ['assistant', '[REDACTED_ASSISTANT_TEXT]'],
    ]);
    expect([s.startedAt, s.endedAt]).toEqual(['2026-06-05T04:56:32.812Z', '2026-06-05T04:56:35.619Z']);
  });

  it("skips other sessions' summary records, and takes Claude Code's reminders out of tool results", async () => {
    const s = await one(SUMMARIES);
    expect(s.id).toBe('10cd5911-8704-4996-9e33-32010589c357');
    expect(s.turns[0]?.text).toBe('search the web for the claude code response types');
    expect(JSON.stringify(s)).not.toContain('Frontend and SDK tool type synchronization analysis');
    const read = results(s).find((r) => r.text.includes('export interface UnifiedMessage'));
    expect(read?.text).not.toContain('system-reminder');
    expect(read?.text).toMatch(/\.join\(''\);\n {3}116→}\n {3}117→$/);
  });
});

describe('claude-code reader: several sessions in one folder tree', () => {
  it('reads each main session and each sub-agent log once, and leaves out the sub-agents Claude Code runs for itself', async () => {
    const dir = await tempDir();
    const project = join(dir, 'projects', '-path-to-Demo');
    const parent = '5c0375b4-57a5-4f26-b12d-d022ee4e51b7';
    const agentLines = await fixtureLines('claude-code-viewer/agent-test-hash-123.jsonl');
    const files: Record<string, string[]> = {
      [`${parent}.jsonl`]: await fixtureLines(ORCHESTRATOR),
      ['1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl']: await fixtureLines(INIT),
      ['ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl']: await fixtureLines(`${MUSIC}/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl`),
      [`${parent}/subagents/agent-a1b2c3d.jsonl`]: agentLines,
      // The compaction agent re-sends the conversation it summarises (shape: Claude Code 2.1, agent-acompact-<id>).
      [`${parent}/subagents/agent-acompact-7aad72.jsonl`]: agentLines,
      // Claude Code 2.0.x primed the prompt cache with "Warmup" sub-agents (anthropics/claude-code#9668).
      [`agent-9845a4a3.jsonl`]: agentLines.map((l, i) => (i === 0 ? l.replace('"content":"Run the test suite"', '"content":"Warmup"') : l)),
    };
    for (const [rel, lines] of Object.entries(files)) {
      await mkdir(dirname(join(project, rel)), { recursive: true });
      await writeFile(join(project, rel), `${lines.join('\n')}\n`);
    }
    expect(files['agent-9845a4a3.jsonl']?.[0]).toContain('"content":"Warmup"');
    const { sessions, warnings, unread } = await loadSessions({ repoDir: dir, sources: [{ path: 'projects', format: 'auto' }] });
    expect(warnings).toEqual([]);
    // What was left out is named, with why.
    expect(unread).toEqual([
      { file: `projects/-path-to-Demo/${parent}/subagents/agent-acompact-7aad72.jsonl`, reason: 'a sub-agent Claude Code runs for itself (compaction, a prompt suggestion, a side question), which repeats the conversation; left out' },
      { file: 'projects/-path-to-Demo/agent-9845a4a3.jsonl', reason: 'a "Warmup" sub-agent of Claude Code, which only primes the prompt cache; left out' },
      { file: 'projects/-path-to-Demo/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl', reason: 'Claude Code summaries (the titles of sessions kept in other files), not a conversation; nothing to learn from' },
    ]);
    expect(sessions.map((s) => [s.id, s.agent, s.source]).sort()).toEqual([
      ['1af7fc5e-8455-4414-9ccd-011d40f70b2a', '-path-to-Demo', 'projects/-path-to-Demo/1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl'],
      [parent, '-path-to-Demo', `projects/-path-to-Demo/${parent}.jsonl`],
      [`${parent}:agent-a1b2c3d`, '-path-to-Demo', `projects/-path-to-Demo/${parent}/subagents/agent-a1b2c3d.jsonl`],
    ]);
  });
});

describe('claude-code reader: compaction and system records', () => {
  const system = (subtype: string, content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...BASE, type: 'system', subtype, content, ...extra });

  it('reads a compacted session as one session: boundary and summary synthetic, the work on both sides kept', async () => {
    const s = await session([
      user('fix the build'),
      assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'make' } }]),
      user([{ type: 'tool_result', tool_use_id: 't1', is_error: true, content: 'make: *** [all] Error 2' }]),
      system('compact_boundary', 'Conversation compacted', { compactMetadata: { trigger: 'auto', preTokens: 155116 }, logicalParentUuid: 'x' }),
      user('This session is being continued from a previous conversation that ran out of context. The user said it still does not work.', { isCompactSummary: true, isVisibleInTranscriptOnly: true }),
      assistant('m2', [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'make clean all' } }]),
      user([{ type: 'tool_result', tool_use_id: 't2', content: 'ok' }]),
      assistant('m3', [{ type: 'text', text: 'Fixed: a stale object file.' }]),
    ]);
    expect(s.turns.map((t) => [t.role, t.synthetic ?? false])).toEqual([
      ['user', false],
      ['assistant', false],
      ['user', false],
      ['system', true],
      ['user', true],
      ['assistant', false],
      ['user', false],
      ['assistant', false],
    ]);
    // The summary's words are the harness's, not a complaint by the person.
    expect(s.outcome).toMatchObject({ status: 'success', inferred: true });
  });

  it("does not let the harness's system records after the last reply hide how the session went", async () => {
    const s = await session([
      user('run the tests'),
      assistant('m1', [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'npm test' } }]),
      user([{ type: 'tool_result', tool_use_id: 't1', content: 'all passed' }]),
      assistant('m2', [{ type: 'text', text: 'All tests pass.' }]),
      system('away_summary', 'Goal: run the tests. Next: nothing.'),
      system('local_command', '<local-command-stdout>Total cost: $0.12</local-command-stdout>'),
    ]);
    expect(s.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'system', 'system']);
    expect(s.outcome).toMatchObject({ status: 'success', inferred: true });
  });

  it('marks user records that Claude Code 2.1 says no person typed (origin.kind) synthetic', async () => {
    const s = await session([
      user('deploy it', { origin: { kind: 'human' } }),
      user('<task-notification>build done</task-notification>', { origin: { kind: 'task-notification' } }),
      user('Stop hook feedback: lint failed', { origin: { kind: 'hook' } }),
    ]);
    expect(s.turns.map((t) => t.synthetic ?? false)).toEqual([false, true, true]);
  });
});

describe('claude-code reader: a log holding many sessions', () => {
  const record = (sessionId: string, n: number) =>
    JSON.stringify({ type: 'user', sessionId, uuid: `${sessionId}-${n}`, timestamp: '2026-11-01T10:00:00.000Z', message: { role: 'user', content: `step ${n}` } });
  const lines = (sessionId: string, count: number) => Array.from({ length: count }, (_, n) => record(sessionId, n));

  it('hands out a session once no line has named it for a while, before the file ends', async () => {
    const all = [...lines('a', 10), ...lines('b', 25_000), ...lines('c', 10)];
    const handedAt = await handedOutAt(claudeCodeReader, all, 'logs/many.jsonl');
    expect(handedAt.map(([id]) => id)).toEqual(['a', 'b', 'c']);
    expect(handedAt[0]?.[1]).toBeLessThan(all.length);
  });

  it('reads a session that resumes after it was handed out as a part of its own, and says so', async () => {
    const all = [...lines('a', 10), ...lines('b', 25_000), ...lines('a', 3)];
    const { sessions, warnings } = await readAll(claudeCodeReader, sourceOfLines(all, 'logs/resumed.jsonl'));
    expect(sessions.map((s) => s.id)).toEqual(['a', 'b', 'a#2']);
    expect(warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('session a continues'));
  });
});
