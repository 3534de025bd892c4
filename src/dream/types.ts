import type { MemorySnapshot } from '../memory/types.js';
import type { Session } from '../sessions/types.js';
import type { ObservedSession } from './extract/observation.js';
import type { ObservationSpool } from './extract/spool.js';

export type ActionType = 'add' | 'update' | 'merge' | 'resolve' | 'prune';
export const ACTION_TYPES: readonly ActionType[] = ['add', 'update', 'merge', 'resolve', 'prune'];

export type PatternKind = 'mistake' | 'preference' | 'workflow' | 'fact';

/** A short piece of a session that supports a pattern or an action. */
export interface Evidence {
  sessionId: string;
  agent: string;
  /** Redacted, trimmed to a short quote. */
  quote: string;
  turn?: number;
}

/** Something seen across sessions. `key` is stable across cycles so support can accumulate. */
export interface Pattern {
  key: string;
  kind: PatternKind;
  /** The memory line this pattern would become. */
  statement: string;
  /** Words that identify the pattern's subject, used to match it against memory entries. */
  terms: string[];
  evidence: Evidence[];
  support: { sessions: number; agents: number };
  /** Newest session time that supports it (ISO), used to favour recent evidence. */
  lastSeen?: string;
  /** For mistakes: the normalised error signature and the step that fixed it. */
  signature?: string;
  fix?: string;
  /** Things the pattern says not to do (e.g. `npm`), used to find entries it contradicts. */
  avoid?: string[];
  /** Things the pattern says to do (e.g. `pnpm`). */
  prefer?: string[];
  /** For mistakes: what the failure shows to be gone or wrong (`develop`, `--merge`, a missing target), and what replaced it. */
  dropped?: string[];
  added?: string[];
}

/** An entry an action touches, named exactly: an action no longer applies if the entry changed. */
export interface EntryRef {
  path: string;
  id: string;
  raw: string;
}

export interface Action {
  /** Short deterministic id (8 hex) within the cycle. */
  id: string;
  type: ActionType;
  /** Memory files the action writes. */
  paths: string[];
  /** One line, used as the commit subject's summary. */
  summary: string;
  rationale: string;
  evidence: Evidence[];
  /** Entries removed or rewritten by the action (update/merge/resolve/prune). */
  targets: EntryRef[];
  /** New entry text in Markdown (add/update/merge/resolve keep one entry with this text). */
  content?: string;
  /** For add: the file and heading under which the entry goes. */
  destination?: { path: string; section: string };
  /**
   * For a prune: the entry that still says what memory needs, which a reviewer reads beside what goes (the note that
   * already gives the fix, the protected rule that overrides it).
   */
  keeps?: EntryRef;
  /** Stable across cycles: what a rejection remembers so the action is not proposed again. */
  fingerprint: string;
  /** Pattern keys the action acts on, so that the cycle's state can mark them as written. */
  patterns: string[];
}

/** State kept in the memory repo under `.reverie/`, read at the start of a cycle. */
export interface DreamState {
  /** Sessions already reviewed: content hash → where and when. */
  processed: Record<string, { id: string; source: string; cycle: string }>;
  /** Observations accumulated across cycles, so support grows with no session cap. */
  patterns: Record<string, PatternRecord>;
  /** Fingerprints of rejected actions → why. */
  rejected: Record<string, { cycle: string; reason?: string; summary: string }>;
}

export interface PatternRecord {
  kind: PatternKind;
  statement: string;
  sessions: string[];
  agents: string[];
  quotes: Evidence[];
  lastSeen?: string;
  /** Cycle in which the pattern reached memory, if it did. */
  written?: string;
  signature?: string;
  fix?: string;
  /** For mistakes: each fix that worked, by its command (`git pull`), and in how many sessions; the line gives the most used. */
  fixes?: Record<string, FixRecord>;
  terms: string[];
  avoid?: string[];
  prefer?: string[];
  /** For mistakes: what the failure shows to be gone or wrong (`develop`, `--merge`, a missing target), and what replaced it. */
  dropped?: string[];
  added?: string[];
  /** How many sessions showed the change of arguments (what was dropped, what was added). */
  changes?: number;
  /** What the pattern is about in a few words, as a model named it (claude engine): lets later cycles name it alike. */
  topic?: string;
  /** Sessions in which a person asked for it to be remembered ("add this to CLAUDE.md"): signal in one. */
  requested?: string[];
}

/** One way a recurring mistake was fixed, as the line that would say it (its arguments kept only where sessions agree). */
export interface FixRecord {
  sessions: number;
  fix: string;
  statement: string;
  avoid?: string[];
  prefer?: string[];
}

export interface DroppedAction {
  action: Action;
  reason: string;
}

/**
 * What a reviewer should know that is no action: a namespace over its token budget (a cycle warns, it does not delete
 * what people wrote to fit), or two entries that disagree where no session says which is right (a question for the
 * owner; the files are not touched).
 */
export type Notice =
  | { kind: 'budget'; namespace: string; tokens: number; budget: number; message: string }
  | { kind: 'question'; entries: { path: string; line: number; text: string }[]; message: string };

export interface PlanStats {
  sessions: number;
  new_sessions: number;
  patterns: number;
  noise: number;
  /** Entries before the cycle. */
  entries: number;
  /** Entries after the cycle (absent in records of older cycles). */
  entries_after?: number;
  tokens_before: number;
  tokens_after: number;
}

export interface Plan {
  cycle: string;
  engine: string;
  actions: Action[];
  /** Patterns with enough support this cycle. */
  patterns: Pattern[];
  /** Patterns seen, but in fewer than `min_sessions` sessions. */
  noise: Pattern[];
  /** Actions an engine proposed that the guards refused (protected path, rejected before, ...). */
  dropped: DroppedAction[];
  /** Budget warnings and open questions for the reviewer. */
  notices: Notice[];
  stats: PlanStats;
  /** The state to record with the cycle. */
  state: DreamState;
  /** What an engine that calls a model spent and met on the way (absent for offline engines). */
  run?: EngineRun;
}

/** Tokens as the Messages API bills them: fresh input, output, prompt-cache writes and prompt-cache reads. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** What a dry run would cost, estimated before anything is spent. */
export interface CostEstimate {
  /** Sessions whose extraction would be paid for (the others are in the local cache). */
  sessions: number;
  requests: number;
  inputTokens: number;
  /** A guess: output cannot be counted before it is written. */
  outputTokens: number;
  costUsd: number | null;
  /** `count_tokens` when the API counted the prompts, `local` when they were estimated offline. */
  method: 'count_tokens' | 'local';
  batch: boolean;
  /** The same, phase by phase, with the cached prefix each phase's requests share. */
  phases: { map: PhaseEstimate; curate: PhaseEstimate };
  /** What `claude.budget` would cover of it; absent when no budget is set. */
  budget?: BudgetForecast;
}

/**
 * What a budget would cover of a cycle, forecast by reserving what the cycle would reserve (each request's prompt
 * and all of its max_tokens) and settling at what the estimate expects each request to cost.
 */
export interface BudgetForecast {
  /** The budget: `claude.budget.tokens`, `claude.budget.usd`. */
  tokens?: number;
  usd?: number;
  /** The phase whose request the budget would not cover; absent when it covers the whole cycle. */
  stops?: 'map' | 'curate';
  /** Map requests it would pay for, of the `mapRequests` the cycle would send. */
  mapCovered: number;
  mapRequests: number;
  /** Whether the curate request would be sent. */
  curate: boolean;
  /** About the budget that would cover the whole cycle, in the terms of the one set. */
  needed: { tokens?: number; usd?: number };
  /** The forecast in words, e.g. "the budget of $0.06 covers the map of about 14 of 20 sessions; curate would not run". */
  message: string;
}

/** What one phase of a dry run would send and cost. */
export interface PhaseEstimate {
  model: string;
  requests: number;
  inputTokens: number;
  /** A guess, like the whole estimate's. */
  outputTokens: number;
  costUsd: number | null;
  /** The prefix its requests share, which carries the cache breakpoint. */
  prefixTokens: number;
  /** The shortest prefix the model caches; null when reverie does not know the model. */
  cacheMinimum: number | null;
}

/** What one phase of a run spent. */
export interface PhaseRun {
  model: string;
  usage: TokenUsage;
  /** Null when the model's price is unknown. */
  costUsd: number | null;
  requests: number;
}

/** The audit trail of one engine run that called a model: enough to price it, repeat it and explain what it left out. */
/** A session the engine asked about and got no usable answer for, with the log it came from and why. */
export interface UnansweredSession {
  id: string;
  source: string;
  reason: string;
}

export interface EngineRun {
  /** The model that proposed the plan's actions (curate's); `phases` names each phase's. */
  model: string;
  /** Each phase's model and spending: map (extraction) and curate (the plan). */
  phases?: { map: PhaseRun; curate: PhaseRun };
  usage: TokenUsage;
  /** Dollars at the list prices the engine knows; null when the model's price is unknown. */
  costUsd: number | null;
  /** Requests sent (retries the SDK made on its own not counted). */
  requests: number;
  /** Sessions whose extraction came from the local cache, paid for by an earlier cycle. */
  cachedSessions: number;
  /** The Message Batch the extraction went through, when it did. */
  batch?: string;
  /** The Dreams API's dream the plan came from (the managed engine): its id, and the stores it read and wrote. */
  dream?: { id: string; status: string; sessions: number; inputStore: string; outputStore?: string };
  /** Outputs dropped after a retry, sessions left for a later cycle, and the like. */
  warnings: string[];
  /** Set when the engine stopped before its plan was complete (budget spent): none of the plan may be committed. */
  stopped?: string;
  /**
   * Sessions sent this cycle that got no usable answer (an API error, an answer off its schema or quoting nothing of
   * the session): not recorded as processed, so the next cycle sends them again. Each is a warning of the cycle.
   */
  unanswered?: UnansweredSession[];
  /** Set when most sessions got no usable answer: the cycle failed, and nothing of it may be committed. */
  failed?: string;
  /** Set by a dry run: what the cycle would cost. */
  estimate?: CostEstimate;
}

export interface PlanInput {
  cycle: string;
  /**
   * Sessions not yet processed (the new ones), whole or as extraction observed them (`observeSession`): a shell
   * reading many logs observes each as it is read and lets it go.
   */
  sessions: readonly (Session | ObservedSession)[] | ObservationSpool;
  /** Total sessions found, processed or not. */
  totalSessions: number;
  memory: MemorySnapshot;
  state: DreamState;
  options: DreamOptions;
}

/** The part of the configuration the pure core needs. */
export interface DreamOptions {
  minSessions: number;
  /** Where new entries go, relative to the repo root, e.g. `memory/notes.md`. */
  inbox: string;
  /** Newest time the cycle may consider (ISO); makes planning independent of the clock. */
  now: string;
  /** The share of the curated entries one cycle may remove (`approval.max_prune_ratio`); no limit when absent. */
  maxRemovedShare?: number;
  /** The most actions one cycle takes (`curate.max_actions`); no limit when absent. */
  maxActions?: number;
}

/** What turns sessions + memory into patterns and a plan. */
export interface Engine {
  name: string;
  plan(input: PlanInput): Promise<Plan>;
  /**
   * Reads what the engine needs of a session while the cycle streams the logs, so that the session can be let go.
   * Without it the cycle observes sessions as the offline extraction does (`observeSession`).
   */
  observe?(session: Session): ObservedSession;
}

export type { ObservedSession };
