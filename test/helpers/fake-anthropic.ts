/**
 * A stateful fake of Anthropic's Messages API, served on 127.0.0.1 so tests drive it with the real SDK
 * (`new Anthropic({ apiKey, baseURL: fake.url, maxRetries, timeout })`): POST /v1/messages, POST
 * /v1/messages/count_tokens, and the Message Batches API (create, retrieve, list, cancel, delete, results).
 *
 * Every request is checked as the API checks it. What the API refuses is refused the same way (400
 * invalid_request_error, 401 authentication_error, 404 not_found_error, in the API's error shape) and recorded in
 * `violations`, so a test can assert that the code under test speaks the API and not merely the fake.
 *
 * Answers come from a responder, a function of the request body returning a scripted reply (see `reply`). The fake
 * wraps it in a Message shaped as the SDK's `Message` type declares it, with usage estimated from the request (a
 * token is four characters) and prompt caching simulated: per model, each prefix ending at a `cache_control`
 * breakpoint is written the first time it is seen (`cache_creation_input_tokens`) and read while it lives
 * (`cache_read_input_tokens`); a read refreshes its TTL, 5 minutes unless the breakpoint asks for 1 hour; a prefix
 * shorter than `minimumCacheableTokens` is not cached at all, silently, as the API does.
 *
 * What the SDK (1.14) does that a test should know:
 * - it sends `apiKey` as `Authorization: Bearer`, not as `x-api-key`; the fake takes either (x-api-key first);
 * - it sends `anthropic-version: 2026-10-21`, under which `temperature`, `top_p` and `top_k` are refused as extra
 *   inputs; under 2023-06-01 they are range-checked instead;
 * - `messages.create` without `stream` throws before sending anything when `max_tokens` > 21,333 (an estimated
 *   call of more than 10 minutes), unless the client or the call sets `timeout`; so this fake does not stream.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Anthropic from '@anthropic-ai/sdk';
import type {
  DeletedMessageBatch,
  MessageBatch,
  MessageBatchIndividualResponse,
  MessageBatchResult,
} from '@anthropic-ai/sdk/resources/messages/batches';
import type { ErrorObject } from '@anthropic-ai/sdk/resources/shared';
import { INVALID_JSON, parseJson, readBody } from './http-body.js';

// ---- public API ----

export type MessageBody = Anthropic.MessageCreateParamsNonStreaming;

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

/** What the model "says". Build them with `reply`. */
export type ScriptedReply =
  | { kind: 'text'; text: string; truncate?: boolean }
  | { kind: 'json'; value: unknown; truncate?: boolean }
  | { kind: 'tool_use'; input: unknown; name?: string; truncate?: boolean }
  | { kind: 'error'; status: number; type: ErrorType; message: string };

export interface ResponderContext {
  /** 1 for the first message the responder is asked for, batch requests included. */
  call: number;
  /** Set when the message answers a request of a Message Batch. */
  batch?: { id: string; customId: string };
}

export type Responder = (body: MessageBody, context: ResponderContext) => ScriptedReply | Promise<ScriptedReply>;

export const reply = {
  text: (text: string): ScriptedReply => ({ kind: 'text', text }),
  /** A structured output: the value as the JSON text of one text block. */
  json: (value: unknown): ScriptedReply => ({ kind: 'json', value }),
  /** A tool call; `name` defaults to the tool `tool_choice` forces, or to the only tool. */
  toolUse: (input: unknown, name?: string): ScriptedReply => ({ kind: 'tool_use', input, name }),
  /**
   * A tool call whose input does not match the tool's schema. The fake sends any input as given; this name only
   * says the test means it. (With `strict: true` the real API guarantees a matching input.)
   */
  malformedToolUse: (input: unknown, name?: string): ScriptedReply => ({ kind: 'tool_use', input, name }),
  /** Cut by max_tokens: half the JSON text at most, `stop_reason: 'max_tokens'`. */
  truncatedJson: (value: unknown): ScriptedReply => ({ kind: 'json', value, truncate: true }),
  /**
   * Cut by max_tokens during a tool call. A non-streamed answer carries only the parameters that were complete
   * (the API buffers each one), so `input` keeps the leading ones that fit in half its JSON.
   */
  truncatedToolUse: (input: Record<string, unknown>, name?: string): ScriptedReply => ({
    kind: 'tool_use',
    input,
    name,
    truncate: true,
  }),
  /** An API error for this message (in a batch: an `errored` result). */
  error: (status: number, type: ErrorType, message: string): ScriptedReply => ({
    kind: 'error',
    status,
    type,
    message,
  }),
};

export interface RecordedHeaders {
  anthropicVersion: string | null;
  /** anthropic-beta values, split on commas. */
  anthropicBeta: string[];
  /** Whether an x-api-key header was sent. Its value is never kept. */
  xApiKey: boolean;
  /** Whether `Authorization: Bearer` was sent, as the SDK sends `apiKey`. Its value is never kept. */
  bearer: boolean;
  /** The SDK's x-stainless-retry-count: 0 on a first attempt, n on the nth retry. */
  retryCount: number | null;
}

export interface RecordedMessageRequest {
  method: string;
  /** Path and query string, as requested. */
  path: string;
  status: number;
  headers: RecordedHeaders;
  /** The parsed JSON body; undefined when there was none, the raw text when it was not JSON. */
  body: unknown;
}

export interface FailureReply {
  status: number;
  /** The error type in the body; by default the API's type for `status`. */
  type?: ErrorType;
  /** A 429 gets `retry-after: 1` unless given one; the SDK honours `retry-after-ms` first (see the test file). */
  headers?: Record<string, string>;
  /** Replaces the whole body (an `{type:'error', error, request_id}` object by default). */
  body?: unknown;
}

export interface UsageTotals {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export interface FakeBatch {
  id: string;
  requests: { custom_id: string; params: MessageBody }[];
  createdAt: Date;
  status: 'in_progress' | 'canceling' | 'ended';
  /** How many times it was retrieved (the SDK's `results()` retrieves it first, too). */
  polls: number;
  /** Retrievals answered `in_progress` before it ends; a test may change it while the batch runs. */
  pollsInProgress: number;
  cancelInitiatedAt: Date | null;
  endedAt: Date | null;
  /** One per request, in request order, once it has ended (they are served in another order). */
  results: MessageBatchIndividualResponse[];
  /** How many times its results were downloaded. */
  resultsFetched: number;
}

export interface FakeAnthropicOptions {
  apiKey: string;
  respond?: Responder;
  /** Retrievals a new batch answers `in_progress` before it ends; 1 by default. */
  batchPollsInProgress?: number;
  /** Below this many tokens a prefix is not cached (1,024 to 4,096 depending on the model); 1024 by default. */
  minimumCacheableTokens?: number;
  /** The clock cache TTLs and timestamps are read from; Date.now by default. */
  now?: () => number;
}

export interface FakeAnthropic {
  url: string;
  requests: RecordedMessageRequest[];
  violations: string[];
  /** Token totals of every message the fake answered, batch results included. */
  usage: UsageTotals;
  batches: Map<string, FakeBatch>;
  respondWith(responder: Responder): void;
  /** The next `count` authenticated requests, whatever they are, get `reply` instead of being served. */
  failNext(count: number, reply: FailureReply): void;
  /** Whether any request body (or path) contained `text`: a test can prove a secret never left the machine. */
  bodiesContain(text: string): boolean;
  /** Requests naming `model`: messages and token counts, and batches with a request for it. */
  requestsFor(model: string): RecordedMessageRequest[];
  close(): Promise<void>;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions): Promise<FakeAnthropic> {
  const fake = new FakeAnthropicServer(options);
  await fake.listen();
  return fake;
}

type JsonObject = Record<string, unknown>;

const FIXTURES = new URL('../fixtures/anthropic-api/', import.meta.url);

/** Real-shaped answers of the API, for tests that compare the fake's answers (or their own) with them. */
export const recorded = {
  toolUseMessage: fixture('message-tool-use.json'),
  textMessage: fixture('message-text.json'),
  overloadedError: fixture('error-overloaded.json'),
  invalidRequestError: fixture('error-invalid-request.json'),
  batch: fixture('message-batch.json'),
  batchResults: readFileSync(new URL('batch-results.jsonl', FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonObject),
};

function fixture(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as JsonObject;
}

// ---- the server ----

const CURRENT_VERSION = '2026-10-21';
const LEGACY_VERSION = '2023-06-01';
const KNOWN_VERSIONS = new Set(['2023-01-01', LEGACY_VERSION, CURRENT_VERSION]);
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const BATCH_LIFETIME_MS = 24 * 60 * 60 * 1000;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

type Answer =
  | { ok: true; message: Anthropic.Message }
  | { ok: false; status: number; type: ErrorType; message: string };

class FakeAnthropicServer implements FakeAnthropic {
  url = '';
  readonly requests: RecordedMessageRequest[] = [];
  readonly violations: string[] = [];
  readonly usage: UsageTotals = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  readonly batches = new Map<string, FakeBatch>();

  private readonly apiKey: string;
  private responder: Responder;
  private readonly batchPollsInProgress: number;
  private readonly now: () => number;
  private readonly cache: PromptCache;
  private readonly ids = new IdMaker();
  private readonly faults: FailureReply[] = [];
  private readonly rawBodies: string[] = [];
  private readonly server = http.createServer((request, response) => void this.serve(request, response));
  /** Messages are answered one at a time, so usage and the cache follow arrival order. */
  private queue: Promise<unknown> = Promise.resolve();
  private responderCalls = 0;

  constructor(options: FakeAnthropicOptions) {
    this.apiKey = options.apiKey;
    this.responder = options.respond ?? defaultResponder;
    this.batchPollsInProgress = options.batchPollsInProgress ?? 1;
    this.now = options.now ?? Date.now;
    this.cache = new PromptCache(options.minimumCacheableTokens ?? 1024, this.now);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  failNext(count: number, reply: FailureReply): void {
    for (let i = 0; i < count; i++) this.faults.push(reply);
  }

  bodiesContain(text: string): boolean {
    // A body is JSON: the text may travel escaped ("\n", "\"", "\u00e9"...).
    const escaped = JSON.stringify(text).slice(1, -1);
    const unicodeEscape = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    const asciiEscaped = escaped.replace(/[\u007f-\uffff]/g, unicodeEscape);
    const haystacks = [...this.rawBodies, ...this.requests.map((request) => request.path)];
    return haystacks.some((raw) => raw.includes(text) || raw.includes(escaped) || raw.includes(asciiEscaped));
  }

  requestsFor(model: string): RecordedMessageRequest[] {
    return this.requests.filter((request) => {
      const body = asRecord(request.body);
      if (body.model === model) return true;
      const batchRequests = Array.isArray(body.requests) ? body.requests : [];
      return batchRequests.some((entry) => asRecord(asRecord(entry).params).model === model);
    });
  }

  async close(): Promise<void> {
    // The SDK keeps connections alive; without this, close() would wait for them to time out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- HTTP plumbing ----

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.url);
    const record: RecordedMessageRequest = {
      method,
      path: url.pathname + url.search,
      status: 0,
      headers: recordHeaders(request.headers),
      body: undefined,
    };
    this.requests.push(record);
    let reply: Reply;
    try {
      const raw = await readBody(request, MAX_BODY_BYTES);
      this.rawBodies.push(raw);
      const body = parseJson(raw);
      record.body = body === INVALID_JSON ? raw : body;
      reply = await this.replyTo(method, url, request.headers, body);
    } catch (error) {
      // A failure of the fake itself: a test must not pass on it unnoticed.
      this.violations.push(`${method} ${url.pathname}: the fake failed: ${(error as Error).message}`);
      reply = apiError(500, 'api_error', 'Internal server error');
    }
    record.status = reply.status;
    this.send(response, reply);
  }

  private async replyTo(method: string, url: URL, headers: http.IncomingHttpHeaders, body: unknown): Promise<Reply> {
    const refusal = this.checkAuthentication(method, url, headers) ?? this.checkVersion(method, url, headers);
    if (refusal) return refusal;
    const fault = this.faults.shift();
    if (fault) return scriptedFailure(fault);
    if (body === INVALID_JSON) {
      this.violate(method, url, 'the body is not JSON');
      return apiError(400, 'invalid_request_error', 'There was an issue with the format of the request body');
    }
    const version = header(headers, 'anthropic-version') ?? CURRENT_VERSION;
    const route = this.route(method, url.pathname);
    if (!route) {
      this.violate(method, url, 'no such endpoint (or the fake does not serve it)');
      return apiError(404, 'not_found_error', 'Not found');
    }
    return route({ method, url, body, version });
  }

  private route(method: string, path: string): Handler | undefined {
    if (method === 'POST' && path === '/v1/messages') return (call) => this.createMessage(call);
    if (method === 'POST' && path === '/v1/messages/count_tokens') return (call) => this.countTokens(call);
    if (method === 'POST' && path === '/v1/messages/batches') return (call) => this.createBatch(call);
    if (method === 'GET' && path === '/v1/messages/batches') return (call) => this.listBatches(call);
    const batch = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    if (!batch) return undefined;
    const id = decodeURIComponent(batch[1] ?? '');
    const action = `${method} ${batch[2] ?? ''}`;
    if (action === 'GET ') return (call) => this.retrieveBatch(call, id);
    if (action === 'DELETE ') return (call) => this.deleteBatch(call, id);
    if (action === 'POST /cancel') return (call) => this.cancelBatch(call, id);
    if (action === 'GET /results') return (call) => this.batchResults(call, id);
    return undefined;
  }

  /** The API takes `x-api-key`, or `Authorization: Bearer` (what the SDK sends); x-api-key wins when both come. */
  private checkAuthentication(method: string, url: URL, headers: http.IncomingHttpHeaders): Reply | undefined {
    const xApiKey = header(headers, 'x-api-key');
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '')?.[1];
    const presented = xApiKey ?? bearer;
    if (presented === undefined) {
      this.violate(method, url, 'no x-api-key header and no Authorization: Bearer');
      return apiError(401, 'authentication_error', 'x-api-key header is required');
    }
    if (presented !== this.apiKey) return apiError(401, 'authentication_error', 'invalid x-api-key');
    return undefined;
  }

  private checkVersion(method: string, url: URL, headers: http.IncomingHttpHeaders): Reply | undefined {
    const version = header(headers, 'anthropic-version');
    if (version === undefined) {
      this.violate(method, url, 'no anthropic-version header');
      return apiError(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (!KNOWN_VERSIONS.has(version)) {
      this.violate(method, url, `unknown anthropic-version ${version}`);
      return apiError(400, 'invalid_request_error', `anthropic-version: invalid version ${version}`);
    }
    return undefined;
  }

  private send(response: http.ServerResponse, reply: Reply): void {
    const requestId = this.ids.make('req_');
    // An error names its request, in the body as in the request-id header.
    const unnamed = isRecord(reply.body) && reply.body.type === 'error' && reply.body.request_id === null;
    const body = unnamed ? { ...asRecord(reply.body), request_id: requestId } : reply.body;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'request-id': requestId,
      ...reply.headers,
    });
    response.end(text);
  }

  private violate(method: string, url: URL, message: string): void {
    this.violations.push(`${method} ${url.pathname}: ${message}`);
  }

  /** Refuses with the first issue, as the API does, and records them all. */
  private refuse(call: Call, issues: string[]): Reply | undefined {
    if (issues.length === 0) return undefined;
    for (const issue of issues) this.violate(call.method, call.url, issue);
    return apiError(400, 'invalid_request_error', issues[0] ?? 'invalid request');
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- messages ----

  private async createMessage(call: Call): Promise<Reply> {
    const refusal = this.refuse(call, checkParams(call.body, 'create', call.version));
    if (refusal) return refusal;
    const body = call.body as MessageBody;
    if ((body as { stream?: unknown }).stream === true) {
      this.violate(call.method, call.url, 'stream: true, and the fake does not stream');
      return apiError(400, 'invalid_request_error', 'the fake does not serve streamed messages');
    }
    const answer = await this.serially(() => this.answer(body, {}));
    if (!answer.ok) return apiError(answer.status, answer.type, answer.message);
    return { status: 200, body: answer.message };
  }

  private async countTokens(call: Call): Promise<Reply> {
    const refusal = this.refuse(call, checkParams(call.body, 'count', call.version));
    if (refusal) return refusal;
    const body = asRecord(call.body);
    const unknown = unknownModel(body.model);
    if (unknown) return apiError(404, 'not_found_error', unknown);
    return { status: 200, body: { input_tokens: estimatePrompt(body).total } satisfies Anthropic.MessageTokensCount };
  }

  /** The message the API would answer `body` with, produced by the responder; usage and cache accounted. */
  private async answer(body: MessageBody, batch: { id?: string; customId?: string }): Promise<Answer> {
    const unknown = unknownModel(body.model);
    if (unknown) return { ok: false, status: 404, type: 'not_found_error', message: unknown };
    const context: ResponderContext = { call: ++this.responderCalls };
    if (batch.id !== undefined && batch.customId !== undefined) {
      context.batch = { id: batch.id, customId: batch.customId };
    }
    const scripted = await this.responder(body, context);
    if (scripted.kind === 'error') {
      return { ok: false, status: scripted.status, type: scripted.type, message: scripted.message };
    }
    const output = this.compose(scripted, body);
    const usage = this.accountUsage(body, output.tokens, batch.id !== undefined);
    const message: Anthropic.Message = {
      id: this.ids.make('msg_'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: output.content,
      stop_reason: output.stopReason,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage,
    };
    return { ok: true, message };
  }

  /** The content blocks of a scripted reply, cut where max_tokens would cut them. */
  private compose(scripted: Exclude<ScriptedReply, { kind: 'error' }>, body: MessageBody): Output {
    if (body.max_tokens === 0) return { content: [], stopReason: 'max_tokens', tokens: 0 };
    const budget = (full: string) =>
      Math.min(body.max_tokens * CHARS_PER_TOKEN, scripted.truncate ? Math.floor(full.length / 2) : Infinity);
    if (scripted.kind === 'tool_use') {
      const name = this.toolName(scripted, body);
      const full = JSON.stringify(scripted.input ?? null);
      const limit = budget(full);
      const block = (input: unknown): Anthropic.ToolUseBlock => ({
        type: 'tool_use',
        id: this.ids.make('toolu_'),
        name,
        input,
        caller: { type: 'direct' },
      });
      if (full.length <= limit) {
        return { content: [block(scripted.input)], stopReason: 'tool_use', tokens: estimateTokens(name + full) };
      }
      const cut = completeParameters(scripted.input, limit);
      return { content: [block(cut)], stopReason: 'max_tokens', tokens: body.max_tokens };
    }
    const full = scripted.kind === 'json' ? JSON.stringify(scripted.value) : scripted.text;
    const limit = budget(full);
    const text = (value: string): Anthropic.TextBlock => ({ type: 'text', text: value, citations: null });
    if (full.length <= limit) {
      return { content: [text(full)], stopReason: 'end_turn', tokens: Math.max(1, estimateTokens(full)) };
    }
    return { content: [text(full.slice(0, limit))], stopReason: 'max_tokens', tokens: body.max_tokens };
  }

  /** The tool a scripted tool call names; a call the model could not make is recorded as a broken script. */
  private toolName(scripted: { name?: string }, body: MessageBody): string {
    const tools = toolNames(body);
    const choice = body.tool_choice;
    const name = scripted.name ?? (choice?.type === 'tool' ? choice.name : tools.length === 1 ? tools[0] : undefined);
    if (name === undefined) {
      this.violations.push(`responder: a tool call without a name, and the request has ${tools.length} tools`);
      return 'unnamed_tool';
    }
    if (!tools.includes(name)) {
      this.violations.push(`responder: a call of tool ${name}, which the request does not offer`);
    }
    if (choice?.type === 'none') this.violations.push('responder: a tool call, and the request says tool_choice none');
    return name;
  }

  private accountUsage(body: MessageBody, outputTokens: number, inBatch: boolean): Anthropic.Usage {
    const prompt = estimatePrompt(body as unknown as JsonObject);
    const cached = this.cache.account(body.model, prompt.segments);
    const written = cached.written5m + cached.written1h;
    const input = prompt.total - cached.read - written;
    this.usage.input += input;
    this.usage.output += outputTokens;
    this.usage.cacheWrite += written;
    this.usage.cacheRead += cached.read;
    return {
      input_tokens: input,
      output_tokens: outputTokens,
      cache_creation_input_tokens: written,
      cache_read_input_tokens: cached.read,
      cache_creation: { ephemeral_5m_input_tokens: cached.written5m, ephemeral_1h_input_tokens: cached.written1h },
      inference_geo: 'global',
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: inBatch ? 'batch' : 'standard',
      speed: null,
    };
  }

  // ---- Message Batches ----

  private async createBatch(call: Call): Promise<Reply> {
    const refusal = this.refuse(call, checkBatch(call.body, call.version));
    if (refusal) return refusal;
    const requests = asRecord(call.body).requests as FakeBatch['requests'];
    const batch: FakeBatch = {
      id: this.ids.make('msgbatch_'),
      requests,
      createdAt: new Date(this.now()),
      status: 'in_progress',
      polls: 0,
      pollsInProgress: this.batchPollsInProgress,
      cancelInitiatedAt: null,
      endedAt: null,
      results: [],
      resultsFetched: 0,
    };
    this.batches.set(batch.id, batch);
    return { status: 200, body: this.batchJson(batch) };
  }

  private async retrieveBatch(call: Call, id: string): Promise<Reply> {
    const batch = this.batches.get(id);
    if (!batch) return this.batchNotFound(call, id);
    batch.polls++;
    if (batch.status !== 'ended' && batch.polls > batch.pollsInProgress) {
      await this.serially(() => this.endBatch(batch));
    }
    return { status: 200, body: this.batchJson(batch) };
  }

  private async cancelBatch(call: Call, id: string): Promise<Reply> {
    const batch = this.batches.get(id);
    if (!batch) return this.batchNotFound(call, id);
    if (batch.status === 'in_progress') {
      batch.status = 'canceling';
      batch.cancelInitiatedAt = new Date(this.now());
    }
    return { status: 200, body: this.batchJson(batch) };
  }

  private async deleteBatch(call: Call, id: string): Promise<Reply> {
    const batch = this.batches.get(id);
    if (!batch) return this.batchNotFound(call, id);
    if (batch.status !== 'ended') {
      this.violate(call.method, call.url, 'deleting a batch that has not ended');
      const message = `Message Batch ${id} cannot be deleted while processing. Cancel it first.`;
      return apiError(400, 'invalid_request_error', message);
    }
    this.batches.delete(id);
    return { status: 200, body: { id, type: 'message_batch_deleted' } satisfies DeletedMessageBatch };
  }

  private async batchResults(call: Call, id: string): Promise<Reply> {
    const batch = this.batches.get(id);
    if (!batch) return this.batchNotFound(call, id);
    if (batch.status !== 'ended') {
      this.violate(call.method, call.url, 'results requested before the batch ended');
      return apiError(404, 'not_found_error', `Message Batch ${id} has not ended yet; its results are not available.`);
    }
    batch.resultsFetched++;
    // The API does not promise request order: serving them reversed keeps callers honest about custom_id.
    const lines = [...batch.results].reverse().map((line) => JSON.stringify(line));
    return { status: 200, body: lines.join('\n') + '\n', contentType: 'application/binary' };
  }

  /** Newest first, paged with `limit`, `after_id` and `before_id` as the SDK's Page follows them. */
  private async listBatches(call: Call): Promise<Reply> {
    const query = call.url.searchParams;
    const limit = Number(query.get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return this.refuse(call, ['limit: Input should be between 1 and 1000']) as Reply;
    }
    const all = [...this.batches.values()].reverse();
    const afterId = query.get('after_id');
    const beforeId = query.get('before_id');
    let start = 0;
    let end = all.length;
    if (afterId !== null) start = all.findIndex((batch) => batch.id === afterId) + 1;
    if (beforeId !== null) end = Math.max(0, all.findIndex((batch) => batch.id === beforeId));
    const page = beforeId !== null ? all.slice(Math.max(start, end - limit), end) : all.slice(start, start + limit);
    const hasMore = beforeId !== null ? end - limit > start : start + limit < end;
    return {
      status: 200,
      body: {
        data: page.map((batch) => this.batchJson(batch)),
        has_more: hasMore,
        first_id: page[0]?.id ?? null,
        last_id: page[page.length - 1]?.id ?? null,
      },
    };
  }

  private batchNotFound(call: Call, id: string): Reply {
    this.violate(call.method, call.url, `no batch ${id}`);
    return apiError(404, 'not_found_error', `Message Batch ${id} not found`);
  }

  /** Runs every request through the responder (or cancels them all), as the API does while a batch is processed. */
  private async endBatch(batch: FakeBatch): Promise<void> {
    if (batch.status === 'ended') return;
    const canceled = batch.status === 'canceling';
    batch.results = [];
    for (const { custom_id, params } of batch.requests) {
      const result: MessageBatchResult = canceled
        ? { type: 'canceled' }
        : await this.batchResult(batch, custom_id, params);
      batch.results.push({ custom_id, result });
    }
    batch.status = 'ended';
    batch.endedAt = new Date(this.now());
  }

  private async batchResult(batch: FakeBatch, customId: string, params: MessageBody): Promise<MessageBatchResult> {
    const answer = await this.answer(params, { id: batch.id, customId });
    if (answer.ok) return { type: 'succeeded', message: answer.message };
    const error = { type: answer.type, message: answer.message } as ErrorObject;
    return { type: 'errored', error: { type: 'error', error, request_id: this.ids.make('req_') } };
  }

  private batchJson(batch: FakeBatch): MessageBatch {
    const count = (type: MessageBatchResult['type']) =>
      batch.results.filter((line) => line.result.type === type).length;
    const ended = batch.status === 'ended';
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: batch.status,
      request_counts: {
        processing: ended ? 0 : batch.requests.length,
        succeeded: count('succeeded'),
        errored: count('errored'),
        canceled: count('canceled'),
        expired: count('expired'),
      },
      created_at: batch.createdAt.toISOString(),
      expires_at: new Date(batch.createdAt.getTime() + BATCH_LIFETIME_MS).toISOString(),
      ended_at: batch.endedAt?.toISOString() ?? null,
      cancel_initiated_at: batch.cancelInitiatedAt?.toISOString() ?? null,
      archived_at: null,
      results_url: ended ? `${this.url}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}

interface Call {
  method: string;
  url: URL;
  body: unknown;
  version: string;
}

type Handler = (call: Call) => Promise<Reply>;

interface Output {
  content: Anthropic.ContentBlock[];
  stopReason: Anthropic.StopReason;
  tokens: number;
}

function defaultResponder(body: MessageBody): ScriptedReply {
  const choice = body.tool_choice?.type;
  if (choice === 'tool') return reply.toolUse({});
  if (choice === 'any') return reply.toolUse({}, toolNames(body)[0]);
  if (body.output_config?.format) return reply.json({});
  return reply.text('A reply from the fake Anthropic API.');
}

function toolNames(body: MessageBody): string[] {
  const names = (body.tools ?? []).map((tool) => asRecord(tool).name);
  return names.filter((name): name is string => typeof name === 'string');
}

/** The API answers an unknown model with 404; every model it serves is named claude-*. */
function unknownModel(model: unknown): string | undefined {
  return typeof model === 'string' && !model.startsWith('claude-') ? `model: ${model}` : undefined;
}

/** The leading parameters of a tool input whose JSON fits in `limit` characters. */
function completeParameters(input: unknown, limit: number): JsonObject {
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(asRecord(input))) {
    kept[key] = value;
    if (JSON.stringify(kept).length > limit) {
      delete kept[key];
      break;
    }
  }
  return kept;
}

function apiError(status: number, type: ErrorType, message: string, headers?: Record<string, string>): Reply {
  // request_id is filled in when the answer is sent, with the request-id header's value.
  const body = { type: 'error', error: { type, message }, request_id: null };
  return { status, body, ...(headers ? { headers } : {}) };
}

const DEFAULT_FAILURES: Record<number, { type: ErrorType; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

function scriptedFailure(fault: FailureReply): Reply {
  const known = DEFAULT_FAILURES[fault.status] ?? DEFAULT_FAILURES[fault.status >= 500 ? 500 : 400];
  const type = fault.type ?? known?.type ?? 'api_error';
  const headers = Object.fromEntries(
    Object.entries(fault.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  // The API tells a rate-limited client when to come back.
  if (fault.status === 429 && headers['retry-after'] === undefined) headers['retry-after'] = '1';
  const reply = apiError(fault.status, type, known?.message ?? 'Error', headers);
  return fault.body === undefined ? reply : { ...reply, body: fault.body };
}

function recordHeaders(headers: http.IncomingHttpHeaders): RecordedHeaders {
  const retryCount = header(headers, 'x-stainless-retry-count');
  return {
    anthropicVersion: header(headers, 'anthropic-version') ?? null,
    anthropicBeta: (header(headers, 'anthropic-beta') ?? '')
      .split(',')
      .map((beta) => beta.trim())
      .filter(Boolean),
    xApiKey: header(headers, 'x-api-key') !== undefined,
    bearer: /^Bearer\s/i.test(header(headers, 'authorization') ?? ''),
    retryCount: retryCount === undefined ? null : Number(retryCount),
  };
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

// ---- request validation: the API's rules, and its messages where known ----

const CREATE_KEYS = new Set([
  'model',
  'messages',
  'max_tokens',
  'cache_control',
  'container',
  'diagnostics',
  'inference_geo',
  'metadata',
  'output_config',
  'service_tier',
  'speed',
  'stop_sequences',
  'stream',
  'system',
  'thinking',
  'tool_choice',
  'tools',
]);
const COUNT_KEYS = new Set([
  'model',
  'messages',
  'cache_control',
  'output_config',
  'speed',
  'system',
  'thinking',
  'tool_choice',
  'tools',
]);
const USER_BLOCKS = new Set(['text', 'image', 'document', 'search_result', 'tool_result', 'container_upload']);
const ASSISTANT_BLOCKS = new Set([
  'text',
  'thinking',
  'redacted_thinking',
  'tool_use',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
]);
const TOOL_KEYS = new Set([
  'type',
  'name',
  'description',
  'input_schema',
  'cache_control',
  'strict',
  'allowed_callers',
  'defer_loading',
  'eager_input_streaming',
  'input_examples',
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_CACHE_BREAKPOINTS = 4;

/** Issues as `path: message`, in the order the API would meet them. */
class Issues {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(path ? `${path}: ${message}` : message);
  }

  /** Reports keys of `value` outside `allowed`, as the API does: `path.key: Extra inputs are not permitted`. */
  extraKeys(value: JsonObject, allowed: Set<string>, path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.has(key)) this.add(join(path, key), 'Extra inputs are not permitted');
    }
  }
}

function checkParams(body: unknown, kind: 'create' | 'count', version: string, path = ''): string[] {
  const issues = new Issues();
  if (!isRecord(body)) {
    issues.add(path, 'Input should be a valid dictionary');
    return issues.list;
  }
  checkTopLevelKeys(body, kind, version, path, issues);
  checkModel(body.model, join(path, 'model'), issues);
  if (kind === 'create') checkMaxTokens(body.max_tokens, join(path, 'max_tokens'), issues);
  checkSystem(body.system, join(path, 'system'), issues);
  const toolNames = checkTools(body.tools, join(path, 'tools'), issues);
  checkToolChoice(body.tool_choice, toolNames, join(path, 'tool_choice'), issues);
  checkMessages(body.messages, join(path, 'messages'), issues);
  checkOutputConfig(body.output_config, join(path, 'output_config'), issues);
  checkThinking(body.thinking, body.max_tokens, join(path, 'thinking'), issues);
  checkSmallFields(body, path, issues);
  checkCacheControls(body, path, issues);
  return issues.list;
}

function checkTopLevelKeys(body: JsonObject, kind: 'create' | 'count', version: string, path: string, issues: Issues) {
  const allowed = kind === 'create' ? CREATE_KEYS : COUNT_KEYS;
  // Sampling parameters exist only before API version 2026-10-21.
  const sampling = kind === 'create' && version !== CURRENT_VERSION;
  for (const key of Object.keys(body)) {
    if (allowed.has(key)) continue;
    if (sampling && checkSampling(key, body[key], join(path, key), issues)) continue;
    issues.add(join(path, key), 'Extra inputs are not permitted');
  }
}

/** True when `key` is a sampling parameter (checked); false when it is no parameter at all. */
function checkSampling(key: string, value: unknown, path: string, issues: Issues): boolean {
  if (key === 'temperature' || key === 'top_p') {
    if (typeof value !== 'number') issues.add(path, 'Input should be a valid number');
    else if (value < 0) issues.add(path, 'Input should be greater than or equal to 0');
    else if (value > 1) issues.add(path, 'Input should be less than or equal to 1');
    return true;
  }
  if (key === 'top_k') {
    if (!Number.isInteger(value) || (value as number) < 0) issues.add(path, 'Input should be a non-negative integer');
    return true;
  }
  return false;
}

function checkModel(value: unknown, path: string, issues: Issues): void {
  if (value === undefined) issues.add(path, 'Field required');
  else if (typeof value !== 'string') issues.add(path, 'Input should be a valid string');
  else if (value === '') issues.add(path, 'String should have at least 1 character');
}

/** 0 is allowed: it warms the prompt cache without generating anything. */
function checkMaxTokens(value: unknown, path: string, issues: Issues): void {
  if (value === undefined) issues.add(path, 'Field required');
  else if (!Number.isInteger(value)) issues.add(path, 'Input should be a valid integer');
  else if ((value as number) < 0) issues.add(path, 'Input should be greater than or equal to 0');
}

function checkSystem(value: unknown, path: string, issues: Issues): void {
  if (value === undefined || typeof value === 'string') return;
  if (!Array.isArray(value)) return issues.add(path, 'Input should be a valid string or a list of text blocks');
  value.forEach((block, i) => {
    const blockPath = `${path}.${i}`;
    if (isRecord(block) && block.type === 'text') checkTextBlock(block, blockPath, issues);
    else issues.add(blockPath, "Input should be a text block ({type: 'text', text})");
  });
}

function checkTextBlock(block: JsonObject, path: string, issues: Issues): void {
  issues.extraKeys(block, new Set(['type', 'text', 'cache_control', 'citations']), path);
  if (typeof block.text !== 'string') issues.add(join(path, 'text'), 'Input should be a valid string');
  else if (block.text === '') issues.add(path, 'text content blocks must be non-empty');
}

/** Returns the names of the tools offered. */
function checkTools(value: unknown, path: string, issues: Issues): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.add(path, 'Input should be a valid list');
    return [];
  }
  const names: string[] = [];
  value.forEach((tool, i) => {
    const toolPath = `${path}.${i}`;
    if (!isRecord(tool)) return issues.add(toolPath, 'Input should be a valid dictionary');
    if (typeof tool.name === 'string') {
      if (names.includes(tool.name)) issues.add(path, `Tool names must be unique; ${tool.name} appears twice`);
      names.push(tool.name);
    }
    // Server tools (web search, bash...) carry a versioned type and their own fields.
    const custom = tool.type === undefined || tool.type === null || tool.type === 'custom';
    if (custom) checkCustomTool(tool, `${toolPath}.custom`, issues);
    else if (typeof tool.name !== 'string') issues.add(join(toolPath, 'name'), 'Field required');
  });
  return names;
}

function checkCustomTool(tool: JsonObject, path: string, issues: Issues): void {
  issues.extraKeys(tool, TOOL_KEYS, path);
  if (typeof tool.name !== 'string') issues.add(join(path, 'name'), 'Field required');
  else if (!TOOL_NAME.test(tool.name)) {
    issues.add(join(path, 'name'), `String should match pattern '${TOOL_NAME.source}'`);
  }
  if (tool.description !== undefined && typeof tool.description !== 'string') {
    issues.add(join(path, 'description'), 'Input should be a valid string');
  }
  const schema = tool.input_schema;
  if (!isRecord(schema)) issues.add(join(path, 'input_schema'), 'Field required');
  else if (schema.type !== 'object') issues.add(join(path, 'input_schema.type'), "Input should be 'object'");
  if (tool.strict !== undefined && typeof tool.strict !== 'boolean') {
    issues.add(join(path, 'strict'), 'Input should be a valid boolean');
  }
  if (tool.strict === true && isRecord(schema)) checkStrictSchema(schema, join(path, 'input_schema'), issues);
}

function checkToolChoice(value: unknown, toolNames: string[], path: string, issues: Issues): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) return issues.add(path, 'Input should be a valid dictionary');
  const type = value.type;
  if (type !== 'auto' && type !== 'any' && type !== 'tool' && type !== 'none') {
    return issues.add(join(path, 'type'), "Input should be 'auto', 'any', 'tool' or 'none'");
  }
  const keys = { auto: ['disable_parallel_tool_use'], any: ['disable_parallel_tool_use'], none: [] as string[] };
  issues.extraKeys(value, new Set(['type', ...(type === 'tool' ? ['name', ...keys.any] : keys[type])]), path);
  if (value.disable_parallel_tool_use !== undefined && typeof value.disable_parallel_tool_use !== 'boolean') {
    issues.add(join(path, 'disable_parallel_tool_use'), 'Input should be a valid boolean');
  }
  if ((type === 'any' || type === 'tool') && toolNames.length === 0) {
    return issues.add(path, 'tool_choice may only be specified while providing tools');
  }
  if (type === 'tool' && typeof value.name !== 'string') issues.add(join(path, 'name'), 'Field required');
  else if (type === 'tool' && !toolNames.includes(value.name as string)) {
    issues.add(join(path, 'name'), `Tool '${String(value.name)}' not found in provided tools`);
  }
}

function checkMessages(value: unknown, path: string, issues: Issues): void {
  if (value === undefined) return issues.add(path, 'Field required');
  if (!Array.isArray(value)) return issues.add(path, 'Input should be a valid list');
  if (value.length === 0) return issues.add(path, 'at least one message is required');
  // Consecutive turns of one role are allowed: the API merges them into one turn.
  value.forEach((message, i) => checkMessage(message, `${path}.${i}`, i === value.length - 1, issues));
  checkToolPairing(value, path, issues);
}

function checkMessage(message: unknown, path: string, isLast: boolean, issues: Issues): void {
  if (!isRecord(message)) return issues.add(path, 'Input should be a valid dictionary');
  issues.extraKeys(message, new Set(['role', 'content']), path);
  const role = message.role;
  if (role !== 'user' && role !== 'assistant') {
    return issues.add(join(path, 'role'), "Input should be 'user' or 'assistant'");
  }
  const content = message.content;
  const empty = content === '' || (Array.isArray(content) && content.length === 0);
  if (empty && !(isLast && role === 'assistant')) {
    return issues.add(path, 'all messages must have non-empty content except for the optional final assistant message');
  }
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) return issues.add(join(path, 'content'), 'Input should be a valid string or list');
  content.forEach((block, j) => checkBlock(block, `${path}.content.${j}`, role, issues));
}

function checkBlock(block: unknown, path: string, role: 'user' | 'assistant', issues: Issues): void {
  if (!isRecord(block)) return issues.add(path, 'Input should be a valid dictionary');
  const type = typeof block.type === 'string' ? block.type : '';
  if (!USER_BLOCKS.has(type) && !ASSISTANT_BLOCKS.has(type)) {
    return issues.add(join(path, 'type'), `Input tag '${type}' found using 'type' does not match any expected tag`);
  }
  const allowedHere = role === 'user' ? USER_BLOCKS : ASSISTANT_BLOCKS;
  if (!allowedHere.has(type)) return issues.add(path, `${type} blocks are not allowed in ${role} messages`);
  if (type === 'text') checkTextBlock(block, path, issues);
  if (type === 'tool_use') checkToolUseBlock(block, path, issues);
  if (type === 'tool_result') checkToolResultBlock(block, path, issues);
}

function checkToolUseBlock(block: JsonObject, path: string, issues: Issues): void {
  issues.extraKeys(block, new Set(['type', 'id', 'name', 'input', 'cache_control', 'caller', 'toolset_name']), path);
  if (typeof block.id !== 'string') issues.add(join(path, 'id'), 'Field required');
  if (typeof block.name !== 'string') issues.add(join(path, 'name'), 'Field required');
  if (!isRecord(block.input)) issues.add(join(path, 'input'), 'Input should be a valid dictionary');
}

function checkToolResultBlock(block: JsonObject, path: string, issues: Issues): void {
  const keys = ['type', 'tool_use_id', 'content', 'is_error', 'cache_control', 'toolset_name'];
  issues.extraKeys(block, new Set(keys), path);
  if (typeof block.tool_use_id !== 'string') issues.add(join(path, 'tool_use_id'), 'Field required');
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean') {
    issues.add(join(path, 'is_error'), 'Input should be a valid boolean');
  }
  const content = block.content;
  if (content === undefined || typeof content === 'string') return;
  if (!Array.isArray(content)) return issues.add(join(path, 'content'), 'Input should be a valid string or list');
  content.forEach((inner, k) => {
    const innerPath = `${path}.content.${k}`;
    if (isRecord(inner) && inner.type === 'text') checkTextBlock(inner, innerPath, issues);
    else if (typeof asRecord(inner).type !== 'string') issues.add(innerPath, 'Input should be a content block');
  });
}

/** Each tool_use must be answered in the very next message, and each tool_result must answer the message before. */
function checkToolPairing(messages: unknown[], path: string, issues: Issues): void {
  messages.forEach((message, i) => {
    const { role, uses, results } = toolIds(message);
    if (role === 'assistant' && uses.length > 0 && i < messages.length - 1) {
      const answered = toolIds(messages[i + 1]).results;
      const missing = uses.filter((id) => !answered.includes(id));
      if (missing.length > 0) {
        issues.add(
          `${path}.${i + 1}`,
          `tool_use ids were found without tool_result blocks immediately after: ${missing.join(', ')}. ` +
            'Each tool_use block must have a corresponding tool_result block in the next message.',
        );
      }
    }
    if (role === 'user' && results.length > 0) {
      const asked = i > 0 ? toolIds(messages[i - 1]).uses : [];
      const unexpected = results.filter((id) => !asked.includes(id));
      if (unexpected.length > 0) {
        issues.add(
          `${path}.${i}`,
          `unexpected tool_use_id found in tool_result blocks: ${unexpected.join(', ')}. ` +
            'Each tool_result block must have a corresponding tool_use block in the previous message.',
        );
      }
    }
  });
}

function toolIds(message: unknown): { role: unknown; uses: string[]; results: string[] } {
  const record = asRecord(message);
  const blocks = Array.isArray(record.content) ? record.content.map(asRecord) : [];
  const ids = (type: string, key: string) =>
    blocks
      .filter((block) => block.type === type)
      .map((block) => block[key])
      .filter((id): id is string => typeof id === 'string');
  return { role: record.role, uses: ids('tool_use', 'id'), results: ids('tool_result', 'tool_use_id') };
}

function checkOutputConfig(value: unknown, path: string, issues: Issues): void {
  if (value === undefined) return;
  if (!isRecord(value)) return issues.add(path, 'Input should be a valid dictionary');
  issues.extraKeys(value, new Set(['effort', 'format']), path);
  const efforts = [null, undefined, 'low', 'medium', 'high', 'xhigh', 'max'];
  if (!efforts.includes(value.effort as string)) {
    issues.add(join(path, 'effort'), "Input should be 'low', 'medium', 'high', 'xhigh' or 'max'");
  }
  const format = value.format;
  if (format === undefined || format === null) return;
  const formatPath = join(path, 'format');
  if (!isRecord(format)) return issues.add(formatPath, 'Input should be a valid dictionary');
  issues.extraKeys(format, new Set(['type', 'schema']), formatPath);
  if (format.type !== 'json_schema') issues.add(join(formatPath, 'type'), "Input should be 'json_schema'");
  if (!isRecord(format.schema)) return issues.add(join(formatPath, 'schema'), 'Field required');
  checkStrictSchema(format.schema, join(formatPath, 'schema'), issues);
}

/**
 * Structured outputs and strict tools compile the schema into a grammar: every object must say
 * `additionalProperties: false` (the SDK's schema helpers add it for this reason).
 */
function checkStrictSchema(schema: unknown, path: string, issues: Issues): void {
  if (!isRecord(schema)) return;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if ((types.includes('object') || isRecord(schema.properties)) && schema.additionalProperties !== false) {
    issues.add(path, "For 'object' type, 'additionalProperties' must be explicitly set to false");
  }
  const named = (group: string) =>
    Object.entries(asRecord(schema[group])).map(([key, child]): [string, unknown] => [`${group}.${key}`, child]);
  const children: [string, unknown][] = [
    ...named('properties'),
    ...named('$defs'),
    ['items', schema.items],
    ...['anyOf', 'allOf', 'oneOf'].flatMap((combiner) =>
      asArray(schema[combiner]).map((variant, i): [string, unknown] => [`${combiner}.${i}`, variant]),
    ),
  ];
  for (const [at, child] of children) checkStrictSchema(child, `${path}.${at}`, issues);
}

function checkThinking(value: unknown, maxTokens: unknown, path: string, issues: Issues): void {
  if (value === undefined) return;
  if (!isRecord(value)) return issues.add(path, 'Input should be a valid dictionary');
  if (!['enabled', 'disabled', 'adaptive', 'between_tools'].includes(value.type as string)) {
    return issues.add(join(path, 'type'), "Input tag found using 'type' does not match any of the expected tags");
  }
  if (value.type !== 'enabled') return;
  const budget = value.budget_tokens;
  if (!Number.isInteger(budget) || (budget as number) < 1024) {
    issues.add(join(path, 'budget_tokens'), 'Input should be greater than or equal to 1024');
  } else if (typeof maxTokens === 'number' && maxTokens <= (budget as number)) {
    issues.add('max_tokens', 'must be greater than thinking.budget_tokens');
  }
}

function checkSmallFields(body: JsonObject, path: string, issues: Issues): void {
  const { stop_sequences: stops, metadata, stream, service_tier: tier, speed, inference_geo: geo } = body;
  if (stops !== undefined && !(Array.isArray(stops) && stops.every((stop) => typeof stop === 'string'))) {
    issues.add(join(path, 'stop_sequences'), 'Input should be a valid list of strings');
  }
  if (metadata !== undefined) {
    if (!isRecord(metadata)) issues.add(join(path, 'metadata'), 'Input should be a valid dictionary');
    else issues.extraKeys(metadata, new Set(['user_id']), join(path, 'metadata'));
  }
  if (stream !== undefined && typeof stream !== 'boolean') {
    issues.add(join(path, 'stream'), 'Input should be a valid boolean');
  }
  if (![undefined, 'auto', 'standard_only'].includes(tier as string)) {
    issues.add(join(path, 'service_tier'), "Input should be 'auto' or 'standard_only'");
  }
  if (![undefined, null, 'standard', 'fast'].includes(speed as string)) {
    issues.add(join(path, 'speed'), "Input should be 'standard' or 'fast'");
  }
  if (geo !== undefined && geo !== null && typeof geo !== 'string') {
    issues.add(join(path, 'inference_geo'), 'Input should be a valid string');
  }
}

/** Each cache_control well formed; at most 4 in all; no 1-hour breakpoint after a 5-minute one. */
function checkCacheControls(body: JsonObject, path: string, issues: Issues): void {
  const found = cacheControls(body, path);
  for (const { value, at } of found) {
    if (!isRecord(value)) {
      issues.add(at, 'Input should be a valid dictionary');
      continue;
    }
    issues.extraKeys(value, new Set(['type', 'ttl']), at);
    if (value.type !== 'ephemeral') issues.add(join(at, 'type'), "Input should be 'ephemeral'");
    if (![undefined, '5m', '1h'].includes(value.ttl as string)) {
      issues.add(join(at, 'ttl'), "Input should be '5m' or '1h'");
    }
  }
  if (found.length > MAX_CACHE_BREAKPOINTS) {
    const limit = `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided.`;
    issues.add('', `${limit} Found ${found.length}.`);
  }
  const ttls = found.map(({ value }) => (asRecord(value).ttl === '1h' ? '1h' : '5m'));
  if (ttls.some((ttl, i) => ttl === '1h' && ttls.slice(0, i).includes('5m'))) {
    issues.add('', "a ttl='1h' cache_control block must not come after a ttl='5m' one (tools, system, messages)");
  }
}

/** Every cache_control set, in prompt order (tools, system, messages); the top-level one marks the last block. */
function cacheControls(body: JsonObject, path: string): { value: unknown; at: string }[] {
  const found: { value: unknown; at: string }[] = [];
  const note = (value: unknown, at: string) => {
    if (value !== undefined && value !== null) found.push({ value, at: join(at, 'cache_control') });
  };
  const visit = (block: unknown, at: string) => {
    const record = asRecord(block);
    note(record.cache_control, at);
    if (record.type !== 'tool_result') return;
    asArray(record.content).forEach((inner, k) => visit(inner, `${at}.content.${k}`));
  };
  asArray(body.tools).forEach((tool, i) => visit(tool, join(path, `tools.${i}`)));
  asArray(body.system).forEach((block, i) => visit(block, join(path, `system.${i}`)));
  asArray(body.messages).forEach((message, i) =>
    asArray(asRecord(message).content).forEach((block, j) => visit(block, join(path, `messages.${i}.content.${j}`))),
  );
  note(body.cache_control, path);
  return found;
}

function checkBatch(body: unknown, version: string): string[] {
  const issues = new Issues();
  if (!isRecord(body)) {
    issues.add('', 'Input should be a valid dictionary');
    return issues.list;
  }
  issues.extraKeys(body, new Set(['requests']), '');
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    issues.add('requests', 'Input should be a non-empty list');
    return issues.list;
  }
  if (requests.length > 100_000) issues.add('requests', 'A Message Batch may hold at most 100,000 requests');
  const seen = new Set<string>();
  requests.forEach((request, i) => {
    const path = `requests.${i}`;
    if (!isRecord(request)) return issues.add(path, 'Input should be a valid dictionary');
    issues.extraKeys(request, new Set(['custom_id', 'params']), path);
    const id = request.custom_id;
    if (typeof id !== 'string') issues.add(`${path}.custom_id`, 'Field required');
    else if (!CUSTOM_ID.test(id)) issues.add(`${path}.custom_id`, `String should match pattern '${CUSTOM_ID.source}'`);
    else if (seen.has(id)) {
      issues.add(`${path}.custom_id`, `custom_id must be unique within a batch; ${id} is repeated`);
    }
    if (typeof id === 'string') seen.add(id);
    for (const issue of checkParams(request.params, 'create', version, `${path}.params`)) issues.list.push(issue);
    if (asRecord(request.params).stream === true) {
      issues.add(`${path}.params.stream`, 'batch requests cannot be streamed');
    }
  });
  return issues.list;
}

// ---- token estimates and the prompt cache ----

const CHARS_PER_TOKEN = 4;
const FIVE_MINUTES = 5 * 60 * 1000;
const ONE_HOUR = 60 * 60 * 1000;

function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** A piece of the prompt, in the order the API reads it: tools, system, messages. */
interface Segment {
  text: string;
  tokens: number;
  /** Set when a cache breakpoint ends at this piece. */
  ttl: '5m' | '1h' | null;
}

/** The prompt's pieces and its whole size in tokens (an output format's schema counts, but is never cached). */
function estimatePrompt(body: JsonObject): { segments: Segment[]; total: number } {
  const segments: Segment[] = [];
  const push = (value: unknown, cacheControl: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    segments.push({ text, tokens: estimateTokens(text), ttl: ttlOf(cacheControl) });
  };
  const withoutCacheControl = (block: unknown) => ({ ...asRecord(block), cache_control: undefined });
  const blockCacheControl = (block: unknown) => {
    const record = asRecord(block);
    return record.cache_control ?? asArray(record.content).map((inner) => asRecord(inner).cache_control).find(Boolean);
  };
  for (const tool of asArray(body.tools)) push(withoutCacheControl(tool), asRecord(tool).cache_control);
  if (typeof body.system === 'string') push(body.system, null);
  for (const block of asArray(body.system)) push(withoutCacheControl(block), asRecord(block).cache_control);
  for (const message of asArray(body.messages)) {
    const { role, content } = asRecord(message);
    if (typeof content === 'string') push(`${String(role)}: ${content}`, null);
    for (const block of asArray(content)) push({ role, ...withoutCacheControl(block) }, blockCacheControl(block));
  }
  // The top-level cache_control puts a breakpoint on the last block.
  const last = segments[segments.length - 1];
  if (last && last.ttl === null && body.cache_control) last.ttl = ttlOf(body.cache_control);
  const format = asRecord(body.output_config).format;
  const extra = format ? estimateTokens(JSON.stringify(format)) : 0;
  return { segments, total: segments.reduce((sum, segment) => sum + segment.tokens, 0) + extra };
}

function ttlOf(cacheControl: unknown): '5m' | '1h' | null {
  if (!isRecord(cacheControl)) return null;
  return cacheControl.ttl === '1h' ? '1h' : '5m';
}

/** Prefixes that end at a breakpoint, keyed by model and content, each alive until its TTL runs out. */
class PromptCache {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly minimumTokens: number,
    private readonly now: () => number,
  ) {}

  account(model: string, segments: Segment[]): { read: number; written5m: number; written1h: number } {
    const now = this.now();
    const breakpoints = this.breakpoints(model, segments);
    const hit = [...breakpoints].reverse().find((breakpoint) => (this.expiries.get(breakpoint.key) ?? 0) > now);
    const read = hit?.tokens ?? 0;
    let covered = read;
    let written5m = 0;
    let written1h = 0;
    for (const breakpoint of breakpoints) {
      if (breakpoint.tokens < read) continue;
      const fresh = breakpoint.tokens - covered;
      if (breakpoint.ttl === '1h') written1h += fresh;
      else written5m += fresh;
      covered = breakpoint.tokens;
      // A write creates the entry; a read refreshes it.
      this.expiries.set(breakpoint.key, now + (breakpoint.ttl === '1h' ? ONE_HOUR : FIVE_MINUTES));
    }
    return { read, written5m, written1h };
  }

  /** Breakpoints whose prefix is long enough to be cached, with the hash of everything up to them. */
  private breakpoints(model: string, segments: Segment[]): { key: string; tokens: number; ttl: '5m' | '1h' }[] {
    const found: { key: string; tokens: number; ttl: '5m' | '1h' }[] = [];
    let key = sha256(`model:${model}`);
    let tokens = 0;
    for (const segment of segments) {
      key = sha256(`${key}\u0000${segment.text}`);
      tokens += segment.tokens;
      if (segment.ttl && tokens >= this.minimumTokens) found.push({ key, tokens, ttl: segment.ttl });
    }
    return found;
  }
}

// ---- small helpers ----

/** Ids shaped like the API's (`msg_01` and 22 base58 characters), stable from run to run. */
class IdMaker {
  private count = 0;

  make(prefix: string): string {
    const digest = createHash('sha256').update(`${prefix}${++this.count}`).digest();
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    const tail = [...digest.subarray(0, 22)].map((byte) => alphabet[byte % alphabet.length]).join('');
    return `${prefix}01${tail}`;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
