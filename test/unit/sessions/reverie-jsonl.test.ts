import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reverieJsonlReader } from '../../../src/sessions/readers/reverie-jsonl.js';
import { FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const EXAMPLE = join(FIXTURES, 'reverie/deploy-bot/2025-06-01.jsonl');
const HEADER = '{"reverie":"session/v1"}';

describe('reverie reader', () => {
  it('reads the documented example: two sessions, turns, tool traffic, outcomes, redaction', async () => {
    const { sessions, warnings } = await readAll(reverieJsonlReader, sourceOf(EXAMPLE, 'sessions/deploy-bot/2025-06-01.jsonl'));
    expect(warnings).toEqual([]);
    expect(sessions.map((s) => [s.id, s.agent, s.turns.length])).toEqual([
      ['2025-06-01-a', 'deploy-bot', 6],
      ['2025-06-01-b', 'deploy-bot', 4],
    ]);
    const [a, b] = sessions;
    expect(a?.turns.map((t) => [t.role, t.text, t.toolCalls.map((c) => c.id), t.toolResults.map((r) => `${r.toolCallId}${r.isError ? '!' : ''}`)])).toEqual([
      ['user', 'Deploy the staging branch.', [], []],
      ['assistant', 'Running the deploy script.', ['c1'], []],
      ['user', '', [], ['c1!']],
      ['assistant', '', ['c2'], []],
      ['user', '', [], ['c2']],
      ['assistant', 'Deployed. pnpm had to be enabled with corepack first.', [], []],
    ]);
    expect(a?.turns[1]?.toolCalls[0]?.input).toEqual({ command: './deploy.sh staging' });
    expect(a?.outcome).toEqual({ status: 'success', inferred: false, reason: 'staging deployed' });
    expect(a?.startedAt).toBe('2025-06-01T09:00:00Z');
    expect(a?.endedAt).toBe('2025-06-01T09:02:10Z');
    expect(b?.turns[0]?.text).toBe('Roll back production, DB_PASSWORD=[REDACTED:secret-assignment] is in the env.');
    expect(b?.outcome).toMatchObject({ status: 'failure', inferred: true });
    expect(b?.outcome.reason).toMatch(/^the last Bash call failed: permission denied/);
  });

  it('uses the file path as the id of a file without session fields, and the folder as the agent', async () => {
    const { sessions } = await readAll(
      reverieJsonlReader,
      sourceOfLines([HEADER, '{"role":"user","text":"hi"}', '{"role":"assistant","text":"hello"}'], 'logs/helper/run-1.jsonl'),
    );
    expect(sessions.map((s) => [s.id, s.agent])).toEqual([['logs/helper/run-1', 'helper']]);
  });

  it('prefers the configured agent over the log, and the log over the folder', async () => {
    const lines = [HEADER, '{"role":"user","text":"hi","agent":"from-log"}'];
    const configured = { ...sourceOfLines(lines, 'x/folder/a.jsonl'), agent: 'from-config' };
    expect((await readAll(reverieJsonlReader, configured)).sessions[0]?.agent).toBe('from-config');
    expect((await readAll(reverieJsonlReader, sourceOfLines(lines, 'x/folder/a.jsonl'))).sessions[0]?.agent).toBe('from-log');
  });

  it('carries synthetic, sidechain and rejected flags', async () => {
    const { sessions } = await readAll(
      reverieJsonlReader,
      sourceOfLines([
        HEADER,
        '{"role":"user","text":"/deploy","synthetic":true}',
        '{"role":"assistant","text":"sub","sidechain":true}',
        '{"type":"tool_call","id":"c","name":"Bash"}',
        '{"type":"tool_result","call":"c","rejected":true,"text":"no"}',
      ]),
    );
    const [s] = sessions;
    expect(s?.turns[0]?.synthetic).toBe(true);
    expect(s?.turns[1]?.sidechain).toBe(true);
    expect(s?.turns[2]?.toolResults[0]).toEqual({ toolCallId: 'c', isError: true, rejected: true, text: 'no' });
    expect(s?.turns[1]?.toolCalls[0]?.input).toEqual({});
  });

  it('warns about invalid records with their line numbers, skips unknown types silently', async () => {
    const { sessions, warnings } = await readAll(
      reverieJsonlReader,
      sourceOfLines([
        HEADER,
        '{"role":"robot","text":"x"}',
        '{"type":"tool_call","name":"Bash"}',
        '{"type":"tool_result"}',
        '{"type":"outcome","status":"great"}',
        '{"type":"future_thing","x":1}',
        '{"role":"user"}',
        '[1,2]',
        '{"role":"user","text":"ok"}',
      ]),
    );
    expect(warnings.map((w) => w.line)).toEqual([2, 3, 4, 5, 7, 8]);
    expect(warnings[0]?.message).toMatch(/role/);
    expect(sessions[0]?.turns.map((t) => t.text)).toEqual(['ok']);
  });

  it('warns about an unknown version but reads on', async () => {
    const { sessions, warnings } = await readAll(reverieJsonlReader, sourceOfLines(['{"reverie":"session/v9"}', '{"role":"user","text":"hi"}']));
    expect(warnings).toEqual([{ file: 'memory/agent/log.jsonl', line: 1, message: 'unsupported version "session/v9"; read as session/v1' }]);
    expect(sessions).toHaveLength(1);
  });

  it('detects only its header', () => {
    expect(reverieJsonlReader.detect([HEADER], 'x')).toBe(true);
    expect(reverieJsonlReader.detect(['{"reverie":"other"}'], 'x')).toBe(false);
    expect(reverieJsonlReader.detect(['{"role":"user","text":"hi"}', HEADER], 'x')).toBe(false);
  });
});
