/**
 * The managed engine: Anthropic's Dreams (Managed Agents) on the cycle's memory, reviewed as reverie reviews any
 * cycle.
 *
 *   send    the cycle's memory into a memory store, and that store with up to 100 sessions to the Dreams API;
 *   wait    for the dream, within `managed.wait_minutes`; a cycle stopped while it runs leaves its id behind, and
 *           the next cycle (here or on a fresh clone) resumes that dream rather than create another;
 *   split   the store the dream wrote against the memory it read, into adds, updates, merges and prunes (split.ts),
 *           each with the sessions that name what it changes as evidence;
 *   guard   every action through what every engine's actions go through (protected namespaces, the memory root,
 *           rejected before, do no harm, what a cycle may write, max_prune_ratio, curate.max_actions), one commit
 *           each, so that a reviewer keeps some of a dream and drops the rest.
 *
 * What the dream writes is data: it becomes memory only as actions that pass the guards. The key comes from
 * ANTHROPIC_API_KEY only and is never written anywhere.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedConfig } from '../../../config/types.js';
import { ModelApiError, UsageError } from '../../../errors.js';
import { buildSnapshot } from '../../../memory/index.js';
import type { MemorySnapshot } from '../../../memory/types.js';
import { redactText } from '../../../sessions/redact.js';
import type { Session } from '../../../sessions/types.js';
import { budgetNotices } from '../../curate/budget.js';
import { Workspace } from '../../curate/workspace.js';
import { sessionList } from '../../extract/spool.js';
import { INJECTION } from '../../extract/unsafe.js';
import { distinctIds, guardFor, memoryTokens } from '../../plan.js';
import type { Action, DreamState, DroppedAction, Engine, EngineRun, ObservedSession, Plan, PlanInput } from '../../types.js';
import { connect, type Connection } from '../claude/client.js';
import { costOf, roundDollars, usageOf } from '../claude/pricing.js';
import { clearPendingDream, readPendingDream, writePendingDream, type PendingDream } from './pending.js';
import { chooseSessions, MANAGED_SOURCE, processedKey, SESSION_ID, sessionTexts } from './sessions.js';
import { splitDream } from './split.js';
import { checkUploadable, createInputStore, memoryFilesOf, memoryHash, readStore, syncInputStore } from './store.js';

export interface DreamPolling {
  /** First wait between two looks at the dream; each next one is twice as long, up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  /** How long one cycle waits for its dream (`managed.wait_minutes`). */
  maxWaitMs?: number;
}

export interface ManagedEngineOptions {
  config: ManagedConfig;
  /** Where the pending dream's id is kept: the engine's folder of the git directory. */
  cacheDir: string;
  /** Keeps what `cacheDir` holds beyond this machine: called once a dream is created, before the cycle waits for it. */
  persist?: () => Promise<void>;
  /** From ANTHROPIC_API_KEY; never printed, never written. */
  apiKey?: string;
  /** A dry run sends nothing: what a dream would write is known only once it has run. */
  dryRun?: boolean;
  connection?: Partial<Omit<Connection, 'apiKey'>> & { dream?: DreamPolling };
}

const MAX_POLL_MS = 60_000;

export function createManagedEngine(options: ManagedEngineOptions): Engine {
  if (!options.dryRun && !options.apiKey) throw new UsageError('the managed engine needs an API key in ANTHROPIC_API_KEY: it sends the memory and sessions to the Dreams API');
  return {
    name: 'managed',
    observe: observeForDream,
    plan: (input) => (options.dryRun ? dryRunPlan(input, options) : dreamPlan(input, options)),
  };
}

/** A dream reads sessions by id, from the API: of a log, the cycle keeps only who and where. */
function observeForDream(session: Session): ObservedSession {
  const observed: ObservedSession = { id: session.id, agent: session.agent, source: session.source, hash: session.hash, mistakes: [], preferences: [], commands: [], userTerms: [], turnCount: session.turns.length };
  if (session.startedAt) observed.startedAt = session.startedAt;
  if (session.endedAt) observed.endedAt = session.endedAt;
  return observed;
}

async function dreamPlan(input: PlanInput, options: ManagedEngineOptions): Promise<Plan> {
  const { config, cacheDir } = options;
  const warnings: string[] = [];
  const client = clientFor(options);
  const files = memoryFilesOf(input.memory);
  try {
    let pending = await readPendingDream(cacheDir);
    // A dream whose sessions main records was taken in by an earlier cycle: its id is kept no longer.
    if (pending && pending.sessions.every((id) => Object.hasOwn(input.state.processed, processedKey(id)))) {
      await clearPendingDream(cacheDir);
      pending = undefined;
    }
    if (!pending) {
      const created = await createDream(client, input, options, files, warnings);
      if (!created) return emptyPlan(input, runOf(config, warnings));
      pending = created;
    } else {
      warnings.push(`resumed dream ${pending.id}, created ${pending.created} by an earlier cycle`);
    }

    const dream = await waitForDream(client, pending.id, polling(options));
    const run = runOf(config, warnings, dream, pending);
    if (dream.status === 'pending' || dream.status === 'running') {
      const minutes = config.waitMinutes;
      return emptyPlan(input, { ...run, stopped: `dream ${dream.id} is still ${dream.status} after ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} (managed.wait_minutes); nothing committed, the next cycle resumes it` });
    }
    const output = dream.outputs[0]?.memory_store_id;
    if (dream.status !== 'completed' || !output) {
      // Nothing of it is taken; its sessions are not recorded, so the next cycle sends them to a new dream.
      await clearPendingDream(cacheDir);
      const why = dream.error ? `: ${dream.error.type}: ${dream.error.message}` : dream.status === 'completed' ? ' without an output store' : '';
      const what = `dream ${dream.id} ${dream.status === 'canceled' ? 'was canceled' : dream.status === 'failed' ? 'failed' : 'ended'}${why}; nothing committed, its sessions go to a new dream next cycle`;
      return emptyPlan(input, dream.status === 'canceled' ? { ...run, stopped: what } : { ...run, failed: what });
    }
    return await planFromDream(input, { client, dream, pending, output, files, run });
  } catch (error) {
    if (error instanceof APIError || error instanceof APIConnectionError) throw managedApiError(error);
    throw error;
  }
}

/** The sessions chosen, the store filled, the dream created and its id kept before anything waits; none when there is nothing to send. */
async function createDream(client: Anthropic, input: PlanInput, options: ManagedEngineOptions, files: Map<string, string>, warnings: string[]): Promise<PendingDream | undefined> {
  const { config } = options;
  const read = sessionList(input.sessions);
  const logs = read.filter((s) => SESSION_ID.test(s.id));
  const unsent = read.length - logs.length;
  if (unsent > 0) warnings.push(`${unsent} session ${unsent === 1 ? 'log under sessions: names' : 'logs under sessions: name'} no Managed Agents session: a dream reads sessions by id from the API, so ${unsent === 1 ? 'it is' : 'they are'} not sent, and left unprocessed for another engine`);
  const chosen = await chooseSessions(client, config.sessions, input.state, logs.map((s) => s.id));
  if (chosen.ids.length === 0) {
    warnings.push('no Managed Agents session that an earlier cycle has not sent: no dream created');
    return undefined;
  }
  if (chosen.waiting > 0) warnings.push(`${chosen.waiting} more ${chosen.waiting === 1 ? 'session waits' : 'sessions wait'} for the next cycle: one dream reads at most ${config.sessions.maxPerDream} (managed.sessions.max_per_dream)`);
  checkUploadable(files);
  const root = input.memory.root;
  let store: string;
  if (config.store.id) {
    await syncInputStore(client, config.store.id, root, files);
    store = config.store.id;
  } else {
    store = await createInputStore(client, `${config.store.name} ${input.cycle}`, root, files);
  }
  const dream = await client.beta.dreams.create({
    inputs: [
      { type: 'memory_store', memory_store_id: store },
      { type: 'sessions', session_ids: chosen.ids },
    ],
    model: config.model,
    ...(config.instructions ? { instructions: config.instructions } : {}),
  });
  const sent = new Set(chosen.ids);
  const pending: PendingDream = {
    id: dream.id,
    store,
    memory: memoryHash(files),
    sessions: chosen.ids,
    logs: Object.fromEntries(logs.filter((s) => sent.has(s.id)).map((s) => [s.hash, { id: s.id, source: s.source }])),
    created: input.options.now,
  };
  // Written before anything else can fail: from here on the dream is paid for and must be found again.
  await writePendingDream(options.cacheDir, pending);
  try {
    await options.persist?.();
  } catch (error) {
    warnings.push(`dream ${dream.id} could not be kept beyond this machine: ${error instanceof Error ? error.message : String(error)}`);
  }
  return pending;
}

/** Looks at the dream until it has ended or the wait runs out, waiting longer each time. */
async function waitForDream(client: Anthropic, id: string, { pollMs, maxPollMs, maxWaitMs }: Required<DreamPolling>): Promise<Anthropic.Beta.BetaDream> {
  const started = Date.now();
  let wait = pollMs;
  for (;;) {
    const dream = await client.beta.dreams.retrieve(id);
    if (dream.status !== 'pending' && dream.status !== 'running') return dream;
    if (Date.now() - started + wait > maxWaitMs) return dream;
    await sleep(wait);
    wait = Math.min(wait * 2, maxPollMs);
  }
}

interface Dreamt {
  client: Anthropic;
  dream: Anthropic.Beta.BetaDream;
  pending: PendingDream;
  output: string;
  files: Map<string, string>;
  run: EngineRun;
}

/** The dream's output store, split into actions against the memory it read, each through the guards. */
async function planFromDream(input: PlanInput, { client, dream, pending, output, files, run }: Dreamt): Promise<Plan> {
  const root = input.memory.root;
  const { files: written, refused: outside } = await readStore(client, output, root);
  for (const path of outside) run.warnings.push(`the dream wrote ${path}, a path outside the memory root: left out`);
  // The memory moved on since the dream was created (a resumed dream): it is split against what it read.
  const read = pending.memory === memoryHash(files) ? input.memory : await snapshotOfStore(client, pending.store, input.memory);
  const sessions = await sessionTexts(client, pending.sessions, (message) => run.warnings.push(message));
  const split = splitDream(read, written, { dream: dream.id, sessions });
  run.warnings.push(...split.moved, ...split.ignored.map((path) => `the dream wrote ${path}, which is not a Markdown file: left out`));
  const workspace = new Workspace(input.memory, guardFor(input.memory, input.state), {
    ...(input.options.maxRemovedShare !== undefined ? { maxRemovedShare: input.options.maxRemovedShare } : {}),
    ...(input.options.maxActions !== undefined ? { maxActions: input.options.maxActions } : {}),
    holdBudgets: true,
  });
  const taken: Action[] = [];
  const refused: DroppedAction[] = [];
  for (const action of split.actions) {
    const reason = contentRefusal(action);
    // Shown to the reviewer and in logs: the refused text is shown redacted.
    if (reason) refused.push({ action: { ...action, summary: redactText(action.summary), content: redactText(action.content ?? '') }, reason });
    else if (workspace.propose(action)) taken.push(action);
  }
  const actions = distinctIds(taken);
  return {
    cycle: input.cycle,
    engine: 'managed',
    actions,
    patterns: [],
    noise: [],
    dropped: [...refused, ...workspace.dropped],
    notices: budgetNotices(workspace.snapshot),
    stats: stats(input, workspace.snapshot),
    state: recordSent(input.state, pending, input.cycle, dream.session_id),
    run,
  };
}

/**
 * What a dream writes is the model's text, read from sessions that are untrusted input: as with the claude engine's
 * proposals, a note that holds what looks like a secret, or that speaks to an AI, is no memory note.
 */
function contentRefusal(action: Action): string | undefined {
  if (action.content === undefined) return undefined;
  if (INJECTION.test(action.content)) return `the dream's text reads as an instruction to an AI, not a note about the project`;
  if (redactText(action.content) !== action.content) return `the dream's text holds what looks like a secret`;
  return undefined;
}

async function snapshotOfStore(client: Anthropic, store: string, memory: MemorySnapshot): Promise<MemorySnapshot> {
  const { files } = await readStore(client, store, memory.root);
  return buildSnapshot([...files].map(([path, text]) => ({ path, text })), memory.root, memory.namespaces);
}

/**
 * The sessions the dream read, recorded as processed: by the API's id, and by the content hash of a log that named one.
 * The session the dream itself ran in too: it is no agent's work to learn from.
 */
function recordSent(state: DreamState, pending: PendingDream, cycle: string, dreamSession: string | null): DreamState {
  const processed = { ...state.processed };
  for (const id of [...pending.sessions, ...(dreamSession ? [dreamSession] : [])]) processed[processedKey(id)] = { id, source: MANAGED_SOURCE, cycle };
  for (const [hash, log] of Object.entries(pending.logs)) processed[hash] = { ...log, cycle };
  return { processed, patterns: state.patterns, rejected: state.rejected };
}

function runOf(config: ManagedConfig, warnings: string[], dream?: Anthropic.Beta.BetaDream, pending?: PendingDream): EngineRun {
  const usage = usageOf(dream?.usage ?? { input_tokens: 0, output_tokens: 0 });
  const cost = costOf(usage, config.model);
  const { input, output, cacheWrite, cacheRead } = usage;
  const run: EngineRun = { model: config.model, usage: { input, output, cacheWrite, cacheRead }, costUsd: cost === null ? null : roundDollars(cost), requests: dream ? 1 : 0, cachedSessions: 0, warnings };
  if (dream && pending) {
    const outputStore = dream.outputs[0]?.memory_store_id;
    run.dream = { id: dream.id, status: dream.status, sessions: pending.sessions.length, inputStore: pending.store, ...(outputStore ? { outputStore } : {}) };
  }
  return run;
}

/** A dry run: nothing is sent, since a dream's output exists only once it has run and been paid for. */
function dryRunPlan(input: PlanInput, options: ManagedEngineOptions): Promise<Plan> {
  const warnings = [`a dry run of the managed engine sends nothing: a dream's changes are known only once it has run; \`reverie dream\` in review mode shows them as actions without changing main`];
  return Promise.resolve(emptyPlan(input, runOf(options.config, warnings)));
}

function emptyPlan(input: PlanInput, run: EngineRun): Plan {
  return { cycle: input.cycle, engine: 'managed', actions: [], patterns: [], noise: [], dropped: [], notices: [], stats: stats(input, input.memory), state: input.state, run };
}

function stats(input: PlanInput, after: MemorySnapshot): Plan['stats'] {
  return {
    sessions: input.totalSessions,
    new_sessions: input.sessions.length,
    patterns: 0,
    noise: 0,
    entries: input.memory.files.reduce((n, f) => n + f.entries.length, 0),
    entries_after: after.files.reduce((n, f) => n + f.entries.length, 0),
    tokens_before: memoryTokens(input.memory),
    tokens_after: memoryTokens(after),
  };
}

function clientFor(options: ManagedEngineOptions): Anthropic {
  const baseURL = options.connection?.baseURL ?? options.config.baseUrl;
  const { dream: _dream, ...transport } = options.connection ?? {};
  return connect({ ...transport, apiKey: options.apiKey ?? '', ...(baseURL ? { baseURL } : {}) });
}

function polling(options: ManagedEngineOptions): Required<DreamPolling> {
  const given = options.connection?.dream ?? {};
  return {
    pollMs: given.pollMs ?? options.config.pollSeconds * 1000,
    maxPollMs: given.maxPollMs ?? MAX_POLL_MS,
    maxWaitMs: given.maxWaitMs ?? options.config.waitMinutes * 60_000,
  };
}

/** The API's own words and status; never the key, which no SDK error carries. */
function managedApiError(error: APIError | APIConnectionError): ModelApiError {
  if (error instanceof APIConnectionError) return new ModelApiError(`could not reach the Managed Agents API (${error.message}); nothing committed`);
  const body = error.error as { error?: { type?: string; message?: string } } | undefined;
  const type = body?.error?.type;
  return new ModelApiError(`the Managed Agents API answered ${error.status ?? 'an error'}${type ? ` ${type}` : ''}: ${body?.error?.message ?? error.message}; nothing committed`, error.status);
}
