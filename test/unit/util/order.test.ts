import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localeOrder } from '../../../src/util/order.js';

const sameSign = (a: string, b: string): void => {
  expect(Math.sign(localeOrder(a, b))).toBe(Math.sign(a.localeCompare(b)));
};

describe('localeOrder', () => {
  it('has the sign of localeCompare for strings of one shape: timestamps and cycle ids', () => {
    const time = fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)), noInvalidDate: true }).map((d) => d.toISOString());
    const id = fc.tuple(fc.nat(99999999), fc.nat(999999), fc.nat(3)).map(([d, t, n]) => `${String(d).padStart(8, '0')}-${String(t).padStart(6, '0')}${n ? `-${n}` : ''}`);
    for (const strings of [time, id]) fc.assert(fc.property(strings, strings, sameSign), { numRuns: 2000 });
  });

  it('has the sign of localeCompare for any strings', () => {
    const text = fc.string({ unit: fc.constantFrom(...'09aAbZ-_ .:é'.split('')), maxLength: 8 });
    fc.assert(fc.property(text, text, sameSign), { numRuns: 5000 });
  });

  it('asks ICU where its order is not the code units', () => {
    expect(Math.sign(localeOrder('a', 'B'))).toBe(-1);
    expect('a' < 'B').toBe(false);
  });
});
