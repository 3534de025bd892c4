/**
 * The map step: each new session's observations, from the local cache when an earlier cycle paid for them, else from
 * the model (one request per session, a bounded number in flight; or one Message Batch). Each answer is checked
 * (schema, then grounding), cached at once, and only then counted: a cycle that stops halfway keeps all it paid for.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ObservedSession, UnansweredSession } from '../../types.js';
import { runBatch, type BatchOptions } from './batch.js';
import { askStructured, BudgetExhausted, describeApiError, isApiError, isFatal, toEngineError, willNotHeal } from './client.js';
import type { ClaudeCache, MapResult } from './cache.js';
import { groundObservations } from './ground.js';
import type { Meter } from './meter.js';
import { mapUser, type SystemBlock } from './prompts.js';
import type { MappedSession } from './reduce.js';
import type { Reading, StructuredRequest } from './requests.js';
import { MAP_SCHEMA, type MapAnswer } from './schemas.js';
import type { Effort } from '../../../config/types.js';
import { plural } from '../../../util/plural.js';
import { eachLimited } from '../../../util/limited.js';

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
  /** Keeps the cache beyond this machine at once (a batch was just submitted); see ClaudeEngineOptions.persist. */
  persist?: () => Promise<void>;
}

export interface MapOutcome {
  mapped: MappedSession[];
  /** Sessions whose result came from the cache. */
  cached: number;
  /** Sessions asked about this cycle (not those the cache answered). */
  sent: number;
  /**
   * Sessions asked about that got no usable answer: an API error past the SDK's retries, or an answer off its schema,
   * or quoting nothing of the session, still after its retry. None is cached or recorded as processed, whatever the
   * cause, so the next cycle asks again.
   */
  failed: UnansweredSession[];
  batch?: string;
  /** Why the step stopped early: nothing of this cycle may be committed. */
  stopped?: string;
}

/**
 * The observations kept of one answer. A session is one agent's run, and a few dozen lessons is already more than
 * any session teaches: an answer with thousands is a model gone wrong, and keeping it would swell the cache and the
 * curate prompt. The first ones are kept (the schema asks for the most useful first).
 */
export const MAX_OBSERVATIONS = 50;

/**
 * Failures past the SDK's retries that, this many in a row, stop the map step: the API is failing every request,
 * whatever the session, and sending the rest would only repeat it at the price of every retry.
 */
export const FAILURES_IN_A_ROW = 3;

/**
 * Whether the cycle failed: more than half of the sessions asked about got no usable answer. A few failures are
 * sessions the model could not read, and the cycle goes on without them (they are asked about again next cycle). Most
 * of them is the model, the prompt or the API failing the cycle as a whole: a plan from the few answers left would
 * count support on a sliver of the night's sessions as if it were all of them, and a run that exits 0 would hide it.
 */
export function mostFailed(outcome: Pick<MapOutcome, 'sent' | 'failed'>): boolean {
  return outcome.sent > 0 && outcome.failed.length * 2 > outcome.sent;
}

/** A session ready for the map step: its transcript is what the model reads. */
export type Transcribed = ObservedSession & { transcript: string };

export async function mapSessions(sessions: readonly Transcribed[], deps: MapDeps): Promise<MapOutcome> {
  const outcome: MapOutcome = { mapped: [], cached: 0, sent: 0, failed: [] };
  const misses: Transcribed[] = [];
  for (const session of uniqueByHash(sessions)) {
    const hit = await deps.cache.readMap(session.hash);
    if (hit) {
      outcome.mapped.push(mappedOf(session, hit));
      outcome.cached++;
    } else misses.push(session);
  }
  if (misses.length === 0) return outcome;
  outcome.sent = misses.length;
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
  let inARow = 0;
  let asked = 0;
  let broken: unknown;
  /** Asks about one session; gives back the API's error when it failed, for the circuit breaker. */
  const one = async (session: Transcribed): Promise<unknown> => {
    if (outcome.stopped || broken) return undefined;
    asked++;
    try {
      const reading = await askStructured<MapAnswer>(deps.client, deps.meter, mapRequest(session, deps));
      inARow = 0;
      await keep(session, reading, deps, outcome);
      return undefined;
    } catch (error) {
      if (error instanceof BudgetExhausted) {
        outcome.stopped ??= `budget spent: ${error.message}`;
        return undefined;
      }
      if (!isApiError(error)) throw error;
      if (isFatal(error)) throw toEngineError(error);
      outcome.failed.push(failure(session, describeApiError(error)));
      if (willNotHeal(error) && ++inARow >= FAILURES_IN_A_ROW) broken ??= error;
      return error;
    }
  };
  // The first request alone writes the cached prefix; sent together, the first few would each pay to write it. Alone,
  // it also tells whether the API takes this cycle's requests at all: a failure that will not heal stops the cycle
  // before the others are sent.
  const [first, ...rest] = misses;
  const firstError = first ? await one(first) : undefined;
  if (willNotHeal(firstError)) throw toEngineError(firstError, rest.length > 0 ? `the first request failed, and would fail alike for the ${plural(rest.length, 'other session')}: none of them was sent` : undefined);
  await eachLimited(rest, deps.concurrency, async (session) => void (await one(session)));
  if (broken) {
    const unsent = misses.length - asked;
    throw toEngineError(broken, `${FAILURES_IN_A_ROW} requests in a row failed past their retries, so the ${plural(unsent, 'session')} left were not sent; the answers received are kept for the next cycle`);
  }
}

async function mapInBatch(misses: Transcribed[], deps: MapDeps, options: BatchOptions, outcome: MapOutcome): Promise<void> {
  const byHash = new Map(misses.map((s) => [s.hash, s]));
  let batch: Awaited<ReturnType<typeof runBatch>>;
  try {
    batch = await runBatch(
      misses.map((session) => ({ hash: session.hash, request: mapRequest(session, deps) })),
      { client: deps.client, meter: deps.meter, cache: deps.cache, warn: deps.warn, ...(deps.persist ? { persist: deps.persist } : {}) },
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
      outcome.failed.push(failure(session, `the batch request failed (${result.message})`));
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
      else outcome.failed.push(failure(session, describeApiError(error)));
    }
  }
  if (batch.stopped) outcome.stopped ??= batch.stopped;
}

/**
 * Checks an answer, caches what survives, and counts the session as mapped. An answer off its schema after its retry,
 * or one whose every observation quotes words the session does not hold (the model read something else), is a
 * failure: not cached, so the next cycle asks again. An answer whose observations were dropped for what they say
 * (text addressed to an AI, a harmful rule) is a reading of the session, kept with nothing learnt.
 */
async function keep(session: Transcribed, reading: Reading<MapAnswer>, deps: MapDeps, outcome: MapOutcome): Promise<void> {
  if (!reading.ok) {
    outcome.failed.push(failure(session, `the answer was off its schema twice (${reading.problems.slice(0, 3).join('; ')})`));
    return;
  }
  const offered = reading.value.observations;
  const considered = offered.slice(0, MAX_OBSERVATIONS);
  if (offered.length > considered.length) {
    deps.warn(`session ${session.id}: the answer held ${offered.length} observations; only the first ${MAX_OBSERVATIONS} were considered (at most ${MAX_OBSERVATIONS} per session)`);
  }
  const grounded = groundObservations({ observations: considered }, session.transcript);
  if (considered.length > 0 && grounded.unquoted === considered.length) {
    outcome.failed.push(failure(session, `none of the ${plural(considered.length, 'observation')} of its answer quotes the session`));
    return;
  }
  if (grounded.dropped.length) deps.warn(`session ${session.id}: ${grounded.dropped.length} observation(s) dropped: ${grounded.dropped.slice(0, 3).join('; ')}`);
  const result: MapResult = { session: session.id, hash: session.hash, model: deps.model, observations: grounded.observations, dropped: grounded.dropped };
  outcome.mapped.push(mappedOf(session, await deps.cache.writeMap(result)));
}

function failure(session: Transcribed, reason: string): UnansweredSession {
  return { id: session.id, source: session.source, reason };
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

