/** How preference statements said in other words are grouped into one pattern (preference-clusters.ts). */
import { describe, expect, it } from 'vitest';
import { preferenceKeys, type Statement } from '../../../src/dream/extract/preference-clusters.js';
import { terms } from '../../../src/dream/text.js';

function statement(text: string): Statement {
  return { terms: terms(text), prefer: [], avoid: [] };
}

/** How many sentences people typed hold each term: the statements, and the tasks that say some of their words too. */
function typed(sentences: string[], extra: Record<string, number>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sentences) for (const t of new Set(terms(s))) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [t, n] of Object.entries(extra)) counts.set(t, (counts.get(t) ?? 0) + n);
  return counts;
}

describe('preference clusters', () => {
  it('a statement its heaviest word cannot hold joins the paraphrase it shares another anchor with', () => {
    const sentences = [
      'No emojis in commit messages or PR descriptions, please.',
      "Don't put emojis in PR titles or commit subjects.",
      'Prefix the commit subject with the change type (feat:, fix:), conventional style.',
      'Subject lines in conventional commit style: feat(web): add the cart page.',
      'Commit messages here follow the conventional commits format.',
    ];
    // "commit" and "PR" are said in the tasks as well ("commit the fix", "open a PR"): "commit" still anchors, and it
    // weighs most in the first sentence, though the commit-style rules go with "conventional" and "subject".
    const keys = preferenceKeys(sentences.map(statement), typed(sentences, { commit: 4, pr: 4 }), {});
    const [emojiA, emojiB, ...style] = keys;
    expect(emojiA).toBe(emojiB);
    expect(style).not.toContain(emojiA);
  });
});
