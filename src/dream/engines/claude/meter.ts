/**
 * What a cycle has spent, and whether the next request may go. A request reserves the most it could cost (its
 * prompt at the full input price, all of `max_tokens` written) before it is sent, and settles at what the answer
 * reports; so requests in flight together can never cross a limit, and a cycle stops before the request that might.
 */
import type { EngineRun } from '../../types.js';
import { addUsage, costOf, pricesFor, roundDollars, totalTokens, zeroUsage, type BilledUsage } from './pricing.js';

export interface BudgetLimits {
  tokens?: number;
  usd?: number;
}

export interface Reservation {
  tokens: number;
  usd: number;
}

/** How a request is billed: through a batch or not, and by which model (the meter's own unless named). */
export interface Billing {
  batch?: boolean;
  model?: string;
}

/** A local token estimate can be a quarter short of the real count: reserving this much more keeps the limit. */
const ESTIMATE_MARGIN = 1.3;

export class Meter {
  usage: BilledUsage = zeroUsage();
  /** Null once any answer came from a model whose price is unknown. */
  costUsd: number | null = 0;
  requests = 0;
  private reserved: Reservation = { tokens: 0, usd: 0 };

  /** `model` prices every request that names no other (see Billing), and is the one the report names. */
  constructor(
    readonly model: string,
    private readonly limits: BudgetLimits,
  ) {}

  /** Reserves room for one request, or says why there is none. */
  reserve(promptTokens: number, maxOutput: number, options: Billing = {}): Reservation | string {
    const input = Math.ceil(promptTokens * ESTIMATE_MARGIN);
    const cost = costOf({ ...zeroUsage(), input, output: maxOutput }, options.model ?? this.model, options) ?? 0;
    const want: Reservation = { tokens: input + maxOutput, usd: cost };
    const { tokens, usd } = this.limits;
    if (tokens !== undefined && totalTokens(this.usage) + this.reserved.tokens + want.tokens > tokens) {
      return `the token budget (claude.budget.tokens: ${tokens}) would not cover the next request (up to ${want.tokens} tokens; ${totalTokens(this.usage)} spent)`;
    }
    if (usd !== undefined && (this.costUsd ?? 0) + this.reserved.usd + want.usd > usd) {
      return `the dollar budget (claude.budget.usd: ${usd}) would not cover the next request (up to $${roundDollars(want.usd)}; $${roundDollars(this.costUsd ?? 0)} spent)`;
    }
    this.reserved = { tokens: this.reserved.tokens + want.tokens, usd: this.reserved.usd + want.usd };
    return want;
  }

  /** Replaces a reservation by what the answer cost. */
  settle(reservation: Reservation | undefined, usage: BilledUsage, options: Billing = {}): void {
    if (reservation) this.release(reservation);
    this.requests++;
    this.usage = addUsage(this.usage, usage);
    const cost = costOf(usage, options.model ?? this.model, options);
    this.costUsd = this.costUsd === null || cost === null ? null : this.costUsd + cost;
  }

  /** Gives back a reservation whose request was never answered. */
  release(reservation: Reservation): void {
    this.reserved = { tokens: this.reserved.tokens - reservation.tokens, usd: this.reserved.usd - reservation.usd };
  }

  /** What was spent so far, to tell one phase's spending from the next's. */
  spent(): Spent {
    return { usage: this.usage, costUsd: this.costUsd, requests: this.requests };
  }

  /** The part of an EngineRun this meter knows. */
  report(): Pick<EngineRun, 'model' | 'usage' | 'costUsd' | 'requests'> {
    const { input, output, cacheWrite, cacheRead } = this.usage;
    return { model: this.model, usage: { input, output, cacheWrite, cacheRead }, costUsd: this.costUsd === null ? null : roundDollars(this.costUsd), requests: this.requests };
  }
}

export interface Spent {
  usage: BilledUsage;
  costUsd: number | null;
  requests: number;
}

/** What a phase spent: what the meter had spent at its end, less what it had spent at its start. */
export function spentBetween(start: Spent, end: Spent): Spent {
  const usage = { ...end.usage };
  for (const key of Object.keys(usage) as (keyof BilledUsage)[]) usage[key] -= start.usage[key];
  const costUsd = end.costUsd === null || start.costUsd === null ? null : end.costUsd - start.costUsd;
  return { usage, costUsd, requests: end.requests - start.requests };
}

/** Why a cycle with a dollar budget cannot run on these models, if it cannot. */
export function unpricedBudget(models: string | readonly string[], limits: BudgetLimits): string | undefined {
  if (limits.usd === undefined) return undefined;
  const unpriced = [...new Set(typeof models === 'string' ? [models] : models)].filter((model) => !pricesFor(model));
  if (unpriced.length === 0) return undefined;
  return `claude.budget.usd is set, but the price of model ${unpriced.map((m) => `"${m}"`).join(' and ')} is unknown, so no dollar budget can be kept; set claude.budget.tokens instead, or use a model with a known price`;
}
