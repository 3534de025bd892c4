import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStateError, UnsafePathError } from '../../../src/errors.js';
import { commitChanges, openRepo, resolveRef, updateBranch, updateRef, type Repo } from '../../../src/git/index.js';
import { commitFiles, git, makeTempRepo, writeFiles, type Files } from '../../helpers/git.js';

const author = { name: 'reverie', email: 'reverie@localhost' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempRepo(files?: Files) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return { ...fixture, repo: await openRepo(fixture.dir) };
}

/** What native git makes of the same changes, on a throwaway branch from the same parent. */
async function nativeTree(dir: string, parent: string, files: Files): Promise<string> {
  git(dir, ['checkout', '-q', '--detach', parent]);
  await commitFiles(dir, files, 'native');
  const tree = git(dir, ['rev-parse', 'HEAD^{tree}']);
  git(dir, ['checkout', '-q', 'main']);
  return tree;
}

function commit(repo: Repo, parent: string | undefined, files: Files, message = 'test\n') {
  return commitChanges(repo, { parent, changes: new Map(Object.entries(files)), message, author, timestamp: 1767225600 });
}

describe('commitChanges', () => {
  const base: Files = {
    'README.md': '# readme\n',
    'memory/tools.md': '- use pnpm\n',
    'memory/people/alice.md': 'Alice likes tea\n',
    'memory/people/bob.md': 'Bob\n',
    'memory/deep/a/b/c.md': 'deep\n',
    'z-last.md': 'z\n',
  };
  const cases: [string, Files][] = [
    ['modifies a file at the root', { 'README.md': '# readme\n\nmore\n' }],
    ['modifies a nested file', { 'memory/people/alice.md': 'Alice likes coffee\n' }],
    ['adds files in new nested folders', { 'memory/new/dir/x.md': 'x\n', 'memory/new/y.md': 'y\n' }],
    ['deletes a file', { 'memory/people/bob.md': null }],
    ['deletes the last file of folders, removing them', { 'memory/deep/a/b/c.md': null }],
    ['deletes a file that does not exist (no-op beside the rest)', { 'memory/ghost.md': null, 'z-last.md': 'zz\n' }],
    ['sorts names git-style (a folder sorts as name/)', { 'memory/people.md': 'p\n', 'memory/people-x': 'q\n' }],
    ['writes unicode text exactly', { 'memory/ünïcode.md': '\uFEFFcafé — ✓\r\nline\n' }],
    ['replaces a file by a folder', { 'README.md': null, 'README.md/inside.md': 'in\n' }],
    ['replaces a folder by a file', { 'memory/deep/a/b/c.md': null, 'memory/deep': 'now a file\n' }],
    ['mixes everything', { 'README.md': null, 'memory/tools.md': '- use pnpm\n- not npm\n', 'memory/q/r.md': 'r\n' }],
  ];

  for (const [name, changes] of cases) {
    it(`${name}, with the tree native git would make`, async () => {
      const { dir, repo, head } = await tempRepo(base);
      const oid = await commit(repo, head, changes);
      expect(git(dir, ['rev-parse', `${oid}^{tree}`])).toBe(await nativeTree(dir, head!, changes));
      expect(git(dir, ['fsck', '--strict', '--no-dangling'])).toBe('');
    });
  }

  it('chains to its parent, keeps its message and identity, and leaves the working tree and refs alone', async () => {
    const { dir, repo, head } = await tempRepo(base);
    await writeFiles(dir, { 'memory/tools.md': 'edited by hand\n' });
    const statusBefore = git(dir, ['status', '--porcelain']);
    const first = await commit(repo, head, { 'memory/tools.md': 'one\n' }, 'add(memory/tools.md): one\n\nBody.\n');
    const second = await commit(repo, first, { 'memory/new.md': 'two\n' }, 'second');
    expect(git(dir, ['rev-list', '--first-parent', second])).toBe([second, first, head].join('\n'));
    expect(git(dir, ['show', '-s', '--format=%an <%ae>|%cn|%at|%ct|%B', first])).toBe(
      'reverie <reverie@localhost>|reverie|1767225600|1767225600|add(memory/tools.md): one\n\nBody.\n',
    );
    expect(git(dir, ['show', `${second}:memory/tools.md`])).toBe('one');
    expect(git(dir, ['show', `${second}:memory/new.md`])).toBe('two');
    expect(await resolveRef(repo, 'main')).toBe(head);
    expect(await readFile(path.join(dir, 'memory/tools.md'), 'utf8')).toBe('edited by hand\n');
    expect(git(dir, ['status', '--porcelain'])).toBe(statusBefore);
  });

  it('reuses the oids of untouched subtrees', async () => {
    const { dir, repo, head } = await tempRepo(base);
    const oid = await commit(repo, head, { 'README.md': 'changed\n' });
    expect(git(dir, ['rev-parse', `${oid}:memory`])).toBe(git(dir, ['rev-parse', `${head}:memory`]));
  });

  it('keeps an executable bit', async () => {
    const { dir, repo } = await tempRepo({ 'run.sh': '#!/bin/sh\n' });
    git(dir, ['update-index', '--chmod=+x', 'run.sh']);
    git(dir, ['commit', '-q', '-m', 'exec']);
    const oid = await commit(repo, await resolveRef(repo, 'main'), { 'run.sh': '#!/bin/sh\necho\n' });
    expect(git(dir, ['ls-tree', oid, 'run.sh'])).toMatch(/^100755 blob/);
  });

  it('makes a root commit without a parent', async () => {
    const { dir, repo } = await tempRepo();
    const oid = await commit(repo, undefined, { 'a/b.md': 'b\n' });
    expect(git(dir, ['ls-tree', '-r', '--name-only', oid])).toBe('a/b.md');
    expect(git(dir, ['rev-list', '--parents', oid])).toBe(oid);
  });

  it('refuses an empty commit unless asked', async () => {
    const { repo, head } = await tempRepo(base);
    await expect(commit(repo, head, { 'README.md': '# readme\n' })).rejects.toBeInstanceOf(GitStateError);
    const changes = new Map<string, string | null>();
    const oid = await commitChanges(repo, { parent: head, changes, message: 'empty', author, allowEmpty: true });
    expect(oid).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses unsafe paths and file/folder clashes', async () => {
    const { repo, head } = await tempRepo(base);
    for (const bad of ['../x.md', '/abs.md', 'a//b.md', 'a/./b.md', '.git/config', 'x\\y.md', '']) {
      await expect(commit(repo, head, { [bad]: 'x' })).rejects.toBeInstanceOf(UnsafePathError);
    }
    await expect(commit(repo, head, { 'README.md/x.md': 'x' })).rejects.toThrow(/is a file/);
    await expect(commit(repo, head, { memory: 'x' })).rejects.toThrow(/is a directory/);
    await expect(commit(repo, head, { memory: null })).rejects.toThrow(/is a directory/);
    await expect(commit(repo, head, { a: 'x', 'a/b': 'y' })).rejects.toThrow(/is a directory/);
    await expect(commit(repo, head, { 'memory/tools.md': null, memory: 'x' })).rejects.toThrow(/is a directory/);
  });
});

describe('updateBranch', () => {
  it('creates a branch only if it does not exist', async () => {
    const { dir, repo, head } = await tempRepo({ 'a.md': 'a\n' });
    await updateBranch(repo, 'reverie/dream-20260101-000000', head!, { expectedOld: null });
    expect(git(dir, ['rev-parse', 'reverie/dream-20260101-000000'])).toBe(head);
    await expect(updateBranch(repo, 'reverie/dream-20260101-000000', head!, { expectedOld: null })).rejects.toThrow(
      /moved: expected it not to exist/,
    );
  });

  it('moves a branch only from the expected commit', async () => {
    const { dir, repo, head } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['branch', 'dream']);
    const next = await commit(repo, head, { 'a.md': 'b\n' });
    const other = await commit(repo, head, { 'a.md': 'c\n' });
    await expect(updateBranch(repo, 'dream', next, { expectedOld: other })).rejects.toBeInstanceOf(GitStateError);
    expect(git(dir, ['rev-parse', 'dream'])).toBe(head);
    await updateBranch(repo, 'dream', next, { expectedOld: head });
    expect(git(dir, ['rev-parse', 'dream'])).toBe(next);
    await expect(updateBranch(repo, 'missing', next, { expectedOld: head })).rejects.toThrow(/does not exist/);
  });

  it('honours packed refs and refuses while git holds the ref lock', async () => {
    const { dir, repo, head } = await tempRepo({ 'a.md': 'a\n' });
    git(dir, ['branch', 'dream']);
    git(dir, ['pack-refs', '--all']);
    const next = await commit(repo, head, { 'a.md': 'b\n' });
    await writeFiles(dir, { '.git/refs/heads/dream.lock': '' });
    await expect(updateBranch(repo, 'dream', next, { expectedOld: head })).rejects.toThrow(/being updated/);
    await writeFiles(dir, { '.git/refs/heads/dream.lock': null });
    await updateBranch(repo, 'dream', next, { expectedOld: head });
    expect(git(dir, ['rev-parse', 'dream'])).toBe(next);
  });

  it('refuses to point a branch at something that is not a commit', async () => {
    const { repo } = await tempRepo({ 'a.md': 'a\n' });
    await expect(updateBranch(repo, 'x', '0'.repeat(40), { expectedOld: null })).rejects.toBeInstanceOf(GitStateError);
  });
});

describe('updateRef', () => {
  it('writes a ref outside refs/heads, compare-and-set, that native git reads and that is no branch', async () => {
    const { dir, repo, head } = await tempRepo({ 'a.md': 'a\n' });
    const state = await commitChanges(repo, { parent: undefined, changes: new Map([['batch.json', '{}\n']]), message: 'state', author });
    await updateRef(repo, 'refs/reverie/engine', state, { expectedOld: null });
    expect(git(dir, ['rev-parse', 'refs/reverie/engine'])).toBe(state);
    expect(git(dir, ['show', 'refs/reverie/engine:batch.json'])).toBe('{}');
    expect(git(dir, ['branch', '--list', '--format=%(refname)'])).not.toContain('reverie');
    await expect(updateRef(repo, 'refs/reverie/engine', head!, { expectedOld: null })).rejects.toThrow(/refs\/reverie\/engine moved: expected it not to exist/);
    await updateRef(repo, 'refs/reverie/engine', head!, { expectedOld: state });
    expect(await resolveRef(repo, 'refs/reverie/engine')).toBe(head);
  });

  it('refuses a name that is no full ref, or that would leave refs/', async () => {
    const { repo, head } = await tempRepo({ 'a.md': 'a\n' });
    await expect(updateRef(repo, 'reverie/engine', head!)).rejects.toThrow(/not a full ref name/);
    await expect(updateRef(repo, 'refs/../config', head!)).rejects.toBeInstanceOf(UnsafePathError);
  });
});
