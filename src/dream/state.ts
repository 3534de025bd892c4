import { effectKeys } from './curate/effects.js';
import type { MemoryCheck } from '../memory-tests/compare.js';
import type { MemoryTestCase } from '../memory-tests/cases.js';
import type { Action, DreamState, EngineRun, Notice, PhaseRun, Plan, PlanStats } from './types.js';

/** Folder, at the repository root, of what must survive between cycles. */
export const STATE_DIR = '.reverie';

/** The sessions processed, one file (or a few) per cycle. */
const PROCESSED_DIR = `${STATE_DIR}/processed/`;
/** The pattern records, in shards by key. */
const PATTERNS_DIR = `${STATE_DIR}/patterns/`;
/** Where an older reverie kept all processed sessions, and all patterns: read, and replaced on the next write. */
const LEGACY_PROCESSED = `${STATE_DIR}/processed.json`;
const LEGACY_PATTERNS = `${STATE_DIR}/patterns.json`;
const REJECTED = `${STATE_DIR}/rejected.json`;

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
 * Reads the state from the files of a commit (missing files mean a repository that never dreamed). Both layouts are
 * read: the files of one cycle each and of one shard each (`processed/`, `patterns/`), and the single files an
 * older reverie wrote (`processed.json`, `patterns.json`), which the next write of the state replaces.
 */
export function readState(files: ReadonlyMap<string, string>): DreamState {
  const processed: DreamState['processed'] = parse(files, LEGACY_PROCESSED);
  const patterns: DreamState['patterns'] = parse(files, LEGACY_PATTERNS);
  for (const [path, text] of files) {
    if (path.startsWith(PROCESSED_DIR)) readProcessedPart(path, text, processed);
    else if (path.startsWith(PATTERNS_DIR)) Object.assign(patterns, parseText<DreamState['patterns']>(text, path));
  }
  return { processed, patterns, rejected: parse(files, REJECTED) };
}

/**
 * The state as files: the sessions each cycle processed in files of that cycle (at most PART_SESSIONS lines each, by
 * hash), the patterns in SHARDS files by a hash of their key, the rejections in one. A cycle adds a file of its own
 * and changes the shards of the patterns it saw: what it writes grows with the cycle, not with the history.
 */
export function stateFiles(state: DreamState): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, text] of processedFiles(state.processed)) files.set(path, text);
  for (const [path, text] of patternFiles(state.patterns)) files.set(path, text);
  files.set(REJECTED, stableJson(state.rejected));
  return files;
}

/**
 * What writing `state` changes in a commit whose files are `before` (its state files at least): the files whose text
 * differs, and null for those to delete (the single files of the older layout, a part no longer there). A state read
 * from `before` and written unchanged changes nothing.
 */
export function stateChanges(state: DreamState, before: ReadonlyMap<string, string>): Map<string, string | null> {
  const changes = new Map<string, string | null>();
  const after = stateFiles(state);
  for (const [path, text] of after) if (before.get(path) !== text) changes.set(path, text);
  for (const path of before.keys()) if (isStatePath(path) && !after.has(path)) changes.set(path, null);
  return changes;
}

/** Whether `path` holds part of the state (in either layout), as against a cycle's record. */
function isStatePath(path: string): boolean {
  return path === LEGACY_PROCESSED || path === LEGACY_PATTERNS || path === REJECTED || path.startsWith(PROCESSED_DIR) || path.startsWith(PATTERNS_DIR);
}

/** Whether `path` holds sessions processed: all that a check of which sessions are new needs to read. */
export function isProcessedFile(path: string): boolean {
  return path === LEGACY_PROCESSED || path.startsWith(PROCESSED_DIR);
}

/** How many sessions one file of processed sessions lists at most: no commit holds one big text of them all. */
const PART_SESSIONS = 10_000;

/** How many files the patterns are spread over. */
const SHARDS = 64;

/**
 * One line per session, `["<hash>","<id>","<source>"]`, sorted by hash, in `processed/<cycle>.jsonl` (the cycle's
 * id percent-encoded where it is not a plain name), then `<cycle>+2.jsonl` and on past PART_SESSIONS.
 */
function processedFiles(processed: DreamState['processed']): Map<string, string> {
  const byCycle = new Map<string, string[]>();
  for (const hash of Object.keys(processed)) {
    const cycle = processed[hash]!.cycle;
    const hashes = byCycle.get(cycle);
    if (hashes) hashes.push(hash);
    else byCycle.set(cycle, [hash]);
  }
  const files = new Map<string, string>();
  for (const [cycle, hashes] of byCycle) {
    hashes.sort();
    for (let part = 0; part * PART_SESSIONS < hashes.length; part++) {
      const lines = hashes.slice(part * PART_SESSIONS, (part + 1) * PART_SESSIONS).map((hash) => {
        const { id, source } = processed[hash]!;
        return JSON.stringify([hash, id, source]);
      });
      files.set(`${PROCESSED_DIR}${encodeURIComponent(cycle)}${part === 0 ? '' : `+${part + 1}`}.jsonl`, `${lines.join('\n')}\n`);
    }
  }
  return files;
}

function readProcessedPart(path: string, text: string, into: DreamState['processed']): void {
  const name = path.slice(PROCESSED_DIR.length).replace(/(\+\d+)?\.jsonl$/, '');
  const cycle = decodeURIComponent(name);
  const body = text.trimEnd();
  if (body === '') return;
  const lines = parseText<unknown>(`[${body.replaceAll('\n', ',')}]`, path);
  if (!Array.isArray(lines)) throw corrupt(path, 'not a list of sessions');
  for (const line of lines as unknown[]) {
    if (!Array.isArray(line) || line.length !== 3 || !line.every((s) => typeof s === 'string')) throw corrupt(path, 'a line is not [hash, id, source]');
    const [hash, id, source] = line as [string, string, string];
    into[hash] = { id, source, cycle };
  }
}

/** The patterns in their shards, `patterns/<nn>.json`, each the sorted JSON of the records whose key falls there. */
function patternFiles(patterns: DreamState['patterns']): Map<string, string> {
  const shards = new Map<string, DreamState['patterns']>();
  for (const key of Object.keys(patterns).sort()) {
    const path = `${PATTERNS_DIR}${shardOf(key)}.json`;
    const shard = shards.get(path) ?? {};
    shard[key] = patterns[key]!;
    shards.set(path, shard);
  }
  return new Map([...shards].map(([path, shard]) => [path, stableJson(shard)]));
}

/** FNV-1a of the key's UTF-16 units, two hex digits: stable across runs and machines, and cheap. */
function shardOf(key: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return ((hash >>> 0) % SHARDS).toString(16).padStart(2, '0');
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

/** JSON with sorted keys and a final newline: the same state always gives the same bytes, and small diffs. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortedDeep(value), null, 2)}\n`;
}

/**
 * The value with the keys of every object in order, sharing each part whose keys are in order already: a state read
 * from its file is, so only what a cycle added is copied (a state of 100,000 sessions is not held twice), and
 * JSON.stringify runs without a replacer, which it would call for every value (10,000 sessions: 100 ms, not 37).
 * The order is the one an object built from the sorted keys has: JavaScript puts keys that are array indexes first.
 */
function sortedDeep(input: unknown): unknown {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = sortedDeep(value[i]);
      if (item !== value[i]) (copy ??= value.slice())[i] = item;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const changed = !keys.every((key, i) => i === 0 || keys[i - 1]! < key);
  let items: unknown[] | undefined;
  keys.forEach((key, i) => {
    const item = sortedDeep(object[key]);
    if (item !== object[key]) (items ??= keys.map((k) => object[k]))[i] = item;
  });
  if (!changed && !items) return object;
  const values = items ?? keys.map((k) => object[k]);
  return Object.fromEntries(keys.map((key, i) => [key, values[i]] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function hasToJson(value: unknown): value is { toJSON: () => unknown } {
  return typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function';
}

function parse<T>(files: ReadonlyMap<string, string>, path: string): Record<string, T> {
  const text = files.get(path);
  return text === undefined ? {} : parseText<Record<string, T>>(text, path);
}

function parseText<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw corrupt(path);
  }
}

function corrupt(path: string, what = 'not valid JSON'): Error {
  return new Error(`${path}: ${what}; restore it from git history (git checkout HEAD -- ${path})`);
}

/** Keys of both; where both hold a key, the record of the earlier cycle, so the result is the same either way round. */
function unionByEarliest<T extends { cycle: string }>(a: Record<string, T>, b: Record<string, T>): Record<string, T> {
  const result = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = result[key];
    if (!mine || value.cycle < mine.cycle) result[key] = value;
    // Two states mostly share their records: compare whole records only when they are not plainly equal.
    else if (value.cycle === mine.cycle && !shallowEqual(value, mine) && stableJson(value) < stableJson(mine)) result[key] = value;
  }
  return result;
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
