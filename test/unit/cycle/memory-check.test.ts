import { describe, expect, it } from 'vitest';
import { approvalTestsLines, heldWhenMade, recheckLine, testsAtApproval } from '../../../src/cycle/memory-check.js';
import type { CycleRecord } from '../../../src/dream/state.js';
import type { MemoryCheck } from '../../../src/memory-tests/compare.js';

const HOLD = 'it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)';

function check(fixed: number, broken: number, holds: string[], stillFailing = 0): MemoryCheck {
  return { cases: [], fixed, broken, stillFailing, passing: 0, costs: [], holds };
}

function record(extra: Partial<CycleRecord> = {}): CycleRecord {
  return {
    cycle: '20261201-030000',
    branch: 'reverie/dream-20261201-030000',
    base: 'a'.repeat(40),
    engine: 'heuristic',
    mode: 'auto',
    created: '2026-12-01T03:00:00.000Z',
    stats: { sessions: 2, new_sessions: 2, patterns: 1, noise: 0, entries: 3, tokens_before: 40, tokens_after: 42, warnings: 0 },
    actions: [],
    dropped: [],
    ...extra,
  };
}

describe('what a revision does to the memory tests', () => {
  it('says nothing when the counts and holds are as they were, or there were never tests', () => {
    expect(recheckLine(record(), record())).toBeUndefined();
    const same = record({ memory_tests: check(2, 1, [HOLD]) });
    expect(recheckLine(same, record({ memory_tests: check(2, 1, [HOLD]), held_by_tests: [HOLD] }))).toBeUndefined();
  });

  it('says the hold is gone when a drop took away the only broken case, and names a hold a keep brings back', () => {
    const held = record({ memory_tests: check(2, 1, [HOLD]) });
    const released = record({ memory_tests: check(2, 0, []), held_by_tests: [HOLD] });
    expect(recheckLine(held, released)).toBe('memory tests with the actions left: 2 fixed, 0 broken, 0 still failing; nothing holds the cycle back any more');
    expect(recheckLine(released, held)).toBe(`memory tests with the actions left: 2 fixed, 1 broken, 0 still failing; not merged without a person: ${HOLD}`);
    expect(recheckLine(held, record({ held_by_tests: [HOLD] }))).toBe('memory tests with the actions left: no action left to test; nothing holds the cycle back any more');
  });

  it('keeps what held the cycle as it was made through later revisions', () => {
    expect(heldWhenMade(record({ memory_tests: check(2, 1, [HOLD]) }))).toEqual([HOLD]);
    expect(heldWhenMade(record({ memory_tests: check(2, 0, []), held_by_tests: [HOLD] }))).toEqual([HOLD]);
    expect(heldWhenMade(record())).toEqual([]);
  });
});

describe('what approve says of the memory tests', () => {
  it('says nothing of a cycle without tests, or one they never held', () => {
    expect(approvalTestsLines(testsAtApproval(record(), []))).toEqual([]);
    expect(approvalTestsLines(testsAtApproval(record({ memory_tests: check(1, 0, []) }), []))).toEqual([]);
  });

  it('says a review took the only hold away, naming the actions left out', () => {
    const tests = testsAtApproval(record({ memory_tests: check(2, 0, []), held_by_tests: [HOLD] }), ['d7d66fb1']);
    expect(approvalTestsLines(tests)).toEqual([
      `memory tests: nothing holds this cycle back any more: it was held because ${HOLD}; without the action left out (d7d66fb1) it breaks no case and takes no target over a limit`,
    ]);
  });

  it('says what a person approves over, and which of two holds went', () => {
    const over = 'it takes namespace notes to 70 tokens, over its limit of 60 (budget_tokens of namespace notes)';
    expect(approvalTestsLines(testsAtApproval(record({ memory_tests: check(0, 1, [HOLD]) }), []))).toEqual([`memory tests: approved by a person over what they hold against it: ${HOLD}`]);
    const partly = testsAtApproval(record({ memory_tests: check(1, 0, [over]), held_by_tests: [HOLD, over] }), ['a1', 'b2']);
    expect(approvalTestsLines(partly)).toEqual([`memory tests: without the actions left out (a1, b2) this no longer holds: ${HOLD}`, `memory tests: approved by a person over what they hold against it: ${over}`]);
  });
});
