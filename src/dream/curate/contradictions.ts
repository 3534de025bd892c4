import type { Entry } from '../../memory/types.js';
import type { Action, Notice } from '../types.js';
import { makeAction, short } from './action.js';
import { evidenceNames, sameSection, writtenByPerson } from './harm.js';
import { differentSubjects } from './subjects.js';
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

/** A disagreement no session settles: the owner's question, not the cycle's to answer. */
export interface Question {
  a: Entry;
  b: Entry;
  reason: string;
}

/**
 * Pairs of entries that disagree, settled in favour of the side the sessions back. Two curated entries are
 * compared only within one section (two strategies in two sections may each have their own rule); a curated entry
 * that disagrees with a protected one loses wherever it is, if a cycle wrote it. When no session settles it, or
 * the losing side is a person's entry the evidence does not name, the pair becomes a question for the review and
 * the files are not touched.
 */
export function planResolutions(workspace: Workspace, support: SupportIndex): { actions: Action[]; questions: Question[] } {
  const actions: Action[] = [];
  const questions: Question[] = [];
  const settled = new Set<string>();
  for (;;) {
    const found = nextConflict(workspace.entries(), settled);
    if (!found) return { actions, questions };
    settled.add(pairKey(found.a, found.b));
    const verdict = decide(found.a, found.b, found.conflict, support, workspace);
    if ('a' in verdict) {
      questions.push(verdict);
      continue;
    }
    const action = resolveAction(verdict);
    if (workspace.propose(action)) actions.push(action);
  }
}

/**
 * The questions as the memory the cycle leaves reads them: a pair one of whose sides an action of the cycle changed
 * or removed is no longer a question, and the others name the lines where their notes now are.
 */
export function openQuestions(questions: Question[], entries: Entry[]): Notice[] {
  const now = (e: Entry) => entries.find((x) => x.path === e.path && x.text === e.text);
  const seen = new Set<string>();
  const notices: Notice[] = [];
  for (const q of questions) {
    const a = now(q.a);
    const b = now(q.b);
    if (!a || !b) continue;
    const key = pairKey(a, b);
    if (seen.has(key)) continue;
    seen.add(key);
    notices.push(questionNotice({ a, b, reason: q.reason }));
  }
  return notices;
}

function questionNotice({ a, b, reason }: Question): Notice {
  const entry = (e: Entry) => ({ path: e.path, line: e.line, text: e.text });
  return {
    kind: 'question',
    entries: [entry(a), entry(b)],
    message: `${short(a, 80)} (${a.path}:${a.line}) and ${short(b, 80)} (${b.path}:${b.line}) disagree ${reason}; which one is right? Nothing was changed.`,
  };
}

/** A pair of entries where they are: the same words in two places are two pairs, each to settle. */
export function pairKey(a: Entry, b: Entry): string {
  return [a, b].map((e) => `${e.path}:${e.line}\u0001${e.raw}`).sort().join('\u0000');
}

/**
 * Where the last look for a conflict among the same entries stopped, with the same set of settled pairs: planResolutions
 * asks again after each pair it settles, and a question (or a refused action) leaves the memory as it was. The pairs
 * before the one found were not in conflict and stay so (whether two notes conflict depends on them alone), and the
 * settled pairs only grow: the next look starts at the pair found, which is settled now.
 */
interface Scan {
  refused: Set<string>;
  entries: Entry[];
  claims: Map<Entry, Claims>;
  pairs: [number, number][];
  next: number;
}

const scans = new WeakMap<Entry[], Scan>();

export function nextConflict(all: Entry[], refused: Set<string>): { a: Entry; b: Entry; conflict: string } | undefined {
  let scan = scans.get(all);
  if (!scan || scan.refused !== refused) {
    const claims = new Map(all.map((e) => [e, entryClaims(e)]));
    // A note that recommends nothing, avoids nothing and names no number cannot disagree with another.
    const entries = all.filter((e) => {
      const c = claims.get(e) as Claims;
      return c.recommends.length > 0 || c.avoids.length > 0 || c.topic.some(isNumber) || (e.policy === 'protected' ? c.forbids.length > 0 : c.does.length > 0);
    });
    scan = { refused, entries, claims, pairs: candidatePairs(entries.map((e) => claims.get(e) as Claims)), next: 0 };
    scans.set(all, scan);
  }
  const { entries, claims, pairs } = scan;
  const of = (e: Entry) => claims.get(e) as Claims;
  for (let k = scan.next; k < pairs.length; k++) {
    const [i, j] = pairs[k] as [number, number];
    const a = entries[i] as Entry;
    const b = entries[j] as Entry;
    if ((a.policy === 'protected' && b.policy === 'protected') || refused.has(pairKey(a, b))) continue;
    // A protected rule holds everywhere; between two notes, only within one section and one subject.
    const curatedPair = a.policy !== 'protected' && b.policy !== 'protected';
    if (curatedPair && (!sameSection(a, b) || differentSubjects(a, b))) continue;
    const conflict = conflictBetween(of(a), of(b)) ?? againstProtectedProse(a, b, of);
    if (conflict) {
      scan.next = k;
      return { a, b, conflict };
    }
  }
  scan.next = pairs.length;
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

function decide(a: Entry, b: Entry, conflict: string, support: SupportIndex, workspace: Workspace): Verdict | Question {
  const name = conflict.split(' vs ')[0] ?? conflict;
  if (a.policy === 'protected' || b.policy === 'protected') {
    const [winner, loser] = a.policy === 'protected' ? [a, b] : [b, a];
    // What a person wrote stands against what a person wrote: the owner decides.
    if (writtenByPerson(loser, workspace)) return { a: winner, b: loser, reason: `with the protected instructions (on ${conflict})` };
    return { winner, loser, reason: `it disagrees with the protected instructions in ${winner.path} (on ${conflict})`, evidence: support.backing(name) };
  }
  const verdict = sessionsDecide(a, b, conflict, support);
  if (!verdict) return { a, b, reason: `(on ${conflict}) and no session shows which is right` };
  if (writtenByPerson(verdict.loser, workspace) && !evidenceNames({ evidence: verdict.evidence.evidence, patterns: verdict.evidence.patterns }, verdict.loser, support)) {
    return { a, b, reason: `(on ${conflict}); the sessions favour ${short(verdict.winner, 40)} but say nothing of the other, which a person wrote` };
  }
  return verdict;
}

/** The side the sessions back: a recurring failure shows the other gone, or more sessions back one than the other. */
function sessionsDecide(a: Entry, b: Entry, conflict: string, support: SupportIndex): Verdict | undefined {
  const name = conflict.split(' vs ')[0] ?? conflict;
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
  if (scoreA === scoreB) return undefined;
  const [winner, loser] = scoreA > scoreB ? [a, b] : [b, a];
  const backing = support.backing(entryClaims(winner).recommends.find((r) => support.backing(r).sessions > 0) ?? name);
  const against = entryClaims(loser).recommends.map((r) => support.refuting(r)).find((s) => s.sessions > 0);
  const reason = [
    backing.sessions > 0 ? `${backing.sessions} session(s) back the newer practice` : '',
    against ? `${against.sessions} session(s) show the other failing` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const evidence = {
    sessions: backing.sessions,
    evidence: [...backing.evidence, ...(against?.evidence ?? [])].slice(0, 6),
    patterns: [...new Set([...backing.patterns, ...(against?.patterns ?? [])])],
  };
  return { winner, loser, reason: reason || `the sessions back it (on ${conflict})`, evidence };
}

export function resolveAction({ winner, loser, reason, evidence }: Verdict): Action {
  const rationale = `${short(loser, 100)} (${loser.path}:${loser.line}) contradicts ${short(winner, 100)} (${winner.path}:${winner.line}). Keeping the latter because ${reason}.`;
  // A protected entry is never written, so the only way to settle the conflict is to drop the curated side.
  if (winner.policy === 'protected') {
    return makeAction({ type: 'prune', targets: [loser], keeps: winner, summary: `drop ${short(loser, 40)}: contradicts protected instructions`, rationale, evidence: evidence.evidence, patterns: evidence.patterns });
  }
  // The reason lives in the commit and the review, never in the memory file: the kept entry stays as it is.
  return makeAction({
    type: 'resolve',
    targets: [winner, loser],
    summary: `keep ${short(winner, 28)} over ${short(loser, 28)}`,
    rationale,
    evidence: evidence.evidence,
    patterns: evidence.patterns,
  });
}
