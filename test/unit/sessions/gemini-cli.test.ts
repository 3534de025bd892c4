import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGeminiCliReader, geminiCliReader } from '../../../src/sessions/readers/gemini-cli.js';
import type { Turn } from '../../../src/sessions/types.js';
import { FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const GEMINI = join(FIXTURES, 'gemini-cli');
const AGENT_BUILDER = 'session-2025-10-27T19-55-981c87cb.json';
const WRONG_TOOL = 'session-2025-10-29T10-39-a63242d9.json';
const REPLACE = 'session-2025-10-29T10-36-453aa339.json';
/** Where Gemini CLI keeps a recording: the project folder above `chats` names the agent. */
const display = (file: string) => `home/.gemini/tmp/1b37d21d/chats/${file}`;

async function one(file: string) {
  const { sessions, warnings } = await readAll(geminiCliReader, sourceOf(join(GEMINI, file), display(file)));
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

const fixtureText = (file: string) => readFile(join(GEMINI, file), 'utf8');
const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);
const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
/** A fake GitHub token, built at run time so that no secret scanner flags this file. */
const TOKEN = ['ghp', '_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'].join('');

function expectPaired(session: { turns: Turn[] }): void {
  const seen = new Set<string>();
  for (const turn of session.turns) {
    for (const result of turn.toolResults) expect(seen).toContain(result.toolCallId);
    for (const call of turn.toolCalls) seen.add(call.id);
  }
}

describe('gemini-cli reader: real recordings', () => {
  it('reads a session: turns, tool calls and their results, timestamps, id, agent', async () => {
    const s = await one(AGENT_BUILDER);
    expect(s.id).toBe('981c87cb-90ef-4c7f-948d-23173ff43e4e');
    expect(s.agent).toBe('1b37d21d');
    expect(s.startedAt).toBe('2025-10-27T19:56:01.701Z');
    expect(s.endedAt).toBe('2025-10-27T20:24:29.688Z');
    expect(s.turns).toHaveLength(31);
    expect(s.turns.map((t) => t.index)).toEqual([...Array(31).keys()]);
    expect(s.turns.slice(0, 5).map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(s.turns[0]).toMatchObject({ role: 'user', text: 'Can you make me an ai agent in python that I can execute built in pythin', timestamp: '2025-10-27T19:56:01.701Z' });
    expect(s.turns[1]?.toolCalls).toEqual([
      { id: 'list_directory-1761594964607-802afbb1c1c44', name: 'list_directory', input: { path: '/Users/jnarowski/Dev/playground/src/test-project/' } },
    ]);
    expect(s.turns[2]?.toolResults[0]).toEqual({
      toolCallId: 'list_directory-1761594964607-802afbb1c1c44',
      isError: false,
      text: 'Directory /Users/jnarowski/Dev/playground/src/test-project/ is empty.',
    });
    expect(calls(s)).toHaveLength(13);
    expect(results(s)).toHaveLength(13);
    expectPaired(s);
    expect(s.outcome).toEqual({ status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' });
  });

  it('gives run_shell_command its command as input.command, and reads failed, cancelled and non-zero-exit calls as errors', async () => {
    const s = await one(AGENT_BUILDER);
    const shell = calls(s).filter((c) => c.name === 'run_shell_command');
    expect(shell.map((c) => c.input.command)).toEqual([
      'python3',
      'pip install RestrictedPython',
      'pip3 install RestrictedPython',
      'python3 -m venv /Users/jnarowski/Dev/playground/src/test-project/venv',
      'source /Users/jnarowski/Dev/playground/src/test-project/venv/bin/activate && pip install RestrictedPython',
    ]);
    const byCall = new Map(results(s).map((r) => [r.toolCallId, r]));
    // The person cancelled the interactive python3.
    expect(byCall.get(shell[0]!.id)).toMatchObject({ isError: true, rejected: true, text: '[Operation Cancelled] Reason: User cancelled the operation.' });
    // status "success" but `Exit Code: 127`: the command failed.
    expect(byCall.get(shell[1]!.id)?.isError).toBe(true);
    expect(byCall.get(shell[1]!.id)?.text).toContain('bash: line 1: pip: command not found');
    expect(byCall.get(shell[3]!.id)).toMatchObject({ isError: false });
    expect(byCall.get(shell[3]!.id)?.rejected).toBeUndefined();
    // status "error": a relative path the tool refused.
    const listing = results(s).find((r) => r.text === 'Path must be absolute: .');
    expect(listing).toMatchObject({ isError: true });
  });

  it('leaves thoughts, token counts and model names out', async () => {
    const s = await one(AGENT_BUILDER);
    const all = JSON.stringify(s);
    expect(all).not.toContain('Considering Project Structure');
    expect(all).not.toContain('gemini-2.5-pro');
    expect(all).not.toContain('"tokens"');
  });

  it('infers failure when the session ends on a failed call', async () => {
    const s = await one(WRONG_TOOL);
    expect(s.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
    expect(s.turns[0]?.text).toBe("Create a file test-default.txt with content 'test'");
    expect(s.outcome).toMatchObject({ status: 'failure', inferred: true });
    expect(s.outcome.reason).toMatch(/^the last write_file call failed: Tool "write_file" not found in registry/);
  });

  it('reads an edit with the replace tool', async () => {
    const s = await one(REPLACE);
    expect(calls(s).map((c) => c.name)).toEqual(['read_file', 'replace', 'read_file']);
    expect(results(s).map((r) => r.text)).toEqual([
      'Hello from Gemini CLI',
      'Successfully modified file: /private/tmp/gemini-test/created.txt (1 replacements).',
      'Goodbye from Gemini CLI',
    ]);
    expect(s.turns.at(-1)).toMatchObject({ role: 'assistant', text: 'Done.' });
  });

  it('reads the same document written on one line', async () => {
    const doc = JSON.parse(await fixtureText(REPLACE)) as unknown;
    const pretty = await one(REPLACE);
    const { sessions, warnings } = await readAll(geminiCliReader, sourceOfLines([JSON.stringify(doc)], display(REPLACE)));
    expect(warnings).toEqual([]);
    expect(sessions).toEqual([pretty]);
  });
});

/** Records in the JSON Lines layout of later Gemini CLI releases (chatRecordingService), written for these tests. */
const META = { sessionId: 's-jsonl', projectHash: 'abc', startTime: '2026-05-20T17:11:00.000Z', lastUpdated: '2026-05-20T17:11:00.000Z', kind: 'main' };
const line = (record: unknown) => JSON.stringify(record);
const user = (id: string, content: unknown, extra: Record<string, unknown> = {}) => line({ id, timestamp: '2026-05-20T17:11:01.000Z', type: 'user', content, ...extra });
const gemini = (id: string, content: unknown, toolCalls?: unknown[]) =>
  line({ id, timestamp: '2026-05-20T17:11:05.000Z', type: 'gemini', content, model: 'gemini-3-flash', ...(toolCalls ? { toolCalls } : {}) });
const shellCall = (id: string, command: string, output: string, status = 'success') => ({
  id,
  name: 'run_shell_command',
  args: { command },
  result: [{ functionResponse: { id, name: 'run_shell_command', response: { output } } }],
  status,
  timestamp: '2026-05-20T17:11:06.000Z',
});

describe('gemini-cli reader: the JSON Lines layout', () => {
  it('keeps the last copy of a re-appended message, applies $set and $rewindTo', async () => {
    const lines = [
      line(META),
      user('u1', [{ text: 'run the tests' }]),
      gemini('g1', 'Running them.'),
      // The CLI appends a message again when its tool calls come in: the last copy wins.
      gemini('g1', 'Running them.', [shellCall('c1', 'npm test', 'Command: npm test\nOutput: 3 passed\nExit Code: 0')]),
      line({ $set: { lastUpdated: '2026-05-20T17:12:00.000Z' } }),
      user('u2', 'no, stop'),
      gemini('g2', 'Stopping.'),
      line({ $rewindTo: 'u2' }),
      gemini('g3', 'All tests pass.'),
    ];
    const { sessions, warnings } = await readAll(geminiCliReader, sourceOfLines(lines, 'gemini/my-proj/chats/session-2026-05-20T17-11-s1.jsonl'));
    expect(warnings).toEqual([]);
    const [s] = sessions;
    expect(s?.id).toBe('s-jsonl');
    expect(s?.agent).toBe('my-proj');
    expect(s?.endedAt).toBe('2026-05-20T17:12:00.000Z');
    expect(s?.turns.map((t) => [t.role, t.text, t.toolCalls.map((c) => c.input.command), t.toolResults.map((r) => r.isError)])).toEqual([
      ['user', 'run the tests', [], []],
      ['assistant', 'Running them.', ['npm test'], []],
      ['user', '', [], [false]],
      ['assistant', 'All tests pass.', [], []],
    ]);
    expect(s?.outcome.status).toBe('success');
  });

  it('replaces the messages on $set.messages, an unknown rewind target empties them', async () => {
    const replaced = await readAll(
      geminiCliReader,
      sourceOfLines([line(META), user('u1', 'first'), line({ $set: { messages: [{ id: 'm1', type: 'user', content: 'rewritten' }] } })]),
    );
    expect(replaced.sessions[0]?.turns.map((t) => t.text)).toEqual(['rewritten']);
    const emptied = await readAll(geminiCliReader, sourceOfLines([line(META), user('u1', 'first'), line({ $rewindTo: 'nope' })]));
    expect(emptied.sessions).toEqual([]);
  });

  it('reads what the person typed: displayContent over content, @file contents left out', async () => {
    const expanded = 'explain @src/app.ts\n--- Content from referenced files ---\nContent from @src/app.ts:\nexport const x = 1;\n--- End of content ---';
    const { sessions } = await readAll(
      geminiCliReader,
      sourceOfLines([
        line(META),
        user('u1', [{ text: expanded }]),
        user('u2', [{ text: 'expanded prompt' }], { displayContent: [{ text: 'what I typed' }] }),
        line({ id: 'i1', timestamp: '2026-05-20T17:11:02.000Z', type: 'info', content: 'Memory refreshed.' }),
        line({ id: 'e1', timestamp: '2026-05-20T17:11:03.000Z', type: 'error', content: '[API Error: quota exceeded]' }),
        gemini('g1', [{ text: 'thinking...', thought: true }, { text: 'Here it is.' }]),
      ]),
    );
    expect(sessions[0]?.turns.map((t) => [t.role, t.text, t.synthetic ?? false])).toEqual([
      ['user', 'explain @src/app.ts', false],
      ['user', 'what I typed', false],
      ['system', 'Memory refreshed.', true],
      ['system', '[API Error: quota exceeded]', true],
      ['assistant', 'Here it is.', false],
    ]);
  });

  it('marks a sub-agent recording as sidechain, its prompt synthetic', async () => {
    const path = 'home/.gemini/tmp/my-proj/chats/8a2c6f0e-1b3d-4e5f-9a7b-0c1d2e3f4a5b/sub-1.jsonl';
    const { sessions } = await readAll(geminiCliReader, sourceOfLines([line({ ...META, kind: 'subagent' }), user('u1', 'find the bug'), gemini('g1', 'Found it.')], path));
    expect(sessions[0]?.agent).toBe('my-proj');
    expect(sessions[0]?.turns.map((t) => [t.sidechain, t.synthetic ?? false])).toEqual([
      [true, true],
      [true, false],
    ]);
    expect(sessions[0]?.outcome.status).toBe('unknown');
  });

  it('leaves calls still running without a result', async () => {
    const running = { ...shellCall('c1', 'npm test', ''), status: 'executing', result: undefined };
    const { sessions } = await readAll(geminiCliReader, sourceOfLines([line(META), user('u1', 'go'), gemini('g1', '', [running])]));
    expect(calls(sessions[0]!)).toHaveLength(1);
    expect(results(sessions[0]!)).toEqual([]);
  });
});

describe('gemini-cli reader: damaged input', () => {
  it('skips a corrupt JSON line with its number and reads the rest', async () => {
    const { sessions, warnings } = await readAll(
      geminiCliReader,
      sourceOfLines([line(META), user('u1', 'hello'), '{"id": "g1", "type": "gem', '[1, 2]', gemini('g2', 'hi'), line({ id: 'x' })], 'chats/s.jsonl'),
    );
    expect(warnings.map((w) => [w.file, w.line])).toEqual([
      ['chats/s.jsonl', 3],
      ['chats/s.jsonl', 4],
      ['chats/s.jsonl', 6],
    ]);
    expect(warnings[0]?.message).toMatch(/^not valid JSON/);
    expect(warnings[2]?.message).toBe('message without a "type"; skipped');
    expect(sessions[0]?.turns.map((t) => t.text)).toEqual(['hello', 'hi']);
  });

  it('reads JSON Lines whose first line is damaged', async () => {
    const { sessions, warnings } = await readAll(geminiCliReader, sourceOfLines(['{"sessionId": "s-cut", "proj', user('u1', 'hello'), gemini('g1', 'hi')], 'chats/s.jsonl'));
    expect(warnings.map((w) => w.line)).toEqual([1]);
    expect(sessions[0]?.id).toBe('chats/s');
    expect(sessions[0]?.turns.map((t) => t.text)).toEqual(['hello', 'hi']);
  });

  it('reads a truncated document message by message, naming the line where it breaks', async () => {
    const text = (await fixtureText(AGENT_BUILDER)).split('\n');
    const cut = text.slice(0, 200);
    const { sessions, warnings } = await readAll(geminiCliReader, sourceOfLines(cut, 'chats/cut.json'));
    expect(warnings[0]).toMatchObject({ file: 'chats/cut.json', message: expect.stringMatching(/^not valid JSON .*; read message by message$/) });
    expect(warnings.at(-1)).toMatchObject({ message: 'message cut off where reading stopped; skipped' });
    const s = sessions[0]!;
    expect(s.id).toBe('981c87cb-90ef-4c7f-948d-23173ff43e4e');
    expect(s.turns[0]?.text).toBe('Can you make me an ai agent in python that I can execute built in pythin');
    expect(s.turns.length).toBeGreaterThan(2);
    expect(s.turns.length).toBeLessThan(31);
  });

  it('skips one damaged message of a document and keeps the others', async () => {
    const text = (await fixtureText(REPLACE)).split('\n');
    const at = text.findIndex((l) => l.includes('"content": "Done."'));
    text[at] = '      "content": "Done.,';
    const { sessions, warnings } = await readAll(geminiCliReader, sourceOfLines(text, 'chats/damaged.json'));
    const start = text.lastIndexOf('    {', at) + 1;
    // The document's parse error points at the damaged line; the message skipped is named by its first line.
    expect(warnings.map((w) => w.line)).toEqual([at + 1, start]);
    expect(warnings[1]?.message).toMatch(/^message not valid JSON/);
    expect(sessions[0]?.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
  });

  it('stops gathering a document at the cap, warns naming the file, and reads what it has', async () => {
    const text = (await fixtureText(AGENT_BUILDER)).split('\n');
    const { sessions, warnings } = await readAll(createGeminiCliReader(20_000), sourceOfLines(text, 'chats/big.json'));
    expect(warnings[0]).toEqual({ file: 'chats/big.json', message: 'session file larger than 20000 characters; only its beginning was read' });
    expect(sessions[0]?.turns.length).toBeGreaterThan(0);
    expect(sessions[0]?.turns.length).toBeLessThan(31);
  });

  it('reads nothing from empty or blank input, and warns about a top-level value that is no object', async () => {
    expect(await readAll(geminiCliReader, sourceOfLines([]))).toEqual({ sessions: [], warnings: [] });
    expect(await readAll(geminiCliReader, sourceOfLines(['', '  ']))).toEqual({ sessions: [], warnings: [] });
    const array = await readAll(geminiCliReader, sourceOfLines(['[', '1', ']'], 'chats/a.json'));
    expect(array.sessions).toEqual([]);
    expect(array.warnings).toEqual([{ file: 'chats/a.json', line: 1, message: 'not a JSON object' }]);
  });
});

describe('gemini-cli reader: redaction', () => {
  it('never hands out a token planted in a prompt, a command, its output or the session id', async () => {
    const lines = [
      line({ ...META, sessionId: `s-${TOKEN}` }),
      user('u1', `push with ${TOKEN}`),
      gemini('g1', `Using ${TOKEN}.`, [shellCall('c1', `git push https://${TOKEN}@github.com/x/y`, `remote: token ${TOKEN} rejected\nExit Code: 1`)]),
    ];
    const { sessions } = await readAll(geminiCliReader, sourceOfLines(lines));
    const all = JSON.stringify(sessions);
    expect(all).not.toContain(TOKEN);
    expect(all).toContain('[REDACTED:github-token]');
    expect(results(sessions[0]!)[0]?.isError).toBe(true);
  });
});
