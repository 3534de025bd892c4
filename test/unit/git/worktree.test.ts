import { chmod, cp, mkdir, readdir, readFile, rm, stat, symlink, utimes } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStateError, UnsafePathError } from '../../../src/errors.js';
import {
  commitChanges,
  dirtyPaths,
  fastForward,
  openRepo,
  workingTreeClean,
  type Repo,
} from '../../../src/git/index.js';
import { git, makeTempDir, makeTempRepo, writeFiles, type Files } from '../../helpers/git.js';

const author = { name: 'reverie', email: 'reverie@localhost' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const base: Files = {
  'memory/tools.md': '- use pnpm\n',
  'memory/people/alice.md': 'Alice\n',
  'memory/old/only.md': 'only\n',
  'notes.md': 'notes\n',
};
const curation: Files = {
  'memory/tools.md': '- use pnpm\n- never npm\n',
  'memory/old/only.md': null,
  'memory/new/deep/entry.md': 'new\n',
};

async function setup() {
  const fixture = await makeTempRepo(base);
  cleanups.push(fixture.cleanup);
  const repo = await openRepo(fixture.dir);
  const to = await commit(repo, fixture.head!, curation);
  return { ...fixture, repo, from: fixture.head!, to };
}

function commit(repo: Repo, parent: string, files: Files) {
  return commitChanges(repo, { parent, changes: new Map(Object.entries(files)), message: 'curate', author });
}

/** Everything a failed fast-forward must leave as it was. */
function snapshot(dir: string) {
  return {
    main: git(dir, ['rev-parse', 'main']),
    status: git(dir, ['status', '--porcelain', '--untracked-files=all']),
    index: git(dir, ['ls-files', '-s']),
    diff: git(dir, ['diff']),
  };
}

describe('fastForward', () => {
  it('moves the checked-out branch and updates exactly the changed files and the index', async () => {
    const { dir, repo, from, to } = await setup();
    await writeFiles(dir, { 'notes.md': 'my own edit\n' });
    const result = await fastForward(repo, { branch: 'main', to, expectedOld: from });
    expect(result).toEqual({
      changed: ['memory/new/deep/entry.md', 'memory/old/only.md', 'memory/tools.md'],
      workingTreeUpdated: true,
    });
    expect(git(dir, ['rev-parse', 'main'])).toBe(to);
    // The user's unrelated edit survives; everything else matches the new commit.
    expect(git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe(' M notes.md');
    expect(await readFile(path.join(dir, 'memory/tools.md'), 'utf8')).toBe('- use pnpm\n- never npm\n');
    expect(await readFile(path.join(dir, 'memory/new/deep/entry.md'), 'utf8')).toBe('new\n');
    expect(existsSync(path.join(dir, 'memory/old'))).toBe(false);
    expect(git(dir, ['diff', '--cached', '--name-only'])).toBe('');
  });

  it('leaves git status clean', async () => {
    const { dir, repo, from, to } = await setup();
    await fastForward(repo, { branch: 'main', to, expectedOld: from });
    expect(git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(await workingTreeClean(repo)).toBe(true);
  });

  it('refuses a dirty file it would update, changing nothing', async () => {
    const { dir, repo, from, to } = await setup();
    await writeFiles(dir, { 'memory/tools.md': 'hand edit\n' });
    const before = snapshot(dir);
    await expect(fastForward(repo, { branch: 'main', to, expectedOld: from })).rejects.toThrow(
      /memory\/tools\.md has uncommitted changes/,
    );
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a staged change, a deleted file and an untracked file in the way', async () => {
    const cases: [string, (dir: string) => Promise<void>][] = [
      ['memory/tools.md', async (dir) => {
        await writeFiles(dir, { 'memory/tools.md': 'staged\n' });
        git(dir, ['add', 'memory/tools.md']);
      }],
      ['memory/old/only.md', async (dir) => writeFiles(dir, { 'memory/old/only.md': null })],
      ['memory/new/deep/entry.md', async (dir) => writeFiles(dir, { 'memory/new/deep/entry.md': 'mine\n' })],
    ];
    for (const [file, makeDirty] of cases) {
      const { dir, repo, from, to } = await setup();
      await makeDirty(dir);
      const before = snapshot(dir);
      const error = await fastForward(repo, { branch: 'main', to, expectedOld: from }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitStateError);
      expect((error as Error).message).toContain(file);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it('refuses a target that does not descend from the expected commit', async () => {
    const { dir, repo, from, to } = await setup();
    const sibling = await commit(repo, from, { 'notes.md': 'other\n' });
    await expect(fastForward(repo, { branch: 'main', to: sibling, expectedOld: to })).rejects.toThrow(/does not descend/);
    expect(git(dir, ['rev-parse', 'main'])).toBe(from);
  });

  it('refuses when the branch moved since the caller looked', async () => {
    const { dir, repo, from, to } = await setup();
    const moved = await commit(repo, from, { 'notes.md': 'moved\n' });
    git(dir, ['update-ref', 'refs/heads/main', moved]);
    git(dir, ['reset', '-q', '--hard']);
    const before = snapshot(dir);
    await expect(fastForward(repo, { branch: 'main', to, expectedOld: from })).rejects.toThrow(/moved/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('only moves the ref of a branch that is not checked out', async () => {
    const { dir, repo, from, to } = await setup();
    git(dir, ['checkout', '-q', '-b', 'elsewhere']);
    git(dir, ['branch', 'target', from]);
    await writeFiles(dir, { 'memory/tools.md': 'dirty, but not on the branch we move\n' });
    const result = await fastForward(repo, { branch: 'target', to, expectedOld: from });
    expect(result.workingTreeUpdated).toBe(false);
    expect(git(dir, ['rev-parse', 'target'])).toBe(to);
    expect(await readFile(path.join(dir, 'memory/tools.md'), 'utf8')).toBe('dirty, but not on the branch we move\n');
  });

  it('handles a file turning into a folder and executable files', async () => {
    const fixture = await makeTempRepo({ 'memory/x': 'file\n', 'run.sh': '#!/bin/sh\n' });
    cleanups.push(fixture.cleanup);
    const { dir } = fixture;
    git(dir, ['update-index', '--chmod=+x', 'run.sh']);
    git(dir, ['commit', '-q', '-m', 'exec']);
    await chmod(path.join(dir, 'run.sh'), 0o755);
    const repo = await openRepo(dir);
    const from = git(dir, ['rev-parse', 'HEAD']);
    const to = await commit(repo, from, { 'memory/x': null, 'memory/x/inside.md': 'in\n', 'run.sh': '#!/bin/sh\necho\n' });
    await fastForward(repo, { branch: 'main', to, expectedOld: from });
    expect(git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect((await stat(path.join(dir, 'run.sh'))).mode & 0o111).not.toBe(0);
  });

  it('refuses to write through a symlinked folder or past a file in the way, changing nothing', async () => {
    const outside = await makeTempDir();
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    const { dir, repo, from, to } = await setup();
    const attempt = async () => {
      const before = snapshot(dir);
      const error = await fastForward(repo, { branch: 'main', to, expectedOld: from }).catch((e: unknown) => e);
      expect(snapshot(dir)).toEqual(before);
      expect(await readdir(outside)).toEqual([]);
      return error;
    };
    await mkdir(path.join(dir, 'memory/new'));
    await symlink(outside, path.join(dir, 'memory/new/deep'));
    // Untracked, it shows as a change in the way; ignored, it is caught as a link on the way out.
    expect(await attempt()).toBeInstanceOf(GitStateError);
    await writeFiles(dir, { '.git/info/exclude': 'memory/new/deep\n' });
    expect(await attempt()).toBeInstanceOf(UnsafePathError);
    await rm(path.join(dir, 'memory/new/deep'));
    await writeFiles(dir, { 'memory/new/deep': 'an ignored file\n' });
    expect(String(await attempt())).toMatch(/memory\/new\/deep is in the way/);
  });
});

describe('dirtyPaths / workingTreeClean', () => {
  it('reports modified, staged, deleted and untracked files, not ignored ones', async () => {
    const fixture = await makeTempRepo({ ...base, '.gitignore': '*.log\n' });
    cleanups.push(fixture.cleanup);
    const { dir } = fixture;
    const repo = await openRepo(dir);
    expect(await workingTreeClean(repo, ['memory'])).toBe(true);
    await writeFiles(dir, {
      'memory/tools.md': 'changed\n',
      'memory/people/alice.md': null,
      'memory/new.md': 'untracked\n',
      'memory/debug.log': 'ignored\n',
    });
    expect(await dirtyPaths(repo, ['memory'])).toEqual(['memory/new.md', 'memory/people/alice.md', 'memory/tools.md']);
    expect(await workingTreeClean(repo, ['notes.md'])).toBe(true);
    expect(await workingTreeClean(repo, ['memory/tools.md'])).toBe(false);
  });
});

describe('fastForward: the index', () => {
  it('records each file it writes with the stat it has on disk, so git needs no second look', async () => {
    const { dir, repo, from, to } = await setup();
    await fastForward(repo, { branch: 'main', to, expectedOld: from });
    // diff-files compares the index's stat data with the files without refreshing anything.
    expect(git(dir, ['diff-files', '--name-only'])).toBe('');
    expect(git(dir, ['ls-files', '-s'])).toBe(git(dir, ['ls-tree', '-r', '--format=%(objectmode) %(objectname) 0\t%(path)', 'HEAD']));
  });

  it('sees a file rewritten with the same size and modification time as changed, and moves nothing', async () => {
    const { dir, repo, from, to } = await setup();
    const file = path.join(dir, 'memory/tools.md');
    const { atime, mtime } = await stat(file);
    await writeFiles(dir, { 'memory/tools.md': '- use npm\n' });
    await utimes(file, atime, mtime);
    const before = snapshot(dir);
    await expect(fastForward(repo, { branch: 'main', to, expectedOld: from })).rejects.toThrow(/memory\/tools\.md has uncommitted changes/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('tells files whose stat the index no longer matches (a copied repository) by their content: clean ones move, changed ones stop it', async () => {
    const { dir, from, to } = await setup();
    const copy = await makeTempDir();
    cleanups.push(async () => rm(copy, { recursive: true, force: true }));
    // A copy keeps modification times but not inodes or change times: every entry of the index is stale.
    await cp(dir, copy, { recursive: true, preserveTimestamps: true });
    expect(git(copy, ['diff-files', '--name-only'])).not.toBe('');
    const copied = await openRepo(copy);
    await fastForward(copied, { branch: 'main', to, expectedOld: from });
    expect(git(copy, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(await readFile(path.join(copy, 'memory/tools.md'), 'utf8')).toBe('- use pnpm\n- never npm\n');

    const { dir: second, from: from2, to: to2 } = await setup();
    const dirty = await makeTempDir();
    cleanups.push(async () => rm(dirty, { recursive: true, force: true }));
    await cp(second, dirty, { recursive: true, preserveTimestamps: true });
    const file = path.join(dirty, 'memory/tools.md');
    const { atime, mtime } = await stat(file);
    await writeFiles(dirty, { 'memory/tools.md': '- use yarn\n' });
    await utimes(file, atime, mtime);
    const before = snapshot(dirty);
    await expect(fastForward(await openRepo(dirty), { branch: 'main', to: to2, expectedOld: from2 })).rejects.toThrow(/memory\/tools\.md has uncommitted changes/);
    expect(snapshot(dirty)).toEqual(before);
  });

  it('leaves an index it does not read (none at all here) to isomorphic-git, which finds every file unstaged', async () => {
    const { dir, repo, from, to } = await setup();
    await rm(path.join(dir, '.git/index'));
    await expect(fastForward(repo, { branch: 'main', to, expectedOld: from })).rejects.toThrow(/uncommitted changes/);
    expect(git(dir, ['rev-parse', 'main'])).toBe(from);
  });
});
