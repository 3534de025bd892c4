import type { Entry } from '../../memory/types.js';
import { codeSpans, idfTable, terms } from '../text.js';
import type { Action } from '../types.js';
import { makeAction, short } from './action.js';
import { conflictBetween, entryClaims, entryTerms, mentions, withoutReasons } from '../claims.js';
import { comparableText } from './effects.js';
import { factsOf, sameSection, writtenByPerson } from './harm.js';
import { differentSubjects } from './subjects.js';
import type { Workspace } from './workspace.js';

/** Shared weight over the smaller entry's weight at which two notes say the same thing. */
const DUPLICATE_THRESHOLD = 0.55;

/** Shared weight over the weight of both notes' words together, below which two notes are not one. */
const MIN_LIKENESS = 0.3;

/** The same two thresholds for notes that share a distinctive code span. */
const SPAN_DUPLICATE_THRESHOLD = 0.35;
const SPAN_MIN_LIKENESS = 0.2;

/**
 * Duplicates among the curated entries, merged into the most complete one. Paraphrases are merged only among the
 * entries cycles wrote, within one section and one subject, and only into an entry that keeps every fact of the
 * others; of what people wrote, only the same words twice in one section. Each cluster becomes one `merge` action,
 * applied before the next is looked for.
 */
export function planMerges(workspace: Workspace, otherApart: (a: Entry, b: Entry) => boolean = () => false): Action[] {
  const actions: Action[] = [];
  const refused = new Set<string>();
  const apart = (a: Entry, b: Entry) => !mayMerge(a, b, workspace) || otherApart(a, b);
  // Each pass finds every cluster of the memory as it stands; a note kept by one merge may join a cluster
  // of the next pass. Passes end when one finds nothing: each merge removes notes, each refusal rules some out.
  for (;;) {
    const entries = workspace.entries();
    // A note an earlier merge kept may join a later cluster: kept again, or folded into one that says all of it.
    // A note this cycle wrote may take in the old ones that say the same; it is never the one removed.
    const keeper = (cluster: Entry[]) => keeperOf(cluster, workspace);
    const candidates = entries.filter((e) => e.policy === 'dream' && !refused.has(`${e.path}\u0000${e.raw}`));
    // The memory as the last pass that found nothing left it (the same array: no action since), the same notes looked
    // at, kept apart the same way: this pass would find nothing again.
    if (foundNothing(entries, candidates, otherApart)) return actions;
    const clusters = allClusters(candidates, apart).filter((cluster) => {
      const keep = keeper(cluster);
      return keep !== undefined && keepsEveryFact(cluster, keep);
    });
    if (clusters.length === 0) {
      nothingFound.set(entries, { candidates, otherApart });
      return actions;
    }
    const nth = occurrenceNumbers(entries);
    let proposed = 0;
    for (const found of clusters) {
      const cluster = current(workspace, found, nth);
      if (!cluster) continue;
      const keep = keeper(cluster);
      if (!keep) continue;
      proposed++;
      const action = mergeAction(cluster, keep);
      if (workspace.propose(action)) actions.push(action);
      else cluster.forEach((e) => refused.add(`${e.path}\u0000${e.raw}`));
    }
    if (proposed === 0) return actions;
  }
}

/**
 * The passes that found no cluster, by the workspace's array of entries: a workspace gives the same array until an
 * action changes the memory, and everything a pass reads of it (the entries, who wrote them, what this plan wrote)
 * changes only with one. A second round of curation that follows no action would look at the same notes again.
 */
const nothingFound = new WeakMap<Entry[], { candidates: Entry[]; otherApart: (a: Entry, b: Entry) => boolean }>();

function foundNothing(entries: Entry[], candidates: Entry[], otherApart: (a: Entry, b: Entry) => boolean): boolean {
  const last = nothingFound.get(entries);
  return last !== undefined && last.otherApart === otherApart && last.candidates.length === candidates.length && last.candidates.every((e, i) => e === candidates[i]);
}

/**
 * The cluster's notes as they are now (earlier merges moved lines), or nothing if one of them is gone.
 * Notes are matched by file, text and occurrence: one file may hold the same line twice.
 */
function current(workspace: Workspace, cluster: Entry[], nth: Map<Entry, number>): Entry[] | undefined {
  const found = cluster.map((e) => workspace.occurrences(e.path, e.raw)[nth.get(e) ?? 0]);
  return found.every((e): e is Entry => e !== undefined) ? found : undefined;
}

/** Which occurrence of its text in its file each entry is, from 0. */
function occurrenceNumbers(entries: Entry[]): Map<Entry, number> {
  const seen = new Map<string, number>();
  return new Map(
    entries.map((e) => {
      const id = `${e.path}\u0000${e.raw}`;
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      return [e, n];
    }),
  );
}

/**
 * Whether two notes may be one: the same words in one section (or anywhere, when cycles wrote both), or a
 * paraphrase, when cycles wrote both and they share their section and subject.
 */
function mayMerge(a: Entry, b: Entry, workspace: Workspace): boolean {
  const person = writtenByPerson(a, workspace) || writtenByPerson(b, workspace);
  if (comparableText(a.text) === comparableText(b.text)) return sameSection(a, b) || !person;
  return !person && sameSection(a, b) && !differentSubjects(a, b);
}

/** The note a merge keeps: the one this cycle wrote, if one is in the cluster, else the most complete; none when two are. */
function keeperOf(cluster: Entry[], workspace: Workspace): Entry | undefined {
  const fresh = cluster.filter((e) => workspace.isFresh(e));
  if (fresh.length > 1) return undefined;
  return fresh[0] ?? mostComplete(cluster);
}

/** The note a merge keeps says everything the others say: their commands, names, numbers, addresses, prohibitions. */
function keepsEveryFact(cluster: Entry[], keep: Entry): boolean {
  const kept = keep.text.toLowerCase();
  return cluster.every((e) => e === keep || factsOf(e.text).every((fact) => (fact === '(a prohibition)' ? factsOf(keep.text).includes(fact) : kept.includes(fact.toLowerCase()) || mentions(keep.text, fact))));
}

/** Clusters of duplicates, each note in one at most, in the order of their first note. */
function allClusters(entries: Entry[], apart: (a: Entry, b: Entry) => boolean): Entry[][] {
  const lists = entries.map((e) => entryTerms(e));
  const weight = idfTable(lists);
  const profiles = new Map(entries.map((e, i) => [e, termProfile(lists[i] as string[], weight)]));
  const related = candidateIndex(entries, profiles, weight);
  const clustered = new Set<number>();
  const clusters: Entry[][] = [];
  for (let i = 0; i < entries.length; i++) {
    if (clustered.has(i)) continue;
    const a = entries[i] as Entry;
    const cluster = [a];
    const members = [i];
    for (const j of related(i)) {
      const b = entries[j] as Entry;
      if (clustered.has(j) || b.namespace !== a.namespace) continue;
      if (cluster.every((member) => isDuplicate(member, b, profiles, weight) && !apart(member, b))) {
        cluster.push(b);
        members.push(j);
      }
    }
    if (cluster.length > 1) {
      members.forEach((m) => clustered.add(m));
      clusters.push(cluster);
    }
  }
  return clusters;
}

/**
 * For entry i, the later entries (in order) that could be its duplicate: the same text, or, in its own section, one
 * of the words that carry most of its weight. Two notes may be merged only within one section unless they say the
 * same words (mayMerge), so no pair across sections is looked at. Two duplicates share at least MIN_LIKENESS of
 * either's weight, so the words of `a` outside the shared ones weigh at most 1 − MIN_LIKENESS of it: a duplicate of
 * `a` must share one of a's heaviest words that together weigh more than that. Comparing only these pairs finds the
 * same clusters as comparing all of them, without the pairs that share only common words or no section.
 */
function candidateIndex(entries: Entry[], profiles: Map<Entry, TermProfile>, weight: (t: string) => number): (i: number) => number[] {
  // Entries by section, then by term: a map per section rather than keys made of both, which cost a string each.
  const bySection = new Map<string, Map<string, number[]>>();
  const byText = new Map<string, number[]>();
  const texts = entries.map((entry) => comparableText(entry.text));
  const place = entries.map((entry) => {
    const key = sectionKey(entry);
    let byTerm = bySection.get(key);
    if (!byTerm) bySection.set(key, (byTerm = new Map()));
    return byTerm;
  });
  entries.forEach((entry, index) => {
    const byTerm = place[index] as Map<string, number[]>;
    for (const term of (profiles.get(entry) as TermProfile).distinct) {
      const list = byTerm.get(term);
      if (list) list.push(index);
      else byTerm.set(term, [index]);
    }
    const text = texts[index] as string;
    const list = byText.get(text);
    if (list) list.push(index);
    else byText.set(text, [index]);
  });
  // The entry's distinct terms, heaviest first (ties by the term), up to those that weigh more than 1 − MIN_LIKENESS of
  // them all; the total is summed in that order.
  const heaviest = (entry: Entry): string[] => {
    const { distinct } = profiles.get(entry) as TermProfile;
    const weights = distinct.map(weight);
    const ranked = distinct.map((_, k) => k).sort((x, y) => (weights[y] as number) - (weights[x] as number) || ((distinct[x] as string) < (distinct[y] as string) ? -1 : 1));
    let total = 0;
    for (const k of ranked) total += weights[k] as number;
    const prefix: string[] = [];
    let sum = 0;
    for (const k of ranked) {
      prefix.push(distinct[k] as string);
      sum += weights[k] as number;
      if (sum > (1 - MIN_LIKENESS) * total + 1e-9) break;
    }
    return prefix;
  };
  // b may be found through a's heavy words or a through b's: a pair is a candidate either way.
  const partners: (Set<number> | undefined)[] = new Array(entries.length);
  const link = (x: number, y: number) => {
    if (x === y) return;
    const lo = x < y ? x : y;
    const hi = x < y ? y : x;
    (partners[lo] ??= new Set()).add(hi);
  };
  entries.forEach((entry, i) => {
    for (const j of byText.get(texts[i] as string) ?? []) link(i, j);
    const byTerm = place[i] as Map<string, number[]>;
    for (const term of heaviest(entry)) for (const j of byTerm.get(term) ?? []) link(i, j);
  });
  return (i) => [...(partners[i] ?? [])].sort((x, y) => x - y);
}

/** For each entry, the later ones allClusters compares it with, in order: candidateIndex's answer, for its tests. */
export function duplicateCandidates(entries: Entry[]): number[][] {
  const lists = entries.map((e) => entryTerms(e));
  const weight = idfTable(lists);
  const profiles = new Map(entries.map((e, i) => [e, termProfile(lists[i] as string[], weight)]));
  const related = candidateIndex(entries, profiles, weight);
  return entries.map((_, i) => related(i));
}

/** The file and section an entry is in, as one key (sameSection of harm.ts, as a string). */
function sectionKey(entry: Pick<Entry, 'path' | 'section'>): string {
  return [entry.path, ...entry.section].join('\u0000');
}

/**
 * An entry's terms as the pairwise comparison reads them, worked out once per entry rather than once per pair: the
 * list, its distinct terms in order and their total weight (summed in the same order as weightedOverlap and
 * weightedJaccard sum them, so the figures are the same to the last bit).
 */
interface TermProfile {
  list: string[];
  distinct: string[];
  set: Set<string>;
  total: number;
}

function termProfile(list: string[], weight: (t: string) => number): TermProfile {
  const distinct = [...new Set(list)];
  let total = 0;
  for (const t of distinct) total += weight(t);
  return { list, distinct, set: new Set(distinct), total };
}

function isDuplicate(a: Entry, b: Entry, profiles: Map<Entry, TermProfile>, weight: (t: string) => number): boolean {
  if (a.raw.trim() === b.raw.trim()) return true;
  const pa = profiles.get(a) ?? termProfile([], weight);
  const pb = profiles.get(b) ?? termProfile([], weight);
  // Containment finds a short note inside a long one; likeness keeps a long note on another subject that
  // happens to mention the short one's words ("run `pnpm install` first") from swallowing it.
  // These two are cheap and rule out most pairs, so they go before the checks that read the texts again.
  // The same distinctive code span in both (`CARRIER_ENV=sandbox`, `make migrate`) says they are about one
  // thing, so a looser likeness will do; otherwise a note must be mostly the other's words.
  const [overlap, likeness] = sharedSpan(a, b) ? [SPAN_DUPLICATE_THRESHOLD, SPAN_MIN_LIKENESS] : [DUPLICATE_THRESHOLD, MIN_LIKENESS];
  // Likeness is at most the lighter note's weight over the heavier one's: notes of too unequal weights are not
  // compared term by term.
  if (Math.min(pa.total, pb.total) < likeness * Math.max(pa.total, pb.total)) return false;
  let sharedCount = 0;
  for (const t of pa.list) if (pb.set.has(t)) sharedCount++;
  if (sharedCount < 2) return false;
  // weightedOverlap and weightedJaccard of text.ts, from the profiles.
  let shared = 0;
  for (const t of pa.distinct) if (pb.set.has(t)) shared += weight(t);
  let union = pa.total;
  for (const t of pb.distinct) if (!pa.set.has(t)) union += weight(t);
  const contained = shared / Math.min(pa.total, pb.total);
  const alike = union === 0 ? 0 : shared / union;
  if (contained < overlap || alike < likeness) return false;
  if (conflictBetween(entryClaims(a), entryClaims(b))) return false;
  return !differentAnchors(a, b) && !differentUrls(a, b) && anchorsContained(a, b, pa.list, pb.list);
}

function sharedSpan(a: Entry, b: Entry): boolean {
  const spans = distinctiveSpans(a);
  return spans.size > 0 && [...distinctiveSpans(b)].some((s) => spans.has(s));
}

/** An entry's code spans that name one thing (`CARRIER_ENV=sandbox`, `make migrate`), read once per entry. */
const spansOf = new WeakMap<Entry, Set<string>>();

function distinctiveSpans(entry: Entry): Set<string> {
  let spans = spansOf.get(entry);
  if (!spans) {
    spans = new Set(codeSpans(withoutReasons(entry.text)).filter((span) => span.length >= 6 && (/\s/.test(span) || /[=_./:-]/.test(span))));
    spansOf.set(entry, spans);
  }
  return spans;
}

/** Two notes that each give an address, and not the same one, are about two places (an API, a dashboard). */
function differentUrls(a: Entry, b: Entry): boolean {
  const urls = (e: Entry) => new Set((e.text.match(/https?:\/\/[^\s)`'",;]+/g) ?? []).map((u) => u.replace(/[./]+$/, '').toLowerCase()));
  const ua = urls(a);
  const ub = urls(b);
  return ua.size > 0 && ub.size > 0 && ![...ua].some((u) => ub.has(u));
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

function mergeAction(cluster: Entry[], keep: Entry): Action {
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
