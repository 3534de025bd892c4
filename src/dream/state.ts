import { effectKeys } from './curate/effects.js';
import type { MemoryCheck } from '../memory-tests/compare.js';
import type { MemoryTestCase } from '../memory-tests/cases.js';
import { stableJson, STATE_DIR } from './state-files.js';
import type { Action, DreamState, EngineRun, Notice, PhaseRun, Plan, PlanStats } from './types.js';

export { isProcessedFile, readState, stableJson, stateChanges, stateFiles, stateWrites, STATE_DIR } from './state-files.js';

export type CycleStatus = 'pending' | 'approved' | 'rejected';

/** The record of one cycle, kept in `.reverie/cycles/<cycle>.json`. */
export interface CycleRecord {
  cycle: string;
  branch: string;
  base: string;
  engine: string;
  mode: string;
  created: string;
  stats: PlanStats & { warnings: number };
  /** The actions in full (targets and content), so that a cycle can be replayed or approved in part later. */
  actions: RecordedAction[];
  dropped: { id: string; type: Action['type']; summary: string; reason: string }[];
  /** Budget warnings and open questions the cycle left for its reviewer. */
  notices?: Notice[];
  /** Made in auto mode to go to main in part: its safe actions (they come first) without review, the rest after it. */
  safe_part?: boolean;
  /** Set when a person decided on the cycle: rejected whole, or approved with some actions left out. */
  decision?: {
    status: Exclude<CycleStatus, 'pending'>;
    at: string;
    approved: string[];
    rejected: string[];
    reason?: string;
    /** The pull request whose closing without a merge was the rejection. */
    pull?: number;
  };
  /**
   * Actions a reviewer dropped while the cycle waited (a checkbox unticked on its pull request, a `/reverie drop`
   * comment): the branch was rebuilt without them, and they stay in `actions`, without a commit, so that they can be
   * brought back.
   */
  reviewer_drops?: ReviewerDrop[];
  /**
   * When a reviewer last dropped or kept actions and the branch was rebuilt: of two diverged versions of a waiting
   * branch (this clone's and GitHub's), the one revised later is the cycle as its review left it.
   */
  revised_at?: string;
  /** For an engine that called a model: which, and what it spent, so that a dream can be audited and re-run. */
  run?: RecordedRun;
  /**
   * The memory tests on main and on the cycle, and the context cost per target; absent without test files. Made again
   * for the actions that remain when a review takes some out (a drop, `approve --except`).
   */
  memory_tests?: MemoryCheck;
  /**
   * The cases the cycle's held-out sessions gave (`extract.hold_out`), as asked: a review that drops actions answers
   * them again with the test files' cases.
   */
  session_cases?: MemoryTestCase[];
  /** What the memory tests held against the cycle as it was made, kept once a review has made them again. */
  held_by_tests?: string[];
}

export interface ReviewerDrop {
  id: string;
  /** The reviewer's login on GitHub, or the name a command was given. */
  by: string;
  at: string;
  via: 'checkbox' | 'comment' | 'command';
  pull?: number;
}

/** An EngineRun as the cycle record keeps it (snake_case, like the rest of the record's JSON). */
export interface RecordedRun {
  /** The model that proposed the actions (curate's). */
  model: string;
  /** Each phase's model and spending, when the engine ran in phases. */
  phases?: { map: RecordedPhase; curate: RecordedPhase };
  usage: { input: number; output: number; cache_write: number; cache_read: number };
  /** Dollars at list prices; null when the model's price is unknown. */
  cost_usd: number | null;
  requests: number;
  cached_sessions: number;
  batch?: string;
  /** The dream the plan came from (the managed engine). */
  dream?: { id: string; status: string; sessions: number; input_store: string; output_store?: string };
  warnings: string[];
}

export interface RecordedPhase {
  model: string;
  usage: RecordedRun['usage'];
  cost_usd: number | null;
  requests: number;
}

function recordedPhase(phase: PhaseRun): RecordedPhase {
  const { input, output, cacheWrite, cacheRead } = phase.usage;
  return { model: phase.model, usage: { input, output, cache_write: cacheWrite, cache_read: cacheRead }, cost_usd: phase.costUsd, requests: phase.requests };
}

export function recordedRun(run: EngineRun): RecordedRun {
  const { input, output, cacheWrite, cacheRead } = run.usage;
  return {
    model: run.model,
    ...(run.phases ? { phases: { map: recordedPhase(run.phases.map), curate: recordedPhase(run.phases.curate) } } : {}),
    usage: { input, output, cache_write: cacheWrite, cache_read: cacheRead },
    cost_usd: run.costUsd,
    requests: run.requests,
    cached_sessions: run.cachedSessions,
    ...(run.batch ? { batch: run.batch } : {}),
    ...(run.dream ? { dream: { id: run.dream.id, status: run.dream.status, sessions: run.dream.sessions, input_store: run.dream.inputStore, ...(run.dream.outputStore ? { output_store: run.dream.outputStore } : {}) } } : {}),
    warnings: run.warnings,
  };
}

export interface RecordedAction extends Action {
  /** The commit that carries the action on the branch the record was written on. */
  commit?: string;
}

/**
 * Remembers a person's no to an action: by its fingerprint (the same action), and by its effects (the entry it
 * would have removed or rewritten, the text it would have added), so that no later cycle proposes the same change
 * under another action type. Returns the state it is given, changed.
 */
export function rememberRejected(state: DreamState, action: Action, cycle: string, reason?: string): DreamState {
  const record = { cycle, summary: action.summary, ...(reason ? { reason } : {}) };
  state.rejected[action.fingerprint] = record;
  for (const key of effectKeys(action)) state.rejected[key] ??= record;
  return state;
}

/**
 * Takes back a no that this cycle's reviewer said (an action dropped, then kept after all): only what the cycle itself
 * remembered goes, so an earlier cycle's rejection of the same change stays.
 */
export function forgetRejected(state: DreamState, action: Action, cycle: string): DreamState {
  for (const key of [action.fingerprint, ...effectKeys(action)]) if (state.rejected[key]?.cycle === cycle) delete state.rejected[key];
  return state;
}

export function cyclePath(cycle: string): string {
  return `${STATE_DIR}/cycles/${cycle}.json`;
}

/**
 * Two states that grew apart (main moved while a cycle ran): every part is a set that only grows,
 * so the union is the answer and the order of merging does not matter. Neither input changes; a record only one
 * of them holds is shared with the result rather than copied, as processed sessions and rejections are.
 */
export function mergeStates(a: DreamState, b: DreamState): DreamState {
  const patterns = { ...a.patterns };
  for (const [key, record] of Object.entries(b.patterns)) {
    const held = patterns[key];
    if (!held) {
      patterns[key] = record;
      continue;
    }
    if (held === record) continue;
    const mine = structuredClone(held);
    patterns[key] = mine;
    mine.sessions = union(mine.sessions, record.sessions);
    mine.agents = union(mine.agents, record.agents);
    if (record.requested?.length) mine.requested = union(mine.requested ?? [], record.requested);
    for (const q of record.quotes) if (mine.quotes.length < 6 && !mine.quotes.some((m) => m.sessionId === q.sessionId)) mine.quotes.push(q);
    if (record.lastSeen && (!mine.lastSeen || record.lastSeen > mine.lastSeen)) mine.lastSeen = record.lastSeen;
    mine.written ??= record.written;
    if (!mine.fix && record.fix) {
      mine.fix = record.fix;
      mine.statement = record.statement;
    }
    // Both sides counted from the same start: the larger count has seen every session the other has.
    for (const [head, theirs] of Object.entries(record.fixes ?? {})) {
      const fixes = (mine.fixes ??= {});
      if ((fixes[head]?.sessions ?? 0) < theirs.sessions) fixes[head] = structuredClone(theirs);
    }
  }
  return {
    processed: unionByEarliest(a.processed, b.processed),
    patterns,
    rejected: unionByEarliest(a.rejected, b.rejected),
  };
}

export function cycleRecord(
  plan: Plan,
  meta: { branch: string; base: string; mode: string; created: string; warnings: number; safePart?: boolean; memoryTests?: MemoryCheck; sessionCases?: MemoryTestCase[] },
): CycleRecord {
  // The record keeps actions whole: approving part of a cycle later replays them from here.
  return {
    cycle: plan.cycle,
    branch: meta.branch,
    base: meta.base,
    engine: plan.engine,
    mode: meta.mode,
    created: meta.created,
    stats: { ...plan.stats, warnings: meta.warnings },
    actions: plan.actions.map((a) => ({ ...a })),
    dropped: plan.dropped.map((d) => ({ id: d.action.id, type: d.action.type, summary: d.action.summary, reason: d.reason })),
    ...(plan.notices.length > 0 ? { notices: plan.notices } : {}),
    ...(plan.run ? { run: recordedRun(plan.run) } : {}),
    ...(meta.safePart ? { safe_part: true } : {}),
    ...(meta.memoryTests ? { memory_tests: meta.memoryTests } : {}),
    ...(meta.sessionCases?.length ? { session_cases: meta.sessionCases } : {}),
  };
}

export function parseCycleRecord(text: string): CycleRecord {
  return JSON.parse(text) as CycleRecord;
}

/**
 * Keys of both; where both hold a key, the record of the earlier cycle, so the result is the same either way round.
 * It may be `a` itself.
 */
function unionByEarliest<T extends { cycle: string }>(a: Record<string, T>, b: Record<string, T>): Record<string, T> {
  // `a` itself when `b` adds nothing to it: a cycle's state holds its parent's records, 10,000 sessions not copied.
  let result: Record<string, T> | undefined;
  for (const [key, value] of Object.entries(b)) {
    const mine = (result ?? a)[key];
    if (mine === value) continue;
    const earlier =
      !mine ||
      value.cycle < mine.cycle ||
      // Two states mostly share their records: compare whole records only when they are not plainly equal.
      (value.cycle === mine.cycle && !shallowEqual(value, mine) && stableJson(value) < stableJson(mine));
    if (earlier) (result ??= { ...a })[key] = value;
  }
  return result ?? a;
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
