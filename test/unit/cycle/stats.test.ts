import { describe, expect, it } from 'vitest';
import type { ActionState, ActionView, CycleState, CycleView } from '../../../src/cycle/history.js';
import { humanDuration, median, statsOf } from '../../../src/cycle/stats.js';

const HOUR = 3600;

function action(type: string, status: ActionState, revertedAfter?: number): ActionView {
  const applied = status === 'applied' || status === 'reverted' ? '2026-11-01T00:00:00.000Z' : null;
  return {
    id: `${type}-${status}`,
    type,
    paths: ['memory/notes.md'],
    summary: '',
    commit: applied ? 'a'.repeat(40) : null,
    status,
    evidence: [],
    applied_at: applied,
    reverted_by: revertedAfter === undefined ? null : 'b'.repeat(40),
    reverted_at: revertedAfter === undefined ? null : new Date(Date.parse('2026-11-01T00:00:00Z') + revertedAfter * 1000).toISOString(),
  };
}

function cycle(status: CycleState, actions: ActionView[]): CycleView {
  return {
    cycle: status,
    status,
    partial: false,
    partly_reverted: false,
    counts: { actions: actions.length, approved: 0, reverted: 0, rejected: 0, dropped: 0, pending: 0 },
    label: status,
    created: '2026-11-01T00:00:00.000Z',
    engine: 'heuristic',
    mode: 'auto',
    branch: '',
    stats: { sessions: 0, new_sessions: 0, patterns: 0, noise: 0, entries: 0, tokens_before: 0, tokens_after: 0, warnings: 0 },
    actions,
  };
}

describe('statsOf', () => {
  it('counts per action type what was proposed, approved, dropped and why, pending and reverted, with the median time to revert', () => {
    const stats = statsOf([
      cycle('approved', [action('add', 'applied'), action('add', 'reverted', 2 * HOUR), action('add', 'rejected'), action('update', 'dropped'), action('prune', 'reverted', 4 * HOUR)]),
      cycle('reverted', [action('add', 'reverted', 6 * HOUR)]),
      cycle('rejected', [action('update', 'rejected'), action('merge', 'rejected')]),
      cycle('pending', [action('resolve', 'pending')]),
    ]);
    expect(stats.cycles).toBe(4);
    const byType = Object.fromEntries(stats.types.map((t) => [t.type, t]));
    expect(byType.add).toEqual({
      type: 'add',
      proposed: 4,
      approved: 3,
      dropped: 1,
      dropped_by: { left_out: 1, rejected: 0, no_longer_applied: 0 },
      pending: 0,
      reverted: 2,
      median_seconds_to_revert: 4 * HOUR,
    });
    expect(byType.update).toMatchObject({ proposed: 2, approved: 0, dropped: 2, dropped_by: { left_out: 0, rejected: 1, no_longer_applied: 1 } });
    expect(byType.resolve).toMatchObject({ proposed: 1, pending: 1, median_seconds_to_revert: null });
    expect(stats.all).toMatchObject({ type: 'all', proposed: 9, approved: 4, dropped: 4, pending: 1, reverted: 3, median_seconds_to_revert: 4 * HOUR });
    expect(stats.types.map((t) => t.type)).toEqual(['add', 'update', 'merge', 'resolve', 'prune']);
  });

  it('gives every action type a row even with no cycles', () => {
    const stats = statsOf([]);
    expect(stats.types.every((t) => t.proposed === 0 && t.median_seconds_to_revert === null)).toBe(true);
  });
});

describe('median and humanDuration', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('words a duration in the largest unit that fits', () => {
    expect([30, 90, 2 * HOUR, 1.25 * HOUR, 3 * 24 * HOUR].map(humanDuration)).toEqual(['30 s', '2 min', '2 h', '1.3 h', '3 d']);
  });
});
