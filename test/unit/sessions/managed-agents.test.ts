import { describe, expect, it } from 'vitest';
import { managedAgentsReader } from '../../../src/sessions/readers/managed-agents.js';
import { readAll, sourceOfLines } from './helpers.js';

const SESSION = JSON.stringify({ type: 'session', id: 'sesn_01abc', agent: { type: 'agent', name: 'builder' }, status: 'idle', created_at: '2026-12-01T09:00:00Z' });
const at = (s: number) => `2026-12-01T09:00:${String(s).padStart(2, '0')}Z`;
const line = (value: Record<string, unknown>) => JSON.stringify(value);

describe('managed-agents reader', () => {
  it('detects a saved session, or its events alone, and nothing else', () => {
    expect(managedAgentsReader.detect([SESSION], 'x.jsonl')).toBe(true);
    expect(managedAgentsReader.detect([line({ type: 'user.message', id: 'sevt_01', processed_at: at(1), content: [] })], 'x.jsonl')).toBe(true);
    expect(managedAgentsReader.detect([line({ type: 'user', sessionId: 'abc', message: {} })], 'x.jsonl')).toBe(false);
    expect(managedAgentsReader.detect([line({ type: 'session', id: 'abc' })], 'x.jsonl')).toBe(false);
  });

  it('reads messages and tool traffic into turns, joined by the tool use’s event id, redacted', async () => {
    const lines = [
      SESSION,
      line({ type: 'user.message', id: 'sevt_01', processed_at: at(1), content: [{ type: 'text', text: 'Build it. password=hunter2hunter2' }] }),
      line({ type: 'agent.thinking', id: 'sevt_02', processed_at: at(2) }),
      line({ type: 'agent.tool_use', id: 'sevt_03', processed_at: at(3), name: 'bash', input: { command: 'pnpm build' } }),
      line({ type: 'agent.tool_result', id: 'sevt_04', processed_at: at(4), tool_use_id: 'sevt_03', is_error: true, content: [{ type: 'text', text: 'no lockfile' }] }),
      line({ type: 'agent.mcp_tool_use', id: 'sevt_05', processed_at: at(5), mcp_server_name: 'github', name: 'open_issue', input: { title: 't' } }),
      line({ type: 'agent.mcp_tool_result', id: 'sevt_06', processed_at: at(6), mcp_tool_use_id: 'sevt_05', content: [{ type: 'text', text: 'ok' }] }),
      'not json',
      line({ type: 'agent.message', id: 'sevt_07', processed_at: at(7), content: [{ type: 'text', text: 'Run pnpm install first.' }] }),
      line({ type: 'session.status_idle', id: 'sevt_08', processed_at: at(8), stop_reason: { type: 'end_turn' } }),
    ];
    const { sessions, warnings } = await readAll(managedAgentsReader, sourceOfLines(lines, 'sessions/managed-agents/builder/sesn_01abc.jsonl'));
    expect(warnings.map((w) => w.line)).toEqual([8]);
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session).toMatchObject({ id: 'sesn_01abc', agent: 'builder', startedAt: at(1), endedAt: at(7) });
    expect(session?.turns.map((t) => [t.role, t.text, t.toolCalls.map((c) => `${c.id}:${c.name}`), t.toolResults.map((r) => `${r.toolCallId}${r.isError ? '!' : ''}`)])).toEqual([
      ['user', 'Build it. password=[REDACTED:secret-assignment]', [], []],
      ['assistant', '', ['sevt_03:bash'], []],
      ['user', '', [], ['sevt_03!']],
      ['assistant', '', ['sevt_05:github.open_issue'], []],
      ['user', '', [], ['sevt_05']],
      ['assistant', 'Run pnpm install first.', [], []],
    ]);
  });

  it('says a session that stopped on a terminal error failed', async () => {
    const lines = [
      SESSION,
      line({ type: 'user.message', id: 'sevt_01', processed_at: at(1), content: [{ type: 'text', text: 'Deploy.' }] }),
      line({ type: 'agent.message', id: 'sevt_02', processed_at: at(2), content: [{ type: 'text', text: 'Deploying.' }] }),
      line({ type: 'session.error', id: 'sevt_03', processed_at: at(3), error: { type: 'model_overloaded_error', message: 'overloaded', retry_status: { type: 'terminal' } } }),
    ];
    const { sessions } = await readAll(managedAgentsReader, sourceOfLines(lines));
    expect(sessions[0]?.outcome).toEqual({ status: 'failure', inferred: false, reason: 'the session stopped on an error: overloaded' });
  });
});
