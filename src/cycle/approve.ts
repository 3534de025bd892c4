import { cyclePath, mergeStates, readState, rememberRejected, stableJson, stateFiles, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import { ReverieError } from '../errors.js';
import { commitChanges, deleteBranch, fastForward, isAncestor, readFilesAt, resolveRef } from '../git/index.js';
import { buildCycle } from './build.js';
import { mainTip, type RepoContext } from './context.js';
import { findPendingCycle, type PendingCycle } from './history.js';
import { stateMessage } from './messages.js';

export interface ApprovalOutcome {
  merged: boolean;
  message: string;
  /** The actions as they landed on main (commits may differ from the branch's after a replay). */
  actions?: RecordedAction[];
  dropped?: CycleRecord['dropped'];
  /** main after approval. */
  main?: string;
}

export interface ApproveOptions {
  branch: string;
  cycle: string;
  now: Date;
  /** Approve only these action ids; the others are replayed out and remembered as rejected. */
  only?: string[];
  except?: string[];
}

/** A choice of actions that names ids the cycle does not have. */
export class UnknownActionError extends ReverieError {
  override readonly exitCode = 2;
}

/**
 * Merges a cycle into main. When main has not moved and every action is approved, main fast-forwards to
 * the branch as it is. Otherwise the chosen actions are replayed on main's tip (an action whose entries
 * changed in the meantime is dropped and reported), and main fast-forwards to that.
 */
export async function approveBranch(context: RepoContext, options: ApproveOptions): Promise<ApprovalOutcome> {
  const { repo, config } = context;
  const tip = await resolveRef(repo, `refs/heads/${options.branch}`);
  if (!tip) throw new UnknownActionError(`branch ${options.branch} does not exist`);
  const files = await readFilesAt(repo, tip, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] });
  const recordText = files.get(cyclePath(options.cycle));
  if (!recordText) throw new UnknownActionError(`${options.branch} has no record of cycle ${options.cycle} (${cyclePath(options.cycle)})`);
  const record = JSON.parse(recordText) as CycleRecord;
  const main = await mainTip(context);
  // Auto mode may have put the cycle's safe actions on main already: they are neither replayed nor left out.
  const applied = await actionsOnMain(context, record, main);
  const chosen = chooseActions(record, options).filter((a) => !applied.includes(a));
  const whole = chosen.length + applied.length === record.actions.length;
  if (whole && (await isAncestor(repo, main, tip))) {
    await fastForward(repo, { branch: config.git.main, to: tip, expectedOld: main });
    return { merged: true, message: `main fast-forwarded to ${options.branch} (${short(tip)})`, actions: record.actions, dropped: record.dropped, main: tip };
  }
  const left = record.actions.filter((a) => !chosen.includes(a) && !applied.includes(a));
  const state = readState(files);
  for (const action of left) rememberRejected(state, action, record.cycle, 'left out at approval');
  const at = options.now.toISOString();
  const decision = left.length > 0 ? { status: 'approved' as const, at, approved: [...applied, ...chosen].map((a) => a.id), rejected: left.map((a) => a.id) } : undefined;
  const built = await buildCycle(repo, {
    parent: main,
    actions: chosen,
    state,
    record: { ...record, dropped: record.dropped, ...(decision ? { decision } : {}) },
    memoryRoot: config.memory.root,
    author: config.git.author,
    timestamp: Math.floor(options.now.getTime() / 1000),
    stateSubject: `record cycle ${record.cycle}${left.length > 0 ? ` (${chosen.length} of ${record.actions.length} actions approved)` : ''}`,
  });
  await fastForward(repo, { branch: config.git.main, to: built.tip, expectedOld: main });
  const replayed = built.skipped.length > 0 ? `; ${built.skipped.length} action(s) no longer applied and were dropped` : '';
  return {
    merged: true,
    message: `main moved to ${short(built.tip)}: ${built.actions.length} action(s) replayed on main${replayed}`,
    actions: built.actions,
    dropped: built.record.dropped,
    main: built.tip,
  };
}

/** The actions of a cycle whose commits main contains already. */
export async function actionsOnMain(context: RepoContext, record: CycleRecord, main: string): Promise<RecordedAction[]> {
  const applied: RecordedAction[] = [];
  for (const action of record.actions) if (action.commit && (await isAncestor(context.repo, action.commit, main))) applied.push(action);
  return applied;
}

function chooseActions(record: CycleRecord, { only, except }: ApproveOptions): RecordedAction[] {
  const ids = new Set(record.actions.map((a) => a.id));
  const unknown = [...(only ?? []), ...(except ?? [])].filter((id) => !ids.has(id));
  if (unknown.length > 0) {
    throw new UnknownActionError(`cycle ${record.cycle} has no action ${unknown.join(', ')}; its actions are ${[...ids].join(', ') || 'none'}`);
  }
  return record.actions.filter((a) => (only ? only.includes(a.id) : true) && !(except ?? []).includes(a.id));
}

/** `reverie approve`: merge a pending cycle, then delete its branch. */
export async function approveCycle(context: RepoContext, argument: string, options: { now: Date; only?: string[]; except?: string[] }): Promise<ApprovalOutcome & { cycle: string; branch: string }> {
  const pending = await findPendingCycle(context, argument);
  const outcome = await approveBranch(context, { branch: pending.branch, cycle: pending.cycle, ...options });
  await deleteBranch(context.repo, pending.branch);
  return { ...outcome, cycle: pending.cycle, branch: pending.branch };
}

/**
 * `reverie reject`: the cycle's actions are remembered as rejected, its sessions as processed, in one
 * bookkeeping commit on main that touches only `.reverie/`; then the branch goes.
 */
export async function rejectCycle(context: RepoContext, argument: string, options: { now: Date; reason?: string }): Promise<Rejection> {
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
  options: { now: Date; reason?: string; pull?: number },
): Promise<Rejection> {
  const { repo, config } = context;
  const main = await mainTip(context);
  const branchFiles = await readFilesAt(repo, pending.tip, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] });
  const mainFiles = await readFilesAt(repo, main, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] });
  const state = mergeStates(readState(branchFiles), readState(mainFiles));
  const applied = await actionsOnMain(context, pending.record, main);
  const refused = pending.record.actions.filter((a) => !applied.includes(a));
  for (const action of refused) rememberRejected(state, action, pending.cycle, options.reason);
  const record: CycleRecord = {
    ...pending.record,
    decision: {
      status: 'rejected',
      at: options.now.toISOString(),
      approved: applied.map((a) => a.id),
      rejected: refused.map((a) => a.id),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.pull !== undefined ? { pull: options.pull } : {}),
    },
  };
  const changes = new Map<string, string | null>(stateFiles(state));
  changes.set(cyclePath(pending.cycle), stableJson(record));
  const oid = await commitChanges(repo, {
    parent: main,
    changes,
    message: stateMessage(pending.cycle, record.engine, `reject cycle ${pending.cycle}`),
    author: config.git.author,
    timestamp: Math.floor(options.now.getTime() / 1000),
  });
  await fastForward(repo, { branch: config.git.main, to: oid, expectedOld: main });
  return { cycle: pending.cycle, branch: pending.branch, main: oid, rejected: refused.length };
}

function short(oid: string): string {
  return oid.slice(0, 7);
}
