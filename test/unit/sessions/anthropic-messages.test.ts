import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anthropicMessagesReader } from '../../../src/sessions/readers/anthropic-messages.js';
import { claudeCodeReader } from '../../../src/sessions/readers/claude-code.js';
import { READERS } from '../../../src/sessions/readers/index.js';
import { jsonValues } from '../../../src/sessions/readers/json-input.js';
import { reverieJsonlReader } from '../../../src/sessions/readers/reverie-jsonl.js';
import type { Turn } from '../../../src/sessions/types.js';
import { CLAUDE, FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const HERE = join(FIXTURES, 'anthropic-messages');
const PAIRS = 'pydantic-ai/local-shell.pairs.jsonl';
const REQUEST = 'pydantic-ai/local-shell.request.json';
const TRACE = 'pydantic-ai/local-shell-stream.trace.jsonl';
const THINKING = 'pydantic-ai/extended-thinking.pairs.jsonl';
const SDK_STREAM = 'claude-agent-sdk-gleam/basic_query.ndjson';
const SDK_ARRAY = 'claude-code-action/sample-turns.json';

async function readFixture(rel: string) {
  return readAll(anthropicMessagesReader, sourceOf(join(HERE, rel), `sessions/${rel}`));
}

async function sessionsOf(rel: string) {
  const { sessions, warnings } = await readFixture(rel);
  expect(warnings).toEqual([]);
  return sessions;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n');
}

/** What detection is handed: the first five non-empty lines. */
async function firstLines(path: string): Promise<string[]> {
  return (await lines(path)).filter((l) => l.trim() !== '').slice(0, 5);
}

const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);
const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
const roles = (s: { turns: Turn[] }) => s.turns.map((t) => t.role);

/** Every result answers a call made in the same or an earlier turn. */
function expectPaired(session: { turns: Turn[] }): void {
  const seen = new Set<string>();
  for (const turn of session.turns) {
    for (const call of turn.toolCalls) seen.add(call.id);
    for (const result of turn.toolResults) expect(seen, `result ${result.toolCallId}`).toContain(result.toolCallId);
  }
}

async function read(lines: string[], path = 'logs/agent/run.jsonl') {
  return readAll(anthropicMessagesReader, sourceOfLines(lines, path));
}

async function one(lines: string[], path?: string) {
  const { sessions, warnings } = await read(lines, path);
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

const json = (value: unknown) => JSON.stringify(value);
const user = (content: unknown, extra: Record<string, unknown> = {}) => ({ role: 'user', content, ...extra });
const assistant = (content: unknown, extra: Record<string, unknown> = {}) => ({ role: 'assistant', content, ...extra });
const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
const toolResult = (id: string, content: unknown, extra: Record<string, unknown> = {}) => ({ type: 'tool_result', tool_use_id: id, content, ...extra });

describe('anthropic-messages reader: real logs', () => {
  it('groups logged API calls into their conversations, told apart by tool call ids', async () => {
    const [first, second, ...rest] = await sessionsOf(PAIRS);
    expect(rest).toEqual([]);
    expect([first?.id, second?.id]).toEqual(['sessions/pydantic-ai/local-shell.pairs#1', 'sessions/pydantic-ai/local-shell.pairs#2']);
    expect(roles(first!)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(roles(second!)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(first?.agent).toBe('pydantic-ai');
    expect(first?.turns[0]?.text).toBe('What is 2 + 2? Use python to calculate it.');
    // The bash tool's command is where the engine looks for shell commands.
    expect(calls(second!).map((c) => [c.id, c.input.command])).toEqual([
      ['toolu_0144zkSmZeUPbngX6BzdV4YM', 'python3 -c "print(2 + 2)"'],
      ['toolu_017JxhPYQ3zux4W4Q4so9THn', 'python3 -c "print(2 + 2)"'],
    ]);
    expect(results(second!).map((r) => [r.isError, r.text])).toEqual([
      [false, '{"output": "4\\n", "exit_code": 0}'],
      [false, '{"output": "4\\n", "exit_code": 0}'],
    ]);
    expect(results(first!)[0]?.text).toContain('bash-3.2$ 4');
    expectPaired(first!);
    expectPaired(second!);
    expect(second?.turns[5]?.text).toBe('The result of **2 + 2 = 4**, as calculated by Python!');
    expect(second?.outcome).toEqual({ status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' });
  });

  it('reads a request body as a conversation document; its system prompt is no turn', async () => {
    const [s, ...rest] = await sessionsOf(REQUEST);
    expect(rest).toEqual([]);
    expect(s?.id).toBe('sessions/pydantic-ai/local-shell.request');
    expect(roles(s!)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(JSON.stringify(s)).not.toContain('Always use the shell tool');
    expectPaired(s!);
    // It ends on a tool result, nobody having answered: nothing to say how it went.
    expect(s?.outcome).toEqual({ status: 'unknown', inferred: true });
  });

  it('puts a streamed response back together from its server-sent events', async () => {
    const [s, ...rest] = await sessionsOf(TRACE);
    expect(rest).toEqual([]);
    expect(calls(s!)).toEqual([{ id: 'toolu_015Rk6ndKaiXYx9AiJcpUR2H', name: 'bash', input: { command: 'python3 -c "print(2 + 2)"' } }]);
    expect(results(s!)).toEqual([{ toolCallId: 'toolu_015Rk6ndKaiXYx9AiJcpUR2H', isError: false, text: '4' }]);
    expect(s?.turns.at(-1)?.text).toBe('The result of **2 + 2 = 4**! 🎉');
    expect(s?.outcome.status).toBe('success');
  });

  it('leaves thinking out, also where a later call replays it', async () => {
    const [s, ...rest] = await sessionsOf(THINKING);
    expect(rest).toEqual([]);
    expect(roles(s!)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const text = JSON.stringify(s);
    expect(text).not.toContain('The user is asking me to create a person');
    expect(text).not.toContain('The user wants me to create a person');
    expect(text).not.toContain('EvMECkYI');
    expect(s?.turns[1]?.text).toMatch(/^I can help you create a person, but I need some information first/);
    expect(s?.turns[2]?.text).toMatch(/^Validation feedback:\nPlain text responses are not permitted/);
    expect(s?.turns[3]).toMatchObject({ text: '', toolCalls: [{ id: 'toolu_01CiDGGbWTx5u93eq1LDZRH7', name: 'final_result', input: { age: 30, name: 'John Doe' } }] });
  });

  it('reads an Agent SDK stream: its session id, cwd and stated result', async () => {
    const [s, ...rest] = await sessionsOf(SDK_STREAM);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ id: '1d1e46f9-35c7-4834-b529-846d5bb82288', cwd: '/home/cyou/claude-agent-sdk-gleam', agent: 'claude-agent-sdk-gleam' });
    expect(s?.turns.map((t) => [t.role, t.text])).toEqual([['assistant', '4']]);
    expect(s?.outcome).toEqual({ status: 'success', inferred: false });
  });

  it('reads a pretty-printed array of Agent SDK messages, user messages without a role included', async () => {
    const [s, ...rest] = await sessionsOf(SDK_ARRAY);
    expect(rest).toEqual([]);
    expect(s?.id).toBe('sample-session-id');
    expect(roles(s!)).toEqual(['assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(calls(s!).map((c) => c.name)).toEqual(['Read', 'Edit', 'mcp__github__add_pull_request_review_comment']);
    expectPaired(s!);
    // Its result message states no is_error or subtype: the outcome is inferred.
    expect(s?.outcome).toMatchObject({ status: 'success', inferred: true });
  });
});

describe('anthropic-messages reader: content blocks', () => {
  it('reads tool errors: is_error, block content, server tool errors and exit codes', async () => {
    const s = await one([
      json({
        messages: [
          user('run the tests'),
          assistant([toolUse('t1', 'bash', { command: 'pytest' }), { type: 'server_tool_use', id: 's1', name: 'bash_code_execution', input: { command: 'ls /nope' } }]),
          user([toolResult('t1', [{ type: 'text', text: 'E   AssertionError' }, { type: 'image', source: { type: 'base64', data: 'iVBORw0KGgoAAAANS' } }], { is_error: true })]),
          assistant([
            { type: 'bash_code_execution_tool_result', tool_use_id: 's1', content: { type: 'bash_code_execution_result', stdout: '', stderr: 'ls: cannot access', return_code: 2 } },
            { type: 'web_search_tool_result', tool_use_id: 's2', content: { type: 'web_search_tool_result_error', error_code: 'max_uses_exceeded' } },
          ]),
        ],
      }),
    ]);
    expect(results(s)).toEqual([
      { toolCallId: 't1', isError: true, text: 'E   AssertionError\n[image]' },
      { toolCallId: 's1', isError: true, text: 'ls: cannot access' },
      { toolCallId: 's2', isError: true, text: 'max_uses_exceeded' },
    ]);
    expect(JSON.stringify(s)).not.toContain('iVBORw0KGgo');
    expect(s.outcome).toMatchObject({ status: 'failure', inferred: true });
  });

  it('names images and documents instead of inlining them', async () => {
    const s = await one([json({ messages: [user([{ type: 'document', title: 'Q3 report', source: { type: 'base64', data: 'JVBERi0xLjQK' } }, { type: 'image', source: {} }, { type: 'text', text: 'Summarise this.' }])] })]);
    expect(s.turns[0]?.text).toBe('[document: Q3 report]\n[image]\nSummarise this.');
  });

  it('puts a shell command given under another name under input.command', async () => {
    const s = await one([
      json({
        messages: [
          assistant([
            toolUse('a', 'run', { cmd: 'make test' }),
            toolUse('b', 'exec', { cmd: ['bash', '-lc', 'npm ci && npm test'] }),
            toolUse('c', 'bash', { script: 'ls -la' }),
            toolUse('d', 'local_shell', { command: ['git', 'commit', '-m', 'fix the build'] }),
            toolUse('e', 'search', { query: 'x' }),
          ]),
        ],
      }),
    ]);
    expect(calls(s).map((c) => c.input.command)).toEqual(['make test', 'npm ci && npm test', 'ls -la', "git commit -m 'fix the build'", undefined]);
    expect(calls(s)[0]?.input.cmd).toBe('make test');
  });

  it('leaves thinking, redacted thinking and compaction summaries out, and a message of only those', async () => {
    const s = await one([
      json({
        messages: [
          user('why?'),
          assistant([{ type: 'thinking', thinking: 'private musings', signature: 'sig' }, { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' }]),
          assistant([{ type: 'compaction', content: 'Summary of the earlier turns' }, { type: 'text', text: 'Because.' }]),
        ],
      }),
    ]);
    expect(s.turns.map((t) => [t.index, t.role, t.text])).toEqual([
      [0, 'user', 'why?'],
      [1, 'assistant', 'Because.'],
    ]);
    expect(JSON.stringify(s)).not.toMatch(/musings|EmwKAhgBEgy3va|earlier turns/);
  });

  it('reads a mid-conversation system message as a synthetic system turn, and strips harness reminders from typed text', async () => {
    const s = await one([
      json({
        system: 'You are a deploy bot.',
        messages: [user('deploy staging <system-reminder>todo list is empty</system-reminder>'), { role: 'system', content: 'From now on answer in French.' }, assistant('Déployé.')],
      }),
    ]);
    expect(s.turns.map((t) => [t.role, t.text, t.synthetic ?? false])).toEqual([
      ['user', 'deploy staging', false],
      ['system', 'From now on answer in French.', true],
      ['assistant', 'Déployé.', false],
    ]);
  });

  it('marks an Agent SDK message with a parent tool call as a sub-agent turn, and joins records of one API message', async () => {
    const rec = (type: string, message: unknown, extra: Record<string, unknown> = {}) => json({ type, message, session_id: 'sdk-1', parent_tool_use_id: null, ...extra });
    const s = await one([
      rec('user', user('review the diff')),
      rec('assistant', { id: 'm1', role: 'assistant', content: [{ type: 'text', text: 'Delegating.' }] }),
      rec('assistant', { id: 'm1', role: 'assistant', content: [toolUse('task1', 'Task', { prompt: 'look at src/' })] }),
      rec('user', user('look at src/'), { parent_tool_use_id: 'task1' }),
      rec('assistant', { id: 'm2', role: 'assistant', content: [{ type: 'text', text: 'src/ is fine.' }] }, { parent_tool_use_id: 'task1' }),
      rec('user', { content: [toolResult('task1', 'src/ is fine.')] }),
      rec('assistant', { id: 'm3', role: 'assistant', content: [{ type: 'text', text: 'The diff is fine.' }] }),
      json({ type: 'result', subtype: 'error_max_turns', is_error: true, session_id: 'sdk-1' }),
    ]);
    expect(s.turns.map((t) => [t.role, t.text, t.sidechain ?? false])).toEqual([
      ['user', 'review the diff', false],
      ['assistant', 'Delegating.', false],
      ['user', 'look at src/', true],
      ['assistant', 'src/ is fine.', true],
      ['user', '', false],
      ['assistant', 'The diff is fine.', false],
    ]);
    expect(s.turns[1]?.toolCalls.map((c) => c.id)).toEqual(['task1']);
    expect(s.outcome).toEqual({ status: 'failure', inferred: false, reason: 'error_max_turns' });
  });

  it("skips a tracer's calls of other endpoints without a warning", async () => {
    const quota = json({ request: { method: 'GET', url: 'https://api.anthropic.com/api/oauth/usage' }, response: { status_code: 200, body: { five_hour: 0.1 } } });
    const s = await one([quota, json({ request: { body: { messages: [user('hi')] } }, response: { body: { content: [{ type: 'text', text: 'hello' }] } } })]);
    expect(s.turns.map((t) => t.text)).toEqual(['hi', 'hello']);
  });

  it('keeps the request of a call whose response is an API error', async () => {
    const s = await one([json({ request: { messages: [user('hi')] }, response: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } })]);
    expect(s.turns.map((t) => t.text)).toEqual(['hi']);
  });
});

describe('anthropic-messages reader: ids, outcomes, timestamps', () => {
  it('gives each conversation the id the log has, else the file path, numbered when the file holds several', async () => {
    const conversation = (text: string, extra: Record<string, unknown> = {}) => ({ messages: [user(text), assistant('ok')], ...extra });
    const array = await read([json([conversation('a', { id: 'conv-7' }), conversation('b'), conversation('c', { session_id: 'run-9' })])], 'logs/bot/batch.json');
    expect(array.sessions.map((s) => s.id)).toEqual(['conv-7', 'logs/bot/batch#2', 'run-9']);
    const jsonl = await read([json(conversation('a')), json(conversation('b'))], 'logs/bot/day.jsonl');
    expect(jsonl.sessions.map((s) => s.id)).toEqual(['logs/bot/day#1', 'logs/bot/day#2']);
    // One message a line: together the file's one conversation.
    const messages = await read([json(user('a')), json(assistant([toolUse('t', 'bash', { command: 'ls' })])), json(user([toolResult('t', 'x')]))], 'logs/bot/chat.jsonl');
    expect(messages.sessions.map((s) => [s.id, s.turns.length])).toEqual([['logs/bot/chat', 3]]);
    const bare = await read(JSON.stringify([user('a'), assistant('b')], null, 2).split('\n'), 'logs/bot/messages.json');
    expect(bare.sessions.map((s) => [s.id, s.turns.length])).toEqual([['logs/bot/messages#1', 2]]);
  });

  it.each([
    [{ outcome: 'success' }, { status: 'success', inferred: false }],
    [{ outcome: { status: 'failed', reason: 'deploy rejected' } }, { status: 'failure', inferred: false, reason: 'deploy rejected' }],
    [{ is_error: true }, { status: 'failure', inferred: false }],
    [{ result: { subtype: 'success', is_error: false, result: 'done' } }, { status: 'success', inferred: false }],
    [{ result: { subtype: 'error_during_execution', is_error: true } }, { status: 'failure', inferred: false, reason: 'error_during_execution' }],
    // A string result is the agent's last answer, not a status: inferred instead.
    [{ result: 'The build passes now.' }, { status: 'unknown', inferred: true }],
  ])('takes the outcome the log states: %j', async (fields, outcome) => {
    const s = await one([json({ messages: [user('go'), assistant('went')], ...fields })]);
    expect(s.outcome).toEqual(outcome);
  });

  it('takes timestamps from messages and from logged calls, in ISO form', async () => {
    const doc = await one([json({ created_at: 1767225600, messages: [user('a', { timestamp: '2026-01-01T00:00:05Z' }), assistant('b', { created_at: '2026-01-01T00:01:00Z' })] })]);
    expect([doc.startedAt, doc.endedAt, doc.turns[0]?.timestamp]).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00Z', '2026-01-01T00:00:05Z']);
    const pair = await one([json({ logged_at: '2026-02-03T04:05:06.000Z', request: { timestamp: 1770091500, messages: [user('a')] }, response: { content: [{ type: 'text', text: 'b' }] } })]);
    expect([pair.startedAt, pair.endedAt]).toEqual(['2026-02-03T04:05:00.000Z', '2026-02-03T04:05:06.000Z']);
  });
});

describe('anthropic-messages reader: redaction', () => {
  const key = ['sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK'].join('');

  it('never lets a key reach a session, whatever field of whatever shape it was in', async () => {
    const messages = [
      user(`use ${key} please`),
      { role: 'system', content: `key: ${key}` },
      assistant([{ type: 'text', text: `set ${key}` }, toolUse(`id-${key}`, `tool ${key}`, { command: `export ANTHROPIC_API_KEY=${key}`, nested: [{ deep: key }] })]),
      user([toolResult(`id-${key}`, [{ type: 'text', text: `printed ${key}` }]), { type: 'document', title: `doc ${key}`, source: {} }]),
    ];
    const logs = [
      json({ id: `conv ${key}`, agent: `bot ${key}`, cwd: `/home/${key}`, messages, outcome: { status: 'failure', reason: `leaked ${key}` } }),
      json({ request: { messages }, response: { content: [{ type: 'text', text: key }] } }),
      json({ type: 'system', subtype: 'init', session_id: `s ${key}`, cwd: key }),
      json({ type: 'assistant', message: { id: 'm', role: 'assistant', content: [{ type: 'text', text: key }] }, session_id: `s ${key}` }),
      json({ type: 'result', is_error: true, subtype: 'error', result: key, session_id: `s ${key}` }),
    ];
    const { sessions, warnings } = await read(logs);
    expect(warnings).toEqual([]);
    expect(sessions).toHaveLength(3);
    expect(JSON.stringify(sessions)).not.toContain(key);
    expect(sessions[0]?.turns[0]?.text).toBe('use [REDACTED:anthropic-key] please');
  });
});

describe('anthropic-messages reader: detection', () => {
  it.each([PAIRS, TRACE, THINKING, SDK_STREAM, SDK_ARRAY])('recognises %s', async (rel) => {
    expect(anthropicMessagesReader.detect(await firstLines(join(HERE, rel)), rel)).toBe(true);
  });

  it('recognises a one-line conversation document and a pretty-printed one that shows a system prompt', () => {
    const doc = { model: 'claude-sonnet-4-5', system: 'Be brief.', messages: [user('hi'), assistant('hello')] };
    expect(anthropicMessagesReader.detect([json(doc)], 'c.json')).toBe(true);
    expect(anthropicMessagesReader.detect(JSON.stringify(doc, null, 2).split('\n').slice(0, 5), 'c.json')).toBe(true);
  });

  it('does not claim a pretty-printed request whose first lines show nothing of Anthropic (read it with format: anthropic-messages)', async () => {
    expect(anthropicMessagesReader.detect(await firstLines(join(HERE, REQUEST)), REQUEST)).toBe(false);
  });

  it.each([
    join(CLAUDE, '-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl'),
    join(CLAUDE, 'agentcmd/06381696-0074-49f8-863e-6ad4fac507f9.jsonl'),
    join(CLAUDE, 'claude-code-viewer/agent-test-hash-123.jsonl'),
    join(CLAUDE, 'agent-history/06090cb1-3e64-433a-bc7e-a621c0f596d2.jsonl'),
    join(FIXTURES, 'reverie/deploy-bot/2025-06-01.jsonl'),
    join(HERE, 'not-anthropic/gemini-session-2025-10-29T10-36-f96c76b0.json'),
    join(HERE, 'not-anthropic/codex-session-meta.jsonl'),
    join(HERE, 'not-anthropic/codex-function-shell.jsonl'),
  ])('does not claim another format: %s', async (path) => {
    expect(anthropicMessagesReader.detect(await firstLines(path), path)).toBe(false);
  });

  it.each([
    ['OpenAI chat with tool_calls', { model: 'gpt-4o', messages: [user('hi'), { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c', content: 'x' }] }],
    ['OpenAI chat led by a system prompt', { messages: [{ role: 'system', content: 'Be brief.' }, user('hi')] }],
    ['OpenAI content parts', { messages: [user([{ type: 'image_url', image_url: { url: 'https://x' } }])] }],
    ['OpenAI completion', { id: 'chatcmpl-1', choices: [{ message: { role: 'assistant', content: 'hi' } }], messages: [user('hi')] }],
    ['an OpenAI call logged by a proxy', { request: { messages: [user('hi')] }, response: { choices: [{ message: { role: 'assistant', content: 'hello' } }] } }],
    ['Gemini CLI recording', { sessionId: 's', projectHash: 'h', messages: [{ id: '1', type: 'user', content: 'hi' }] }],
    ['a bare message that could be anyone\'s', user('hi')],
  ])('does not claim %s', (_name, value) => {
    expect(anthropicMessagesReader.detect([json(value)], 'x.json')).toBe(false);
    expect(anthropicMessagesReader.detect(JSON.stringify(value, null, 2).split('\n').slice(0, 5), 'x.json')).toBe(false);
  });

  it('is not claimed by the other readers', async () => {
    // Every registered reader but this one, and those two whether registered or not.
    const others = [...new Set([...READERS, claudeCodeReader, reverieJsonlReader])].filter((r) => r.format !== anthropicMessagesReader.format);
    for (const rel of [PAIRS, REQUEST, TRACE, THINKING, SDK_STREAM, SDK_ARRAY]) {
      const first = await firstLines(join(HERE, rel));
      expect(others.filter((r) => r.detect(first, rel)).map((r) => r.format), rel).toEqual([]);
    }
  });
});

describe('anthropic-messages reader: damaged input', () => {
  it('warns about a corrupt line with its number and reads the rest', async () => {
    const good = await lines(join(HERE, PAIRS));
    const damaged = [good[0]!, '{"request": {"messages": [', 'not json', ...good.slice(1)];
    const { sessions, warnings } = await read(damaged, 'logs/x.jsonl');
    expect(warnings.map((w) => [w.file, w.line])).toEqual([
      ['logs/x.jsonl', 2],
      ['logs/x.jsonl', 3],
    ]);
    expect(warnings[0]?.message).toMatch(/^not valid JSON/);
    expect(sessions.map((s) => s.turns.length)).toEqual([4, 6]);
  });

  it('reads the records after a damaged first line', async () => {
    const good = await lines(join(HERE, PAIRS));
    const { sessions, warnings } = await read([good[0]!.slice(0, 200), ...good.slice(1)], 'logs/x.jsonl');
    expect(warnings.map((w) => w.line)).toEqual([1]);
    expect(sessions.map((s) => s.turns.length)).toEqual([4, 6]);
  });

  it('names the file and the line where a pretty-printed document breaks off', async () => {
    const text = await lines(join(HERE, REQUEST));
    const { sessions, warnings } = await read(text.slice(0, 20), 'logs/cut.json');
    expect(sessions).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: 'logs/cut.json', line: 20 });
    expect(warnings[0]?.message).toMatch(/^not valid JSON/);
  });

  it('warns, naming the file, about a document over the size cap', async () => {
    const big = JSON.stringify({ messages: [user('x'.repeat(2000))] }, null, 2).split('\n');
    const events = [];
    for await (const event of jsonValues(sourceOfLines(big, 'logs/big.json'), 1000)) events.push(event);
    expect(events).toEqual([{ kind: 'problem', message: 'JSON document longer than 1000 characters; not read', line: 1 }]);
    // Through the reader, the warning names the file.
    const big64 = Array.from({ length: 40 }, () => `"${'x'.repeat(2 * 1024 * 1024)}",`);
    const { warnings } = await read(['[', ...big64], 'logs/huge.json');
    expect(warnings).toEqual([{ file: 'logs/huge.json', line: 1, message: 'JSON document longer than 64 MiB; not read' }]);
  });

  it('reads empty input as no session, and other formats read with this one as warnings', async () => {
    expect(await read([])).toEqual({ sessions: [], warnings: [] });
    expect(await read(['', '  '])).toEqual({ sessions: [], warnings: [] });
    const claude = await lines(join(CLAUDE, '-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl'));
    const { sessions, warnings } = await read(claude.filter((l) => l !== ''), 'logs/claude.jsonl');
    expect(sessions).toEqual([]);
    expect(warnings[0]).toMatchObject({ file: 'logs/claude.jsonl', line: 1, message: 'not an Anthropic Messages conversation, request/response pair or Agent SDK message' });
  });

  it('warns about array elements it cannot read, naming them', async () => {
    const { sessions, warnings } = await read([json([{ messages: [user('a')] }, 42, { hello: 'world' }])], 'logs/mixed.json');
    expect(sessions).toHaveLength(1);
    expect(warnings.map((w) => w.message)).toEqual([
      'element 2: not an Anthropic Messages conversation, request/response pair or Agent SDK message',
      'element 3: not an Anthropic Messages conversation, request/response pair or Agent SDK message',
    ]);
  });
});
