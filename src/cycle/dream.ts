import path from 'node:path';
import type { Mode } from '../config/index.js';
import { engineCacheDir, engineState, type EngineState } from './engine-state.js';
import type { ClaudeEngineOptions } from '../dream/engines/claude/index.js';
import type { ManagedEngineOptions } from '../dream/engines/managed/index.js';
import { quietFingerprint, readQuiet, writeQuiet, type QuietReport } from './quiet.js';
import { emptyResult } from './empty-result.js';
import { heuristicEngine } from '../dream/engines/heuristic.js';
import { cyclePath, cycleRecord, isProcessedFile, readState, rememberRejected, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import { memoryImpact, type MemoryImpact } from '../dream/impact.js';
import { effectsOf } from '../dream/curate/effects.js';
import { actionRisk, needsReview, riskReasons, safeFirst, type Risk } from '../dream/risk.js';
import type { Action, DreamState, Engine, EngineRun, Notice, Plan, UnansweredSession } from '../dream/types.js';
import { GitHubError, GitStateError, UsageError } from '../errors.js';
import { deleteBranch, fastForward, readFileAt, readFilesAt, resolveRef, updateBranch } from '../git/index.js';
import { extractPatterns, observeSession } from '../dream/extract/index.js';
import { isSpool, ObservationSpool } from '../dream/extract/spool.js';
import type { ObservedSession } from '../dream/types.js';
import { streamSessions, type UnreadFile } from '../sessions/load.js';
import { listAndStamp, type StampedListing } from '../sessions/list.js';
import type { ReadWarning, Session } from '../sessions/types.js';
import { approveBranch, type ApprovalOutcome } from './approve.js';
import { buildCycle, type BuildResult } from './build.js';
import { baseWarnings, openContext, mainTip, readBase, sessionHashCacheFile, type BaseView, type RepoContext } from './context.js';
import { notUtf8Error } from './memory-files.js';
import { planDiff } from './diff.js';
import { cycleBranchName, cycleStamp, pendingCycles, type PendingCycle } from './history.js';
import { syncCycles, type CycleSync } from './github-cycles.js';
import { publishSessionBranches, type SessionPull } from '../memory-tool/publish.js';
import { closeCyclePull, connectGitHub, publishCycle, pushMain, syncMain, type ConnectOptions, type GitHubLink, type PublishedPull } from './publish.js';
import { pushMainFirst } from './settle.js';
import { retire, toSupersede, waitForReview, waitingCycles, type Superseded, type Waiting } from './waiting.js';
import { lockAndRecover } from './recover.js';
import { cycleMemoryCheck } from './memory-check.js';
import { HoldOut } from './hold-out.js';
import { sessionCases } from '../memory-tests/from-sessions.js';
import type { MemoryCheck } from '../memory-tests/compare.js';

export interface DreamOptions {
  repoDir: string;
  configFile?: string;
  mode?: Mode;
  engine?: string;
  /** The cycle's clock; tests pass a fixed time. */
  now?: Date;
  /** Called as each phase completes, so a terminal can show progress. */
  onPhase?: (phase: PhaseReport) => void;
  /**
   * With a cycle still waiting for review: build a new cycle that takes in its sessions, close the old pull request
   * with a link to the new one, and remember the actions the reviewer had already dropped from it.
   */
  supersede?: boolean;
  /**
   * With one cycle waiting for review and sessions it has not seen: rebuild that cycle in place (same id, branch and
   * pull request) with what they bring, keeping out what its reviewer dropped, as release-please keeps its one pull
   * request up to date. Without new sessions the cycle just waits.
   */
  update?: boolean;
  /** Where the GitHub token comes from (the process environment by default); see connectGitHub. */
  github?: ConnectOptions;
  /** Send the claude engine's extraction through the Message Batches API (`--batch`; else `claude.batch`). */
  batch?: boolean;
  /** The claude engine's key (ANTHROPIC_API_KEY by default) and transport settings, for proxies and tests. */
  claude?: ClaudeConnectOptions;
  /** The managed engine's key (ANTHROPIC_API_KEY by default), transport settings and how it polls a dream, for proxies and tests. */
  managed?: ManagedConnectOptions;
  /**
   * The logs of these sessions sources as listed and stat'ed just before (by the command line's check for a quiet
   * night), read rather than listed again. Absent, the cycle lists them itself.
   */
  sessionListing?: StampedListing;
}

export type ClaudeConnectOptions = NonNullable<ClaudeEngineOptions['connection']> & { apiKey?: string };
export type ManagedConnectOptions = NonNullable<ManagedEngineOptions['connection']> & { apiKey?: string };

export type PhaseReport =
  | { phase: 'review'; sessions: number; newSessions: number; heldOut: number; memoryFiles: number; entries: number; warnings: ReadWarning[]; unread: UnreadFile[] }
  | { phase: 'engine'; run: EngineRun }
  | { phase: 'extract'; patterns: number; noise: number }
  | { phase: 'curate'; actions: Action[]; dropped: Plan['dropped'] }
  | { phase: 'commit'; cycle: string; branch: string; commits: number; actions: number }
  | { phase: 'publish'; pull: PublishedPull }
  | { phase: 'approve'; merged: boolean; reason: string };

export interface DreamActionResult {
  id: string;
  type: Action['type'];
  paths: string[];
  summary: string;
  commit: string | null;
  evidence: string[];
  /** What it can lose if it is wrong (dream/risk.ts), as `reverie review` reports it. */
  risk: Risk;
  /** Why its content makes it high risk; empty for an ordinary note. High-risk actions always wait for a person. */
  risk_reasons: string[];
}

export interface DreamResult {
  cycle: string | null;
  branch: string | null;
  base: string;
  mode: Mode;
  merged: boolean;
  actions: DreamActionResult[];
  /** `unread_files`: files under the sessions paths that were not read as logs (each in `unread`, with why). */
  stats: Plan['stats'] & { warnings: number; unread_files: number };
  /**
   * Why nothing was committed, when nothing was (`stopped`: the engine ran out of budget or time; `failed`: the engine
   * got no usable answer for most sessions, and the command exits non-zero; see `run` and `warnings`).
   */
  outcome: 'committed' | 'nothing-new' | 'dry-run' | 'pending-review' | 'stopped' | 'failed';
  /** What happened at approval (auto) or why the cycle waits (review). */
  approval: string;
  dropped: { id: string; type: Action['type']; summary: string; reason: string }[];
  /** Budget warnings and contradictions no session settles: what the reviewer should know besides the actions. */
  notices: Notice[];
  /** What the cycle does to memory as a whole: entries and tokens before and after, the share it removes. */
  impact: MemoryImpact;
  warnings: ReadWarning[];
  /** Every file under the sessions paths that was not read, with the reason (the warnings name all but READMEs). */
  unread: UnreadFile[];
  pending: PendingCycle[];
  /** Unified diff of the memory, for dry runs. */
  diff?: string;
  /** The cycle's pull request on GitHub, when review happens there. */
  pull?: PublishedPull;
  /** Open pull requests of earlier cycles that this one waits behind (or superseded). */
  pendingPulls?: { number: number; url: string; branch: string }[];
  /** Earlier cycles this one replaced (`--supersede`). */
  superseded?: { cycle: string; pull?: number }[];
  /** The waiting cycle this run rebuilt in place (`--update`): same id, branch and pull request. */
  rebuilt?: string;
  /** In auto mode under a risk policy: how many of the actions went to main without review. */
  appliedWithoutReview?: number;
  /** For an engine that calls a model: the model, tokens and cost, warnings, and a dry run's estimate. */
  run?: EngineRun;
  /** What an interrupted earlier run had left, repaired before this cycle began. */
  repaired?: string[];
  /** What GitHub had decided or held that this clone took in first (closed pull requests, waiting branches). */
  github?: CycleSync;
  /** Agent sessions' memory-tool branches, each pushed with its pull request, or retired once decided on GitHub. */
  session_pulls?: SessionPull[];
  /** The memory tests on main and on the cycle, and the context cost per target; absent without test files. */
  memory_tests?: MemoryCheck;
  /** New sessions kept out of this cycle's extraction to test its memory with (`extract.hold_out`); a later cycle extracts them. */
  held_out?: { id: string; source: string }[];
}

const ENGINE_NAMES = ['heuristic', 'claude', 'managed'];

/**
 * The engine a cycle runs; the claude engine is made per cycle, since it needs the key and the cycle's mode. It is
 * loaded only then: the Anthropic SDK is most of what a heuristic cycle would otherwise spend starting.
 */
async function engineFor(context: RepoContext, options: DreamOptions, mode: Mode, kept: EngineState | undefined): Promise<Engine> {
  const name = options.engine ?? context.config.engine;
  if (name === 'heuristic') return heuristicEngine;
  if (name === 'claude') {
    const { createClaudeEngine } = await import('../dream/engines/claude/index.js');
    const { apiKey = process.env.ANTHROPIC_API_KEY, ...connection } = options.claude ?? {};
    return createClaudeEngine({
      config: context.config.claude,
      cacheDir: engineCacheDir(context),
      ...(kept ? { persist: () => kept.save() } : {}),
      ...(apiKey ? { apiKey } : {}),
      dryRun: mode === 'dry-run',
      batch: options.batch ?? context.config.claude.batch,
      connection,
    });
  }
  if (name === 'managed') {
    const { createManagedEngine } = await import('../dream/engines/managed/index.js');
    const { apiKey = process.env.ANTHROPIC_API_KEY, ...connection } = options.managed ?? {};
    return createManagedEngine({
      config: context.config.managed,
      cacheDir: engineCacheDir(context),
      ...(kept ? { persist: () => kept.save() } : {}),
      ...(apiKey ? { apiKey } : {}),
      dryRun: mode === 'dry-run',
      connection,
    });
  }
  throw new UsageError(`unknown engine "${name}"; available: ${ENGINE_NAMES.join(', ')}`);
}

/**
 * One dream cycle: review → extract → curate → commit → approve. Holds the repository's lock throughout
 * (except a dry run, which writes nothing). main moves only at the very end, by a compare-and-set
 * fast-forward, so a failure anywhere leaves main and the working tree as they were.
 */
export async function dream(options: DreamOptions): Promise<DreamResult> {
  const context = await openContext(options.repoDir, options.configFile);
  const mode = options.mode ?? context.config.mode;
  // What the claude engine keeps for later runs, on a ref that travels with the repository (engine-state.ts).
  const kept = ['claude', 'managed'].includes(options.engine ?? context.config.engine) && mode !== 'dry-run' ? engineState(context) : undefined;
  // Before the lock: a missing key or an unknown engine stops the cycle before anything is touched.
  const engine = await engineFor(context, options, mode, kept);
  // What an interrupted run left is repaired first, under the lock (a dry run writes nothing, and repairs nothing).
  const { release, repairs } = mode === 'dry-run' ? { release: () => undefined, repairs: { lines: [] } } : await lockAndRecover(context, 'dream');
  try {
    // A bad token or an unreachable repository stops the cycle here, before anything is written.
    const link = mode === 'dry-run' ? undefined : await connectGitHub(context, options.github);
    if (link) await syncMain(context, link);
    // A batch another runner left, and what it extracted, before any session is read: never submitted twice.
    await kept?.restore(link);
    // What reviewers decided on GitHub counts before anything is planned: a closed pull request's actions stay out.
    const github = link ? await syncCycles(context, link, { now: options.now ?? new Date() }) : undefined;
    const finished = mode === 'auto' ? await finishSafeParts(context, link) : [];
    const repaired = [...repairs.lines, ...finished];
    const result = await runCycle(context, engine, mode, options, link).catch(async (error: unknown) => {
      // What the engine paid for is kept whatever failed; pushed too, unless it is GitHub that failed.
      await kept?.save({ push: !(error instanceof GitHubError) });
      throw error;
    });
    // After approval: sessions main now records are pruned from the state, the rest kept for the next run.
    await kept?.save();
    // Agents' live writes go to review where the cycles do; after the cycle, so that a failure here loses none of it.
    const sessionPulls = link ? await publishSessionBranches(context, link) : [];
    return {
      ...withWarnings(result, kept?.warnings ?? []),
      ...(repaired.length > 0 ? { repaired } : {}),
      ...(github ? { github } : {}),
      ...(sessionPulls.length > 0 ? { session_pulls: sessionPulls } : {}),
    };
  } finally {
    release();
  }
}

async function runCycle(context: RepoContext, engine: Engine, mode: Mode, options: DreamOptions, link: GitHubLink | undefined): Promise<DreamResult> {
  const now = options.now ?? new Date();
  const base = await mainTip(context);
  const waiting = mode === 'dry-run' ? { pending: await pendingCycles(context), pulls: [] } : await waitingCycles(context, link);
  const replaced: Superseded = { cycles: [], droppedByReviewer: [] };
  const stillWaiting = async () => ({ ...emptyResult(base, mode, waiting.pending, [], 0), outcome: 'pending-review' as const, ...(await waitForReview(context, link, base, waiting)) });
  // The one waiting cycle, rebuilt in place when new sessions turn up (`update`).
  const inPlace = options.update && !options.supersede ? updatable(waiting) : undefined;
  if (mode !== 'dry-run' && (waiting.pending.length > 0 || waiting.pulls.length > 0)) {
    if (!options.supersede && !inPlace) return stillWaiting();
    Object.assign(replaced, await toSupersede(context, link, base, waiting));
  }

  // A quiet night: nothing changed since a run that found nothing to do, and it reported what this one would.
  const engineName = options.engine ?? context.config.engine;
  // The logs are listed and stat'ed once, for the fingerprint and for reading what changed.
  const listing = options.sessionListing ?? (await listAndStamp(context.repo.dir, context.config.sessions));
  const quiet = mode !== 'dry-run' && engineName === 'heuristic' && !inPlace && replaced.cycles.length === 0 ? quietFingerprint(context, base, engineName, listing) : undefined;
  const known = quiet ? ((await readQuiet(context, quiet)) as QuietReport | undefined) : undefined;
  if (known) return { ...emptyResult(base, mode, waiting.pending, [], 0), ...known };

  const inputs = await review(context, base, options, engine, listing);
  if (inPlace && !(await bringsNewSessions(context, inPlace, inputs.sessions))) {
    if (isSpool(inputs.sessions)) inputs.sessions.release();
    return stillWaiting();
  }
  const why = inPlace ? 'dropped by the reviewer of the cycle before it was rebuilt' : 'dropped by the reviewer of the superseded cycle';
  // Remembered in a copy: the state read at main stays as main has it, for the build to compare with.
  const state = replaced.droppedByReviewer.length > 0 ? { ...inputs.state, rejected: { ...inputs.state.rejected } } : inputs.state;
  for (const action of replaced.droppedByReviewer) rememberRejected(state, action, action.cycle, why);
  const empty = emptyResult(base, mode, waiting.pending, inputs.warnings, inputs.totalSessions, inputs.unread);
  const cycle = inPlace ? inPlace.cycle : await freeCycleId(context, base, cycleStamp(now));
  const planned = await engine.plan({
    cycle,
    sessions: inputs.sessions,
    totalSessions: inputs.totalSessions,
    memory: inputs.memory,
    state,
    options: {
      minSessions: context.config.extract.minSessions,
      inbox: joinPath(context.config.memory.root, context.config.memory.inbox),
      now: now.toISOString(),
      maxRemovedShare: context.config.approval.maxPruneRatio,
      maxActions: context.config.curate.maxActions,
    },
  });
  // The actions safe to apply unreviewed come first, so that auto mode can fast-forward main over them alone.
  const plan = { ...planned, actions: safeFirst(planned.actions, context.config.approval.auto) };
  // A session the engine got no answer for is a warning of the cycle, on its log: it was not reviewed, whatever the rest did.
  const warnings = [...inputs.warnings, ...(plan.run?.unanswered ?? []).map(unansweredWarning)];
  if (plan.run) options.onPhase?.({ phase: 'engine', run: plan.run });
  // An estimate, a stopped or a failed run extracted nothing it could report.
  if (!plan.run?.estimate && !plan.run?.stopped && !plan.run?.failed) {
    options.onPhase?.({ phase: 'extract', patterns: plan.stats.patterns, noise: plan.stats.noise });
    options.onPhase?.({ phase: 'curate', actions: plan.actions, dropped: plan.dropped });
  }
  const summary: DreamResult = {
    ...empty,
    cycle,
    stats: { ...plan.stats, warnings: warnings.length, unread_files: inputs.unread.length },
    warnings,
    dropped: plan.dropped.map((d) => ({ id: d.action.id, type: d.action.type, summary: d.action.summary, reason: d.reason })),
    notices: plan.notices,
    impact: memoryImpact(plan.stats, plan.actions, plan.notices),
    actions: plan.actions.map((a) => actionResult(a, null)),
    ...(plan.run ? { run: plan.run } : {}),
    ...(inputs.heldOut.length > 0 ? { held_out: inputs.heldOut.map((s) => ({ id: s.id, source: s.source })) } : {}),
  };

  // The engine stopped short (budget, a batch still running): no branch, main untouched, its extraction cached.
  if (plan.run?.stopped && mode !== 'dry-run') return { ...summary, cycle: null, outcome: 'stopped', approval: `stopped: ${plan.run.stopped}` };
  // Most sessions got no usable answer: a failed cycle, as loud as an error, with its reason first among the warnings.
  if (plan.run?.failed) {
    const reason: ReadWarning = { file: '', message: `the cycle failed: ${plan.run.failed}` };
    return { ...summary, cycle: null, outcome: 'failed', approval: `failed: ${plan.run.failed}`, warnings: [reason, ...warnings], stats: { ...summary.stats, warnings: warnings.length + 1 } };
  }
  if (mode === 'dry-run') {
    return { ...summary, outcome: 'dry-run', approval: 'dry run: nothing written', diff: await planDiff(context, base, plan.actions) };
  }
  if (plan.actions.length === 0 && inputs.sessions.length === 0) {
    const result: DreamResult = { ...summary, cycle: null, outcome: 'nothing-new', approval: 'nothing new' };
    if (quiet) await writeQuiet(context, { fingerprint: quiet, report: quietReport(result) });
    return result;
  }
  const result = await commitAndApprove(context, { mode, base, now, plan, summary, inputs, ...(inPlace ? { replacing: inPlace.tip } : {}) }, options, link);
  if (inPlace) {
    // Nothing left to review once rebuilt: its bookkeeping went to main, and the pull request says so as it closes.
    if (result.merged && link) await closeCyclePull(link, inPlace.branch, `Rebuilt with ${inputs.sessions.length} new ${inputs.sessions.length === 1 ? 'session' : 'sessions'}, cycle ${inPlace.cycle} has no action left to review; its bookkeeping went to main, and this pull request is closed. What its reviewer dropped stays remembered.`);
    return { ...result, rebuilt: inPlace.cycle };
  }
  if (replaced.cycles.length === 0) return result;
  const next = result.pull ? `#${result.pull.number} (cycle ${result.cycle})` : `cycle ${result.cycle ?? '(none: nothing new)'}`;
  return { ...result, superseded: await retire(context, link, replaced.cycles, next) };
}

/** The cycle's result with warnings that are about no file (the engine's state not pushed), counted in its stats. */
function withWarnings(result: DreamResult, messages: readonly string[]): DreamResult {
  if (messages.length === 0) return result;
  const warnings = [...result.warnings, ...messages.map((message) => ({ file: '', message }))];
  return { ...result, warnings, stats: { ...result.stats, warnings: result.stats.warnings + messages.length } };
}

function unansweredWarning(session: UnansweredSession): ReadWarning {
  return { file: session.source, message: `session ${session.id}: no usable answer from the model (${session.reason}); not marked processed, the next cycle sends it again` };
}

function quietReport({ stats, dropped, notices, impact, warnings, unread }: DreamResult): QuietReport {
  return { stats, dropped, notices, impact, warnings, unread };
}

/** The waiting cycle an `update` run rebuilds: only one, with its branch and record here. */
function updatable(waiting: Waiting): (PendingCycle & { record: CycleRecord }) | undefined {
  const [only, ...more] = waiting.pending;
  const elsewhere = waiting.pulls.some((p) => p.head !== only?.branch);
  return only?.record && more.length === 0 && !elsewhere ? (only as PendingCycle & { record: CycleRecord }) : undefined;
}

/** Sessions the waiting cycle did not review: what makes rebuilding it worth a new review. */
async function bringsNewSessions(context: RepoContext, waiting: PendingCycle, sessions: Reviewed['sessions']): Promise<boolean> {
  const files = await readFilesAt(context.repo, waiting.tip, isProcessedFile, { under: [STATE_DIR] });
  const seen = readState(files).processed;
  return [...sessions].some((s) => !(s.hash in seen));
}

interface Reviewed {
  memory: BaseView['memory'];
  state: BaseView['state'];
  sessions: ObservedSession[] | ObservationSpool;
  /** The newest new sessions, kept out of extraction to test the memory with (`extract.hold_out`). */
  heldOut: ObservedSession[];
  /** With an engine that observes sessions its own way: the offline reading of the sessions it extracts. */
  offline?: ObservedSession[];
  totalSessions: number;
  warnings: ReadWarning[];
  unread: UnreadFile[];
}

/** Phase 1: the memory and state at main's commit, and the sessions not processed yet. */
async function review(context: RepoContext, base: string, options: DreamOptions, engine: Engine, listing: StampedListing): Promise<Reviewed> {
  const view = await readBase(context, base);
  const { memory, state } = view;
  // Before anything else is read or written: the cycle would rewrite such a file with U+FFFD for its bytes.
  const [notText] = view.notUtf8;
  if (notText) throw notUtf8Error(notText);
  const skipHashes = new Set(Object.keys(state.processed));
  // Each session is observed as it is read and let go: a cycle over 10,000 logs never holds them all. Offline, not even
  // their observations: what extraction sums is summed as they stream, the rest waits on disk for the fold (spool.ts).
  const observed = engine.observe ? undefined : new ObservationSpool({ dir: path.join(context.repo.gitdir, 'reverie') });
  const sessions: ObservedSession[] = [];
  // The cases held-out sessions give are read by the offline extractor, whatever engine curates; with an engine of
  // its own, the offline reading of the sessions it extracts tells which lessons recurred.
  const holding = context.config.extract.holdOut > 0;
  const offline: ObservedSession[] = [];
  const holdOut = new HoldOut<ObservedSession>(context.config.extract.holdOut, (s) => {
    if (observed) observed.add(s.forEngine);
    else sessions.push(s.forEngine);
    if (engine.observe && holding) offline.push(s.observed);
  });
  const keep = (session: Session) => {
    const forEngine = engine.observe ? engine.observe(session) : observeSession(session);
    holdOut.offer(engine.observe && holding ? observeSession(session) : forEngine, forEngine);
  };
  const loaded = await streamSessions({ repoDir: context.repo.dir, sources: context.config.sessions, skipHashes, hashCacheFile: sessionHashCacheFile(context), listing }, keep).catch(
    (error: unknown) => {
      observed?.release();
      throw error;
    },
  );
  const heldOut = holdOut.settle();
  const totalSessions = loaded.read + loaded.skipped;
  const entries = memory.files.reduce((n, f) => n + f.entries.length, 0);
  const warnings = [...baseWarnings(view), ...loaded.warnings];
  const { unread } = loaded;
  options.onPhase?.({ phase: 'review', sessions: totalSessions, newSessions: loaded.read, heldOut: heldOut.length, memoryFiles: memory.files.length, entries, warnings, unread });
  return { memory, state, sessions: observed ?? sessions, heldOut, ...(engine.observe && heldOut.length > 0 ? { offline } : {}), totalSessions, warnings, unread };
}

/**
 * The pattern records held-out sessions are matched against: the cycle's own, or, for an engine whose patterns a
 * model names, the offline reading of the sessions it extracted (the offline keys of earlier cycles are not kept).
 */
function caseRecords(inputs: Reviewed, plan: Plan, minSessions: number): DreamState['patterns'] {
  if (inputs.heldOut.length === 0) return {};
  return inputs.offline ? extractPatterns(inputs.offline, {}, minSessions).records : plan.state.patterns;
}

/** Phases 4 and 5: the branch with one commit per action, then approval as the mode says. */
async function commitAndApprove(
  context: RepoContext,
  cycleInfo: { mode: Mode; base: string; now: Date; plan: Plan; summary: DreamResult; inputs: Reviewed; replacing?: string },
  options: DreamOptions,
  link: GitHubLink | undefined,
): Promise<DreamResult> {
  const { mode, base, now, plan, summary, inputs, replacing } = cycleInfo;
  const { repo, config } = context;
  const branch = cycleBranchName(plan.cycle);
  const dreamEntries = inputs.memory.files.filter((f) => f.policy === 'dream').reduce((n, f) => n + f.entries.length, 0);
  const fromSessions = sessionCases(inputs.heldOut, caseRecords(inputs, plan, config.extract.minSessions), config.extract.minSessions);
  const memoryTests = plan.actions.length > 0 ? await cycleMemoryCheck(context, base, inputs.memory, plan.actions, { fromSessions }) : undefined;
  const held = memoryTests?.holds ?? [];
  const built = await buildCycle(repo, {
    parent: base,
    actions: plan.actions,
    state: plan.state,
    parentState: inputs.state,
    record: cycleRecord(plan, {
      branch,
      base,
      mode,
      created: now.toISOString(),
      warnings: summary.warnings.length,
      // A cycle the tests hold back goes to review whole: none of it reaches main on its own, not even later.
      safePart: mode === 'auto' && held.length === 0 && goesInPart(context, plan, dreamEntries),
      ...(memoryTests ? { memoryTests, sessionCases: fromSessions } : {}),
    }),
    memoryRoot: config.memory.root,
    author: config.git.author,
    timestamp: Math.floor(now.getTime() / 1000),
    stateSubject: `record cycle ${plan.cycle}`,
  });
  // The branch is written only when the cycle waits for review (a cycle rebuilt in place replaces its branch, from
  // the tip it was read at): one approved whole moves main alone, so a run killed on the way leaves no cycle waiting.
  const keepBranch = () => updateBranch(repo, branch, built.tip, { expectedOld: replacing ?? null });
  options.onPhase?.({ phase: 'commit', cycle: plan.cycle, branch, commits: built.actions.length + 1, actions: built.actions.length });

  // On GitHub, main's new tip goes there first: a push that fails leaves main here where it was, not ahead of GitHub's.
  const beforeMove = link ? pushMainFirst(context, link) : undefined;
  const approval = await approveIfAllowed(context, { mode, branch, plan, built, dreamEntries, held, now, keepBranch, ...(beforeMove ? { beforeMove } : {}) });
  const published = approval.merged ? undefined : await sendToReview(context, link, { branch, built, approval, ...(replacing ? { replacing } : {}) });
  if (published) options.onPhase?.({ phase: 'publish', pull: published });
  if (approval.merged && link) await pushMain(context, link);
  const message = published ? `${approval.message}; pull request #${published.number} ${published.action}: ${published.url}` : approval.message;
  options.onPhase?.({ phase: 'approve', merged: approval.merged, reason: message });
  const landed = approval.merged && approval.actions ? approval.actions : built.actions;
  return {
    ...summary,
    branch,
    outcome: 'committed',
    merged: approval.merged,
    approval: message,
    actions: landed.map((a) => actionResult(a, a.commit ?? null)),
    dropped: (approval.merged ? approval.dropped : undefined) ?? built.record.dropped,
    ...(published ? { pull: published } : {}),
    ...(approval.appliedSafe !== undefined ? { appliedWithoutReview: approval.appliedSafe } : {}),
    ...(memoryTests ? { memory_tests: memoryTests } : {}),
  };
}

/**
 * What is left for a person goes to review: on GitHub, the branch is pushed and its pull request opened; without
 * GitHub, the branch waits for `reverie review` / `approve` / `reject`. When auto mode already put the safe actions
 * on main, main is pushed first, so that the pull request shows only the rest.
 */
async function sendToReview(
  context: RepoContext,
  link: GitHubLink | undefined,
  { branch, built, approval, replacing }: { branch: string; built: BuildResult; approval: ApprovalOutcome & { appliedSafe?: number }; replacing?: string },
): Promise<PublishedPull | undefined> {
  if (!link || built.actions.length === 0) return undefined;
  if (approval.appliedSafe) await pushMain(context, link);
  const alreadyApplied = built.actions.slice(0, approval.appliedSafe ?? 0);
  return publishCycle(context, link, { branch, record: built.record, safe: context.config.approval.auto, alreadyApplied, ...(replacing ? { replacing } : {}) });
}

/**
 * auto: fast-forward main over the actions safe to apply unreviewed (a type in `approval.auto`, all of them by default,
 * and no high-risk content) and
 * leave the rest for review; the whole cycle goes to review when it prunes more than the configured share of
 * memory, or when the memory tests hold it back (a case it breaks, a target it takes over a limit: `held`). A cycle
 * with no actions only records bookkeeping, which never needs a person's review.
 */
async function approveIfAllowed(
  context: RepoContext,
  cycleInfo: { mode: Mode; branch: string; plan: Plan; built: BuildResult; dreamEntries: number; held: readonly string[]; now: Date; keepBranch: () => Promise<unknown>; beforeMove?: (tip: string) => Promise<void> },
): Promise<ApprovalOutcome & { appliedSafe?: number }> {
  const { mode, branch, plan, built, dreamEntries, held, now, keepBranch, beforeMove } = cycleInfo;
  const cycle = plan.cycle;
  const bookkeepingOnly = built.actions.length === 0;
  const later = `\`reverie approve ${cycle}\` merges it, \`reverie reject ${cycle}\` drops it`;
  if (mode === 'review' && !bookkeepingOnly) {
    await keepBranch();
    return { merged: false, message: `waiting for review: ${later}` };
  }
  const { pruned, ratio } = pruneShare(plan, dreamEntries);
  if (!bookkeepingOnly && ratio > context.config.approval.maxPruneRatio) {
    await keepBranch();
    return {
      merged: false,
      message: `sent to review: it removes ${pruned} of ${dreamEntries} curated entries (prunes and merges) (${Math.round(ratio * 100)}%), more than approval.max_prune_ratio (${context.config.approval.maxPruneRatio}); ${later}`,
    };
  }
  if (!bookkeepingOnly && held.length > 0) {
    await keepBranch();
    return { merged: false, message: `sent to review: ${held.join('; ')}; ${later}` };
  }
  // High-risk content goes to a person whatever its type (dream/risk.ts).
  const safe = built.actions.filter((a) => !needsReview(a, context.config.approval.auto));
  if (safe.length < built.actions.length) {
    const risky = built.actions.filter((a) => riskReasons(a).length > 0).length;
    // The branch first: main takes the safe part only once the rest is kept for review.
    await keepBranch();
    return applySafePart(context, { branch, cycle, safe, total: built.actions.length, risky, base: built.record.base, ...(beforeMove ? { beforeMove } : {}) });
  }
  try {
    const outcome = await approveBranch(context, { branch, cycle, now, tip: built.tip, ...(beforeMove ? { beforeMove } : {}) });
    // A branch of this name left by a cycle rebuilt in place goes with it.
    if (outcome.merged) await deleteBranch(context.repo, branch).catch(() => undefined);
    return outcome;
  } catch (error) {
    // main and the working tree are as they were; the branch keeps the cycle for a later approval.
    if (!(error instanceof GitStateError)) throw error;
    await keepBranch();
    return { merged: false, message: `left for review, main not moved: ${error.message}; fix that, then \`reverie approve ${cycle}\`` };
  }
}

/**
 * Some actions need a person: main fast-forwards to the last of the safe ones (they come first on the branch) and
 * the branch, with the others and the cycle's bookkeeping, waits for review.
 */
async function applySafePart(
  context: RepoContext,
  part: { branch: string; cycle: string; safe: RecordedAction[]; total: number; risky: number; base: string; beforeMove?: (tip: string) => Promise<void> },
): Promise<ApprovalOutcome & { appliedSafe: number }> {
  const rest = part.total - part.safe.length;
  const why = [`approval.auto is ${context.config.approval.auto.join(', ') || 'empty'}`, ...(part.risky > 0 ? [`${part.risky} high risk by content`] : [])].join('; ');
  const review = `${rest} ${rest === 1 ? 'action needs' : 'actions need'} review (${why}): \`reverie approve ${part.cycle}\` merges ${rest === 1 ? 'it' : 'them'}`;
  const last = part.safe.at(-1)?.commit;
  if (!last) return { merged: false, appliedSafe: 0, message: `waiting for review: ${review}` };
  try {
    await part.beforeMove?.(last);
    await fastForward(context.repo, { branch: context.config.git.main, to: last, expectedOld: part.base });
  } catch (error) {
    if (!(error instanceof GitStateError)) throw error;
    return { merged: false, appliedSafe: 0, message: `left for review, main not moved: ${error.message}` };
  }
  return { merged: false, appliedSafe: part.safe.length, message: `main fast-forwarded over ${part.safe.length} safe ${part.safe.length === 1 ? 'action' : 'actions'} (${short(last)}); ${review}` };
}

/**
 * How many curated entries the plan removes, by any action (a prune's targets, the notes a merge folds into one), and
 * their share of the curated memory (`approval.max_prune_ratio`), as the curate guard counts them.
 */
function pruneShare(plan: Plan, dreamEntries: number): { pruned: number; ratio: number } {
  const pruned = plan.actions.reduce((n, a) => n + effectsOf(a).removed.length, 0);
  return { pruned, ratio: pruned / Math.max(1, dreamEntries) };
}

/** What approveIfAllowed does in auto mode with some actions safe and some not, within the prune ratio: main takes part. */
function goesInPart(context: RepoContext, plan: Plan, dreamEntries: number): boolean {
  if (pruneShare(plan, dreamEntries).ratio > context.config.approval.maxPruneRatio) return false;
  const safe = plan.actions.filter((a) => !needsReview(a, context.config.approval.auto)).length;
  return safe > 0 && safe < plan.actions.length;
}

/**
 * An auto cycle whose run was killed after its branch was written and before main took the safe part: main is still
 * where the cycle began, so it takes that part now, as the run would have. A cycle whose safe part main has (or whose
 * base main has moved past) is left to review as it is.
 */
async function finishSafeParts(context: RepoContext, link: GitHubLink | undefined): Promise<string[]> {
  const lines: string[] = [];
  for (const pending of await pendingCycles(context)) {
    const record = pending.record;
    if (!record?.safe_part || record.base !== (await mainTip(context))) continue;
    const safe = record.actions.filter((a) => a.commit && !needsReview(a, context.config.approval.auto));
    // The safe actions come first on the branch (safeFirst): main can take them by a fast-forward alone.
    if (safe.length === 0 || safe.some((a, i) => record.actions[i] !== a)) continue;
    const risky = record.actions.filter((a) => riskReasons(a).length > 0).length;
    const applied = await applySafePart(context, { branch: pending.branch, cycle: pending.cycle, safe, total: record.actions.length, risky, base: record.base, ...(link ? { beforeMove: pushMainFirst(context, link) } : {}) });
    if (applied.appliedSafe > 0) lines.push(`cycle ${pending.cycle}: ${applied.message}, which an interrupted run had not done yet`);
  }
  return lines;
}

function short(oid: string): string {
  return oid.slice(0, 7);
}

/** The stamp, or the stamp with a suffix when a branch or a recorded cycle already has it (two cycles in one second). */
async function freeCycleId(context: RepoContext, main: string, stamp: string): Promise<string> {
  for (let n = 1; ; n++) {
    const cycle = n === 1 ? stamp : `${stamp}-${n}`;
    const branchTaken = await resolveRef(context.repo, `refs/heads/${cycleBranchName(cycle)}`);
    const recordTaken = await readFileAt(context.repo, main, cyclePath(cycle));
    if (!branchTaken && recordTaken === undefined) return cycle;
  }
}

function actionResult(action: Action, commit: string | null): DreamActionResult {
  return {
    id: action.id,
    type: action.type,
    paths: action.paths,
    summary: action.summary,
    commit,
    evidence: [...new Set(action.evidence.map((e) => e.sessionId))],
    risk: actionRisk(action),
    risk_reasons: riskReasons(action),
  };
}

function joinPath(root: string, path: string): string {
  return root === '' ? path : `${root}/${path}`;
}
