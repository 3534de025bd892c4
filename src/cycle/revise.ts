/**
 * A waiting cycle revised by its reviewer: some actions dropped, some dropped ones kept after all. The branch is
 * rebuilt from the cycle's own base with one commit per action it still has (the actions before the first change keep
 * their commits, since a commit is made of its parent, content, message and time), the dropped ones are remembered
 * as rejected in the cycle's state, and the record says who dropped what. Nothing but the cycle's branch moves.
 */
import { forgetRejected, readState, rememberRejected, STATE_DIR, type CycleRecord, type RecordedAction, type ReviewerDrop } from '../dream/state.js';
import { GitStateError } from '../errors.js';
import { readFilesAt, readLog, updateBranch } from '../git/index.js';
import { actionsOnMain, rejectCycle, UnknownActionError, type Rejection } from './approve.js';
import { buildCycle, type BuildResult } from './build.js';
import { mainTip, type RepoContext } from './context.js';
import { droppedOnBranch } from './dropped.js';
import { findPendingCycle, type PendingCycle } from './history.js';
import { recheckLine, recheckRecord } from './memory-check.js';
import { closeCyclePull, publishCycle, type GitHubLink } from './publish.js';
import { pushMainFirst } from './settle.js';
import { actionMarks, revertMark } from './trailers.js';

export interface Revision {
  drop?: readonly string[];
  keep?: readonly string[];
  /** Who asked: a GitHub login, or a name on the command line. */
  by: string;
  via: ReviewerDrop['via'];
  now: Date;
  /** The pull request the request came from, kept with each drop. */
  pull?: number;
}

export interface Revised {
  cycle: string;
  branch: string;
  /** The branch's tip before and after; equal when nothing changed. */
  from: string;
  tip: string;
  record: CycleRecord;
  dropped: RecordedAction[];
  kept: RecordedAction[];
  /** Ids asked for that were already as asked (dropped already, or never dropped), with what they are. */
  unchanged: { id: string; state: 'dropped' | 'in' }[];
  /** Actions that no longer apply once others are gone (they built on a dropped one), with the reason. */
  skipped: BuildResult['skipped'];
  /** Actions the branch still proposes. */
  remaining: RecordedAction[];
  /** What the revision did to the memory tests (made again for the actions left), when it changed anything there. */
  tests?: string;
}

/**
 * Drops and keeps actions of a waiting cycle. Refuses ids the cycle does not have, actions already on main (auto mode
 * applied them: `reverie revert` undoes those), and a branch with commits reverie did not make other than reverts,
 * which a rebuild would lose. `expectedTip`: the tip the request was made against (the pull request's head), so that
 * a request never rewrites commits its sender did not see.
 */
export async function reviseCycle(context: RepoContext, argument: string, revision: Revision, expectedTip?: string): Promise<Revised> {
  const pending = await findPendingCycle(context, argument);
  const { record, tip, branch, cycle } = pending;
  if (expectedTip && expectedTip !== tip) throw new GitStateError(`${branch} moved (now ${tip.slice(0, 7)}, the request saw ${expectedTip.slice(0, 7)}); try again on the pull request as it is now`);
  await refuseForeignCommits(context, pending);
  const drops = new Map((record.reviewer_drops ?? []).map((d) => [d.id, d]));
  // Actions reverted on the branch are drops too: the rebuild keeps them out instead of carrying the reverts.
  for (const action of await droppedOnBranch(context.repo, { tip, main: record.base, cycle })) {
    if (!drops.has(action.id)) drops.set(action.id, { id: action.id, by: revision.by, at: revision.now.toISOString(), via: 'command', ...(revision.pull ? { pull: revision.pull } : {}) });
  }
  const asked = checkIds(record, [...(revision.drop ?? []), ...(revision.keep ?? [])]);
  await refuseApplied(context, record, revision.drop ?? []);
  const unchanged: Revised['unchanged'] = [];
  const dropped: RecordedAction[] = [];
  const kept: RecordedAction[] = [];
  for (const id of revision.drop ?? []) {
    if (drops.has(id)) unchanged.push({ id, state: 'dropped' });
    else {
      drops.set(id, { id, by: revision.by, at: revision.now.toISOString(), via: revision.via, ...(revision.pull ? { pull: revision.pull } : {}) });
      dropped.push(asked.get(id)!);
    }
  }
  for (const id of revision.keep ?? []) {
    if (!drops.has(id)) unchanged.push({ id, state: 'in' });
    else {
      drops.delete(id);
      kept.push(asked.get(id)!);
    }
  }
  const remainingNow = record.actions.filter((a) => !drops.has(a.id) && a.commit !== undefined);
  if (dropped.length === 0 && kept.length === 0 && drops.size === (record.reviewer_drops ?? []).length) {
    return { cycle, branch, from: tip, tip, record, dropped, kept, unchanged, skipped: [], remaining: remainingNow };
  }
  const built = await rebuild(context, pending, { drops: [...drops.values()], dropped, kept, reason: dropReason(revision), at: revision.now.toISOString() });
  await updateBranch(context.repo, branch, built.tip, { expectedOld: tip });
  const remaining = built.record.actions.filter((a) => a.commit !== undefined);
  const tests = recheckLine(record, built.record);
  return { cycle, branch, from: tip, tip: built.tip, record: built.record, dropped, kept, unchanged, skipped: built.skipped, remaining, ...(tests ? { tests } : {}) };
}

function dropReason({ by, via, pull }: Revision): string {
  const where = via === 'checkbox' ? `unticked on pull request #${pull}` : via === 'comment' ? `dropped in a comment on pull request #${pull}` : 'dropped';
  return `${where} by ${by}`;
}

/** The cycle's branch built again from its base without the dropped actions, its state remembering them as rejected. */
async function rebuild(
  context: RepoContext,
  pending: PendingCycle & { record: CycleRecord },
  change: { drops: ReviewerDrop[]; dropped: RecordedAction[]; kept: RecordedAction[]; reason: string; at: string },
): Promise<BuildResult> {
  const { record, tip, cycle } = pending;
  const state = readState(await readFilesAt(context.repo, tip, (p) => p.startsWith(`${STATE_DIR}/`), { under: [STATE_DIR] }));
  for (const action of change.dropped) rememberRejected(state, action, cycle, change.reason);
  for (const action of change.kept) forgetRejected(state, action, cycle);
  const out = new Set(change.drops.map((d) => d.id));
  // An action an earlier build could not apply is tried again: it may have clashed with one dropped now.
  const actions = record.actions.filter((a) => !out.has(a.id));
  // The memory tests answer for the actions that remain: a case only a dropped action broke is no longer broken.
  const { reviewer_drops: _before, ...rest } = await recheckRecord(context, record, record.base, actions);
  return buildCycle(context.repo, {
    parent: record.base,
    actions,
    state,
    record: { ...rest, ...(change.drops.length > 0 ? { reviewer_drops: change.drops } : {}), dropped: refusedByGuards(record), revised_at: change.at },
    memoryRoot: context.config.memory.root,
    author: context.config.git.author,
    // The cycle's own time: the commits before the first change come out as they were.
    timestamp: Math.floor(Date.parse(record.created) / 1000),
    stateSubject: `record cycle ${cycle}${change.drops.length > 0 ? ` (${record.actions.length - change.drops.length} of ${record.actions.length} actions after review)` : ''}`,
  });
}

/**
 * The record's `dropped` entries of actions reverie's guards refused (never among its actions), without those a build
 * could not apply (among its actions, without a commit), which the rebuild works out again.
 */
function refusedByGuards(record: CycleRecord): CycleRecord['dropped'] {
  const proposed = new Set(record.actions.map((a) => a.id));
  return record.dropped.filter((d) => !proposed.has(d.id));
}

function checkIds(record: CycleRecord, ids: readonly string[]): Map<string, RecordedAction> {
  const byId = new Map(record.actions.map((a) => [a.id, a]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length === 0) return byId;
  const refused = unknown.filter((id) => record.dropped.some((d) => d.id === id));
  const why = refused.length > 0 ? ` (${refused.join(', ')} ${refused.length === 1 ? 'was' : 'were'} refused by reverie's guards and never on the branch)` : '';
  throw new UnknownActionError(`cycle ${record.cycle} has no action ${unknown.join(', ')}${why}; its actions are ${[...byId.keys()].join(', ') || 'none'}`);
}

async function refuseApplied(context: RepoContext, record: CycleRecord, ids: readonly string[]): Promise<void> {
  const applied = (await actionsOnMain(context, record, await mainTip(context))).filter((a) => ids.includes(a.id));
  if (applied.length > 0) {
    throw new GitStateError(`action ${applied.map((a) => a.id).join(', ')} of cycle ${record.cycle} is on main already (applied without review); \`reverie revert ${record.cycle}/${applied[0]!.id}\` undoes it`);
  }
}

/**
 * A rebuild makes the branch again from the cycle's record: a commit a person added (an edit of an entry, a fix)
 * would be lost, so such a branch is left to that person. Reverts of the cycle's actions are the one kind of commit a
 * rebuild takes in, as drops.
 */
async function refuseForeignCommits(context: RepoContext, { tip, record, branch, cycle }: PendingCycle & { record: CycleRecord }): Promise<void> {
  const commits = await readLog(context.repo, tip, { since: record.base });
  const foreign = commits.filter((c) => !actionMarks(c.message).some((m) => m.cycle === cycle) && !revertMark(c.message));
  if (foreign.length === 0) return;
  const listed = foreign.slice(0, 3).map((c) => `${c.oid.slice(0, 7)} "${c.message.split('\n', 1)[0]}"`).join(', ');
  throw new GitStateError(
    `${branch} has ${foreign.length === 1 ? 'a commit' : `${foreign.length} commits`} reverie did not make (${listed}); rebuilding it would lose ${foreign.length === 1 ? 'it' : 'them'}, so reverie leaves this branch as it is: drop an action by reverting its commit on the branch, or remove those commits first`,
  );
}


export interface Published {
  revised: Revised;
  /** Every action dropped: the cycle is rejected instead, recorded on main, its pull request closed. */
  rejected?: Rejection;
  /** What publishing warned of (labels not added, unpushed commits of main). */
  warnings: string[];
}

/**
 * A revision, then what follows from it: on GitHub the rebuilt branch is pushed (replacing the tip it was built from,
 * unless someone pushed since) and the pull request's body updated; a revision that leaves no action is the cycle's
 * rejection.
 */
export async function reviseAndPublish(context: RepoContext, link: GitHubLink | undefined, argument: string, revision: Revision, expectedTip?: string): Promise<Published> {
  const revised = await reviseCycle(context, argument, revision, expectedTip);
  if (revised.tip === revised.from) return { revised, warnings: [] };
  if (revised.remaining.length === 0 && revised.record.actions.length > 0) {
    const where = revision.pull ? ` on pull request #${revision.pull}` : '';
    const rejected = await rejectCycle(context, revised.cycle, { now: revision.now, reason: `every action dropped by ${revision.by}${where}`, ...(link ? { beforeMove: pushMainFirst(context, link) } : {}) });
    if (link) await closeCyclePull(link, rejected.branch, `Every action of this cycle was dropped, so it is rejected: recorded on main (${rejected.main.slice(0, 7)}); its actions will not be proposed again.`);
    return { revised, rejected, warnings: [] };
  }
  if (!link) return { revised, warnings: [] };
  const applied = await actionsOnMain(context, revised.record, await mainTip(context));
  const published = await publishCycle(context, link, { branch: revised.branch, record: revised.record, safe: context.config.approval.auto, alreadyApplied: applied, replacing: revised.from });
  return { revised, warnings: published.warnings };
}
