/**
 * How long to wait before asking GitHub (its API or its git server) again, as pure functions of an answer's status and
 * headers. GitHub documents the rule for rate limits: wait `retry-after` seconds when the answer has it; else, when
 * `x-ratelimit-remaining` is 0, until `x-ratelimit-reset`; else at least a minute. A wait longer than the cap is not
 * waited: the command stops with a rate-limit error that says when to try again, rather than hold a terminal or a
 * runner for an hour.
 */

/** The cap, unless `github.max_wait_seconds` sets another: a quarter of an hour. */
export const DEFAULT_MAX_WAIT_SECONDS = 15 * 60;

/** What a secondary rate limit without `retry-after` asks for, per GitHub's documentation. */
const SECONDARY_LIMIT_SECONDS = 60;

export interface WaitPolicy {
  /** Milliseconds per second of waiting: 1000, less for tests against local servers. */
  secondMs: number;
  /** The longest wait, in seconds, that is waited out; a longer one fails. */
  maxWaitSeconds: number;
}

export const DEFAULT_WAITS: WaitPolicy = { secondMs: 1000, maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS };

/** Response headers, as Octokit and isomorphic-git hand them over (lower-case names). */
export type Headers = Record<string, string | number | string[] | undefined>;

function header(headers: Headers | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value === undefined ? undefined : String(value);
}

/** `retry-after` in seconds, from its seconds form or its HTTP-date form; undefined when absent or unreadable. */
export function retryAfterSeconds(headers: Headers | undefined, nowMs: number): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/**
 * The seconds to wait when an answer is a rate limit (a 429, or a 403 that says so: no requests left, a secondary
 * limit); undefined for any other answer. A 403 without those signs is a refused permission, not a limit.
 */
export function rateLimitWait(answer: { status: number; headers?: Headers; message?: string }, nowMs: number): number | undefined {
  const { status, headers } = answer;
  const usedUp = header(headers, 'x-ratelimit-remaining') === '0';
  const secondary = /secondary rate limit|abuse detection/i.test(answer.message ?? '');
  if (status !== 429 && !(status === 403 && (usedUp || secondary))) return undefined;
  const after = retryAfterSeconds(headers, nowMs);
  if (after !== undefined) return after;
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  // A second past the reset, as GitHub advises: the limit lifts at the end of that second.
  if (usedUp && Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - nowMs / 1000) + 1);
  return SECONDARY_LIMIT_SECONDS;
}

/** How long to wait before try `attempt` (1 for the first retry) after a server error: what it asked, else a backoff. */
export function serverErrorWait(headers: Headers | undefined, attempt: number, nowMs: number): number {
  return retryAfterSeconds(headers, nowMs) ?? attempt * attempt;
}

export function sleep(seconds: number, { secondMs }: Pick<WaitPolicy, 'secondMs'>): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * secondMs));
}

/** `at 17:35:00 UTC (in 10 minutes)`: when a wait of `seconds` from `nowMs` ends, for a message. */
export function whenWaitEnds(seconds: number, nowMs: number): { at: Date; words: string } {
  const at = new Date(nowMs + seconds * 1000);
  const iso = at.toISOString();
  return { at, words: `at ${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC (in ${duration(seconds)})` };
}

/** `45 seconds`, `10 minutes`, `1 hour 5 minutes`: a wait in words, rounded up to the minute past a minute. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const min = (n: number) => `${n} ${n === 1 ? 'minute' : 'minutes'}`;
  if (hours === 0) return min(minutes);
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}${rest ? ` ${min(rest)}` : ''}`;
}
