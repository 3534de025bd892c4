/**
 * A dry run's estimate of what a cycle would cost, spending nothing: the prompts are counted by the API's
 * count_tokens endpoint (free) when a key is at hand, on a sample when there are many, and estimated offline
 * otherwise; output cannot be counted before it is written, so it is a stated guess. Nothing else is sent.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { CostEstimate } from '../../types.js';
import { describeApiError } from './client.js';
import { costOf, zeroUsage, type BilledUsage } from './pricing.js';
import { countParams, localPromptTokens, messageParams, type MessageParams, type StructuredRequest } from './requests.js';

/** Prompts counted exactly at most; the rest are scaled from the sample by how far the offline estimate was off. */
const COUNTED_SAMPLE = 20;
/** The smallest prefix the API caches (the current models take 512 to 4,096 tokens; the common 1,024 is assumed). */
const MIN_CACHED_PREFIX = 1024;
/** Guesses of the answers' lengths: a handful of observations per session, a page of curation steps. */
export const GUESSED_MAP_OUTPUT = 500;
export const GUESSED_CURATE_OUTPUT = 1500;

export interface EstimateInput {
  model: string;
  mapRequests: StructuredRequest[];
  /** The curate request as it would be sent with no patterns; patterns are added by a guess per session. */
  curateRequest: StructuredRequest;
  batch: boolean;
  client?: Anthropic;
  /** Told why the prompts were estimated offline when a client was given. */
  warn?: (message: string) => void;
}

/** Tokens of the curate question per session mapped: the patterns a session adds, with their quotes. */
const GUESSED_PATTERN_TOKENS_PER_SESSION = 60;

export async function estimateCost(input: EstimateInput): Promise<CostEstimate> {
  const map = input.mapRequests.map((r) => messageParams(r));
  const curate = messageParams(input.curateRequest);
  const prefixProbe = map[0] ? withUser(map[0], '.') : undefined;
  const counter = tokenCounter(input.client, input.model, input.warn ?? (() => undefined));
  const sample = evenly(map, COUNTED_SAMPLE);
  const counted = await counter([...sample, curate, ...(prefixProbe ? [prefixProbe] : [])]);
  const scale = counted ? ratio(counted.slice(0, sample.length), sample.map(localPromptTokens)) : 1;
  const exact = counted && sample.length === map.length;
  const mapTokens = map.map((params, i) => (exact ? (counted[i] as number) : Math.round(localPromptTokens(params) * scale)));
  const curateTokens = (counted?.[sample.length] ?? localPromptTokens(curate)) + GUESSED_PATTERN_TOKENS_PER_SESSION * map.length;
  const prefix = prefixProbe ? (counted?.[sample.length + 1] ?? localPromptTokens(prefixProbe)) : 0;

  const mapUsage = cachedUsage(mapTokens, prefix, GUESSED_MAP_OUTPUT, input.batch);
  const curateUsage: BilledUsage = { ...zeroUsage(), input: curateTokens, output: GUESSED_CURATE_OUTPUT };
  const mapCost = costOf(mapUsage, input.model, { batch: input.batch });
  const curateCost = costOf(curateUsage, input.model);
  const inputTokens = mapTokens.reduce((a, b) => a + b, 0) + curateTokens;
  return {
    sessions: map.length,
    requests: map.length + (map.length > 0 ? 1 : 0),
    inputTokens: map.length > 0 ? inputTokens : 0,
    outputTokens: map.length > 0 ? GUESSED_MAP_OUTPUT * map.length + GUESSED_CURATE_OUTPUT : 0,
    costUsd: map.length === 0 ? 0 : mapCost === null || curateCost === null ? null : Math.round((mapCost + curateCost) * 10_000) / 10_000,
    method: counted ? 'count_tokens' : 'local',
    batch: input.batch,
  };
}

/** The first request writes the shared prefix to the cache, the others read it; a short prefix is not cached at all. */
function cachedUsage(prompts: number[], prefix: number, outputEach: number, batch: boolean): BilledUsage {
  const usage = zeroUsage();
  const cacheable = prefix >= MIN_CACHED_PREFIX;
  prompts.forEach((tokens, i) => {
    const shared = cacheable ? Math.min(prefix, tokens) : 0;
    usage.input += tokens - shared;
    if (i === 0) usage.cacheWrite += shared;
    else usage.cacheRead += shared;
    usage.output += outputEach;
  });
  // Batches cache their prefix for an hour (see prompts.ts): written at that TTL's price.
  if (batch) usage.cacheWrite1h = usage.cacheWrite;
  return usage;
}

/** Counts prompts with the API; undefined (offline estimate) when there is no client or any count fails. */
function tokenCounter(client: Anthropic | undefined, model: string, warn: (message: string) => void): (requests: MessageParams[]) => Promise<number[] | undefined> {
  return async (requests) => {
    if (!client || requests.length === 0) return undefined;
    try {
      const counts: number[] = [];
      for (const params of requests) counts.push((await client.messages.countTokens({ ...countParams(params), model })).input_tokens);
      return counts;
    } catch (error) {
      warn(`count_tokens failed (${describeApiError(error)}): prompts estimated offline`);
      return undefined;
    }
  };
}

function withUser(params: MessageParams, text: string): MessageParams {
  return { ...params, messages: [{ role: 'user', content: text }] };
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
