/**
 * The claude engine: the three phases on the Messages API.
 *
 *   map     (per session, in parallel or as one Message Batch) what each session teaches, as checked observations;
 *   reduce  (local, deterministic) observations clustered into patterns with their support, across cycles;
 *   curate  (one request, against memory) the steps memory needs, checked and turned into the same actions the
 *           offline engine makes, through the same guards.
 *
 * The stable prefix of each phase (instructions, memory) is cached, so every session's request pays for it once.
 * Session text is data: it is fenced, redacted once more before it leaves, and nothing the model says about it
 * becomes an action unless it names real entries and passes the guards. What it costs is metered, kept within the
 * budget, and reported with the plan.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ClaudeConfig } from '../../../config/types.js';
import { UsageError } from '../../../errors.js';
import type { MemorySnapshot } from '../../../memory/types.js';
import type { Session } from '../../../sessions/types.js';
import { isObserved } from '../../extract/index.js';
import { sessionList } from '../../extract/spool.js';
import { distinctIds, guardFor, memoryTokens, nextState } from '../../plan.js';
import type { Action, DroppedAction, Engine, EngineRun, ObservedSession, PhaseRun, Plan, PlanInput } from '../../types.js';
import type { BatchOptions } from './batch.js';
import { ClaudeCache, mapKey } from './cache.js';
import { askStructured, BudgetExhausted, connect, isApiError, toEngineError, type Connection } from './client.js';
import { budgetNotices } from '../../curate/budget.js';
import { actionsFromProposals } from './curate.js';
import { estimateCost } from './estimate.js';
import { mapRequest, mapSessions, mostFailed, type MapDeps, type MapOutcome, type Transcribed } from './map.js';
import { Meter, reservationFor, spentBetween, unpricedBudget, type Spent } from './meter.js';
import { modelWarnings, uncachedPrefixWarning, type Phase } from './models.js';
import { roundDollars, zeroUsage } from './pricing.js';
import { curateSystem, curateUser, mapSystem, type PromptContext, type SystemBlock } from './prompts.js';
import { knownTopics, reduceObservations } from './reduce.js';
import { cacheTtlOf, localPromptTokens, messageParams, prefixProbe, type StructuredRequest } from './requests.js';
import { CURATE_SCHEMA, type CurateAnswer } from './schemas.js';
import { compactTranscript } from './transcript.js';

export interface ClaudeEngineOptions {
  config: ClaudeConfig;
  /** Where map results and a pending batch id are kept: `<gitdir>/reverie/claude`. */
  cacheDir: string;
  /**
   * Keeps what `cacheDir` holds beyond this machine, at once: called when a Message Batch has just been submitted and
   * recorded, before the cycle waits for it. The cycle's shell passes it (cycle/engine-state.ts); without it the
   * local cache is all there is.
   */
  persist?: () => Promise<void>;
  /** From ANTHROPIC_API_KEY; never printed, never written. A dry run without one estimates offline. */
  apiKey?: string;
  /** Estimate the cost and send nothing but count_tokens requests. */
  dryRun?: boolean;
  /** Send the map step as a Message Batch (`--batch`, `claude.batch`). */
  batch?: boolean;
  /** Transport settings, for proxies and tests: retries, timeouts, the cap on retry-after, batch polling. */
  connection?: Partial<Omit<Connection, 'apiKey'>> & { batch?: BatchOptions };
}

export function createClaudeEngine(options: ClaudeEngineOptions): Engine {
  const { config } = options;
  // Map results depend on the map model: another model reads the sessions afresh.
  const cache = new ClaudeCache(options.cacheDir, mapKey(config.map.model, config.instructions));
  if (!options.dryRun) {
    if (!options.apiKey) throw new UsageError('the claude engine needs an API key in ANTHROPIC_API_KEY (or run `reverie dream --mode dry-run` for an offline estimate)');
    const unpriced = unpricedBudget([config.map.model, config.curate.model], config.budget);
    if (unpriced) throw new UsageError(unpriced);
  }
  return {
    name: 'claude',
    observe: (session) => observeForModel(session, cache),
    plan: (input) => (options.dryRun ? estimatePlan(input, options, cache) : dreamPlan(input, options, cache)),
  };
}

/**
 * What the engine keeps of a session while the logs stream: who and when, and a compact transcript unless an
 * earlier cycle already paid for this session's extraction (then the cache has what the model said of it).
 */
export function observeForModel(session: Session, cache?: ClaudeCache): ObservedSession {
  const observed: ObservedSession = {
    id: session.id,
    agent: session.agent,
    source: session.source,
    hash: session.hash,
    mistakes: [],
    preferences: [],
    commands: [],
    userTerms: [],
    turnCount: session.turns.length,
  };
  if (session.startedAt) observed.startedAt = session.startedAt;
  if (session.endedAt) observed.endedAt = session.endedAt;
  if (!cache?.hasMap(session.hash)) observed.transcript = compactTranscript(session);
  return observed;
}

async function dreamPlan(input: PlanInput, options: ClaudeEngineOptions, cache: ClaudeCache): Promise<Plan> {
  const { config } = options;
  const warnings = modelWarnings(phaseModels(config), input.options.now);
  const client = clientFor(options);
  // The curate model names the run: it proposed the actions. Each request is priced by its own phase's model.
  const meter = new Meter(config.curate.model, config.budget);
  const sessions = transcribed(input.sessions, cache, warnings);
  const batch = options.batch ? { maxWaitMs: config.batchWaitMinutes * 60_000, ...options.connection?.batch } : undefined;
  const context = promptContext(input, config, batch ? '1h' : '5m');
  const mapDeps = mapRequestDeps(config, mapSystem({ ...context, topics: knownTopics(input.state.patterns) }));
  const uncached = sessions.filter((s) => !cache.hasMap(s.hash));
  const uncachedPrefix = uncached[0] && uncachedPrefixWarning('map', config.map.model, prefixTokens(mapRequest(uncached[0], mapDeps)), uncached.length);
  if (uncachedPrefix) warnings.push(uncachedPrefix);
  const unaffordable = uncached.length > 0 ? curateBeyondBudget(meter, curateRequest(input, config, context, [])) : undefined;
  if (unaffordable) return emptyPlan(input, { ...meter.report(), cachedSessions: sessions.length - uncached.length, warnings, stopped: unaffordable });
  const mapped = await mapSessions(sessions, {
    client,
    meter,
    cache,
    ...mapDeps,
    concurrency: config.concurrency,
    ...(batch ? { batch } : {}),
    warn: (message) => warnings.push(message),
    ...(options.persist ? { persist: options.persist } : {}),
  });
  const afterMap = meter.spent();
  const run = (stopped?: string): EngineRun => ({
    ...meter.report(),
    phases: {
      map: phaseRun(config.map.model, spentBetween(NOTHING_SPENT, afterMap)),
      curate: phaseRun(config.curate.model, spentBetween(afterMap, meter.spent())),
    },
    cachedSessions: mapped.cached,
    warnings,
    ...(mapped.batch ? { batch: mapped.batch } : {}),
    ...(stopped ? { stopped } : {}),
    ...(mapped.failed.length > 0 ? { unanswered: mapped.failed } : {}),
  });
  if (mapped.stopped) return emptyPlan(input, run(`${mapped.stopped}; nothing committed, the extraction so far is kept for the next cycle`));
  if (mostFailed(mapped)) {
    const failed = `${mapped.failed.length} of the ${mapped.sent} sessions sent got no usable answer from the model, more than half: nothing committed; the answers received are kept, and the sessions without one are sent again next cycle`;
    return emptyPlan(input, { ...run(), failed });
  }

  const extraction = reduceObservations(mapped.mapped, input.state.patterns, input.options.minSessions);
  const offered = extraction.signal.filter((p) => !extraction.records[p.key]?.written);
  let curated: { actions: Action[]; dropped: DroppedAction[]; memoryAfter: MemorySnapshot } = { actions: [], dropped: [], memoryAfter: input.memory };
  // Without a new pattern there is nothing to ask: a quiet night costs only its sessions. (A namespace over its
  // budget gets a warning, never deletions to fit, so it is no reason to ask.)
  if (offered.length > 0) {
    const request = curateRequest(input, config, context, offered);
    let reading;
    try {
      reading = await askStructured<CurateAnswer>(client, meter, request);
    } catch (error) {
      if (error instanceof BudgetExhausted) return emptyPlan(input, run(`budget spent before curation: ${error.message}; nothing committed, the extraction is kept for the next cycle`));
      // Curation is one request: when the API fails it past its retries, the cycle fails, its extraction cached.
      throw isApiError(error) ? toEngineError(error) : error;
    }
    if (reading.ok) {
      curated = actionsFromProposals(reading.value.actions, {
        memory: input.memory,
        patterns: offered,
        inbox: input.options.inbox,
        guard: guardFor(input.memory, input.state),
        ...(input.options.maxRemovedShare !== undefined ? { maxRemovedShare: input.options.maxRemovedShare } : {}),
        ...(input.options.maxActions !== undefined ? { maxActions: input.options.maxActions } : {}),
      });
    } else {
      warnings.push(`the curation answer was off its schema twice and was dropped (${reading.problems.slice(0, 3).join('; ')})`);
    }
  }
  const actions = distinctIds(curated.actions);
  const processed = processedSessions(input.sessions, mapped);
  return {
    cycle: input.cycle,
    engine: 'claude',
    actions,
    patterns: extraction.signal,
    noise: extraction.noise,
    dropped: curated.dropped,
    notices: budgetNotices(curated.memoryAfter),
    stats: stats(input, extraction.signal.length, extraction.noise.length, curated.memoryAfter),
    state: nextState({ ...input, sessions: processed }, extraction.records, actions),
    run: run(),
  };
}

/**
 * Why the budget could never pay for curation, if it could not: the curate request with no pattern in it, at its
 * max_tokens, would not fit in the whole budget. Then no cycle under this budget can finish, and the map would be
 * paid for in vain: the cycle stops before it sends anything.
 *
 * Nothing more is held back for curate while the map runs. A map the budget stops stops the cycle, which commits
 * nothing, so room kept for curate would only be left unspent; spent on the map, it pays for sessions the next cycle
 * finds in the cache, and that cycle's curate request has the room they no longer cost. A budget can end a cycle with
 * every session mapped and nothing curated, then, but the next cycle curates them for the price of curate and its
 * own new sessions. The dry run says in advance which phase a budget would stop in.
 */
function curateBeyondBudget(meter: Meter, request: StructuredRequest): string | undefined {
  const params = messageParams(request);
  const want = reservationFor(localPromptTokens(params), params.max_tokens, params.model, { model: params.model, cacheTtl: cacheTtlOf(params) });
  const refused = meter.wontFit(want, 'the curate request');
  if (!refused) return undefined;
  return `${refused}, even with no pattern in it (claude.curate.max_tokens: ${params.max_tokens}): no cycle can finish under this budget, so nothing was sent; raise the budget or lower claude.curate.max_tokens`;
}

/** A dry run: what the cycle would send, counted, and priced; no message is sent. */
async function estimatePlan(input: PlanInput, options: ClaudeEngineOptions, cache: ClaudeCache): Promise<Plan> {
  const { config } = options;
  const warnings = modelWarnings(phaseModels(config), input.options.now);
  const sessions = transcribed(input.sessions, cache, warnings);
  const uncached = sessions.filter((s) => !cache.hasMap(s.hash));
  const context = promptContext(input, config, options.batch ? '1h' : '5m');
  const mapDeps = mapRequestDeps(config, mapSystem({ ...context, topics: knownTopics(input.state.patterns) }));
  const client = options.apiKey ? clientFor(options) : undefined;
  if (!client) warnings.push('no ANTHROPIC_API_KEY: prompts estimated offline rather than counted by the API');
  const estimate = await estimateCost({
    mapModel: config.map.model,
    mapRequests: uncached.map((s) => mapRequest(s, mapDeps)),
    curateRequest: curateRequest(input, config, context, []),
    batch: options.batch === true,
    limits: config.budget,
    ...(client ? { client } : {}),
    warn: (message) => warnings.push(message),
  });
  const { map } = estimate.phases;
  const uncachedPrefix = uncachedPrefixWarning('map', map.model, map.prefixTokens, map.requests);
  if (uncachedPrefix) warnings.push(uncachedPrefix);
  return emptyPlan(input, { ...new Meter(config.curate.model, {}).report(), cachedSessions: sessions.length - uncached.length, warnings, estimate });
}

function clientFor(options: ClaudeEngineOptions): Anthropic {
  const baseURL = options.connection?.baseURL ?? options.config.baseUrl;
  const { batch: _batch, ...transport } = options.connection ?? {};
  return connect({ ...transport, apiKey: options.apiKey ?? '', ...(baseURL ? { baseURL } : {}) });
}

function promptContext(input: PlanInput, config: ClaudeConfig, cacheTtl: '5m' | '1h'): PromptContext {
  return { memory: input.memory, cacheTtl, ...(config.instructions ? { instructions: config.instructions } : {}) };
}

function phaseModels(config: ClaudeConfig): Record<Phase, string> {
  return { map: config.map.model, curate: config.curate.model };
}

/** What every map request of a cycle shares: the map phase's model and length, and the cached prefix. */
function mapRequestDeps(config: ClaudeConfig, system: SystemBlock[]): Pick<MapDeps, 'model' | 'maxTokens' | 'effort' | 'system'> {
  return { model: config.map.model, maxTokens: config.map.maxTokens, system, ...(config.effort ? { effort: config.effort } : {}) };
}

/** The prefix a phase's requests share, estimated offline, before any request is sent. */
function prefixTokens(request: StructuredRequest): number {
  return localPromptTokens(prefixProbe(messageParams(request)));
}

const NOTHING_SPENT: Spent = { usage: zeroUsage(), costUsd: 0, requests: 0 };

function phaseRun(model: string, spent: Spent): PhaseRun {
  const { input, output, cacheWrite, cacheRead } = spent.usage;
  return { model, usage: { input, output, cacheWrite, cacheRead }, costUsd: spent.costUsd === null ? null : roundDollars(spent.costUsd), requests: spent.requests };
}

function curateRequest(input: PlanInput, config: ClaudeConfig, context: PromptContext, patterns: Plan['patterns']): StructuredRequest {
  const request: StructuredRequest = {
    model: config.curate.model,
    // Curation is one request: the 5-minute cache serves its retry.
    system: curateSystem({ ...context, cacheTtl: '5m', inbox: input.options.inbox }),
    user: curateUser(patterns),
    schema: CURATE_SCHEMA,
    maxTokens: config.curate.maxTokens,
  };
  if (config.effort) request.effort = config.effort;
  return request;
}

/** Each session with the transcript the model reads; one neither transcribed nor cached cannot be mapped. */
function transcribed(sessions: PlanInput['sessions'], cache: ClaudeCache, warnings: string[]): Transcribed[] {
  const ready: Transcribed[] = [];
  for (const session of sessionList(sessions)) {
    const observed = isObserved(session) ? session : observeForModel(session, cache);
    if (observed.transcript !== undefined) ready.push({ ...observed, transcript: observed.transcript });
    else if (cache.hasMap(observed.hash)) ready.push({ ...observed, transcript: '' });
    else warnings.push(`session ${observed.id}: observed without a transcript, so it cannot be sent; left for a later cycle`);
  }
  return ready;
}

/** Sessions the map step has a result for: only those are recorded as processed. */
function processedSessions(sessions: PlanInput['sessions'], mapped: MapOutcome): PlanInput['sessions'] {
  const done = new Set(mapped.mapped.map((m) => m.hash));
  return sessionList(sessions).filter((s) => done.has(s.hash));
}

/** A plan that does nothing and records nothing: what a stopped run or a dry run hands back. */
function emptyPlan(input: PlanInput, run: EngineRun): Plan {
  return {
    cycle: input.cycle,
    engine: 'claude',
    actions: [],
    patterns: [],
    noise: [],
    dropped: [],
    notices: [],
    stats: stats(input, 0, 0, input.memory),
    state: input.state,
    run,
  };
}

function stats(input: PlanInput, patterns: number, noise: number, after: MemorySnapshot): Plan['stats'] {
  return {
    sessions: input.totalSessions,
    new_sessions: input.sessions.length,
    patterns,
    noise,
    entries: input.memory.files.reduce((n, f) => n + f.entries.length, 0),
    entries_after: after.files.reduce((n, f) => n + f.entries.length, 0),
    tokens_before: memoryTokens(input.memory),
    tokens_after: memoryTokens(after),
  };
}
