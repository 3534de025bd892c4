import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symbolic } from '../../../src/dream/extract/typed.js';

/** The rule as it reads: letters against symbols, counted by Unicode's own classes. */
function byRegex(line: string): boolean {
  const letters = (line.match(/\p{L}/gu) ?? []).length;
  const symbols = (line.match(/[^\p{L}\p{N}\s]/gu) ?? []).length;
  return letters === 0 || symbols > letters * 0.5;
}

describe('symbolic', () => {
  it('tells data from a sentence', () => {
    expect(symbolic('Always run the tests before pushing.')).toBe(false);
    expect(symbolic('{"a": [1, 2], "b": {}}')).toBe(true);
    expect(symbolic('----- 12:03 -----')).toBe(true);
    expect(symbolic('Überprüfe die Änderungen, bitte.')).toBe(false);
    expect(symbolic('日本語のテキストです。')).toBe(false);
    expect(symbolic('')).toBe(true);
  });

  it('counts as Unicode classes do, for any text (ASCII, accents, other scripts, emoji, lone surrogates)', () => {
    const chars = fc.oneof(
      fc.string({ unit: 'grapheme-ascii' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('a', 'É', '日', '1', '٣', ' ', '\u00a0', '\u2003', '\t', '!', '—', '😀', '\ud800', '.', '_', '=') }),
    );
    fc.assert(fc.property(chars, (line) => symbolic(line) === byRegex(line)), { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) });
  });
});
