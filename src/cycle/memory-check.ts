/**
 * The memory tests of a cycle, before it is written: the cases at main answered from main's memory and from the
 * memory as the cycle's actions leave it, and what each target agent would load. A cycle that breaks a case or takes
 * a target over a limit waits for a person in auto mode; in review mode the report heads its pull request. When a
 * review takes actions out (a drop, `approve --except`), the report is made again for the actions that remain.
 */
import type { CycleRecord } from '../dream/state.js';
import type { Action } from '../dream/types.js';
import { buildSnapshot } from '../memory/index.js';
import type { MemorySnapshot } from '../memory/types.js';
import type { MemoryCheck } from '../memory-tests/compare.js';
import { testCasesAt } from '../memory-tests/run.js';
import type { MemoryTestCase } from '../memory-tests/cases.js';
import { previewBuild } from './build.js';
import { readBase, type RepoContext } from './context.js';

/**
 * The check of a cycle on `base`: the cases of the test files at `base` and those its held-out sessions gave
 * (`fromSessions`), and the cost of each target. Undefined when there are no cases and no `agents:` to measure, so
 * such a cycle runs exactly as before. `memory`: the memory at `base`, when the caller has it already; `known`: an
 * earlier check on `base` (compare.ts).
 */
export async function cycleMemoryCheck(
  context: RepoContext,
  base: string,
  memory: MemorySnapshot | undefined,
  actions: Action[],
  options: { fromSessions?: readonly MemoryTestCase[]; known?: MemoryCheck } = {},
): Promise<MemoryCheck | undefined> {
  const { repo, config } = context;
  const tests = await testCasesAt(repo, base);
  const fromSessions = options.fromSessions ?? [];
  if (tests.files.length === 0 && fromSessions.length === 0 && config.agents.length === 0) return undefined;
  const before = memory ?? (await readBase(context, base, { provenance: false })).memory;
  // The same replay the cycle's commits are written from: what is measured is what would land.
  const replay = await previewBuild(repo, { parent: base, actions, memoryRoot: config.memory.root });
  const files = new Map(before.files.map((f) => [f.path, f.document.text]));
  for (const { changes } of replay.applied) for (const [path, text] of changes) files.set(path, text);
  const after = buildSnapshot([...files].map(([path, text]) => ({ path, text })), config.memory.root, config.memory.namespaces);
  // The reader and its search index are loaded when there is something to answer: most repositories have no tests.
  const { checkMemory } = await import('../memory-tests/compare.js');
  return checkMemory(before, after, [...tests.cases, ...fromSessions], config.lint.harness, { agents: config.agents, ...(options.known ? { known: options.known } : {}) });
}

/**
 * The record with its memory tests made again for the actions a review left it (`check`, on the commit those
 * actions now go on). What held the cycle back as it was made stays, in `held_by_tests`, so that approving it can
 * say that a drop took the hold away. Without actions left there is nothing to measure: no report.
 */
export async function recheckRecord(context: RepoContext, record: CycleRecord, base: string, actions: Action[]): Promise<CycleRecord> {
  // On the cycle's own base the memory before is what the record's check answered already.
  const known = base === record.base ? record.memory_tests : undefined;
  // The cases the cycle's held-out sessions gave are in its record: a drop does not make them go away.
  const check = actions.length > 0 ? await cycleMemoryCheck(context, base, undefined, actions, { fromSessions: record.session_cases ?? [], ...(known ? { known } : {}) }) : undefined;
  const { memory_tests: _before, held_by_tests: _held, ...rest } = record;
  const held = heldWhenMade(record);
  return { ...rest, ...(check ? { memory_tests: check } : {}), ...(held.length > 0 ? { held_by_tests: held } : {}) };
}

/** What the memory tests held against the cycle as it was made, before any review took actions out. */
export function heldWhenMade(record: CycleRecord): string[] {
  return record.held_by_tests ?? record.memory_tests?.holds ?? [];
}

/**
 * One line on what a revision did to the memory tests, or undefined when it changed nothing there: the counts for the
 * actions left, and whether anything still holds the cycle back.
 */
export function recheckLine(before: CycleRecord, after: CycleRecord): string | undefined {
  const was = before.memory_tests;
  const now = after.memory_tests;
  if (!was && !now) return undefined;
  if (was && now && was.fixed === now.fixed && was.broken === now.broken && was.stillFailing === now.stillFailing && sameList(was.holds, now.holds)) return undefined;
  const counts = now ? `${now.fixed} fixed, ${now.broken} broken, ${now.stillFailing} still failing` : 'no action left to test';
  const holds = now?.holds ?? [];
  const verdict = holds.length > 0 ? `; not merged without a person: ${holds.join('; ')}` : (was?.holds.length ?? 0) > 0 ? '; nothing holds the cycle back any more' : '';
  return `memory tests with the actions left: ${counts}${verdict}`;
}

/** What the memory tests say of a cycle being approved: what held it as it was made, what holds it still. */
export interface TestsAtApproval {
  held: string[];
  holds: string[];
  /** The actions left out by review and at approval: what took a hold away, when one went. */
  leftOut: string[];
}

export function testsAtApproval(record: CycleRecord, leftOut: readonly string[]): TestsAtApproval | undefined {
  if (!record.memory_tests && !record.held_by_tests) return undefined;
  return { held: heldWhenMade(record), holds: record.memory_tests?.holds ?? [], leftOut: [...leftOut] };
}

/** What `reverie approve` prints of the memory tests, or nothing when they never held the cycle back. */
export function approvalTestsLines(tests: TestsAtApproval | undefined): string[] {
  if (!tests) return [];
  const released = tests.held.filter((h) => !tests.holds.includes(h));
  const without = tests.leftOut.length > 0 ? `without the ${tests.leftOut.length === 1 ? 'action' : 'actions'} left out (${tests.leftOut.join(', ')})` : 'as it is now';
  const lines: string[] = [];
  if (released.length > 0 && tests.holds.length === 0) {
    lines.push(`memory tests: nothing holds this cycle back any more: it was held because ${released.join('; ')}; ${without} it breaks no case and takes no target over a limit`);
  } else if (released.length > 0) {
    lines.push(`memory tests: ${without} this no longer holds: ${released.join('; ')}`);
  }
  if (tests.holds.length > 0) lines.push(`memory tests: approved by a person over what they hold against it: ${tests.holds.join('; ')}`);
  return lines;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
