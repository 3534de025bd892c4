import { applySplice, insertEntryEdit, removeEntryEdit, replaceEntry, replaceEntryEdit, type Edited, type Reach } from '../memory/edit.js';
import { formatEntry, lineEnding } from '../memory/index.js';
import type { Splice } from '../memory/markdown.js';
import { hasCharacter } from '../util/spliced.js';
import type { Action } from './types.js';

/** Text files by repository path; `null` means the file is deleted. */
export type FileMap = Map<string, string>;

/** An action's target is gone or changed: the action no longer applies to this memory. */
export class ActionConflictError extends Error {
  constructor(
    readonly action: Action,
    reason: string,
  ) {
    super(`${action.type} ${action.id} no longer applies: ${reason}`);
    this.name = 'ActionConflictError';
  }
}

/**
 * Applies one action to the memory files and returns the new texts of the files it changed.
 * Pure: the same plan applied to the same files gives the same bytes, which is what lets a cycle be
 * replayed on a main that moved, and previewed as a diff without writing anything.
 */
export function applyAction(files: ReadonlyMap<string, string>, action: Action): FileMap {
  return applyActionEdits(files, action).changed;
}

/** What applying an action did: the new texts of the files it changed, and the splices that made each from the old. */
export interface AppliedEdits {
  changed: FileMap;
  splices: Map<string, Splice[]>;
  /** The same splices per edit of each file (a merge edits its file twice), each with what its checks read. */
  edits: Map<string, EditTrace[]>;
}

/** One edit of a file: its splices, one after the other, and the stretch of the text before it that its checks read. */
export interface EditTrace {
  splices: readonly Splice[];
  reach?: Reach;
}

/** applyAction, with the splices of each file it changed. */
export function applyActionEdits(files: ReadonlyMap<string, string>, action: Action): AppliedEdits {
  const changed: FileMap = new Map();
  const splices = new Map<string, Splice[]>();
  const edits = new Map<string, EditTrace[]>();
  const read = (path: string) => changed.get(path) ?? files.get(path);
  const write = (path: string, edited: Edited) => {
    changed.set(path, edited.text);
    splices.set(path, [...(splices.get(path) ?? []), ...edited.splices]);
    edits.set(path, [...(edits.get(path) ?? []), { splices: edited.splices, ...(edited.reach ? { reach: edited.reach } : {}) }]);
  };
  try {
    if (action.type === 'add') {
      const destination = action.destination;
      if (!destination || action.content === undefined) throw new Error('an add needs a destination and content');
      const text = read(destination.path) ?? '';
      write(destination.path, insertEntryEdit(text, destination.section, formatEntry(action.content, 'item', lineEnding(text || '\n')), { path: destination.path }));
      return { changed, splices, edits };
    }
    const [first, ...rest] = action.targets;
    if (!first) throw new Error('no target entries');
    const firstText = requireFile(read(first.path), first.path);
    if (action.type === 'prune') {
      write(first.path, removeEntryEdit(firstText, first.path, first.raw));
    } else if (action.content !== undefined) {
      write(first.path, replaceEntryEdit(firstText, first.path, first.raw, restyle(first.raw, action.content)));
    } else if (action.type === 'update') {
      throw new Error('an update needs content');
    } else {
      replaceEntry(firstText, first.path, first.raw, first.raw);
    }
    // A merge or resolve without content keeps its first target as it is and removes the others.
    for (const target of rest) {
      const text = requireFile(read(target.path), target.path);
      write(target.path, removeEntryEdit(text, target.path, target.raw));
    }
    return { changed, splices, edits };
  } catch (error) {
    if (error instanceof ActionConflictError) throw error;
    throw new ActionConflictError(action, (error as Error).message);
  }
}

/**
 * What a curation saw an action do, kept with the action so that writing the cycle can take the result instead of
 * working the edits out again (each one parses and checks its file). It holds for the files the action reads as that
 * curation had them: `base` is each file's text when the curation began, and `reads` counts, for each file the
 * action reads, the edits of it the curation had made before.
 */
export interface AppliedTrace {
  base: ReadonlyMap<string, string>;
  reads: ReadonlyMap<string, number>;
  splices: ReadonlyMap<string, readonly Splice[]>;
  /** The same splices per edit, each with what its checks read (AppliedEdits.edits). */
  edits?: ReadonlyMap<string, readonly EditTrace[]>;
  /**
   * Of each file, the splices of each action of the curation that changed it, in the curation's order: one list for
   * every action of a curation, complete once it is done. An edit a replay leaves out (an action that waits for a
   * person goes last) is read from it.
   */
  history?: ReadonlyMap<string, readonly (readonly Splice[])[]>;
}

const traces = new WeakMap<Action, AppliedTrace>();

/** Keeps what applying `action` did, as its curation saw it. */
export function recordApplied(action: Action, trace: AppliedTrace): void {
  traces.set(action, trace);
}

/** The files an action reads: its targets' and its destination's. */
export function pathsRead(action: Action): string[] {
  return [...new Set([...action.targets.map((t) => t.path), ...(action.destination ? [action.destination.path] : [])])];
}

/**
 * A file as a replay has it, against the texts its curation had: the curation's text after `edits` of its edits, but
 * for the text of the edits the replay left out, which the curation's text holds at `missing` (in its coordinates).
 */
interface Line {
  base: ReadonlyMap<string, string>;
  edits: number;
  missing: readonly Missing[];
}

/** Text an edit left out inserted, at `start` of the curation's text. */
interface Missing {
  start: number;
  text: string;
}

/**
 * Applies actions one after another as applyAction does, taking what their curation recorded when the files they read
 * are, by construction, the texts that curation applied them to: the same text at the start, changed since by the
 * same edits in the same order. Any other file (changed by an action applied here anew, or read first with other
 * bytes) is applied to anew from then on. Splicing the recorded edits gives the bytes applyAction gives, since an
 * edit's result depends on nothing but its file's text and the action.
 *
 * One departure is taken from the record too: edits the replay leaves out (an action that waits for a person is
 * written after the others), when each only inserts entries, away from the start and end of an LF file. The recorded
 * edits of a later action are then moved by the text left out, provided none of that text lies in the stretch their
 * checks read (Edited.reach, between the headings around each edit) nor holds an entry the action names: the edit then
 * finds the same entry, with the same neighbours, and its checks read the same text, so it makes the same splices.
 */
export class Replayer {
  /** Each file's text against its curation's (see Line); `undefined` once it went its own way. */
  private readonly versions = new Map<string, Line | undefined>();
  /** How many actions were taken from what their curation recorded rather than applied anew. */
  recorded = 0;

  /**
   * `planned` is the action as its curation applied it, `action` the one to apply: the same, or a copy whose text went
   * through redaction (a copy that differs in what it writes is applied anew).
   */
  apply(files: ReadonlyMap<string, string>, planned: Action, action: Action = planned): FileMap {
    const trace = traces.get(planned);
    const lines = trace && sameEdit(planned, action) ? this.linesFor(files, trace, planned) : undefined;
    const steps = trace && lines ? recordedSteps(trace, lines) : undefined;
    if (steps) {
      const changed: FileMap = new Map();
      for (const [path, splices] of steps) changed.set(path, splices.reduce(applySplice, files.get(path) ?? ''));
      for (const [path, line] of lines as Map<string, Line>) this.versions.set(path, line);
      this.recorded++;
      return changed;
    }
    if (!trace || !lines) {
      const changed = applyAction(files, action);
      for (const path of changed.keys()) this.versions.set(path, undefined);
      return changed;
    }
    // Applied anew, but still against the curation's texts: when the edits made here are the recorded ones moved by
    // the text left out, the file keeps to the record, and the next actions may be taken from it again.
    const applied = applyActionEdits(files, action);
    for (const [path, splices] of applied.splices) {
      const line = lines.get(path);
      const missing = line && sameMoved(trace.splices.get(path), splices, line.missing);
      this.versions.set(path, line && missing ? { base: line.base, edits: line.edits + 1, missing } : undefined);
    }
    return applied.changed;
  }

  /**
   * The files the action reads as they stand against its curation's texts, once the edits the replay left out before
   * it are stepped over; undefined when one of them does not keep to the record.
   */
  private linesFor(files: ReadonlyMap<string, string>, trace: AppliedTrace, action: Action): Map<string, Line> | undefined {
    const lines = new Map<string, Line>();
    for (const [path, edits] of trace.reads) {
      if (!this.versions.has(path)) this.versions.set(path, files.get(path) === trace.base.get(path) ? { base: trace.base, edits: 0, missing: [] } : undefined);
      const line = this.versions.get(path);
      if (line?.base !== trace.base || edits < line.edits) return undefined;
      let missing: readonly Missing[] | undefined = line.missing;
      const history = trace.history?.get(path);
      for (let skipped = line.edits; skipped < edits && missing; skipped++) {
        const splices = history?.[skipped];
        missing = splices ? leftOut(missing, splices, (files.get(path) ?? '').length) : undefined;
      }
      if (!missing) return undefined;
      if (missing.length > 0 && (hasCharacter(files.get(path) ?? '', '\r') || namesMissing(action, path, missing))) return undefined;
      lines.set(path, { base: line.base, edits, missing });
    }
    return lines;
  }
}

/**
 * The splices that make the action's result, from what its curation recorded, on files as `lines` has them (updated to
 * after the action); undefined when the record does not hold for one of them.
 */
function recordedSteps(trace: AppliedTrace, lines: Map<string, Line>): Map<string, Splice[]> | undefined {
  const steps = new Map<string, Splice[]>();
  const after = new Map<string, Line>();
  for (const [path, splices] of trace.splices) {
    const line = lines.get(path);
    if (!line) return undefined;
    if (line.missing.length === 0) {
      steps.set(path, [...splices]);
      after.set(path, { ...line, edits: line.edits + 1 });
      continue;
    }
    const moved = movedEdits(trace.edits?.get(path), line.missing);
    if (!moved) return undefined;
    steps.set(path, moved.splices);
    after.set(path, { base: line.base, edits: line.edits + 1, missing: moved.missing });
  }
  for (const [path, line] of after) lines.set(path, line);
  return steps;
}

/**
 * Whether `made`, splices applied to a text the curation's holds with `missing` inserted, are `recorded` (made on the
 * curation's text) moved by that text: then the curation's text after them still holds it. Where it is after them, or
 * undefined when they differ.
 */
function sameMoved(recorded: readonly Splice[] | undefined, made: readonly Splice[], missing: readonly Missing[]): Missing[] | undefined {
  if (!recorded || recorded.length !== made.length) return undefined;
  let regions = [...missing];
  for (const [index, splice] of recorded.entries()) {
    const mine = made[index] as Splice;
    if (regions.some((m) => m.start < splice.end && m.start + m.text.length > splice.start)) return undefined;
    const before = leftOutBefore(regions, splice.start);
    if (mine.insert !== splice.insert || mine.start !== splice.start - before || mine.end !== splice.end - before) return undefined;
    regions = movedPast(regions, splice);
  }
  return regions;
}

/** How much of the text left out lies wholly before `at` (in the curation's coordinates). */
function leftOutBefore(regions: readonly Missing[], at: number): number {
  return regions.reduce((sum, m) => (m.start + m.text.length <= at ? sum + m.text.length : sum), 0);
}

/** The text left out where it is once `splice` (made on the curation's text) is made: moved when after it. */
function movedPast(regions: readonly Missing[], splice: Splice): Missing[] {
  const shift = splice.insert.length - (splice.end - splice.start);
  return regions.map((m) => (m.start >= splice.end ? { start: m.start + shift, text: m.text } : m));
}

/** An entry the action names whose text (without its final line break) is in the text left out: it might be found there. */
function namesMissing(action: Action, path: string, missing: readonly Missing[]): boolean {
  return action.targets.some((target) => target.path === path && missing.some((m) => m.text.includes(target.raw.replace(/\r?\n$/, ''))));
}

/** A line that might start a heading (ATX or a setext underline): text left out must not hold one. */
const HEADING_LIKE = /^ {0,3}(?:#|=+[ \t]*$|-+[ \t]*$)/m;

/**
 * The text left out after one more edit left out: `splices` must each insert text without a heading or a CR, away from
 * the start and the end of the text (whose length here is `length`, the replay's). Undefined otherwise.
 */
function leftOut(missing: readonly Missing[], splices: readonly Splice[], length: number): Missing[] | undefined {
  let regions = [...missing];
  let size = length + regions.reduce((sum, m) => sum + m.text.length, 0);
  for (const { start, end, insert } of splices) {
    if (start !== end || start === 0 || start >= size || insert.includes('\r') || HEADING_LIKE.test(insert)) return undefined;
    if (regions.some((m) => start > m.start && start < m.start + m.text.length)) return undefined;
    regions = regions.map((m) => (m.start >= start ? { start: m.start + insert.length, text: m.text } : m));
    regions.push({ start, text: insert });
    size += insert.length;
  }
  return regions.sort((a, b) => a.start - b.start);
}

/**
 * The recorded edits of one file moved by the text left out before them, and where that text is after them; undefined
 * when some of it lies in what an edit's checks read (or they were not recorded).
 */
function movedEdits(edits: readonly EditTrace[] | undefined, missing: readonly Missing[]): { splices: Splice[]; missing: Missing[] } | undefined {
  if (!edits) return undefined;
  let regions = [...missing];
  const splices: Splice[] = [];
  for (const { splices: recorded, reach } of edits) {
    if (!reach || regions.some((m) => m.start + m.text.length >= reach.from && m.start <= reach.to)) return undefined;
    for (const splice of recorded) {
      const before = leftOutBefore(regions, splice.start);
      splices.push({ start: splice.start - before, end: splice.end - before, insert: splice.insert });
      regions = movedPast(regions, splice);
    }
  }
  return { splices, missing: regions };
}

/** Whether two actions make the same edits: the same type, entries, place and text. */
function sameEdit(a: Action, b: Action): boolean {
  return (
    a === b ||
    (a.type === b.type &&
      a.content === b.content &&
      a.destination?.path === b.destination?.path &&
      a.destination?.section === b.destination?.section &&
      a.targets.length === b.targets.length &&
      a.targets.every((t, i) => t.path === b.targets[i]?.path && t.raw === b.targets[i]?.raw))
  );
}

/** Applies actions in order to a copy of `files`; stops at the first that no longer applies. */
export function applyActions(files: ReadonlyMap<string, string>, actions: Action[]): FileMap {
  const result: FileMap = new Map(files);
  for (const action of actions) for (const [path, text] of applyAction(result, action)) result.set(path, text);
  return result;
}

function requireFile(text: string | undefined, path: string): string {
  if (text === undefined) throw new Error(`${path} does not exist`);
  return text;
}

/**
 * New text in the shape of the entry it replaces: same list marker and indentation, same line ending,
 * so a rewrite shows in a diff as the words that changed and nothing else.
 */
export function restyle(raw: string, text: string): string {
  const eol = raw.includes('\r\n') ? '\r\n' : '\n';
  const marker = /^([ \t]*)([-*+]|\d+[.)])([ \t]+)/.exec(raw);
  const trailing = /(\r?\n)*$/.exec(raw)?.[0] ?? '';
  if (!marker) return text.split('\n').join(eol) + (trailing || eol);
  const [prefix, indent = '', bullet = '-', gap = ' '] = marker;
  const continuation = ' '.repeat(indent.length + bullet.length + gap.length);
  const lines = text.split('\n');
  const body = lines.map((line, i) => (i === 0 ? `${prefix}${line}` : line ? `${continuation}${line}` : '')).join(eol);
  return body + (trailing || eol);
}
