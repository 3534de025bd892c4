/**
 * The shell around the SDK: a client that retries what the API asks to be retried (429, 5xx, 529) with backoff and
 * waits no longer than a cap whatever `retry-after` says, and one structured question asked with its budget
 * reserved, its answer checked, and one retry that says what was wrong.
 */
import Anthropic, { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import { ModelApiError } from '../../../errors.js';
import type { JsonSchema } from './json-schema.js';
import type { Meter } from './meter.js';
import { usageOf } from './pricing.js';
import { cacheTtlOf, localPromptTokens, messageParams, readAnswer, type Reading, type StructuredRequest } from './requests.js';

export interface Connection {
  apiKey: string;
  /** Else ANTHROPIC_BASE_URL, else the API's own. */
  baseURL?: string;
  /** Retries of a request the API answered 408, 409, 429 or 5xx (the SDK's backoff: 0.5 s doubling to 8 s). */
  maxRetries?: number;
  timeoutMs?: number;
  /** The longest wait a `retry-after` may ask for; a longer one is cut to this. */
  maxRetryAfterMs?: number;
}

const DEFAULT_RETRIES = 4;
/** Also keeps the SDK from refusing a non-streamed request with a large max_tokens: it does so only without a timeout. */
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

export function connect(connection: Connection): Anthropic {
  return new Anthropic({
    apiKey: connection.apiKey,
    ...(connection.baseURL ? { baseURL: connection.baseURL } : {}),
    maxRetries: connection.maxRetries ?? DEFAULT_RETRIES,
    timeout: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: cappedRetryAfter(connection.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS),
  });
}

/**
 * The SDK honours `retry-after` however long it is: an answer asking for an hour would hold a nightly cycle for an
 * hour per retry. This fetch rewrites the wait of a retryable answer to at most `maxMs`, in `retry-after-ms`, which
 * the SDK reads first.
 */
export function cappedRetryAfter(maxMs: number, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 429 && response.status < 500) return response;
    const asked = retryAfterMs(response.headers);
    if (asked === undefined || asked <= maxMs) return response;
    const headers = new Headers(response.headers);
    headers.set('retry-after-ms', String(maxMs));
    headers.set('retry-after', String(Math.ceil(maxMs / 1000)));
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date - Date.now() : undefined;
}

/** The budget would not cover the next request, even with nothing else in flight: the cycle stops, keeping what it extracted. */
export class BudgetExhausted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'BudgetExhausted';
  }
}

/**
 * Asks once, and once more with the problems appended when the answer is cut, refused or off the schema; what is
 * still wrong then is given back as problems for the caller to drop and report. `first` is an answer already
 * received (from a batch), which only the retry follows.
 */
export async function askStructured<T>(
  client: Anthropic,
  meter: Meter,
  request: StructuredRequest,
  first?: Pick<Anthropic.Message, 'content' | 'stop_reason'>,
): Promise<Reading<T>> {
  let reading = first ? readAnswer<T>(first, request.schema, request.maxTokens) : await askOnce<T>(client, meter, request, []);
  if (reading.ok) return reading;
  reading = await askOnce<T>(client, meter, request, reading.problems);
  return reading;
}

async function askOnce<T>(client: Anthropic, meter: Meter, request: StructuredRequest, problems: string[]): Promise<Reading<T>> {
  const params = messageParams(request, problems);
  // Waits for room while other requests are in flight; gives up only when none is and it still would not fit.
  const reservation = await meter.reserveWhenRoom(localPromptTokens(params), params.max_tokens, { model: params.model, cacheTtl: cacheTtlOf(params) });
  if (typeof reservation === 'string') throw new BudgetExhausted(reservation);
  let message: Anthropic.Message;
  try {
    message = await client.messages.create(params);
  } catch (error) {
    meter.release(reservation);
    throw error;
  }
  meter.settle(reservation, usageOf(message.usage), { model: params.model });
  return readAnswer<T>(message, request.schema as JsonSchema, params.max_tokens);
}

/**
 * An error no retry of the same request can fix, for every request of the cycle alike: a refused key or permission,
 * a model the API does not serve. The cycle stops on it rather than fail every session one by one.
 */
export function isFatal(error: unknown): boolean {
  return error instanceof APIError && (error.status === 401 || error.status === 403 || error.status === 404);
}

/**
 * A failure that the next request of the cycle would meet too, so that sending the rest would only repeat it. The SDK
 * retries 408, 409, 429 and 5xx (and what `x-should-retry` asks) before it throws (its `shouldRetry`); of what is left
 * after those retries, a timeout, a lock conflict or a rate limit passes with time, while any other 4xx (a request
 * the API rejects), a 5xx that lasted through every retry, or an API that cannot be reached does not.
 */
export function willNotHeal(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError) || error.status === undefined) return false;
  return !HEALS_WITH_TIME.has(error.status);
}

const HEALS_WITH_TIME = new Set([408, 409, 429]);

/** An error of the API or of reaching it, as opposed to a fault of ours, which must not pass for one. */
export function isApiError(error: unknown): boolean {
  return error instanceof APIError || error instanceof APIConnectionError;
}

/** The API's own words, with its status; never the key, which no SDK error carries. */
export function describeApiError(error: unknown): string {
  if (error instanceof APIConnectionError) return `could not reach the Messages API (${error.message})`;
  if (error instanceof APIError) {
    const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    return `the Messages API answered ${error.status ?? 'an error'}${type ? ` ${type}` : ''}: ${apiMessage(error)}`;
  }
  return (error as Error)?.message ?? String(error);
}

function apiMessage(error: APIError): string {
  const message = (error.error as { error?: { message?: string } } | undefined)?.error?.message;
  return message ?? error.message;
}

/** The error a cycle stops with; `then` says what the engine did about it. */
export function toEngineError(error: unknown, then?: string): ModelApiError {
  const what = describeApiError(error);
  return new ModelApiError(then ? `${what}; ${then}` : what, error instanceof APIError ? error.status : undefined);
}
