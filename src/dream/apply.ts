import { formatEntry, insertEntry, lineEnding, removeEntry, replaceEntry } from '../memory/index.js';
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
  const changed: FileMap = new Map();
  const read = (path: string) => changed.get(path) ?? files.get(path);
  try {
    if (action.type === 'add') {
      const destination = action.destination;
      if (!destination || action.content === undefined) throw new Error('an add needs a destination and content');
      const text = read(destination.path) ?? '';
      changed.set(destination.path, insertEntry(text, destination.section, formatEntry(action.content, 'item', lineEnding(text || '\n')), { path: destination.path }));
      return changed;
    }
    const [first, ...rest] = action.targets;
    if (!first) throw new Error('no target entries');
    const firstText = requireFile(read(first.path), first.path);
    if (action.type === 'prune') {
      changed.set(first.path, removeEntry(firstText, first.path, first.raw));
    } else if (action.content !== undefined) {
      changed.set(first.path, replaceEntry(firstText, first.path, first.raw, restyle(first.raw, action.content)));
    } else if (action.type === 'update') {
      throw new Error('an update needs content');
    } else {
      replaceEntry(firstText, first.path, first.raw, first.raw);
    }
    // A merge or resolve without content keeps its first target as it is and removes the others.
    for (const target of rest) {
      const text = requireFile(read(target.path), target.path);
      changed.set(target.path, removeEntry(text, target.path, target.raw));
    }
    return changed;
  } catch (error) {
    if (error instanceof ActionConflictError) throw error;
    throw new ActionConflictError(action, (error as Error).message);
  }
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
