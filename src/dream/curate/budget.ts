import { estimateTokens } from '../../memory/index.js';
import type { Entry, MemorySnapshot, Namespace } from '../../memory/types.js';
import type { Action } from '../types.js';
import { makeAction, short } from './action.js';
import { entryClaims } from '../claims.js';
import type { SupportIndex } from './support.js';
import type { Workspace } from './workspace.js';

/**
 * Brings every curated namespace that exceeds its token budget back under it, pruning the entries worth
 * least first: those no session backs, then the oldest, then the longest. Entries this cycle wrote stay.
 */
export function planBudgetPrunes(workspace: Workspace, support: SupportIndex): Action[] {
  const actions: Action[] = [];
  for (const namespace of workspace.snapshot.namespaces) {
    if (namespace.policy !== 'dream' || namespace.budgetTokens === undefined) continue;
    const budget = namespace.budgetTokens;
    const refused = new Set<string>();
    while (namespaceTokens(workspace.snapshot, namespace) > budget) {
      const over = namespaceTokens(workspace.snapshot, namespace) - budget;
      const candidates = workspace
        .entries()
        .filter((e) => e.namespace === namespace.name && !workspace.isFresh(e) && !refused.has(e.raw));
      const victim = lowestValue(candidates, support);
      if (!victim) break;
      const action = makeAction({
        type: 'prune',
        targets: [victim],
        summary: `drop ${short(victim, 48)} to fit the token budget`,
        rationale:
          `Namespace "${namespace.name}" is ${over} token(s) over its budget of ${budget}. ` +
          `This entry is among the least valuable: no session backs it${victim.introducedAt ? `, and it dates from ${victim.introducedAt.slice(0, 10)}` : ''}.`,
        identity: `budget:${victim.id}`,
      });
      if (workspace.propose(action)) actions.push(action);
      else refused.add(victim.raw);
    }
  }
  return actions;
}

export function namespaceTokens(snapshot: MemorySnapshot, namespace: Namespace): number {
  return snapshot.files.filter((f) => f.namespace === namespace.name).reduce((sum, f) => sum + estimateTokens(f.document.text), 0);
}

function lowestValue(entries: Entry[], support: SupportIndex): Entry | undefined {
  const value = (e: Entry) => Math.max(0, support.score(entryClaims(e).recommends));
  return [...entries].sort(
    (a, b) =>
      value(a) - value(b) ||
      (a.introducedAt ?? '').localeCompare(b.introducedAt ?? '') ||
      b.tokens - a.tokens ||
      a.path.localeCompare(b.path) ||
      a.line - b.line,
  )[0];
}
