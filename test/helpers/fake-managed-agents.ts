/**
 * A stateful fake of Anthropic's Managed Agents endpoints, served on 127.0.0.1 so tests drive it with the real SDK
 * (`new Anthropic({ apiKey, baseURL: fake.url })`, then `client.beta.memoryStores`, `.memories`, `.memoryVersions`,
 * `client.beta.sessions`, `.events`, `client.beta.dreams`):
 *
 * - memory stores: create, retrieve, update, list, archive, delete;
 * - memories: create, retrieve, update (content, rename, `content_sha256` precondition), list (`path_prefix`,
 *   `depth`, `view`), delete (`expected_content_sha256`), with the API's path rules, its 100 kB limit and its path
 *   conflicts (`memory_path_conflict_error` with `conflicting_path` and `conflicting_memory_id`);
 * - memory versions: list (filters) and retrieve, one per change, each with its actor and operation;
 * - sessions: list and retrieve, and their events (list); sessions are seeded by the test (`addSession`);
 * - dreams: create, retrieve, list, cancel, archive, with a lifecycle pending → running → completed | failed |
 *   canceled that advances as the dream is retrieved, and a `dreamer` the test gives that turns the input store
 *   (and the sessions) into the output store.
 *
 * Every request is checked as the API checks it (authentication, `anthropic-version`, the beta header each endpoint
 * requires, unknown body keys and query parameters, value ranges). What the API refuses is refused the same way, in
 * the API's error shape, and recorded in `violations`, so a test can assert that the code under test speaks the API
 * and not merely the fake. Responses are typed with the SDK's own types.
 *
 * Test hooks act as someone other than the API caller: `write` and `remove` change a store as an agent in a
 * session does through `/mnt/memory/` (a `session_actor` version), or as any actor given.
 *
 * What the fake decides where the API's documentation is silent (a test should not rely on more):
 * - lists of memories are sorted by path; lists of versions, stores and sessions newest first (sessions take
 *   `order`); events oldest first unless `order=desc`; dreams newest first, as documented;
 * - a page holds 20 items unless `limit` says otherwise (1 to 100; `view=full` caps it at 20); the cursor is opaque;
 * - timestamps are strictly increasing (one millisecond at least between two), so `created_at` orders versions;
 * - a 409 (precondition, path conflict, a store held by another dream) carries `x-should-retry: false`: retrying
 *   it cannot succeed, and the SDK would otherwise retry every 409 twice.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  BetaDream,
  BetaDreamErrorObject,
  BetaDreamStatus,
  BetaOutputBehavior,
  BetaTargetStoreHeldErrorObject,
} from '@anthropic-ai/sdk/resources/beta/dreams';
import type {
  BetaManagedAgentsDeletedMemory,
  BetaManagedAgentsErrorObject,
  BetaManagedAgentsMemory,
  BetaManagedAgentsMemoryListItem,
  BetaManagedAgentsMemoryPathConflictErrorObject,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
import type {
  BetaManagedAgentsActor,
  BetaManagedAgentsMemoryVersion,
  BetaManagedAgentsMemoryVersionOperation,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import type {
  BetaManagedAgentsDeletedMemoryStore,
  BetaManagedAgentsMemoryStore,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
import type { BetaManagedAgentsSessionEvent } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { INVALID_JSON, parseJson, readBody } from './http-body.js';

// ---- public API ----

export const MEMORY_BETAS = ['agent-memory-2026-07-22', 'managed-agents-2026-04-01'] as const;
export const SESSIONS_BETA = 'managed-agents-2026-04-01';
export const DREAMS_BETA = 'dreaming-2026-04-21';
/** The largest memory the API stores: 100 kB of UTF-8. */
export const MAX_MEMORY_BYTES = 102_400;

export interface RecordedRequest {
  method: string;
  /** Path and query string, as requested. */
  path: string;
  status: number;
  /** anthropic-beta values, split on commas. */
  betas: string[];
  /** The parsed JSON body; undefined when there was none, the raw text when it was not JSON. */
  body: unknown;
}

/** A memory as the fake keeps it. */
export interface FakeMemory {
  id: string;
  storeId: string;
  path: string;
  content: string;
  createdAt: string;
  updatedAt: string;
  versionId: string;
}

export interface FakeStore {
  store: BetaManagedAgentsMemoryStore;
  /** Live memories by id. */
  memories: Map<string, FakeMemory>;
  /** Every version ever written, oldest first. */
  versions: BetaManagedAgentsMemoryVersion[];
}

/** An event to seed, as the SDK types it, without the id and time the API gives it (the fake fills them). */
export type SeedEvent = DistributiveOmit<BetaManagedAgentsSessionEvent, 'id' | 'processed_at'> & {
  id?: string;
  processed_at?: string;
};

export interface SeedSession {
  id?: string;
  title?: string | null;
  agentName?: string;
  model?: string;
  status?: BetaManagedAgentsSession['status'];
  /** Memory stores attached to the session (`resources[]`). */
  memoryStoreIds?: string[];
  createdAt?: string;
  events?: SeedEvent[];
}

export interface FakeSession {
  session: BetaManagedAgentsSession;
  events: BetaManagedAgentsSessionEvent[];
}

/** What a dream reads: the input store's memories by path, the sessions it was given, and its instructions. */
export interface DreamInput {
  dream: BetaDream;
  memories: ReadonlyMap<string, string>;
  sessions: FakeSession[];
  instructions: string | null;
}

/**
 * What a dream produces: the whole output store (path → content), or a failure; a failed dream may still have
 * written part of its output.
 */
export type DreamOutcome =
  | { memories: Record<string, string> | ReadonlyMap<string, string> }
  | { error: BetaDreamErrorObject; memories?: Record<string, string> | ReadonlyMap<string, string> };

export type Dreamer = (input: DreamInput) => DreamOutcome | Promise<DreamOutcome>;

export interface FakeDream {
  dream: BetaDream;
  /** Retrievals answered `pending` so far, and `running`. */
  pendingPolls: number;
  runningPolls: number;
}

export interface FailureReply {
  status: number;
  type?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeManagedAgentsOptions {
  apiKey: string;
  /** The clock timestamps are read from; Date.now by default. The fake keeps them strictly increasing. */
  now?: () => number;
  /** Turns a dream's input into its output store; by default the output is the input unchanged. */
  dreamer?: Dreamer;
  /** Retrievals a new dream answers `pending` before it runs; 0 by default. */
  dreamPendingPolls?: number;
  /** Retrievals a dream answers `running` before it ends; 1 by default. */
  dreamRunningPolls?: number;
}

export interface FakeManagedAgents {
  url: string;
  requests: RecordedRequest[];
  violations: string[];
  stores: Map<string, FakeStore>;
  sessions: Map<string, FakeSession>;
  dreams: Map<string, FakeDream>;
  /** The actor of every request made with the API key. */
  apiActor: BetaManagedAgentsActor;

  // ---- test hooks: the world outside the code under test ----
  /** A store made outside the code under test (as the API caller). */
  createStore(name: string, memories?: Record<string, string>): BetaManagedAgentsMemoryStore;
  /** Creates or changes the memory at `path`, as `actor` (an agent in a new session by default). */
  write(storeId: string, path: string, content: string, actor?: BetaManagedAgentsActor): FakeMemory;
  /** Moves a memory to another path, as `actor`. */
  rename(storeId: string, from: string, to: string, actor?: BetaManagedAgentsActor): FakeMemory;
  /** Deletes the memory at `path`, as `actor`. */
  remove(storeId: string, path: string, actor?: BetaManagedAgentsActor): void;
  /** The store's live memories, path → content. */
  contents(storeId: string): Map<string, string>;
  /** A session with its events, as an agent run would have left it. */
  addSession(seed?: SeedSession): BetaManagedAgentsSession;
  /** A `session_actor` for a new session id, for `write` and friends. */
  sessionActor(sessionId?: string): BetaManagedAgentsActor;
  dreamWith(dreamer: Dreamer): void;
  /** Runs a pending or running dream to its end now, whatever the polls left. */
  finishDream(id: string): Promise<BetaDream>;
  /** The next `count` authenticated requests, whatever they are, get `reply` instead of being served. */
  failNext(count: number, reply: FailureReply): void;
  /** Whether any request body or path contained `text`. */
  bodiesContain(text: string): boolean;
  close(): Promise<void>;
}

export async function startFakeManagedAgents(options: FakeManagedAgentsOptions): Promise<FakeManagedAgents> {
  const fake = new FakeManagedAgentsServer(options);
  await fake.listen();
  return fake;
}

/** Event seeds shaped as the SDK types them. */
export const event = {
  user: (text: string): SeedEvent => ({ type: 'user.message', content: [{ type: 'text', text }] }),
  agent: (text: string): SeedEvent => ({ type: 'agent.message', content: [{ type: 'text', text }] }),
  toolUse: (id: string, name: string, input: Record<string, unknown>): SeedEvent => ({
    type: 'agent.tool_use',
    id,
    name,
    input,
  }),
  toolResult: (toolUseId: string, text: string, isError = false): SeedEvent => ({
    type: 'agent.tool_result',
    tool_use_id: toolUseId,
    content: [{ type: 'text', text }],
    is_error: isError,
  }),
  idle: (): SeedEvent => ({ type: 'session.status_idle', stop_reason: { type: 'end_turn' }, stop_details: null }),
  error: (message: string): SeedEvent => ({
    type: 'session.error',
    error: { type: 'unknown_error', message, retry_status: { type: 'terminal' } },
  }),
};

// ---- the server ----

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type JsonObject = Record<string, unknown>;

const KNOWN_VERSIONS = new Set(['2023-01-01', '2023-06-01', '2026-10-21']);
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_PATH_BYTES = 1024;
const MAX_SEGMENTS = 20;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const FULL_VIEW_LIMIT = 20;
const MAX_SESSIONS_PER_DREAM = 100;
const MAX_INSTRUCTIONS = 4096;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Call {
  method: string;
  url: URL;
  query: URLSearchParams;
  body: unknown;
}

type Handler = (call: Call) => Reply | Promise<Reply>;

class FakeManagedAgentsServer implements FakeManagedAgents {
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly stores = new Map<string, FakeStore>();
  readonly sessions = new Map<string, FakeSession>();
  readonly dreams = new Map<string, FakeDream>();
  readonly apiActor: BetaManagedAgentsActor;

  private readonly apiKey: string;
  private readonly clock: () => number;
  private lastTime = 0;
  private dreamer: Dreamer;
  private readonly pendingPolls: number;
  private readonly runningPolls: number;
  private readonly ids = new IdMaker();
  private readonly faults: FailureReply[] = [];
  private readonly rawBodies: string[] = [];
  private readonly server = http.createServer((request, response) => void this.serve(request, response));

  constructor(options: FakeManagedAgentsOptions) {
    this.apiKey = options.apiKey;
    this.clock = options.now ?? Date.now;
    this.dreamer = options.dreamer ?? ((input) => ({ memories: input.memories }));
    this.pendingPolls = options.dreamPendingPolls ?? 0;
    this.runningPolls = options.dreamRunningPolls ?? 1;
    this.apiActor = { type: 'api_actor', api_key_id: this.ids.make('apikey_') };
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test hooks ----

  createStore(name: string, memories: Record<string, string> = {}): BetaManagedAgentsMemoryStore {
    const store = this.newStore({ name });
    for (const [path, content] of Object.entries(memories)) this.write(store.id, path, content, this.apiActor);
    return store;
  }

  write(storeId: string, path: string, content: string, actor = this.sessionActor()): FakeMemory {
    const store = this.mustStore(storeId);
    const existing = memoryAt(store, path);
    if (existing) {
      this.change(store, existing, { content }, actor);
      return existing;
    }
    return this.createMemory(store, path, content, actor);
  }

  rename(storeId: string, from: string, to: string, actor = this.sessionActor()): FakeMemory {
    const store = this.mustStore(storeId);
    const memory = memoryAt(store, from);
    if (!memory) throw new Error(`fake: no memory at ${from} in ${storeId}`);
    this.change(store, memory, { path: to }, actor);
    return memory;
  }

  remove(storeId: string, path: string, actor = this.sessionActor()): void {
    const store = this.mustStore(storeId);
    const memory = memoryAt(store, path);
    if (!memory) throw new Error(`fake: no memory at ${path} in ${storeId}`);
    this.deleteMemory(store, memory, actor);
  }

  contents(storeId: string): Map<string, string> {
    const store = this.mustStore(storeId);
    return new Map([...store.memories.values()].sort(byPath).map((memory) => [memory.path, memory.content]));
  }

  sessionActor(sessionId = this.ids.make('sesn_')): BetaManagedAgentsActor {
    return { type: 'session_actor', session_id: sessionId };
  }

  addSession(seed: SeedSession = {}): BetaManagedAgentsSession {
    const createdAt = seed.createdAt ?? this.timestamp();
    const id = seed.id ?? this.ids.make('sesn_');
    const session: BetaManagedAgentsSession = {
      id,
      type: 'session',
      agent: {
        id: this.ids.make('agent_'),
        type: 'agent',
        name: seed.agentName ?? 'agent',
        description: null,
        execution_identity: { type: 'service_account' },
        mcp_servers: [],
        model: { id: seed.model ?? 'claude-sonnet-4-6' },
        multiagent: null,
        skills: [],
        system: null,
        tools: [],
        version: 1,
      },
      archived_at: null,
      budget: null,
      created_at: createdAt,
      updated_at: createdAt,
      environment_id: this.ids.make('env_'),
      metadata: {},
      outcome_evaluations: [],
      resources: (seed.memoryStoreIds ?? []).map((storeId) => ({
        type: 'memory_store',
        memory_store_id: storeId,
        access: 'read_write',
      })),
      stats: {},
      status: seed.status ?? 'idle',
      title: seed.title ?? null,
      usage: {},
      vault_ids: [],
    };
    const events = (seed.events ?? []).map(
      (seedEvent) =>
        ({
          ...seedEvent,
          id: seedEvent.id ?? this.ids.make('sevt_'),
          processed_at: seedEvent.processed_at ?? this.timestamp(),
        }) as BetaManagedAgentsSessionEvent,
    );
    this.sessions.set(id, { session, events });
    return session;
  }

  dreamWith(dreamer: Dreamer): void {
    this.dreamer = dreamer;
  }

  async finishDream(id: string): Promise<BetaDream> {
    const fake = this.dreams.get(id);
    if (!fake) throw new Error(`fake: no dream ${id}`);
    if (fake.dream.status === 'pending') this.startDream(fake);
    if (fake.dream.status === 'running') await this.endDream(fake);
    return fake.dream;
  }

  failNext(count: number, reply: FailureReply): void {
    for (let i = 0; i < count; i++) this.faults.push(reply);
  }

  bodiesContain(text: string): boolean {
    const escaped = JSON.stringify(text).slice(1, -1);
    const haystacks = [...this.rawBodies, ...this.requests.map((request) => decodeURIComponent(request.path))];
    return haystacks.some((raw) => raw.includes(text) || raw.includes(escaped));
  }

  // ---- HTTP plumbing ----

  private async serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', this.url);
    const record: RecordedRequest = {
      method,
      path: url.pathname + url.search,
      status: 0,
      betas: (header(request.headers, 'anthropic-beta') ?? '')
        .split(',')
        .map((beta) => beta.trim())
        .filter(Boolean),
      body: undefined,
    };
    this.requests.push(record);
    let reply: Reply;
    try {
      const raw = await readBody(request, MAX_BODY_BYTES);
      this.rawBodies.push(raw);
      const body = parseJson(raw);
      record.body = body === INVALID_JSON ? raw : body;
      reply = await this.replyTo({ method, url, query: url.searchParams, body }, request.headers, record.betas);
    } catch (error) {
      this.violations.push(`${method} ${url.pathname}: the fake failed: ${(error as Error).message}`);
      reply = apiError(500, 'api_error', 'Internal server error');
    }
    record.status = reply.status;
    this.send(response, reply);
  }

  private async replyTo(call: Call, headers: http.IncomingHttpHeaders, betas: string[]): Promise<Reply> {
    const refusal = this.checkAuthentication(call, headers) ?? this.checkVersion(call, headers);
    if (refusal) return refusal;
    const fault = this.faults.shift();
    if (fault) return scriptedFailure(fault);
    if (call.body === INVALID_JSON) {
      this.violate(call, 'the body is not JSON');
      return apiError(400, 'invalid_request_error', 'There was an issue with the format of the request body');
    }
    const route = this.route(call.method, call.url.pathname);
    if (!route) {
      this.violate(call, 'no such endpoint (or the fake does not serve it)');
      return apiError(404, 'not_found_error', 'Not found');
    }
    const betaRefusal = this.checkBeta(call, betas, route.betas);
    if (betaRefusal) return betaRefusal;
    const queryRefusal = this.refuse(call, unknownQuery(call.query, route.query));
    if (queryRefusal) return queryRefusal;
    return route.handle(call);
  }

  private route(method: string, path: string): { handle: Handler; betas: readonly string[]; query: string[] } | undefined {
    const parts = path.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'v1') return undefined;
    const [, resource, id, sub, subId, action] = parts;
    const key = `${method} ${[resource, id && ':id', sub, subId && ':id', action].filter(Boolean).join('/')}`;
    const memory = MEMORY_BETAS;
    const routes: Record<string, { handle: Handler; betas: readonly string[]; query: string[] }> = {
      'POST memory_stores': { handle: (c) => this.storeCreate(c), betas: memory, query: [] },
      'GET memory_stores': {
        handle: (c) => this.storeList(c),
        betas: memory,
        query: ['limit', 'page', 'include_archived', 'created_at[gte]', 'created_at[lte]'],
      },
      'GET memory_stores/:id': { handle: (c) => this.storeRetrieve(c, id!), betas: memory, query: [] },
      'POST memory_stores/:id': { handle: (c) => this.storeUpdate(c, id!), betas: memory, query: [] },
      'DELETE memory_stores/:id': { handle: (c) => this.storeDelete(c, id!), betas: memory, query: [] },
      'POST memory_stores/:id/archive': { handle: (c) => this.storeArchive(c, id!), betas: memory, query: [] },
      'POST memory_stores/:id/memories': { handle: (c) => this.memoryCreate(c, id!), betas: memory, query: ['view'] },
      'GET memory_stores/:id/memories': {
        handle: (c) => this.memoryList(c, id!),
        betas: memory,
        query: ['limit', 'page', 'path_prefix', 'depth', 'view'],
      },
      'GET memory_stores/:id/memories/:id': {
        handle: (c) => this.memoryRetrieve(c, id!, subId!),
        betas: memory,
        query: ['view'],
      },
      'POST memory_stores/:id/memories/:id': {
        handle: (c) => this.memoryUpdate(c, id!, subId!),
        betas: memory,
        query: ['view'],
      },
      'DELETE memory_stores/:id/memories/:id': {
        handle: (c) => this.memoryDelete(c, id!, subId!),
        betas: memory,
        query: ['expected_content_sha256'],
      },
      'GET memory_stores/:id/memory_versions': {
        handle: (c) => this.versionList(c, id!),
        betas: memory,
        query: [
          'limit',
          'page',
          'view',
          'memory_id',
          'operation',
          'session_id',
          'api_key_id',
          'service_account_id',
          'created_at[gte]',
          'created_at[lte]',
        ],
      },
      'GET memory_stores/:id/memory_versions/:id': {
        handle: (c) => this.versionRetrieve(c, id!, subId!),
        betas: memory,
        query: ['view'],
      },
      'GET sessions': {
        handle: (c) => this.sessionList(c),
        betas: [SESSIONS_BETA],
        query: [
          'limit',
          'page',
          'order',
          'include_archived',
          'memory_store_id',
          'statuses[]',
          'agent_id',
          'agent_version',
          'deployment_id',
          'created_at[gt]',
          'created_at[gte]',
          'created_at[lt]',
          'created_at[lte]',
        ],
      },
      'GET sessions/:id': { handle: (c) => this.sessionRetrieve(c, id!), betas: [SESSIONS_BETA], query: [] },
      'GET sessions/:id/events': {
        handle: (c) => this.eventList(c, id!),
        betas: [SESSIONS_BETA],
        query: ['limit', 'page', 'order', 'types[]', 'created_at[gt]', 'created_at[gte]', 'created_at[lt]', 'created_at[lte]'],
      },
      'POST dreams': { handle: (c) => this.dreamCreate(c), betas: [DREAMS_BETA], query: [] },
      'GET dreams': {
        handle: (c) => this.dreamList(c),
        betas: [DREAMS_BETA],
        query: ['limit', 'page', 'include_archived', 'statuses[]', 'created_at[gt]', 'created_at[lt]'],
      },
      'GET dreams/:id': { handle: (c) => this.dreamRetrieve(c, id!), betas: [DREAMS_BETA], query: [] },
      'POST dreams/:id/cancel': { handle: (c) => this.dreamCancel(c, id!), betas: [DREAMS_BETA], query: [] },
      'POST dreams/:id/archive': { handle: (c) => this.dreamArchive(c, id!), betas: [DREAMS_BETA], query: [] },
    };
    return routes[key];
  }

  private checkAuthentication(call: Call, headers: http.IncomingHttpHeaders): Reply | undefined {
    const xApiKey = header(headers, 'x-api-key');
    const bearer = /^Bearer\s+(\S+)$/i.exec(header(headers, 'authorization') ?? '')?.[1];
    const presented = xApiKey ?? bearer;
    if (presented === undefined) {
      this.violate(call, 'no x-api-key header and no Authorization: Bearer');
      return apiError(401, 'authentication_error', 'x-api-key header is required');
    }
    if (presented !== this.apiKey) return apiError(401, 'authentication_error', 'invalid x-api-key');
    return undefined;
  }

  private checkVersion(call: Call, headers: http.IncomingHttpHeaders): Reply | undefined {
    const version = header(headers, 'anthropic-version');
    if (version === undefined || !KNOWN_VERSIONS.has(version)) {
      this.violate(call, `anthropic-version ${version ?? 'missing'}`);
      return apiError(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    return undefined;
  }

  private checkBeta(call: Call, sent: string[], accepted: readonly string[]): Reply | undefined {
    if (accepted.some((beta) => sent.includes(beta))) return undefined;
    const message = `This endpoint is in beta: requests must send ${accepted.map((b) => `\`${b}\``).join(' or ')} in the anthropic-beta header`;
    this.violate(call, message);
    return apiError(400, 'invalid_request_error', message);
  }

  private send(response: http.ServerResponse, reply: Reply): void {
    const requestId = this.ids.make('req_');
    const unnamed = isRecord(reply.body) && reply.body.type === 'error' && reply.body.request_id === null;
    const body = unnamed ? { ...asRecord(reply.body), request_id: requestId } : reply.body;
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'request-id': requestId,
      ...reply.headers,
    });
    response.end(text);
  }

  private violate(call: Call, message: string): void {
    this.violations.push(`${call.method} ${call.url.pathname}: ${message}`);
  }

  /** Refuses with the first issue, as the API does, and records them all. */
  private refuse(call: Call, issues: string[]): Reply | undefined {
    if (issues.length === 0) return undefined;
    for (const issue of issues) this.violate(call, issue);
    return apiError(400, 'invalid_request_error', issues[0] ?? 'invalid request');
  }

  private notFound(call: Call, what: string): Reply {
    this.violate(call, `no ${what}`);
    return apiError(404, 'not_found_error', `${what} not found`);
  }

  /** Strictly increasing, so that `created_at` orders what the fake writes. */
  private timestamp(): string {
    this.lastTime = Math.max(this.clock(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  private mustStore(storeId: string): FakeStore {
    const store = this.stores.get(storeId);
    if (!store) throw new Error(`fake: no memory store ${storeId}`);
    return store;
  }

  // ---- memory stores ----

  private newStore(params: { name: string; description?: string; metadata?: Record<string, string> }) {
    const now = this.timestamp();
    const store: BetaManagedAgentsMemoryStore = {
      id: this.ids.make('memstore_'),
      type: 'memory_store',
      name: params.name,
      description: params.description ?? '',
      metadata: params.metadata ?? {},
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    this.stores.set(store.id, { store, memories: new Map(), versions: [] });
    return store;
  }

  private storeCreate(call: Call): Reply {
    const body = asRecord(call.body);
    const issues = new Issues();
    issues.object(call.body, '');
    issues.extraKeys(body, ['name', 'description', 'metadata'], '');
    checkStoreFields(body, true, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const store = this.newStore({
      name: body.name as string,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      ...(isRecord(body.metadata) ? { metadata: body.metadata as Record<string, string> } : {}),
    });
    return ok(store);
  }

  private storeRetrieve(call: Call, id: string): Reply {
    const store = this.stores.get(id);
    return store ? ok(store.store) : this.notFound(call, `memory store ${id}`);
  }

  private storeUpdate(call: Call, id: string): Reply {
    const fake = this.stores.get(id);
    if (!fake) return this.notFound(call, `memory store ${id}`);
    const body = asRecord(call.body);
    const issues = new Issues();
    issues.object(call.body, '');
    issues.extraKeys(body, ['name', 'description', 'metadata'], '');
    checkStoreFields(body, false, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    if (fake.store.archived_at !== null) return this.archivedStore(call, id);
    const store = fake.store;
    if (typeof body.name === 'string') store.name = body.name;
    if (typeof body.description === 'string') store.description = body.description;
    for (const [key, value] of Object.entries(asRecord(body.metadata))) {
      if (value === null) delete store.metadata[key];
      else store.metadata[key] = String(value);
    }
    store.updated_at = this.timestamp();
    return ok(store);
  }

  private storeList(call: Call): Reply {
    const includeArchived = call.query.get('include_archived') === 'true';
    const gte = call.query.get('created_at[gte]');
    const lte = call.query.get('created_at[lte]');
    const stores = [...this.stores.values()]
      .map((fake) => fake.store)
      .filter((store) => includeArchived || store.archived_at === null)
      .filter((store) => (gte === null || store.created_at >= gte) && (lte === null || store.created_at <= lte))
      .reverse();
    return this.page(call, stores, MAX_LIMIT);
  }

  private storeArchive(call: Call, id: string): Reply {
    const fake = this.stores.get(id);
    if (!fake) return this.notFound(call, `memory store ${id}`);
    if (fake.store.archived_at === null) {
      fake.store.archived_at = this.timestamp();
      fake.store.updated_at = fake.store.archived_at;
    }
    return ok(fake.store);
  }

  private storeDelete(call: Call, id: string): Reply {
    if (!this.stores.delete(id)) return this.notFound(call, `memory store ${id}`);
    return ok({ id, type: 'memory_store_deleted' } satisfies BetaManagedAgentsDeletedMemoryStore);
  }

  private archivedStore(call: Call, id: string): Reply {
    this.violate(call, `memory store ${id} is archived`);
    return apiError(400, 'invalid_request_error', `Memory store ${id} is archived and can't be changed.`);
  }

  // ---- memories ----

  private storeFor(call: Call, storeId: string): FakeStore | Reply {
    return this.stores.get(storeId) ?? this.notFound(call, `memory store ${storeId}`);
  }

  private memoryCreate(call: Call, storeId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const body = asRecord(call.body);
    const issues = new Issues();
    issues.object(call.body, '');
    issues.extraKeys(body, ['content', 'path'], '');
    if (!('content' in body)) issues.add('content', 'Field required');
    else if (body.content !== null && typeof body.content !== 'string') issues.add('content', 'Input should be a valid string');
    else checkContent(body.content ?? '', 'content', issues);
    if (!('path' in body)) issues.add('path', 'Field required');
    else checkPath(body.path, 'path', issues);
    checkView(call.query, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    if (store.store.archived_at !== null) return this.archivedStore(call, storeId);
    const path = body.path as string;
    const conflict = pathConflict(store, path, undefined);
    if (conflict) return this.pathConflict(conflict);
    const memory = this.createMemory(store, path, (body.content as string | null) ?? '', this.apiActor);
    return ok(memoryJson(memory, viewOf(call.query, 'basic')));
  }

  private memoryRetrieve(call: Call, storeId: string, memoryId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const issues = new Issues();
    checkView(call.query, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const memory = store.memories.get(memoryId);
    if (!memory) return this.notFound(call, `memory ${memoryId}`);
    return ok(memoryJson(memory, viewOf(call.query, 'full')));
  }

  private memoryUpdate(call: Call, storeId: string, memoryId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const body = asRecord(call.body);
    const issues = new Issues();
    issues.object(call.body, '');
    issues.extraKeys(body, ['content', 'path', 'precondition'], '');
    if (body.content !== undefined && body.content !== null) {
      if (typeof body.content !== 'string') issues.add('content', 'Input should be a valid string');
      else checkContent(body.content, 'content', issues);
    }
    if (body.path !== undefined && body.path !== null) checkPath(body.path, 'path', issues);
    if (body.precondition !== undefined) checkPrecondition(body.precondition, 'precondition', issues);
    checkView(call.query, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    if (store.store.archived_at !== null) return this.archivedStore(call, storeId);
    const memory = store.memories.get(memoryId);
    if (!memory) return this.notFound(call, `memory ${memoryId}`);
    const content = typeof body.content === 'string' ? body.content : memory.content;
    const path = typeof body.path === 'string' ? body.path : memory.path;
    const expected = asRecord(body.precondition).content_sha256;
    // The API lets a write through that would change nothing, even when its precondition is stale.
    const alreadyThere = content === memory.content && path === memory.path;
    if (typeof expected === 'string' && expected !== sha256(memory.content) && !alreadyThere) {
      return conflict409({
        type: 'memory_precondition_failed_error',
        message: `The memory's content_sha256 does not match the precondition.`,
      });
    }
    if (path !== memory.path) {
      const conflict = pathConflict(store, path, memory.id);
      if (conflict) return this.pathConflict(conflict);
    }
    this.change(store, memory, { content, path }, this.apiActor);
    return ok(memoryJson(memory, viewOf(call.query, 'basic')));
  }

  private memoryList(call: Call, storeId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const issues = new Issues();
    const prefix = call.query.get('path_prefix');
    if (prefix !== null) {
      if (!prefix.startsWith('/') || !prefix.endsWith('/')) issues.add('path_prefix', 'must start and end with "/"');
    }
    const depthText = call.query.get('depth');
    const depth = depthText === null ? 0 : Number(depthText);
    if (!Number.isInteger(depth) || depth < 0) issues.add('depth', 'Input should be a non-negative integer');
    checkView(call.query, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const view = viewOf(call.query, 'basic');
    const base = prefix ?? '/';
    const items: BetaManagedAgentsMemoryListItem[] = [];
    const seenPrefixes = new Set<string>();
    for (const memory of [...store.memories.values()].sort(byPath)) {
      if (!memory.path.startsWith(base)) continue;
      const rest = memory.path.slice(base.length).split('/');
      if (depth > 0 && rest.length > depth) {
        const rolled = base + rest.slice(0, depth).join('/') + '/';
        if (!seenPrefixes.has(rolled)) items.push({ type: 'memory_prefix', path: rolled });
        seenPrefixes.add(rolled);
        continue;
      }
      items.push(memoryJson(memory, view));
    }
    return this.page(call, items, view === 'full' ? FULL_VIEW_LIMIT : MAX_LIMIT);
  }

  private memoryDelete(call: Call, storeId: string, memoryId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const expected = call.query.get('expected_content_sha256');
    const issues = new Issues();
    if (expected !== null && !/^[0-9a-f]{64}$/.test(expected)) {
      issues.add('expected_content_sha256', 'must be 64 lowercase hexadecimal characters');
    }
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const memory = store.memories.get(memoryId);
    if (!memory) return this.notFound(call, `memory ${memoryId}`);
    if (expected !== null && expected !== sha256(memory.content)) {
      return conflict409({
        type: 'memory_precondition_failed_error',
        message: `The memory's content_sha256 does not match expected_content_sha256.`,
      });
    }
    this.deleteMemory(store, memory, this.apiActor);
    return ok({ id: memory.id, type: 'memory_deleted' } satisfies BetaManagedAgentsDeletedMemory);
  }

  /** A conflict is the API working as documented, not a violation of it. */
  private pathConflict(conflict: FakeMemory): Reply {
    const error: BetaManagedAgentsMemoryPathConflictErrorObject = {
      type: 'memory_path_conflict_error',
      message: `The path conflicts with the memory at ${conflict.path}.`,
      conflicting_path: conflict.path,
      conflicting_memory_id: conflict.id,
    };
    return conflict409(error);
  }

  private createMemory(store: FakeStore, path: string, content: string, actor: BetaManagedAgentsActor): FakeMemory {
    const now = this.timestamp();
    const memory: FakeMemory = {
      id: this.ids.make('mem_'),
      storeId: store.store.id,
      path,
      content,
      createdAt: now,
      updatedAt: now,
      versionId: '',
    };
    store.memories.set(memory.id, memory);
    this.addVersion(store, memory, 'created', actor, now);
    return memory;
  }

  /** A change that changes nothing adds no version, as the API documents. */
  private change(
    store: FakeStore,
    memory: FakeMemory,
    next: { content?: string; path?: string },
    actor: BetaManagedAgentsActor,
  ): void {
    const content = next.content ?? memory.content;
    const path = next.path ?? memory.path;
    if (content === memory.content && path === memory.path) return;
    memory.content = content;
    memory.path = path;
    memory.updatedAt = this.timestamp();
    this.addVersion(store, memory, 'modified', actor, memory.updatedAt);
  }

  private deleteMemory(store: FakeStore, memory: FakeMemory, actor: BetaManagedAgentsActor): void {
    store.memories.delete(memory.id);
    this.addVersion(store, memory, 'deleted', actor, this.timestamp());
  }

  private addVersion(
    store: FakeStore,
    memory: FakeMemory,
    operation: BetaManagedAgentsMemoryVersionOperation,
    actor: BetaManagedAgentsActor,
    at: string,
  ): void {
    const deleted = operation === 'deleted';
    const version: BetaManagedAgentsMemoryVersion = {
      id: this.ids.make('memver_'),
      type: 'memory_version',
      memory_id: memory.id,
      memory_store_id: store.store.id,
      operation,
      created_at: at,
      created_by: actor,
      path: memory.path,
      content: deleted ? null : memory.content,
      content_sha256: deleted ? null : sha256(memory.content),
      content_size_bytes: deleted ? null : Buffer.byteLength(memory.content),
      redacted_at: null,
    };
    store.versions.push(version);
    if (!deleted) memory.versionId = version.id;
  }

  // ---- memory versions ----

  private versionList(call: Call, storeId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const issues = new Issues();
    checkView(call.query, issues);
    const operation = call.query.get('operation');
    if (operation !== null && !['created', 'modified', 'deleted'].includes(operation)) {
      issues.add('operation', "Input should be 'created', 'modified' or 'deleted'");
    }
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const q = (name: string) => call.query.get(name);
    const view = viewOf(call.query, 'basic');
    const versions = store.versions
      .filter((v) => q('memory_id') === null || v.memory_id === q('memory_id'))
      .filter((v) => operation === null || v.operation === operation)
      .filter((v) => q('session_id') === null || actorId(v.created_by, 'session_actor') === q('session_id'))
      .filter((v) => q('api_key_id') === null || actorId(v.created_by, 'api_actor') === q('api_key_id'))
      .filter(
        (v) =>
          q('service_account_id') === null || actorId(v.created_by, 'service_account_actor') === q('service_account_id'),
      )
      .filter((v) => q('created_at[gte]') === null || v.created_at >= q('created_at[gte]')!)
      .filter((v) => q('created_at[lte]') === null || v.created_at <= q('created_at[lte]')!)
      .reverse()
      .map((v) => versionJson(v, view));
    return this.page(call, versions, view === 'full' ? FULL_VIEW_LIMIT : MAX_LIMIT);
  }

  private versionRetrieve(call: Call, storeId: string, versionId: string): Reply {
    const store = this.storeFor(call, storeId);
    if (!('store' in store)) return store;
    const issues = new Issues();
    checkView(call.query, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const version = store.versions.find((v) => v.id === versionId);
    if (!version) return this.notFound(call, `memory version ${versionId}`);
    return ok(versionJson(version, viewOf(call.query, 'full')));
  }

  // ---- sessions ----

  private sessionList(call: Call): Reply {
    const issues = new Issues();
    const order = call.query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') issues.add('order', "Input should be 'asc' or 'desc'");
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const includeArchived = call.query.get('include_archived') === 'true';
    const storeId = call.query.get('memory_store_id');
    const statuses = call.query.getAll('statuses[]');
    const sessions = [...this.sessions.values()]
      .map((fake) => fake.session)
      .filter((s) => includeArchived || s.archived_at === null)
      .filter((s) => storeId === null || s.resources.some((r) => r.type === 'memory_store' && r.memory_store_id === storeId))
      .filter((s) => statuses.length === 0 || statuses.includes(s.status))
      .filter((s) => inTimeRange(s.created_at, call.query))
      .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
    if (order === 'desc') sessions.reverse();
    return this.page(call, sessions, MAX_LIMIT, true);
  }

  private sessionRetrieve(call: Call, id: string): Reply {
    const fake = this.sessions.get(id);
    return fake ? ok(fake.session) : this.notFound(call, `session ${id}`);
  }

  private eventList(call: Call, id: string): Reply {
    const fake = this.sessions.get(id);
    if (!fake) return this.notFound(call, `session ${id}`);
    const issues = new Issues();
    const order = call.query.get('order') ?? 'asc';
    if (order !== 'asc' && order !== 'desc') issues.add('order', "Input should be 'asc' or 'desc'");
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const types = call.query.getAll('types[]');
    const events = fake.events
      .filter((e) => types.length === 0 || types.includes(e.type))
      .filter((e) => inTimeRange(e.processed_at ?? '', call.query));
    if (order === 'desc') events.reverse();
    return this.page(call, events, MAX_LIMIT);
  }

  // ---- dreams ----

  private dreamCreate(call: Call): Reply {
    const body = asRecord(call.body);
    const issues = new Issues();
    issues.object(call.body, '');
    issues.extraKeys(body, ['inputs', 'model', 'instructions', 'output_behavior'], '');
    const inputs = checkDreamInputs(body.inputs, issues);
    checkDreamModel(body.model, issues);
    if (body.instructions !== undefined && body.instructions !== null) {
      if (typeof body.instructions !== 'string') issues.add('instructions', 'Input should be a valid string');
      else if (body.instructions.length < 1 || body.instructions.length > MAX_INSTRUCTIONS) {
        issues.add('instructions', `String should have between 1 and ${MAX_INSTRUCTIONS} characters`);
      }
    }
    const behavior = checkOutputBehavior(body.output_behavior, inputs.storeId, issues);
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const store = this.stores.get(inputs.storeId!);
    if (!store) return this.notFound(call, `memory store ${inputs.storeId}`);
    if (store.store.archived_at !== null) return this.archivedStore(call, store.store.id);
    const missing = inputs.sessionIds.find((id) => !this.sessions.has(id));
    if (missing) return this.notFound(call, `session ${missing}`);
    if (behavior.type === 'update_existing') {
      const holder = [...this.dreams.values()].find(
        (other) =>
          other.dream.output_behavior.type === 'update_existing' &&
          other.dream.output_behavior.memory_store_id === store.store.id &&
          (other.dream.status === 'pending' || other.dream.status === 'running'),
      );
      if (holder) {
        return conflict409({
          type: 'conflict_error',
          message: `Dream ${holder.dream.id} is still writing into memory store ${store.store.id}.`,
        });
      }
    }
    const model = body.model as string | { id: string; speed?: 'standard' | 'fast' | null };
    const dream: BetaDream = {
      id: this.ids.make('drm_'),
      type: 'dream',
      archived_at: null,
      created_at: this.timestamp(),
      ended_at: null,
      error: null,
      inputs: [
        { type: 'memory_store', memory_store_id: store.store.id },
        { type: 'sessions', session_ids: [...inputs.sessionIds].sort() },
      ],
      instructions: typeof body.instructions === 'string' ? body.instructions : null,
      model: typeof model === 'string' ? { id: model, speed: 'standard' } : { id: model.id, speed: 'standard' },
      output_behavior: behavior,
      outputs: [],
      session_id: null,
      status: 'pending',
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, input_tokens: 0, output_tokens: 0 },
    };
    this.dreams.set(dream.id, { dream, pendingPolls: 0, runningPolls: 0 });
    return ok(dream);
  }

  private async dreamRetrieve(call: Call, id: string): Promise<Reply> {
    const fake = this.dreams.get(id);
    if (!fake) return this.notFound(call, `dream ${id}`);
    await this.advance(fake);
    return ok(fake.dream);
  }

  private dreamList(call: Call): Reply {
    const issues = new Issues();
    const statuses = call.query.getAll('statuses[]');
    const known: BetaDreamStatus[] = ['pending', 'running', 'completed', 'failed', 'canceled'];
    for (const status of statuses) {
      if (!known.includes(status as BetaDreamStatus)) issues.add('statuses', `unknown status ${status}`);
    }
    const refusal = this.refuse(call, issues.list);
    if (refusal) return refusal;
    const includeArchived = call.query.get('include_archived') === 'true';
    const dreams = [...this.dreams.values()]
      .map((fake) => fake.dream)
      .filter((d) => includeArchived || d.archived_at === null)
      .filter((d) => statuses.length === 0 || statuses.includes(d.status))
      .filter((d) => inTimeRange(d.created_at, call.query))
      .reverse();
    return this.page(call, dreams, MAX_LIMIT);
  }

  private dreamCancel(call: Call, id: string): Reply {
    const fake = this.dreams.get(id);
    if (!fake) return this.notFound(call, `dream ${id}`);
    const dream = fake.dream;
    if (dream.status === 'completed' || dream.status === 'failed') {
      this.violate(call, `cancel of a ${dream.status} dream`);
      return apiError(400, 'invalid_request_error', `Dream ${id} is ${dream.status} and can't be canceled.`);
    }
    if (dream.status !== 'canceled') {
      dream.status = 'canceled';
      dream.ended_at = this.timestamp();
    }
    return ok(dream);
  }

  private dreamArchive(call: Call, id: string): Reply {
    const fake = this.dreams.get(id);
    if (!fake) return this.notFound(call, `dream ${id}`);
    const dream = fake.dream;
    if (dream.status === 'pending' || dream.status === 'running') {
      this.violate(call, `archive of a ${dream.status} dream`);
      return apiError(400, 'invalid_request_error', `Dream ${id} is ${dream.status}: cancel it before archiving it.`);
    }
    dream.archived_at ??= this.timestamp();
    return ok(dream);
  }

  /** One retrieval's worth of progress: pending → running → completed | failed. */
  private async advance(fake: FakeDream): Promise<void> {
    const dream = fake.dream;
    if (dream.status === 'pending') {
      if (fake.pendingPolls < this.pendingPolls) {
        fake.pendingPolls++;
        return;
      }
      this.startDream(fake);
    }
    if (dream.status === 'running') {
      if (fake.runningPolls < this.runningPolls) {
        fake.runningPolls++;
        return;
      }
      await this.endDream(fake);
    }
  }

  /** The dream's session starts and its output store exists: a copy of the input, unless it updates the input. */
  private startDream(fake: FakeDream): void {
    const dream = fake.dream;
    const inputStore = this.dreamStore(dream);
    const session = this.addSession({ title: `Dream ${dream.id}`, agentName: 'dreamer', status: 'running' });
    dream.session_id = session.id;
    dream.status = 'running';
    let outputId = inputStore.store.id;
    if (dream.output_behavior.type === 'create_new') {
      const output = this.newStore({ name: `${inputStore.store.name} (dream ${dream.id})` });
      const actor = this.sessionActor(session.id);
      for (const memory of [...inputStore.memories.values()].sort(byPath)) {
        this.createMemory(this.mustStore(output.id), memory.path, memory.content, actor);
      }
      outputId = output.id;
    }
    dream.outputs = [{ type: 'memory_store', memory_store_id: outputId }];
  }

  private async endDream(fake: FakeDream): Promise<void> {
    const dream = fake.dream;
    const inputStore = this.dreamStore(dream);
    const sessionIds = dream.inputs.flatMap((input) => (input.type === 'sessions' ? input.session_ids : []));
    const sessions = sessionIds.map((id) => this.sessions.get(id)).filter((s): s is FakeSession => s !== undefined);
    const memories = this.contents(inputStore.store.id);
    const outcome = await this.dreamer({ dream, memories, sessions, instructions: dream.instructions });
    // The dream may have been canceled while the dreamer ran.
    if (dream.status !== 'running') return;
    const output = this.mustStore(dream.outputs[0]!.memory_store_id);
    const written = outcome.memories ? this.writeOutput(output, outcome.memories, dream.session_id!) : 0;
    dream.usage = {
      input_tokens: Math.ceil((JSON.stringify([...memories]).length + JSON.stringify(sessions).length) / 4),
      output_tokens: Math.ceil(written / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    dream.status = 'error' in outcome ? 'failed' : 'completed';
    dream.error = 'error' in outcome ? outcome.error : null;
    dream.ended_at = this.timestamp();
    const session = this.sessions.get(dream.session_id!);
    if (session) session.session.status = 'terminated';
  }

  /** Makes the store hold exactly `wanted`, as the dream's session; returns the characters written. */
  private writeOutput(store: FakeStore, wanted: Record<string, string> | ReadonlyMap<string, string>, sessionId: string) {
    const target = wanted instanceof Map ? new Map(wanted) : new Map(Object.entries(wanted));
    const actor = this.sessionActor(sessionId);
    let written = 0;
    for (const memory of [...store.memories.values()]) {
      if (!target.has(memory.path)) this.deleteMemory(store, memory, actor);
    }
    for (const [path, content] of target) {
      const existing = memoryAt(store, path);
      if (existing?.content === content) continue;
      written += content.length;
      if (existing) this.change(store, existing, { content }, actor);
      else this.createMemory(store, path, content, actor);
    }
    return written;
  }

  private dreamStore(dream: BetaDream): FakeStore {
    const input = dream.inputs.find((i) => i.type === 'memory_store');
    return this.mustStore(input && input.type === 'memory_store' ? input.memory_store_id : '');
  }

  // ---- pagination ----

  /** A page of `items` from the opaque cursor in `page`, `limit` items (20 by default, at most `maxLimit`). */
  private page<T>(call: Call, items: T[], maxLimit: number, bidirectional = false): Reply {
    const limitText = call.query.get('limit');
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      return this.refuse(call, [`limit: Input should be between 1 and ${MAX_LIMIT}`])!;
    }
    const size = Math.min(limit, maxLimit);
    const cursor = call.query.get('page');
    const start = cursor === null ? 0 : decodeCursor(cursor);
    if (start === undefined) return this.refuse(call, ['page: invalid page cursor'])!;
    const data = items.slice(start, start + size);
    const next = start + size < items.length ? encodeCursor(start + size) : null;
    const body: JsonObject = { data, next_page: next };
    if (bidirectional) body.prev_page = start > 0 ? encodeCursor(Math.max(0, start - size)) : null;
    return ok(body);
  }
}

// ---- request validation ----

class Issues {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(path ? `${path}: ${message}` : message);
  }

  object(value: unknown, path: string): void {
    if (!isRecord(value)) this.add(path, 'Input should be a valid dictionary');
  }

  extraKeys(value: JsonObject, allowed: string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(path ? `${path}.${key}` : key, 'Extra inputs are not permitted');
    }
  }
}

function unknownQuery(query: URLSearchParams, allowed: string[]): string[] {
  return [...new Set(query.keys())]
    .filter((key) => !allowed.includes(key))
    .map((key) => `${key}: unknown query parameter`);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Control, format (Cf) characters, and the line and paragraph separators.
const FORBIDDEN_IN_PATH = /[\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/u;

function checkStoreFields(body: JsonObject, nameRequired: boolean, issues: Issues): void {
  if (body.name === undefined || body.name === null) {
    if (nameRequired) issues.add('name', 'Field required');
  } else if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 255) {
    issues.add('name', 'String should have between 1 and 255 characters');
  } else if (CONTROL.test(body.name)) {
    issues.add('name', 'must not contain control characters');
  }
  if (body.description !== undefined && body.description !== null) {
    if (typeof body.description !== 'string' || body.description.length > 1024) {
      issues.add('description', 'String should have at most 1024 characters');
    }
  }
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isRecord(body.metadata)) issues.add('metadata', 'Input should be a valid dictionary');
    else {
      const entries = Object.entries(body.metadata);
      if (entries.length > 16) issues.add('metadata', 'at most 16 key-value pairs');
      for (const [key, value] of entries) {
        if (key.length < 1 || key.length > 64) issues.add(`metadata.${key}`, 'keys are 1 to 64 characters long');
        if (value !== null && (typeof value !== 'string' || value.length > 512)) {
          issues.add(`metadata.${key}`, 'values are strings of at most 512 characters');
        }
      }
    }
  }
}

function checkContent(content: string, path: string, issues: Issues): void {
  const size = Buffer.byteLength(content);
  if (size > MAX_MEMORY_BYTES) {
    issues.add(path, `content is ${size} bytes; the maximum size is ${MAX_MEMORY_BYTES} bytes`);
  }
}

/** The API's path rules, from the SDK's documentation of `path`. */
export function pathIssues(path: unknown): string[] {
  if (typeof path !== 'string') return ['Input should be a valid string'];
  const issues: string[] = [];
  if (!path.startsWith('/')) issues.push('a path starts with "/"');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) issues.push(`a path is at most ${MAX_PATH_BYTES} bytes long`);
  if (path.normalize('NFC') !== path) issues.push('a path must be in Unicode Normalization Form C');
  if (FORBIDDEN_IN_PATH.test(path)) issues.push('a path cannot contain control or format characters');
  const segments = path.slice(1).split('/');
  if (segments.length < 1 || segments.length > MAX_SEGMENTS) issues.push(`a path has 1 to ${MAX_SEGMENTS} segments`);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    issues.push('a segment cannot be empty, "." or ".."');
  }
  return issues;
}

function checkPath(path: unknown, at: string, issues: Issues): void {
  for (const issue of pathIssues(path)) issues.add(at, issue);
}

function checkPrecondition(value: unknown, at: string, issues: Issues): void {
  if (!isRecord(value)) return issues.add(at, 'Input should be a valid dictionary');
  issues.extraKeys(value, ['type', 'content_sha256'], at);
  if (value.type !== 'content_sha256') issues.add(`${at}.type`, "Input should be 'content_sha256'");
  const hash = value.content_sha256;
  if (hash !== undefined && (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash))) {
    issues.add(`${at}.content_sha256`, 'must be 64 lowercase hexadecimal characters');
  }
}

function checkView(query: URLSearchParams, issues: Issues): void {
  const view = query.get('view');
  if (view !== null && view !== 'basic' && view !== 'full') issues.add('view', "Input should be 'basic' or 'full'");
}

function viewOf(query: URLSearchParams, fallback: 'basic' | 'full'): 'basic' | 'full' {
  const view = query.get('view');
  return view === 'basic' || view === 'full' ? view : fallback;
}

function checkDreamInputs(value: unknown, issues: Issues): { storeId?: string; sessionIds: string[] } {
  const found: { storeId?: string; sessionIds: string[] } = { sessionIds: [] };
  if (!Array.isArray(value)) {
    issues.add('inputs', 'Field required');
    return found;
  }
  const stores = value.filter((input) => asRecord(input).type === 'memory_store');
  const sessions = value.filter((input) => asRecord(input).type === 'sessions');
  if (stores.length !== 1 || sessions.length !== 1 || value.length !== 2) {
    issues.add('inputs', 'give exactly one memory_store entry and exactly one sessions entry');
  }
  value.forEach((input, index) => {
    const entry = asRecord(input);
    const at = `inputs.${index}`;
    if (entry.type === 'memory_store') {
      issues.extraKeys(entry, ['type', 'memory_store_id'], at);
      if (typeof entry.memory_store_id !== 'string') issues.add(`${at}.memory_store_id`, 'Field required');
      else found.storeId = entry.memory_store_id;
    } else if (entry.type === 'sessions') {
      issues.extraKeys(entry, ['type', 'session_ids'], at);
      const ids = entry.session_ids;
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
        issues.add(`${at}.session_ids`, 'Input should be a valid list of strings');
      } else {
        if (ids.length < 1 || ids.length > MAX_SESSIONS_PER_DREAM) {
          issues.add(`${at}.session_ids`, `give 1 to ${MAX_SESSIONS_PER_DREAM} session ids`);
        }
        if (new Set(ids).size !== ids.length) issues.add(`${at}.session_ids`, 'session ids must not repeat');
        found.sessionIds = ids as string[];
      }
    } else {
      issues.add(`${at}.type`, "Input should be 'memory_store' or 'sessions'");
    }
  });
  return found;
}

function checkDreamModel(value: unknown, issues: Issues): void {
  if (value === undefined) return issues.add('model', 'Field required');
  if (typeof value === 'string') {
    if (value.length < 1 || value.length > 256) issues.add('model', 'a model id is 1 to 256 characters long');
    return;
  }
  if (!isRecord(value)) return issues.add('model', 'Input should be a model id or an object');
  issues.extraKeys(value, ['id', 'speed'], 'model');
  if (typeof value.id !== 'string' || value.id.length < 1 || value.id.length > 256) {
    issues.add('model.id', 'a model id is 1 to 256 characters long');
  }
  if (value.speed !== undefined && value.speed !== null && value.speed !== 'standard') {
    issues.add('model.speed', 'Dreams accept only `standard`');
  }
}

function checkOutputBehavior(value: unknown, storeId: string | undefined, issues: Issues): BetaOutputBehavior {
  if (value === undefined) return { type: 'create_new' };
  const behavior = asRecord(value);
  if (behavior.type === 'create_new') {
    issues.extraKeys(behavior, ['type'], 'output_behavior');
    return { type: 'create_new' };
  }
  if (behavior.type === 'update_existing') {
    issues.extraKeys(behavior, ['type', 'memory_store_id'], 'output_behavior');
    if (behavior.memory_store_id !== storeId) {
      issues.add('output_behavior.memory_store_id', 'must be the memory store in the memory_store entry of inputs');
    }
    return { type: 'update_existing', memory_store_id: String(behavior.memory_store_id) };
  }
  issues.add('output_behavior.type', "Input should be 'create_new' or 'update_existing'");
  return { type: 'create_new' };
}

function inTimeRange(at: string, query: URLSearchParams): boolean {
  const bound = (name: string) => query.get(name);
  if (bound('created_at[gt]') !== null && !(at > bound('created_at[gt]')!)) return false;
  if (bound('created_at[gte]') !== null && !(at >= bound('created_at[gte]')!)) return false;
  if (bound('created_at[lt]') !== null && !(at < bound('created_at[lt]')!)) return false;
  if (bound('created_at[lte]') !== null && !(at <= bound('created_at[lte]')!)) return false;
  return true;
}

// ---- shapes ----

function memoryJson(memory: FakeMemory, view: 'basic' | 'full'): BetaManagedAgentsMemory {
  return {
    id: memory.id,
    type: 'memory',
    memory_store_id: memory.storeId,
    path: memory.path,
    content: view === 'full' ? memory.content : null,
    content_sha256: sha256(memory.content),
    content_size_bytes: Buffer.byteLength(memory.content),
    created_at: memory.createdAt,
    updated_at: memory.updatedAt,
    memory_version_id: memory.versionId,
  };
}

function versionJson(version: BetaManagedAgentsMemoryVersion, view: 'basic' | 'full'): BetaManagedAgentsMemoryVersion {
  return view === 'full' ? version : { ...version, content: null };
}

function memoryAt(store: FakeStore, path: string): FakeMemory | undefined {
  return [...store.memories.values()].find((memory) => memory.path === path);
}

/** The memory whose path equals `path` or is its ancestor or descendant; `self` (a rename's memory) aside. */
function pathConflict(store: FakeStore, path: string, self: string | undefined): FakeMemory | undefined {
  return [...store.memories.values()].find(
    (memory) =>
      memory.id !== self &&
      (memory.path === path || memory.path.startsWith(path + '/') || path.startsWith(memory.path + '/')),
  );
}

function actorId(actor: BetaManagedAgentsActor | undefined, type: BetaManagedAgentsActor['type']): string | undefined {
  if (!actor || actor.type !== type) return undefined;
  if (actor.type === 'session_actor') return actor.session_id;
  if (actor.type === 'api_actor') return actor.api_key_id;
  if (actor.type === 'service_account_actor') return actor.service_account_id;
  return actor.user_id;
}

function byPath(a: FakeMemory, b: FakeMemory): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function apiError(status: number, type: string, message: string, headers?: Record<string, string>): Reply {
  const body = { type: 'error', error: { type, message }, request_id: null };
  return { status, body, ...(headers ? { headers } : {}) };
}

/** A 409 in the API's error shape; retrying it cannot help, so it says so. */
function conflict409(error: BetaManagedAgentsErrorObject | BetaTargetStoreHeldErrorObject): Reply {
  return {
    status: 409,
    body: { type: 'error', error, request_id: null },
    headers: { 'x-should-retry': 'false' },
  };
}

const DEFAULT_FAILURES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function scriptedFailure(fault: FailureReply): Reply {
  const type = fault.type ?? DEFAULT_FAILURES[fault.status] ?? 'api_error';
  const headers = Object.fromEntries(Object.entries(fault.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (fault.status === 429 && headers['retry-after'] === undefined) headers['retry-after-ms'] = '1';
  const reply = apiError(fault.status, type, `scripted ${fault.status}`, headers);
  return fault.body === undefined ? reply : { ...reply, body: fault.body };
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/** Ids shaped like the API's (`memstore_01` and 22 base58 characters), stable from run to run. */
class IdMaker {
  private count = 0;

  make(prefix: string): string {
    const digest = createHash('sha256').update(`${prefix}${++this.count}`).digest();
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    const tail = [...digest.subarray(0, 22)].map((byte) => alphabet[byte % alphabet.length]).join('');
    return `${prefix}01${tail}`;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}
