/**
 * How curation fares, per action type, from git history alone: what cycles proposed, what reached main, what was
 * dropped on the way, and what was reverted later and how soon.
 */
import { ACTION_TYPES } from '../dream/types.js';
import type { RepoContext } from './repo-context.js';
import { listCycles, type ActionView, type CycleView } from './history.js';

export interface ActionTypeStats {
  /** An action type, or `all`. */
  type: string;
  proposed: number;
  /** Reached main (including those reverted since). */
  approved: number;
  /** Did not reach main: the sum of the three below. */
  dropped: number;
  dropped_by: {
    /** Left out when the rest of the cycle was approved (or reverted on its branch before the merge). */
    left_out: number;
    /** Their whole cycle was rejected. */
    rejected: number;
    /** No longer applied when the cycle was replayed on a main that had moved. */
    no_longer_applied: number;
  };
  /** Still waiting on a pending cycle. */
  pending: number;
  /** Reached main, then reverted. */
  reverted: number;
  /** Median time from reaching main to the revert, in seconds; null when none was reverted. */
  median_seconds_to_revert: number | null;
}

export interface CurationStats {
  cycles: number;
  types: ActionTypeStats[];
  all: ActionTypeStats;
}

/** `reverie stats`: the figures over every cycle main knows of and every pending one. */
export async function curationStats(context: RepoContext): Promise<CurationStats> {
  return statsOf(await listCycles(context));
}

/** The figures for a list of cycles (as `listCycles` gives them). Types no cycle proposed still get a row. */
export function statsOf(cycles: CycleView[]): CurationStats {
  const actions = cycles.flatMap((cycle) => cycle.actions.map((action) => ({ action, cycle })));
  const seen = [...new Set(actions.map(({ action }) => action.type))];
  const types = [...ACTION_TYPES, ...seen.filter((t) => !(ACTION_TYPES as readonly string[]).includes(t)).sort()];
  return {
    cycles: cycles.length,
    types: types.map((type) => figures(type, actions.filter(({ action }) => action.type === type))),
    all: figures('all', actions),
  };
}

function figures(type: string, actions: { action: ActionView; cycle: CycleView }[]): ActionTypeStats {
  const count = (test: (a: ActionView, c: CycleView) => boolean) => actions.filter(({ action, cycle }) => test(action, cycle)).length;
  const leftOut = count((a, c) => a.status === 'rejected' && c.status !== 'rejected');
  const rejected = count((a, c) => a.status === 'rejected' && c.status === 'rejected');
  const noLongerApplied = count((a) => a.status === 'dropped');
  return {
    type,
    proposed: actions.length,
    approved: count((a) => a.status === 'applied' || a.status === 'reverted'),
    dropped: leftOut + rejected + noLongerApplied,
    dropped_by: { left_out: leftOut, rejected, no_longer_applied: noLongerApplied },
    pending: count((a) => a.status === 'pending'),
    reverted: count((a) => a.status === 'reverted'),
    median_seconds_to_revert: median(actions.flatMap(({ action }) => secondsToRevert(action))),
  };
}

function secondsToRevert(action: ActionView): number[] {
  if (action.status !== 'reverted' || !action.applied_at || !action.reverted_at) return [];
  return [Math.max(0, (Date.parse(action.reverted_at) - Date.parse(action.applied_at)) / 1000)];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `45 s`, `12 min`, `3.5 h`, `2.1 d`: a duration as a person reads it. */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${round1(seconds / 3600)} h`;
  return `${round1(seconds / 86_400)} d`;
}

function round1(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
