import { isGeneric, shortHash, terms as termsOf } from '../text.js';
import { intentOf } from './intents.js';
import type { PatternRecord } from '../types.js';

/** A sentence in which a person states how they want things done, reduced to what clustering compares. */
export interface Statement {
  terms: string[];
  prefer: string[];
  avoid: string[];
  /** The family of corrections the statement belongs to (intents.ts), whatever its words. */
  intent?: string | undefined;
}

/** A preference as one session states it, reduced to what clustering compares. */
export function statementOf(observation: { terms: string[]; prefer?: string[]; avoid?: string[]; quote: string }): Statement {
  return { terms: observation.terms, prefer: observation.prefer ?? [], avoid: observation.avoid ?? [], intent: intentOf(observation.quote) };
}

/**
 * A word anchors a preference when it recurs in such statements and is mostly said in them: "emoji",
 * "slog" or "utc" in "no emojis in PR text" and "keep emojis out of commits", but not "table", which
 * the tasks themselves keep using ("add a column to the orders table").
 */
const ANCHOR_SHARE = 0.5;

/** An anchor people say only in such statements (almost never in the tasks themselves) is enough on its own. */
const EXCLUSIVE = 0.9;

/** Two anchors that mostly appear in the same statements name one preference ("rg" and "grep"). */
const SAME_PREFERENCE = 0.67;

/**
 * Pattern keys for this cycle's preference statements. People say a preference in other words each
 * time, so statements are grouped by the words that anchor them rather than by their whole text; the
 * quotes of earlier cycles' preference records take part, so that a statement joins the record it
 * continues. Pure and deterministic: the same statements always get the same keys.
 *
 * `userTerms` counts, per term, the sentences people typed in this cycle's sessions that contain it.
 */
export function preferenceKeys(statements: Statement[], userTerms: ReadonlyMap<string, number>, records: Record<string, PatternRecord>): string[] {
  const docs: Doc[] = statements.map((s) => ({ ...s, terms: unique(s.terms) }));
  for (const [key, record] of Object.entries(records)) {
    if (record.kind !== 'preference') continue;
    for (const q of record.quotes) docs.push({ terms: unique(termsOf(q.quote)), prefer: record.prefer ?? [], avoid: record.avoid ?? [], record: key, intent: intentOf(q.quote) });
  }
  const postings = invert(docs);
  const quoted = invert(docs.filter((d) => d.record !== undefined));
  // Quotes of earlier records are sentences people typed too, though not in this cycle's sessions.
  const share = (t: string) => (postings.get(t)?.length ?? 0) / Math.max(1, (userTerms.get(t) ?? 0) + (quoted.get(t)?.length ?? 0));
  const anchors = new Set([...postings.keys()].filter((t) => isAnchor(t, postings, share)));
  const groupOf = anchorGroups(anchors, postings);
  const specificity = (t: string) => share(t) * Math.log(1 + (postings.get(t)?.length ?? 0));

  // A known family of corrections is one cluster, in whatever words; the rest is grouped by the words that anchor it.
  const exclusive = (t: string) => anchors.has(t) && share(t) >= EXCLUSIVE;
  const candidates = docs.map((doc) => (doc.intent ? [] : groupsByWeight(doc, anchors, groupOf, specificity)));
  const first = cohesive(docs, candidates.map((groups) => groups[0]), exclusive);
  const clusterOf = cohesive(docs, regrouped(docs, candidates, first, exclusive), exclusive).map(
    (cluster, i) => (docs[i]?.intent ? `intent:${docs[i]?.intent}` : cluster),
  );
  const stances = stancesOf(docs, clusterOf);
  const keyOfCluster = new Map<string, string>();
  docs.forEach((doc, i) => {
    const cluster = clusterOf[i];
    if (cluster === undefined || doc.record === undefined) return;
    const id = `${cluster}|${stances[i]}`;
    const current = keyOfCluster.get(id);
    if (current === undefined || moreEstablished(doc.record, current, records)) keyOfCluster.set(id, doc.record);
  });
  return statements.map((s, i) => {
    const cluster = clusterOf[i];
    if (cluster === undefined) return `preference:${shortHash([...unique(s.terms)].sort().join(' '), 10)}`;
    const id = `${cluster}|${stances[i]}`;
    return keyOfCluster.get(id) ?? `preference:${shortHash(id, 10)}`;
  });
}

interface Doc extends Statement {
  /** Set on quotes of an earlier record: the key that record has. */
  record?: string;
}

function unique(terms: string[]): string[] {
  return [...new Set(terms)];
}

function invert(docs: Doc[]): Map<string, number[]> {
  const postings = new Map<string, number[]>();
  docs.forEach((doc, i) => {
    for (const t of doc.terms) {
      const list = postings.get(t);
      if (list) list.push(i);
      else postings.set(t, [i]);
    }
  });
  return postings;
}

function isAnchor(term: string, postings: Map<string, number[]>, share: (t: string) => number): boolean {
  if (/^\d+$/.test(term) || isGeneric(term)) return false;
  return (postings.get(term)?.length ?? 0) >= 2 && share(term) >= ANCHOR_SHARE;
}

/** Anchors joined when their statements mostly coincide; each group is named by its smallest anchor. */
function anchorGroups(anchors: Set<string>, postings: Map<string, number[]>): Map<string, string> {
  const parent = new Map<string, string>([...anchors].map((a) => [a, a]));
  const find = (a: string): string => {
    let root = a;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(a, root);
    return root;
  };
  const sorted = [...anchors].sort();
  const docsOf = new Map(sorted.map((a) => [a, new Set(postings.get(a))]));
  const anchorsIn = new Map<number, string[]>();
  for (const a of sorted) for (const i of docsOf.get(a) ?? []) (anchorsIn.get(i) ?? anchorsIn.set(i, []).get(i))?.push(a);
  const pairs = new Map<string, number>();
  for (const inDoc of anchorsIn.values()) {
    for (let x = 0; x < inDoc.length; x++) {
      for (let y = x + 1; y < inDoc.length; y++) {
        const pair = `${inDoc[x]}\u0000${inDoc[y]}`;
        pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
      }
    }
  }
  for (const [pair, shared] of [...pairs].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const [a, b] = pair.split('\u0000') as [string, string];
    const union = (docsOf.get(a)?.size ?? 0) + (docsOf.get(b)?.size ?? 0) - shared;
    if (shared / union >= SAME_PREFERENCE) {
      const [ra, rb] = [find(a), find(b)];
      if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
    }
  }
  return new Map(sorted.map((a) => [a, find(a)]));
}

/** The groups of the statement's anchors, the one whose anchors weigh most in it first; none when it has no anchor. */
function groupsByWeight(doc: Doc, anchors: Set<string>, groupOf: Map<string, string>, specificity: (t: string) => number): string[] {
  const score = new Map<string, number>();
  for (const t of doc.terms) {
    if (!anchors.has(t)) continue;
    const group = groupOf.get(t) as string;
    score.set(group, (score.get(group) ?? 0) + specificity(t));
  }
  return [...score].sort(([ga, a], [gb, b]) => b - a || (ga < gb ? -1 : 1)).map(([group]) => group);
}

/**
 * A statement its heaviest group would not hold may belong with another of its anchors: "No emojis in commit
 * messages" weighs "commit" most, yet it goes with "Don't put emojis in PR titles", whose heaviest word is another.
 * Each such statement joins the other group where most statements (those held, and those left out like it) share
 * enough words with it; `cohesive` then checks the result as before.
 */
function regrouped(docs: Doc[], candidates: string[][], clusterOf: (string | undefined)[], exclusive: (term: string) => boolean): (string | undefined)[] {
  const members = new Map<string, number[]>();
  const join = (group: string, i: number) => (members.get(group) ?? members.set(group, []).get(group))?.push(i);
  clusterOf.forEach((group, i) => group !== undefined && join(group, i));
  const left = clusterOf.flatMap((group, i) => (group === undefined && (candidates[i]?.length ?? 0) > 1 ? [i] : []));
  for (const i of left) for (const group of candidates[i]?.slice(1) ?? []) join(group, i);
  const result = [...clusterOf];
  for (const i of left) {
    let best: [string, number] | undefined;
    for (const group of candidates[i]?.slice(1) ?? []) {
      const close = (members.get(group) ?? []).filter((j) => j !== i && closeEnough(docs[i] as Doc, docs[j] as Doc, exclusive)).length;
      if (close > 0 && (!best || close > best[1])) best = [group, close];
    }
    result[i] = best?.[0];
  }
  return result;
}

/** Two statements share two words that are not everyday words, or one people say only when they state this rule. */
function closeEnough(a: Doc, b: Doc, exclusive: (term: string) => boolean): boolean {
  const shared = a.terms.filter((t) => !isGeneric(t) && b.terms.includes(t));
  return shared.length >= 2 || shared.some(exclusive);
}

/**
 * One shared rare word can be chance ("make sure the ledger still works" and "make sure the ledger
 * import is fast"): a statement stays in its cluster only if it shares at least two words that are not
 * everyday words with the other statements of the cluster. Repeated until no statement leaves.
 */
function cohesive(docs: Doc[], clusterOf: (string | undefined)[], exclusive: (term: string) => boolean): (string | undefined)[] {
  const result = [...clusterOf];
  for (let changed = true; changed; ) {
    changed = false;
    const counts = new Map<string, Map<string, number>>();
    docs.forEach((doc, i) => {
      const cluster = result[i];
      if (cluster === undefined) return;
      const count = counts.get(cluster) ?? counts.set(cluster, new Map()).get(cluster);
      for (const t of doc.terms) count?.set(t, (count.get(t) ?? 0) + 1);
    });
    const sizes = new Map<string, number>();
    result.forEach((c) => c !== undefined && sizes.set(c, (sizes.get(c) ?? 0) + 1));
    docs.forEach((doc, i) => {
      const cluster = result[i];
      if (cluster === undefined) return;
      const count = counts.get(cluster);
      const sharedTerms = doc.terms.filter((t) => !isGeneric(t) && (count?.get(t) ?? 0) >= 2);
      // Three or more statements on one rare word are past chance; two need a second word in common,
      // or a word people say only when they state this rule ("slog", "emoji").
      const enough = (sizes.get(cluster) ?? 0) >= 3 || sharedTerms.length >= 2 || sharedTerms.some(exclusive);
      if (sharedTerms.length === 0 || !enough) {
        result[i] = undefined;
        changed = true;
      }
    });
  }
  return result;
}

/**
 * "Use pnpm, not npm" and "always use npm" share their anchors and say opposite things: a statement
 * that recommends what another of its group avoids forms a cluster of its own, named by what it prefers.
 */
function stancesOf(docs: Doc[], clusterOf: (string | undefined)[]): string[] {
  const avoidedIn = new Map<string, Set<string>>();
  docs.forEach((doc, i) => {
    const cluster = clusterOf[i];
    if (cluster === undefined) return;
    const set = avoidedIn.get(cluster) ?? avoidedIn.set(cluster, new Set()).get(cluster);
    doc.avoid.forEach((a) => set?.add(a));
  });
  return docs.map((doc, i) => {
    const avoided = avoidedIn.get(clusterOf[i] ?? '');
    return avoided && doc.prefer.some((p) => avoided.has(p)) ? [...doc.prefer].sort().join(',') : '';
  });
}

/** Of two records a cluster could continue, the one with more sessions, then the smaller key. */
function moreEstablished(candidate: string, current: string, records: Record<string, PatternRecord>): boolean {
  const a = records[candidate]?.sessions.length ?? 0;
  const b = records[current]?.sessions.length ?? 0;
  return a > b || (a === b && candidate < current);
}
