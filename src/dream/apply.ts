import { applySplice, insertEntryEdit, removeEntryEdit, replaceEntry, replaceEntryEdit, type Edited } from '../memory/edit.js';
import { formatEntry, lineEnding } from '../memory/index.js';
import type { Splice } from '../memory/markdown.js';
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
}

/** applyAction, with the splices of each file it changed. */
export function applyActionEdits(files: ReadonlyMap<string, string>, action: Action): AppliedEdits {
  const changed: FileMap = new Map();
  const splices = new Map<string, Splice[]>();
  const read = (path: string) => changed.get(path) ?? files.get(path);
  const write = (path: string, edited: Edited) => {
    changed.set(path, edited.text);
    splices.set(path, [...(splices.get(path) ?? []), ...edited.splices]);
  };
  try {
    if (action.type === 'add') {
      const destination = action.destination;
      if (!destination || action.content === undefined) throw new Error('an add needs a destination and content');
      const text = read(destination.path) ?? '';
      write(destination.path, insertEntryEdit(text, destination.section, formatEntry(action.content, 'item', lineEnding(text || '\n')), { path: destination.path }));
      return { changed, splices };
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
    return { changed, splices };
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
 * Applies actions one after another as applyAction does, taking what their curation recorded when the files they read
 * are, by construction, the texts that curation applied them to: the same text at the start, changed since by the
 * same edits in the same order. Any other file (changed by an action applied here anew, or read first with other
 * bytes) is applied to anew from then on. Splicing the recorded edits gives the bytes applyAction gives, since an
 * edit's result depends on nothing but its file's text and the action.
 */
export class Replayer {
  /** Each file's text as the curation of `base` had it after `edits` of its edits; `undefined` once it went its own way. */
  private readonly versions = new Map<string, { base: ReadonlyMap<string, string>; edits: number } | undefined>();
  /** How many actions were taken from what their curation recorded rather than applied anew. */
  recorded = 0;

  /**
   * `planned` is the action as its curation applied it, `action` the one to apply: the same, or a copy whose text went
   * through redaction (a copy that differs in what it writes is applied anew).
   */
  apply(files: ReadonlyMap<string, string>, planned: Action, action: Action = planned): FileMap {
    const trace = traces.get(planned);
    if (trace && sameEdit(planned, action) && this.inStep(files, trace)) {
      const changed: FileMap = new Map();
      for (const [path, splices] of trace.splices) {
        changed.set(path, splices.reduce(applySplice, files.get(path) ?? ''));
        const version = this.versions.get(path);
        if (version) this.versions.set(path, { base: version.base, edits: version.edits + 1 });
      }
      this.recorded++;
      return changed;
    }
    const changed = applyAction(files, action);
    for (const path of changed.keys()) this.versions.set(path, undefined);
    return changed;
  }

  private inStep(files: ReadonlyMap<string, string>, trace: AppliedTrace): boolean {
    for (const [path, edits] of trace.reads) {
      if (!this.versions.has(path)) this.versions.set(path, files.get(path) === trace.base.get(path) ? { base: trace.base, edits: 0 } : undefined);
      const version = this.versions.get(path);
      if (version?.base !== trace.base || version.edits !== edits) return false;
    }
    return true;
  }
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
