/**
 * `reverie revert`: undo a whole cycle, or one action of it, on main with revert commits. isomorphic-git has no
 * revert, so each one is a three-way merge per file (see revert-plan.ts): main's tip, the file as the action
 * left it, and the file as it was before. The action's commit is found on main by its trailers wherever the
 * approval put it: a commit of its own (fast-forward, merge commit, rebase), or one squash commit carrying the
 * whole cycle, whose single action's change is rebuilt from the cycle record. Bookkeeping is never reverted.
 */
import { ActionConflictError, applyAction } from '../dream/apply.js';
import { cyclePath, parseCycleRecord, readState, rememberRejected, stateFiles, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import type { DreamState } from '../dream/types.js';
import { GitStateError, ReverieError } from '../errors.js';
import { changedPaths, commitChanges, fastForward, readEntry, readFileAt, readFilesAt, resolveRef, updateBranch, type Repo } from '../git/index.js';
import { isStateFile, mainTip, type RepoContext } from './context.js';
import { cycleIdFrom, pendingCycles } from './history.js';
import { readMainHistory, type Landing, type MainHistory } from './main-history.js';
import { notUtf8At, notUtf8Error } from './memory-files.js';
import { revertMessage, subjectOf } from './messages.js';
import type { DryRun } from './dry-run.js';
import { revertChanges, type FileChange, type RevertChanges } from './revert-plan.js';
import { inferredMarks } from './inferred-marks.js';
import { actionMarks, type ActionMark } from './trailers.js';

export { RevertConflictError, type FileConflict } from './revert-plan.js';

export type RevertMode = 'auto' | 'review';

export interface RevertOptions {
  now: Date;
  /** Why, written into each revert commit's body. */
  reason?: string;
  /** `auto` moves main; `review` leaves main alone and puts the commits on a branch. Default: `review` when reverie.yaml says so, else `auto`. */
  mode?: RevertMode;
  /** Called with main's new tip before main moves (auto mode): on GitHub, the tip is pushed first. */
  beforeMove?: (tip: string) => Promise<void>;
}

export interface RevertedAction {
  cycle: string;
  actionId: string;
  type: string;
  summary: string;
  /** The commit on main that carried the action. */
  commit: string;
  /** The revert commit that undoes it. */
  revert: string;
}

export interface RevertResult {
  mode: RevertMode;
  /** What was reverted, in words: `cycle 20261124-101010` or `action 20261124-101010/a1b2c3d4`. */
  target: string;
  /** The branch that holds the revert commits: main (auto), or `reverie/revert-…` to open a pull request from (review). */
  branch: string;
  /** True when main moved. */
  merged: boolean;
  /** main's tip after the revert. */
  main: string;
  /** The revert commits, oldest first. */
  commits: string[];
  /** One per revert commit, newest action first (the order they were undone in). */
  reverted: RevertedAction[];
  /** Actions of the target that were not reverted, and why (never reached main, reverted before). */
  skipped: { cycle: string; actionId: string; reason: string }[];
  /** True when main is checked out and the working tree was brought along. */
  workingTreeUpdated: boolean;
}

/** The argument names nothing that can be reverted: unknown, pending, already reverted, ambiguous. */
export class RevertRefusedError extends ReverieError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'RevertRefusedError';
  }
}

export const REVERT_BRANCH_PREFIX = 'reverie/revert-';

/** An action whose commit is in main's history. */
interface ActionOnMain {
  cycle: string;
  actionId: string;
  type: string;
  /** The commit on main that carries it. */
  commit: string;
  parent: string | undefined;
  /** Ids of the actions of the cycle the commit carries, this one included; more than one: a squash merge. */
  carried: string[];
}

/** What a revert argument named. */
interface Choice {
  target: string;
  /** The review branch's name after the prefix. */
  branchName: string;
  actions: ActionOnMain[];
  skipped: RevertResult['skipped'];
}

/** One action to undo: where it is, what it was, and what it changed. */
interface RevertStep {
  onMain: ActionOnMain;
  recorded: RecordedAction;
  changes: FileChange[];
}

/**
 * Reverts `argument` (a cycle id or branch name, an action id, `<cycle>/<action id>`, or a commit on main, full or
 * abbreviated). Every revert is computed before anything is written: on a conflict, nothing is committed and no
 * ref moves. The caller holds the repository lock.
 */
export async function revert(context: RepoContext, argument: string, options: RevertOptions): Promise<RevertResult> {
  const { repo, config } = context;
  const prepared = await prepareRevert(context, argument, options);
  const { mode, main, choice, branch } = prepared;
  const written = await writeReverts(context, main, prepared, options);
  const tip = written.at(-1)?.revert ?? main;
  let workingTreeUpdated = false;
  if (mode === 'auto') {
    await options.beforeMove?.(tip);
    workingTreeUpdated = (await fastForward(repo, { branch: config.git.main, to: tip, expectedOld: main })).workingTreeUpdated;
  } else await updateBranch(repo, branch, tip, { expectedOld: null });
  return {
    mode,
    target: choice.target,
    branch,
    merged: mode === 'auto',
    main: mode === 'auto' ? tip : main,
    commits: written.map((w) => w.revert),
    reverted: written,
    skipped: choice.skipped,
    workingTreeUpdated,
  };
}

/** A revert worked out in full, nothing written yet: a conflict has already been thrown. */
interface PreparedRevert {
  mode: RevertMode;
  main: string;
  choice: Choice;
  /** main (auto), or the review branch to create. */
  branch: string;
  /** Each revert, newest action first, with the files it changes. */
  planned: { step: RevertStep; changes: RevertChanges }[];
}

async function prepareRevert(context: RepoContext, argument: string, options: Pick<RevertOptions, 'mode'>): Promise<PreparedRevert> {
  const { repo, config } = context;
  const mode = options.mode ?? (config.mode === 'review' ? 'review' : 'auto');
  const main = await mainTip(context);
  const history = await readMainHistory(repo, main);
  const choice = await chooseActions(context, main, history, argument);
  const branch = mode === 'review' ? `${REVERT_BRANCH_PREFIX}${choice.branchName}` : config.git.main;
  if (mode === 'review' && (await resolveRef(repo, `refs/heads/${branch}`))) {
    throw new RevertRefusedError(`a revert of ${choice.target} is already waiting on branch ${branch}; merge it or delete it first`);
  }
  const steps = await loadSteps(repo, main, choice.actions);
  const files = await readPaths(repo, main, steps.flatMap((s) => s.changes.map((c) => c.path)));
  // A file saved in another encoding since the action: writing its decoded text back would lose those bytes.
  const [notText] = await notUtf8At(repo, main, [...files].map(([path, text]) => ({ path, text })));
  if (notText) throw notUtf8Error(notText, 'the revert');
  return { mode, main, choice, branch, planned: planReverts(files, steps) };
}

/**
 * `reverie revert --dry-run`: the revert commits it would write (a conflict is reported as the real run reports it),
 * and the ref it would move or create; nothing is written.
 */
export async function planRevert(context: RepoContext, argument: string, options: Pick<RevertOptions, 'mode'> = {}): Promise<DryRun & { branch: string; mode: RevertMode }> {
  const { mode, main, choice, branch, planned } = await prepareRevert(context, argument, options);
  const commits = planned.map(({ step }) => subjectOf(revertMessage(revertedInfo(step))));
  const files = [...new Set(planned.flatMap(({ changes }) => [...changes.keys()]))];
  return {
    command: 'revert',
    target: argument,
    mode,
    branch,
    first: [],
    refs: [{ branch, change: mode === 'auto' ? 'new-commits' : 'create', from: main, to: null }],
    commits,
    github: [],
    notes: [
      ...(files.length > 0 ? [`files changed: ${files.join(', ')}`] : []),
      ...choice.skipped.map((s) => `skipped ${s.cycle}/${s.actionId}: ${s.reason}`),
      'the reverted actions would be remembered in .reverie/rejected.json and not proposed again',
    ],
  };
}

/** The reverie actions a commit message carries (one, or several for a squash merge), bookkeeping and reverts left out. */
function curationMarks(message: string, marks: ActionMark[] = actionMarks(message)): { cycle: string; action: string; actionId: string }[] {
  return marks.flatMap((m) => (m.actionId && m.action !== 'state' && m.action !== 'revert' ? [{ cycle: m.cycle, action: m.action, actionId: m.actionId }] : []));
}

/** The action at `landing`, with what its commit says: its type, its parent, and which actions it carries. */
async function actionAt(repo: Repo, key: string, landing: Landing): Promise<ActionOnMain> {
  const entry = await readEntry(repo, landing.commit);
  const written = curationMarks(entry.message);
  const marks = written.length > 0 ? written : curationMarks('', await inferredMarks(repo, landing.commit));
  const mark = marks.find((m) => `${m.cycle}/${m.actionId}` === key);
  if (!mark) throw new GitStateError(`commit ${landing.commit} does not carry action ${key}`);
  return {
    cycle: mark.cycle,
    actionId: mark.actionId,
    type: mark.action,
    commit: landing.commit,
    parent: entry.parents[0],
    carried: marks.filter((m) => m.cycle === mark.cycle).map((m) => m.actionId),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the argument names

const CYCLE_ID = /^\d{8}-\d{6}(-\d+)?$/;
const ACTION_ID = /^[0-9a-f]{8}$/;
const COMMIT_PREFIX = /^[0-9a-f]{7,40}$/;

const keyOf = (cycle: string, actionId: string) => `${cycle}/${actionId}`;
const splitKey = (key: string) => {
  const slash = key.lastIndexOf('/');
  return { cycle: key.slice(0, slash), actionId: key.slice(slash + 1) };
};

async function chooseActions(context: RepoContext, main: string, history: MainHistory, argument: string): Promise<Choice> {
  const text = argument.trim();
  const qualified = /^(.+)\/([0-9a-f]{8})$/.exec(text);
  if (qualified && CYCLE_ID.test(cycleIdFrom(qualified[1]!))) return chooseAction(context, history, cycleIdFrom(qualified[1]!), qualified[2]!);
  const cycle = cycleIdFrom(text);
  if (CYCLE_ID.test(cycle)) return chooseCycle(context, main, history, cycle);
  const id = text.toLowerCase();
  if (ACTION_ID.test(id) && actionKeys(history, id).length > 0) return chooseAction(context, history, undefined, id);
  if (COMMIT_PREFIX.test(id) && commitsOnMain(history).some((oid) => oid.startsWith(id))) return chooseCommit(context, history, id);
  if (ACTION_ID.test(id)) return chooseAction(context, history, undefined, id);
  throw new RevertRefusedError(`nothing to revert named "${argument}": ${await whatExists(context, history)}`);
}

async function chooseCycle(context: RepoContext, main: string, history: MainHistory, cycle: string): Promise<Choice> {
  const text = await readFileAt(context.repo, main, cyclePath(cycle));
  if (text === undefined) {
    if ((await pendingCycles(context)).some((p) => p.cycle === cycle)) throw pendingError(`cycle ${cycle}`, cycle);
    throw new RevertRefusedError(`no cycle ${cycle} on main: ${await whatExists(context, history)}`);
  }
  const record = parseCycleRecord(text);
  if (record.decision?.status === 'rejected') throw new RevertRefusedError(`cycle ${cycle} was rejected: none of its actions is on main`);
  const keys: string[] = [];
  const skipped: Choice['skipped'] = [];
  for (const { id } of record.actions) {
    const key = keyOf(cycle, id);
    const revertedBy = history.reverts.get(key);
    if (!history.actions.has(key)) skipped.push({ cycle, actionId: id, reason: 'never reached main (left out or dropped at approval)' });
    else if (revertedBy) skipped.push({ cycle, actionId: id, reason: `already reverted by ${short(revertedBy.commit)}` });
    else keys.push(key);
  }
  if (keys.length === 0) {
    const why = skipped.some((s) => s.reason.startsWith('already')) ? 'every action of it that reached main is already reverted' : 'none of its actions is on main';
    throw new RevertRefusedError(`nothing to revert in cycle ${cycle}: ${why}`);
  }
  return { target: `cycle ${cycle}`, branchName: cycle, actions: await actionsAt(context.repo, history, keys), skipped };
}

async function chooseAction(context: RepoContext, history: MainHistory, cycle: string | undefined, id: string): Promise<Choice> {
  const keys = actionKeys(history, id).filter((key) => cycle === undefined || splitKey(key).cycle === cycle);
  if (keys.length > 1) throw new RevertRefusedError(`action ${id} is in several cycles (${keys.join(', ')}); name one as <cycle>/<action id>`);
  const key = keys[0];
  if (!key) throw await missingActionError(context, history, cycle, id);
  const revertedBy = history.reverts.get(key);
  if (revertedBy) throw new RevertRefusedError(`action ${key} is already reverted, by ${short(revertedBy.commit)}`);
  return { target: `action ${key}`, branchName: id, actions: await actionsAt(context.repo, history, [key]), skipped: [] };
}

/**
 * A commit on main: the actions it carries (its own one, or those of a squash merge), or those a merge commit brought
 * in. A cycle's bookkeeping and revert commits name no action to undo.
 */
async function chooseCommit(context: RepoContext, history: MainHistory, prefix: string): Promise<Choice> {
  const matches = commitsOnMain(history).filter((oid) => oid.startsWith(prefix));
  if (matches.length > 1) throw new RevertRefusedError(`commit ${prefix} is ambiguous on main (${matches.map((oid) => oid.slice(0, 12)).join(', ')}); give more of it`);
  const commit = matches[0]!;
  const carried = [...history.actions].filter(([, landing]) => landing.commit === commit || landing.landed === commit).map(([key]) => key);
  if (carried.length === 0) throw new RevertRefusedError(`commit ${short(commit)} carries no reverie action: ${commitKind(history, commit)}`);
  const skipped: Choice['skipped'] = [];
  const keys = carried.filter((key) => {
    const revertedBy = history.reverts.get(key);
    if (revertedBy) skipped.push({ ...splitKey(key), reason: `already reverted by ${short(revertedBy.commit)}` });
    return !revertedBy;
  });
  if (keys.length === 0) throw new RevertRefusedError(`commit ${short(commit)} is already reverted (${skipped.map((s) => `${s.cycle}/${s.actionId}: ${s.reason}`).join('; ')})`);
  const only = carried.length === 1 ? keys[0] : undefined;
  return {
    target: only ? `action ${only}` : `commit ${short(commit)}`,
    branchName: only ? splitKey(only).actionId : short(commit),
    actions: await actionsAt(context.repo, history, keys),
    skipped,
  };
}

function actionKeys(history: MainHistory, id: string): string[] {
  return [...history.actions.keys()].filter((key) => splitKey(key).actionId === id);
}

/** The commits main's history names: those carrying actions, bookkeeping or reverts, and the merge commits that brought them. */
function commitsOnMain(history: MainHistory): string[] {
  const landings = [...history.actions.values(), ...history.states.values(), ...history.reverts.values()];
  return [...new Set(landings.flatMap((l) => [l.commit, l.landed]))];
}

function commitKind(history: MainHistory, commit: string): string {
  if ([...history.reverts.values()].some((l) => l.commit === commit)) return 'it is a revert (to undo it, revert it with git)';
  if ([...history.states.values()].some((l) => l.commit === commit)) return "it is a cycle's bookkeeping, which is never reverted";
  return 'name the cycle or the action instead';
}

async function actionsAt(repo: Repo, history: MainHistory, keys: string[]): Promise<ActionOnMain[]> {
  return Promise.all(keys.map((key) => actionAt(repo, key, history.actions.get(key)!)));
}

/** Why an action id names nothing on main: pending, or unknown. */
async function missingActionError(context: RepoContext, history: MainHistory, cycle: string | undefined, id: string): Promise<ReverieError> {
  const pending = (await pendingCycles(context)).find((p) => (cycle === undefined || p.cycle === cycle) && p.record?.actions.some((a) => a.id === id));
  if (pending) return pendingError(`action ${id}`, pending.cycle);
  return new RevertRefusedError(`no action ${cycle ? `${cycle}/` : ''}${id} on main: ${await whatExists(context, history)}`);
}

function pendingError(what: string, cycle: string): RevertRefusedError {
  return new RevertRefusedError(
    `${what} is pending in cycle ${cycle}, not on main: use \`reverie reject ${cycle}\`, or \`reverie approve ${cycle} --except <ids>\``,
  );
}

/** A short list of what could be named: the latest cycles on main with their action ids, and the pending ones. */
async function whatExists(context: RepoContext, history: MainHistory): Promise<string> {
  const byCycle = new Map<string, string[]>();
  for (const key of history.actions.keys()) {
    const { cycle, actionId } = splitKey(key);
    byCycle.set(cycle, [...(byCycle.get(cycle) ?? []), actionId]);
  }
  const latest = [...byCycle].sort(([a], [b]) => b.localeCompare(a)).slice(0, 5);
  const onMain = latest.map(([cycle, ids]) => `${cycle} (${ids.join(', ')})`).join('; ') || 'none';
  const pending = (await pendingCycles(context)).map((p) => p.cycle).join(', ');
  return `cycles on main: ${onMain}${byCycle.size > latest.length ? '; …' : ''}${pending ? `; pending (not on main): ${pending}` : ''}`;
}

function short(oid: string): string {
  return oid.slice(0, 7);
}

// ---------------------------------------------------------------------------------------------------------------
// What each action changed

/** The actions to undo with what each changed, newest first: later actions are undone before the ones they built on. */
async function loadSteps(repo: Repo, main: string, actions: ActionOnMain[]): Promise<RevertStep[]> {
  const records = new Map<string, CycleRecord>();
  const squashes = new Map<string, Map<string, FileChange[]>>();
  const steps: (RevertStep & { order: number })[] = [];
  for (const onMain of actions) {
    const record = await cycleRecord(repo, main, onMain, records);
    const order = record.actions.findIndex((a) => a.id === onMain.actionId);
    const recorded = record.actions[order];
    if (!recorded) throw new GitStateError(`the record of cycle ${onMain.cycle} on main has no action ${onMain.actionId}`);
    // A squash commit carries several actions: each one's own change is rebuilt from the cycle record.
    const changes = onMain.carried.length > 1 ? await squashedChanges(repo, onMain, record, squashes) : await commitChangesOf(repo, onMain);
    steps.push({ onMain, recorded, changes, order });
  }
  return steps.sort((a, b) => b.onMain.cycle.localeCompare(a.onMain.cycle) || b.order - a.order);
}

async function cycleRecord(repo: Repo, main: string, onMain: ActionOnMain, records: Map<string, CycleRecord>): Promise<CycleRecord> {
  const known = records.get(onMain.cycle);
  if (known) return known;
  const text = (await readFileAt(repo, main, cyclePath(onMain.cycle))) ?? (await readFileAt(repo, onMain.commit, cyclePath(onMain.cycle)));
  if (text === undefined) throw new GitStateError(`no record of cycle ${onMain.cycle} on main (${cyclePath(onMain.cycle)}): cannot revert its actions`);
  const record = parseCycleRecord(text);
  records.set(onMain.cycle, record);
  return record;
}

/** An action with a commit of its own: the commit's diff, less anything under `.reverie/`. */
async function commitChangesOf(repo: Repo, onMain: ActionOnMain): Promise<FileChange[]> {
  const paths = (await changedPaths(repo, onMain.parent, onMain.commit)).filter((p) => !p.startsWith(`${STATE_DIR}/`));
  return Promise.all(
    paths.map(async (path) => ({
      path,
      before: onMain.parent ? await readFileAt(repo, onMain.parent, path) : undefined,
      after: await readFileAt(repo, onMain.commit, path),
    })),
  );
}

/**
 * An action inside a squash commit: the commit's parent plus the cycle's actions it carries, replayed in order
 * from the record, gives each action's own before and after.
 */
async function squashedChanges(repo: Repo, onMain: ActionOnMain, record: CycleRecord, cache: Map<string, Map<string, FileChange[]>>): Promise<FileChange[]> {
  let byAction = cache.get(onMain.commit);
  if (!byAction) {
    byAction = await replaySquash(repo, onMain, record);
    cache.set(onMain.commit, byAction);
  }
  return byAction.get(onMain.actionId) ?? [];
}

async function replaySquash(repo: Repo, onMain: ActionOnMain, record: CycleRecord): Promise<Map<string, FileChange[]>> {
  const actions = record.actions.filter((a) => onMain.carried.includes(a.id));
  const files = new Map<string, string>();
  for (const path of new Set(actions.flatMap(pathsRead))) {
    const text = onMain.parent ? await readFileAt(repo, onMain.parent, path) : undefined;
    if (text !== undefined) files.set(path, text);
  }
  const byAction = new Map<string, FileChange[]>();
  for (const action of actions) {
    let after: Map<string, string>;
    try {
      after = applyAction(files, action);
    } catch (error) {
      if (!(error instanceof ActionConflictError)) throw error;
      throw new GitStateError(`cannot rebuild action ${action.id} from squash commit ${onMain.commit.slice(0, 7)}: ${error.message}`);
    }
    byAction.set(action.id, [...after].map(([path, text]) => ({ path, before: files.get(path), after: text })));
    for (const [path, text] of after) files.set(path, text);
  }
  return byAction;
}

function pathsRead(action: RecordedAction): string[] {
  return [...action.paths, ...action.targets.map((t) => t.path), ...(action.destination ? [action.destination.path] : [])];
}

// ---------------------------------------------------------------------------------------------------------------
// Writing the revert commits

/**
 * Every revert computed on main's files first, each on the result of the one before: a conflict throws before
 * anything is written. Pure but for `files`, which ends up as the last revert leaves them.
 */
function planReverts(files: Map<string, string>, steps: RevertStep[]): { step: RevertStep; changes: RevertChanges }[] {
  return steps.map((step) => {
    const changes = revertChanges(files, actionName(step.onMain), step.changes);
    for (const [path, text] of changes) {
      if (text === null) files.delete(path);
      else files.set(path, text);
    }
    return { step, changes };
  });
}

/** One commit per action on top of main, each also remembering the action's fingerprint as rejected. No ref moves here. */
async function writeReverts(context: RepoContext, main: string, { planned }: Pick<PreparedRevert, 'planned'>, options: RevertOptions): Promise<RevertedAction[]> {
  const { repo, config } = context;
  let state = readState(await readFilesAt(repo, main, isStateFile, { under: [STATE_DIR] }));
  let parent = main;
  const written: RevertedAction[] = [];
  for (const { step, changes } of planned) {
    const { onMain, recorded } = step;
    const next = rememberReverted(state, onMain.cycle, recorded);
    parent = await commitChanges(repo, {
      parent,
      changes: new Map([...changes, ...changedStateFiles(state, next)]),
      message: revertMessage(revertedInfo(step), options.reason),
      author: config.git.author,
      timestamp: Math.floor(options.now.getTime() / 1000),
      // Undone by hand already and remembered before: the commit still records that the action is reverted.
      allowEmpty: true,
    });
    state = next;
    written.push({ ...actionName(onMain), summary: recorded.summary, commit: onMain.commit, revert: parent });
  }
  return written;
}

function revertedInfo({ onMain, recorded }: RevertStep): Parameters<typeof revertMessage>[0] {
  return { ...actionName(onMain), path: recorded.paths[0] ?? 'memory', summary: recorded.summary, commit: onMain.commit };
}

function actionName({ cycle, actionId, type }: ActionOnMain): { cycle: string; actionId: string; type: string } {
  return { cycle, actionId, type };
}

async function readPaths(repo: Repo, oid: string, paths: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const path of new Set(paths)) {
    const text = await readFileAt(repo, oid, path);
    if (text !== undefined) files.set(path, text);
  }
  return files;
}

/** A reverted action is not proposed again, nor its effect under another type: both join the rejected ones. */
function rememberReverted(state: DreamState, cycle: string, action: RecordedAction): DreamState {
  return rememberRejected({ ...state, rejected: { ...state.rejected } }, action, cycle, 'reverted');
}

/** The state files whose text changes, so a revert commit touches `.reverie/rejected.json` and nothing else there. */
function changedStateFiles(before: DreamState, after: DreamState): [string, string][] {
  const old = stateFiles(before);
  return [...stateFiles(after)].filter(([path, text]) => old.get(path) !== text);
}
