/**
 * A dry run's estimate of what a cycle would cost, spending nothing: the prompts are counted by the API's
 * count_tokens endpoint (free) when a key is at hand, on a sample when there are many, and estimated offline
 * otherwise; output cannot be counted before it is written, so it is a stated guess. Nothing else is sent. With a
 * budget, the estimate says what the budget would cover of it (forecast.ts).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { CostEstimate } from '../../types.js';
import { describeApiError } from './client.js';
import { cacheMinimumOf } from './models.js';
import { forecastBudget, type PlannedRequest } from './forecast.js';
import type { BudgetLimits } from './meter.js';
import { costOf, roundDollars, zeroUsage, type BilledUsage } from './pricing.js';
import { cacheTtlOf, countParams, localPromptTokens, messageParams, prefixProbe, type MessageParams, type StructuredRequest } from './requests.js';

/** Prompts counted exactly at most; the rest are scaled from the sample by how far the offline estimate was off. */
const COUNTED_SAMPLE = 20;
/** Guesses of the answers' lengths: a handful of observations per session, a page of curation steps. */
export const GUESSED_MAP_OUTPUT = 500;
export const GUESSED_CURATE_OUTPUT = 1500;

export interface EstimateInput {
  /** The map phase's model; each request carries its phase's model, which prices it and counts its tokens. */
  mapModel: string;
  mapRequests: StructuredRequest[];
  /** The curate request as it would be sent with no patterns; patterns are added by a guess per session. */
  curateRequest: StructuredRequest;
  batch: boolean;
  /** `claude.budget`: what it would cover of the cycle is forecast with the estimate. */
  limits?: BudgetLimits;
  client?: Anthropic;
  /** Told why the prompts were estimated offline when a client was given. */
  warn?: (message: string) => void;
}

/** Tokens of the curate question per session mapped: the patterns a session adds, with their quotes. */
const GUESSED_PATTERN_TOKENS_PER_SESSION = 60;

/** The curate prompt once the patterns of `sessions` mapped sessions are in it, from the prompt without any. */
function guessedCuratePrompt(withoutPatterns: number, sessions: number): number {
  return withoutPatterns + GUESSED_PATTERN_TOKENS_PER_SESSION * sessions;
}

export async function estimateCost(input: EstimateInput): Promise<CostEstimate> {
  const map = input.mapRequests.map((r) => messageParams(r));
  const curate = messageParams(input.curateRequest);
  const { mapModel } = input;
  const curateModel = input.curateRequest.model;
  const probes = map[0] ? [prefixProbe(map[0]), prefixProbe(curate)] : [];
  const counter = tokenCounter(input.client, input.warn ?? (() => undefined));
  const sample = evenly(map, COUNTED_SAMPLE);
  const counted = await counter([...sample, curate, ...probes]);
  const scale = counted ? ratio(counted.slice(0, sample.length), sample.map(localPromptTokens)) : 1;
  const exact = counted && sample.length === map.length;
  const mapTokens = map.map((params, i) => (exact ? (counted[i] as number) : Math.round(localPromptTokens(params) * scale)));
  const curateTokens = guessedCuratePrompt(counted?.[sample.length] ?? localPromptTokens(curate), map.length);
  const [mapPrefix = 0, curatePrefix = 0] = probes.map((probe, i) => counted?.[sample.length + 1 + i] ?? localPromptTokens(probe));

  const mapUsages = requestUsages(mapTokens, mapPrefix, GUESSED_MAP_OUTPUT, mapModel, input.batch);
  const mapCosts = mapUsages.map((usage) => costOf(usage, mapModel, { batch: input.batch }));
  const mapCost = mapCosts.some((c) => c === null) ? null : (mapCosts as number[]).reduce((a, b) => a + b, 0);
  const nothing = map.length === 0;
  const curateUsage: BilledUsage = { ...zeroUsage(), input: curateTokens, output: GUESSED_CURATE_OUTPUT };
  const curateCost = nothing ? 0 : costOf(curateUsage, curateModel);
  const phases: CostEstimate['phases'] = {
    map: {
      model: mapModel,
      requests: map.length,
      inputTokens: mapTokens.reduce((a, b) => a + b, 0),
      outputTokens: GUESSED_MAP_OUTPUT * map.length,
      costUsd: mapCost === null ? null : roundDollars(mapCost),
      prefixTokens: mapPrefix,
      cacheMinimum: cacheMinimumOf(mapModel) ?? null,
    },
    curate: {
      model: curateModel,
      requests: nothing ? 0 : 1,
      inputTokens: nothing ? 0 : curateTokens,
      outputTokens: nothing ? 0 : GUESSED_CURATE_OUTPUT,
      costUsd: curateCost === null ? null : roundDollars(curateCost),
      prefixTokens: curatePrefix,
      cacheMinimum: cacheMinimumOf(curateModel) ?? null,
    },
  };
  // The requests as the cycle's meter would reserve them (offline prompt estimates, all of max_tokens) and as this
  // estimate expects them to cost; the curate prompt is guessed as above, and checked with no pattern before the map.
  const curateBilling = { model: curateModel, cacheTtl: cacheTtlOf(curate) };
  const plannedMap: PlannedRequest[] = map.map((params, i) => ({
    promptTokens: localPromptTokens(params),
    maxOutput: params.max_tokens,
    billing: { model: mapModel, batch: input.batch, cacheTtl: cacheTtlOf(params) },
    usage: mapUsages[i] as BilledUsage,
  }));
  const budget = input.limits
    ? forecastBudget(input.limits, {
        map: plannedMap,
        batch: input.batch,
        ...(nothing
          ? {}
          : {
              curate: { promptTokens: guessedCuratePrompt(localPromptTokens(curate), map.length), maxOutput: curate.max_tokens, billing: curateBilling, usage: curateUsage },
              curateFloor: { promptTokens: localPromptTokens(curate), maxOutput: curate.max_tokens, billing: curateBilling },
            }),
      })
    : undefined;
  return {
    sessions: map.length,
    requests: phases.map.requests + phases.curate.requests,
    inputTokens: phases.map.inputTokens + phases.curate.inputTokens,
    outputTokens: phases.map.outputTokens + phases.curate.outputTokens,
    costUsd: nothing ? 0 : mapCost === null || curateCost === null ? null : roundDollars(mapCost + curateCost),
    method: counted ? 'count_tokens' : 'local',
    batch: input.batch,
    phases,
    ...(budget ? { budget } : {}),
  };
}

/**
 * Each request's usage: the first writes the shared prefix to the cache, the others read it; a prefix shorter than
 * the model caches is not cached at all. Priced one by one, as a model priced by prompt length bills them.
 */
function requestUsages(prompts: number[], prefix: number, outputEach: number, model: string, batch: boolean): BilledUsage[] {
  const cacheable = prefix >= (cacheMinimumOf(model) ?? Infinity);
  return prompts.map((tokens, i) => {
    const shared = cacheable ? Math.min(prefix, tokens) : 0;
    const usage: BilledUsage = { ...zeroUsage(), input: tokens - shared, output: outputEach };
    if (i === 0) usage.cacheWrite = shared;
    else usage.cacheRead = shared;
    // Batches cache their prefix for an hour (see prompts.ts): written at that TTL's price.
    if (batch) usage.cacheWrite1h = usage.cacheWrite;
    return usage;
  });
}

/** Counts prompts with the API; undefined (offline estimate) when there is no client or any count fails. */
function tokenCounter(client: Anthropic | undefined, warn: (message: string) => void): (requests: MessageParams[]) => Promise<number[] | undefined> {
  return async (requests) => {
    if (!client || requests.length === 0) return undefined;
    try {
      const counts: number[] = [];
      for (const params of requests) counts.push((await client.messages.countTokens(countParams(params))).input_tokens);
      return counts;
    } catch (error) {
      warn(`count_tokens failed (${describeApiError(error)}): prompts estimated offline`);
      return undefined;
    }
  };
}

function ratio(counted: number[], local: number[]): number {
  const a = counted.reduce((x, y) => x + y, 0);
  const b = local.reduce((x, y) => x + y, 0);
  return a > 0 && b > 0 ? a / b : 1;
}

/** Up to `count` items spread over the whole list, so that a sample sees short and long sessions alike. */
function evenly<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}
