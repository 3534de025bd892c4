/**
 * What a change to memory did, per namespace: entries added, changed, merged, pruned, and the net tokens. Pure.
 *
 * The net difference decides which entries came and went (matched by text, formatting aside); the commits decide,
 * where they can, why. A dream cycle's commits say it in their trailers (`Reverie-Action: merge`), handed in as
 * hints by entry text. What no commit explains (a hand edit, a squash of several actions) is read from the entries
 * alone: an old entry whose words mostly live on in another entry went into it (one into a new entry: changed;
 * several, or into one that was already there: merged); one swapped one for one with a new entry at its place was
 * changed; the rest was pruned, and new entries nothing went into were added.
 */
import { diffArrays } from 'diff';
import { entriesOf } from './entries.js';
import { parseDocument } from './markdown.js';
import { estimateTokens } from './tokens.js';
import type { Entry, MemorySnapshot, Policy } from './types.js';

export interface NamespaceChange {
  namespace: string;
  policy: Policy;
  budgetTokens?: number;
  added: number;
  /** Entries rewritten: one old entry became one new one. */
  changed: number;
  /** Old entries folded into another entry (a new one, or one that was already there). */
  merged: number;
  /** Old entries removed with nothing taking in their content. */
  pruned: number;
  unchanged: number;
  entriesBefore: number;
  entriesAfter: number;
  /** Estimated tokens of the namespace's files, as the agent loads them. */
  tokensBefore: number;
  tokensAfter: number;
  netTokens: number;
}

/** Why entries came and went, by entry text, as the commits that did it say (`add`, `update`, `resolve`, `merge`, `prune`). */
export interface ChangeHints {
  removed: ReadonlyMap<string, string>;
  added: ReadonlyMap<string, string>;
}

export const NO_HINTS: ChangeHints = { removed: new Map(), added: new Map() };

/** Share of an old entry's words that must live on in another entry for it to count as gone into that one. */
export const CARRIED_OVER = 0.5;

/** One line per namespace of `after` (the namespaces both snapshots must share), in configuration order. */
export function namespaceChanges(before: MemorySnapshot, after: MemorySnapshot, hints: ChangeHints = NO_HINTS): NamespaceChange[] {
  return after.namespaces.map((namespace) => {
    const counts = classify(entriesIn(before, namespace.name), entriesIn(after, namespace.name), hints);
    const tokensBefore = tokensIn(before, namespace.name);
    const tokensAfter = tokensIn(after, namespace.name);
    return {
      namespace: namespace.name,
      policy: namespace.policy,
      ...(namespace.budgetTokens !== undefined ? { budgetTokens: namespace.budgetTokens } : {}),
      ...counts,
      tokensBefore,
      tokensAfter,
      netTokens: tokensAfter - tokensBefore,
    };
  });
}

/** Whether a change touched nothing. */
export function isUnchanged(change: NamespaceChange): boolean {
  return change.added + change.changed + change.merged + change.pruned === 0 && change.netTokens === 0;
}

/** The entry texts one commit removed from a file and added to it (as multisets), for hints. */
export function entryTextChanges(path: string, before: string | undefined, after: string | undefined): { removed: string[]; added: string[] } {
  const texts = (text: string | undefined) => (text === undefined ? [] : entriesOf(parseDocument(path, text), '', 'dream').map((e) => e.text));
  const old = texts(before);
  const next = texts(after);
  return { removed: multisetMinus(old, next), added: multisetMinus(next, old) };
}

function entriesIn(snapshot: MemorySnapshot, namespace: string): Entry[] {
  return snapshot.files.filter((file) => file.namespace === namespace).flatMap((file) => file.entries);
}

function tokensIn(snapshot: MemorySnapshot, namespace: string): number {
  return snapshot.files.filter((file) => file.namespace === namespace).reduce((sum, file) => sum + estimateTokens(file.document.text), 0);
}

type Counts = Pick<NamespaceChange, 'added' | 'changed' | 'merged' | 'pruned' | 'unchanged' | 'entriesBefore' | 'entriesAfter'>;

const REWRITES = new Set(['update', 'resolve']);

/** The bookkeeping of one namespace's classification. */
interface Tally {
  counts: Pick<NamespaceChange, 'added' | 'changed' | 'merged' | 'pruned'>;
  /** New entries whose presence is explained (a rewrite's new text, a merge's result, a pairing). */
  explained: Set<Entry>;
  /** Old entries traced into each entry after the change. */
  sources: Map<Entry, number>;
}

function classify(before: Entry[], after: Entry[], hints: ChangeHints): Counts {
  const fresh = notIn(after, before);
  const gone = notIn(before, after);
  const tally: Tally = { counts: { added: 0, changed: 0, merged: 0, pruned: 0 }, explained: new Set(), sources: new Map() };
  const unexplained = gone.filter((old) => !applyHint(old, fresh, hints, tally));
  for (const entry of fresh) if (hints.added.get(entry.text) === 'merge' || REWRITES.has(hints.added.get(entry.text) ?? '')) tally.explained.add(entry);
  const leftover = traceByWords(unexplained, after, new Set(fresh), tally);
  const unpaired = pairInPlace(leftover, before, after, fresh, tally);
  tally.counts.pruned += unpaired.length;
  countNewEntries(after, new Set(fresh), tally);
  return { ...tally.counts, unchanged: before.length - gone.length, entriesBefore: before.length, entriesAfter: after.length };
}

/** What a commit said about an old entry; false when nothing did. */
function applyHint(old: Entry, fresh: Entry[], hints: ChangeHints, tally: Tally): boolean {
  const action = hints.removed.get(old.text);
  if (action === 'prune') tally.counts.pruned++;
  else if (action === 'merge') tally.counts.merged++;
  else if (action && REWRITES.has(action)) {
    tally.counts.changed++;
    const isRewrite = (entry: Entry) => !tally.explained.has(entry) && REWRITES.has(hints.added.get(entry.text) ?? '');
    const rewrite = fresh.find((entry) => isRewrite(entry) && entry.path === old.path) ?? fresh.find(isRewrite);
    if (rewrite) tally.explained.add(rewrite);
  } else return false;
  return true;
}

/** Old entries traced by their words into an entry after the change; returns those that went nowhere. */
function traceByWords(old: Entry[], after: Entry[], fresh: ReadonlySet<Entry>, tally: Tally): Entry[] {
  const candidates = after.map((entry) => ({ entry, words: wordsOf(entry.text) }));
  return old.filter((entry) => {
    const target = destinationOf(entry, candidates, fresh);
    if (target) tally.sources.set(target, (tally.sources.get(target) ?? 0) + 1);
    return !target;
  });
}

/**
 * Old entries replaced in place: where, between two entries that stayed, one old entry made way for one new entry
 * that nothing else explains, the old one was changed. Returns the old entries left over.
 */
function pairInPlace(old: Entry[], before: Entry[], after: Entry[], fresh: Entry[], tally: Tally): Entry[] {
  const open = new Set(old);
  const freshSet = new Set(fresh);
  const available = (entry: Entry) => freshSet.has(entry) && !tally.explained.has(entry) && !tally.sources.has(entry);
  // Only a clean swap, one for one: with more on either side, which replaced which is a guess.
  const pair = (removed: Entry[], added: Entry[]) => {
    const [partner, ...moreRemoved] = removed.filter((entry) => open.has(entry));
    const [replacement, ...moreAdded] = added.filter(available);
    if (!partner || !replacement || moreRemoved.length > 0 || moreAdded.length > 0) return;
    open.delete(partner);
    tally.explained.add(replacement);
    tally.counts.changed++;
  };
  for (const path of new Set(old.map((entry) => entry.path))) {
    const hunk = { removed: [] as Entry[], added: [] as Entry[] };
    const parts = diffArrays(before.filter((e) => e.path === path), after.filter((e) => e.path === path), { comparator: (a, b) => a.text === b.text });
    for (const part of parts) {
      if (part.removed) hunk.removed.push(...part.value);
      else if (part.added) hunk.added.push(...part.value);
      else {
        pair(hunk.removed, hunk.added);
        hunk.removed = [];
        hunk.added = [];
      }
    }
    pair(hunk.removed, hunk.added);
  }
  return old.filter((entry) => open.has(entry));
}

function countNewEntries(after: Entry[], fresh: ReadonlySet<Entry>, tally: Tally): void {
  for (const entry of after) {
    const n = tally.sources.get(entry) ?? 0;
    if (!fresh.has(entry) || tally.explained.has(entry)) tally.counts.merged += n;
    else if (n === 0) tally.counts.added++;
    else if (n === 1) tally.counts.changed++;
    else tally.counts.merged += n;
  }
}

/** The entries of `side` whose text `other` does not have (as a multiset: a second copy of a text is its own entry). */
function notIn(side: Entry[], other: Entry[]): Entry[] {
  const pool = counts(other.map((entry) => entry.text));
  return side.filter((entry) => !take(pool, entry.text));
}

function multisetMinus(side: string[], other: string[]): string[] {
  const pool = counts(other);
  return side.filter((text) => !take(pool, text));
}

function counts(texts: string[]): Map<string, number> {
  const pool = new Map<string, number>();
  for (const text of texts) pool.set(text, (pool.get(text) ?? 0) + 1);
  return pool;
}

/** Takes one `text` out of the pool; false when there was none left. */
function take(pool: Map<string, number>, text: string): boolean {
  const left = pool.get(text) ?? 0;
  if (left === 0) return false;
  pool.set(text, left - 1);
  return true;
}

/** The entry after the change that holds most of `old`'s words (a new entry on a tie), if it holds enough of them. */
function destinationOf(old: Entry, candidates: { entry: Entry; words: ReadonlySet<string> }[], fresh: ReadonlySet<Entry>): Entry | undefined {
  const words = wordsOf(old.text);
  if (words.size === 0) return undefined;
  let best: { entry: Entry; share: number } | undefined;
  for (const { entry, words: theirs } of candidates) {
    const share = carried(words, theirs);
    if (share < CARRIED_OVER) continue;
    const better = !best || share > best.share || (share === best.share && fresh.has(entry) && !fresh.has(best.entry));
    if (better) best = { entry, share };
  }
  return best?.entry;
}

function carried(words: ReadonlySet<string>, into: ReadonlySet<string>): number {
  let kept = 0;
  for (const word of words) if (into.has(word)) kept++;
  return kept / words.size;
}

const STOP_WORDS = new Set('a an and are as at be by for from in is it of on or that the this to with'.split(' '));

function wordsOf(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !STOP_WORDS.has(word)));
}
