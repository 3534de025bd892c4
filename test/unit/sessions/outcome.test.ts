import { describe, expect, it } from 'vitest';
import { inferOutcome } from '../../../src/sessions/outcome.js';
import type { Turn } from '../../../src/sessions/types.js';

let index = 0;
const turn = (fields: Partial<Turn> & Pick<Turn, 'role'>): Turn => ({ index: index++, text: '', toolCalls: [], toolResults: [], ...fields });
const ask = (text: string, extra: Partial<Turn> = {}) => turn({ role: 'user', text, ...extra });
const say = (text: string, calls: [string, string][] = []) => turn({ role: 'assistant', text, toolCalls: calls.map(([id, name]) => ({ id, name, input: {} })) });
const result = (id: string, isError = false, text = 'ok', rejected = false) =>
  turn({ role: 'user', toolResults: [{ toolCallId: id, isError, text, ...(rejected ? { rejected } : {}) }] });

describe('inferOutcome', () => {
  it('success: the assistant has the last word after successful tool calls', () => {
    expect(inferOutcome([ask('fix it'), say('on it', [['1', 'Bash']]), result('1'), say('Fixed.')])).toMatchObject({ status: 'success', inferred: true });
  });

  it('failure: the last real tool result is an error, even when bookkeeping follows', () => {
    const turns = [ask('fix it'), say('', [['1', 'Bash']]), result('1', true, 'exit 1\nmore'), say('', [['2', 'TodoWrite']]), result('2'), say('Done?')];
    expect(inferOutcome(turns)).toEqual({ status: 'failure', inferred: true, reason: 'the last Bash call failed: exit 1' });
  });

  it('a later success recovers an earlier error', () => {
    const turns = [ask('x'), say('', [['1', 'Edit']]), result('1', true), say('', [['2', 'Read']]), result('2'), say('ok')];
    expect(inferOutcome(turns).status).toBe('success');
  });

  it('failure: the session ends on a rejected call', () => {
    expect(inferOutcome([ask('x'), say('', [['1', 'Bash']]), result('1', true, 'The user doesn’t want…', true)]).reason).toBe('the user rejected the last Bash call');
  });

  it('failure: the person says it does not work after the agent worked', () => {
    for (const text of ["it doesn't work", 'Still not working.', 'the tests are failing again', 'same error as before']) {
      const outcome = inferOutcome([ask('add a button'), say('', [['1', 'Edit']]), result('1'), say('Added.'), ask(text)]);
      expect(outcome, text).toMatchObject({ status: 'failure', inferred: true });
      expect(outcome.reason).toContain(text);
    }
  });

  it('a complaint in the first message is the task, not a verdict', () => {
    expect(inferOutcome([ask("the login doesn't work, fix it")]).status).toBe('unknown');
  });

  it('ignores sub-agents and synthetic text', () => {
    const turns = [
      ask('go'),
      say('', [['1', 'Task']]),
      turn({ role: 'assistant', sidechain: true, toolCalls: [{ id: 's', name: 'Bash', input: {} }] }),
      turn({ role: 'user', sidechain: true, toolResults: [{ toolCallId: 's', isError: true, text: 'boom' }] }),
      result('1'),
      say('All done.'),
      ask('[Request interrupted by user]', { synthetic: true }),
    ];
    expect(inferOutcome(turns)).toEqual({ status: 'unknown', inferred: true, reason: 'interrupted by the user' });
    expect(inferOutcome(turns.slice(0, -1)).status).toBe('success');
  });

  it('unknown: no tools, or no final reply', () => {
    expect(inferOutcome([ask('hi'), say('hello')]).status).toBe('unknown');
    expect(inferOutcome([ask('x'), say('', [['1', 'Bash']])]).status).toBe('unknown');
    expect(inferOutcome([])).toEqual({ status: 'unknown', inferred: true });
  });
});
