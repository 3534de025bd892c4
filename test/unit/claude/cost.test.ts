import { describe, expect, it } from 'vitest';
import { Meter, reservationFor, spentBetween, unpricedBudget, type Reservation } from '../../../src/dream/engines/claude/meter.js';
import { costOf, pricesFor, usageOf, zeroUsage } from '../../../src/dream/engines/claude/pricing.js';

const million = (fields: Partial<ReturnType<typeof zeroUsage>>) => ({ ...zeroUsage(), ...fields });

describe('prices', () => {
  it('knows the default model and a dated id by its family, and no model it was not told about', () => {
    expect(pricesFor('claude-sonnet-5-5')).toEqual({ input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 });
    expect(pricesFor('claude-sonnet-4-5-20250929')).toEqual(pricesFor('claude-sonnet-4-5'));
    expect(pricesFor('claude-haiku-9-9')).toBeUndefined();
    expect(pricesFor('claude-sonnet-5-5-turbo')).toBeUndefined();
    expect(pricesFor('toString')).toBeUndefined();
  });

  it('prices each kind of token at its rate, 5-minute and 1-hour cache writes apart', () => {
    expect(costOf(million({ input: 1_000_000 }), 'claude-sonnet-5-5')).toBe(2);
    expect(costOf(million({ output: 1_000_000 }), 'claude-sonnet-5-5')).toBe(10);
    expect(costOf(million({ cacheWrite: 1_000_000 }), 'claude-sonnet-5-5')).toBe(2.5);
    expect(costOf(million({ cacheWrite: 1_000_000, cacheWrite1h: 1_000_000 }), 'claude-sonnet-5-5')).toBe(4);
    expect(costOf(million({ cacheRead: 1_000_000 }), 'claude-sonnet-5-5')).toBeCloseTo(0.2);
    // 12,000 in, 800 out, a 3,000-token prefix written once and read 9 times, on Opus 4.5.
    const usage = million({ input: 12_000, output: 800, cacheWrite: 3_000, cacheRead: 27_000 });
    expect(costOf(usage, 'claude-opus-4-5')).toBeCloseTo((12_000 * 5 + 800 * 25 + 3_000 * 6.25 + 27_000 * 0.5) / 1e6, 10);
  });

  it('halves every rate in a batch, and says unknown rather than guess', () => {
    const usage = million({ input: 1000, output: 1000, cacheWrite: 1000, cacheRead: 1000 });
    expect(costOf(usage, 'claude-haiku-4-5', { batch: true })).toBeCloseTo((costOf(usage, 'claude-haiku-4-5') as number) / 2, 12);
    expect(costOf(usage, 'claude-next-9')).toBeNull();
  });

  it('prices a request by its own prompt where the model does: Haiku 5.5 charges five times over 100,000 tokens', () => {
    const short = million({ input: 60_000, cacheRead: 40_000, output: 1_000 });
    expect(costOf(short, 'claude-haiku-5-5')).toBeCloseTo((60_000 * 0.1 + 40_000 * 0.01 + 1_000 * 0.5) / 1e6, 12);
    const long = million({ input: 60_001, cacheRead: 40_000, output: 1_000 });
    expect(costOf(long, 'claude-haiku-5-5')).toBeCloseTo((5 * (60_001 * 0.1 + 40_000 * 0.01 + 1_000 * 0.5)) / 1e6, 12);
    // Other models have one rate whatever the prompt.
    expect(costOf(million({ input: 200_000 }), 'claude-sonnet-5-5')).toBe(0.4);
  });

  it('reads the usage block of an answer', () => {
    const usage = usageOf({ input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 30, cache_read_input_tokens: null, cache_creation: { ephemeral_1h_input_tokens: 30 } });
    expect(usage).toEqual({ input: 10, output: 20, cacheWrite: 30, cacheRead: 0, cacheWrite1h: 30 });
  });
});

describe('Meter', () => {
  it('reserves the most a request can cost, its prompt priced as a cache write, and settles at what it cost', () => {
    const meter = new Meter('claude-sonnet-5-5', { tokens: 9_000 });
    const first = meter.reserve(1_000, 2_000, { cacheTtl: '5m' });
    // 1,300: the prompt with its margin, at the 5-minute cache-write rate ($2.50), the dearest it can be billed at.
    expect(first).toEqual({ tokens: 3_300, usd: (1_300 * 2.5 + 2_000 * 10) / 1e6 });
    // Unsaid, at the 1-hour rate ($4), the dearest of all.
    expect(reservationFor(1_000, 2_000, 'claude-sonnet-5-5')).toEqual({ tokens: 3_300, usd: (1_300 * 4 + 2_000 * 10) / 1e6 });
    const second = meter.reserve(1_000, 2_000);
    expect(typeof second).toBe('object');
    // Two in flight hold 6,600 of 9,000: a third could cross the limit.
    expect(meter.reserve(1_000, 2_000)).toMatch(/^the token budget \(claude\.budget\.tokens: 9000\) would not cover the next request \(up to 3300 tokens; 0 spent, 2 in flight\)$/);
    meter.settle(first as never, million({ input: 900, output: 300 }));
    expect(typeof meter.reserve(1_000, 2_000)).toBe('object');
    expect(meter.report()).toMatchObject({ requests: 1, usage: { input: 900, output: 300, cacheWrite: 0, cacheRead: 0 }, costUsd: 0.0048 });
  });

  it('keeps a dollar budget, a batch reserving at half price', () => {
    const meter = new Meter('claude-sonnet-5-5', { usd: 0.04 });
    expect(typeof meter.reserve(1_000, 2_000, { cacheTtl: '5m' })).toBe('object');
    expect(meter.reserve(1_000, 2_000, { cacheTtl: '5m' })).toMatch(/dollar budget \(claude\.budget\.usd: 0\.04\)/);
    expect(typeof meter.reserve(1_000, 2_000, { batch: true })).toBe('object');
  });

  it('lets a request that does not fit wait for those in flight to settle, and gives up only when none is left', async () => {
    const meter = new Meter('claude-sonnet-5-5', { tokens: 7_000 });
    const a = meter.reserve(1_000, 2_000) as Reservation;
    const b = meter.reserve(1_000, 2_000) as Reservation;
    const settled: string[] = [];
    const waiting = meter.reserveWhenRoom(1_000, 2_000).then((r) => (settled.push('c'), r));
    await Promise.resolve();
    expect(settled).toEqual([]);
    // A settles at 1,200 tokens: 1,200 spent + 3,300 for b + 3,300 for c would cross 7,000. It waits on.
    meter.settle(a, million({ input: 1_000, output: 200 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toEqual([]);
    // B settles too: 2,400 spent + 3,300 fits.
    meter.settle(b, million({ input: 1_000, output: 200 }));
    expect(await waiting).toEqual({ tokens: 3_300, usd: expect.any(Number) });
    // With c in flight, 2,400 + 3,300 + 3,300 would not fit: d waits, and when c settles at its full reservation
    // (5,700 spent) and nothing is in flight, d still does not fit, and gives up.
    const d = meter.reserveWhenRoom(1_000, 2_000);
    meter.settle((await waiting) as Reservation, million({ input: 1_300, output: 2_000 }));
    expect(await d).toMatch(/^the token budget \(claude\.budget\.tokens: 7000\) would not cover the next request \(up to 3300 tokens; 5700 spent\)$/);
  });

  it('wakes a waiting request when one in flight fails and gives its reservation back', async () => {
    const meter = new Meter('claude-sonnet-5-5', { tokens: 4_000 });
    const a = meter.reserve(1_000, 2_000) as Reservation;
    const waiting = meter.reserveWhenRoom(1_000, 2_000);
    meter.release(a);
    expect(await waiting).toEqual({ tokens: 3_300, usd: expect.any(Number) });
  });

  it("prices each request by the model it named, and tells one phase's spending from the next's", () => {
    const meter = new Meter('claude-opus-5-5', { usd: 1 });
    const map = meter.reserve(1_000, 1_000, { model: 'claude-haiku-5-5' });
    expect(map).toEqual({ tokens: 2_300, usd: (1_300 * 0.2 + 1_000 * 0.5) / 1e6 });
    meter.settle(map as never, million({ input: 50_000 }), { model: 'claude-haiku-5-5' });
    const afterMap = meter.spent();
    meter.settle(undefined, million({ input: 1_000_000 }));
    expect(afterMap.costUsd).toBeCloseTo(0.005, 12);
    expect(afterMap.requests).toBe(1);
    const curate = spentBetween(afterMap, meter.spent());
    expect(curate).toMatchObject({ requests: 1, usage: { input: 1_000_000, output: 0 } });
    expect(curate.costUsd).toBeCloseTo(4, 12);
    expect(meter.report()).toMatchObject({ model: 'claude-opus-5-5', costUsd: 4.005, requests: 2 });
  });

  it('reports the cost as unknown once a model without a price answered', () => {
    const meter = new Meter('claude-next-9', {});
    meter.settle(undefined, million({ input: 5 }));
    expect(meter.report().costUsd).toBeNull();
    expect(unpricedBudget('claude-next-9', { usd: 1 })).toMatch(/price of model "claude-next-9" is unknown/);
    expect(unpricedBudget('claude-next-9', { tokens: 1 })).toBeUndefined();
    expect(unpricedBudget('claude-sonnet-5-5', { usd: 1 })).toBeUndefined();
    expect(unpricedBudget(['claude-haiku-5-5', 'claude-next-9'], { usd: 1 })).toMatch(/price of model "claude-next-9" is unknown/);
    expect(unpricedBudget(['claude-haiku-5-5', 'claude-opus-5-5'], { usd: 1 })).toBeUndefined();
  });
});
