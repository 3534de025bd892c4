import { afterEach, describe, expect, it } from 'vitest';
import { settledCycle, stateLabel } from '../../../src/cycle/history.js';
import { readMainHistory } from '../../../src/cycle/main-history.js';
import type { CycleRecord } from '../../../src/dream/state.js';
import { openRepo } from '../../../src/git/index.js';
import { enableReadCache } from '../../../src/util/read-cache.js';
import { commitFiles, git, makeTempRepo } from '../../helpers/git.js';
import { actionMessage, revertMessage, squashMessage, stateMessage } from '../../helpers/messages.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  enableReadCache(undefined);
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const at = (day: number, hour = 0) => `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
const seconds = (iso: string) => Date.parse(iso) / 1000;

async function repoWithNotes() {
  const fixture = await makeTempRepo({ 'memory/notes.md': '# Notes\n' });
  cleanups.push(fixture.cleanup);
  return fixture.dir;
}

/** A record with just what the history view reads. */
function record(cycle: string, ids: string[], decision?: CycleRecord['decision']): CycleRecord {
  return {
    cycle,
    branch: `reverie/dream-${cycle}`,
    base: '0'.repeat(40),
    engine: 'heuristic',
    mode: 'review',
    created: '2026-11-01T00:00:00.000Z',
    stats: { sessions: 2, new_sessions: 2, patterns: 1, noise: 0, entries: 1, tokens_before: 1, tokens_after: 1, warnings: 0 },
    actions: ids.map((id) => ({ id, type: 'add', paths: ['memory/notes.md'], summary: `add ${id}`, rationale: 'r', evidence: [], targets: [], fingerprint: id, patterns: [] })),
    dropped: [],
    ...(decision ? { decision } : {}),
  };
}

describe('readMainHistory', () => {
  it('finds actions fast-forwarded onto main, their bookkeeping, and a revert made later', async () => {
    const dir = await repoWithNotes();
    const a1 = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- one\n' }, actionMessage('C1', 'aaaa0001', 'add'), at(2));
    const a2 = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- one\n- two\n' }, actionMessage('C1', 'aaaa0002', 'add'), at(2));
    const state = await commitFiles(dir, { '.reverie/cycles/C1.json': '{}\n' }, stateMessage('C1'), at(2));
    const revert = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- two\n' }, revertMessage('C1', 'aaaa0001', a1), at(2, 5));

    const history = await readMainHistory(await openRepo(dir), git(dir, ['rev-parse', 'main']));
    expect(history.actions.get('C1/aaaa0001')).toMatchObject({ commit: a1, landed: a1, time: seconds(at(2)), position: 1 });
    expect(history.actions.get('C1/aaaa0002')).toMatchObject({ commit: a2, landed: a2, position: 2 });
    expect(history.states.get('C1')).toMatchObject({ commit: state, position: 3 });
    expect(history.reverts.get('C1/aaaa0001')).toMatchObject({ commit: revert, time: seconds(at(2, 5)), position: 4 });
    expect(history.reverts.has('C1/aaaa0002')).toBe(false);

    const view = settledCycle(record('C1', ['aaaa0001', 'aaaa0002']), history);
    expect(view).toMatchObject({ status: 'approved', partial: false, partly_reverted: true, label: 'approved, 1 of 2 reverted' });
    expect(view.actions.map((a) => [a.status, a.reverted_by])).toEqual([
      ['reverted', revert],
      ['applied', null],
    ]);
    expect(view.actions[0]).toMatchObject({ applied_at: new Date(at(2)).toISOString(), reverted_at: new Date(at(2, 5)).toISOString() });
  });

  it('attributes the commits of a branch merged with a merge commit to the merge, and keeps their own ids', async () => {
    const dir = await repoWithNotes();
    git(dir, ['checkout', '-q', '-b', 'reverie/dream-C2']);
    const b1 = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- b\n' }, actionMessage('C2', 'bbbb0001', 'add'), at(3));
    await commitFiles(dir, { '.reverie/cycles/C2.json': '{}\n' }, stateMessage('C2'), at(3));
    git(dir, ['checkout', '-q', 'main']);
    await commitFiles(dir, { 'other.md': 'x\n' }, 'main moved', at(4));
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge pull request #3 from acme/reverie/dream-C2', 'reverie/dream-C2'], { GIT_COMMITTER_DATE: at(5), GIT_AUTHOR_DATE: at(5) });
    const merge = git(dir, ['rev-parse', 'main']);

    const history = await readMainHistory(await openRepo(dir), merge);
    expect(history.actions.get('C2/bbbb0001')).toEqual({ commit: b1, landed: merge, time: seconds(at(5)), position: 2 });
    expect(history.states.get('C2')?.landed).toBe(merge);
  });

  it('reads every action of a squash merge from its one commit; a revert squashed with them left its action out', async () => {
    const dir = await repoWithNotes();
    const messages = [actionMessage('C3', 'cccc0001', 'add'), actionMessage('C3', 'cccc0002', 'update'), stateMessage('C3'), revertMessage('C3', 'cccc0002', 'f'.repeat(40))];
    const squash = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- c\n', '.reverie/cycles/C3.json': '{}\n' }, squashMessage('Dream cycle C3 (#4)', messages), at(6));
    const later = await commitFiles(dir, { 'memory/notes.md': '# Notes\n' }, revertMessage('C3', 'cccc0001', squash), at(8));

    const history = await readMainHistory(await openRepo(dir), later);
    expect(history.actions.get('C3/cccc0001')?.commit).toBe(squash);
    expect(history.actions.get('C3/cccc0002')?.commit).toBe(squash);
    const view = settledCycle(record('C3', ['cccc0001', 'cccc0002']), history);
    expect(view.actions.map((a) => a.status)).toEqual(['reverted', 'rejected']);
    expect(view).toMatchObject({ status: 'reverted', partial: true, label: 'reverted (approved 1 of 2)' });
    expect(view.actions[0]?.reverted_at).toBe(new Date(at(8)).toISOString());
  });

  it('counts a plain git revert of an action commit, and a revert of that revert puts the action back', async () => {
    const dir = await repoWithNotes();
    const d1 = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- d\n' }, actionMessage('C4', 'dddd0001', 'add'), at(9));
    await commitFiles(dir, { '.reverie/cycles/C4.json': '{}\n' }, stateMessage('C4'), at(9));
    git(dir, ['revert', '--no-edit', d1], { GIT_COMMITTER_DATE: at(10), GIT_AUTHOR_DATE: at(10) });
    const reverted = await readMainHistory(await openRepo(dir), git(dir, ['rev-parse', 'main']));
    expect(reverted.reverts.get('C4/dddd0001')?.commit).toBe(git(dir, ['rev-parse', 'main']));

    git(dir, ['revert', '--no-edit', 'HEAD'], { GIT_COMMITTER_DATE: at(11), GIT_AUTHOR_DATE: at(11) });
    const restored = await readMainHistory(await openRepo(dir), git(dir, ['rev-parse', 'main']));
    expect(restored.reverts.has('C4/dddd0001')).toBe(false);
    expect(settledCycle(record('C4', ['dddd0001']), restored).status).toBe('approved');
  });
});

describe('readMainHistory with the facts of commits kept between runs', () => {
  it('reads the same history as afresh when main moves on by a merge, a fast-forward and reverts', async () => {
    const dir = await repoWithNotes();
    const d1 = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- d\n' }, actionMessage('C4', 'dddd0001', 'add'), at(9));
    await commitFiles(dir, { '.reverie/cycles/C4.json': '{}\n' }, stateMessage('C4'), at(9));
    const afresh = async () => readMainHistory(await openRepo(dir), git(dir, ['rev-parse', 'main']));
    const kept = async () => {
      enableReadCache('build');
      try {
        return await readMainHistory(await openRepo(dir), git(dir, ['rev-parse', 'main']));
      } finally {
        enableReadCache(undefined);
      }
    };
    expect(await kept()).toEqual(await afresh());
    git(dir, ['checkout', '-q', '-b', 'reverie/dream-C5']);
    await commitFiles(dir, { 'memory/tools.md': '# Tools\n- e\n' }, actionMessage('C5', 'eeee0001', 'add'), at(10));
    await commitFiles(dir, { '.reverie/cycles/C5.json': '{}\n' }, stateMessage('C5'), at(10));
    git(dir, ['checkout', '-q', 'main']);
    await commitFiles(dir, { 'other.md': 'x\n' }, 'main moved', at(11));
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge pull request #5 from acme/reverie/dream-C5', 'reverie/dream-C5'], { GIT_COMMITTER_DATE: at(12), GIT_AUTHOR_DATE: at(12) });
    expect(await kept()).toEqual(await afresh());
    git(dir, ['revert', '--no-edit', d1], { GIT_COMMITTER_DATE: at(13), GIT_AUTHOR_DATE: at(13) });
    const reverted = await kept();
    expect(reverted).toEqual(await afresh());
    expect(reverted.reverts.get('C4/dddd0001')?.commit).toBe(git(dir, ['rev-parse', 'main']));
    expect(reverted.actions.get('C5/eeee0001')?.landed).toBe(git(dir, ['rev-parse', 'main~1']));
    git(dir, ['revert', '--no-edit', 'HEAD'], { GIT_COMMITTER_DATE: at(14), GIT_AUTHOR_DATE: at(14) });
    const restored = await kept();
    expect(restored).toEqual(await afresh());
    expect(restored.reverts.has('C4/dddd0001')).toBe(false);
  });
});

describe('settledCycle', () => {
  it('tells actions left out at approval, dropped in a replay, and a rejected cycle', async () => {
    const dir = await repoWithNotes();
    const e1 = await commitFiles(dir, { 'memory/notes.md': '# Notes\n- e\n' }, actionMessage('C5', 'eeee0001', 'add'), at(12));
    await commitFiles(dir, { '.reverie/cycles/C5.json': '{}\n' }, stateMessage('C5'), at(12));
    const history = await readMainHistory(await openRepo(dir), git(dir, ['rev-parse', 'main']));

    const partly = settledCycle(record('C5', ['eeee0001', 'eeee0002', 'eeee0003'], { status: 'approved', at: at(12), approved: ['eeee0001', 'eeee0003'], rejected: ['eeee0002'] }), history);
    expect(partly.actions.map((a) => [a.status, a.commit])).toEqual([
      ['applied', e1],
      ['rejected', null],
      ['dropped', null],
    ]);
    expect(partly).toMatchObject({ status: 'approved', partial: true, label: 'approved (1 of 3)', counts: { actions: 3, approved: 1, rejected: 1, dropped: 1, reverted: 0, pending: 0 } });

    const rejected = settledCycle(record('C6', ['ffff0001'], { status: 'rejected', at: at(12), approved: [], rejected: ['ffff0001'], reason: 'no' }), history);
    expect(rejected).toMatchObject({ status: 'rejected', label: 'rejected', partial: false, reason: 'no' });
    expect(rejected.actions[0]?.status).toBe('rejected');
  });

  it('words each state', () => {
    const counts = { actions: 4, approved: 3, reverted: 0, rejected: 1, dropped: 0, pending: 0 };
    expect(stateLabel('approved', true, counts)).toBe('approved (3 of 4)');
    expect(stateLabel('approved', true, { ...counts, reverted: 1 })).toBe('approved (3 of 4), 1 of 3 reverted');
    expect(stateLabel('reverted', false, { ...counts, approved: 4, rejected: 0, reverted: 4 })).toBe('reverted');
    expect(stateLabel('pending', false, counts)).toBe('pending');
  });
});
