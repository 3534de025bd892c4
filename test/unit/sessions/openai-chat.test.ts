import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_CHARS } from '../../../src/sessions/readers/json-input.js';
import { openaiChatReader } from '../../../src/sessions/readers/openai-chat.js';
import type { LogSource, Turn } from '../../../src/sessions/types.js';
import { FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const TAU = join(FIXTURES, 'openai-chat/tau-bench/gpt-4o-airline.EXCERPT-3trajectories.json');
const DISPLAY = 'sessions/tau-bench/airline.json';

type Trajectory = { task_id: number; reward: number; traj: Record<string, unknown>[] };
const trajectories = JSON.parse(await readFile(TAU, 'utf8')) as Trajectory[];

const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);

/** Every result answers a call made in an earlier turn. */
function expectPaired(session: { turns: Turn[] }): void {
  const seen = new Set<string>();
  for (const turn of session.turns) {
    for (const result of turn.toolResults) expect(seen, `result ${result.toolCallId}`).toContain(result.toolCallId);
    for (const call of turn.toolCalls) seen.add(call.id);
  }
}

async function readLines(lines: string[], display = DISPLAY) {
  return readAll(openaiChatReader, sourceOfLines(lines, display));
}

async function one(value: unknown) {
  const { sessions, warnings } = await readLines([JSON.stringify(value)]);
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

describe('openai-chat reader: tau-bench trajectories', () => {
  it('reads each trajectory as a session with its recorded outcome', async () => {
    const { sessions, warnings } = await readAll(openaiChatReader, sourceOf(TAU, DISPLAY));
    expect(warnings).toEqual([]);
    expect(sessions.map((s) => [s.id, s.agent, s.turns.length, s.outcome])).toEqual([
      ['sessions/tau-bench/airline#0', 'tau-bench', 12, { status: 'failure', inferred: false, reason: 'reward 0' }],
      ['sessions/tau-bench/airline#1', 'tau-bench', 22, { status: 'success', inferred: false, reason: 'reward 1' }],
      ['sessions/tau-bench/airline#2', 'tau-bench', 26, { status: 'failure', inferred: false, reason: 'reward 0' }],
    ]);
    // The log has no timestamps, and says nothing of where the agent ran.
    expect(sessions.every((s) => s.startedAt === undefined && s.cwd === undefined)).toBe(true);
  });

  it('maps roles, tool calls with parsed arguments, tool results and their errors', async () => {
    const { sessions } = await readAll(openaiChatReader, sourceOf(TAU, DISPLAY));
    const [, won, lost] = sessions;
    expect(won?.turns[0]).toMatchObject({ role: 'system', synthetic: true });
    expect(won?.turns[0]?.text).toMatch(/^# Airline Agent Policy/);
    expect(won?.turns[1]).toMatchObject({ role: 'user', text: 'Hi! I need to change my return flight from Texas to Newark.' });
    expect(won?.turns[1]?.synthetic).toBeUndefined();
    expect(won?.turns[4]).toMatchObject({
      role: 'assistant',
      text: '',
      toolCalls: [{ id: 'call_MY94XAcnfHzfAZcVHqt5FRRQ', name: 'get_user_details', input: { user_id: 'olivia_gonzalez_2305' } }],
    });
    expect(won?.turns[5]?.toolResults[0]).toMatchObject({ toolCallId: 'call_MY94XAcnfHzfAZcVHqt5FRRQ', isError: false });
    expect(won?.turns[5]?.toolResults[0]?.text).toMatch(/^\{"name": \{"first_name": "Olivia"/);
    for (const s of sessions) expectPaired(s);
    expect(calls(lost!)).toHaveLength(results(lost!).length);
    expect(results(lost!).filter((r) => r.isError).map((r) => r.text)).toEqual(['Error: payment amount does not add up, total price is 305, but paid 255']);
    // An assistant message may speak and call a tool at once.
    expect(lost?.turns[6]?.text).toMatch(/^Thank you for the information/);
    expect(lost?.turns[6]?.toolCalls.map((c) => c.name)).toEqual(['search_direct_flight']);
  });

  it('reads the same conversations pretty-printed, as JSON Lines, and as bare message arrays', async () => {
    const expected = (await readAll(openaiChatReader, sourceOf(TAU, DISPLAY))).sessions;
    const pretty = await readLines(JSON.stringify(trajectories, null, 2).split('\n'));
    expect(pretty).toEqual({ sessions: expected, warnings: [] });
    const jsonl = await readLines(trajectories.map((t) => JSON.stringify(t)));
    expect(jsonl).toEqual({ sessions: expected, warnings: [] });
    const bare = await readLines(JSON.stringify(trajectories[1]!.traj, null, 2).split('\n'));
    expect(bare.sessions.map((s) => [s.id, s.turns])).toEqual([['sessions/tau-bench/airline', expected[1]!.turns]]);
    expect(bare.sessions[0]?.outcome.inferred).toBe(true);
  });
});

describe('openai-chat reader: message shapes', () => {
  it('names a file’s only conversation after the file, and prefers an id the conversation carries', async () => {
    expect((await one({ messages: [{ role: 'user', content: 'hi' }] })).id).toBe('sessions/tau-bench/airline');
    const { sessions } = await readLines([JSON.stringify([{ id: 'a', messages: [{ role: 'user', content: 'x' }] }, { id: 'a', messages: [{ role: 'user', content: 'y' }] }])]);
    expect(sessions.map((s) => s.id)).toEqual(['a', 'sessions/tau-bench/airline#1']);
  });

  it('infers the outcome when the log records none', async () => {
    const s = await one({
      messages: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{"temp": 18}' },
        { role: 'assistant', content: 'It is 18°C in Paris.' },
      ],
    });
    expect(s.outcome).toEqual({ status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' });
    expect(await one({ success: false, messages: [{ role: 'user', content: 'x' }] })).toMatchObject({ outcome: { status: 'failure', inferred: false } });
  });

  it('pairs legacy function calls with their answers by name, and groups parallel results', async () => {
    const s = await one({
      messages: [
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"a"}' } },
        { role: 'function', name: 'lookup', content: 'found a' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'read', arguments: '{"path":"a"}' } },
            { id: 'c2', type: 'function', function: { name: 'read', arguments: 'not json' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'A' },
        { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'Traceback (most recent call last):\n  boom' }] },
      ],
    });
    expect(s.turns.map((t) => [t.role, t.toolCalls.map((c) => [c.id, c.input]), t.toolResults.map((r) => [r.toolCallId, r.isError])])).toEqual([
      ['assistant', [['function_call-1', { q: 'a' }]], []],
      ['user', [], [['function_call-1', false]]],
      ['assistant', [['c1', { path: 'a' }], ['c2', { arguments: 'not json' }]], []],
      ['user', [], [['c1', false], ['c2', true]]],
    ]);
  });

  it('reads content parts, naming attachments instead of inlining them, and a refusal', async () => {
    const url = `data:image/png;base64,${'iVBORw0KGgo'.repeat(40)}`;
    const s = await one({
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url } }] },
        { role: 'assistant', content: null, refusal: 'I cannot help with that.' },
      ],
    });
    expect(s.turns.map((t) => [t.role, t.text, t.synthetic ?? false])).toEqual([
      ['system', 'Be brief.', true],
      ['user', 'What is this?\n[image]', false],
      ['assistant', 'I cannot help with that.', false],
    ]);
    expect(JSON.stringify(s)).not.toContain('iVBORw0KGgo');
  });

  it('keeps timestamps a log records, as ISO strings or Unix seconds', async () => {
    const s = await one({ created: 1727776800, messages: [{ role: 'user', content: 'x', timestamp: '2024-10-01T10:05:00Z' }] });
    expect(s).toMatchObject({ startedAt: '2024-10-01T10:00:00.000Z', endedAt: '2024-10-01T10:05:00Z' });
    expect(s.turns[0]?.timestamp).toBe('2024-10-01T10:05:00Z');
  });

  it('redacts secrets in text, tool arguments and tool results', async () => {
    const key = ['sk-proj-', 'Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jKaB1c'].join('');
    const s = await one({
      messages: [
        { role: 'system', content: `Your key is ${key}.` },
        { role: 'user', content: [{ type: 'text', text: `use ${key} please` }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'call_api', arguments: JSON.stringify({ headers: { Authorization: `Bearer ${key}` } }) } }] },
        { role: 'tool', tool_call_id: 'c1', content: `401 for key ${key}` },
      ],
    });
    expect(JSON.stringify(s)).not.toContain(key);
    expect(s.turns[1]?.text).toMatch(/^use \[REDACTED:[a-z-]+\] please$/);
  });
});

describe('openai-chat reader: damaged files', () => {
  it('warns about malformed messages with the line and message, and reads the rest', async () => {
    const { sessions, warnings } = await readLines(
      [
        JSON.stringify({
          messages: [
            { role: 'user', content: 'hi' },
            'not a message',
            { role: 'robot', content: 'beep' },
            { role: 'tool', content: 'orphan' },
            { role: 'assistant', content: 'ok', tool_calls: [{ id: 'c1' }, { id: 'c2', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          ],
        }),
        '{"messages": [{"role": "user", "content": "cut off',
        '42',
        JSON.stringify([{ messages: [{ role: 'user', content: 'b' }] }, { turns: [] }]),
      ],
      'logs/x.jsonl',
    );
    expect(warnings.map((w) => [w.file, w.line, w.message])).toEqual([
      ['logs/x.jsonl', 1, 'message 1 is not an object'],
      ['logs/x.jsonl', 1, 'message 2 has unknown role "robot"'],
      ['logs/x.jsonl', 1, 'message 3: tool message without a tool_call_id'],
      ['logs/x.jsonl', 1, 'message 4: 1 tool calls without a function name'],
      ['logs/x.jsonl', 2, expect.stringMatching(/^not valid JSON/)],
      ['logs/x.jsonl', 3, 'not a conversation (no "messages" array)'],
      ['logs/x.jsonl', 4, 'conversation 1: not a conversation (no "messages" array)'],
    ]);
    expect(sessions.map((s) => [s.id, s.turns.map((t) => t.text)])).toEqual([
      ['logs/x#0', ['hi', 'ok']],
      ['logs/x#1', ['b']],
    ]);
  });

  it('reads nothing of a document cut off, with one warning naming the file', async () => {
    const text = JSON.stringify(trajectories);
    const single = await readLines([text.slice(0, text.length / 2)]);
    expect(single.sessions).toEqual([]);
    expect(single.warnings).toEqual([{ file: DISPLAY, line: 1, message: expect.stringMatching(/^not valid JSON/) }]);
    const pretty = JSON.stringify(trajectories, null, 2).split('\n');
    const kept = pretty.slice(0, pretty.length / 2);
    const cut = await readLines(kept);
    expect(cut.sessions).toEqual([]);
    // The line named is where parsing failed: the end of what is left of the document.
    expect(cut.warnings).toEqual([{ file: DISPLAY, line: kept.length, message: expect.stringMatching(/^not valid JSON/) }]);
  });

  it('reads JSON Lines whose first line is damaged so that it looks like the start of a document', async () => {
    const lines = trajectories.map((t) => JSON.stringify(t));
    const { sessions, warnings } = await readLines(['{"messages": [', ...lines.slice(1)]);
    expect(warnings).toEqual([{ file: DISPLAY, line: 1, message: expect.stringMatching(/^not valid JSON/) }]);
    expect(sessions.map((s) => s.turns.length)).toEqual([22, 26]);
  });

  it('reads an empty file as no session', async () => {
    expect(await readLines([])).toEqual({ sessions: [], warnings: [] });
    expect(await readLines(['', '  '])).toEqual({ sessions: [], warnings: [] });
  });

  it('stops gathering a document at the cap, and says so', async () => {
    const mib = 'x'.repeat(1024 * 1024);
    let yielded = 0;
    const source: LogSource = {
      path: 'big.json',
      async *lines() {
        yield '[';
        for (let i = 0; i < 200; i++, yielded++) yield mib;
      },
    };
    const { sessions, warnings } = await readAll(openaiChatReader, source);
    expect(sessions).toEqual([]);
    expect(warnings).toEqual([{ file: 'big.json', line: 1, message: 'JSON document longer than 64 MiB; not read' }]);
    expect(yielded).toBeLessThanOrEqual(MAX_DOCUMENT_CHARS / mib.length + 1);
  });
});

/** Short real conversations: slices of the trajectories, without the long system policy. */
const realLines = trajectories.flatMap((t) => {
  const messages = t.traj.filter((m) => m.role !== 'system');
  return [0, 4, 8, 12].map((at) => JSON.stringify({ reward: t.reward, traj: messages.slice(at, at + 4) }));
});

/** A real line, damaged: cut, spliced with noise, or with a message or one of its fields swapped for anything. */
function mutated(lines: string[]): fc.Arbitrary<string> {
  const real = fc.constantFrom(...lines);
  const cut = fc.tuple(real, fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1)));
  const noisy = fc.tuple(real, fc.nat(), fc.string()).map(([l, n, s]) => l.slice(0, n % l.length) + s + l.slice(n % l.length));
  const message = fc.tuple(real, fc.nat(), fc.jsonValue()).map(([l, n, v]) => {
    const record = JSON.parse(l) as { traj: unknown[] };
    record.traj[n % record.traj.length] = v;
    return JSON.stringify(record);
  });
  const field = fc.tuple(real, fc.nat(), fc.jsonValue()).map(([l, n, v]) => {
    const record = JSON.parse(l) as { traj: Record<string, unknown>[] };
    const target = record.traj[n % record.traj.length] ?? {};
    const keys = Object.keys(target);
    target[keys[n % keys.length] ?? 'content'] = v;
    return JSON.stringify(record);
  });
  return fc.oneof(real, cut, noisy, message, field, fc.string(), fc.json());
}

describe('openai-chat reader never throws on damaged input', () => {
  const bounded = (input: string[], sessions: unknown[]) => {
    const size = input.reduce((sum, l) => sum + l.length + 1, 0);
    expect(JSON.stringify(sessions).length).toBeLessThanOrEqual(3 * size + 1000);
  };

  it('random and mutated JSON Lines: sessions or warnings, output bounded by the input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutated(realLines), { maxLength: 30 }), async (input) => {
        const { sessions, warnings } = await readLines(input, 'memory/agent/log.jsonl');
        for (const s of sessions) expect(s.turns.length).toBeGreaterThan(0);
        for (const w of warnings) expect(w.file).toBe('memory/agent/log.jsonl');
        bounded(input, sessions);
      }),
      { numRuns: 300 },
    );
  });

  it('random pretty-printed documents, whole or cut', async () => {
    const conversation = fc.record({ messages: fc.array(fc.oneof(fc.constantFrom(...trajectories[2]!.traj.slice(1, 12)), fc.jsonValue()), { maxLength: 12 }) });
    const document = fc.oneof(conversation, fc.array(conversation, { maxLength: 4 }), fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(document, fc.nat(), async (value, n) => {
        const lines = (JSON.stringify(value, null, 2) ?? '').split('\n');
        const input = lines.slice(0, lines.length - (n % 3));
        const { sessions } = await readLines(input);
        bounded(input, sessions);
      }),
      { numRuns: 200 },
    );
  });
});
