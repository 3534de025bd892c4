import { describe, expect, it } from 'vitest';
import { forecastBudget, type PlannedCycle, type PlannedRequest } from '../../../src/dream/engines/claude/forecast.js';
import { zeroUsage } from '../../../src/dream/engines/claude/pricing.js';

/** A Sonnet 5.5 request: 1,000 prompt tokens and up to 1,000 answered, expected to cost 1,000 in and 100 out. */
const request = (fields: Partial<PlannedRequest> = {}): PlannedRequest => ({
  promptTokens: 1_000,
  maxOutput: 1_000,
  billing: { model: 'claude-sonnet-5-5', cacheTtl: '5m' },
  usage: { ...zeroUsage(), input: 1_000, output: 100 },
  ...fields,
});
// Each map request reserves 1,300 + 1,000 = 2,300 tokens and is expected to spend 1,100.
const cycle = (over: Partial<PlannedCycle> = {}): PlannedCycle => ({ map: Array.from({ length: 10 }, () => request()), batch: false, curate: request(), curateFloor: request(), ...over });

describe('forecastBudget', () => {
  it('says nothing without a budget', () => {
    expect(forecastBudget({}, cycle())).toBeUndefined();
  });

  it('stops the map where the next reservation no longer fits beside what was spent', () => {
    // After n requests, 1,100n spent; the next fits while 1,100n + 2,300 <= 10,000: 8 fit, the 9th does not. The whole
    // cycle needs the map's 11,000 and room for the curate request's 2,300 after it.
    expect(forecastBudget({ tokens: 10_000 }, cycle())).toEqual({
      tokens: 10_000,
      stops: 'map',
      mapCovered: 8,
      mapRequests: 10,
      curate: false,
      needed: { tokens: 13_300 },
      message: 'the budget of 10,000 tokens covers the map of about 8 of 10 sessions; curate would not run (a budget of about 13,300 tokens would cover the whole cycle)',
    });
  });

  it('reserves a whole batch before any of it is answered', () => {
    // 2,300 each, all at once: 4 fit in 10,000.
    expect(forecastBudget({ tokens: 10_000 }, cycle({ batch: true }))).toMatchObject({ stops: 'map', mapCovered: 4 });
  });

  it('covers the whole cycle, or all of the map but not the curate request after it', () => {
    expect(forecastBudget({ tokens: 13_300 }, cycle())).toMatchObject({ curate: true, message: 'the budget of 13,300 tokens covers the whole cycle (about 12,100 tokens)' });
    expect(forecastBudget({ tokens: 13_000 }, cycle({ curate: request({ maxOutput: 2_000 }) }))).toMatchObject({ stops: 'curate', mapCovered: 10, curate: false });
  });

  it('stops before the map when the budget could never pay for the curate request', () => {
    const forecast = forecastBudget({ usd: 0.01 }, cycle({ curateFloor: request({ maxOutput: 16_000 }) }));
    expect(forecast).toMatchObject({ stops: 'curate', mapCovered: 0, curate: false });
    expect(forecast?.message).toBe('the budget of $0.01 would not cover the curate request at claude.curate.max_tokens 16,000 (up to $0.1633): the cycle would stop before sending anything; raise the budget or lower claude.curate.max_tokens');
  });
});
