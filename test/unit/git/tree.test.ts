import { afterEach, describe, expect, it } from 'vitest';
import { changedPaths, openRepo, readFileAt, readFilesAt } from '../../../src/git/index.js';
import { commitFiles, git, makeTempRepo, type Files } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempRepo(files?: Files) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return { ...fixture, repo: await openRepo(fixture.dir) };
}

describe('reading files at a commit', () => {
  it('reads the filtered files of a commit, not of the working tree', async () => {
    const { dir, repo, head } = await tempRepo({
      'memory/a.md': 'a\n',
      'memory/sub/b.md': '\uFEFFb — ü\n',
      'notes.txt': 'n\n',
    });
    await commitFiles(dir, { 'memory/a.md': 'later\n' });
    const files = await readFilesAt(repo, head!, (p) => p.startsWith('memory/'));
    expect(Object.fromEntries(files)).toEqual({ 'memory/a.md': 'a\n', 'memory/sub/b.md': '\uFEFFb — ü\n' });
    expect(await readFileAt(repo, head!, 'notes.txt')).toBe('n\n');
    expect(await readFileAt(repo, head!, 'memory/sub/b.md')).toBe('\uFEFFb — ü\n');
    expect(await readFileAt(repo, head!, 'memory')).toBeUndefined();
    expect(await readFileAt(repo, head!, 'memory/missing.md')).toBeUndefined();
    expect(await readFileAt(repo, head!, 'notes.txt/x')).toBeUndefined();
  });

  it('skips symlinks', async () => {
    const { dir, repo } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['update-index', '--add', '--cacheinfo', `120000,${git(dir, ['hash-object', '-w', 'a.md'])},link.md`]);
    git(dir, ['commit', '-q', '-m', 'link']);
    const files = await readFilesAt(repo, git(dir, ['rev-parse', 'HEAD']), () => true);
    expect([...files.keys()]).toEqual(['a.md']);
  });
});

describe('changedPaths', () => {
  it('lists the files that git diff --name-only lists', async () => {
    const { dir, repo, head } = await tempRepo({
      'a.md': 'a\n',
      'm/keep.md': 'k\n',
      'm/edit.md': 'e\n',
      'm/gone/x.md': 'x\n',
      'file-becomes-dir': 'f\n',
    });
    const next = await commitFiles(dir, {
      'm/edit.md': 'e2\n',
      'm/gone/x.md': null,
      'm/new/y.md': 'y\n',
      'file-becomes-dir': null,
      'file-becomes-dir/inner.md': 'i\n',
    });
    const expected = git(dir, ['diff', '--name-only', '--no-renames', head!, next]).split('\n').sort();
    expect(await changedPaths(repo, head!, next)).toEqual(expected);
    expect(await changedPaths(repo, next, next)).toEqual([]);
    expect(await changedPaths(repo, undefined, head!)).toEqual(
      git(dir, ['ls-tree', '-r', '--name-only', head!]).split('\n').sort(),
    );
  });
});
