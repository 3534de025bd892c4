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

/** A local token estimate can be a quarter short of the real count: reserving this much more keeps the limit. */
const ESTIMATE_MARGIN = 1.3;

export class Meter {
  usage: BilledUsage = zeroUsage();
  /** Null once any answer came from a model whose price is unknown. */
  costUsd: number | null = 0;
  requests = 0;
  private reserved: Reservation = { tokens: 0, usd: 0 };

  constructor(
    readonly model: string,
    private readonly limits: BudgetLimits,
  ) {}

  /** Reserves room for one request, or says why there is none. */
  reserve(promptTokens: number, maxOutput: number, options: { batch?: boolean } = {}): Reservation | string {
    const input = Math.ceil(promptTokens * ESTIMATE_MARGIN);
    const cost = costOf({ ...zeroUsage(), input, output: maxOutput }, this.model, options) ?? 0;
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
  settle(reservation: Reservation | undefined, usage: BilledUsage, options: { batch?: boolean } = {}): void {
    if (reservation) this.release(reservation);
    this.requests++;
    this.usage = addUsage(this.usage, usage);
    const cost = costOf(usage, this.model, options);
    this.costUsd = this.costUsd === null || cost === null ? null : this.costUsd + cost;
  }

  /** Gives back a reservation whose request was never answered. */
  release(reservation: Reservation): void {
    this.reserved = { tokens: this.reserved.tokens - reservation.tokens, usd: this.reserved.usd - reservation.usd };
  }

  /** The part of an EngineRun this meter knows. */
  report(): Pick<EngineRun, 'model' | 'usage' | 'costUsd' | 'requests'> {
    const { input, output, cacheWrite, cacheRead } = this.usage;
    return { model: this.model, usage: { input, output, cacheWrite, cacheRead }, costUsd: this.costUsd === null ? null : roundDollars(this.costUsd), requests: this.requests };
  }
}

/** Why a cycle with a dollar budget cannot run on this model, if it cannot. */
export function unpricedBudget(model: string, limits: BudgetLimits): string | undefined {
  if (limits.usd === undefined || pricesFor(model)) return undefined;
  return `claude.budget.usd is set, but the price of model "${model}" is unknown, so no dollar budget can be kept; set claude.budget.tokens instead, or use a model with a known price`;
}
