/**
 * A pending cycle laid out for a local review: each action with its rationale, the change its commit makes, the
 * evidence behind it, and the commands that decide on it.
 */
import { keptAndGone, memoryImpact, type MemoryImpact } from '../dream/impact.js';
import { actionRisk, riskReasons, type Risk } from '../dream/risk.js';
import type { CycleRecord } from '../dream/state.js';
import type { EntryRef, Notice } from '../dream/types.js';
import { GitStateError, UsageError } from '../errors.js';
import { changedPaths, readEntry, readFileAt, type Repo } from '../git/index.js';
import type { RepoContext } from './context.js';
import { unifiedDiff } from './diff.js';
import { findPendingCycle, pendingCycles, type PendingCycle } from './history.js';

export interface ReviewEvidence {
  session_id: string;
  agent: string;
  /** From a session log: untrusted text, to be shown as data. */
  quote: string;
  turn?: number;
}

export interface ReviewAction {
  id: string;
  type: string;
  paths: string[];
  summary: string;
  rationale: string;
  /** The action's commit on the cycle's branch; null when it is not there (dropped, or no longer applied). */
  commit: string | null;
  /** Who dropped it from the waiting cycle (a checkbox, a comment, `reverie drop`), when someone did. */
  dropped_by: string | null;
  /** Low, medium or high; high for a type that deletes, or for content that changes how an agent behaves. */
  risk: Risk;
  /** Why its content is high risk (what it writes or removes is about safety, credentials, pushing…); empty otherwise. */
  risk_reasons: string[];
  /** What that commit changes, as a unified diff. */
  diff: string;
  /** The entry that stays (a merge's or resolve's kept side, the note that still says it), beside what goes. */
  kept: ReviewEntry | null;
  gone: ReviewEntry[];
  evidence: ReviewEvidence[];
}

export interface ReviewEntry {
  path: string;
  text: string;
}

export interface CycleReview {
  cycle: string;
  branch: string;
  tip: string;
  base: string;
  created: string;
  engine: string;
  /** What the cycle does to memory as a whole, which a reviewer reads first. */
  impact: MemoryImpact;
  /** Budget warnings and questions no session settles. */
  notices: Notice[];
  actions: ReviewAction[];
  /** Actions the engine proposed that the guards refused: for the record, not for decision. */
  dropped: CycleRecord['dropped'];
  /** How to decide. */
  commands: { approve: string; approve_some: string; approve_except: string; drop: string; reject: string };
}

/** The pending cycle `argument` names, or the only pending one; an error lists them when there are several. */
export async function reviewCycle(context: RepoContext, argument?: string, remote?: ReadonlyMap<string, string>): Promise<CycleReview> {
  const pending = argument ? await findPendingCycle(context, argument, remote) : await onlyPendingCycle(context, remote);
  const record = pending.record;
  const actions: ReviewAction[] = [];
  for (const action of record.actions) {
    const { kept, gone } = keptAndGone(action);
    actions.push({
      id: action.id,
      type: action.type,
      paths: action.paths,
      summary: action.summary,
      rationale: action.rationale,
      commit: action.commit ?? null,
      dropped_by: record.reviewer_drops?.find((d) => d.id === action.id)?.by ?? null,
      risk: actionRisk(action),
      risk_reasons: riskReasons(action),
      diff: action.commit ? await commitDiff(context.repo, action.commit) : '',
      kept: kept ? entryOf(kept) : null,
      gone: gone.map(entryOf),
      evidence: action.evidence.map((e) => ({ session_id: e.sessionId, agent: e.agent, quote: e.quote, ...(e.turn !== undefined ? { turn: e.turn } : {}) })),
    });
  }
  const ids = record.actions.map((a) => a.id);
  return {
    cycle: pending.cycle,
    branch: pending.branch,
    tip: pending.tip,
    base: record.base,
    created: record.created,
    engine: record.engine,
    impact: memoryImpact(record.stats, record.actions, record.notices ?? []),
    notices: record.notices ?? [],
    actions,
    dropped: record.dropped,
    commands: {
      approve: `reverie approve ${pending.cycle}`,
      approve_some: `reverie approve ${pending.cycle} --only ${ids.slice(0, 2).join(',') || '<ids>'}`,
      approve_except: `reverie approve ${pending.cycle} --except ${ids[0] ?? '<ids>'}`,
      drop: `reverie drop ${pending.cycle} <ids>`,
      reject: `reverie reject ${pending.cycle} --reason "<why>"`,
    },
  };
}

function entryOf(ref: EntryRef): ReviewEntry {
  return { path: ref.path, text: ref.raw.trimEnd() };
}

async function onlyPendingCycle(context: RepoContext, remote?: ReadonlyMap<string, string>): Promise<PendingCycle & { record: CycleRecord }> {
  const pending = (await pendingCycles(context, remote)).filter((p): p is PendingCycle & { record: CycleRecord } => p.record !== undefined);
  if (pending.length === 1) return pending[0]!;
  if (pending.length === 0) throw new GitStateError('no cycle is waiting for review; `reverie dream --mode review` proposes one');
  const list = pending.map((p) => `${p.cycle} (${p.record.actions.length} actions)`).join(', ');
  throw new UsageError(`${pending.length} cycles are waiting for review: ${list}; name one, e.g. \`reverie review ${pending[0]!.cycle}\``);
}

/** The change one commit makes to the files it touches, against its first parent. */
async function commitDiff(repo: Repo, commit: string): Promise<string> {
  const parent = (await readEntry(repo, commit)).parents[0];
  const paths = await changedPaths(repo, parent, commit);
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  for (const path of paths) {
    const old = parent ? await readFileAt(repo, parent, path) : undefined;
    const next = await readFileAt(repo, commit, path);
    if (old !== undefined) before.set(path, old);
    if (next !== undefined) after.set(path, next);
  }
  return unifiedDiff(before, after);
}
