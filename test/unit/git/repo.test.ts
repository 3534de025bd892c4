import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStateError } from '../../../src/errors.js';
import {
  currentBranch,
  deleteBranch,
  initRepo,
  isAncestor,
  listBranches,
  openRepo,
  resolveRef,
  updateBranch,
} from '../../../src/git/index.js';
import { commitFiles, git, makeTempDir, makeTempRepo } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempRepo(files?: Record<string, string>) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return { ...fixture, repo: await openRepo(fixture.dir) };
}

describe('openRepo / initRepo', () => {
  it('finds the git directory of a working tree', async () => {
    const { dir, repo } = await tempRepo({ 'a.md': 'a\n' });
    expect(repo).toMatchObject({ dir, gitdir: path.join(dir, '.git') });
  });

  it('refuses a folder that is not a repository root', async () => {
    const dir = await makeTempDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await expect(openRepo(dir)).rejects.toBeInstanceOf(GitStateError);
  });

  it('initialises a repository native git understands, on main', async () => {
    const dir = path.join(await makeTempDir(), 'memory');
    cleanups.push(() => rm(path.dirname(dir), { recursive: true, force: true }));
    const repo = await initRepo(dir, { defaultBranch: 'main' });
    expect(existsSync(path.join(dir, '.git', 'HEAD'))).toBe(true);
    expect(await currentBranch(repo)).toBe('main');
    expect(git(dir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
  });
});

describe('refs', () => {
  it('resolves branches, HEAD and missing refs', async () => {
    const { repo, head } = await tempRepo({ 'a.md': 'a\n' });
    expect(await resolveRef(repo, 'main')).toBe(head);
    expect(await resolveRef(repo, 'HEAD')).toBe(head);
    expect(await resolveRef(repo, 'refs/heads/main')).toBe(head);
    expect(await resolveRef(repo, 'nope')).toBeUndefined();
  });

  it('reports a detached HEAD as no branch', async () => {
    const { dir, repo, head } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['checkout', '-q', head!]);
    expect(await currentBranch(repo)).toBeUndefined();
  });

  it('lists branches by prefix, including packed ones', async () => {
    const { dir, repo, head } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['branch', 'reverie/dream-20260101-000000']);
    git(dir, ['branch', 'feature']);
    git(dir, ['pack-refs', '--all']);
    await updateBranch(repo, 'reverie/dream-20260102-000000', head!, { expectedOld: null });
    expect(await listBranches(repo)).toEqual([
      'feature',
      'main',
      'reverie/dream-20260101-000000',
      'reverie/dream-20260102-000000',
    ]);
    expect(await listBranches(repo, 'reverie/')).toHaveLength(2);
  });

  it('deletes a branch, loose or packed, but not the checked-out one', async () => {
    const { dir, repo } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['branch', 'packed']);
    git(dir, ['pack-refs', '--all']);
    git(dir, ['branch', 'loose']);
    await deleteBranch(repo, 'packed');
    await deleteBranch(repo, 'refs/heads/loose');
    expect(git(dir, ['branch', '--format=%(refname:short)'])).toBe('main');
    await expect(deleteBranch(repo, 'main')).rejects.toThrow(/checked out/);
    await expect(deleteBranch(repo, 'gone')).rejects.toBeInstanceOf(GitStateError);
  });

  it('deletes a branch with a section in the config, and leaves the config alone for one without', async () => {
    const { dir, repo } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['branch', 'tracked']);
    git(dir, ['config', 'branch.tracked.description', 'mine']);
    git(dir, ['branch', 'plain']);
    const config = readFileSync(path.join(dir, '.git/config'), 'utf8');
    await deleteBranch(repo, 'plain');
    expect(readFileSync(path.join(dir, '.git/config'), 'utf8')).toBe(config);
    await deleteBranch(repo, 'tracked');
    expect(git(dir, ['branch', '--format=%(refname:short)'])).toBe('main');
    expect(readFileSync(path.join(dir, '.git/config'), 'utf8')).not.toContain('tracked');
    expect(git(dir, ['fsck', '--strict'])).toBe('');
  });

  it('tells ancestors from other commits', async () => {
    const { dir, repo, head: first } = await tempRepo({ 'a.md': 'a\n' });
    const second = await commitFiles(dir, { 'b.md': 'b\n' });
    git(dir, ['checkout', '-q', '-b', 'side', first!]);
    const side = await commitFiles(dir, { 'c.md': 'c\n' });
    expect(await isAncestor(repo, first!, second)).toBe(true);
    expect(await isAncestor(repo, second, second)).toBe(true);
    expect(await isAncestor(repo, second, first!)).toBe(false);
    expect(await isAncestor(repo, side, second)).toBe(false);
  });
});
