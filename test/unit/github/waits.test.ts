import { describe, expect, it } from 'vitest';
import { transportFailure } from '../../../src/github/remote.js';
import { duration, rateLimitWait, retryAfterSeconds, serverErrorWait, whenWaitEnds } from '../../../src/github/waits.js';

const NOW = Date.parse('2026-11-24T17:25:00Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('rateLimitWait: GitHub\'s documented rule', () => {
  it('waits retry-after when the answer has it, in seconds or as an HTTP date', () => {
    expect(rateLimitWait({ status: 429, headers: { 'retry-after': '600' } }, NOW)).toBe(600);
    expect(rateLimitWait({ status: 429, headers: { 'retry-after': 'Tue, 24 Nov 2026 17:35:00 GMT' } }, NOW)).toBe(600);
    // retry-after wins over the reset, as GitHub documents.
    expect(rateLimitWait({ status: 403, headers: { 'retry-after': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(seconds(NOW) + 900) } }, NOW)).toBe(5);
  });

  it('waits until a second past x-ratelimit-reset when no request is left and nothing says retry-after', () => {
    expect(rateLimitWait({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(seconds(NOW) + 120) } }, NOW)).toBe(121);
  });

  it('waits a minute for a secondary limit that gives no time', () => {
    expect(rateLimitWait({ status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, NOW)).toBe(60);
    expect(rateLimitWait({ status: 429 }, NOW)).toBe(60);
  });

  it('is no rate limit: a 403 without its signs (a refused permission), a 401, a 5xx', () => {
    expect(rateLimitWait({ status: 403, headers: { 'x-ratelimit-remaining': '4999' }, message: 'Resource not accessible by integration' }, NOW)).toBeUndefined();
    expect(rateLimitWait({ status: 401, headers: { 'retry-after': '1' } }, NOW)).toBeUndefined();
    expect(rateLimitWait({ status: 503, headers: { 'retry-after': '1' } }, NOW)).toBeUndefined();
  });
});

describe('waits in words', () => {
  it('reads retry-after, ignoring what is not a time', () => {
    expect(retryAfterSeconds({ 'retry-after': ['30'] }, NOW)).toBe(30);
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(retryAfterSeconds({}, NOW)).toBeUndefined();
  });

  it('backs off after a server error unless it says how long', () => {
    expect([1, 2].map((retry) => serverErrorWait({}, retry, NOW))).toEqual([1, 4]);
    expect(serverErrorWait({ 'retry-after': '0' }, 2, NOW)).toBe(0);
  });

  it('says when a wait ends, absolutely and relatively', () => {
    expect(whenWaitEnds(600, NOW)).toEqual({ at: new Date('2026-11-24T17:35:00Z'), words: 'at 2026-11-24 17:35:00 UTC (in 10 minutes)' });
    expect([1, 45, 61, 3600, 3900].map(duration)).toEqual(['1 second', '45 seconds', '2 minutes', '1 hour', '1 hour 5 minutes']);
  });
});

describe('transportFailure: a failed push or fetch, classified', () => {
  const at = { nowMs: NOW, retry: 1 };
  const httpError = (statusCode: number) => ({ code: 'HttpError', message: `HTTP Error: ${statusCode}`, data: { statusCode } });

  it('tells refused credentials from a server error and a rate limit', () => {
    expect(transportFailure({ code: 'UserCanceledError' }, { status: 401, headers: {} }, at)).toEqual({ kind: 'credentials', status: 401 });
    expect(transportFailure(httpError(403), { status: 403, headers: {} }, at)).toEqual({ kind: 'credentials', status: 403 });
    expect(transportFailure(httpError(503), { status: 503, headers: {} }, at)).toEqual({ kind: 'unavailable', status: 503, wait: 1, cause: 'HTTP 503' });
    expect(transportFailure(httpError(503), { status: 503, headers: { 'retry-after': '7' } }, at)).toMatchObject({ kind: 'unavailable', wait: 7 });
    expect(transportFailure(httpError(429), { status: 429, headers: { 'retry-after': '600' } }, at)).toEqual({ kind: 'rate-limit', status: 429, wait: 600 });
    expect(transportFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, undefined, { nowMs: NOW, retry: 2 })).toEqual({ kind: 'unavailable', wait: 4, cause: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('tells a branch that moved on the remote from an update the remote refuses', () => {
    expect(transportFailure({ code: 'PushRejectedError', data: { reason: 'not-fast-forward' } }, undefined, at)).toEqual({ kind: 'moved' });
    const declined = { code: 'GitPushError', message: 'One or more branches were not updated', data: { result: { refs: { 'refs/heads/main': { ok: false, error: 'protected branch hook declined' } } } } };
    expect(transportFailure(declined, undefined, at)).toEqual({ kind: 'refused', reason: 'protected branch hook declined' });
  });
});
