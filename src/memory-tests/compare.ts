/**
 * What a change does to the memory, as its tests and its cost say: the same cases answered from the memory before
 * and after, case by case (fixed, broken, still failing), and what each target agent loads before and after against
 * its limits. Pure: two snapshots and the cases in, a report out; `reverie check`, a cycle's approval, its pull
 * request and the Action's summary all read this one report.
 */
import { contextCosts, costOverrun, type AgentLoad, type ContextCost } from '../memory/context-cost.js';
import type { Harness } from '../memory/harness.js';
import type { MemorySnapshot } from '../memory/types.js';
import type { MemoryTestCase } from './cases.js';
import { caseLocation } from './report.js';
import { answerCases, type CaseResult } from './reader.js';

/** fail → pass, pass → fail, fail → fail, pass → pass. */
export type CaseChange = 'fixed' | 'broken' | 'still failing' | 'passing';

export interface ComparedCase {
  id: string;
  name: string;
  file: string;
  line: number;
  /** For a case from a session: the turn that showed the lesson (see MemoryTestCase). */
  turn?: number;
  change: CaseChange;
  /** The answer from the memory after the change: what a reviewer reads to see why it fails. */
  after: Pick<CaseResult, 'missing' | 'forbidden'>;
}

export interface MemoryCheck {
  cases: ComparedCase[];
  fixed: number;
  broken: number;
  stillFailing: number;
  passing: number;
  costs: ContextCost[];
  /** Why the change should wait for a person: each broken case, each limit it takes a target over. Empty: none. */
  holds: string[];
}

/**
 * The cases answered before and after the change. The cases are the change's own (a case the change adds is
 * answered from the memory before it too, so a change that adds a fix and its case shows it as fixed). `known`: an
 * earlier check of the same memory before, whose answers there are taken as they are.
 */
export function checkMemory(
  before: MemorySnapshot,
  after: MemorySnapshot,
  cases: readonly MemoryTestCase[],
  harness: Harness,
  options: { agents?: readonly AgentLoad[]; known?: MemoryCheck } = {},
): MemoryCheck {
  const answeredBefore = passedBefore(options.known, cases) ?? new Map(answerCases(before, cases).cases.map((r) => [r.id, r.passed]));
  const turns = new Map(cases.flatMap((c) => (c.turn !== undefined ? [[c.id, c.turn] as const] : [])));
  const compared = answerCases(after, cases).cases.map((now): ComparedCase => {
    const was = answeredBefore.get(now.id) ?? false;
    const change: CaseChange = was ? (now.passed ? 'passing' : 'broken') : now.passed ? 'fixed' : 'still failing';
    const turn = turns.get(now.id);
    return { id: now.id, name: now.name, file: now.file, line: now.line, ...(turn !== undefined ? { turn } : {}), change, after: { missing: now.missing, forbidden: now.forbidden } };
  });
  const costs = contextCosts(before, after, harness, options.agents);
  const count = (change: CaseChange) => compared.filter((c) => c.change === change).length;
  return {
    cases: compared,
    fixed: count('fixed'),
    broken: count('broken'),
    stillFailing: count('still failing'),
    passing: count('passing'),
    costs,
    holds: holdReasons(compared, costs),
  };
}

/**
 * Whether each case passed before the change, read from an earlier check of the same `before` with the same cases
 * (a cycle revised on its base): the memory before is not answered again. Undefined when that check lacks a case.
 */
function passedBefore(known: MemoryCheck | undefined, cases: readonly MemoryTestCase[]): Map<string, boolean> | undefined {
  if (!known) return undefined;
  const passed = new Map(known.cases.map((c) => [c.id, c.change === 'broken' || c.change === 'passing']));
  return cases.every((c) => passed.has(c.id)) ? passed : undefined;
}

function holdReasons(cases: readonly ComparedCase[], costs: readonly ContextCost[]): string[] {
  const broken = cases.filter((c) => c.change === 'broken').map(brokenHold);
  const over = costs.flatMap((cost) =>
    costOverrun(cost).map((limit) => `it takes ${cost.target} to ${cost.after[limit]} ${limit}, over its limit of ${cost.limits[limit]}${cost.limitSource ? ` (${cost.limitSource})` : ''}`),
  );
  return [...broken, ...over];
}

/** The hold a broken case puts on a change, as `holds` words it. */
export function brokenHold(c: Pick<ComparedCase, 'name' | 'file' | 'line' | 'turn'>): string {
  return `it breaks memory test "${c.name}" (${caseLocation(c)})`;
}

