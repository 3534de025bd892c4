import { ActionConflictError, Replayer } from '../dream/apply.js';
import { cyclePath, mergeStates, readState, stableJson, stateWrites, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import type { Action, DreamState, PatternRecord } from '../dream/types.js';
import { commitChanges, PackBuilder, readFilesAt, type Author, type Repo } from '../git/index.js';
import { redactText, redactTextValue } from '../sessions/redact.js';
import { isStateFile } from './context.js';
import { notUtf8At, notUtf8Error, type NotUtf8 } from './memory-files.js';
import { actionMessage, stateMessage } from './messages.js';

export interface BuildInput {
  /** The commit the cycle's first action goes on (main's tip). */
  parent: string;
  actions: Action[];
  /** The state the cycle records; merged with the state already at `parent`. */
  state: DreamState;
  /**
   * The state at `parent` when the caller read it already (a cycle reads it to plan): not read again, and the records
   * `state` shares with it are then known unchanged without being compared or written out.
   */
  parentState?: DreamState;
  record: CycleRecord;
  /** Folder of the memory, so only its files and the state are read. */
  memoryRoot: string;
  author: Author;
  /** Seconds since the epoch for every commit of the cycle. */
  timestamp: number;
  stateSubject: string;
}

export interface BuildResult {
  tip: string;
  actions: RecordedAction[];
  /** Actions that no longer apply on `parent` (their entries changed or went away), with the reason. */
  skipped: { action: Action; reason: string }[];
  record: CycleRecord;
}

/**
 * Writes the cycle as commits on top of `parent`: one per action, then the state commit. Nothing but the
 * object database is written; no ref moves. The same function builds a new cycle, replays one on a main
 * that moved, and rebuilds one with some actions left out, so all three follow one set of rules.
 */
export async function buildCycle(repo: Repo, given: BuildInput): Promise<BuildResult> {
  const input = outgoing(given);
  const { files, notText } = await readScope(repo, input.parent, input.memoryRoot);
  let parent = input.parent;
  const applied: RecordedAction[] = [];
  const skipped: BuildResult['skipped'] = [];
  // The cycle's objects as packs, a version of a file as a delta from the next (see pack-write.ts): written before this
  // returns, and no ref points at them before that.
  const pack = new PackBuilder(repo.gitdir);
  // One action applied, then committed, then the next: a long file's texts after each action are not all held at once.
  for (const step of replaySteps(files, input.actions, notText, given.actions)) {
    if ('reason' in step) {
      skipped.push(step);
      continue;
    }
    const { action, changes } = step;
    parent = await commitChanges(repo, {
      parent,
      changes: new Map(changes),
      message: actionMessage(action, input.record.cycle, input.record.engine, input.record.run?.model),
      author: input.author,
      timestamp: input.timestamp,
      pack,
    });
    applied.push({ ...action, commit: parent });
  }
  const parentState = given.parentState ?? readState(files);
  const state = mergeStates(outgoingState(input.state, parentState), parentState);
  // The record keeps every action the cycle proposed: those left out or no longer applicable stay, without a commit.
  const record: CycleRecord = {
    ...input.record,
    actions: input.record.actions.map((a) => applied.find((x) => x.id === a.id) ?? withoutCommit(a)),
    dropped: [...input.record.dropped, ...skipped.map(({ action, reason }) => ({ id: action.id, type: action.type, summary: action.summary, reason }))],
  };
  // Only the state's files this cycle changes: its own list of sessions, the shards of the patterns it saw. Those
  // new to the commit are made as it writes them, each let go once its bytes are compressed into the pack.
  const bookkeeping = stateWrites(state, files);
  bookkeeping.set(cyclePath(record.cycle), stableJson(record));
  const tip = await commitChanges(repo, {
    parent,
    changes: bookkeeping,
    message: stateMessage(record.cycle, record.engine, input.stateSubject, record.run),
    author: input.author,
    timestamp: input.timestamp,
    allowEmpty: true,
    pack,
    lastInPack: true,
  });
  pack.write();
  return { tip, actions: applied, skipped, record };
}

/** The memory and state files at `parent`, what a cycle's actions apply to, and those of them that are not UTF-8 text. */
async function readScope(repo: Repo, parent: string, memoryRoot: string): Promise<{ files: Map<string, string>; notText: NotUtf8[] }> {
  const inScope = (path: string) => isStateFile(path) || ((memoryRoot === '' || path.startsWith(`${memoryRoot}/`)) && !path.startsWith(`${STATE_DIR}/`));
  const files = await readFilesAt(repo, parent, inScope, { under: [memoryRoot, STATE_DIR] });
  return { files, notText: await notUtf8At(repo, parent, [...files].map(([path, text]) => ({ path, text }))) };
}

export interface Replay {
  /** The actions that apply, each with the files it changes, in order. */
  applied: { action: Action; changes: Map<string, string> }[];
  /** Those that no longer apply (their entries changed or went away, a file that is not UTF-8 text), with why. */
  skipped: BuildResult['skipped'];
}

/**
 * The actions applied one after another to `files`, which end up as the last one leaves them. Pure: the commits are
 * buildCycle's to write. A file that is not UTF-8 text (`notText`; a cycle refuses them up front, a main that moved
 * since may have brought one) is never rewritten: an action that would is skipped.
 */
export function replayActions(files: Map<string, string>, actions: Action[], notText: NotUtf8[]): Replay {
  const replay: Replay = { applied: [], skipped: [] };
  for (const step of replaySteps(files, actions, notText)) {
    if ('reason' in step) replay.skipped.push(step);
    else replay.applied.push(step);
  }
  return replay;
}

/**
 * replayActions one action at a time: each step is applied to `files` before the next is worked out. `planned` are the
 * actions as their curation applied them (before redaction), whose recorded edits are taken where they still hold.
 */
function* replaySteps(files: Map<string, string>, actions: Action[], notText: NotUtf8[], planned: Action[] = actions): Generator<Replay['applied'][number] | Replay['skipped'][number]> {
  const replayer = new Replayer();
  for (const [index, action] of actions.entries()) {
    let changes: Map<string, string>;
    try {
      changes = replayer.apply(files, planned[index] ?? action, action);
    } catch (error) {
      if (!(error instanceof ActionConflictError)) throw error;
      yield { action, reason: error.message };
      continue;
    }
    const unsafe = notText.find((file) => changes.has(file.path));
    if (unsafe) {
      yield { action, reason: notUtf8Error(unsafe).message };
      continue;
    }
    for (const [path, text] of changes) files.set(path, text);
    yield { action, changes };
  }
}

/** What buildCycle would apply and skip on `parent`, written nowhere: the dry run of an approval. */
export async function previewBuild(repo: Repo, { parent, actions, memoryRoot }: Pick<BuildInput, 'parent' | 'actions' | 'memoryRoot'>): Promise<Replay> {
  const { files, notText } = await readScope(repo, parent, memoryRoot);
  const replay: Replay = { applied: [], skipped: [] };
  for (const step of replaySteps(files, actions.map(outgoingAction), notText, actions)) {
    if ('reason' in step) replay.skipped.push(step);
    else replay.applied.push(step);
  }
  return replay;
}

/**
 * Everything a cycle writes (memory entries, commit messages, the state and the cycle record) quotes sessions, so it
 * leaves through redactText, the table and secretlint's preset, here where every cycle, replay and rebuild passes.
 * The entries an action names (targets, keeps) are memory as it stands, matched verbatim when the action is
 * applied, and are left as they are.
 */
function outgoing(input: BuildInput): BuildInput {
  const { actions: recorded, ...record } = input.record;
  return {
    ...input,
    actions: input.actions.map(outgoingAction),
    record: { ...redactTextValue(record), actions: recorded.map(outgoingAction) },
  };
}

/**
 * The state, with what this cycle brought redacted: what the parent commit holds already went out through here, and
 * a state of 10,000 sessions would cost a second per cycle to redact whole. `processed` is left as it is: session
 * ids and log paths, read through both passes like every string of a session, under hashes, and cycle ids.
 */
function outgoingState(state: DreamState, parent: DreamState): DreamState {
  return { processed: state.processed, patterns: outgoingEntries(state.patterns, parent.patterns, patternText), rejected: outgoingEntries(state.rejected, parent.rejected, wholeRecord) };
}

/** A record as the text to redact and a way to put it back together once redacted. */
type Split<T> = (record: T) => { text: unknown; join: (redacted: unknown) => T };

const wholeRecord = <T>(record: T) => ({ text: record, join: (redacted: unknown) => redacted as T });

/**
 * A pattern's record without its lists of session ids, which were read through both passes with the rest of their
 * session (as `processed` was): a frequent pattern lists thousands, and they were most of a cycle's redaction time.
 */
const patternText: Split<PatternRecord> = ({ sessions, agents, requested, ...text }) => ({
  text,
  join: (redacted) => ({ ...(redacted as Omit<PatternRecord, 'sessions' | 'agents' | 'requested'>), sessions, agents, ...(requested ? { requested } : {}) }),
});

function outgoingEntries<T>(mine: Record<string, T>, theirs: Record<string, T>, split: Split<T>): Record<string, T> {
  const kept: [string, T][] = [];
  const fresh: [string, T][] = [];
  // A record the parent holds as it is stays the parent's own object: merging it with the parent's is then nothing.
  for (const [key, value] of Object.entries(mine)) {
    if (Object.hasOwn(theirs, key) && (theirs[key] === value || (!plainlyDiffer(theirs[key], value) && JSON.stringify(theirs[key]) === JSON.stringify(value)))) kept.push([key, theirs[key]!]);
    else fresh.push([key, value]);
  }
  if (fresh.length === 0) return Object.fromEntries(kept);
  // Keys are text too (a pattern's key is made of its error's words): the new entries are redacted, keys and all,
  // in one pass.
  const parts = fresh.map(([key, value]) => [key, split(value)] as const);
  const redacted = redactTextValue(parts.map(([key, part]) => [key, part.text])) as [string, unknown][];
  return { ...Object.fromEntries(kept), ...Object.fromEntries(redacted.map(([key, text], i) => [key, parts[i]![1].join(text)])) };
}

/**
 * Two records whose JSON differs, told without writing it: a list of one is longer than the same list of the other
 * (a pattern seen again lists one session more, of thousands).
 */
function plainlyDiffer(a: unknown, b: unknown): boolean {
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  for (const [key, value] of Object.entries(a)) {
    const other = (b as Record<string, unknown>)[key];
    if (Array.isArray(value) && Array.isArray(other) && value.length !== other.length) return true;
  }
  return false;
}

function outgoingAction<A extends Action>(action: A): A {
  const { content, ...rest } = action;
  return {
    ...rest,
    summary: redactText(action.summary),
    rationale: redactText(action.rationale),
    evidence: action.evidence.map((e) => ({ ...e, quote: redactText(e.quote) })),
    ...(content !== undefined ? { content: redactText(content) } : {}),
  } as A;
}

function withoutCommit(action: RecordedAction): RecordedAction {
  const { commit: _commit, ...rest } = action;
  return rest;
}
