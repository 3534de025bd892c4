import { cyclePath, mergeStates, parseCycleRecord, readState, rememberRejected, stableJson, stateChanges, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import { ReverieError } from '../errors.js';
import { commitChanges, deleteBranch, fastForward, isAncestor, readFileAt, readFilesAt, resolveRef } from '../git/index.js';
import { buildCycle, previewBuild } from './build.js';
import { mainTip, type RepoContext } from './context.js';
import type { DryRun } from './dry-run.js';
import { cycleIdFrom, findPendingCycle, reviewerDropped, type PendingCycle } from './history.js';
import { recheckRecord, testsAtApproval, type TestsAtApproval } from './memory-check.js';
import { actionMessage, stateMessage, subjectOf } from './messages.js';

export interface ApprovalOutcome {
  merged: boolean;
  message: string;
  /** The actions as they landed on main (commits may differ from the branch's after a replay). */
  actions?: RecordedAction[];
  dropped?: CycleRecord['dropped'];
  /** main after approval. */
  main?: string;
  /** What the memory tests held against the cycle as it was made and hold as it is approved; absent without tests. */
  tests?: TestsAtApproval;
}

export interface ApproveOptions {
  branch: string;
  cycle: string;
  now: Date;
  /** Approve only these action ids; the others are replayed out and remembered as rejected. */
  only?: string[];
  except?: string[];
  /**
   * Called with main's new tip before main moves here. On GitHub, approve pushes that tip first: a push that fails
   * (main moved there, GitHub unavailable) leaves main here as it was.
   */
  beforeMove?: (tip: string) => Promise<void>;
  /** The cycle's last commit when no branch points at it yet (a cycle approved as it is made); else the branch's tip. */
  tip?: string;
}

/** A choice of actions that names ids the cycle does not have. */
export class UnknownActionError extends ReverieError {
  override readonly exitCode = 2;
}

/** What an approval works from: the cycle's branch and record, and which of its actions go to main. */
interface Approval {
  tip: string;
  record: CycleRecord;
  main: string;
  /** Actions already on main (auto mode put the safe ones there): neither replayed nor left out. */
  applied: RecordedAction[];
  chosen: RecordedAction[];
  /** Left out at approval, remembered as rejected. */
  left: RecordedAction[];
  /** Every action approved and main not moved since the branch was cut: main fast-forwards to the branch as it is. */
  fastForward: boolean;
}

/** `main`: the commit the approval would be taken on; main's tip unless a dry run says otherwise. */
async function readApproval(context: RepoContext, options: Pick<ApproveOptions, 'branch' | 'cycle' | 'only' | 'except' | 'tip'>, main?: string): Promise<Approval> {
  const { repo } = context;
  const tip = options.tip ?? (await resolveRef(repo, `refs/heads/${options.branch}`));
  if (!tip) throw new UnknownActionError(`branch ${options.branch} does not exist`);
  // The record alone: the state's files (tens of megabytes at 100,000 sessions, just written) only for a replay.
  const recordText = await readFileAt(repo, tip, cyclePath(options.cycle));
  if (!recordText) throw new UnknownActionError(`${options.branch} has no record of cycle ${options.cycle} (${cyclePath(options.cycle)})`);
  const record = JSON.parse(recordText) as CycleRecord;
  main ??= await mainTip(context);
  const applied = await actionsOnMain(context, record, main);
  // Dropped by a reviewer while the cycle waited: not on the branch, remembered as rejected there already.
  const dropped = reviewerDropped(record);
  const chosen = chooseActions(record, options).filter((a) => !applied.includes(a) && !dropped.has(a.id));
  const left = record.actions.filter((a) => !chosen.includes(a) && !applied.includes(a) && !dropped.has(a.id));
  const fastForward = left.length === 0 && (await isAncestor(repo, main, tip));
  return { tip, record, main, applied, chosen, left, fastForward };
}

/**
 * Merges a cycle into main. When main has not moved and every action is approved, main fast-forwards to
 * the branch as it is. Otherwise the chosen actions are replayed on main's tip (an action whose entries
 * changed in the meantime is dropped and reported), and main fast-forwards to that.
 */
export async function approveBranch(context: RepoContext, options: ApproveOptions): Promise<ApprovalOutcome> {
  const { repo, config } = context;
  const approval = await readApproval(context, options);
  const { tip, record, main, applied, chosen, left } = approval;
  const droppedInReview = [...reviewerDropped(record)];
  if (approval.fastForward) {
    await options.beforeMove?.(tip);
    await fastForward(repo, { branch: config.git.main, to: tip, expectedOld: main });
    const tests = testsAtApproval(record, droppedInReview);
    return { merged: true, message: `main fast-forwarded to ${options.branch} (${short(tip)})`, actions: record.actions, dropped: record.dropped, main: tip, ...(tests ? { tests } : {}) };
  }
  const state = readState(await readFilesAt(repo, tip, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] }));
  for (const action of left) rememberRejected(state, action, record.cycle, 'left out at approval');
  const at = options.now.toISOString();
  const decision = left.length > 0 ? { status: 'approved' as const, at, approved: [...applied, ...chosen].map((a) => a.id), rejected: left.map((a) => a.id) } : undefined;
  // Actions left out at approval change what the cycle does: its memory tests answer for what lands.
  const landing = left.length > 0 && (record.memory_tests || record.held_by_tests) ? await recheckRecord(context, record, main, chosen) : record;
  const tests = testsAtApproval(landing, [...droppedInReview, ...left.map((a) => a.id)]);
  const built = await buildCycle(repo, {
    parent: main,
    actions: chosen,
    state,
    record: { ...landing, dropped: record.dropped, ...(decision ? { decision } : {}) },
    memoryRoot: config.memory.root,
    author: config.git.author,
    timestamp: Math.floor(options.now.getTime() / 1000),
    stateSubject: replaySubject(record, chosen, left),
  });
  await options.beforeMove?.(built.tip);
  await fastForward(repo, { branch: config.git.main, to: built.tip, expectedOld: main });
  const replayed = built.skipped.length > 0 ? `; ${built.skipped.length} action(s) no longer applied and were dropped` : '';
  return {
    merged: true,
    message: `main moved to ${short(built.tip)}: ${built.actions.length} action(s) replayed on main${replayed}`,
    actions: built.actions,
    dropped: built.record.dropped,
    main: built.tip,
    ...(tests ? { tests } : {}),
  };
}

function replaySubject(record: CycleRecord, chosen: RecordedAction[], left: RecordedAction[]): string {
  return `record cycle ${record.cycle}${left.length > 0 ? ` (${chosen.length} of ${record.actions.length} actions approved)` : ''}`;
}

/**
 * `reverie approve --dry-run`: what approving would do to main and the branch, computed as approveBranch computes
 * it (a replay included, which actions would no longer apply) without writing anything. `main`: the commit it would
 * be taken on, when that is not main's tip here (main on GitHub is ahead).
 */
export async function planApproval(context: RepoContext, argument: string, options: Pick<ApproveOptions, 'only' | 'except'> & { main?: string } = {}): Promise<DryRun & { cycle: string; branch: string }> {
  const { config, repo } = context;
  const pending = await findPendingCycle(context, argument);
  const { main: on, ...choice } = options;
  const approval = await readApproval(context, { branch: pending.branch, cycle: pending.cycle, ...choice }, on);
  const { tip, record, main, chosen, left } = approval;
  const deleted = { branch: pending.branch, change: 'delete' as const, from: tip, to: null };
  const plan = { command: 'approve' as const, target: pending.cycle, cycle: pending.cycle, branch: pending.branch, first: [], github: [] };
  const leftOut = left.map((a) => `${a.type} ${a.id} left out, and remembered so that it is not proposed again: ${a.summary}`);
  if (approval.fastForward) {
    return { ...plan, refs: [{ branch: config.git.main, change: 'fast-forward', from: main, to: tip }, deleted], commits: [], notes: [] };
  }
  const replay = await previewBuild(repo, { parent: main, actions: chosen, memoryRoot: config.memory.root });
  const commits = [
    ...replay.applied.map(({ action }) => subjectOf(actionMessage(action, record.cycle, record.engine, record.run?.model))),
    subjectOf(stateMessage(record.cycle, record.engine, replaySubject(record, chosen, left))),
  ];
  const dropped = replay.skipped.map(({ action, reason }) => `${action.type} ${action.id} would be dropped: ${reason}`);
  return { ...plan, refs: [{ branch: config.git.main, change: 'new-commits', from: main, to: null }, deleted], commits, notes: [...leftOut, ...dropped] };
}

/** The actions of a cycle whose commits main contains already. */
export async function actionsOnMain(context: RepoContext, record: CycleRecord, main: string): Promise<RecordedAction[]> {
  const applied: RecordedAction[] = [];
  for (const action of record.actions) if (action.commit && (await isAncestor(context.repo, action.commit, main))) applied.push(action);
  return applied;
}

function chooseActions(record: CycleRecord, { only, except }: Pick<ApproveOptions, 'only' | 'except'>): RecordedAction[] {
  const ids = new Set(record.actions.map((a) => a.id));
  const unknown = [...(only ?? []), ...(except ?? [])].filter((id) => !ids.has(id));
  if (unknown.length > 0) {
    throw new UnknownActionError(`cycle ${record.cycle} has no action ${unknown.join(', ')}; its actions are ${[...ids].join(', ') || 'none'}`);
  }
  return record.actions.filter((a) => (only ? only.includes(a.id) : true) && !(except ?? []).includes(a.id));
}

/** `reverie approve`: merge a pending cycle, then delete its branch. */
export async function approveCycle(
  context: RepoContext,
  argument: string,
  options: Pick<ApproveOptions, 'now' | 'only' | 'except' | 'beforeMove'>,
): Promise<ApprovalOutcome & { cycle: string; branch: string }> {
  const pending = await findPendingCycle(context, argument);
  const outcome = await approveBranch(context, { branch: pending.branch, cycle: pending.cycle, ...options });
  await deleteBranch(context.repo, pending.branch);
  return { ...outcome, cycle: pending.cycle, branch: pending.branch };
}

/**
 * `reverie reject`: the cycle's actions are remembered as rejected, its sessions as processed, in one
 * bookkeeping commit on main that touches only `.reverie/`; then the branch goes. `beforeMove` as for approve.
 */
export async function rejectCycle(
  context: RepoContext,
  argument: string,
  options: { now: Date; reason?: string; beforeMove?: (tip: string) => Promise<void> },
): Promise<Rejection> {
  const pending = await findPendingCycle(context, argument);
  const rejection = await recordRejection(context, pending, options);
  await deleteBranch(context.repo, pending.branch);
  return rejection;
}

export interface Rejection {
  cycle: string;
  branch: string;
  /** main after the bookkeeping commit. */
  main: string;
  /** How many actions are remembered as rejected (those not on main already). */
  rejected: number;
}

/**
 * A cycle's rejection as one bookkeeping commit on main that touches only `.reverie/`: its actions remembered as
 * rejected, its record with the decision (and the pull request whose closing it was). The branch is left to the caller.
 */
export async function recordRejection(
  context: RepoContext,
  pending: PendingCycle & { record: CycleRecord },
  options: { now: Date; reason?: string; pull?: number; beforeMove?: (tip: string) => Promise<void> },
): Promise<Rejection> {
  const { repo, config } = context;
  const main = await mainTip(context);
  const rejection = await readRejection(context, pending, main);
  const record: CycleRecord = {
    ...pending.record,
    decision: {
      status: 'rejected',
      at: options.now.toISOString(),
      approved: rejection.applied.map((a) => a.id),
      rejected: rejection.refused.map((a) => a.id),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.pull !== undefined ? { pull: options.pull } : {}),
    },
  };
  const state = rejection.state;
  for (const action of rejection.refused) rememberRejected(state, action, pending.cycle, options.reason);
  const changes = stateChanges(state, rejection.mainFiles);
  changes.set(cyclePath(pending.cycle), stableJson(record));
  const oid = await commitChanges(repo, {
    parent: main,
    changes,
    message: stateMessage(pending.cycle, record.engine, `reject cycle ${pending.cycle}`),
    author: config.git.author,
    timestamp: Math.floor(options.now.getTime() / 1000),
  });
  await options.beforeMove?.(oid);
  await fastForward(repo, { branch: config.git.main, to: oid, expectedOld: main });
  return { cycle: pending.cycle, branch: pending.branch, main: oid, rejected: rejection.refused.length };
}

/** What a rejection works from: the state of branch and main together, and the actions it refuses. */
async function readRejection(context: RepoContext, pending: PendingCycle & { record: CycleRecord }, main: string) {
  const { repo } = context;
  const branchFiles = await readFilesAt(repo, pending.tip, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] });
  const mainFiles = await readFilesAt(repo, main, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] });
  const state = mergeStates(readState(branchFiles), readState(mainFiles));
  const applied = await actionsOnMain(context, pending.record, main);
  const refused = pending.record.actions.filter((a) => !applied.includes(a));
  return { state, applied, refused, mainFiles };
}

/** `reverie reject --dry-run`: the bookkeeping commit it would write on main, and the branch it would delete. */
export async function planRejection(context: RepoContext, argument: string, on?: string): Promise<DryRun & { cycle: string; branch: string }> {
  const pending = await findPendingCycle(context, argument);
  const main = on ?? (await mainTip(context));
  const { refused } = await readRejection(context, pending, main);
  return {
    command: 'reject',
    target: pending.cycle,
    cycle: pending.cycle,
    branch: pending.branch,
    first: [],
    refs: [
      { branch: context.config.git.main, change: 'new-commits', from: main, to: null },
      { branch: pending.branch, change: 'delete', from: pending.tip, to: null },
    ],
    commits: [subjectOf(stateMessage(pending.cycle, pending.record.engine, `reject cycle ${pending.cycle}`))],
    github: [],
    notes: refused.map((a) => `${a.type} ${a.id} remembered as rejected, not proposed again: ${a.summary}`),
  };
}

/**
 * How `main` (a commit: main here, or on GitHub) has decided the cycle, from the cycle's record there: `approved`
 * (merged in any way: the record travels with the cycle's last commit), `rejected`, or undefined while it has not.
 */
export async function decisionAt(context: RepoContext, main: string, argument: string): Promise<'approved' | 'rejected' | undefined> {
  const text = await readFileAt(context.repo, main, cyclePath(cycleIdFrom(argument)));
  if (text === undefined) return undefined;
  return parseCycleRecord(text).decision?.status === 'rejected' ? 'rejected' : 'approved';
}

function short(oid: string): string {
  return oid.slice(0, 7);
}
