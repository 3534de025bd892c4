/**
 * The actions a commit brought to main when its message does not say: a pull request squashed on GitHub with a message
 * a person wrote, or one GitHub filled from the pull request's title and description, carries none of the cycle's
 * trailers. The commit does bring the cycle's record, and its tree shows which of the record's actions it holds: each
 * action is replayed where the cycle was made, and counts as brought when undoing it from the commit's files would
 * change them (or collides with lines a reviewer edited on the branch). An action a reviewer reverted on the branch
 * before the merge is not in the tree, and is not counted, whatever any message says.
 */
import { cyclePath, parseCycleRecord, STATE_DIR, type CycleRecord, type RecordedAction } from '../dream/state.js';
import { readEntry } from '../git/log.js';
import type { Repo } from '../git/repo.js';
import { changedPaths, entryAt, readFileAt } from '../git/tree.js';
import type { FileChange } from './revert-plan.js';
import { actionMarks, type ActionMark } from './trailers.js';

const CYCLES_DIR = `${STATE_DIR}/cycles`;

/** Per repository and commit: the work is a replay of a cycle, done once. */
const cache = new WeakMap<Repo, Map<string, Promise<ActionMark[]>>>();

/**
 * The marks `commit` would carry had its message kept the trailers: one per action of each cycle record it adds whose
 * change it holds, and the cycle's bookkeeping. Empty for a commit whose message has reverie's marks, a merge commit
 * (its merged side carries them), and a commit that adds no cycle record.
 */
export function inferredMarks(repo: Repo, commit: string): Promise<ActionMark[]> {
  let byCommit = cache.get(repo);
  if (!byCommit) cache.set(repo, (byCommit = new Map()));
  let marks = byCommit.get(commit);
  if (!marks) {
    marks = infer(repo, commit);
    byCommit.set(commit, marks);
  }
  return marks;
}

async function infer(repo: Repo, commit: string): Promise<ActionMark[]> {
  const entry = await readEntry(repo, commit);
  const parent = entry.parents[0];
  if (!parent || entry.parents.length > 1 || actionMarks(entry.message).length > 0) return [];
  // Most commits leave the cycle records alone: one tree read each side says so.
  if ((await entryAt(repo, commit, CYCLES_DIR))?.oid === (await entryAt(repo, parent, CYCLES_DIR))?.oid) return [];
  const marks: ActionMark[] = [];
  for (const path of await changedPaths(repo, parent, commit)) {
    if (!path.startsWith(`${CYCLES_DIR}/`) || !path.endsWith('.json') || (await readFileAt(repo, parent, path)) !== undefined) continue;
    const text = await readFileAt(repo, commit, path);
    if (text === undefined) continue;
    const record = parseCycleRecord(text);
    if (path !== cyclePath(record.cycle) || record.decision?.status === 'rejected') continue;
    const held = await actionsHeld(repo, record, parent, commit);
    const engine = record.engine ? { engine: record.engine } : {};
    marks.push(...held.map((a) => ({ cycle: record.cycle, action: a.type, actionId: a.id, evidence: sessionsOf(a), ...engine })));
    marks.push({ cycle: record.cycle, action: 'state', evidence: [], ...engine });
  }
  return marks;
}

/** The record's actions whose change `commit`'s files hold, replayed from where the cycle was made (else `parent`). */
async function actionsHeld(repo: Repo, record: CycleRecord, parent: string, commit: string): Promise<RecordedAction[]> {
  const start = (await commitExists(repo, record.base)) ? record.base : parent;
  const paths = [...new Set(record.actions.flatMap(pathsOf))];
  const files = await readTexts(repo, start, paths);
  const ours = await readTexts(repo, commit, paths);
  const held: RecordedAction[] = [];
  // Loaded here, not with this module: they bring the Markdown parser, which reading history otherwise never needs.
  const [{ ActionConflictError, applyAction }, revertPlan] = await Promise.all([import('../dream/apply.js'), import('./revert-plan.js')]);
  for (const action of record.actions) {
    let after: Map<string, string>;
    try {
      after = applyAction(files, action);
    } catch (error) {
      if (error instanceof ActionConflictError) continue;
      throw error;
    }
    const changes: FileChange[] = [...after].map(([path, text]) => ({ path, before: files.get(path), after: text }));
    if (changes.some((change) => holds(revertPlan, ours, record, action, change))) held.push(action);
    for (const [path, text] of after) files.set(path, text);
  }
  return held;
}

/** The files hold the change: undoing it would alter them, or would meet lines changed since (a reviewer's edit). */
function holds(
  { revertChanges, RevertConflictError }: typeof import('./revert-plan.js'),
  ours: ReadonlyMap<string, string>,
  record: CycleRecord,
  action: RecordedAction,
  change: FileChange,
): boolean {
  const current = ours.get(change.path);
  if (current === undefined) return change.after === undefined;
  try {
    const undo = revertChanges(ours, { cycle: record.cycle, actionId: action.id, type: action.type }, [change]).get(change.path);
    return undo !== undefined && undo !== current;
  } catch (error) {
    if (error instanceof RevertConflictError) return true;
    throw error;
  }
}

function pathsOf(action: RecordedAction): string[] {
  return [...action.paths, ...action.targets.map((t) => t.path), ...(action.destination ? [action.destination.path] : [])];
}

async function readTexts(repo: Repo, commit: string, paths: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const path of paths) {
    const text = await readFileAt(repo, commit, path);
    if (text !== undefined) texts.set(path, text);
  }
  return texts;
}

async function commitExists(repo: Repo, oid: string | undefined): Promise<boolean> {
  if (!oid) return false;
  return readEntry(repo, oid).then(
    () => true,
    () => false,
  );
}

function sessionsOf(action: RecordedAction): string[] {
  return [...new Set(action.evidence.map((e) => e.sessionId))];
}
