/**
 * The pure part of a revert: given what an action changed (each file before and after it) and the files as
 * they are on main now, the texts that undo the action and keep every later change, or the conflicts that
 * stop it. Nothing here reads or writes a repository.
 */
import { ReverieError } from '../errors.js';
import { mergeText, type MergeConflict } from '../git/merge3.js';
import { entryText, isEntryBlock, parseDocument } from '../memory/index.js';

/** One file an action changed; undefined means the file did not exist. */
export interface FileChange {
  path: string;
  before: string | undefined;
  after: string | undefined;
}

/** The action a revert undoes, as the messages name it. */
export interface ActionName {
  cycle: string;
  actionId: string;
  type: string;
}

/** Where undoing an action clashes with what main holds now. */
export interface FileConflict {
  path: string;
  /** What happened to the file since the action, in words. */
  reason: string;
  /** First lines of the entries in conflict as the action left them, and as main has them now. */
  actionLeft: string[];
  onMainNow: string[];
}

/** Undoing the action would overwrite later changes: nothing is committed and no ref moves. */
export class RevertConflictError extends ReverieError {
  override readonly exitCode = 1;
  constructor(
    readonly action: ActionName,
    readonly conflicts: FileConflict[],
  ) {
    super(conflictMessage(action, conflicts));
    this.name = 'RevertConflictError';
  }

  /** The memory entries in conflict, by their first line. */
  get entries(): string[] {
    return [...new Set(this.conflicts.flatMap((c) => [...c.actionLeft, ...c.onMainNow]))];
  }
}

/** New text per path (null deletes); a path whose file needs no change is left out. */
export type RevertChanges = Map<string, string | null>;

/**
 * The changes that undo an action on `current` (the files on main now, by path; a missing path is a missing
 * file). Throws RevertConflictError naming every file and entry in conflict.
 */
export function revertChanges(current: ReadonlyMap<string, string>, action: ActionName, changes: FileChange[]): RevertChanges {
  const result: RevertChanges = new Map();
  const conflicts: FileConflict[] = [];
  for (const change of changes) {
    const outcome = revertFile(change, current.get(change.path));
    if ('conflict' in outcome) conflicts.push(outcome.conflict);
    else if (outcome.text !== undefined) result.set(change.path, outcome.text);
  }
  if (conflicts.length > 0) throw new RevertConflictError(action, conflicts);
  return result;
}

type FileOutcome = { text: string | null | undefined } | { conflict: FileConflict };

/** One file: `text` undefined means no change is needed, null means the file goes. */
function revertFile({ path, before, after }: FileChange, ours: string | undefined): FileOutcome {
  if (ours === after) return { text: before ?? null };
  if (ours === before) return { text: undefined };
  if (after === undefined) return { conflict: { path, reason: 'the action deleted it and it was written again since', actionLeft: [], onMainNow: [] } };
  if (ours === undefined) return { conflict: { path, reason: 'it was deleted since the action', actionLeft: [], onMainNow: [] } };
  const merged = mergeText(ours, after, before ?? '', { unitStarts: { base: unitStarts(path, after), ours: unitStarts(path, ours), theirs: unitStarts(path, before ?? '') } });
  if (merged.conflicts.length > 0) return { conflict: describeConflicts(path, ours, after, merged.conflicts) };
  // A file the action created, and that holds nothing else once the action is undone, goes with it.
  return { text: before === undefined && merged.text.trim() === '' ? null : merged.text };
}

/** Line indices where a Markdown block (entry, heading, blank run) starts, plus the end of the text. */
function unitStarts(path: string, text: string): Set<number> {
  const blocks = parseDocument(path, text).blocks;
  return new Set([...blocks.map((b) => b.line - 1), lineCount(text)]);
}

function describeConflicts(path: string, ours: string, after: string, conflicts: MergeConflict[]): FileConflict {
  return {
    path,
    reason: 'later changes touch the same lines',
    actionLeft: unique(conflicts.flatMap((c) => entriesAt(path, after, c.baseStart, c.baseLines.length))),
    onMainNow: unique(conflicts.flatMap((c) => entriesAt(path, ours, c.oursStart, c.oursLines.length))),
  };
}

/**
 * The first line of each memory entry over lines [start, start + count) of `text`; an empty range (lines added
 * on one side only) names the entry that holds or precedes it.
 */
export function entriesAt(path: string, text: string, start: number, count: number): string[] {
  const from = count === 0 ? Math.max(start - 1, 0) : start;
  const to = start + Math.max(count, 1);
  return parseDocument(path, text)
    .blocks.filter(isEntryBlock)
    .filter((block) => block.line - 1 < to && block.line - 1 + lineCount(block.raw) > from)
    .map((block) => entryText(block.kind, block.raw).split('\n')[0] ?? '');
}

function lineCount(text: string): number {
  const breaks = text.match(/\n/g)?.length ?? 0;
  return text === '' || text.endsWith('\n') ? breaks : breaks + 1;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function conflictMessage(action: ActionName, conflicts: FileConflict[]): string {
  const lines = [`cannot revert ${action.type} ${action.actionId} of cycle ${action.cycle}: later changes are in the way`];
  for (const conflict of conflicts) {
    lines.push(`  ${conflict.path}: ${conflict.reason}`);
    for (const entry of conflict.actionLeft) lines.push(`    the action left:  ${JSON.stringify(entry)}`);
    for (const entry of conflict.onMainNow) lines.push(`    main has now:     ${JSON.stringify(entry)}`);
  }
  lines.push('nothing was changed: edit the file by hand, or revert the later change first');
  return lines.join('\n');
}
