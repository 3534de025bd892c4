/**
 * The Gemini CLI, GitHub Copilot CLI, aider and SpecStory readers on damaged input, in the style of fuzz.test.ts: random and mutated
 * input never throws, every warning names the file, and what comes out stays in proportion to what went in.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aiderReader } from '../../../src/sessions/readers/aider.js';
import { copilotCliReader } from '../../../src/sessions/readers/copilot-cli.js';
import { createGeminiCliReader } from '../../../src/sessions/readers/gemini-cli.js';
import { specstoryReader } from '../../../src/sessions/readers/specstory.js';
import type { SessionReader } from '../../../src/sessions/types.js';
import { FIXTURES, readAll, sourceOfLines } from './helpers.js';

const fixtureLines = async (path: string) => (await readFile(join(FIXTURES, path), 'utf8')).split('\n');
const geminiLines = await fixtureLines('gemini-cli/session-2025-10-29T10-36-453aa339.json');
const copilotLines = await fixtureLines('copilot-cli/agentv/9e1b9e5502-0.first28.jsonl');
const aiderLines = await fixtureLines('aider/chat-history.SESSIONS-EXCERPT.md');
const specstoryLines = await fixtureLines('specstory/2026-02-24_13-47-24Z-use-gh-to-check.EXCERPT.md');
/** A low cap, so that the cut-off path is walked too. */
const gemini = createGeminiCliReader(4000);

/** A real file, damaged: a slice of it, lines cut, noise spliced in, lines dropped or repeated. */
function damaged(lines: string[], extra: fc.Arbitrary<string>): fc.Arbitrary<string[]> {
  const line = fc.oneof(fc.constantFrom(...lines), extra, fc.string());
  const cut = fc.tuple(fc.constantFrom(...lines), fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1)));
  const noisy = fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.string()).map(([l, n, s]) => l.slice(0, n % (l.length + 1)) + s + l.slice(n % (l.length + 1)));
  const slice = fc.tuple(fc.nat(lines.length), fc.nat(60)).map(([from, length]) => lines.slice(from, from + length));
  const mixed = fc.array(fc.oneof(line, cut, noisy), { maxLength: 40 });
  return fc.oneof(slice, mixed, fc.tuple(slice, mixed, slice).map(([a, b, c]) => [...a, ...b, ...c]));
}

/** Never throws; warnings name the file; sessions have turns; output bounded by the input's size. */
async function expectWellBehaved(reader: SessionReader, lines: string[]): Promise<void> {
  const { sessions, warnings } = await readAll(reader, sourceOfLines(lines, 'logs/fuzz.log'));
  const chars = lines.reduce((n, l) => n + l.length + 1, 0);
  for (const w of warnings) expect(w.file).toBe('logs/fuzz.log');
  expect(warnings.length).toBeLessThanOrEqual(21);
  for (const s of sessions) {
    expect(s.turns.length).toBeGreaterThan(0);
    expect(s.turns.map((t) => t.index)).toEqual([...s.turns.keys()]);
  }
  expect(sessions.length).toBeLessThanOrEqual(lines.length + 1);
  expect(JSON.stringify(sessions).length).toBeLessThanOrEqual(64 * chars + 4096);
}

const geminiRecords = fc.oneof(
  fc.constantFrom(
    '{"sessionId":"s","projectHash":"h","startTime":"2026-01-01T00:00:00Z"}',
    '{"id":"u","type":"user","content":"hi"}',
    '{"id":"g","type":"gemini","content":"","toolCalls":[{"id":"c","name":"run_shell_command","args":{"command":"ls"},"status":"error","result":[]}]}',
    '{"$rewindTo":"u"}',
    '{"$set":{"messages":[{"id":"m","type":"info","content":"x"}]}}',
  ),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ id: fc.string(), type: fc.constantFrom('user', 'gemini', 'info', 'error', 'x'), content: fc.jsonValue(), toolCalls: fc.jsonValue() }).map((r) => JSON.stringify(r)),
);
const copilotEvent = (type: string, data: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ type, data, id: 'e', timestamp: '2026-06-25T01:50:34.000Z', parentId: null, ...extra });
const copilotRecords = fc.oneof(
  fc.constantFrom(
    copilotEvent('session.start', { sessionId: 's', version: 1, producer: 'copilot-agent', startTime: '2026-06-25T01:50:34.000Z', context: { cwd: '/w' } }),
    copilotEvent('user.message', { content: 'hi', attachments: [{ type: 'file', path: '/w/a.ts' }] }),
    copilotEvent('assistant.message', { content: '', toolRequests: [{ toolCallId: 't', name: 'bash', arguments: { command: 'ls' } }] }),
    copilotEvent('tool.execution_start', { toolCallId: 'u', toolName: 'bash', arguments: 'ls -la' }),
    copilotEvent('tool.execution_complete', { toolCallId: 't', success: false, error: { message: 'no', code: 'failure' } }),
    copilotEvent('tool.execution_complete', { toolCallId: 't', success: true, result: { content: 'x\n<shellId: 1 completed with exit code 2>' } }),
    copilotEvent('permission.completed', { toolCallId: 't', result: { kind: 'denied-interactively-by-user' } }),
    copilotEvent('abort', { reason: 'user_initiated' }),
    copilotEvent('session.snapshot_rewind', { upToEventId: 'e' }),
    copilotEvent('session.error', { errorType: 'quota', message: 'over' }),
    copilotEvent('session.shutdown', { shutdownType: 'error' }),
    copilotEvent('user.message', { content: 'sub' }, { agentId: 'a1' }),
  ),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({ type: fc.constantFrom('session.start', 'user.message', 'assistant.message', 'tool.execution_start', 'tool.execution_complete', 'abort', 'session.snapshot_rewind', 'x.y'), data: fc.jsonValue(), id: fc.string(), agentId: fc.jsonValue() })
    .map((r) => JSON.stringify({ ...r, timestamp: '2026-06-25T01:50:34.000Z', parentId: null })),
);
const aiderLinesExtra = fc.constantFrom(
  '# aider chat started at 2024-08-05 19:33:02',
  '#### hi  ',
  '#### /test pytest  ',
  '#### !ls  ',
  '> Running ls  ',
  "> Run shell commands? (Y)es/(N)o/(D)on't ask again [Yes]: n  ",
  '> Add the output to the chat?',
  '(y/n/instructions) it fails  ',
  '> Added 3 lines of output to the chat.  ',
  '> Applied edit to x.py  ',
  '> The LLM did not conform to the edit format.  ',
  '> no break',
  'plain  ',
  '',
  '```',
);
const specstoryExtra = fc.constantFrom(
  '_**User**_',
  '_**Agent - sidechain (m 2025-01-01 00:00Z)**_',
  '_**Assistant**_',
  '---',
  '```bash',
  '````',
  '```',
  '<tool-use data-tool-type="shell" data-tool-name="Bash"><details>',
  '</details></tool-use>',
  'Tool use: **run_terminal_cmd**',
  '<details>',
  '</details>',
  '<summary>Tool use: **x** • Run command: ls</summary>',
  '<think><details><summary>Thought Process</summary>',
  '</details></think>',
  '<!-- Cursor IDE Session a (2025-01-01 00:00Z) -->',
  'Exit code 1',
  '&lt;&#96;&#x1F600;&#99999999;',
);

describe('gemini-cli, copilot-cli, aider and specstory readers never throw on damaged input', () => {
  it('gemini-cli: a damaged document', async () => {
    await fc.assert(fc.asyncProperty(damaged(geminiLines, fc.constant('    {')), (lines) => expectWellBehaved(gemini, lines)), { numRuns: 200 });
  });

  it('gemini-cli: random and damaged JSON Lines', async () => {
    await fc.assert(fc.asyncProperty(fc.array(geminiRecords, { maxLength: 30 }), (lines) => expectWellBehaved(gemini, lines)), { numRuns: 200 });
  });

  it('copilot-cli: a damaged event log', async () => {
    await fc.assert(fc.asyncProperty(damaged(copilotLines, copilotRecords), (lines) => expectWellBehaved(copilotCliReader, lines)), { numRuns: 200 });
  });

  it('copilot-cli: random events', async () => {
    await fc.assert(fc.asyncProperty(fc.array(copilotRecords, { maxLength: 30 }), (lines) => expectWellBehaved(copilotCliReader, lines)), { numRuns: 200 });
  });

  it('aider: a damaged history', async () => {
    await fc.assert(fc.asyncProperty(damaged(aiderLines, aiderLinesExtra), (lines) => expectWellBehaved(aiderReader, lines)), { numRuns: 200 });
  });

  it('specstory: a damaged export', async () => {
    await fc.assert(fc.asyncProperty(damaged(specstoryLines, specstoryExtra), (lines) => expectWellBehaved(specstoryReader, lines)), { numRuns: 200 });
  });

  it('all four: arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'binary' }), { maxLength: 30 }), async (lines) => {
        for (const reader of [gemini, copilotCliReader, aiderReader, specstoryReader]) await expectWellBehaved(reader, lines);
      }),
      { numRuns: 150 },
    );
  });
});
