/**
 * The map step: each new session's observations, from the local cache when an earlier cycle paid for them, else from
 * the model (one request per session, a bounded number in flight; or one Message Batch). Each answer is checked
 * (schema, then grounding), cached at once, and only then counted: a cycle that stops halfway keeps all it paid for.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ObservedSession } from '../../types.js';
import { runBatch, type BatchOptions } from './batch.js';
import { askStructured, BudgetExhausted, describeApiError, isApiError, isFatal, toEngineError } from './client.js';
import type { ClaudeCache, MapResult } from './cache.js';
import { groundObservations } from './ground.js';
import type { Meter } from './meter.js';
import { mapUser, type SystemBlock } from './prompts.js';
import type { MappedSession } from './reduce.js';
import type { Reading, StructuredRequest } from './requests.js';
import { MAP_SCHEMA, type MapAnswer } from './schemas.js';
import type { Effort } from '../../../config/types.js';

export interface MapDeps {
  client: Anthropic;
  meter: Meter;
  cache: ClaudeCache;
  model: string;
  maxTokens: number;
  concurrency: number;
  effort?: Effort;
  system: SystemBlock[];
  /** Send the requests as one Message Batch instead of one by one. */
  batch?: BatchOptions;
  warn: (message: string) => void;
}

export interface MapOutcome {
  mapped: MappedSession[];
  /** Sessions whose result came from the cache. */
  cached: number;
  /** Sessions with no result this cycle (an API error): not processed, so the next cycle tries them again. */
  failed: number;
  batch?: string;
  /** Why the step stopped early: nothing of this cycle may be committed. */
  stopped?: string;
}

/** A session ready for the map step: its transcript is what the model reads. */
export type Transcribed = ObservedSession & { transcript: string };

export async function mapSessions(sessions: readonly Transcribed[], deps: MapDeps): Promise<MapOutcome> {
  const outcome: MapOutcome = { mapped: [], cached: 0, failed: 0 };
  const misses: Transcribed[] = [];
  for (const session of uniqueByHash(sessions)) {
    const hit = await deps.cache.readMap(session.hash);
    if (hit) {
      outcome.mapped.push(mappedOf(session, hit));
      outcome.cached++;
    } else misses.push(session);
  }
  if (misses.length === 0) return outcome;
  if (deps.batch) await mapInBatch(misses, deps, deps.batch, outcome);
  else await mapOneByOne(misses, deps, outcome);
  return outcome;
}

export function mapRequest(session: Transcribed, deps: Pick<MapDeps, 'model' | 'maxTokens' | 'effort' | 'system'>): StructuredRequest {
  const request: StructuredRequest = {
    model: deps.model,
    system: deps.system,
    user: mapUser({ id: session.id, agent: session.agent, transcript: session.transcript, ...(session.startedAt ? { startedAt: session.startedAt } : {}) }),
    schema: MAP_SCHEMA,
    maxTokens: deps.maxTokens,
  };
  if (deps.effort) request.effort = deps.effort;
  return request;
}

async function mapOneByOne(misses: Transcribed[], deps: MapDeps, outcome: MapOutcome): Promise<void> {
  const errors: unknown[] = [];
  let answered = 0;
  const one = async (session: Transcribed) => {
    if (outcome.stopped) return;
    try {
      const reading = await askStructured<MapAnswer>(deps.client, deps.meter, mapRequest(session, deps));
      await keep(session, reading, deps, outcome);
      answered++;
    } catch (error) {
      if (error instanceof BudgetExhausted) {
        outcome.stopped ??= `budget spent: ${error.message}`;
        return;
      }
      if (!isApiError(error)) throw error;
      if (isFatal(error)) throw toEngineError(error);
      errors.push(error);
      outcome.failed++;
      deps.warn(`session ${session.id}: ${describeApiError(error)}; left for the next cycle`);
    }
  };
  // The first request alone writes the cached prefix; sent together, the first few would each pay to write it.
  const [first, ...rest] = misses;
  if (first) await one(first);
  await eachLimited(rest, deps.concurrency, one);
  // Every request failed the same way: that is the API refusing this cycle, not a bad session.
  if (answered === 0 && errors.length > 0 && !outcome.stopped) throw toEngineError(errors[0]);
}

async function mapInBatch(misses: Transcribed[], deps: MapDeps, options: BatchOptions, outcome: MapOutcome): Promise<void> {
  const byHash = new Map(misses.map((s) => [s.hash, s]));
  let batch: Awaited<ReturnType<typeof runBatch>>;
  try {
    batch = await runBatch(
      misses.map((session) => ({ hash: session.hash, request: mapRequest(session, deps) })),
      { client: deps.client, meter: deps.meter, cache: deps.cache, warn: deps.warn },
      options,
    );
  } catch (error) {
    // A batch is one request for every session: when the API refuses it past its retries, the cycle fails (a batch
    // already submitted stays recorded, and the next cycle resumes it).
    throw isApiError(error) ? toEngineError(error) : error;
  }
  if (batch.id) outcome.batch = batch.id;
  for (const [hash, result] of batch.results) {
    const session = byHash.get(hash);
    // A resumed batch may hold sessions this cycle no longer sees (their log was removed): nothing to check them against.
    if (!session) continue;
    if (result.kind === 'error') {
      outcome.failed++;
      deps.warn(`session ${session.id}: the batch request failed (${result.message}); left for the next cycle`);
      continue;
    }
    try {
      // A batch answer off the schema gets its one retry as a plain request, with the problems appended.
      const reading = await askStructured<MapAnswer>(deps.client, deps.meter, mapRequest(session, deps), result.message);
      await keep(session, reading, deps, outcome);
    } catch (error) {
      if (error instanceof BudgetExhausted) outcome.stopped ??= `budget spent: ${error.message}`;
      else if (!isApiError(error)) throw error;
      else if (isFatal(error)) throw toEngineError(error);
      else {
        outcome.failed++;
        deps.warn(`session ${session.id}: ${describeApiError(error)}; left for the next cycle`);
      }
    }
  }
  if (batch.stopped) outcome.stopped ??= batch.stopped;
}

/** Checks an answer, caches what survives, and counts the session as mapped. */
async function keep(session: Transcribed, reading: Reading<MapAnswer>, deps: MapDeps, outcome: MapOutcome): Promise<void> {
  let result: MapResult;
  if (reading.ok) {
    const grounded = groundObservations(reading.value, session.transcript);
    result = { session: session.id, hash: session.hash, model: deps.model, observations: grounded.observations, dropped: grounded.dropped };
    if (grounded.dropped.length) deps.warn(`session ${session.id}: ${grounded.dropped.length} observation(s) dropped: ${grounded.dropped.slice(0, 3).join('; ')}`);
  } else {
    // Twice off the schema: the session counts as read, with nothing learnt, so it is not paid for again and again.
    result = { session: session.id, hash: session.hash, model: deps.model, observations: [], dropped: reading.problems };
    deps.warn(`session ${session.id}: the extraction was off its schema twice, dropped (${reading.problems.slice(0, 3).join('; ')})`);
  }
  await deps.cache.writeMap(result);
  outcome.mapped.push(mappedOf(session, result));
}

function mappedOf(session: ObservedSession, result: MapResult): MappedSession {
  const mapped: MappedSession = { id: session.id, agent: session.agent, hash: session.hash, observations: result.observations };
  if (session.startedAt) mapped.startedAt = session.startedAt;
  if (session.endedAt) mapped.endedAt = session.endedAt;
  return mapped;
}

/** Two logs of the same bytes are one session to pay for. */
function uniqueByHash<T extends { hash: string }>(sessions: readonly T[]): T[] {
  const seen = new Set<string>();
  return sessions.filter((s) => !seen.has(s.hash) && (seen.add(s.hash), true));
}

/** Runs `work` on every item with at most `limit` at a time; the first error thrown ends it. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
