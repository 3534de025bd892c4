import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCharacter, lastCharacter, sliceText, spliceText, utf8Bytes } from '../../../src/util/spliced.js';

const runs = Number(process.env.PROPERTY_RUNS ?? 200);

/** Characters a memory file may hold, line breaks of both kinds, and pairs of surrogates. */
const character = fc.constantFrom('a', 'b', ' ', '-', '#', '\n', '\r', 'é', '✓', '😀', '\uD83D');
const text = (min: number, max: number) => fc.array(character, { minLength: min, maxLength: max }).map((chars) => chars.join(''));

/** A long text (past the length from which pieces are kept) and a run of splices anywhere in it, as edits make them. */
const edits = fc.tuple(
  text(0, 40).map((head) => `${head}${'- a line of the file\n'.repeat(1000)}`),
  fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), text(0, 30)), { minLength: 1, maxLength: 80 }),
);

describe('spliced texts', () => {
  it('are, after any run of splices, the string slicing and joining gives, and read as it', () => {
    fc.assert(
      fc.property(edits, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), ([start, splices], a, b) => {
        let spliced = start;
        let plain = start;
        for (const [x, y, insert] of splices) {
          const from = Math.floor(Math.min(x, y) * plain.length);
          const to = Math.floor(Math.max(x, y) * plain.length);
          spliced = spliceText(spliced, from, to, insert);
          plain = plain.slice(0, from) + insert + plain.slice(to);
          expect(spliced.length).toBe(plain.length);
          const cutFrom = Math.floor(Math.min(a, b) * plain.length);
          const cutTo = Math.floor(Math.max(a, b) * plain.length);
          expect(sliceText(spliced, cutFrom, cutTo)).toBe(plain.slice(cutFrom, cutTo));
          expect(hasCharacter(spliced, '\r')).toBe(plain.includes('\r'));
          expect(lastCharacter(spliced)).toBe(plain === '' ? undefined : plain.at(-1));
        }
        expect(utf8Bytes(spliced).equals(Buffer.from(plain, 'utf8'))).toBe(true);
        expect(spliced).toBe(plain);
      }),
      { numRuns: runs },
    );
  });

  it('encode, version after version, to the bytes of the string slicing and joining gives, whether the one before was encoded or not', () => {
    // Two and three bytes a character; less often, the alphabet above with its surrogates, and U+FFFD, which a lone
    // surrogate encodes to.
    const wide = fc.constantFrom('a', ' ', '-', '\n', 'é', '✓');
    const other = fc.oneof(text(1, 40), fc.constant('\uFFFD'));
    // Characters past ASCII all through the text, so that splices fall among them.
    const stretch = fc.oneof({ arbitrary: other, weight: 1 }, { arbitrary: fc.array(wide, { minLength: 1, maxLength: 40 }).map((chars) => chars.join('')), weight: 4 });
    const base = stretch.map((part) => part.repeat(Math.ceil(17_000 / part.length)));
    const insert = fc.oneof({ arbitrary: other, weight: 1 }, { arbitrary: fc.array(wide, { maxLength: 30 }).map((chars) => chars.join('')), weight: 8 });
    const splices = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), insert, fc.boolean()), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(base, splices, fc.boolean(), (start, edits, encodeFirst) => {
        let spliced = start;
        let plain = start;
        if (encodeFirst) expect(utf8Bytes(spliced).equals(Buffer.from(plain, 'utf8'))).toBe(true);
        for (const [x, y, insert, encode] of edits) {
          const from = Math.floor(Math.min(x, y) * plain.length);
          const to = Math.floor(Math.max(x, y) * plain.length);
          spliced = spliceText(spliced, from, to, insert);
          plain = plain.slice(0, from) + insert + plain.slice(to);
          if (encode) expect(utf8Bytes(spliced).equals(Buffer.from(plain, 'utf8'))).toBe(true);
        }
        expect(utf8Bytes(spliced).equals(Buffer.from(plain, 'utf8'))).toBe(true);
      }),
      { numRuns: runs },
    );
  });

  it('encode a surrogate pair split between two pieces as one character', () => {
    const long = 'x'.repeat(20_000);
    const joined = spliceText(`${long}\uD83D${long}`, 20_001, 20_001, '\uDE00');
    expect(utf8Bytes(joined).equals(Buffer.from(`${long}😀${long}`, 'utf8'))).toBe(true);
  });

  it('encode two lone surrogates that a splice brings together as one character', () => {
    const long = 'x'.repeat(20_000);
    const apart = `${long}\uD83D-\uDE00${long}`;
    expect(utf8Bytes(apart).equals(Buffer.from(apart, 'utf8'))).toBe(true);
    const joined = spliceText(apart, 20_001, 20_002, '');
    expect(utf8Bytes(joined).equals(Buffer.from(`${long}😀${long}`, 'utf8'))).toBe(true);
  });

  it('are plain strings for short texts', () => {
    expect(spliceText('abc', 1, 2, 'XY')).toBe('aXYc');
    expect(sliceText('abc', 1, 3)).toBe('bc');
    expect(lastCharacter('')).toBeUndefined();
    expect(hasCharacter('a\rb', '\r')).toBe(true);
  });
});
