import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/memory/index.js';

describe('estimateTokens', () => {
  it('counts nothing for nothing', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(' \n\t ')).toBe(0);
  });

  it('counts short words as one token, long ones per five characters, punctuation each', () => {
    expect(estimateTokens('Use pnpm, not npm.')).toBe(6);
    expect(estimateTokens('configuration')).toBe(3);
    expect(estimateTokens('- [x]')).toBe(4);
  });

  it('counts CJK characters one by one', () => {
    expect(estimateTokens('日本語')).toBe(3);
    expect(estimateTokens('abc日本')).toBe(3);
  });

  it('lands near the usual four characters per token on English prose', () => {
    const prose =
      'Run the test suite with pnpm before every commit. The integration tests need a local Postgres; ' +
      'start it with docker compose up -d db. Never push directly to main.';
    const estimate = estimateTokens(prose);
    expect(estimate).toBeGreaterThan(prose.length / 6);
    expect(estimate).toBeLessThan(prose.length / 3);
  });

  it('is deterministic and never decreases when text is appended', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 100 }), (a, b) => {
        return estimateTokens(a) === estimateTokens(a) && estimateTokens(a + b) >= estimateTokens(a);
      }),
    );
  });

  it('counts ASCII text as the Unicode rule does (the ASCII path is a shortcut, not another rule)', () => {
    const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
    const word = String.raw`(?![${CJK}])[\p{L}\p{N}\p{M}_]`;
    const piece = new RegExp(String.raw`[${CJK}]|(?:${word})+|[^\s]`, 'gu');
    const whole = new RegExp(String.raw`^(?:${word})+$`, 'u');
    const byRule = (text: string) => [...text.matchAll(piece)].reduce((n, [p]) => n + (whole.test(p) ? Math.ceil([...p].length / 5) : 1), 0);
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    fc.assert(fc.property(ascii, (text) => estimateTokens(text) === byRule(text)), { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) });
    expect(estimateTokens('run `pnpm test` (all 12)\r\n\v\f')).toBe(byRule('run `pnpm test` (all 12)\r\n\v\f'));
  });
});
