import type { Entry } from '../../memory/types.js';
import { quote, shortHash } from '../text.js';
import type { Action, ActionType, EntryRef, Evidence } from '../types.js';

export interface ActionDraft {
  type: ActionType;
  summary: string;
  rationale: string;
  evidence?: Evidence[];
  targets?: Entry[];
  content?: string;
  destination?: { path: string; section: string };
  patterns?: string[];
  /** What makes this action the same action in a later cycle (defaults to the type and the targets' text). */
  identity?: string;
  /** For a prune: the entry that still says what memory needs. */
  keeps?: Entry;
}

export function refOf(entry: Entry): EntryRef {
  return { path: entry.path, id: entry.id, raw: entry.raw };
}

/** Builds an action with its id and fingerprint; both derive from what it does, never from the clock. */
export function makeAction(draft: ActionDraft): Action {
  const targets = (draft.targets ?? []).map(refOf);
  // The path is part of what an action is: the same sentence in two files is two entries.
  const identity = draft.identity ?? targets.map((t) => shortHash(`${t.path}\u0000${t.raw.trim()}`, 12)).sort().join(',');
  const fingerprint = `${draft.type}:${identity}`;
  const paths = [...new Set([...(draft.destination ? [draft.destination.path] : []), ...targets.map((t) => t.path)])];
  const action: Action = {
    id: shortHash(fingerprint),
    type: draft.type,
    paths,
    summary: quote(draft.summary, 72),
    rationale: draft.rationale,
    evidence: draft.evidence ?? [],
    targets,
    fingerprint,
    patterns: draft.patterns ?? [],
  };
  if (draft.content !== undefined) action.content = draft.content;
  if (draft.destination) action.destination = draft.destination;
  if (draft.keeps) action.keeps = refOf(draft.keeps);
  return action;
}

/** A short quoted form of an entry for summaries and rationales. */
export function short(entry: Entry | string, max = 48): string {
  const text = typeof entry === 'string' ? entry : entry.text;
  return `"${quote(text.split('\n')[0] ?? '', max)}"`;
}
