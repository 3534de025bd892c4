import { cyclePath, parseCycleRecord, STATE_DIR, type CycleRecord, type CycleStatus } from '../dream/state.js';
import { GitStateError } from '../errors.js';
import { isAncestor, listBranches, readFileAt, readFilesAt, readLog, resolveRef } from '../git/index.js';
import { mainTip, type RepoContext } from './context.js';

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

/** Dream branches whose commits main does not contain yet: cycles waiting for a decision. */
export async function pendingCycles(context: RepoContext): Promise<PendingCycle[]> {
  const main = await mainTip(context);
  const pending: PendingCycle[] = [];
  for (const branch of await listBranches(context.repo, BRANCH_PREFIX)) {
    const tip = await resolveRef(context.repo, `refs/heads/${branch}`);
    if (!tip || (await isAncestor(context.repo, tip, main))) continue;
    const cycle = branch.slice(BRANCH_PREFIX.length);
    const text = await readFileAt(context.repo, tip, cyclePath(cycle));
    pending.push({ cycle, branch, tip, ...(text ? { record: parseCycleRecord(text) } : {}) });
  }
  return pending.sort((a, b) => a.cycle.localeCompare(b.cycle));
}

/** The pending cycle named by the user, or an error that lists the ones there are. */
export async function findPendingCycle(context: RepoContext, argument: string): Promise<PendingCycle & { record: CycleRecord }> {
  const cycle = cycleIdFrom(argument);
  const pending = await pendingCycles(context);
  const found = pending.find((p) => p.cycle === cycle);
  if (!found?.record) {
    const list = pending.map((p) => p.cycle).join(', ') || 'none';
    throw new GitStateError(`no pending cycle "${argument}" (pending: ${list}); see \`reverie status\``);
  }
  return found as PendingCycle & { record: CycleRecord };
}

export interface CycleView {
  cycle: string;
  status: CycleStatus;
  created: string;
  engine: string;
  mode: string;
  branch: string;
  stats: CycleRecord['stats'];
  reason?: string;
  actions: { id: string; type: string; paths: string[]; summary: string; commit: string | null; status: 'applied' | 'pending' | 'rejected' | 'dropped'; evidence: string[] }[];
}

/** Every cycle main knows of, plus the pending ones, newest first, with the commits that carry each action on main. */
export async function listCycles(context: RepoContext): Promise<CycleView[]> {
  const main = await mainTip(context);
  const recorded = await readFilesAt(context.repo, main, (p) => p.startsWith(`${STATE_DIR}/cycles/`) && p.endsWith('.json'), { under: [`${STATE_DIR}/cycles`] });
  const onMain = await actionCommitsOnMain(context, main);
  const views: CycleView[] = [];
  for (const text of recorded.values()) {
    const record = parseCycleRecord(text);
    const rejected = record.decision?.status === 'rejected';
    views.push(view(record, rejected ? 'rejected' : 'approved', (id) => onMain.get(`${record.cycle}/${id}`) ?? null, rejected));
  }
  for (const pending of await pendingCycles(context)) {
    if (pending.record) views.push(view(pending.record, 'pending', (id) => pending.record?.actions.find((a) => a.id === id)?.commit ?? null, false));
  }
  return views.sort((a, b) => b.created.localeCompare(a.created) || b.cycle.localeCompare(a.cycle));
}

function view(record: CycleRecord, status: CycleStatus, commitOf: (id: string) => string | null, rejected: boolean): CycleView {
  const rejectedIds = new Set(record.decision?.rejected ?? []);
  return {
    cycle: record.cycle,
    status,
    created: record.created,
    engine: record.engine,
    mode: record.mode,
    branch: record.branch,
    stats: record.stats,
    ...(record.decision?.reason ? { reason: record.decision.reason } : {}),
    actions: record.actions.map((a) => {
      const commit = commitOf(a.id);
      // An approved cycle's action without a commit on main no longer applied when it was replayed.
      const settled = commit ? 'applied' : 'dropped';
      return {
        id: a.id,
        type: a.type,
        paths: a.paths,
        summary: a.summary,
        commit,
        status: rejected || rejectedIds.has(a.id) ? 'rejected' : status === 'pending' ? 'pending' : settled,
        evidence: [...new Set(a.evidence.map((e) => e.sessionId))],
      };
    }),
  };
}

/** `cycle/action id` → commit on main, from the trailers; merged, squashed or rebased, the trailers survive. */
async function actionCommitsOnMain(context: RepoContext, main: string): Promise<Map<string, string>> {
  const commits = new Map<string, string>();
  for (const entry of await readLog(context.repo, main, { depth: 5000 })) {
    const cycle = entry.trailers['Reverie-Cycle']?.[0];
    const id = entry.trailers['Reverie-Action-Id']?.[0];
    if (cycle && id && !commits.has(`${cycle}/${id}`)) commits.set(`${cycle}/${id}`, entry.oid);
  }
  return commits;
}
