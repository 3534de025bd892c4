/**
 * The fake Anthropic API, driven by the real @anthropic-ai/sdk client as the `claude` engine will drive it: a map
 * step that extracts observations through a strict tool or a JSON-schema output, prompt caching of a stable prefix,
 * the Message Batches API for nightly runs, and the faults the SDK must ride out (429, 529, 500) or surface (401).
 *
 * How the SDK retries (1.14): 408, 409, 429 and every 5xx, and connection errors, `maxRetries` times (2 by
 * default), unless the answer carries `x-should-retry: false` (`true` forces a retry). The wait is
 * `retry-after-ms` if present, else `retry-after` (seconds, or an HTTP date), honoured when positive, however long;
 * otherwise (absent, 0, unparseable) its own backoff of 0.5 s doubling up to 8 s, minus up to 25% jitter. So
 * `retry-after: 0` does not make a test fast: `retry-after-ms: 1` does.
 */
import Anthropic, {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
} from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  recorded,
  reply,
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeAnthropicOptions,
  type MessageBody,
} from '../helpers/fake-anthropic.js';

const API_KEY = 'sk-ant-api03-test-key-not-a-secret';
const MODEL = 'claude-sonnet-4-6';

/** The map step's schema: strict-ready (every object closes `additionalProperties`). */
const observationsSchema: Anthropic.Tool.InputSchema = {
  type: 'object',
  properties: {
    observations: {
      type: 'array',
      items: {
        type: 'object',
        properties: { text: { type: 'string' }, evidence: { type: 'string' } },
        required: ['text', 'evidence'],
        additionalProperties: false,
      },
    },
  },
  required: ['observations'],
  additionalProperties: false,
};

const observationsTool = {
  name: 'record_observations',
  description: 'Record what the session teaches about the project, each with its evidence.',
  strict: true,
  input_schema: observationsSchema,
} satisfies Anthropic.Tool;

const observations = { observations: [{ text: 'The project builds with pnpm.', evidence: 'ran pnpm build' }] };

/** Long enough to be cached: the API caches no prefix under 1,024 tokens (4,096 characters here). */
const STABLE_PREFIX = 'You curate the memory files of a software project from the sessions of its agents. '.repeat(70);

const fakes: FakeAnthropic[] = [];

afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function start(options: Partial<FakeAnthropicOptions> = {}): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic({ apiKey: API_KEY, ...options });
  fakes.push(fake);
  return fake;
}

function client(fake: FakeAnthropic, options: Partial<ConstructorParameters<typeof Anthropic>[0]> = {}): Anthropic {
  return new Anthropic({ apiKey: API_KEY, baseURL: fake.url, maxRetries: 2, timeout: 5_000, ...options });
}

function sessionRequest(session: string, extra: Partial<MessageBody> = {}): MessageBody {
  return {
    model: MODEL,
    max_tokens: 1024,
    system: 'Extract observations from the session.',
    messages: [{ role: 'user', content: session }],
    ...extra,
  };
}

const forcedTool: Partial<MessageBody> = {
  tools: [observationsTool],
  tool_choice: { type: 'tool', name: observationsTool.name },
};
const jsonOutput: Partial<MessageBody> = {
  output_config: { format: { type: 'json_schema', schema: observationsSchema } },
};

/** Every key path of a JSON value (`content[].type`, `usage.cache_creation.ephemeral_5m_input_tokens`...). */
function keyPaths(value: unknown, path = ''): Set<string> {
  const paths = new Set<string>();
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, `${at}[]`));
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      const childPath = at ? `${at}.${key}` : key;
      paths.add(childPath);
      walk(child, childPath);
    }
  };
  walk(value, path);
  return paths;
}

/** The recorded answer's key paths the fake's answer lacks; a tool's own input is left out. */
function missingKeys(fakeAnswer: unknown, recordedAnswer: unknown): string[] {
  const have = keyPaths(fakeAnswer);
  return [...keyPaths(recordedAnswer)].filter((path) => !have.has(path) && !/\.input\./.test(path));
}

describe('fake Anthropic: messages', () => {
  it('answers a forced strict tool call with a tool_use block the SDK hands back', async () => {
    const fake = await start({ respond: () => reply.toolUse(observations) });
    const message = await client(fake).messages.create(sessionRequest('I ran pnpm build.', forcedTool));

    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'tool_use' });
    expect(message.id).toMatch(/^msg_01\w{22}$/);
    const [block] = message.content;
    expect(block).toMatchObject({ type: 'tool_use', name: 'record_observations', input: observations });
    expect(block?.type === 'tool_use' && block.id).toMatch(/^toolu_01\w{22}$/);
    expect(message.usage.input_tokens).toBeGreaterThan(50);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(fake.violations).toEqual([]);
    expect(fake.requests[0]?.headers).toEqual({
      anthropicVersion: '2026-10-21',
      anthropicBeta: [],
      xApiKey: false,
      bearer: true,
      retryCount: 0,
    });
  });

  it('answers in the shape of the messages the API was recorded answering', async () => {
    const fake = await start();
    const tools = client(fake);
    fake.respondWith(() => reply.toolUse(observations));
    const toolUse = await tools.messages.create(sessionRequest('s1', forcedTool));
    fake.respondWith(() => reply.text('Noted.'));
    const text = await tools.messages.create(sessionRequest('s2'));

    expect(missingKeys(toolUse, recorded.toolUseMessage)).toEqual([]);
    expect(missingKeys(text, recorded.textMessage)).toEqual([]);
  });

  it('answers an output_config json_schema request with JSON text that messages.parse reads', async () => {
    const fake = await start({ respond: () => reply.json(observations) });
    const message = await client(fake).messages.parse(sessionRequest('I ran pnpm build.', jsonOutput));

    expect(message.stop_reason).toBe('end_turn');
    expect(message.parsed_output).toEqual(observations);
    expect(fake.violations).toEqual([]);
  });

  it('cuts a reply where max_tokens cuts it: JSON unparseable, tool input with its complete parameters', async () => {
    const fake = await start();
    const api = client(fake);

    fake.respondWith(() => reply.truncatedJson(observations));
    const cutJson = await api.messages.create(sessionRequest('s1', jsonOutput));
    expect(cutJson.stop_reason).toBe('max_tokens');
    expect(cutJson.usage.output_tokens).toBe(1024);
    const [cutText] = cutJson.content;
    expect(() => JSON.parse(cutText?.type === 'text' ? cutText.text : '')).toThrow();
    const parsing = api.messages.parse(sessionRequest('s1', jsonOutput));
    await expect(parsing).rejects.toThrow(/Failed to parse structured output/);

    const long = { topic: 'build', ...observations, notes: 'x'.repeat(2000) };
    fake.respondWith(() => reply.truncatedToolUse(long));
    const cutTool = await api.messages.create(sessionRequest('s2', forcedTool));
    expect(cutTool.stop_reason).toBe('max_tokens');
    expect(cutTool.content[0]).toMatchObject({ type: 'tool_use', input: { topic: 'build', ...observations } });

    fake.respondWith(() => reply.text('word '.repeat(100)));
    const short = await api.messages.create(sessionRequest('s3', { max_tokens: 10 }));
    expect(short).toMatchObject({ stop_reason: 'max_tokens', content: [{ type: 'text', text: 'word '.repeat(8) }] });
  });

  it('sends malformed tool input as the responder wrote it', async () => {
    const fake = await start({ respond: () => reply.malformedToolUse({ observations: 'not a list' }) });
    const message = await client(fake).messages.create(sessionRequest('s1', forcedTool));

    expect(message.content[0]).toMatchObject({ type: 'tool_use', input: { observations: 'not a list' } });
  });

  it('counts tokens as messages bill them', async () => {
    const fake = await start();
    const api = client(fake);
    const { max_tokens: _unused, ...countable } = sessionRequest('I ran pnpm build.', forcedTool);
    const counted = await api.messages.countTokens(countable);
    const message = await api.messages.create(sessionRequest('I ran pnpm build.', forcedTool));

    const { input_tokens, cache_creation_input_tokens: written, cache_read_input_tokens: read } = message.usage;
    expect(counted.input_tokens).toBe(input_tokens + (written ?? 0) + (read ?? 0));
    expect(fake.violations).toEqual([]);
  });

  it('lets the SDK refuse a long non-streaming call only when no timeout is set', async () => {
    const fake = await start();
    const noTimeout = new Anthropic({ apiKey: API_KEY, baseURL: fake.url, maxRetries: 0 });

    // 60 minutes per 128,000 tokens: above 21,333 tokens the SDK expects more than 10 minutes. It throws at the
    // call, not in the promise: `create(...).catch(...)` would not see it, `await` in a try would.
    const tooLong = sessionRequest('s1', { max_tokens: 21_334 });
    expect(() => noTimeout.messages.create(tooLong)).toThrow(/Streaming is required/);
    expect(fake.requests).toHaveLength(0);
    await noTimeout.messages.create(sessionRequest('s1', { max_tokens: 21_333 }));
    await client(fake).messages.create(sessionRequest('s1', { max_tokens: 64_000 }));
    expect(fake.requests.map((request) => request.status)).toEqual([200, 200]);
  });
});

describe('fake Anthropic: prompt caching', () => {
  const cachedSystem = (text: string): MessageBody['system'] => [
    { type: 'text', text, cache_control: { type: 'ephemeral' } },
  ];
  const cachedRequest = (session: string, model = MODEL): MessageBody =>
    sessionRequest(session, { model, system: cachedSystem(STABLE_PREFIX) });

  it('writes a stable prefix on first sight and reads it on the next request', async () => {
    const fake = await start();
    const api = client(fake);
    const first = await api.messages.create(cachedRequest('session one'));
    const second = await api.messages.create(cachedRequest('session two, a little longer'));

    expect(first.usage.cache_creation_input_tokens).toBeGreaterThanOrEqual(1024);
    expect(first.usage.cache_creation?.ephemeral_5m_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(50);
    expect(fake.usage).toEqual({
      input: first.usage.input_tokens + second.usage.input_tokens,
      output: first.usage.output_tokens + second.usage.output_tokens,
      cacheWrite: first.usage.cache_creation_input_tokens,
      cacheRead: second.usage.cache_read_input_tokens,
    });
  });

  it('caches per model, not under the minimum length, and for 5 minutes after the last use', async () => {
    let now = Date.parse('2026-12-01T02:00:00Z');
    const fake = await start({ now: () => now });
    const api = client(fake);
    await api.messages.create(cachedRequest('s1'));

    const otherModel = await api.messages.create(cachedRequest('s1', 'claude-haiku-4-5'));
    expect(otherModel.usage.cache_read_input_tokens).toBe(0);

    const uncached = await api.messages.create(sessionRequest('s1', { system: cachedSystem('Short.') }));
    expect([uncached.usage.cache_creation_input_tokens, uncached.usage.cache_read_input_tokens]).toEqual([0, 0]);

    now += 4 * 60_000;
    expect((await api.messages.create(cachedRequest('s2'))).usage.cache_read_input_tokens).toBeGreaterThan(0);
    now += 4 * 60_000; // 8 minutes after the write, 4 after the read that refreshed it
    expect((await api.messages.create(cachedRequest('s3'))).usage.cache_read_input_tokens).toBeGreaterThan(0);
    now += 6 * 60_000;
    const expired = await api.messages.create(cachedRequest('s4'));
    expect(expired.usage.cache_read_input_tokens).toBe(0);
    expect(expired.usage.cache_creation_input_tokens).toBeGreaterThan(0);
  });
});

describe('fake Anthropic: faults the SDK retries', () => {
  it('retries a 429 after retry-after-ms, which the SDK prefers to retry-after', async () => {
    const fake = await start();
    fake.failNext(1, { status: 429, headers: { 'retry-after': '30', 'retry-after-ms': '10' } });
    const started = performance.now();
    await client(fake).messages.create(sessionRequest('s1'));

    expect(performance.now() - started).toBeLessThan(2_000);
    expect(fake.requests.map((r) => [r.status, r.headers.retryCount])).toEqual([
      [429, 0],
      [200, 1],
    ]);
  });

  it('retries a 529 overloaded_error; retry-after: 0 falls back to the SDK backoff of about 0.5 s', async () => {
    const fake = await start();
    fake.failNext(1, { status: 529, headers: { 'retry-after': '0' }, body: recorded.overloadedError });
    const started = performance.now();
    await client(fake).messages.create(sessionRequest('s1'));

    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    expect(fake.requests.map((r) => r.status)).toEqual([529, 200]);
  });

  it('retries a 500 api_error, and gives up after maxRetries', async () => {
    const fake = await start();
    const fast = { headers: { 'retry-after-ms': '1' } };
    fake.failNext(1, { status: 500, ...fast });
    await client(fake).messages.create(sessionRequest('s1'));
    expect(fake.requests.map((r) => r.status)).toEqual([500, 200]);

    fake.failNext(3, { status: 529, ...fast });
    const failure = client(fake).messages.create(sessionRequest('s2'));
    await expect(failure).rejects.toBeInstanceOf(OverloadedError);
    const requestID = expect.stringMatching(/^req_/);
    await expect(failure).rejects.toMatchObject({ type: 'overloaded_error', requestID });
    fake.failNext(3, { status: 500, ...fast });
    await expect(client(fake).messages.create(sessionRequest('s3'))).rejects.toBeInstanceOf(InternalServerError);
    expect(fake.requests).toHaveLength(2 + 3 + 3);
  });

  it('answers a wrong API key with 401 authentication_error, which is not retried, and never keeps a key', async () => {
    const fake = await start();
    const wrongKey = 'sk-ant-api03-wrong-key';
    const failure = client(fake, { apiKey: wrongKey }).messages.create(sessionRequest('s1'));

    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    await expect(failure).rejects.toMatchObject({ apiMessage: 'invalid x-api-key' });
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(fake.requests)).not.toContain(wrongKey);
    expect(fake.bodiesContain(API_KEY)).toBe(false);
    expect(fake.violations).toEqual([]);
  });
});

describe('fake Anthropic: requests the API refuses', () => {
  /** A body the SDK's types would not let through: the API must refuse it all the same. */
  const untyped = (extra: Record<string, unknown>) => ({ ...sessionRequest('s1'), ...extra }) as MessageBody;
  const refusals: [string, MessageBody, string][] = [
    [
      'a sampling parameter (gone in 2026-10-21)',
      untyped({ temperature: 0.2 }),
      'temperature: Extra inputs are not permitted',
    ],
    ['an unknown key', untyped({ prompt: 'x' }), 'prompt: Extra inputs are not permitted'],
    [
      'a fractional max_tokens',
      sessionRequest('s1', { max_tokens: 1.5 }),
      'max_tokens: Input should be a valid integer',
    ],
    ['no messages', sessionRequest('s1', { messages: [] }), 'messages: at least one message is required'],
    [
      'an empty text block',
      sessionRequest('s1', { messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
      'text content blocks must be non-empty',
    ],
    [
      'five cache breakpoints',
      sessionRequest('s1', {
        system: ['a', 'b', 'c', 'd', 'e'].map((text) => ({
          type: 'text' as const,
          text,
          cache_control: { type: 'ephemeral' as const },
        })),
      }),
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    ],
    [
      'a tool schema that is not an object',
      sessionRequest('s1', { tools: [{ ...observationsTool, input_schema: { type: 'array' } as never }] }),
      "tools.0.custom.input_schema.type: Input should be 'object'",
    ],
    [
      'a tool_choice naming a tool not offered',
      sessionRequest('s1', { tools: [observationsTool], tool_choice: { type: 'tool', name: 'extract' } }),
      "tool_choice.name: Tool 'extract' not found in provided tools",
    ],
    [
      'a JSON schema leaving additionalProperties open',
      sessionRequest('s1', {
        output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: {} } } },
      }),
      "output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false",
    ],
    [
      'a tool_use left without its tool_result',
      sessionRequest('s1', {
        messages: [
          { role: 'user', content: 's1' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'record_observations', input: {} }] },
          { role: 'user', content: 'go on' },
        ],
      }),
      'messages.2: tool_use ids were found without tool_result blocks immediately after: toolu_1.',
    ],
  ];

  it.each(refusals)('refuses %s with 400 invalid_request_error and records it', async (_what, body, expected) => {
    const fake = await start();
    const error = await client(fake).messages.create(body).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ type: 'invalid_request_error', apiMessage: expect.stringContaining(expected) });
    expect(missingKeys((error as BadRequestError).error, recorded.invalidRequestError)).toEqual([]);
    expect(fake.requests).toHaveLength(1);
    const recordedIt = (violation: string) => violation.startsWith('POST /v1/messages: ') && violation.includes(expected);
    expect(fake.violations.some(recordedIt)).toBe(true);
  });

  it('accepts consecutive turns of one role, which the API merges', async () => {
    const fake = await start();
    const turns: MessageBody['messages'] = [
      { role: 'user', content: 'part one' },
      { role: 'user', content: 'part two' },
    ];
    await client(fake).messages.create(sessionRequest('s1', { messages: turns }));

    expect(fake.violations).toEqual([]);
  });

  it('answers an unknown model with 404 not_found_error', async () => {
    const fake = await start();
    const unknownModel = client(fake).messages.create(sessionRequest('s1', { model: 'gpt-4o' }));
    await expect(unknownModel).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a request without anthropic-version, and takes x-api-key as the API does', async () => {
    const fake = await start();
    const post = (headers: Record<string, string>) =>
      fetch(`${fake.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY, ...headers },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }),
      });

    expect((await post({})).status).toBe(400);
    const counted = await post({ 'anthropic-version': '2023-06-01' });
    expect(await counted.json()).toEqual({ input_tokens: expect.any(Number) });
    expect(fake.violations).toEqual(['POST /v1/messages/count_tokens: no anthropic-version header']);
    expect(fake.requests[1]?.headers).toMatchObject({ xApiKey: true, bearer: false, anthropicVersion: '2023-06-01' });
  });
});

describe('fake Anthropic: Message Batches', () => {
  const batchRequests = ['session-1', 'session-2', 'session-3'].map((custom_id) => ({
    custom_id,
    params: sessionRequest(`transcript of ${custom_id}`, forcedTool),
  }));

  /** Observations naming their request; session-3 is too long for the model. */
  const perRequest: FakeAnthropicOptions['respond'] = (_body, context) =>
    context.batch?.customId === 'session-3'
      ? reply.error(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum')
      : reply.toolUse({ observations: [{ text: `from ${context.batch?.customId}`, evidence: 'e' }] });

  async function pollUntilEnded(api: Anthropic, id: string): Promise<string[]> {
    const statuses: string[] = [];
    for (let batch = await api.messages.batches.retrieve(id); ; batch = await api.messages.batches.retrieve(id)) {
      statuses.push(batch.processing_status);
      if (batch.processing_status === 'ended') return statuses;
    }
  }

  async function readResults(api: Anthropic, id: string): Promise<Anthropic.Messages.MessageBatchIndividualResponse[]> {
    const lines: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
    for await (const line of await api.messages.batches.results(id)) lines.push(line);
    return lines;
  }

  it('creates a batch, ends it after the configured polls, and serves results from the same responder', async () => {
    const fake = await start({ batchPollsInProgress: 2, respond: perRequest });
    const api = client(fake);
    const created = await api.messages.batches.create({ requests: batchRequests });

    expect(created).toMatchObject({ processing_status: 'in_progress', results_url: null });
    expect(created.id).toMatch(/^msgbatch_01\w{22}$/);
    expect(await pollUntilEnded(api, created.id)).toEqual(['in_progress', 'in_progress', 'ended']);
    const ended = await api.messages.batches.retrieve(created.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 1, canceled: 0, expired: 0 });
    expect(missingKeys(ended, recorded.batch)).toEqual([]);

    const results = await readResults(api, created.id);
    // Not in request order: the API does not promise it, so callers must match on custom_id.
    expect(results.map((line) => line.custom_id)).toEqual(['session-3', 'session-2', 'session-1']);
    const byId = new Map(results.map((line) => [line.custom_id, line.result]));
    expect(byId.get('session-1')).toMatchObject({
      type: 'succeeded',
      message: {
        content: [{ type: 'tool_use', input: { observations: [{ text: 'from session-1' }] } }],
        usage: { service_tier: 'batch' },
      },
    });
    expect(byId.get('session-3')).toMatchObject({
      type: 'errored',
      error: { type: 'error', error: { type: 'invalid_request_error' } },
    });
    expect(missingKeys(results[1], recorded.batchResults[0])).toEqual([]);
    expect(fake.batches.get(created.id)).toMatchObject({ polls: 5, resultsFetched: 1, status: 'ended' });
    expect(fake.violations).toEqual([]);
  });

  it('lets an interrupted cycle resume from the batch id instead of submitting again', async () => {
    const fake = await start({ batchPollsInProgress: 3, respond: perRequest });
    const { id } = await client(fake).messages.batches.create({ requests: batchRequests });
    await client(fake).messages.batches.retrieve(id); // the cycle dies here

    const resumed = client(fake);
    await pollUntilEnded(resumed, id);
    expect(await readResults(resumed, id)).toHaveLength(3);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches')).toHaveLength(1);
    expect(fake.batches.size).toBe(1);
    expect(fake.batches.get(id)).toMatchObject({ polls: 5, resultsFetched: 1 });
    expect((await resumed.messages.batches.list()).data.map((batch) => batch.id)).toEqual([id]);
  });

  it('cancels a batch: canceling until it ends, its requests then canceled', async () => {
    const fake = await start({ respond: perRequest });
    const api = client(fake);
    const { id } = await api.messages.batches.create({ requests: batchRequests });

    expect((await api.messages.batches.cancel(id)).processing_status).toBe('canceling');
    expect(await pollUntilEnded(api, id)).toEqual(['canceling', 'ended']);
    expect((await readResults(api, id)).map((line) => line.result.type)).toEqual(['canceled', 'canceled', 'canceled']);
    expect(fake.usage.output).toBe(0);
  });

  it('refuses a batch with a bad or repeated custom_id, or invalid params', async () => {
    const fake = await start();
    const params = sessionRequest('s1');
    const bad = client(fake).messages.batches.create({
      requests: [
        { custom_id: 'session 1', params },
        { custom_id: 'twice', params },
        { custom_id: 'twice', params: { ...params, max_tokens: -1 } },
      ],
    });

    await expect(bad).rejects.toBeInstanceOf(BadRequestError);
    expect(fake.violations).toEqual([
      "POST /v1/messages/batches: requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
      'POST /v1/messages/batches: requests.2.custom_id: custom_id must be unique within a batch; twice is repeated',
      'POST /v1/messages/batches: requests.2.params.max_tokens: Input should be greater than or equal to 0',
    ]);
    expect(fake.batches.size).toBe(0);
  });
});

describe('fake Anthropic: what left the machine', () => {
  it('tells whether any body carried a text, and which requests named a model', async () => {
    const fake = await start();
    const api = client(fake);
    await api.messages.create(sessionRequest('the user said "ship it"\nthen left'));
    const haiku = sessionRequest('s', { model: 'claude-haiku-4-5' });
    await api.messages.batches.create({ requests: [{ custom_id: 'a', params: haiku }] });

    expect(fake.bodiesContain('said "ship it"\nthen')).toBe(true);
    expect(fake.bodiesContain('AKIA0000000000000000')).toBe(false);
    expect(fake.bodiesContain(API_KEY)).toBe(false);
    expect(fake.requestsFor(MODEL).map((r) => r.path)).toEqual(['/v1/messages']);
    expect(fake.requestsFor('claude-haiku-4-5').map((r) => r.path)).toEqual(['/v1/messages/batches']);
  });
});
