/**
 * What a cycle has spent, and whether the next request may go.
 *
 * How spend is kept within the budget: before a request is sent, the most it could cost is reserved: its prompt
 * (the offline estimate with a margin for where it runs short) priced as if all of it were written to the prompt
 * cache, the dearest rate a prompt token is billed at, and all of its `max_tokens` at the output price. It goes only
 * when what was spent, what the requests in flight reserved and its own reservation fit the limits together; its
 * answer then replaces the reservation by what the API reports it cost, which is never more. So spent + reserved
 * never crosses a limit, and what was spent cannot either, however many requests are in flight.
 *
 * Reserving the worst case is what keeps that guarantee, but it is many times what an answer usually costs. So a
 * request that does not fit does not end the cycle: it waits until a request in flight settles (its unused
 * reservation comes back) and tries again; only when nothing is in flight and it still does not fit is the budget
 * spent. A budget is then used to within one request's reservation, with any concurrency.
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

/** How a request is billed: through a batch or not, by which model (the meter's own unless named), and the TTL its prefix is cached with. */
export interface Billing {
  batch?: boolean;
  model?: string;
  /** Prices the reserved prompt as a cache write at this TTL; unsaid, at the 1-hour rate, the dearest. */
  cacheTtl?: '5m' | '1h';
}

/** A local token estimate can be a quarter short of the real count: reserving this much more keeps the limit. */
const ESTIMATE_MARGIN = 1.3;

/**
 * The most a request can cost: its prompt with the margin, all written to the cache, and all of `maxOutput`. Pure,
 * so that a dry run forecasts with the reservations a cycle would make.
 */
export function reservationFor(promptTokens: number, maxOutput: number, model: string, billing: Billing = {}): Reservation {
  const input = Math.ceil(promptTokens * ESTIMATE_MARGIN);
  const written = { ...zeroUsage(), cacheWrite: input, cacheWrite1h: billing.cacheTtl === '5m' ? 0 : input, output: maxOutput };
  return { tokens: input + maxOutput, usd: costOf(written, model, billing) ?? 0 };
}

export class Meter {
  usage: BilledUsage = zeroUsage();
  /** Null once any answer came from a model whose price is unknown. */
  costUsd: number | null = 0;
  requests = 0;
  private reserved: Reservation = { tokens: 0, usd: 0 };
  /** Reservations not yet settled or released: while there is one, a request that does not fit may wait. */
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  /** `model` prices every request that names no other (see Billing), and is the one the report names. */
  constructor(
    readonly model: string,
    private readonly limits: BudgetLimits,
  ) {}

  /** Reserves room for one request now, or says why there is none. */
  reserve(promptTokens: number, maxOutput: number, options: Billing = {}): Reservation | string {
    const want = reservationFor(promptTokens, maxOutput, options.model ?? this.model, options);
    const refused = this.wontFit(want);
    if (refused) return refused;
    this.reserved = { tokens: this.reserved.tokens + want.tokens, usd: this.reserved.usd + want.usd };
    this.inFlight++;
    return want;
  }

  /**
   * Reserves room for one request, waiting for requests in flight to settle while it does not fit; says why there
   * is none only when nothing is in flight and it still does not fit.
   */
  async reserveWhenRoom(promptTokens: number, maxOutput: number, options: Billing = {}): Promise<Reservation | string> {
    for (;;) {
      const reservation = this.reserve(promptTokens, maxOutput, options);
      if (typeof reservation !== 'string' || this.inFlight === 0) return reservation;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Why a request reserving `want` cannot go now, if it cannot; `what` names the request. */
  wontFit(want: Reservation, what = 'the next request'): string | undefined {
    const { tokens, usd } = this.limits;
    const inFlight = this.inFlight > 0 ? `, ${this.inFlight} in flight` : '';
    if (tokens !== undefined && totalTokens(this.usage) + this.reserved.tokens + want.tokens > tokens) {
      return `the token budget (claude.budget.tokens: ${tokens}) would not cover ${what} (up to ${want.tokens} tokens; ${totalTokens(this.usage)} spent${inFlight})`;
    }
    if (usd !== undefined && (this.costUsd ?? 0) + this.reserved.usd + want.usd > usd) {
      return `the dollar budget (claude.budget.usd: ${usd}) would not cover ${what} (up to $${roundDollars(want.usd)}; $${roundDollars(this.costUsd ?? 0)} spent${inFlight})`;
    }
    return undefined;
  }

  /** Replaces a reservation by what the answer cost. */
  settle(reservation: Reservation | undefined, usage: BilledUsage, options: Billing = {}): void {
    this.requests++;
    this.usage = addUsage(this.usage, usage);
    const cost = costOf(usage, options.model ?? this.model, options);
    this.costUsd = this.costUsd === null || cost === null ? null : this.costUsd + cost;
    if (reservation) this.release(reservation);
  }

  /** Gives back a reservation whose request was never answered. */
  release(reservation: Reservation): void {
    this.reserved = { tokens: this.reserved.tokens - reservation.tokens, usd: this.reserved.usd - reservation.usd };
    this.inFlight--;
    // Every waiting request tries again, in the order they came: room may have come back for one or for several.
    for (const wake of this.waiting.splice(0)) wake();
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
