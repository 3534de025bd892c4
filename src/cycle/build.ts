import { ActionConflictError, applyAction } from '../dream/apply.js';
import { cyclePath, mergeStates, readState, stableJson, stateFiles, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import type { Action, DreamState } from '../dream/types.js';
import { commitChanges, readFilesAt, type Author, type Repo } from '../git/index.js';
import { redactText, redactTextValue } from '../sessions/redact.js';
import { isStateFile } from './context.js';
import { notUtf8At, notUtf8Error } from './memory-files.js';
import { actionMessage, stateMessage } from './messages.js';

export interface BuildInput {
  /** The commit the cycle's first action goes on (main's tip). */
  parent: string;
  actions: Action[];
  /** The state the cycle records; merged with the state already at `parent`. */
  state: DreamState;
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
  const inScope = (path: string) => isStateFile(path) || ((input.memoryRoot === '' || path.startsWith(`${input.memoryRoot}/`)) && !path.startsWith(`${STATE_DIR}/`));
  const files = await readFilesAt(repo, input.parent, inScope, { under: [input.memoryRoot, STATE_DIR] });
  // A cycle refuses such files up front; a main that moved since may have brought one, which no action may rewrite.
  const notText = await notUtf8At(repo, input.parent, [...files].map(([path, text]) => ({ path, text })));
  let parent = input.parent;
  const applied: RecordedAction[] = [];
  const skipped: BuildResult['skipped'] = [];
  for (const action of input.actions) {
    let changes: Map<string, string>;
    try {
      changes = applyAction(files, action);
    } catch (error) {
      if (!(error instanceof ActionConflictError)) throw error;
      skipped.push({ action, reason: error.message });
      continue;
    }
    const unsafe = notText.find((file) => changes.has(file.path));
    if (unsafe) {
      skipped.push({ action, reason: notUtf8Error(unsafe).message });
      continue;
    }
    for (const [path, text] of changes) files.set(path, text);
    parent = await commitChanges(repo, {
      parent,
      changes: new Map(changes),
      message: actionMessage(action, input.record.cycle, input.record.engine, input.record.run?.model),
      author: input.author,
      timestamp: input.timestamp,
    });
    applied.push({ ...action, commit: parent });
  }
  const parentState = readState(files);
  const state = mergeStates(outgoingState(input.state, parentState), parentState);
  // The record keeps every action the cycle proposed: those left out or no longer applicable stay, without a commit.
  const record: CycleRecord = {
    ...input.record,
    actions: input.record.actions.map((a) => applied.find((x) => x.id === a.id) ?? withoutCommit(a)),
    dropped: [...input.record.dropped, ...skipped.map(({ action, reason }) => ({ id: action.id, type: action.type, summary: action.summary, reason }))],
  };
  const bookkeeping = stateFiles(state);
  bookkeeping.set(cyclePath(record.cycle), stableJson(record));
  const tip = await commitChanges(repo, {
    parent,
    changes: new Map(bookkeeping),
    message: stateMessage(record.cycle, record.engine, input.stateSubject, record.run),
    author: input.author,
    timestamp: input.timestamp,
    allowEmpty: true,
  });
  return { tip, actions: applied, skipped, record };
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
  return { processed: state.processed, patterns: outgoingEntries(state.patterns, parent.patterns), rejected: outgoingEntries(state.rejected, parent.rejected) };
}

function outgoingEntries<T>(mine: Record<string, T>, theirs: Record<string, T>): Record<string, T> {
  const unchanged = (key: string, value: T) => Object.hasOwn(theirs, key) && JSON.stringify(theirs[key]) === JSON.stringify(value);
  const fresh = Object.fromEntries(Object.entries(mine).filter(([key, value]) => !unchanged(key, value)));
  if (Object.keys(fresh).length === 0) return mine;
  // Keys are text too (a pattern's key is made of its error's words): the new entries are redacted, keys and all.
  return { ...Object.fromEntries(Object.entries(mine).filter(([key, value]) => unchanged(key, value))), ...redactTextValue(fresh) };
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
