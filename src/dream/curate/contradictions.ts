import type { Entry } from '../../memory/types.js';
import type { Action } from '../types.js';
import { makeAction, short } from './action.js';
import { conflictBetween, entryClaims, type Claims } from '../claims.js';
import type { SupportIndex } from './support.js';
import type { Workspace } from './workspace.js';

interface Verdict {
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
    return c.recommends.length > 0 || c.avoids.length > 0 || c.topic.some((t) => /^\d{2,}$/.test(t));
  });
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i] as Entry;
      const b = entries[j] as Entry;
      if ((a.policy === 'protected' && b.policy === 'protected') || refused.has(pairKey(a, b))) continue;
      const conflict = conflictBetween(claims.get(a) ?? entryClaims(a), claims.get(b) ?? entryClaims(b));
      if (conflict) return decide(a, b, conflict, support);
    }
  }
  return undefined;
}

function decide(a: Entry, b: Entry, conflict: string, support: SupportIndex): Verdict {
  const name = conflict.split(' vs ')[0] ?? conflict;
  if (a.policy === 'protected' || b.policy === 'protected') {
    const [winner, loser] = a.policy === 'protected' ? [a, b] : [b, a];
    return { winner, loser, reason: `it disagrees with the protected instructions in ${winner.path} (on ${conflict})`, evidence: support.backing(name) };
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

function resolveAction({ winner, loser, reason, evidence }: Verdict): Action {
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
