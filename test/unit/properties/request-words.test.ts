/**
 * A sentence is looked at for requests to remember only when it holds one of REQUEST_WORDS: every sentence a request
 * matches must hold one, whatever its case and whatever surrounds it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rememberRequests, REQUEST_WORDS, REQUESTS } from '../../../src/dream/extract/requests.js';

const PARTS = [
  'add', 'put', 'record', 'write', 'update', 'change', 'edit', 'make', 'create', 'set up', 'turn this into', 'remember this', 'remember that',
  'from now on', 'going forward', 'moving forward', 'in', 'into', 'to', 'inside', 'the', 'my', 'our', 'project', 'global', 'agent', "agents'",
  'agents.md', 'AGENTS md', 'claude.md', 'CLAUDE MD', 'gemini md', 'copilot-instructions', 'copilot instructions.md', '.cursor rules', '.cursor/rules',
  'cursorrules', '.clinerules', 'coding rules', 'ai rule files', 'rule', 'memory', 'memories', 'instructions', 'guidelines', 'conventions', 'playbook',
  'a', 'an', 'me', 'us', 'new', 'permanent', 'hard', 'cursor', 'convention', 'guideline', 'as a', 'for it', 'and', '&', ',', 'please', 'never push to main',
  'an update to', 'some changes in', 'this', 'that', 'it', 'is', 'we',
];

const sentence = fc
  .array(fc.tuple(fc.constantFrom(...PARTS), fc.constantFrom('lower', 'upper', 'as is')), { minLength: 1, maxLength: 10 })
  .map((parts) => parts.map(([p, c]) => (c === 'lower' ? p.toLowerCase() : c === 'upper' ? p.toUpperCase() : p)).join(' '));

describe('the words every request holds', () => {
  it('are in every sentence a request matches', () => {
    fc.assert(
      fc.property(sentence, (s) => {
        if (REQUESTS.some((r) => r.test(s))) expect(REQUEST_WORDS.test(s), s).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('leave the requests found as they were', () => {
    expect(rememberRequests(['Add to CLAUDE.md that we never push to main directly.'])).toEqual([
      { content: ['we never push to main directly.'], quote: 'Add to CLAUDE.md that we never push to main directly.' },
    ]);
    expect(rememberRequests(['From now on, run the tests before pushing.'])).toEqual([{ content: ['run the tests before pushing.'], quote: 'From now on, run the tests before pushing.' }]);
    expect(rememberRequests(['Run the tests before pushing.'])).toEqual([]);
  });
});
