import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicMessagesReader } from '../../../src/sessions/readers/anthropic-messages.js';
import { FIXTURES, readAll, sourceOfLines } from './helpers.js';

const HERE = join(FIXTURES, 'anthropic-messages');
const realLines = async (rel: string) => (await readFile(join(HERE, rel), 'utf8')).split('\n').filter((l) => l !== '');
const lines = [
  ...(await realLines('pydantic-ai/local-shell.pairs.jsonl')),
  ...(await realLines('pydantic-ai/local-shell-stream.trace.jsonl')),
  ...(await realLines('pydantic-ai/extended-thinking.pairs.jsonl')),
  ...(await realLines('claude-agent-sdk-gleam/basic_query.ndjson')),
];
const documentLines = (await readFile(join(HERE, 'claude-code-action/sample-turns.json'), 'utf8')).split('\n');

/** A real line, damaged: cut, spliced with noise, or with one value somewhere inside it swapped for anything. */
function mutated(): fc.Arbitrary<string> {
  const line = fc.constantFrom(...lines);
  const cut = fc.tuple(line, fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1)));
  const noisy = fc.tuple(line, fc.nat(), fc.string()).map(([l, n, s]) => l.slice(0, n % l.length) + s + l.slice(n % l.length));
  const swapped = fc.tuple(line, fc.nat(), fc.jsonValue()).map(([l, n, v]) => JSON.stringify(swapAt(JSON.parse(l), n, v)));
  return fc.oneof(line, cut, noisy, swapped, fc.string(), fc.json());
}

/** The value with its n-th nested value (in a depth-first walk) replaced. */
function swapAt(value: unknown, n: number, replacement: unknown): unknown {
  let count = 0;
  const walk = (v: unknown): unknown => {
    if (count++ === n) return replacement;
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

const KEY = ['sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK'].join('');
/** Any text, with the key somewhere in it, as a word of its own. */
const withKey = fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a} ${KEY} ${b}`);
const text = fc.oneof(fc.string(), withKey);

/** A Messages API message in any of the documented block shapes, texts drawn from `text`. */
const block = fc.oneof(
  fc.record({ type: fc.constant('text'), text }),
  fc.record({ type: fc.constant('thinking'), thinking: text, signature: fc.string() }),
  fc.record({ type: fc.constant('tool_use'), id: text, name: text, input: fc.dictionary(fc.string(), fc.oneof(text, fc.array(text))) }),
  fc.record({ type: fc.constant('tool_result'), tool_use_id: text, is_error: fc.boolean(), content: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }))) }),
  fc.record({ type: fc.constant('document'), title: text, source: fc.constant({}) }),
);
const message = fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: fc.oneof(text, fc.array(block, { maxLength: 4 })) });
const conversation = fc.record(
  { id: text, cwd: text, agent: text, messages: fc.array(message, { minLength: 1, maxLength: 6 }), outcome: fc.record({ status: fc.constantFrom('success', 'failed'), reason: text }) },
  { requiredKeys: ['messages'] },
);
const pair = fc.record({ request: fc.record({ messages: fc.array(message, { minLength: 1, maxLength: 4 }) }), response: fc.record({ content: fc.array(block, { maxLength: 3 }) }) });
const sdk = fc.record({ type: fc.constantFrom('assistant', 'user', 'result'), session_id: text, message, result: text, subtype: text });

describe('anthropic-messages reader on damaged and random input', () => {
  it('never throws; warnings name the file; every session has turns', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutated(), { maxLength: 30 }), async (input) => {
        const { sessions, warnings } = await readAll(anthropicMessagesReader, sourceOfLines(input, 'memory/agent/log.jsonl'));
        for (const s of sessions) expect(s.turns.length).toBeGreaterThan(0);
        for (const w of warnings) expect(w.file).toBe('memory/agent/log.jsonl');
      }),
      { numRuns: 300 },
    );
  });

  it('reads a pretty-printed document cut anywhere without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(documentLines.length), async (n) => {
        const { warnings } = await readAll(anthropicMessagesReader, sourceOfLines(documentLines.slice(0, n), 'memory/agent/turns.json'));
        for (const w of warnings) expect(w.file).toBe('memory/agent/turns.json');
      }),
      { numRuns: 100 },
    );
  });

  it('never lets a planted key reach a session, in any shape or field', async () => {
    const value = fc.oneof(conversation, pair, sdk, fc.array(fc.oneof(conversation, message), { maxLength: 3 }));
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 5 }), fc.boolean(), async (values, pretty) => {
        const input = pretty ? JSON.stringify(values, null, 2).split('\n') : values.map((v) => JSON.stringify(v));
        const { sessions } = await readAll(anthropicMessagesReader, sourceOfLines(input, 'memory/agent/log.jsonl'));
        expect(JSON.stringify(sessions)).not.toContain(KEY);
      }),
      { numRuns: 200 },
    );
  });
});
