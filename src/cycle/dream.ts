import type { Mode } from '../config/index.js';
import { heuristicEngine } from '../dream/engines/heuristic.js';
import { cyclePath, cycleRecord } from '../dream/state.js';
import type { Action, Engine, Plan } from '../dream/types.js';
import { GitStateError, UsageError } from '../errors.js';
import { acquireLock, deleteBranch, readFileAt, resolveRef, updateBranch } from '../git/index.js';
import { observeSession } from '../dream/extract/index.js';
import type { ObservedSession } from '../dream/types.js';
import { streamSessions } from '../sessions/load.js';
import type { ReadWarning } from '../sessions/types.js';
import { approveBranch, type ApprovalOutcome } from './approve.js';
import { buildCycle } from './build.js';
import { openContext, mainTip, readBase, sessionHashCacheFile, type BaseView, type RepoContext } from './context.js';
import { planDiff } from './diff.js';
import { cycleBranchName, cycleStamp, pendingCycles, type PendingCycle } from './history.js';

export interface DreamOptions {
  repoDir: string;
  configFile?: string;
  mode?: Mode;
  engine?: string;
  /** The cycle's clock; tests pass a fixed time. */
  now?: Date;
  /** Called as each phase completes, so a terminal can show progress. */
  onPhase?: (phase: PhaseReport) => void;
}

export type PhaseReport =
  | { phase: 'review'; sessions: number; newSessions: number; memoryFiles: number; entries: number; warnings: ReadWarning[] }
  | { phase: 'extract'; patterns: number; noise: number }
  | { phase: 'curate'; actions: Action[]; dropped: Plan['dropped'] }
  | { phase: 'commit'; branch: string; commits: number }
  | { phase: 'approve'; merged: boolean; reason: string };

export interface DreamActionResult {
  id: string;
  type: Action['type'];
  paths: string[];
  summary: string;
  commit: string | null;
  evidence: string[];
}

export interface DreamResult {
  cycle: string | null;
  branch: string | null;
  base: string;
  mode: Mode;
  merged: boolean;
  actions: DreamActionResult[];
  stats: Plan['stats'] & { warnings: number };
  /** Why nothing was committed, when nothing was. */
  outcome: 'committed' | 'nothing-new' | 'dry-run' | 'pending-review';
  /** What happened at approval (auto) or why the cycle waits (review). */
  approval: string;
  dropped: { id: string; type: Action['type']; summary: string; reason: string }[];
  warnings: ReadWarning[];
  pending: PendingCycle[];
  /** Unified diff of the memory, for dry runs. */
  diff?: string;
}

const ENGINES: Record<string, Engine> = { heuristic: heuristicEngine };

/**
 * One dream cycle: review → extract → curate → commit → approve. Holds the repository's lock throughout
 * (except a dry run, which writes nothing). main moves only at the very end, by a compare-and-set
 * fast-forward, so a failure anywhere leaves main and the working tree as they were.
 */
export async function dream(options: DreamOptions): Promise<DreamResult> {
  const context = await openContext(options.repoDir, options.configFile);
  const mode = options.mode ?? context.config.mode;
  const engine = ENGINES[options.engine ?? context.config.engine];
  if (!engine) throw new UsageError(`unknown engine "${options.engine}"; available: ${Object.keys(ENGINES).join(', ')}`);
  const release = mode === 'dry-run' ? () => undefined : await acquireLock(context.repo, { purpose: 'dream' });
  try {
    return await runCycle(context, engine, mode, options);
  } finally {
    release();
  }
}

async function runCycle(context: RepoContext, engine: Engine, mode: Mode, options: DreamOptions): Promise<DreamResult> {
  const now = options.now ?? new Date();
  const base = await mainTip(context);
  const pending = await pendingCycles(context);
  if (pending.length > 0 && mode !== 'dry-run') return pendingResult(base, mode, pending);

  const inputs = await review(context, base, options);
  const empty = emptyResult(base, mode, pending, inputs.warnings, inputs.totalSessions);
  const cycle = await freeCycleId(context, base, cycleStamp(now));
  const plan = await engine.plan({
    cycle,
    sessions: inputs.sessions,
    totalSessions: inputs.totalSessions,
    memory: inputs.memory,
    state: inputs.state,
    options: { minSessions: context.config.extract.minSessions, inbox: joinPath(context.config.memory.root, context.config.memory.inbox), now: now.toISOString() },
  });
  options.onPhase?.({ phase: 'extract', patterns: plan.stats.patterns, noise: plan.stats.noise });
  options.onPhase?.({ phase: 'curate', actions: plan.actions, dropped: plan.dropped });
  const summary: DreamResult = {
    ...empty,
    cycle,
    stats: { ...plan.stats, warnings: inputs.warnings.length },
    dropped: plan.dropped.map((d) => ({ id: d.action.id, type: d.action.type, summary: d.action.summary, reason: d.reason })),
    actions: plan.actions.map((a) => actionResult(a, null)),
  };

  if (mode === 'dry-run') {
    return { ...summary, outcome: 'dry-run', approval: 'dry run: nothing written', diff: await planDiff(context, base, plan.actions) };
  }
  if (plan.actions.length === 0 && inputs.sessions.length === 0) {
    return { ...summary, cycle: null, outcome: 'nothing-new', approval: 'nothing new' };
  }
  return commitAndApprove(context, { mode, base, now, plan, summary, inputs }, options);
}

interface Reviewed {
  memory: BaseView['memory'];
  state: BaseView['state'];
  sessions: ObservedSession[];
  totalSessions: number;
  warnings: ReadWarning[];
}

/** Phase 1: the memory and state at main's commit, and the sessions not processed yet. */
async function review(context: RepoContext, base: string, options: DreamOptions): Promise<Reviewed> {
  const { memory, state } = await readBase(context, base);
  const skipHashes = new Set(Object.keys(state.processed));
  // Each session is observed as it is read and let go: a cycle over 10,000 logs never holds them all.
  const sessions: ObservedSession[] = [];
  const loaded = await streamSessions(
    { repoDir: context.repo.dir, sources: context.config.sessions, skipHashes, hashCacheFile: sessionHashCacheFile(context) },
    (session) => sessions.push(observeSession(session)),
  );
  const totalSessions = loaded.read + loaded.skipped;
  const entries = memory.files.reduce((n, f) => n + f.entries.length, 0);
  options.onPhase?.({ phase: 'review', sessions: totalSessions, newSessions: loaded.read, memoryFiles: memory.files.length, entries, warnings: loaded.warnings });
  return { memory, state, sessions, totalSessions, warnings: loaded.warnings };
}

/** Phases 4 and 5: the branch with one commit per action, then approval as the mode says. */
async function commitAndApprove(
  context: RepoContext,
  cycleInfo: { mode: Mode; base: string; now: Date; plan: Plan; summary: DreamResult; inputs: Reviewed },
  options: DreamOptions,
): Promise<DreamResult> {
  const { mode, base, now, plan, summary, inputs } = cycleInfo;
  const { repo, config } = context;
  const branch = cycleBranchName(plan.cycle);
  const built = await buildCycle(repo, {
    parent: base,
    actions: plan.actions,
    state: plan.state,
    record: cycleRecord(plan, { branch, base, mode, created: now.toISOString(), warnings: inputs.warnings.length }),
    memoryRoot: config.memory.root,
    author: config.git.author,
    timestamp: Math.floor(now.getTime() / 1000),
    stateSubject: `record cycle ${plan.cycle}`,
  });
  await updateBranch(repo, branch, built.tip, { expectedOld: null });
  options.onPhase?.({ phase: 'commit', branch, commits: built.actions.length + 1 });

  const dreamEntries = inputs.memory.files.filter((f) => f.policy === 'dream').reduce((n, f) => n + f.entries.length, 0);
  const approval = await approveIfAllowed(context, mode, branch, plan, { applied: built.actions.length, dreamEntries }, now);
  options.onPhase?.({ phase: 'approve', merged: approval.merged, reason: approval.message });
  const landed = approval.merged && approval.actions ? approval.actions : built.actions;
  return {
    ...summary,
    branch,
    outcome: 'committed',
    merged: approval.merged,
    approval: approval.message,
    actions: landed.map((a) => actionResult(a, a.commit ?? null)),
    dropped: (approval.merged ? approval.dropped : undefined) ?? built.record.dropped,
  };
}

function pendingResult(base: string, mode: Mode, pending: PendingCycle[]): DreamResult {
  const first = pending[0]?.cycle;
  const list = pending.map((p) => p.cycle).join(', ');
  return {
    ...emptyResult(base, mode, pending, [], 0),
    outcome: 'pending-review',
    approval: `cycle ${list} is waiting for review: run \`reverie approve ${first}\` or \`reverie reject ${first}\` first`,
  };
}

/**
 * auto: fast-forward main unless the cycle prunes more than the configured share of memory.
 * A cycle with no actions only records bookkeeping, which never needs a person's review.
 */
async function approveIfAllowed(
  context: RepoContext,
  mode: Mode,
  branch: string,
  plan: Plan,
  counts: { applied: number; dreamEntries: number },
  now: Date,
): Promise<ApprovalOutcome> {
  const cycle = plan.cycle;
  const bookkeepingOnly = counts.applied === 0;
  if (mode === 'review' && !bookkeepingOnly) {
    return { merged: false, message: `waiting for review: \`reverie approve ${cycle}\` merges it, \`reverie reject ${cycle}\` drops it` };
  }
  const pruned = plan.actions.filter((a) => a.type === 'prune').reduce((n, a) => n + a.targets.length, 0);
  const ratio = pruned / Math.max(1, counts.dreamEntries);
  if (!bookkeepingOnly && ratio > context.config.approval.maxPruneRatio) {
    return {
      merged: false,
      message: `sent to review: it prunes ${pruned} of ${counts.dreamEntries} curated entries (${Math.round(ratio * 100)}%), more than approval.max_prune_ratio (${context.config.approval.maxPruneRatio}); \`reverie approve ${cycle}\` merges it`,
    };
  }
  try {
    const outcome = await approveBranch(context, { branch, cycle, now });
    if (outcome.merged) await deleteBranch(context.repo, branch).catch(() => undefined);
    return outcome;
  } catch (error) {
    // main and the working tree are as they were; the branch keeps the cycle for a later approval.
    if (!(error instanceof GitStateError)) throw error;
    return { merged: false, message: `left for review, main not moved: ${error.message}; fix that, then \`reverie approve ${cycle}\`` };
  }
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

function emptyResult(base: string, mode: Mode, pending: PendingCycle[], warnings: ReadWarning[], sessions: number): DreamResult {
  return {
    cycle: null,
    branch: null,
    base,
    mode,
    merged: false,
    actions: [],
    stats: { sessions, new_sessions: 0, patterns: 0, noise: 0, entries: 0, tokens_before: 0, tokens_after: 0, warnings: warnings.length },
    outcome: 'nothing-new',
    approval: 'nothing new',
    dropped: [],
    warnings,
    pending,
  };
}

function actionResult(action: Action, commit: string | null): DreamActionResult {
  return {
    id: action.id,
    type: action.type,
    paths: action.paths,
    summary: action.summary,
    commit,
    evidence: [...new Set(action.evidence.map((e) => e.sessionId))],
  };
}

function joinPath(root: string, path: string): string {
  return root === '' ? path : `${root}/${path}`;
}
