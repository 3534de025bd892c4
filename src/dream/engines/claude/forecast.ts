/**
 * What a budget would cover of a cycle, forecast before anything is spent: the requests a dry run estimated go
 * through a Meter with the cycle's limits, reserving what the cycle would reserve and settling at what the estimate
 * expects each to cost, so that the forecast stops where the cycle would. Pure.
 *
 * One by one is enough to say where: a cycle with requests in flight waits for them to settle before it gives up on
 * one, so it stops at the same request as a cycle sending one at a time (give or take the order of the last few).
 * A batch reserves all of its requests before any is answered, and so does the forecast.
 */
import type { BudgetForecast } from '../../types.js';
import { Meter, reservationFor, type Billing, type BudgetLimits, type Reservation } from './meter.js';
import { costOf, roundDollars, totalTokens, type BilledUsage } from './pricing.js';

/** One request of the cycle, as the meter would reserve it and as the estimate expects it to cost. */
export interface PlannedRequest {
  /** The prompt as the meter reserves it: the offline estimate, whatever the API counted. */
  promptTokens: number;
  maxOutput: number;
  billing: Billing & { model: string };
  /** What the estimate expects it to cost. */
  usage: BilledUsage;
}

export interface PlannedCycle {
  map: PlannedRequest[];
  /** The map requests go as one Message Batch. */
  batch: boolean;
  /** The curate request with the patterns the estimate guesses; absent when there is nothing to map. */
  curate?: PlannedRequest;
  /** The curate request with no pattern at all: the least curate can reserve, which a cycle checks before it maps. */
  curateFloor?: Omit<PlannedRequest, 'usage'>;
}

export function forecastBudget(limits: BudgetLimits, cycle: PlannedCycle): BudgetForecast | undefined {
  if (limits.tokens === undefined && limits.usd === undefined) return undefined;
  const budget = budgetText(limits);
  const meter = new Meter(cycle.curate?.billing.model ?? cycle.map[0]?.billing.model ?? '', limits);
  const mapRequests = cycle.map.length;
  const needed = neededFor(limits, cycle);
  const forecast = (fields: Pick<BudgetForecast, 'mapCovered' | 'curate' | 'message'> & { stops?: 'map' | 'curate' }): BudgetForecast => ({
    ...limits,
    mapRequests,
    needed,
    ...fields,
  });
  const more = ` (a budget of about ${budgetText(needed)} would cover the whole cycle)`;

  const floor = cycle.curateFloor;
  if (mapRequests > 0 && floor && meter.wontFit(reservationOf(floor))) {
    return forecast({
      stops: 'curate',
      mapCovered: 0,
      curate: false,
      message: `the budget of ${budget} would not cover the curate request at claude.curate.max_tokens ${floor.maxOutput.toLocaleString('en-US')} (up to ${amountText(limits, reservationOf(floor))}): the cycle would stop before sending anything; raise the budget or lower claude.curate.max_tokens`,
    });
  }

  let covered = 0;
  if (cycle.batch) {
    const reservations: Reservation[] = [];
    for (const request of cycle.map) {
      const reservation = meter.reserve(request.promptTokens, request.maxOutput, request.billing);
      if (typeof reservation === 'string') break;
      reservations.push(reservation);
    }
    reservations.forEach((reservation, i) => meter.settle(reservation, (cycle.map[i] as PlannedRequest).usage, (cycle.map[i] as PlannedRequest).billing));
    covered = reservations.length;
  } else {
    for (const request of cycle.map) {
      const reservation = meter.reserve(request.promptTokens, request.maxOutput, request.billing);
      if (typeof reservation === 'string') break;
      meter.settle(reservation, request.usage, request.billing);
      covered++;
    }
  }
  if (covered < mapRequests) {
    const first = cycle.map[0] as PlannedRequest;
    const message =
      covered === 0
        ? `the budget of ${budget} would not cover one map request at claude.map.max_tokens ${first.maxOutput.toLocaleString('en-US')} (up to ${amountText(limits, reservationOf(first))}); nothing would be sent${more}`
        : `the budget of ${budget} covers the map of about ${covered} of ${mapRequests} sessions; curate would not run${more}`;
    return forecast({ stops: 'map', mapCovered: covered, curate: false, message });
  }
  const curate = cycle.curate;
  if (curate && typeof meter.reserve(curate.promptTokens, curate.maxOutput, curate.billing) === 'string') {
    return forecast({
      stops: 'curate',
      mapCovered: covered,
      curate: false,
      message: `the budget of ${budget} covers the map of all ${mapRequests} sessions, but not the curate request after it (up to ${amountText(limits, reservationOf(curate))} at claude.curate.max_tokens ${curate.maxOutput.toLocaleString('en-US')}); curate would not run, and the next cycle, with these sessions cached, would pay for curate and its new sessions only${more}`,
    });
  }
  if (curate) meter.settle(undefined, curate.usage, curate.billing);
  const spent = meter.report();
  const about = limits.usd !== undefined && spent.costUsd !== null ? `$${spent.costUsd.toFixed(4)}` : `${totalTokens(spent.usage).toLocaleString('en-US')} tokens`;
  return forecast({ mapCovered: covered, curate: curate !== undefined, message: `the budget of ${budget} covers the whole cycle (about ${about})` });
}

function reservationOf(request: Omit<PlannedRequest, 'usage'>): Reservation {
  return reservationFor(request.promptTokens, request.maxOutput, request.billing.model, request.billing);
}

/**
 * About the budget the whole cycle needs, in the terms of the limits set: what the map is expected to cost, and then
 * room for the curate request's reservation (or the last map request's, when that is more), which must fit beside
 * it; a batch needs room for all of its reservations at once.
 */
function neededFor(limits: BudgetLimits, cycle: PlannedCycle): BudgetLimits {
  const expected = cycle.map.map((r) => ({ tokens: totalTokens(r.usage), usd: costOf(r.usage, r.billing.model, r.billing) ?? 0 }));
  const reserved = cycle.map.map(reservationOf);
  const sum = (amounts: Reservation[], key: keyof Reservation) => amounts.reduce((total, r) => total + r[key], 0);
  const need = (key: keyof Reservation) => {
    const curate = cycle.curate ? reservationOf(cycle.curate)[key] : 0;
    const lastMap = (reserved.at(-1)?.[key] ?? 0) - (expected.at(-1)?.[key] ?? 0);
    const oneByOne = sum(expected, key) + Math.max(curate, lastMap);
    return cycle.batch ? Math.max(sum(reserved, key), sum(expected, key) + curate) : oneByOne;
  };
  const needed: BudgetLimits = {};
  if (limits.tokens !== undefined) needed.tokens = Math.ceil(need('tokens'));
  // Up to the next cent: a budget is set in cents, and this is an estimate.
  if (limits.usd !== undefined) needed.usd = Math.ceil(need('usd') * 100) / 100;
  return needed;
}

/** `$0.06`, `50,000 tokens`, or both. */
function budgetText(limits: BudgetLimits): string {
  const parts: string[] = [];
  if (limits.usd !== undefined) parts.push(dollarsText(limits.usd));
  if (limits.tokens !== undefined) parts.push(`${limits.tokens.toLocaleString('en-US')} tokens`);
  return parts.join(' and ');
}

/** Dollars as a budget is written: `$2.50`, `$0.06`, `$0.005`. */
function dollarsText(usd: number): string {
  return `$${Number.isInteger(Math.round(usd * 1e6) / 1e4) ? usd.toFixed(2) : String(usd)}`;
}

/** A reservation in the terms of the limits set. */
function amountText(limits: BudgetLimits, amount: Reservation): string {
  const parts: string[] = [];
  if (limits.usd !== undefined) parts.push(`$${roundDollars(amount.usd)}`);
  if (limits.tokens !== undefined) parts.push(`${amount.tokens.toLocaleString('en-US')} tokens`);
  return parts.join(', ');
}
