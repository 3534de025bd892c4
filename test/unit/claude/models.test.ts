/**
 * reverie's model tables against the installed SDK's own lists, read from the SDK's files at test time: a new SDK
 * that lists a model reverie cannot price, or deprecates one, fails here until the tables say so.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheMinimumOf, END_OF_LIFE, endOfLifeOf, modelWarnings, uncachedPrefixWarning } from '../../../src/dream/engines/claude/models.js';
import { PRICES_CHECKED, priceRowFor, pricesFor } from '../../../src/dream/engines/claude/pricing.js';

const sdkRoot = path.dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));
const sdkFile = (relative: string) => readFileSync(path.join(sdkRoot, relative), 'utf8');

/** The string members of the SDK's `Model` type: the models the Messages API takes by name. */
function sdkModels(): string[] {
  const declaration = /export type Model =([\s\S]*?);/.exec(sdkFile('resources/messages/messages.d.ts'))?.[1] ?? '';
  return [...declaration.matchAll(/'([^']+)'/g)].map((m) => m[1] as string);
}

/** The SDK's DEPRECATED_MODELS (not exported), as model → ISO date. */
function sdkDeprecations(): Record<string, string> {
  const source = sdkFile('internal/data/deprecated-models.js');
  const entries = [...source.matchAll(/'([^']+)':\s*'([A-Za-z]+) (\d+)(?:st|nd|rd|th)?, (\d{4})'/g)];
  return Object.fromEntries(entries.map(([, model, month, day, year]) => [model, new Date(`${month} ${day}, ${year} UTC`).toISOString().slice(0, 10)]));
}

describe('the model tables against the installed SDK', () => {
  it('reads the lists from the SDK', () => {
    expect(sdkModels()).toContain('claude-sonnet-4-5');
    expect(sdkModels().length).toBeGreaterThan(10);
    expect(sdkDeprecations()).toMatchObject({ 'claude-sonnet-4-5': '2026-11-30' });
  });

  it('prices every model the SDK lists, each row with its source and the day it was checked', () => {
    const unpriced = sdkModels().filter((model) => !pricesFor(model));
    expect(unpriced).toEqual([]);
    for (const model of sdkModels()) {
      const row = priceRowFor(model);
      expect(row?.source, model).toMatch(/^https:\/\/(platform\.claude\.com|www\.anthropic\.com)\//);
      expect(row?.checked, model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('knows the end of life of every model the SDK deprecates, on the same day, and of no other', () => {
    const deprecated = sdkDeprecations();
    for (const [model, date] of Object.entries(deprecated)) expect(endOfLifeOf(model), model).toBe(date);
    const sdkIds = new Set(Object.keys(deprecated));
    expect(Object.keys(END_OF_LIFE).filter((model) => !sdkIds.has(model))).toEqual([]);
  });

  it('knows the shortest cached prefix of every model the SDK lists but the one with no published figure', () => {
    expect(sdkModels().filter((model) => cacheMinimumOf(model) === undefined)).toEqual(['claude-mythos-preview']);
  });
});

describe('model warnings', () => {
  it('warns of a deprecated model with its end-of-life date, coming or past, naming the phases that use it', () => {
    const [coming] = modelWarnings({ map: 'claude-haiku-5-5', curate: 'claude-opus-4-5-20251101' }, '2026-12-07T02:00:00Z');
    expect(coming).toBe('the curate model claude-opus-4-5-20251101 is deprecated and reaches its end of life on 2027-01-22; move to a current model such as claude-opus-5-5 (claude.curate.model)');
    const [past] = modelWarnings({ map: 'claude-sonnet-4-5', curate: 'claude-sonnet-4-5' }, '2026-12-07T02:00:00Z');
    expect(past).toMatch(/^the map and curate model claude-sonnet-4-5 reached its end of life on 2026-11-30, and requests to it may be refused; .*claude-sonnet-5-5 \(claude\.model\)$/);
    expect(modelWarnings({ map: 'claude-sonnet-4-5', curate: 'claude-sonnet-4-5' }, '2026-11-01T00:00:00Z')[0]).toMatch(/is deprecated and reaches its end of life on 2026-11-30/);
  });

  it('warns of a model it does not know, with the day its tables were checked, and of nothing current', () => {
    expect(modelWarnings({ map: 'claude-haiku-9', curate: 'claude-opus-5-5' }, '2026-12-07')).toEqual([
      `the map model claude-haiku-9 is not in reverie's model table (checked ${PRICES_CHECKED}): its price, the shortest prefix it caches and its end of life are unknown, so its cost is reported as unknown and a dollar budget cannot be kept`,
    ]);
    expect(modelWarnings({ map: 'claude-haiku-5-5', curate: 'claude-opus-5-5' }, '2026-12-07')).toEqual([]);
  });

  it('says when a prefix shared by several requests is too short to be cached, and only then', () => {
    expect(uncachedPrefixWarning('map', 'claude-haiku-4-5', 800, 20)).toBe(
      'the map prefix is ~800 tokens, under the 4,096 claude-haiku-4-5 caches: nothing will be cached, and each of its 20 requests pays the full input price for it',
    );
    expect(uncachedPrefixWarning('map', 'claude-haiku-5-5', 800, 20)).toBeUndefined();
    expect(uncachedPrefixWarning('map', 'claude-haiku-4-5', 800, 1)).toBeUndefined();
    expect(uncachedPrefixWarning('map', 'claude-next-9', 800, 20)).toBeUndefined();
  });
});
