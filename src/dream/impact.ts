/**
 * What a cycle does to memory as a whole, which a reviewer reads before any single action: entries and tokens before
 * and after, the share of entries it removes, and what it warns about or asks. Pure: from the cycle's record.
 */
import { effectsOf } from './curate/effects.js';
import type { Action, EntryRef, Notice, PlanStats } from './types.js';

export interface MemoryImpact {
  entries: { before: number; after: number };
  tokens: { before: number; after: number };
  added: number;
  rewritten: number;
  removed: number;
  /** Removed entries over the entries before, 0 to 1. */
  removedShare: number;
  budget: Extract<Notice, { kind: 'budget' }>[];
  questions: Extract<Notice, { kind: 'question' }>[];
}

export function memoryImpact(stats: PlanStats, actions: readonly Action[], notices: readonly Notice[] = []): MemoryImpact {
  let added = 0;
  let rewritten = 0;
  let removed = 0;
  for (const action of actions) {
    const effects = effectsOf(action);
    removed += effects.removed.length;
    rewritten += effects.rewritten.length;
    if (action.type === 'add') added++;
  }
  const after = stats.entries_after ?? stats.entries + added - removed;
  return {
    entries: { before: stats.entries, after },
    tokens: { before: stats.tokens_before, after: stats.tokens_after },
    added,
    rewritten,
    removed,
    removedShare: stats.entries === 0 ? 0 : removed / stats.entries,
    budget: notices.filter((n): n is Extract<Notice, { kind: 'budget' }> => n.kind === 'budget'),
    questions: notices.filter((n): n is Extract<Notice, { kind: 'question' }> => n.kind === 'question'),
  };
}

/** One line for a terminal or a PR: `memory: 42 → 47 entries (5 added, 1 rewritten, 1 removed, 2%), ~3,120 → 3,410 tokens`. */
export function impactLine(impact: MemoryImpact): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = [`${impact.added} added`, `${impact.rewritten} rewritten`, `${impact.removed} removed (${percent(impact.removedShare)})`];
  return `memory: ${n(impact.entries.before)} → ${n(impact.entries.after)} entries (${parts.join(', ')}), ~${n(impact.tokens.before)} → ${n(impact.tokens.after)} tokens`;
}

function percent(share: number): string {
  const value = share * 100;
  return `${value > 0 && value < 1 ? value.toFixed(1) : Math.round(value)}%`;
}

/** What a reviewer reads beside one action: the entry that stays, the ones that go, the text it writes. */
export interface KeptAndGone {
  kept?: EntryRef;
  gone: EntryRef[];
  /** The entry the action rewrites, and its new text. */
  rewrites?: { from: EntryRef; to: string };
  added?: string;
}

export function keptAndGone(action: Action): KeptAndGone {
  const effects = effectsOf(action);
  const kept = effects.kept[0] ?? action.keeps;
  const result: KeptAndGone = { gone: effects.removed };
  if (kept) result.kept = kept;
  const [from] = effects.rewritten;
  if (from && action.content !== undefined) result.rewrites = { from, to: action.content };
  if (action.type === 'add' && action.content !== undefined) result.added = action.content;
  return result;
}
