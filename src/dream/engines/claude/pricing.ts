/**
 * List prices of the Messages API, in US dollars per million tokens, and the cost of a usage at them. Pure.
 *
 * Every model id the installed SDK lists (its `Model` type) has a row, each with the page its prices were read from
 * and the day they were checked; test/unit/claude/models.test.ts reads the SDK's own list and fails when a model
 * is missing, so an SDK update that adds one cannot ship unpriced. Cache writes cost 1.25× the input price for the
 * 5-minute TTL and 2× for the 1-hour TTL, cache reads 0.1× or the price a model page gives; the Message Batches API
 * halves every rate, and its discount stacks with prompt caching. Where two Anthropic pages disagree (the Sonnet
 * 5.5 migration guide gives $0.10 for cache reads, its model page $0.20) the higher price is kept, so that a budget
 * errs on the side of stopping early. A model not listed here has an unknown cost: it is reported as unknown, never
 * guessed from a similar name.
 */
import type { TokenUsage } from '../../types.js';

export interface Prices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** A request whose prompt (input, cache writes and reads) is over `above` tokens pays `factor` times every rate. */
  longPrompt?: { above: number; factor: number };
}

/** A model's prices, where they were read and when. */
export interface PriceRow {
  prices: Prices;
  source: string;
  /** The day the source was read (ISO date). */
  checked: string;
}

/** The day the table below was last checked against its sources. */
export const PRICES_CHECKED = '2026-12-07';

const PRICING_PAGE = 'https://platform.claude.com/docs/en/about-claude/pricing';
const modelPage = (slug: string) => `https://platform.claude.com/docs/en/models/${slug}/overview`;

const price = (input: number, output: number, cacheRead: number): Prices => ({ input, output, cacheWrite5m: input * 1.25, cacheWrite1h: input * 2, cacheRead });
const row = (prices: Prices, source = PRICING_PAGE): PriceRow => ({ prices, source, checked: PRICES_CHECKED });

/** By model id without a date suffix. */
const PRICES: Record<string, PriceRow> = {
  'claude-fable-5-2': row(price(8, 40, 0.2)),
  // Mythos models share the Fable model of their version's specifications and prices (their model pages say so).
  'claude-mythos-5-2': row(price(8, 40, 0.2)),
  'claude-fable-5-1': row(price(10, 50, 0.25)),
  'claude-mythos-5-1': row(price(10, 50, 0.25)),
  'claude-fable-5': row(price(10, 50, 1)),
  'claude-mythos-5': row(price(10, 50, 1)),
  // Offered to the partners of Project Glasswing only, never on the pricing page; its announcement gives the price.
  'claude-mythos-preview': row(price(25, 125, 2.5), 'https://www.anthropic.com/glasswing'),
  'claude-opus-5-5': row(price(4, 20, 0.2), modelPage('opus-5-5')),
  'claude-opus-5': row(price(5, 25, 0.5)),
  'claude-opus-4-8': row(price(5, 25, 0.5)),
  'claude-opus-4-7': row(price(5, 25, 0.5)),
  'claude-opus-4-6': row(price(5, 25, 0.5)),
  'claude-opus-4-5': row(price(5, 25, 0.5)),
  'claude-opus-4-1': row(price(15, 75, 1.5)),
  'claude-opus-4': row(price(15, 75, 1.5)),
  'claude-sonnet-5-5': row(price(2, 10, 0.2), modelPage('sonnet-5-5')),
  'claude-sonnet-5': row(price(2, 10, 0.2)),
  'claude-sonnet-4-6': row(price(3, 15, 0.3)),
  'claude-sonnet-4-5': row(price(3, 15, 0.3)),
  'claude-sonnet-4': row(price(3, 15, 0.3)),
  // Priced by the length of each request's prompt: five times every rate over 100,000 tokens.
  'claude-haiku-5-5': row({ ...price(0.1, 0.5, 0.01), longPrompt: { above: 100_000, factor: 5 } }, modelPage('haiku-5-5')),
  'claude-haiku-4-5': row(price(1, 5, 0.1)),
};

/** The Message Batches API bills half of every rate. */
export const BATCH_DISCOUNT = 0.5;

/** A model id as the tables key it: `claude-sonnet-4-5-20250929` is `claude-sonnet-4-5`. */
export function baseModelId(model: string): string {
  return model.trim().toLowerCase().replace(/-\d{8}$/, '');
}

/** The price row of a model id, with its source; undefined when unknown. */
export function priceRowFor(model: string): PriceRow | undefined {
  const id = baseModelId(model);
  return Object.hasOwn(PRICES, id) ? PRICES[id] : undefined;
}

/** Prices of a model id (`claude-sonnet-4-5-20250929` is priced as `claude-sonnet-4-5`); undefined when unknown. */
export function pricesFor(model: string): Prices | undefined {
  return priceRowFor(model)?.prices;
}

/** A usage with its cache writes split by TTL, as the API reports them: the two are priced apart. */
export interface BilledUsage extends TokenUsage {
  /** The part of `cacheWrite` written with the 1-hour TTL. */
  cacheWrite1h: number;
}

/**
 * Dollars for the usage of one request at list prices, or null for a model whose price is unknown. One request:
 * a model priced by prompt length prices each request on its own prompt, so a sum of usages is priced by summing
 * the costs of its requests, never by pricing the sum.
 */
export function costOf(usage: BilledUsage, model: string, options: { batch?: boolean } = {}): number | null {
  const prices = pricesFor(model);
  if (!prices) return null;
  const write5m = Math.max(0, usage.cacheWrite - usage.cacheWrite1h);
  const dollars =
    usage.input * prices.input +
    usage.output * prices.output +
    write5m * prices.cacheWrite5m +
    usage.cacheWrite1h * prices.cacheWrite1h +
    usage.cacheRead * prices.cacheRead;
  const prompt = usage.input + usage.cacheWrite + usage.cacheRead;
  const long = prices.longPrompt && prompt > prices.longPrompt.above ? prices.longPrompt.factor : 1;
  return (dollars / 1_000_000) * long * (options.batch ? BATCH_DISCOUNT : 1);
}

/** Dollars rounded for a report: to the hundredth of a cent, which is where a cycle's cost starts to show. */
export function roundDollars(dollars: number): number {
  return Math.round(dollars * 10_000) / 10_000;
}

export function zeroUsage(): BilledUsage {
  return { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, cacheWrite1h: 0 };
}

export function addUsage(a: BilledUsage, b: BilledUsage): BilledUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
  };
}

export function totalTokens(usage: TokenUsage): number {
  return usage.input + usage.output + usage.cacheWrite + usage.cacheRead;
}

/** The usage block of a Messages API answer, in our terms. */
export function usageOf(usage: {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_1h_input_tokens?: number | null } | null;
}): BilledUsage {
  return {
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    cacheWrite1h: usage.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}
