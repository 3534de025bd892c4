import type { Entry } from '../../memory/types.js';
import { codeSpans, idfTable, terms, weightedJaccard, weightedOverlap } from '../text.js';
import type { Action } from '../types.js';
import { makeAction, short } from './action.js';
import { conflictBetween, entryClaims, mentions, withoutReasons } from '../claims.js';
import type { Workspace } from './workspace.js';

/** Shared weight over the smaller entry's weight at which two notes say the same thing. */
const DUPLICATE_THRESHOLD = 0.55;

/** Shared weight over the weight of both notes' words together, below which two notes are not one. */
const MIN_LIKENESS = 0.3;

/**
 * Paraphrased duplicates among the curated entries of each namespace, merged into the most complete one.
 * Each cluster becomes one `merge` action, applied before the next is looked for.
 */
export function planMerges(workspace: Workspace): Action[] {
  const actions: Action[] = [];
  const refused = new Set<string>();
  for (;;) {
    const cluster = nextCluster(workspace.entries().filter((e) => e.policy === 'dream' && !refused.has(e.raw)));
    if (!cluster) return actions;
    const action = mergeAction(cluster);
    if (workspace.propose(action)) actions.push(action);
    else cluster.forEach((e) => refused.add(e.raw));
  }
}

function nextCluster(entries: Entry[]): Entry[] | undefined {
  const termsOf = new Map(entries.map((e) => [e, terms(withoutReasons(e.text))]));
  const weight = idfTable([...termsOf.values()]);
  const related = sharingIndex(entries, termsOf);
  for (let i = 0; i < entries.length; i++) {
    const a = entries[i] as Entry;
    const cluster = [a];
    // Only entries that share a word with `a`, or its exact text, can join its cluster: the rest fail isDuplicate(a, ·).
    for (const j of related(i)) {
      const b = entries[j] as Entry;
      if (b.namespace !== a.namespace) continue;
      if (cluster.every((member) => isDuplicate(member, b, termsOf, weight))) cluster.push(b);
    }
    if (cluster.length > 1) return cluster;
  }
  return undefined;
}

/** For entry i, the later entries (in order) that share a term with it or have the same text. */
function sharingIndex(entries: Entry[], termsOf: Map<Entry, string[]>): (i: number) => number[] {
  const byTerm = new Map<string, number[]>();
  const byText = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    for (const term of termsOf.get(entry) ?? []) (byTerm.get(term) ?? byTerm.set(term, []).get(term))?.push(index);
    const text = entry.raw.trim();
    (byText.get(text) ?? byText.set(text, []).get(text))?.push(index);
  });
  return (i) => {
    const entry = entries[i] as Entry;
    const found = new Set<number>(byText.get(entry.raw.trim()) ?? []);
    for (const term of termsOf.get(entry) ?? []) for (const j of byTerm.get(term) ?? []) found.add(j);
    return [...found].filter((j) => j > i).sort((x, y) => x - y);
  };
}

function isDuplicate(a: Entry, b: Entry, termsOf: Map<Entry, string[]>, weight: (t: string) => number): boolean {
  const ta = termsOf.get(a) ?? [];
  const tb = termsOf.get(b) ?? [];
  if (a.raw.trim() === b.raw.trim()) return true;
  const shared = ta.filter((t) => tb.includes(t));
  if (shared.length < 2) return false;
  if (conflictBetween(entryClaims(a), entryClaims(b))) return false;
  if (differentAnchors(a, b) || !anchorsContained(a, b, ta, tb)) return false;
  // Containment finds a short note inside a long one; likeness keeps a long note on another subject that
  // happens to mention the short one's words ("run `pnpm install` first") from swallowing it.
  return weightedOverlap(ta, tb, weight) >= DUPLICATE_THRESHOLD && weightedJaccard(ta, tb, weight) >= MIN_LIKENESS;
}

/** Notes that name different numbers for the same thing are a contradiction, not a duplicate. */
function differentAnchors(a: Entry, b: Entry): boolean {
  const numbers = (e: Entry) => new Set(e.text.match(/\b\d{2,}\b/g) ?? []);
  const na = numbers(a);
  const nb = numbers(b);
  return na.size > 0 && nb.size > 0 && ![...na].some((n) => nb.has(n));
}

/**
 * The shorter note's anchors (numbers, the words of its code spans) must all be in the longer one: a note
 * about `npm install` is no duplicate of one about `pip install`, however many other words they share.
 */
function anchorsContained(a: Entry, b: Entry, ta: string[], tb: string[]): boolean {
  const [small, large, largeTerms] = ta.length <= tb.length ? [a, b, tb] : [b, a, ta];
  const smallText = withoutReasons(small.text);
  const largeText = withoutReasons(large.text);
  const numbers = new Set([...largeTerms, ...(largeText.match(/\b\d{2,}\b/g) ?? [])]);
  // A command must appear as itself: `npm install` is not in a note that says `pnpm install` and "npm error".
  return (smallText.match(/\b\d{2,}\b/g) ?? []).every((n) => numbers.has(n)) && codeSpans(smallText).every((span) => mentions(largeText, span));
}

function mergeAction(cluster: Entry[]): Action {
  const keep = mostComplete(cluster);
  const ordered = [keep, ...cluster.filter((e) => e !== keep)];
  const topic = sharedTopic(cluster);
  return makeAction({
    type: 'merge',
    targets: ordered,
    summary: `combine ${cluster.length} notes on ${topic}`,
    rationale:
      `${cluster.length} entries say the same thing in different words; keeping the most complete one, ${short(keep, 80)}, ` +
      `and removing ${cluster
        .filter((e) => e !== keep)
        .map((e) => `${short(e, 60)} (${e.path}:${e.line})`)
        .join(', ')}.`,
  });
}

/** The entry that carries the most of what the cluster says: its commands, numbers and words. */
function mostComplete(cluster: Entry[]): Entry {
  const all = new Set(cluster.flatMap((e) => [...terms(e.text), ...codeSpans(e.text)]));
  const score = (e: Entry) => {
    const own = new Set([...terms(e.text), ...codeSpans(e.text)]);
    return [...all].filter((t) => own.has(t)).length;
  };
  return [...cluster].sort((a, b) => score(b) - score(a) || a.path.localeCompare(b.path) || a.line - b.line)[0] as Entry;
}

/** A few words the notes share, as written in the first of them (not as stemmed for matching). */
function sharedTopic(cluster: Entry[]): string {
  const [first, ...rest] = cluster.map((e) => terms(e.text));
  const shared = new Set((first ?? []).filter((t) => rest.every((r) => r.includes(t)) && !/^\d+$/.test(t)));
  const words: string[] = [];
  for (const word of (cluster[0]?.text ?? '').match(/[A-Za-z][\w-]*/g) ?? []) {
    const [term] = terms(word);
    if (term && shared.has(term) && !words.some((w) => terms(w)[0] === term)) words.push(word.toLowerCase());
  }
  return words.slice(0, 3).join(', ') || 'one subject';
}
