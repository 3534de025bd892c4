import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyCodexUserText, codexAgent, codexReader, INTERRUPTED, unwrapShell } from '../../../src/sessions/readers/codex.js';
import type { Session, Turn } from '../../../src/sessions/types.js';
import { FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const CODEX = join(FIXTURES, 'codex');
const ROLLOUT = 'agentcmd/rollout-2025-09-24T19-22-20-01997e76-d124-7592-9cac-2ec05abbca08.first189.jsonl';
const NEW_SCHEMA = 'agent-history/session-01.jsonl';

async function one(rel: string) {
  const { sessions, warnings } = await readAll(codexReader, sourceOf(join(CODEX, rel), `sessions/codex/${rel}`));
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

async function fixtureLines(rel: string): Promise<string[]> {
  return (await readFile(join(CODEX, rel), 'utf8')).split('\n').filter((l) => l !== '');
}

const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);
const texts = (s: { turns: Turn[] }, role: string) => s.turns.filter((t) => t.role === role && t.text !== '').map((t) => t.text);

/** Every result answers a call made in an earlier turn. */
function expectPaired(session: { turns: Turn[] }): void {
  const seen = new Set<string>();
  for (const turn of session.turns) {
    for (const result of turn.toolResults) expect(seen, `result ${result.toolCallId}`).toContain(result.toolCallId);
    for (const call of turn.toolCalls) seen.add(call.id);
  }
}

describe('codex reader: real rollouts', () => {
  it('reads a Codex 0.40 rollout: meta, turns, tool calls and results, timestamps, outcome', async () => {
    const s = await one(ROLLOUT);
    expect(s.id).toBe('01997e76-d124-7592-9cac-2ec05abbca08');
    expect(s.agent).toBe('agentcmd');
    expect(s.cwd).toBe('/Users/jnarowski/Dev/spectora/src/spectora-labs-monorepo-v2');
    expect(s.gitBranch).toBe('fix/team-optimization-v2');
    // The session_meta's own start is a few milliseconds before the line that carries it.
    expect(s.startedAt).toBe('2025-09-25T01:22:20.068Z');
    expect(s.endedAt).toBe('2025-09-25T01:29:37.460Z');
    expect(s.turns[1]).toMatchObject({ role: 'user', timestamp: '2025-09-25T01:22:20.084Z' });
    expect(s.turns.map((t) => t.index)).toEqual(s.turns.map((_, i) => i));
    const lines = await fixtureLines(ROLLOUT);
    expect(calls(s)).toHaveLength(lines.filter((l) => l.includes('"type":"function_call"')).length);
    expect(results(s)).toHaveLength(lines.filter((l) => l.includes('"type":"function_call_output"')).length);
    expectPaired(s);
    expect(s.outcome).toEqual({ status: 'failure', inferred: true, reason: 'the user rejected the last apply_patch call' });
  });

  it('takes each message once although Codex records it as a response item and as an event', async () => {
    const s = await one(ROLLOUT);
    const users = texts(s, 'user');
    expect(users.map((t) => t.slice(0, 40))).toEqual([
      '<environment_context>\n  <cwd>/Users/jnar',
      'Updating a team to assign a lead or chan',
      INTERRUPTED,
      'Why do we need stats for the team?',
      'Is this done?',
    ]);
    expect(texts(s, 'assistant').map((t) => t.slice(0, 30))).toEqual(['TeamSheet still renders a summ', 'Not yet. Backend support is in']);
  });

  it('marks the environment synthetic, keeps only the request of an IDE-wrapped prompt, and places the interrupt after the interrupted turn', async () => {
    const s = await one(ROLLOUT);
    expect(s.turns[0]?.synthetic).toBe(true);
    expect(s.turns[1]?.synthetic).toBeUndefined();
    expect(s.turns[1]?.text).toMatch(/^Updating a team to assign a lead[\s\S]*speed it up\?$/);
    expect(s.turns[1]?.text).not.toContain('# Context from my IDE setup');
    const interrupt = s.turns.findIndex((t) => t.text === INTERRUPTED);
    expect(s.turns[interrupt]?.synthetic).toBe(true);
    // The rejected patch was recorded after the interrupt event, but belongs to the interrupted turn.
    expect(s.turns[interrupt - 1]?.toolResults.map((r) => r.text)).toEqual(['patch rejected by user']);
  });

  it('unwraps shell commands, turns apply_patch heredocs into apply_patch calls, and reads errors from exit codes and texts', async () => {
    const s = await one(ROLLOUT);
    const first = calls(s)[0];
    expect(first).toEqual({
      id: 'call_1mb2zpo3ma4hy4OjTDz9oNpC',
      name: 'shell',
      input: { command: 'rg "TeamSheet"', workdir: '/Users/jnarowski/Dev/spectora/src/spectora-labs-monorepo-v2' },
    });
    const patches = calls(s).filter((c) => c.name === 'apply_patch');
    expect(patches).toHaveLength(3);
    expect(patches.every((c) => String(c.input.input).startsWith('*** Begin Patch') && String(c.input.input).endsWith('*** End Patch'))).toBe(true);
    const byText = (prefix: string) => results(s).find((r) => r.text.startsWith(prefix));
    expect(byText('apps/spectora-labs/src/app/(protected)/dashboard/page.tsx:import')?.isError).toBe(false); // exit code 0, JSON envelope
    expect(byText('sed: packages/ui/hooks/use-api-list.ts: No such file')).toMatchObject({ isError: true }); // exit code 1
    expect(byText('failed in sandbox MacosSeatbelt')).toMatchObject({ isError: true });
    expect(byText('Plan updated')).toMatchObject({ isError: false });
    expect(byText('Success. Updated the following files')).toMatchObject({ isError: false });
    expect(byText('patch rejected by user')).toMatchObject({ isError: true, rejected: true });
    expect(results(s).filter((r) => r.isError)).toHaveLength(3);
  });

  it('reads the Codex 0.135 schema: developer message left out, echoes dropped, no tool traffic', async () => {
    const s = await one(NEW_SCHEMA);
    expect(s).toMatchObject({ id: '019e9625-802f-7e91-840a-cfe88d14117a', agent: 'agent-history', cwd: '/tmp/agent-history-real-agent/codex/workspace' });
    expect(s.gitBranch).toBeUndefined();
    expect(s.turns.map((t) => [t.role, t.text.slice(0, 22), t.synthetic ?? false])).toEqual([
      ['user', '<environment_context>\n', true],
      ['user', '[REDACTED_PROMPT]', false],
      ['assistant', '[REDACTED_ASSISTANT_TE', false],
    ]);
    expect(s.outcome).toEqual({ status: 'unknown', inferred: true });
    expect(s.endedAt).toBe('2026-06-05T04:58:26.713Z');
  });
});

// Records built on the shape of the real ones above, for cases the fixtures do not cover.
const TS = '2025-10-01T10:00:00.000Z';
const line = (type: string, payload: Record<string, unknown>) => JSON.stringify({ timestamp: TS, type, payload });
const meta = (extra: Record<string, unknown> = {}) => line('session_meta', { id: 's-1', timestamp: TS, cwd: '/w', originator: 'codex_cli_rs', cli_version: '0.60.0', instructions: null, ...extra });
const item = (payload: Record<string, unknown>) => line('response_item', payload);
const event = (payload: Record<string, unknown>) => line('event_msg', payload);
const userItem = (...parts: unknown[]) => item({ type: 'message', role: 'user', content: parts.map((p) => (typeof p === 'string' ? { type: 'input_text', text: p } : p)) });
const userEvent = (message: string, extra: Record<string, unknown> = {}) => event({ type: 'user_message', message, kind: 'plain', ...extra });
const assistantItem = (text: string) => item({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
const agentEvent = (message: string) => event({ type: 'agent_message', message });
const fnCall = (id: string, name: string, args: unknown) => item({ type: 'function_call', name, arguments: JSON.stringify(args), call_id: id });
const fnOutput = (id: string, output: unknown) => item({ type: 'function_call_output', call_id: id, output });

async function session(lines: string[]): Promise<Omit<Session, 'hash' | 'source' | 'format'>> {
  const { sessions, warnings } = await readAll(codexReader, sourceOfLines(lines));
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

describe('codex reader: echoes and synthetic text', () => {
  it('pairs an echo in either order, but keeps a message the person really sent twice', async () => {
    const s = await session([meta(), userEvent('continue'), userItem('continue'), agentEvent('ok'), assistantItem('ok'), userItem('continue'), userEvent('continue')]);
    expect(s.turns.map((t) => [t.role, t.text])).toEqual([
      ['user', 'continue'],
      ['assistant', 'ok'],
      ['user', 'continue'],
    ]);
  });

  it('reads a release that records only events, or only response items', async () => {
    const events = await session([meta(), userEvent('fix the build'), agentEvent('Done.')]);
    const items = await session([meta(), userItem('fix the build'), assistantItem('Done.')]);
    expect(events.turns.map((t) => t.text)).toEqual(['fix the build', 'Done.']);
    expect(items.turns).toEqual(events.turns);
  });

  it('names an image instead of inlining it, and pairs the message with its echo that carries the image apart', async () => {
    const url = `data:image/png;base64,${'iVBORw0KGgo'.repeat(50)}`;
    const s = await session([meta(), userItem('what is this?', { type: 'input_image', image_url: url }), userEvent('what is this?', { images: [url] })]);
    expect(s.turns.map((t) => t.text)).toEqual(['what is this?\n[image]']);
    expect(JSON.stringify(s)).not.toContain('iVBORw0KGgo');
  });

  it('keeps the typed part of a message that also carries AGENTS.md and the environment', async () => {
    const s = await session([
      meta(),
      userItem('# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>\nUse pnpm.\n</INSTRUCTIONS>', '<environment_context>\n  <cwd>/w</cwd>\n</environment_context>'),
      userItem('<user_instructions>\n\nAlways run tests.\n\n</user_instructions>'),
      userItem('<environment_context>\n  <cwd>/w</cwd>\n</environment_context>', 'fix the login bug'),
      userEvent('fix the login bug'),
    ]);
    expect(s.turns.map((t) => [t.text.slice(0, 20), t.synthetic ?? false])).toEqual([
      ['# AGENTS.md instruct', true],
      ['<user_instructions>\n', true],
      ['fix the login bug', false],
    ]);
  });

  it('makes one interrupt turn of the abort event and the <turn_aborted> note, after the interrupted call', async () => {
    const aborted = '<turn_aborted>\n  <turn_id>t-1</turn_id>\n  <reason>interrupted</reason>\n</turn_aborted>';
    const s = await session([
      meta(),
      userItem('run the tests'),
      event({ type: 'turn_aborted', reason: 'interrupted' }),
      item({ type: 'custom_tool_call', status: 'completed', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' }),
      item({ type: 'custom_tool_call_output', call_id: 'c1', output: 'aborted' }),
      userItem(aborted),
      userItem('no, run only the unit tests'),
    ]);
    expect(s.turns.map((t) => [t.role, t.text, t.synthetic ?? false])).toEqual([
      ['user', 'run the tests', false],
      ['assistant', '', false],
      ['user', '', false],
      ['user', INTERRUPTED, true],
      ['user', 'no, run only the unit tests', false],
    ]);
    expect(s.turns[2]?.toolResults).toEqual([{ toolCallId: 'c1', isError: true, rejected: true, text: 'aborted' }]);
  });

  it('ends on the interrupt when the log does: the outcome is unknown, not a failure', async () => {
    const s = await session([meta(), userItem('deploy'), fnCall('c1', 'shell', { command: ['bash', '-lc', 'make deploy'] }), fnOutput('c1', '{"output":"ok","metadata":{"exit_code":0,"duration_seconds":1.0}}'), event({ type: 'turn_aborted', reason: 'interrupted' })]);
    expect(s.turns.at(-1)).toMatchObject({ text: INTERRUPTED, synthetic: true });
    expect(s.outcome).toEqual({ status: 'unknown', inferred: true, reason: 'interrupted by the user' });
  });
});

describe('codex reader: tool calls and results', () => {
  it('reads each call shape, with the command as one string', async () => {
    const s = await session([
      meta(),
      item({ type: 'local_shell_call', call_id: 'c1', status: 'completed', action: { type: 'exec', command: ['bash', '-lc', 'npm test'], working_directory: '/w' } }),
      fnCall('c2', 'shell_command', { command: 'cargo build', workdir: '/w' }),
      fnCall('c3', 'exec_command', { cmd: 'pytest -q', yield_time_ms: 1000 }),
      fnCall('c4', 'shell', { command: ['bash', '-lc', "cd app && apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: a.txt\n*** End Patch\nEOF"] }),
      item({ type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'vitest mock timers' } }),
      fnCall('c5', 'mcp__github__get_issue', { number: 7 }),
      item({ type: 'function_call', name: 'odd', arguments: 'not json', call_id: 'c6' }),
    ]);
    expect(calls(s).map((c) => [c.id, c.name, c.input])).toEqual([
      ['c1', 'local_shell', { command: 'npm test', workdir: '/w' }],
      ['c2', 'shell_command', { command: 'cargo build', workdir: '/w' }],
      ['c3', 'exec_command', { cmd: 'pytest -q', yield_time_ms: 1000 }],
      ['c4', 'apply_patch', { input: '*** Begin Patch\n*** Delete File: a.txt\n*** End Patch' }],
      ['web_search_call-1', 'web_search', { type: 'search', query: 'vitest mock timers' }],
      ['c5', 'mcp__github__get_issue', { number: 7 }],
      ['c6', 'odd', { arguments: 'not json' }],
    ]);
    expect(s.turns).toHaveLength(1);
  });

  it.each([
    ['{"output":"1 failed","metadata":{"exit_code":1,"duration_seconds":0.4}}', true, '1 failed'],
    ['Exit code: 2\nWall time: 0.3 seconds\nOutput:\nnpm ERR! missing script: lint', true, 'npm ERR! missing script: lint'],
    ['Exit code: 0\nWall time: 1 seconds\nTotal output lines: 3\nOutput:\na\nb\nc', false, 'a\nb\nc'],
    ['Chunk ID: 9f2\nWall time: 0.5000 seconds\nProcess exited with code 1\nOriginal token count: 4\nOutput:\nboom', true, 'boom'],
    ['Chunk ID: 9f2\nWall time: 10.0000 seconds\nProcess running with session ID 3\nOutput:\nwatching…', false, 'watching…'],
    ['execution error: No such file or directory (os error 2)', true, 'execution error: No such file or directory (os error 2)'],
    ['failed to parse function arguments: missing field `command`', true, 'failed to parse function arguments: missing field `command`'],
    ['err: tool call failed', true, 'err: tool call failed'],
    ['Plan updated', false, 'Plan updated'],
  ])('output %j → isError %s', async (output, isError, text) => {
    const s = await session([meta(), fnCall('c1', 'shell', { command: ['ls'] }), fnOutput('c1', output)]);
    expect(results(s)).toEqual([{ toolCallId: 'c1', isError, text }]);
  });

  it('reads content-item and object outputs, and marks rejections', async () => {
    const s = await session([
      meta(),
      fnCall('c1', 'view_image', { path: 'a.png' }),
      fnCall('c2', 'mcp__db__query', {}),
      fnCall('c3', 'shell', { command: ['rm', '-rf', 'build'] }),
      fnOutput('c1', [{ type: 'input_text', text: 'screenshot' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA' }]),
      fnOutput('c2', { content: 'connection refused', success: false }),
      fnOutput('c3', 'exec command rejected by user'),
    ]);
    expect(results(s)).toEqual([
      { toolCallId: 'c1', isError: false, text: 'screenshot\n[image]' },
      { toolCallId: 'c2', isError: true, text: 'connection refused' },
      { toolCallId: 'c3', isError: true, rejected: true, text: 'exec command rejected by user' },
    ]);
    expect(s.turns.map((t) => t.role)).toEqual(['assistant', 'user']);
  });

  it('shortens a huge output to its head and tail', async () => {
    const big = `${'a'.repeat(100_000)}Traceback: the real error`;
    const s = await session([meta(), fnCall('c1', 'shell', { command: ['make'] }), fnOutput('c1', JSON.stringify({ output: big, metadata: { exit_code: 2 } }))]);
    const text = results(s)[0]?.text ?? '';
    expect(text.length).toBeLessThan(40_000);
    expect(text.endsWith('Traceback: the real error')).toBe(true);
  });

  it('redacts secrets in text, cwd, tool inputs and outputs', async () => {
    const key = ['sk-proj-', 'Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jKaB1c'].join('');
    const s = await session([
      meta({ cwd: `/w/${key}` }),
      userItem(`use ${key} please`),
      userEvent(`use ${key} please`),
      fnCall('c1', 'shell', { command: ['bash', '-lc', `OPENAI_API_KEY=${key} npm test`] }),
      fnOutput('c1', JSON.stringify({ output: `key is ${key}`, metadata: { exit_code: 0 } })),
      agentEvent(`Set ${key}.`),
    ]);
    expect(JSON.stringify(s)).not.toContain(key);
    expect(s.turns[0]?.text).toMatch(/^use \[REDACTED:[a-z-]+\] please$/);
    expect(texts(s, 'user')).toHaveLength(1);
  });
});

describe('codex reader: older and damaged files', () => {
  it('reads the older bare format: a meta line without envelope, bare items, state markers', async () => {
    const s = await session([
      JSON.stringify({ id: 'legacy-1', timestamp: '2025-05-01T09:00:00Z', instructions: null, git: { branch: 'main' } }),
      JSON.stringify({ record_type: 'state' }),
      JSON.stringify({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }),
      JSON.stringify({ type: 'function_call', name: 'shell', arguments: '{"command":["bash","-lc","ls"]}', call_id: 'c1' }),
      JSON.stringify({ type: 'function_call_output', call_id: 'c1', output: '{"output":"a.txt","metadata":{"exit_code":0}}' }),
      JSON.stringify({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'One file.' }] }),
    ]);
    expect(s).toMatchObject({ id: 'legacy-1', gitBranch: 'main', startedAt: '2025-05-01T09:00:00Z' });
    expect(s.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(s.outcome.status).toBe('success');
  });

  it('warns about corrupt lines and malformed records with their line numbers, and reads the rest', async () => {
    const lines = await fixtureLines(NEW_SCHEMA);
    lines.splice(3, 0, '{"timestamp":"2026-06-05T04:58:23.498Z","type":"response_item","payload":{"type":"mess');
    lines.splice(5, 0, 'not json at all', JSON.stringify({ type: 'event_msg' }), item({ type: 'function_call', name: 'shell' }), item({ type: 'function_call_output' }));
    const { sessions, warnings } = await readAll(codexReader, sourceOfLines(lines, 'logs/x.jsonl'));
    expect(warnings.map((w) => [w.file, w.line, w.message.slice(0, 22)])).toEqual([
      ['logs/x.jsonl', 4, 'not valid JSON (Unterm'],
      ['logs/x.jsonl', 6, 'not valid JSON (Unexpe'],
      ['logs/x.jsonl', 7, 'event_msg record witho'],
      ['logs/x.jsonl', 8, 'function_call needs "c'],
      ['logs/x.jsonl', 9, 'function_call_output w'],
    ]);
    expect(sessions[0]?.turns).toHaveLength(3);
  });

  it('reads a file cut off in the middle of a line', async () => {
    const text = await readFile(join(CODEX, ROLLOUT), 'utf8');
    const cut = text.slice(0, Math.floor(text.length * 0.6)).split('\n');
    const { sessions, warnings } = await readAll(codexReader, sourceOfLines(cut));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ line: cut.length });
    expect(sessions[0]?.id).toBe('01997e76-d124-7592-9cac-2ec05abbca08');
    expect(sessions[0]?.turns.length).toBeGreaterThan(10);
  });

  it('reads an empty file, or one without conversation, as no session', async () => {
    expect(await readAll(codexReader, sourceOfLines([]))).toEqual({ sessions: [], warnings: [] });
    expect(await readAll(codexReader, sourceOfLines(['', '  ', meta(), event({ type: 'token_count', info: null })]))).toEqual({ sessions: [], warnings: [] });
  });

  it('names a rollout without meta by the uuid in its file name', async () => {
    const { sessions } = await readAll(codexReader, sourceOfLines([userItem('hi')], '/home/me/.codex/sessions/2025/10/01/rollout-2025-10-01T10-00-00-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl'));
    expect(sessions[0]).toMatchObject({ id: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', agent: 'codex' });
  });
});

describe('codex helpers', () => {
  it.each([
    [['bash', '-lc', 'npm test'], 'npm test'],
    [['/bin/zsh', '-c', 'ls | wc -l'], 'ls | wc -l'],
    [['ls', '-la'], 'ls -la'],
    [['echo', "it's here"], "echo 'it'\\''s here'"],
    [['powershell.exe', '-NoProfile', '-Command', 'Get-ChildItem'], 'Get-ChildItem'],
    [['cmd', '/c', 'dir', '/b'], 'dir /b'],
  ])('unwrapShell %j → %s', (argv, command) => {
    expect(unwrapShell(argv)).toBe(command);
  });

  it.each([
    [{ path: '/home/me/.codex/sessions/2025/09/24/rollout-x.jsonl', defaultAgent: '24' }, 'codex'],
    [{ path: '/home/me/.codex/archived_sessions/rollout-x.jsonl', defaultAgent: 'archived_sessions' }, 'codex'],
    [{ path: 'sessions/review-bot/2025/09/24/rollout-x.jsonl', defaultAgent: '24' }, 'review-bot'],
    [{ path: 'logs/helper/rollout-x.jsonl', defaultAgent: 'helper' }, 'helper'],
  ])('codexAgent %j → %s', (source, agent) => {
    expect(codexAgent(source)).toBe(agent);
  });

  it.each([
    [['<environment_context>\n  <cwd>/w</cwd>\n</environment_context>'], true, '<environment_context>'],
    [['<user_shell_command>\n<command>ls</command>\n</user_shell_command>'], true, '<user_shell_command>'],
    [['# Context from my IDE setup:\n\n## Open tabs:\n- a.ts\n\n## My request for Codex:\nrename foo\n'], false, 'rename foo'],
    [['# Context from my IDE setup:\n\n## Active file: a.ts\n'], true, '# Context from my IDE'],
    [['<div>keep my markup</div>'], false, '<div>keep my markup</div>'],
    [['please run the tests'], false, 'please run the tests'],
  ])('classifyCodexUserText %j → synthetic %s', (parts, synthetic, start) => {
    const result = classifyCodexUserText(parts);
    expect(result.synthetic).toBe(synthetic);
    expect(result.text.startsWith(start)).toBe(true);
  });
});

/** A real line, damaged: cut, spliced with noise, or with one value (top level or payload) swapped for anything. */
function mutated(lines: string[]): fc.Arbitrary<string> {
  const real = fc.constantFrom(...lines);
  const cut = fc.tuple(real, fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1)));
  const noisy = fc.tuple(real, fc.nat(), fc.string()).map(([l, n, s]) => l.slice(0, n % l.length) + s + l.slice(n % l.length));
  const swap = (record: Record<string, unknown>, v: unknown) => {
    const keys = Object.keys(record);
    return { ...record, [keys[JSON.stringify(v).length % keys.length]!]: v };
  };
  const swapped = fc.tuple(real, fc.jsonValue()).map(([l, v]) => JSON.stringify(swap(JSON.parse(l) as Record<string, unknown>, v)));
  const deep = fc.tuple(real, fc.jsonValue()).map(([l, v]) => {
    const record = JSON.parse(l) as { payload: Record<string, unknown> };
    return JSON.stringify({ ...record, payload: swap(record.payload, v) });
  });
  return fc.oneof(real, cut, noisy, swapped, deep, fc.string(), fc.json());
}

describe('codex reader never throws on damaged input', () => {
  it('random and mutated lines: sessions or warnings, output bounded by the input', async () => {
    // The short lines keep the runs fast; the long ones differ only in the size of their texts.
    const lines = [...(await fixtureLines(ROLLOUT)), ...(await fixtureLines(NEW_SCHEMA))].filter((l) => l.length < 3000);
    await fc.assert(
      fc.asyncProperty(fc.array(mutated(lines), { maxLength: 30 }), async (input) => {
        const { sessions, warnings } = await readAll(codexReader, sourceOfLines(input));
        expect(sessions.length).toBeLessThanOrEqual(1);
        for (const s of sessions) expect(s.turns.length).toBeGreaterThan(0);
        for (const w of warnings) expect(w.file).toBe('memory/agent/log.jsonl');
        const size = input.reduce((sum, l) => sum + l.length + 1, 0);
        expect(JSON.stringify(sessions).length).toBeLessThanOrEqual(3 * size + 1000);
      }),
      { numRuns: 300 },
    );
  });
});

describe('codex reader: records it ignores, told from their lines', () => {
  /** The same lines as the reader would parse them all: a leading blank is no record's start, and JSON.parse skips it. */
  const parsedWhole = (lines: string[]) => lines.map((line) => (line.trim() === '' ? line : ` ${line}`));

  it('skips token counts, reasoning and turn contexts without a change to what is read, their times kept', async () => {
    // The rollout, then a token count written last: its time ends the session.
    const lines = [...(await fixtureLines(ROLLOUT)), '{"timestamp":"2025-09-25T01:31:00.000Z","type":"event_msg","payload":{"type":"token_count","info":null}}'];
    const fast = await readAll(codexReader, sourceOfLines(lines));
    expect(fast).toEqual(await readAll(codexReader, sourceOfLines(parsedWhole(lines))));
    expect(fast.sessions[0]?.endedAt).toBe('2025-09-25T01:31:00.000Z');
  });

  it('reports an ignored record cut short, as any corrupt line', async () => {
    const lines = [meta(), userItem('hello'), '{"timestamp":"2025-10-01T10:00:05Z","type":"event_msg","payload":{"type":"token_count","info":{"total"'];
    const { warnings } = await readAll(codexReader, sourceOfLines(lines, 'logs/x.jsonl'));
    expect(warnings.map((w) => [w.line, w.message.slice(0, 16)])).toEqual([[3, 'not valid JSON (']]);
  });

  // Records written as Codex writes them (timestamp, type, payload; the payload's type first), with what could make a
  // line read otherwise than its start says: a second `type`, `timestamp` or `payload` key at either level, a key
  // spelled with `\u` escapes, nested types, escaped quotes, and types the reader reads.
  const type = fc.constantFrom('token_count', 'reasoning', 'agent_reasoning', 'summary_text', 'task_started', 'message', 'function_call', 'user_message', 'agent_message', 'turn_aborted', 'session_meta', 'event_msg', 'response_item', 'turn_context', 'x');
  const time = fc.constantFrom('2025-10-01T10:00:00Z', '2025-10-01T09:00:00Z', '2025-10-01T11:30:00.5Z', 'not a time', '');
  const value: fc.Arbitrary<unknown> = fc.oneof(
    type,
    time,
    fc.constantFrom('say "type" here', 'a\\"type\\":\\"message', 'plain', 'é ✓', '/work/app', 'line\nbreak'),
    fc.integer(),
    fc.constant(null),
    fc.record({ type }),
    fc.array(fc.record({ type, text: fc.constantFrom('hi', 'x') }), { maxLength: 2 }),
    fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.constant([{ type: 'input_text', text: 'hello there' }]) }),
  );
  const pair: fc.Arbitrary<[string, unknown]> = fc.oneof(
    fc.tuple(fc.constant('type'), type),
    fc.tuple(fc.constant('\\u0074ype'), type),
    fc.tuple(fc.constant('timestamp'), time),
    fc.tuple(fc.constant('payload'), fc.oneof(fc.record({ type, message: fc.constant('from the payload') }), fc.constant('x'))),
    fc.tuple(fc.constant('message'), fc.constantFrom('a message', 'another')),
    fc.tuple(fc.constant('role'), fc.constantFrom('user', 'assistant')),
    fc.tuple(fc.constant('content'), fc.constant([{ type: 'output_text', text: 'said so' }])),
    fc.tuple(fc.constant('reason'), fc.constant('interrupted')),
    fc.tuple(fc.constant('cwd'), fc.constantFrom('/a', '/b')),
    fc.tuple(fc.constantFrom('text', 'info', 'summary', 'call_id', 'output', 'encrypted_content', 'plan_type'), value),
  );
  const pairs = fc.array(pair, { maxLength: 4 });
  const entry = ([k, v]: [string, unknown]) => `${k.startsWith('\\') ? `"${k}"` : JSON.stringify(k)}:${JSON.stringify(v)}`;
  const written = fc
    .record({ time, type: fc.constantFrom('event_msg', 'response_item', 'turn_context', 'session_meta', 'compacted', 'x'), payloadType: fc.option(type), inside: pairs, after: pairs })
    .map(({ time, type, payloadType, inside, after }) => {
      const payload = [...(payloadType === null ? [] : [`"type":${JSON.stringify(payloadType)}`]), ...inside.map(entry)].join(',');
      return `{"timestamp":${JSON.stringify(time)},"type":${JSON.stringify(type)},"payload":{${payload}}${after.map((p) => `,${entry(p)}`).join('')}}`;
    });

  it('reads every record its line could be read as otherwise as if nothing were skipped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.oneof({ arbitrary: written, weight: 4 }, fc.constant(userItem('hello')), fc.constant(item({ type: 'function_call_output', call_id: 'c1', output: 'done' }))), { minLength: 1, maxLength: 12 }), async (withMeta, records) => {
        const lines = withMeta ? [meta(), ...records] : records;
        expect(await readAll(codexReader, sourceOfLines(lines))).toEqual(await readAll(codexReader, sourceOfLines(parsedWhole(lines))));
      }),
      { numRuns: 2000 },
    );
  });
});
