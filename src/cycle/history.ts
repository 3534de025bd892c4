import { cyclePath, parseCycleRecord, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import { GitStateError } from '../errors.js';
import { isAncestor, listBranches, resolveRef } from '../git/repo.js';
import { blobOidAt, listFilesAt, readBlobText, readFileAt } from '../git/tree.js';
import { mainTip, type RepoContext } from './repo-context.js';
import { readMainHistory, type MainHistory } from './main-history.js';
import { KeptByOid, readCached, writeCached } from '../util/read-cache.js';
import { localeOrder } from '../util/order.js';

export const BRANCH_PREFIX = 'reverie/dream-';

/** `20261124-172546`: the cycle's UTC start, which also names its branch. */
export function cycleStamp(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

export function cycleBranchName(cycle: string): string {
  return `${BRANCH_PREFIX}${cycle}`;
}

/** Accepts `20261124-172546`, `dream-20261124-172546` or the branch name. */
export function cycleIdFrom(argument: string): string {
  return argument.replace(/^refs\/heads\//, '').replace(/^reverie\//, '').replace(/^dream-/, '');
}

export interface PendingCycle {
  cycle: string;
  branch: string;
  tip: string;
  record?: CycleRecord;
}

/**
 * Dream branches main has not taken in yet: cycles waiting for a decision. A branch is taken in when main contains
 * its tip (a fast-forward or a merge commit) or holds its cycle record (squashed or rebased on GitHub, which gives
 * the commits new ids; or rejected).
 */
export async function pendingCycles(context: RepoContext, remote: ReadonlyMap<string, string> = new Map()): Promise<PendingCycle[]> {
  const main = await mainTip(context);
  const pending: PendingCycle[] = [];
  const branches = new Set([...(await listBranches(context.repo, BRANCH_PREFIX)), ...[...remote.keys()].filter((b) => b.startsWith(BRANCH_PREFIX))]);
  for (const branch of branches) {
    const tip = await newestTip(context, branch, remote.get(branch));
    const cycle = branch.slice(BRANCH_PREFIX.length);
    if (!tip || (await blobOidAt(context.repo, main, cyclePath(cycle))) || (await isAncestor(context.repo, tip, main))) continue;
    const text = await readFileAt(context.repo, tip, cyclePath(cycle));
    pending.push({ cycle, branch, tip, ...(text ? { record: parseCycleRecord(text) } : {}) });
  }
  return pending.sort((a, b) => localeOrder(a.cycle, b.cycle));
}

/**
 * A branch's tip here or on the remote (its objects fetched already), whichever has the other's commits: a reviewer's
 * commits on GitHub, or reverie's own not yet pushed. Diverged, this clone's own wins; publishing says so.
 */
export async function newestTip(context: RepoContext, branch: string, remote: string | undefined): Promise<string | undefined> {
  const local = await resolveRef(context.repo, `refs/heads/${branch}`);
  if (!local || !remote || local === remote) return local ?? remote;
  return (await isAncestor(context.repo, local, remote)) ? remote : local;
}

/** The pending cycle named by the user, or an error that lists the ones there are. */
export async function findPendingCycle(context: RepoContext, argument: string, remote?: ReadonlyMap<string, string>): Promise<PendingCycle & { record: CycleRecord }> {
  const cycle = cycleIdFrom(argument);
  const pending = await pendingCycles(context, remote);
  const found = pending.find((p) => p.cycle === cycle);
  if (!found?.record) {
    const list = pending.map((p) => p.cycle).join(', ') || 'none';
    throw new GitStateError(`no pending cycle "${argument}" (pending: ${list}); see \`reverie status\``);
  }
  return found as PendingCycle & { record: CycleRecord };
}

/**
 * Where a cycle stands: `pending` (its branch waits), `rejected` (as a whole), `approved` (some or all of its actions
 * reached main), or `reverted` (everything that reached main was reverted since).
 */
export type CycleState = 'pending' | 'approved' | 'rejected' | 'reverted';

/**
 * Where an action stands: `pending`, `applied` (on main), `reverted` (on main, then undone by a revert commit),
 * `rejected` (with its cycle, left out at approval, or reverted on the branch before the merge), or `dropped` (it no
 * longer applied when the cycle was replayed on a main that had moved).
 */
export type ActionState = 'pending' | 'applied' | 'rejected' | 'dropped' | 'reverted';

export interface ActionView {
  id: string;
  type: string;
  paths: string[];
  summary: string;
  /** The commit that carries the action: on main once approved (however it was merged), on its branch while pending. */
  commit: string | null;
  status: ActionState;
  /** Session ids. */
  evidence: string[];
  /** When main got the action (ISO). */
  applied_at: string | null;
  /** The revert commit that undid the action. */
  reverted_by: string | null;
  /** When main got that revert (ISO). */
  reverted_at: string | null;
}

/** How many of a cycle's actions stand where. */
export interface ActionCounts {
  actions: number;
  /** Reached main (applied or reverted since). */
  approved: number;
  reverted: number;
  rejected: number;
  dropped: number;
  pending: number;
}

export interface CycleView {
  cycle: string;
  status: CycleState;
  /** Approved with some actions left out or dropped. */
  partial: boolean;
  /** Some, not all, of the actions that reached main were reverted. */
  partly_reverted: boolean;
  counts: ActionCounts;
  /** The status in words: `approved (3 of 4)`, `approved, 1 of 3 reverted`, ... */
  label: string;
  created: string;
  engine: string;
  mode: string;
  branch: string;
  stats: CycleRecord['stats'];
  reason?: string;
  actions: ActionView[];
}

/** Every cycle main knows of, plus the pending ones, newest first, with the commits that carry each action on main. */
export async function listCycles(context: RepoContext, remote?: ReadonlyMap<string, string>): Promise<CycleView[]> {
  const main = await mainTip(context);
  const views = await settledCycles(context, main);
  for (const pending of await pendingCycles(context, remote)) if (pending.record) views.push(pendingCycle(pending.record));
  return views.sort((a, b) => localeOrder(b.created, a.created) || localeOrder(b.cycle, a.cycle));
}

/**
 * The cycles recorded at `main`, each action's fate read from main's history: a function of the commit alone, so the
 * command line keeps the answer for the commit (util/read-cache.ts) and the next `log` or `stats` on the same main
 * reads one file instead of every commit and record again.
 */
async function settledCycles({ repo }: RepoContext, main: string): Promise<CycleView[]> {
  const cached = readCached<CycleView[]>(repo.gitdir, 'settled-cycles', main);
  if (cached) return cached;
  // The records by blob id, kept between runs like main's commits (main-history.ts): a cycle adds one record.
  const files = (await listFilesAt(repo, main, '', { under: [`${STATE_DIR}/cycles`] })).filter((f) => f.path.startsWith(`${STATE_DIR}/cycles/`) && f.path.endsWith('.json'));
  const records = new KeptByOid<string>(repo.gitdir, 'main-records');
  const recorded = await Promise.all(files.map((file) => records.get(file.oid, () => readBlobText(repo, file.oid))));
  records.keep();
  const history = await readMainHistory(repo, main);
  const views = recorded.map((text) => settledCycle(parseCycleRecord(text), history));
  writeCached(repo.gitdir, 'settled-cycles', main, views);
  return views;
}

/** A cycle decided on: each action's fate, from the record's decision and from what main's commits carry. */
export function settledCycle(record: CycleRecord, history: MainHistory): CycleView {
  const rejectedWhole = record.decision?.status === 'rejected';
  const leftOut = new Set([...(record.decision?.rejected ?? []), ...reviewerDropped(record)]);
  const bookkeeping = history.states.get(record.cycle);
  const actions = record.actions.map((action): ActionView => {
    const key = `${record.cycle}/${action.id}`;
    const landing = history.actions.get(key);
    const revert = history.reverts.get(key);
    // A revert that main got with the cycle itself (on the branch before a merge or squash) left the action out.
    const revertedBeforeMerge = revert !== undefined && (bookkeeping ? revert.position <= bookkeeping.position : revert.landed === landing?.landed);
    const status: ActionState =
      rejectedWhole || leftOut.has(action.id) || revertedBeforeMerge ? 'rejected' : !landing ? 'dropped' : revert ? 'reverted' : 'applied';
    return {
      ...actionBasics(action),
      commit: landing?.commit ?? null,
      status,
      applied_at: landing && !revertedBeforeMerge ? isoTime(landing.time) : null,
      reverted_by: revert?.commit ?? null,
      reverted_at: revert ? isoTime(revert.time) : null,
    };
  });
  return cycleView(record, actions, rejectedWhole ? 'rejected' : 'approved');
}

/** Ids of the actions a reviewer dropped while the cycle waited: rejected, whatever happens to the rest. */
export function reviewerDropped(record: CycleRecord): Set<string> {
  return new Set((record.reviewer_drops ?? []).map((d) => d.id));
}

function pendingCycle(record: CycleRecord): CycleView {
  const dropped = reviewerDropped(record);
  const actions = record.actions.map((a): ActionView => ({ ...actionBasics(a), commit: a.commit ?? null, status: dropped.has(a.id) ? 'rejected' : 'pending', applied_at: null, reverted_by: null, reverted_at: null }));
  return cycleView(record, actions, 'pending');
}

function actionBasics(action: RecordedAction): Pick<ActionView, 'id' | 'type' | 'paths' | 'summary' | 'evidence'> {
  return { id: action.id, type: action.type, paths: action.paths, summary: action.summary, evidence: [...new Set(action.evidence.map((e) => e.sessionId))] };
}

function cycleView(record: CycleRecord, actions: ActionView[], decided: 'pending' | 'approved' | 'rejected'): CycleView {
  const counts = countActions(actions);
  const allReverted = decided === 'approved' && counts.approved > 0 && counts.reverted === counts.approved;
  const status: CycleState = allReverted ? 'reverted' : decided;
  const partial = decided === 'approved' && counts.approved < counts.actions;
  const partlyReverted = counts.reverted > 0 && counts.reverted < counts.approved;
  return {
    cycle: record.cycle,
    status,
    partial,
    partly_reverted: partlyReverted,
    counts,
    label: stateLabel(status, partial, counts),
    created: record.created,
    engine: record.engine,
    mode: record.mode,
    branch: record.branch,
    stats: record.stats,
    ...(record.decision?.reason ? { reason: record.decision.reason } : {}),
    actions,
  };
}

function countActions(actions: ActionView[]): ActionCounts {
  const count = (...states: ActionState[]) => actions.filter((a) => states.includes(a.status)).length;
  return {
    actions: actions.length,
    approved: count('applied', 'reverted'),
    reverted: count('reverted'),
    rejected: count('rejected'),
    dropped: count('dropped'),
    pending: count('pending'),
  };
}

/** `approved`, `approved (3 of 4)`, `approved, 1 of 3 reverted`, `reverted (approved 3 of 4)`, `rejected`, `pending`. */
export function stateLabel(status: CycleState, partial: boolean, counts: ActionCounts): string {
  const share = `${counts.approved} of ${counts.actions}`;
  if (status === 'reverted') return partial ? `reverted (approved ${share})` : 'reverted';
  if (status !== 'approved') return status;
  const approved = partial ? `approved (${share})` : 'approved';
  return counts.reverted > 0 ? `${approved}, ${counts.reverted} of ${counts.approved} reverted` : approved;
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
