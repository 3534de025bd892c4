import { estimateTokens } from '../../memory/index.js';
import type { MemorySnapshot, Namespace } from '../../memory/types.js';
import type { Notice } from '../types.js';

/**
 * A curated namespace over its token budget gets a warning with its size and what to do, not deletions: a cycle
 * never removes what people wrote to make memory fit. Measured on the memory as the plan leaves it.
 */
export function budgetNotices(snapshot: MemorySnapshot): Notice[] {
  const notices: Notice[] = [];
  for (const namespace of snapshot.namespaces) {
    if (namespace.policy !== 'dream' || namespace.budgetTokens === undefined) continue;
    const tokens = namespaceTokens(snapshot, namespace);
    if (tokens <= namespace.budgetTokens) continue;
    const budget = namespace.budgetTokens;
    const files = snapshot.files.filter((f) => f.namespace === namespace.name).map((f) => f.path);
    notices.push({
      kind: 'budget',
      namespace: namespace.name,
      tokens,
      budget,
      message:
        `namespace "${namespace.name}" (${files.join(', ')}) holds about ${tokens} tokens, ${tokens - budget} over its budget of ${budget}: ` +
        `split a topic into a file of its own that the main file imports, or raise budget_tokens in reverie.yaml; nothing was removed to fit`,
    });
  }
  return notices;
}

export function namespaceTokens(snapshot: MemorySnapshot, namespace: Namespace): number {
  return snapshot.files.filter((f) => f.namespace === namespace.name).reduce((sum, f) => sum + estimateTokens(f.document.text), 0);
}
