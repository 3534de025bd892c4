/**
 * The map step through the Message Batches API: half the price, answered within hours. The batch id is written to
 * the local cache as soon as the batch exists, and handed on at once (`persist`) to be kept where another clone finds
 * it, so that a cycle interrupted while it runs (a CI job's time limit, a crash, a wait that ran out) is resumed by the
 * next cycle from that id, on this machine or a fresh runner, never submitted and paid for twice.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClaudeCache } from './cache.js';
import { BudgetExhausted } from './client.js';
import type { Meter, Reservation } from './meter.js';
import { usageOf } from './pricing.js';
import { localPromptTokens, messageParams, type StructuredRequest } from './requests.js';

export interface BatchOptions {
  /** First wait between two polls; each next wait is longer, up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  /** How long one cycle waits for a batch before it stops and leaves it to the next cycle (`claude.batch_wait_minutes`). */
  maxWaitMs?: number;
}

export type BatchResult = { kind: 'message'; message: Anthropic.Message } | { kind: 'error'; message: string };

export interface BatchRun {
  id?: string;
  /** By session hash. */
  results: Map<string, BatchResult>;
  stopped?: string;
}

interface Deps {
  client: Anthropic;
  meter: Meter;
  cache: ClaudeCache;
  warn: (message: string) => void;
  /** Keeps what the cache holds beyond this machine; called once a submitted batch is recorded, before the wait. */
  persist?: () => Promise<void>;
}

const DEFAULT_POLL_MS = 5_000;
const DEFAULT_MAX_POLL_MS = 60_000;
/** The default of `claude.batch_wait_minutes` (config/parse.ts), for a caller that names no wait. */
const DEFAULT_MAX_WAIT_MS = 20 * 60 * 1000;

/**
 * Resumes the batch a stopped cycle left, if it was sent for this model and prompt; then sends what is still
 * unanswered as one new batch. Either way the results are read back by custom_id, in whatever order they come.
 */
export async function runBatch(requests: { hash: string; request: StructuredRequest }[], deps: Deps, options: BatchOptions): Promise<BatchRun> {
  const run: BatchRun = { results: new Map() };
  const pending = await deps.cache.readPendingBatch();
  if (pending && pending.key !== deps.cache.key) {
    deps.warn(`Message Batch ${pending.id} was sent for another model or prompt; it is left, and its sessions are sent again`);
    await deps.cache.clearPendingBatch();
  } else if (pending) {
    run.id = pending.id;
    const resumed = await collect(pending.id, pending.requests, deps, options, []);
    if (resumed.stopped) return { ...run, stopped: resumed.stopped };
    for (const [hash, result] of resumed.results) run.results.set(hash, result);
    await deps.cache.clearPendingBatch();
  }
  const rest = requests.filter((r) => !run.results.has(r.hash));
  if (rest.length === 0) return run;
  const sent = await submit(rest, deps);
  if (!sent.id) return { ...run, ...(sent.stopped ? { stopped: sent.stopped } : {}) };
  run.id = sent.id;
  const collected = await collect(sent.id, sent.requests, deps, options, sent.reservations);
  for (const [hash, result] of collected.results) run.results.set(hash, result);
  if (collected.stopped) return { ...run, stopped: collected.stopped };
  await deps.cache.clearPendingBatch();
  // Sessions the budget left out of the batch wait for the next cycle, like any request the budget would not cover.
  return sent.stopped ? { ...run, stopped: sent.stopped } : run;
}

interface Submitted {
  id?: string;
  requests: Record<string, string>;
  reservations: Reservation[];
  stopped?: string;
}

async function submit(requests: { hash: string; request: StructuredRequest }[], deps: Deps): Promise<Submitted> {
  const entries: { custom_id: string; params: Anthropic.MessageCreateParamsNonStreaming }[] = [];
  const byId: Record<string, string> = {};
  const reservations: Reservation[] = [];
  let stopped: string | undefined;
  for (const { hash, request } of requests) {
    const params = messageParams(request);
    const reservation = deps.meter.reserve(localPromptTokens(params), params.max_tokens, { batch: true, model: params.model });
    if (typeof reservation === 'string') {
      stopped = `budget spent: ${new BudgetExhausted(reservation).message}`;
      break;
    }
    reservations.push(reservation);
    const customId = customIdOf(hash);
    byId[customId] = hash;
    entries.push({ custom_id: customId, params });
  }
  if (entries.length === 0) return { requests: byId, reservations, ...(stopped ? { stopped } : {}) };
  let batch: Anthropic.Messages.MessageBatch;
  try {
    batch = await deps.client.messages.batches.create({ requests: entries });
  } catch (error) {
    for (const r of reservations) deps.meter.release(r);
    throw error;
  }
  // Written before anything else can fail: from here on, the batch is paid for and must be found again.
  await deps.cache.writePendingBatch({ id: batch.id, key: deps.cache.key, model: entries[0]?.params.model ?? '', submitted: new Date().toISOString(), requests: byId });
  // Before the wait, which a CI job's time limit may cut short: a fresh clone must find the id, or it pays again.
  await persistQuietly(deps);
  return { id: batch.id, requests: byId, reservations, ...(stopped ? { stopped } : {}) };
}

async function persistQuietly(deps: Deps): Promise<void> {
  try {
    await deps.persist?.();
  } catch (error) {
    // The local cache has the id: this machine's next cycle resumes the batch whatever became of the copy elsewhere.
    deps.warn(`the pending batch could not be kept beyond this machine: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Polls until the batch has ended (or the wait runs out), then reads every result and settles its cost. */
async function collect(id: string, requests: Record<string, string>, deps: Deps, options: BatchOptions, reservations: Reservation[]): Promise<BatchRun> {
  const started = Date.now();
  let wait = options.pollMs ?? DEFAULT_POLL_MS;
  for (;;) {
    const batch = await deps.client.messages.batches.retrieve(id);
    if (batch.processing_status === 'ended') break;
    if (Date.now() - started + wait > (options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS)) {
      for (const r of reservations) deps.meter.release(r);
      return { id, results: new Map(), stopped: `Message Batch ${id} is still ${batch.processing_status}; the next cycle resumes it` };
    }
    await sleep(wait);
    wait = Math.min(wait * 2, options.maxPollMs ?? DEFAULT_MAX_POLL_MS);
  }
  for (const r of reservations) deps.meter.release(r);
  const results = new Map<string, BatchResult>();
  for await (const line of await deps.client.messages.batches.results(id)) {
    const hash = requests[line.custom_id];
    if (hash === undefined) continue;
    const result = line.result;
    if (result.type === 'succeeded') {
      deps.meter.settle(undefined, usageOf(result.message.usage), { batch: true, model: result.message.model });
      results.set(hash, { kind: 'message', message: result.message });
    } else if (result.type === 'errored') {
      results.set(hash, { kind: 'error', message: `${result.error.error.type}: ${result.error.error.message}` });
    } else {
      results.set(hash, { kind: 'error', message: result.type });
    }
  }
  return { id, results };
}

/** custom_id allows 64 of [A-Za-z0-9_-]: a sha256 in hex is exactly that. */
export function customIdOf(hash: string): string {
  return hash.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'session';
}
