import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as git from 'isomorphic-git';
import { afterEach, describe, expect, it } from 'vitest';
import { listBranchFiles, resolveRefFile, UNSURE } from '../../../src/git/refs.js';
import { gitFs } from '../../../src/git/repo.js';
import { commitFiles, git as nativeGit, makeTempRepo } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** What isomorphic-git answers: an oid, undefined for NotFoundError, or the error's code. */
async function isoResolve(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs: gitFs, gitdir, ref });
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFoundError') return undefined;
    return `error ${(error as { code?: string }).code}`;
  }
}

async function repoWithRefs(): Promise<{ dir: string; gitdir: string; first: string; second: string }> {
  const fixture = await makeTempRepo({ 'a.md': 'a\n' });
  cleanups.push(fixture.cleanup);
  const { dir } = fixture;
  const first = nativeGit(dir, ['rev-parse', 'HEAD']);
  nativeGit(dir, ['branch', 'reverie/dream-20260101-000000']);
  nativeGit(dir, ['branch', 'nested/deeper/name']);
  nativeGit(dir, ['tag', 'v1']);
  nativeGit(dir, ['tag', '-a', 'v1-annotated', '-m', 'annotated']);
  nativeGit(dir, ['pack-refs', '--all']);
  const second = await commitFiles(dir, { 'a.md': 'b\n' }, 'second');
  nativeGit(dir, ['branch', 'loose-only']);
  nativeGit(dir, ['branch', 'reverie/dream-20260102-000000']);
  // A packed branch that a loose file overrides.
  nativeGit(dir, ['update-ref', 'refs/heads/nested/deeper/name', second]);
  return { dir, gitdir: path.join(dir, '.git'), first, second };
}

describe('refs read without isomorphic-git', () => {
  it('resolve every kind of ref as isomorphic-git resolves it', async () => {
    const { gitdir, second } = await repoWithRefs();
    await writeFile(path.join(gitdir, 'refs', 'heads', 'empty'), '');
    await mkdir(path.join(gitdir, 'refs', 'heads', 'folder'), { recursive: true });
    const refs = [
      'HEAD', 'main', 'refs/heads/main', 'loose-only', 'refs/heads/loose-only', 'reverie/dream-20260101-000000',
      'refs/heads/reverie/dream-20260102-000000', 'nested/deeper/name', 'v1', 'refs/tags/v1', 'v1-annotated',
      'refs/tags/v1-annotated^{}', 'missing', 'refs/heads/missing', 'config', 'index', 'empty', 'folder', second,
      second.toUpperCase(), 'ref: refs/heads/main', 'refs/heads/main/too-deep',
    ];
    for (const ref of refs) expect([ref, resolveRefFile(gitdir, ref)]).toEqual([ref, await isoResolve(gitdir, ref)]);
  });

  it('leave a circular symbolic ref to isomorphic-git', async () => {
    const { gitdir } = await repoWithRefs();
    await writeFile(path.join(gitdir, 'refs', 'heads', 'a'), 'ref: refs/heads/b\n');
    await writeFile(path.join(gitdir, 'refs', 'heads', 'b'), 'ref: refs/heads/a\n');
    expect(resolveRefFile(gitdir, 'refs/heads/a')).toBe(UNSURE);
    expect(await isoResolve(gitdir, 'refs/heads/a')).toMatch(/^error/);
  });

  it('list the branches, loose and packed, as isomorphic-git lists them', async () => {
    const { gitdir } = await repoWithRefs();
    expect(listBranchFiles(gitdir)).toEqual(await git.listBranches({ fs: gitFs, gitdir }));
    expect(listBranchFiles(gitdir)).toContain('reverie/dream-20260101-000000');
  });

  it('find no branches in a repository without commits', async () => {
    const fixture = await makeTempRepo();
    cleanups.push(fixture.cleanup);
    const gitdir = path.join(fixture.dir, '.git');
    expect(listBranchFiles(gitdir)).toEqual(await git.listBranches({ fs: gitFs, gitdir }));
    expect(resolveRefFile(gitdir, 'HEAD')).toEqual(await isoResolve(gitdir, 'HEAD'));
  });
});
