import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCycle } from '../../../src/cycle/build.js';
import { openContext, type RepoContext } from '../../../src/cycle/context.js';
import { revertChanges } from '../../../src/cycle/revert-plan.js';
import { revert, RevertConflictError, RevertRefusedError } from '../../../src/cycle/revert.js';
import { revertMark } from '../../../src/cycle/trailers.js';
import { emptyState } from '../../../src/dream/plan.js';
import type { CycleRecord } from '../../../src/dream/state.js';
import type { Action, ActionType } from '../../../src/dream/types.js';
import { entryId } from '../../../src/memory/index.js';
import { shortHash } from '../../../src/util/hash.js';
import { TEST_CONFIG } from '../../helpers/config.js';
import { commitFiles, git, makeTempRepo } from '../../helpers/git.js';

const NOTES_PATH = 'memory/notes.md';
const NOTES = `# Notes

## Tools

- Install dependencies with \`npm install\`.
- The pricing service listens on port 8081.

## Preferences

- Dates in release notes are ISO 8601.
`;

function action(type: ActionType, summary: string, extra: Partial<Action>): Action {
  const fingerprint = `${type}:${summary}`;
  return {
    id: shortHash(fingerprint),
    type,
    paths: [NOTES_PATH],
    summary,
    rationale: 'Seen in two sessions.',
    evidence: [{ sessionId: 's1', agent: 'bot', quote: 'a quote' }],
    targets: [],
    fingerprint,
    patterns: [],
    ...extra,
  };
}

const addNote = (text: string, section = 'Tools') => action('add', `add "${text}"`, { content: text, destination: { path: NOTES_PATH, section } });
const target = (raw: string) => ({ path: NOTES_PATH, id: entryId(NOTES_PATH, raw), raw });
const updateNote = (raw: string, text: string) => action('update', `correct "${raw.trim()}"`, { targets: [target(raw)], content: text });
const pruneNote = (raw: string) => action('prune', `prune "${raw.trim()}"`, { targets: [target(raw)] });

const NPM = '- Install dependencies with `npm install`.\n';
const PORT = '- The pricing service listens on port 8081.\n';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function memoryRepo(): Promise<{ dir: string; context: RepoContext }> {
  const repo = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, [NOTES_PATH]: NOTES });
  cleanups.push(repo.cleanup);
  return { dir: repo.dir, context: await openContext(repo.dir) };
}

interface Branch {
  cycle: string;
  branch: string;
  base: string;
  /** The action commits, then the bookkeeping commit. */
  commits: string[];
}

/** A cycle of `actions` on its dream branch from main, as `reverie dream --mode review` leaves it. */
async function dreamBranch(context: RepoContext, cycle: string, actions: Action[]): Promise<Branch> {
  const dir = context.repo.dir;
  const base = git(dir, ['rev-parse', 'main']);
  const branch = `reverie/dream-${cycle}`;
  const record: CycleRecord = {
    cycle,
    branch,
    base,
    engine: 'heuristic',
    mode: 'review',
    created: '2026-11-24T10:10:10.000Z',
    stats: { sessions: 2, new_sessions: 2, patterns: 1, noise: 0, entries: 3, tokens_before: 0, tokens_after: 0, warnings: 0 },
    actions,
    dropped: [],
  };
  const built = await buildCycle(context.repo, {
    parent: base,
    actions,
    state: emptyState(),
    record,
    memoryRoot: 'memory',
    author: { name: 'reverie', email: 'reverie@example.com' },
    timestamp: 1795000000,
    stateSubject: `record cycle ${cycle}`,
  });
  expect(built.skipped).toEqual([]);
  git(dir, ['branch', branch, built.tip]);
  const commits = git(dir, ['rev-list', '--reverse', `${base}..${branch}`]).split('\n');
  return { cycle, branch, base, commits };
}

/** The cycle merged into main the way GitHub's (or git's) merge methods do it; the branch is deleted after. */
function mergeInto(dir: string, { branch, base, commits, cycle }: Branch, how: 'ff' | 'merge' | 'squash' | 'rebase'): void {
  if (how === 'ff') git(dir, ['merge', '-q', '--ff-only', branch]);
  if (how === 'merge') git(dir, ['merge', '-q', '--no-ff', '-m', `Merge pull request #1 from ${branch}`, branch]);
  if (how === 'squash') {
    git(dir, ['merge', '-q', '--squash', branch]);
    // GitHub's squash message: the title, then every commit's message as a `* ` list item.
    const bodies = git(dir, ['log', '--reverse', '--format=* %B%x00', `${base}..${branch}`]).split('\0').map((m) => m.trim()).filter(Boolean);
    git(dir, ['commit', '-q', '-m', `Dream cycle ${cycle} (#1)\n\n${bodies.join('\n\n')}`]);
  }
  if (how === 'rebase') git(dir, ['cherry-pick', ...commits], { GIT_COMMITTER_DATE: '2026-12-01T00:00:00Z' });
  git(dir, ['branch', '-q', '-D', branch]);
}

const notes = (dir: string) => readFileSync(path.join(dir, NOTES_PATH), 'utf8');
const now = new Date('2026-11-25T00:00:00Z');

describe('revert of one action', () => {
  it('undoes an action with a commit of its own, remembers it as rejected, and keeps the working tree in step', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const cycle = await dreamBranch(context, '20261124-101010', [add, updateNote(PORT, 'The pricing service listens on port 8082.')]);
    mergeInto(dir, cycle, 'ff');
    const before = git(dir, ['rev-parse', 'main']);

    const result = await revert(context, add.id, { now, reason: 'too vague' });

    expect(result).toMatchObject({ mode: 'auto', target: `action ${cycle.cycle}/${add.id}`, merged: true, branch: 'main', workingTreeUpdated: true, skipped: [] });
    expect(result.reverted).toEqual([expect.objectContaining({ cycle: cycle.cycle, actionId: add.id, commit: cycle.commits[0], revert: result.main })]);
    expect(git(dir, ['rev-parse', 'main~1'])).toBe(before);
    expect(git(dir, ['show', '--name-only', '--format=', 'main']).split('\n').sort()).toEqual(['.reverie/rejected.json', NOTES_PATH]);
    expect(notes(dir)).toBe(NOTES.replace('8081', '8082'));
    expect(git(dir, ['status', '--porcelain'])).toBe('');

    const message = git(dir, ['log', '-1', '--format=%B', 'main']);
    expect(message.split('\n')[0]).toBe(`revert(${NOTES_PATH}): ${add.summary}`);
    expect(message).toContain('too vague');
    expect(git(dir, ['log', '-1', '--format=%(trailers:only,unfold)', 'main'])).toBe(
      [`Reverie-Cycle: ${cycle.cycle}`, 'Reverie-Action: revert', `Reverie-Reverts: ${cycle.cycle}/${add.id}`, `Reverie-Revert-Of: ${cycle.commits[0]}`, ''].join('\n'),
    );
    const rejected = JSON.parse(git(dir, ['show', 'main:.reverie/rejected.json'])) as Record<string, { reason: string; cycle: string }>;
    expect(rejected[add.fingerprint]).toEqual({ cycle: cycle.cycle, summary: add.summary, reason: 'reverted' });
  });

  it('keeps later changes elsewhere in the file, even in the lines right next to the action', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    mergeInto(dir, await dreamBranch(context, '20261124-101010', [add]), 'ff');
    const withAdd = notes(dir);
    await commitFiles(dir, { [NOTES_PATH]: withAdd.replace('- Use pnpm, not npm.\n', '- Use pnpm, not npm.\n- Run tests with vitest.\n').replace('ISO 8601', 'ISO 8601 (UTC)') }, 'docs: more notes');

    await revert(context, add.id, { now });

    expect(notes(dir)).toBe(NOTES.replace(PORT, `${PORT}- Run tests with vitest.\n`).replace('ISO 8601', 'ISO 8601 (UTC)'));
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('refuses when a later edit changed the same entry, naming it, and changes nothing', async () => {
    const { dir, context } = await memoryRepo();
    const update = updateNote(NPM, 'Install dependencies with `pnpm install`.');
    mergeInto(dir, await dreamBranch(context, '20261124-101010', [update]), 'ff');
    await commitFiles(dir, { [NOTES_PATH]: notes(dir).replace('`pnpm install`.', '`pnpm install --frozen-lockfile`.') }, 'docs: frozen lockfile');
    const refs = git(dir, ['show-ref']);
    const text = notes(dir);

    const error = await revert(context, update.id, { now }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RevertConflictError);
    const conflict = error as RevertConflictError;
    expect(conflict.exitCode).toBe(1);
    expect(conflict.conflicts.map((c) => c.path)).toEqual([NOTES_PATH]);
    expect(conflict.entries).toEqual(['Install dependencies with `pnpm install`.', 'Install dependencies with `pnpm install --frozen-lockfile`.']);
    expect(conflict.message).toContain(NOTES_PATH);
    expect(conflict.message).toContain('pnpm install --frozen-lockfile');
    expect(git(dir, ['show-ref'])).toBe(refs);
    expect(notes(dir)).toBe(text);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('refuses a line added under the entry being undone, where git would see two changes that touch', async () => {
    const { dir, context } = await memoryRepo();
    const update = updateNote(PORT, 'The pricing service listens on port 8082.');
    mergeInto(dir, await dreamBranch(context, '20261124-101010', [update]), 'ff');
    await commitFiles(dir, { [NOTES_PATH]: notes(dir).replace('8082.\n', '8082.\n  (8083 for the admin API)\n') });
    await expect(revert(context, update.id, { now })).rejects.toThrow(/port 8082/);
  });

  it.each(['merge', 'rebase'] as const)('finds the action after a %s merge', async (how) => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const prune = pruneNote(PORT);
    const cycle = await dreamBranch(context, '20261124-101010', [add, prune]);
    mergeInto(dir, cycle, how);
    const carrier = git(dir, ['log', '--format=%H', '--grep', `Reverie-Action-Id: ${add.id}`, 'main']);
    if (how === 'rebase') expect(carrier).not.toBe(cycle.commits[0]);

    const result = await revert(context, add.id, { now });

    expect(result.reverted[0]?.commit).toBe(carrier);
    expect(notes(dir)).toBe(NOTES.replace(PORT, ''));
  });

  it('rebuilds one action out of a squash merge from the cycle record', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const update = updateNote(NPM, 'Install dependencies with `pnpm install`.');
    const prune = pruneNote(PORT);
    mergeInto(dir, await dreamBranch(context, '20261124-101010', [add, update, prune]), 'squash');
    const squash = git(dir, ['rev-parse', 'main']);

    const result = await revert(context, update.id, { now });

    expect(result.reverted).toEqual([expect.objectContaining({ actionId: update.id, commit: squash })]);
    expect(notes(dir)).toBe(NOTES.replace(PORT, '- Use pnpm, not npm.\n'));
    expect(revertMark(git(dir, ['log', '-1', '--format=%B', 'main']))).toEqual({ actions: [`20261124-101010/${update.id}`], commits: [squash] });
  });

  it('accepts the commit, abbreviated, and <cycle>/<action id>', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const prune = pruneNote(PORT);
    const cycle = await dreamBranch(context, '20261124-101010', [add, prune]);
    mergeInto(dir, cycle, 'ff');
    expect((await revert(context, cycle.commits[1]!.slice(0, 7), { now })).reverted.map((r) => r.actionId)).toEqual([prune.id]);
    expect((await revert(context, `dream-${cycle.cycle}/${add.id}`, { now })).reverted.map((r) => r.actionId)).toEqual([add.id]);
    expect(notes(dir)).toBe(NOTES);
  });

  it('takes a merge commit to mean the actions it brought in', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const prune = pruneNote(PORT);
    mergeInto(dir, await dreamBranch(context, '20261124-101010', [add, prune]), 'merge');
    const result = await revert(context, git(dir, ['rev-parse', '--short=9', 'main']), { now, mode: 'review' });
    expect(result.reverted.map((r) => r.actionId)).toEqual([prune.id, add.id]);
    expect(result.branch).toMatch(/^reverie\/revert-[0-9a-f]{7}$/);
  });

  it('counts a plain `git revert` of the action’s commit as a revert', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const cycle = await dreamBranch(context, '20261124-101010', [add]);
    mergeInto(dir, cycle, 'ff');
    git(dir, ['revert', '--no-edit', cycle.commits[0]!]);
    await expect(revert(context, add.id, { now })).rejects.toThrow(new RegExp(`already reverted, by ${git(dir, ['rev-parse', '--short=7', 'main'])}`));
  });
});

describe('revert of a whole cycle', () => {
  it('reverts every action, newest first, one commit each, and never the bookkeeping', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const update = updateNote(NPM, 'Install dependencies with `pnpm install`.');
    const prune = pruneNote(PORT);
    const cycle = await dreamBranch(context, '20261124-101010', [add, update, prune]);
    mergeInto(dir, cycle, 'ff');
    const recorded = git(dir, ['show', 'main:.reverie/cycles/20261124-101010.json']);

    const result = await revert(context, cycle.branch, { now });

    expect(result.target).toBe('cycle 20261124-101010');
    expect(result.reverted.map((r) => r.actionId)).toEqual([prune.id, update.id, add.id]);
    expect(git(dir, ['rev-list', '--count', `${cycle.commits.at(-1)}..main`])).toBe('3');
    expect(notes(dir)).toBe(NOTES);
    expect(git(dir, ['show', 'main:.reverie/cycles/20261124-101010.json'])).toBe(recorded);
    const rejected = JSON.parse(git(dir, ['show', 'main:.reverie/rejected.json'])) as Record<string, unknown>;
    // Each action by its fingerprint, and what it did by its effects (the entries it removed, the text it wrote).
    const fingerprints = Object.keys(rejected).filter((key) => !key.startsWith('effect:'));
    expect(fingerprints.sort()).toEqual([add.fingerprint, update.fingerprint, prune.fingerprint].sort());
    expect(Object.keys(rejected).filter((key) => key.startsWith('effect:'))).toHaveLength(4);
  });

  it('reverts a squash-merged cycle whole', async () => {
    const { dir, context } = await memoryRepo();
    const cycle = await dreamBranch(context, '20261124-101010', [addNote('Use pnpm, not npm.'), updateNote(NPM, 'Install dependencies with `pnpm install`.'), pruneNote(PORT)]);
    mergeInto(dir, cycle, 'squash');
    expect((await revert(context, cycle.cycle, { now })).commits).toHaveLength(3);
    expect(notes(dir)).toBe(NOTES);
  });

  it('stops at the first conflict without writing any of the cycle’s reverts', async () => {
    const { dir, context } = await memoryRepo();
    const cycle = await dreamBranch(context, '20261124-101010', [addNote('Use pnpm, not npm.'), pruneNote(PORT)]);
    mergeInto(dir, cycle, 'ff');
    await commitFiles(dir, { [NOTES_PATH]: notes(dir).replace('Use pnpm, not npm.', 'Use pnpm 9, not npm.') });
    const main = git(dir, ['rev-parse', 'main']);
    await expect(revert(context, cycle.cycle, { now })).rejects.toThrow(/Use pnpm 9, not npm/);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
  });
});

describe('review mode and refusals', () => {
  it('puts the reverts on a branch and leaves main alone', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    mergeInto(dir, await dreamBranch(context, '20261124-101010', [add]), 'ff');
    const main = git(dir, ['rev-parse', 'main']);

    const result = await revert(context, add.id, { now, mode: 'review' });

    expect(result).toMatchObject({ mode: 'review', branch: `reverie/revert-${add.id}`, merged: false, main });
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    expect(git(dir, ['rev-parse', `${result.branch}~1`])).toBe(main);
    expect(git(dir, ['show', `${result.branch}:${NOTES_PATH}`])).toBe(NOTES.trimEnd());
    await expect(revert(context, add.id, { now, mode: 'review' })).rejects.toThrow(/already waiting on branch reverie\/revert-/);
  });

  it('refuses an action reverted before, a pending one, bookkeeping, and an unknown name (listing what exists)', async () => {
    const { dir, context } = await memoryRepo();
    const add = addNote('Use pnpm, not npm.');
    const cycle = await dreamBranch(context, '20261124-101010', [add]);
    mergeInto(dir, cycle, 'ff');
    await revert(context, add.id, { now });

    await expect(revert(context, add.id, { now })).rejects.toThrow(/already reverted/);
    await expect(revert(context, cycle.cycle, { now })).rejects.toThrow(/already reverted/);
    await expect(revert(context, cycle.commits.at(-1)!, { now })).rejects.toThrow(/bookkeeping/);
    const pending = await dreamBranch(context, '20261124-121212', [pruneNote(PORT)]);
    await expect(revert(context, pending.cycle, { now })).rejects.toThrow(/pending.*reverie reject 20261124-121212/);
    await expect(revert(context, pruneNote(PORT).id, { now })).rejects.toThrow(/pending in cycle 20261124-121212/);
    const unknown = await revert(context, 'deadbeef', { now }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(RevertRefusedError);
    expect((unknown as RevertRefusedError).exitCode).toBe(2);
    expect((unknown as Error).message).toContain(`cycles on main: 20261124-101010 (${add.id})`);
  });
});

describe('revertChanges', () => {
  const name = { cycle: 'c1', actionId: 'aaaaaaaa', type: 'add' };

  it('deletes a file the action created when nothing else was written to it, and restores one it changed', () => {
    const changes = [
      { path: 'memory/new.md', before: undefined, after: '- a\n' },
      { path: NOTES_PATH, before: NOTES, after: `${NOTES}- b\n` },
    ];
    const current = new Map([['memory/new.md', '- a\n'], [NOTES_PATH, `${NOTES}- b\n`]]);
    expect(revertChanges(current, name, changes)).toEqual(new Map([['memory/new.md', null], [NOTES_PATH, NOTES]]));
  });

  it('leaves alone a file already as it was before, and refuses one deleted since', () => {
    expect(revertChanges(new Map([[NOTES_PATH, NOTES]]), name, [{ path: NOTES_PATH, before: NOTES, after: `${NOTES}- b\n` }])).toEqual(new Map());
    expect(() => revertChanges(new Map(), name, [{ path: NOTES_PATH, before: NOTES, after: `${NOTES}- b\n` }])).toThrow(/deleted since/);
  });
});
