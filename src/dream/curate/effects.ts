/**
 * What an action does to memory, whatever its type: the entries it removes, rewrites or keeps, and the text it
 * adds. The guards reason about these, and a rejection remembers them, so that what a person refused is never
 * proposed again under another action type (a rejected prune coming back as a merge, say).
 */
import { shortHash } from '../text.js';
import type { Action, EntryRef } from '../types.js';

export interface Effects {
  /** Entries that are gone after the action. */
  removed: EntryRef[];
  /** Entries whose text the action replaces. */
  rewritten: EntryRef[];
  /** Entries a merge or resolve keeps (the side that stays). */
  kept: EntryRef[];
  /** New entry text. */
  added: string[];
}

export function effectsOf(action: Pick<Action, 'type' | 'targets' | 'content'>): Effects {
  const [first, ...rest] = action.targets;
  const added = action.content === undefined ? [] : [action.content];
  switch (action.type) {
    case 'add':
      return { removed: [], rewritten: [], kept: [], added };
    case 'prune':
      return { removed: action.targets, rewritten: [], kept: [], added: [] };
    case 'update':
      return { removed: [], rewritten: first ? [first] : [], kept: [], added };
    case 'merge':
    case 'resolve':
      return { removed: rest, rewritten: first && action.content !== undefined ? [first] : [], kept: first ? [first] : [], added };
  }
}

/** Text as a person reads it: case, spacing, list marks and closing punctuation do not make another note. */
export function comparableText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^([-*+]|\d+[.)])\s+/, ''))
    .join(' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!;:,\s]+$/, '')
    .trim();
}

/**
 * Keys under which a rejection remembers an action's effects: each entry it would have removed or rewritten (by
 * file and text), and each text it would have added (anywhere).
 */
export function effectKeys(action: Action): string[] {
  const { removed, rewritten, added } = effectsOf(action);
  return [
    ...[...removed, ...rewritten].map((ref) => `effect:removed:${shortHash(`${ref.path}\u0000${comparableText(ref.raw)}`, 16)}`),
    ...added.map((text) => `effect:added:${shortHash(comparableText(text), 16)}`),
  ];
}
