import type { Entry } from '../../memory/types.js';
import type { Action } from '../types.js';
import { makeAction, short } from './action.js';
import { ALTERNATIVES, conflictBetween, entryClaims, programOf, proseConflict, type Claims } from '../claims.js';
import { namesReplacement, namesWhatIsGone } from './gone.js';
import type { SupportIndex } from './support.js';
import type { Workspace } from './workspace.js';

export interface Verdict {
  winner: Entry;
  loser: Entry;
  reason: string;
  evidence: ReturnType<SupportIndex['backing']>;
}

/**
 * Pairs of entries that disagree, settled in favour of the side the sessions back, else the newer one.
 * A curated entry that disagrees with a protected one always loses, and the protected one is left as it is.
 */
export function planResolutions(workspace: Workspace, support: SupportIndex): Action[] {
  const actions: Action[] = [];
  const refused = new Set<string>();
  for (;;) {
    const verdict = nextConflict(workspace.entries(), support, refused);
    if (!verdict) return actions;
    const action = resolveAction(verdict);
    if (workspace.propose(action)) actions.push(action);
    else refused.add(pairKey(verdict.winner, verdict.loser));
  }
}

function pairKey(a: Entry, b: Entry): string {
  return [a.raw, b.raw].sort().join('\u0000');
}

function nextConflict(all: Entry[], support: SupportIndex, refused: Set<string>): Verdict | undefined {
  const claims = new Map(all.map((e) => [e, entryClaims(e)]));
  // A note that recommends nothing, avoids nothing and names no number cannot disagree with another.
  const entries = all.filter((e) => {
    const c = claims.get(e) as Claims;
    return c.recommends.length > 0 || c.avoids.length > 0 || c.topic.some(isNumber) || (e.policy === 'protected' ? c.forbids.length > 0 : c.does.length > 0);
  });
  const of = (e: Entry) => claims.get(e) as Claims;
  for (const [i, j] of candidatePairs(entries.map(of))) {
    const a = entries[i] as Entry;
    const b = entries[j] as Entry;
    if ((a.policy === 'protected' && b.policy === 'protected') || refused.has(pairKey(a, b))) continue;
    const conflict = conflictBetween(of(a), of(b)) ?? againstProtectedProse(a, b, of);
    if (conflict) return decide(a, b, conflict, support);
  }
  return undefined;
}

/** Only a rule people wrote in a protected namespace is read this way: between notes, prose is too loose. */
function againstProtectedProse(a: Entry, b: Entry, of: (e: Entry) => Claims): string | undefined {
  if (a.policy === 'protected' && b.policy !== 'protected') return proseConflict(of(a), of(b));
  if (b.policy === 'protected' && a.policy !== 'protected') return proseConflict(of(b), of(a));
  return undefined;
}

const isNumber = (t: string) => /^\d{2,}$/.test(t);

/**
 * The pairs (i < j, in order) that conflictBetween could find in conflict, without comparing every pair:
 * one recommends what the other avoids (a rule on a tool covers its commands), both recommend tools of one
 * group of alternatives, or both name numbers and share most of their other words. In the last case the
 * smaller note shares at least 80% of its words, so it shares one of its rarest fifth (plus one).
 */
export function candidatePairs(claims: readonly Claims[]): [number, number][] {
  const pairs = new Set<number>();
  const n = claims.length;
  const add = (x: number, y: number) => {
    if (x !== y) pairs.add(x < y ? x * n + y : y * n + x);
  };
  const avoidedExactly = new Map<string, number[]>();
  const avoidedProgram = new Map<string, number[]>();
  const byGroup = new Map<number, number[]>();
  const forbidding = new Map<string, number[]>();
  claims.forEach((c, i) => c.forbids.forEach((f) => push(forbidding, f.verb, i)));
  claims.forEach((c, i) => c.does.forEach((v) => forbidding.get(v)?.forEach((j) => add(i, j))));
  claims.forEach((c, i) => {
    for (const v of c.avoids) {
      push(avoidedExactly, v, i);
      push(avoidedProgram, programOf(v), i);
    }
    ALTERNATIVES.forEach((group, g) => {
      if (c.recommends.some((r) => group.includes(programOf(r)))) push(byGroup, g, i);
    });
  });
  claims.forEach((c, i) => {
    for (const r of c.recommends) {
      for (const j of avoidedExactly.get(r) ?? []) add(i, j);
      for (const j of avoidedExactly.get(programOf(r)) ?? []) add(i, j);
      if (!r.includes(' ')) for (const j of avoidedProgram.get(r) ?? []) add(i, j);
    }
  });
  for (const members of byGroup.values()) for (const x of members) for (const y of members) add(x, y);
  numberPairs(claims).forEach(([x, y]) => add(x, y));
  return [...pairs].sort((x, y) => x - y).map((key) => [Math.floor(key / n), key % n]);
}

function numberPairs(claims: readonly Claims[]): [number, number][] {
  const words = claims.map((c) => (c.topic.some(isNumber) ? [...new Set(c.topic.filter((t) => !isNumber(t)))] : undefined));
  const frequency = new Map<string, number>();
  const postings = new Map<string, number[]>();
  words.forEach((ws, i) => ws?.forEach((w) => {
    frequency.set(w, (frequency.get(w) ?? 0) + 1);
    push(postings, w, i);
  }));
  const out: [number, number][] = [];
  words.forEach((ws, i) => {
    if (!ws || ws.length < 3) return;
    const rarest = [...ws].sort((x, y) => (frequency.get(x) ?? 0) - (frequency.get(y) ?? 0) || (x < y ? -1 : 1));
    const probe = rarest.slice(0, Math.floor(0.2 * ws.length) + 1);
    const seen = new Set<number>();
    for (const w of probe) {
      for (const j of postings.get(w) ?? []) {
        // i is the smaller note of the pair (ties: both probe), so only notes at least as long are partners.
        if (j !== i && !seen.has(j) && (words[j]?.length ?? 0) >= ws.length) {
          seen.add(j);
          out.push([i, j]);
        }
      }
    }
  });
  return out;
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function decide(a: Entry, b: Entry, conflict: string, support: SupportIndex): Verdict {
  const name = conflict.split(' vs ')[0] ?? conflict;
  if (a.policy === 'protected' || b.policy === 'protected') {
    const [winner, loser] = a.policy === 'protected' ? [a, b] : [b, a];
    return { winner, loser, reason: `it disagrees with the protected instructions in ${winner.path} (on ${conflict})`, evidence: support.backing(name) };
  }
  // A recurring failure that shows one side gone (port 5432 refused, 55432 worked) settles it outright.
  for (const lesson of support.lessons()) {
    const goneA = namesWhatIsGone(a, lesson);
    const goneB = namesWhatIsGone(b, lesson);
    if (goneA === goneB) continue;
    const [winner, loser] = goneA ? [b, a] : [a, b];
    if (!namesReplacement(winner, lesson) && (lesson.added?.length ?? 0) > 0) continue;
    const evidence = { sessions: lesson.sessions.length, evidence: lesson.quotes.slice(0, 6), patterns: [lesson.key] };
    return { winner, loser, reason: `${lesson.sessions.length} session(s) show it: ${lesson.statement.replace(/[.\s]+$/, '')}`, evidence };
  }
  const scoreA = support.score(entryClaims(a).recommends);
  const scoreB = support.score(entryClaims(b).recommends);
  if (scoreA !== scoreB) {
    const [winner, loser] = scoreA > scoreB ? [a, b] : [b, a];
    const backing = support.backing(entryClaims(winner).recommends.find((r) => support.backing(r).sessions > 0) ?? name);
    const against = entryClaims(loser).recommends.map((r) => support.refuting(r)).find((s) => s.sessions > 0);
    const reason = [
      backing.sessions > 0 ? `${backing.sessions} session(s) back the newer practice` : '',
      against ? `${against.sessions} session(s) show the other failing` : '',
    ]
      .filter(Boolean)
      .join('; ');
    const evidence = { ...backing, evidence: [...backing.evidence, ...(against?.evidence ?? [])].slice(0, 6) };
    return { winner, loser, reason: reason || `the sessions back it (on ${conflict})`, evidence };
  }
  const [winner, loser] = newer(b, a) ? [b, a] : [a, b];
  return { winner, loser, reason: `it is the newer note and no session settles the question (on ${conflict})`, evidence: support.backing(name) };
}

/** Is `x` newer than `y`: by the commit that introduced it, else by position (later in the file). */
function newer(x: Entry, y: Entry): boolean {
  if (x.introducedAt && y.introducedAt && x.introducedAt !== y.introducedAt) return x.introducedAt > y.introducedAt;
  return x.path === y.path ? x.line > y.line : x.path > y.path;
}

export function resolveAction({ winner, loser, reason, evidence }: Verdict): Action {
  const rationale = `${short(loser, 100)} (${loser.path}:${loser.line}) contradicts ${short(winner, 100)} (${winner.path}:${winner.line}). Keeping the latter because ${reason}.`;
  // A protected entry is never written, so the only way to settle the conflict is to drop the curated side.
  if (winner.policy === 'protected') {
    return makeAction({ type: 'prune', targets: [loser], summary: `drop ${short(loser, 40)}: contradicts protected instructions`, rationale, evidence: evidence.evidence, patterns: evidence.patterns });
  }
  // The reason goes on a line of its own: a nested item under a list entry, a last line of a paragraph.
  const why = `Why: replaces the older note ${short(loser, 80)}; ${reason}.`;
  const annotated = /\bWhy:/.test(winner.text) ? undefined : `${winner.text}\n${winner.kind === 'item' ? '- ' : ''}${why}`;
  return makeAction({
    type: 'resolve',
    targets: [winner, loser],
    ...(annotated !== undefined ? { content: annotated } : {}),
    summary: `keep ${short(winner, 28)} over ${short(loser, 28)}`,
    rationale,
    evidence: evidence.evidence,
    patterns: evidence.patterns,
  });
}
