import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../helpers/config.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { commitFiles, git, makeMemoryRepo, type Files } from '../helpers/git.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';

const NOTES_PATH = 'memory/notes.md';
const NOTES = `# Notes

## Tools

- Install dependencies with \`npm install\`.
- The pricing service listens on port 8081.
- Pricing svc port is 8081 (local dev).

## Preferences
`;

function preferenceSession(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [
    { user: 'Write the release notes for 2.3.' },
    { assistant: 'Here is a draft.' },
    { user: sentence },
    { assistant: 'Understood, updated.' },
  ]);
}

/** Sessions from which the heuristic engine proposes a merge (pricing port), an update (npm → pnpm) and an add (ISO dates). */
const FILES: Files = {
  'reverie.yaml': TEST_CONFIG,
  [NOTES_PATH]: NOTES,
  'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
  'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
  'sessions/coding-agent/s3.jsonl': preferenceSession('s3', '2026-11-04T09:00:00Z', 'Always write dates in ISO 8601 format in release notes.'),
  'sessions/review-agent/s4.jsonl': preferenceSession('s4', '2026-11-05T09:00:00Z', 'no, release notes must always use ISO 8601 format for dates'),
};

interface DreamJson {
  cycle: string;
  branch: string;
  base: string;
  actions: { id: string; type: string; summary: string; commit: string | null }[];
  dropped: { id: string; reason: string }[];
}

interface RevertJson {
  mode: string;
  target: string;
  branch: string;
  merged: boolean;
  main: string;
  commits: string[];
  reverted: { cycle: string; actionId: string; type: string; commit: string; revert: string }[];
  skipped: { actionId: string; reason: string }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function repoWith(files: Files = FILES): Promise<string> {
  const repo = await makeMemoryRepo(files);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

const notes = (dir: string) => readFileSync(path.join(dir, NOTES_PATH), 'utf8');
const show = (dir: string, rev: string, file = NOTES_PATH) => `${git(dir, ['show', `${rev}:${file}`])}\n`;

function dream(dir: string, mode: 'auto' | 'review' = 'auto'): DreamJson & { byType: (type: string) => DreamJson['actions'][number] } {
  const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', mode]);
  expect(result.code).toBe(0);
  expect(result.actions.map((a) => a.type).sort()).toEqual(['add', 'merge', 'update']);
  const byType = (type: string) => result.actions.find((a) => a.type === type)!;
  return { ...result, byType };
}

/** The notes at `rev` with `commit` reverted, as native git reverts it (in a scratch clone): the answer to check against. */
function withoutLinesOf(dir: string, rev: string, commit: string): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'reverie-revert-check-'));
  try {
    git(scratch, ['clone', '-q', '--no-checkout', dir, '.']);
    git(scratch, ['checkout', '-q', '--detach', rev]);
    git(scratch, ['revert', '--no-edit', commit]);
    return readFileSync(path.join(scratch, NOTES_PATH), 'utf8');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The commit on `ref`'s history whose trailers name the action. */
function commitOf(dir: string, actionId: string, ref = 'main'): string {
  return git(dir, ['log', '--format=%H', '--grep', `Reverie-Action-Id: ${actionId}`, ref]);
}

describe('reverie revert (auto)', () => {
  it('undoes one action with a revert commit on main, and keeps the working tree in step', async () => {
    const dir = await repoWith();
    const cycle = dream(dir);
    const add = cycle.byType('add');
    const tip = git(dir, ['rev-parse', 'main']);

    const result = reverieJson<RevertJson>(['revert', add.id, '--reason', 'we write dates however we like', '--repo', dir]);

    expect(result.code).toBe(0);
    expect(result).toMatchObject({ mode: 'auto', merged: true, branch: 'main', target: `action ${cycle.cycle}/${add.id}` });
    expect(git(dir, ['rev-parse', 'main'])).toBe(result.main);
    expect(git(dir, ['rev-parse', 'main~1'])).toBe(tip);
    expect(notes(dir)).toBe(withoutLinesOf(dir, tip, add.commit as string));
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    expect(git(dir, ['show', '--name-only', '--format=', 'main']).split('\n').sort()).toEqual(['.reverie/rejected.json', NOTES_PATH]);
    expect(git(dir, ['log', '-1', '--format=%s', 'main'])).toBe(`revert(${NOTES_PATH}): ${add.summary}`);
    expect(git(dir, ['log', '-1', '--format=%b', 'main'])).toContain('we write dates however we like');
    expect(git(dir, ['log', '-1', '--format=%(trailers:only,unfold)', 'main']).trim().split('\n')).toEqual([
      `Reverie-Cycle: ${cycle.cycle}`,
      'Reverie-Action: revert',
      `Reverie-Reverts: ${cycle.cycle}/${add.id}`,
      `Reverie-Revert-Of: ${add.commit}`,
    ]);
  });

  it('keeps later changes elsewhere in the same file', async () => {
    const dir = await repoWith();
    const update = dream(dir).byType('update');
    const later = notes(dir).replace('## Preferences\n', '## Preferences\n\n- Release on Tuesdays.\n');
    await commitFiles(dir, { [NOTES_PATH]: later }, 'docs: release day');

    const result = reverie(['revert', update.id, '--repo', dir]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`revert update ${update.id}`);
    const text = notes(dir);
    expect(text).toContain('- Release on Tuesdays.');
    expect(text).toContain('- Install dependencies with `npm install`.');
    expect(text).not.toContain('pnpm');
    expect(text).toBe(later.replace('- Install dependencies with `pnpm install`.\n', '- Install dependencies with `npm install`.\n'));
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('refuses a file saved in another encoding since the action: names it and its line, and rewrites no byte of it', async () => {
    const dir = await repoWith();
    const update = dream(dir).byType('update');
    const latin1 = Buffer.concat([readFileSync(path.join(dir, NOTES_PATH)), Buffer.from('\n- Caf\xe9 r\xe8gles: keep the menu short.\n', 'latin1')]);
    writeFileSync(path.join(dir, NOTES_PATH), latin1);
    git(dir, ['commit', '-q', '-am', 'docs: a line in Latin-1']);
    const refs = git(dir, ['show-ref']);
    const line = latin1.toString('latin1').split('\n').findIndex((l) => l.includes('Caf')) + 1;

    const result = reverie(['revert', update.id, '--repo', dir]);

    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`${NOTES_PATH}: is not UTF-8 text (line ${line})`);
    expect(result.stderr).toContain('the revert touches nothing');
    expect(git(dir, ['show-ref'])).toBe(refs);
    expect(readFileSync(path.join(dir, NOTES_PATH)).equals(latin1)).toBe(true);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('refuses when a later edit changed the same entry: names it, and leaves main and the working tree as they were', async () => {
    const dir = await repoWith();
    const update = dream(dir).byType('update');
    await commitFiles(dir, { [NOTES_PATH]: notes(dir).replace('with `pnpm install`.', 'with `pnpm install --frozen-lockfile`.') }, 'docs: frozen lockfile');
    const refs = git(dir, ['show-ref']);
    const text = notes(dir);

    const result = reverie(['revert', update.id, '--repo', dir]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot revert update ${update.id}`);
    expect(result.stderr).toContain(NOTES_PATH);
    expect(result.stderr).toContain('Install dependencies with `pnpm install --frozen-lockfile`.');
    expect(result.stderr).toContain('Install dependencies with `pnpm install`.');
    expect(git(dir, ['show-ref'])).toBe(refs);
    expect(notes(dir)).toBe(text);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('reverts a whole cycle, newest action first, and never its bookkeeping', async () => {
    const dir = await repoWith();
    const cycle = dream(dir);
    const tip = git(dir, ['rev-parse', 'main']);
    const bookkeeping = git(dir, ['ls-tree', '-r', 'main', '.reverie/cycles', '.reverie/processed', '.reverie/patterns']);

    const result = reverieJson<RevertJson>(['revert', cycle.branch, '--repo', dir]);

    expect(result.code).toBe(0);
    expect(result.target).toBe(`cycle ${cycle.cycle}`);
    expect(result.reverted.map((r) => r.actionId)).toEqual([...cycle.actions].reverse().map((a) => a.id));
    expect(git(dir, ['rev-list', '--count', `${tip}..main`])).toBe(String(cycle.actions.length));
    expect(git(dir, ['log', '--format=%s', `${tip}..main`]).split('\n').every((s) => s.startsWith(`revert(${NOTES_PATH}): `))).toBe(true);
    expect(notes(dir)).toBe(NOTES);
    expect(git(dir, ['ls-tree', '-r', 'main', '.reverie/cycles', '.reverie/processed', '.reverie/patterns'])).toBe(bookkeeping);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('reverts one action out of a cycle merged with "squash" on GitHub', async () => {
    const dir = await repoWith();
    const cycle = dream(dir, 'review');
    git(dir, ['merge', '-q', '--squash', cycle.branch]);
    // GitHub's squash commit: the pull request's title, then each commit's whole message as a `* ` item.
    const messages = git(dir, ['log', '--reverse', '--format=* %B%x00', `main..${cycle.branch}`]).split('\0').map((m) => m.trim()).filter(Boolean);
    git(dir, ['commit', '-q', '-m', `Dream cycle ${cycle.cycle} (#3)\n\n${messages.join('\n\n')}`]);
    git(dir, ['branch', '-q', '-D', cycle.branch]);
    const squash = git(dir, ['rev-parse', 'main']);
    const update = cycle.byType('update');

    const result = reverieJson<RevertJson>(['revert', update.id, '--repo', dir]);

    expect(result.code).toBe(0);
    expect(result.reverted).toEqual([expect.objectContaining({ actionId: update.id, commit: squash })]);
    const text = notes(dir);
    expect(text).toContain('- Install dependencies with `npm install`.');
    expect(text).not.toContain('pnpm');
    expect(text).toContain('ISO 8601');
    expect(text).not.toContain('The pricing service listens');
    expect(git(dir, ['log', '-1', '--format=%(trailers:key=Reverie-Revert-Of,valueonly)', 'main']).trim()).toBe(squash);
  });

  it('reverts an action merged with "rebase" (new commits that keep their trailers)', async () => {
    const dir = await repoWith();
    const cycle = dream(dir, 'review');
    git(dir, ['cherry-pick', `main..${cycle.branch}`], { GIT_COMMITTER_DATE: '2026-12-24T00:00:00Z' });
    git(dir, ['branch', '-q', '-D', cycle.branch]);
    const add = cycle.byType('add');
    const rebased = commitOf(dir, add.id);
    expect(rebased).not.toBe(add.commit);
    const tip = git(dir, ['rev-parse', 'main']);

    const result = reverieJson<RevertJson>(['revert', add.id, '--repo', dir]);

    expect(result.code).toBe(0);
    expect(result.reverted[0]?.commit).toBe(rebased);
    expect(notes(dir)).toBe(withoutLinesOf(dir, tip, rebased));
  });

  it('remembers the reverted action, so that a later dream does not propose it again', async () => {
    const dir = await repoWith();
    const cycle = dream(dir);
    // The notes the merge combined are both back after the revert: without the memory of it, the next cycle merges them again.
    const merge = cycle.byType('merge');
    expect(reverie(['revert', merge.id, '--repo', dir]).code).toBe(0);
    expect(notes(dir)).toContain('- The pricing service listens on port 8081.\n- Pricing svc port is 8081 (local dev).\n');
    const rejected = JSON.parse(show(dir, 'main', '.reverie/rejected.json')) as Record<string, { cycle: string; reason: string }>;
    // The action by its fingerprint, and its effect (the note it removed) under a key of its own.
    expect(Object.keys(rejected)).toEqual([expect.stringMatching(/^effect:removed:/), expect.stringMatching(/^merge:/)]);
    expect(Object.values(rejected)).toEqual([
      expect.objectContaining({ cycle: cycle.cycle, reason: 'reverted' }),
      expect.objectContaining({ cycle: cycle.cycle, reason: 'reverted' }),
    ]);

    await commitFiles(dir, { 'sessions/coding-agent/s5.jsonl': npmMistakeSession('s5', '2026-11-06T09:00:00Z', 'bump the stripe sdk') });
    const later = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'dry-run']);

    expect(later.code).toBe(0);
    expect(later.actions.map((a) => a.id)).not.toContain(merge.id);
    expect(later.dropped).toContainEqual(expect.objectContaining({ id: merge.id, reason: `rejected in cycle ${cycle.cycle} (reverted)` }));
  });
});

describe('reverie revert (review) and refusals', () => {
  it('in review mode puts the revert on its own branch and leaves main and the working tree alone', async () => {
    const dir = await repoWith();
    const add = dream(dir).byType('add');
    const main = git(dir, ['rev-parse', 'main']);
    const text = notes(dir);

    const result = reverieJson<RevertJson>(['revert', add.id, '--mode', 'review', '--repo', dir]);

    expect(result.code).toBe(0);
    expect(result).toMatchObject({ mode: 'review', merged: false, branch: `reverie/revert-${add.id}`, main });
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    expect(git(dir, ['rev-parse', `${result.branch}~1`])).toBe(main);
    expect(git(dir, ['rev-parse', result.branch])).toBe(result.commits[0]);
    expect(show(dir, result.branch)).toBe(withoutLinesOf(dir, main, add.commit as string));
    expect(notes(dir)).toBe(text);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('refuses to revert twice, a pending action, and an unknown name, listing what there is', async () => {
    const dir = await repoWith();
    const cycle = dream(dir);
    const add = cycle.byType('add');
    expect(reverie(['revert', add.id, '--repo', dir]).code).toBe(0);
    const main = git(dir, ['rev-parse', 'main']);

    const twice = reverie(['revert', add.id, '--repo', dir]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`action ${cycle.cycle}/${add.id} is already reverted`);

    const unknown = reverie(['revert', 'no-such-thing', '--repo', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`cycles on main: ${cycle.cycle}`);

    await commitFiles(dir, { 'sessions/coding-agent/s6.jsonl': preferenceSession('s6', '2026-11-07T09:00:00Z', 'Never bump the major version without asking first.'), 'sessions/review-agent/s7.jsonl': preferenceSession('s7', '2026-11-08T09:00:00Z', 'Please never bump a major version without asking me.') });
    const pending = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const waiting = reverie(['revert', pending.actions[0]!.id, '--repo', dir]);
    expect(waiting.code).toBe(2);
    expect(waiting.stderr).toContain(`pending in cycle ${pending.cycle}`);
    expect(waiting.stderr).toContain('reverie reject');

    const badMode = reverie(['revert', add.id, '--mode', 'dry-run', '--repo', dir]);
    expect(badMode.code).toBe(2);
    expect(git(dir, ['rev-list', '--count', `${main}..main`])).toBe('1');
  });
});
