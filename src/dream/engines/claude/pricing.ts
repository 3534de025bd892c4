/**
 * List prices of the Messages API, in US dollars per million tokens, and the cost of a usage at them. Pure.
 *
 * Source: Anthropic's model pages and pricing page (platform.claude.com/docs/en/about-claude/pricing and
 * platform.claude.com/docs/en/models/<model>/overview), as read in October 2026. Cache writes cost 1.25× the input
 * price for the 5-minute TTL and 2× for the 1-hour TTL, cache reads 0.1× or the price a model page gives; the Message
 * Batches API halves every rate, and its discount stacks with prompt caching. Where two Anthropic pages disagree
 * (the Sonnet 5.5 migration guide gives $0.10 for cache reads, its model page $0.20) the higher price is kept, so
 * that a budget errs on the side of stopping early. A model not listed here has an unknown cost: it is reported as
 * unknown, never guessed from a similar name.
 */
import type { TokenUsage } from '../../types.js';

export interface Prices {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

const price = (input: number, output: number, cacheRead: number): Prices => ({ input, output, cacheWrite5m: input * 1.25, cacheWrite1h: input * 2, cacheRead });

/** By model id without a date suffix. */
const PRICES: Record<string, Prices> = {
  'claude-fable-5-1': price(10, 50, 0.25),
  'claude-mythos-5-1': price(10, 50, 0.25),
  'claude-fable-5': price(10, 50, 1),
  'claude-mythos-5': price(10, 50, 1),
  'claude-opus-5-5': price(4, 20, 0.2),
  'claude-opus-5': price(5, 25, 0.5),
  'claude-opus-4-8': price(5, 25, 0.5),
  'claude-opus-4-7': price(5, 25, 0.5),
  'claude-opus-4-6': price(5, 25, 0.5),
  'claude-opus-4-5': price(5, 25, 0.5),
  'claude-opus-4-1': price(15, 75, 1.5),
  'claude-opus-4': price(15, 75, 1.5),
  'claude-sonnet-5-5': price(2, 10, 0.2),
  'claude-sonnet-5': price(2, 10, 0.2),
  'claude-sonnet-4-6': price(3, 15, 0.3),
  'claude-sonnet-4-5': price(3, 15, 0.3),
  'claude-sonnet-4': price(3, 15, 0.3),
  'claude-haiku-4-5': price(1, 5, 0.1),
};

/** The Message Batches API bills half of every rate. */
export const BATCH_DISCOUNT = 0.5;

/** Prices of a model id (`claude-sonnet-4-5-20250929` is priced as `claude-sonnet-4-5`); undefined when unknown. */
export function pricesFor(model: string): Prices | undefined {
  const id = model.trim().toLowerCase().replace(/-\d{8}$/, '');
  return Object.hasOwn(PRICES, id) ? PRICES[id] : undefined;
}

/** A usage with its cache writes split by TTL, as the API reports them: the two are priced apart. */
export interface BilledUsage extends TokenUsage {
  /** The part of `cacheWrite` written with the 1-hour TTL. */
  cacheWrite1h: number;
}

/** Dollars for a usage at list prices, or null for a model whose price is unknown. */
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
  return (dollars / 1_000_000) * (options.batch ? BATCH_DISCOUNT : 1);
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
