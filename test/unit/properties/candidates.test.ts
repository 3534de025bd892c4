/**
 * Curation compares only candidate pairs of notes, not all of them: these properties check that the
 * candidates never leave out a pair the full comparison would find in conflict.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimsOf, conflictBetween } from '../../../src/dream/claims.js';
import { candidatePairs } from '../../../src/dream/curate/contradictions.js';

const WORDS = ['deploy', 'staging', 'database', 'port', 'listens', 'cache', 'install', 'workspace', 'tests', 'service', 'web', 'api'];
const TOOLS = ['npm', 'pnpm', 'yarn', 'jest', 'vitest', 'pip', 'uv', 'docker', 'kubectl', '`npm install`', '`pnpm install`', '`kubectl apply`'];
const NUMBERS = ['5432', '55432', '8080', '8081', '18', '20'];
const PHRASES = ['use', 'never use', "don't use", 'run', 'avoid', 'prefer', 'instead of', 'with'];

const note = fc
  .array(
    fc.oneof(
      fc.constantFrom(...WORDS),
      fc.constantFrom(...NUMBERS),
      fc.tuple(fc.constantFrom(...PHRASES), fc.constantFrom(...TOOLS)).map(([p, t]) => `${p} ${t}`),
    ),
    { minLength: 1, maxLength: 9 },
  )
  .map((parts) => `${parts.join(' ')}.`);

describe('candidatePairs', () => {
  it('holds every pair of notes that conflictBetween finds in conflict', () => {
    fc.assert(
      fc.property(fc.array(note, { minLength: 2, maxLength: 14 }), (texts) => {
        const claims = texts.map(claimsOf);
        const candidates = new Set(candidatePairs(claims).map(([i, j]) => `${i},${j}`));
        for (let i = 0; i < claims.length; i++) {
          for (let j = i + 1; j < claims.length; j++) {
            if (conflictBetween(claims[i]!, claims[j]!)) expect(candidates, `${texts[i]} | ${texts[j]}`).toContain(`${i},${j}`);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('gives each pair once, in order, with i < j', () => {
    const claims = ['use pnpm for installs in the workspace.', 'never use npm in the workspace.', 'use npm in the workspace.'].map(claimsOf);
    const pairs = candidatePairs(claims);
    expect(pairs).toEqual([...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(pairs.every(([i, j]) => i < j)).toBe(true);
    expect(new Set(pairs.map(String)).size).toBe(pairs.length);
    expect(pairs).toContainEqual([1, 2]);
  });
});
