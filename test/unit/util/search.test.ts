import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastAtMost, runStarts } from '../../../src/util/search.js';

describe('lastAtMost', () => {
  it('is the index of the last number at most the value, as a search from the end finds it; 0 when none is', () => {
    const sorted = fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 40 }).map((xs) => xs.sort((a, b) => a - b));
    fc.assert(
      fc.property(sorted, fc.integer({ min: -60, max: 60 }), (xs, value) => {
        let expected = 0;
        for (let i = xs.length - 1; i >= 0; i--) {
          if ((xs[i] as number) <= value) {
            expected = i;
            break;
          }
        }
        expect(lastAtMost(xs, value)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the run that holds a position, from the runs\' starts', () => {
    expect(lastAtMost([0, 3, 3, 7], 5)).toBe(2);
    expect(lastAtMost([0, 3, 7], 7)).toBe(2);
    expect(lastAtMost([0, 3, 7], 100)).toBe(2);
    expect(lastAtMost([], 4)).toBe(0);
    expect(lastAtMost(new Float64Array([1, 2]), 0)).toBe(0);
  });
});

describe('runStarts', () => {
  it('lays runs end to end: each starts where the one before ends, and lastAtMost finds the run of every position', () => {
    const runs = fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 9 })).map(([from, size]) => ({ from, to: from + size })), { maxLength: 12 });
    fc.assert(
      fc.property(runs, (rs) => {
        const { starts, length } = runStarts(rs);
        expect(length).toBe(rs.reduce((n, r) => n + r.to - r.from, 0));
        let position = 0;
        rs.forEach((run, index) => {
          expect(starts[index]).toBe(position);
          for (let k = 0; k < run.to - run.from; k++) expect(lastAtMost(starts, position + k)).toBe(index);
          position += run.to - run.from;
        });
      }),
    );
    expect(runStarts([])).toEqual({ starts: [], length: 0 });
  });
});
