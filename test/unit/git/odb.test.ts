import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import * as git from 'isomorphic-git';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStateError } from '../../../src/errors.js';
import { openRepo, readTreeEntries, type Repo } from '../../../src/git/index.js';
import { readCommit } from '../../../src/git/cache.js';
import { readCommitDirect, readRawObject, readTreeDirect } from '../../../src/git/odb.js';
import { applyDelta } from '../../../src/git/pack.js';
import { commitFiles, git as nativeGit, makeTempRepo } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempRepo(files: Record<string, string>) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return fixture;
}

/** A repository with history enough for git to store most versions of the notes as deltas once packed. */
async function repoWithHistory() {
  const fixture = await tempRepo({ 'memory/notes.md': '# Notes\n', 'memory/ünï ✓.md': 'unicode\n', 'run.sh': '#!/bin/sh\n' });
  const { dir } = fixture;
  for (let i = 1; i <= 40; i++) {
    const notes = Array.from({ length: i }, (_, n) => `- note ${n}: ${'words '.repeat(n % 7)}\n`).join('');
    await commitFiles(dir, { 'memory/notes.md': `# Notes\n${notes}`, [`memory/topic-${i % 5}.md`]: `topic ${i}\n` }, `commit ${i}`);
  }
  return fixture;
}

/** Every object git has, with its type and content as `git cat-file` gives them. */
function nativeObjects(dir: string): { oid: string; type: string; content: Buffer }[] {
  const lines = nativeGit(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)']).split('\n');
  return lines.map((line) => {
    const [oid, type] = line.split(' ') as [string, string];
    return { oid, type, content: execFileSync('git', ['cat-file', type, oid], { cwd: dir }) };
  });
}

async function expectSameObjects(dir: string): Promise<void> {
  const repo = await openRepo(dir);
  for (const { oid, type, content } of nativeObjects(dir)) {
    const read = await readRawObject(repo, oid);
    expect(read?.type, oid).toBe(type);
    expect(read?.content.equals(content), oid).toBe(true);
  }
}

function deltaCount(dir: string): number {
  const packs = nativeGit(dir, ['count-objects', '-v']);
  expect(packs).toMatch(/packs: 1/);
  const index = nativeGit(dir, ['rev-parse', '--git-path', 'objects/pack']);
  const idx = execFileSync('sh', ['-c', `ls ${path.resolve(dir, index)}/*.idx`], { encoding: 'utf8' }).trim();
  // verify-pack lists a deltified object with its depth and base: seven columns instead of five.
  return nativeGit(dir, ['verify-pack', '-v', idx])
    .split('\n')
    .filter((line) => /^[0-9a-f]{40} /.test(line) && line.trim().split(/\s+/).length === 7).length;
}

describe('readRawObject', () => {
  it('reads every loose object as git stores it', async () => {
    const { dir } = await repoWithHistory();
    await expectSameObjects(dir);
  });

  it('reads every packed object, offset deltas and reference deltas included', async () => {
    const { dir } = await repoWithHistory();
    nativeGit(dir, ['repack', '-q', '-a', '-d', '-f', '--depth=50', '--window=50']);
    expect(deltaCount(dir)).toBeGreaterThan(10);
    await expectSameObjects(dir);
    // Without offset deltas git names each delta's base by oid.
    nativeGit(dir, ['-c', 'repack.useDeltaBaseOffset=false', 'repack', '-q', '-a', '-d', '-f', '--depth=50', '--window=50']);
    expect(deltaCount(dir)).toBeGreaterThan(10);
    await expectSameObjects(dir);
  });

  it('finds objects packed after the repository was opened', async () => {
    const { dir } = await repoWithHistory();
    const repo = await openRepo(dir);
    const head = nativeGit(dir, ['rev-parse', 'HEAD']);
    expect((await readRawObject(repo, head))?.type).toBe('commit');
    nativeGit(dir, ['gc', '-q']);
    const root = nativeGit(dir, ['rev-list', '--max-parents=0', 'HEAD']);
    expect((await readRawObject(repo, root))?.type).toBe('commit');
    // Repacked again: the pack whose index was read is gone, its objects are in a new one.
    const packs = () => readdirSync(path.join(dir, '.git/objects/pack')).filter((name) => name.endsWith('.pack'));
    const before = packs();
    nativeGit(dir, ['repack', '-q', '-a', '-d', '-f', '--depth=1', '--window=1']);
    expect(packs()).toHaveLength(1);
    expect(packs()).not.toEqual(before);
    const second = nativeGit(dir, ['rev-parse', 'HEAD~20']);
    expect((await readRawObject(repo, second))?.type).toBe('commit');
  });

  it('says undefined for an object the repository does not have', async () => {
    const { dir } = await tempRepo({ 'a.md': 'a\n' });
    expect(await readRawObject(await openRepo(dir), '0123456789012345678901234567890123456789')).toBeUndefined();
  });

  it('refuses a loose object whose content is not what its name says', async () => {
    const { dir } = await tempRepo({ 'a.md': 'a\n' });
    const oid = '0123456789012345678901234567890123456789';
    await mkdir(path.join(dir, '.git/objects/01'), { recursive: true });
    await writeFile(path.join(dir, '.git/objects/01', oid.slice(2)), deflateSync(Buffer.from('blob 2\0b\n')));
    await expect(readRawObject(await openRepo(dir), oid)).rejects.toThrow(GitStateError);
  });
});

describe('trees and commits read directly', () => {
  /** What isomorphic-git itself answers, with a cache of its own. */
  const iso = (repo: Repo) => ({ fs: repo.fs, gitdir: repo.gitdir, cache: {} });

  it('are what isomorphic-git reads, for ordinary trees and commits of every shape', async () => {
    const { dir } = await tempRepo({ 'memory/ünï ✓.md': 'u\n', 'memory/a-b.md': 'x\n', 'memory/a.b': 'y\n', 'memory/a0': 'z\n', 'run.sh': 'echo\n' });
    nativeGit(dir, ['update-index', '--chmod=+x', 'run.sh']);
    execFileSync('ln', ['-s', 'memory/a0', path.join(dir, 'link')]);
    nativeGit(dir, ['add', 'link']);
    const blob = nativeGit(dir, ['rev-parse', 'HEAD:run.sh']);
    nativeGit(dir, ['update-index', '--add', '--cacheinfo', `160000,${blob},vendor`]);
    nativeGit(dir, ['commit', '-q', '-m', 'modes'], { GIT_COMMITTER_DATE: '2026-01-02T03:04:05+05:30', GIT_AUTHOR_DATE: '2026-01-02T03:04:05-08:00' });
    const modes = nativeGit(dir, ['rev-parse', 'HEAD']);
    const tree = nativeGit(dir, ['rev-parse', 'HEAD^{tree}']);
    const side = nativeGit(dir, ['commit-tree', nativeGit(dir, ['rev-parse', 'HEAD~1^{tree}']), '-p', 'HEAD~1', '-m', 'side']);
    const merge = nativeGit(dir, ['commit-tree', tree, '-p', 'HEAD', '-p', side, '-m', 'merge side']);
    nativeGit(dir, ['update-ref', 'refs/heads/main', merge]);
    const odd = nativeGit(dir, ['commit-tree', tree, '-p', 'HEAD'], { GIT_AUTHOR_DATE: '@0 +0000', GIT_COMMITTER_DATE: '@1 -0000' }).trim();
    const crlf = execFileSync('git', ['commit-tree', tree], { cwd: dir, input: '\n\nsubject\r\n\r\nbody\r\n\n\n', encoding: 'utf8' }).trim();
    const repo = await openRepo(dir);
    const commits = [...nativeGit(dir, ['rev-list', '--all']).split('\n'), odd, crlf];
    for (const oid of commits) {
      expect(await readCommitDirect(repo, oid), oid).toEqual(await git.readCommit({ ...iso(repo), oid }));
      expect(await readTreeDirect(repo, oid), oid).toEqual(await git.readTree({ ...iso(repo), oid }));
    }
    const subtree = nativeGit(dir, ['rev-parse', `${modes}:memory`]);
    expect(await readTreeDirect(repo, subtree)).toEqual(await git.readTree({ ...iso(repo), oid: subtree }));
  });

  it('leave what isomorphic-git treats specially to isomorphic-git: a signed commit, a name it checks', async () => {
    const { dir } = await tempRepo({ 'a.md': 'a\n' });
    const tree = nativeGit(dir, ['rev-parse', 'HEAD^{tree}']);
    const signed = [
      `tree ${tree}`,
      'author A <a@example.com> 1700000000 +0000',
      'committer A <a@example.com> 1700000000 +0000',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' ',
      ' iQEzBAABCAAdFiEE',
      ' -----END PGP SIGNATURE-----',
      '',
      'signed',
      '',
    ].join('\n');
    const oid = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin', '--literally'], { cwd: dir, input: signed, encoding: 'utf8' }).trim();
    const repo = await openRepo(dir);
    expect(await readCommitDirect(repo, oid)).toBeUndefined();
    expect(await readCommit(repo, oid)).toEqual(await git.readCommit({ ...iso(repo), oid }));

    const blob = nativeGit(dir, ['rev-parse', 'HEAD:a.md']);
    for (const name of ['a:b.md', '.GIT', 'x\u200cy.md']) {
      const odd = execFileSync('git', ['mktree'], { cwd: dir, input: `100644 blob ${blob}\t${name}\n`, encoding: 'utf8' }).trim();
      expect(await readTreeDirect(repo, odd), name).toBeUndefined();
      const expected = await git.readTree({ ...iso(repo), oid: odd }).then(
        ({ tree: entries }) => entries,
        (error: Error) => error.constructor,
      );
      const actual = await readTreeEntries(repo, odd).then(
        (entries) => entries.map((e) => ({ ...e })),
        (error: Error) => error.constructor,
      );
      expect(actual, name).toEqual(expected);
    }
  });
});

describe('applyDelta', () => {
  const varint = (n: number): number[] => {
    const bytes: number[] = [];
    do {
      bytes.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    return bytes;
  };
  const base = Buffer.from('hello, wide world');

  it('copies from the base and inserts new bytes, as git describes the format', () => {
    // copy 7 bytes from offset 0, insert "narrow", copy 6 bytes from offset 11.
    const delta = Buffer.from([...varint(base.length), ...varint(19), 0x91, 0, 7, 6, ...Buffer.from('narrow'), 0x91, 11, 6]);
    expect(applyDelta(base, delta).toString()).toBe('hello, narrow world');
  });

  it('refuses a delta that does not fit its base or overruns', () => {
    const wrongBase = Buffer.from([...varint(base.length + 1), ...varint(1), 1, 0x41]);
    const pastBase = Buffer.from([...varint(base.length), ...varint(40), 0x91, 0, 40]);
    const short = Buffer.from([...varint(base.length), ...varint(10), 1, 0x41]);
    const reserved = Buffer.from([...varint(base.length), ...varint(1), 0]);
    for (const delta of [wrongBase, pastBase, short, reserved]) expect(() => applyDelta(base, delta)).toThrow(GitStateError);
  });
});

describe('a repository without packs', () => {
  it('reads its loose objects, with no pack folder at all', async () => {
    const { dir } = await tempRepo({ 'a.md': 'a\n' });
    await rm(path.join(dir, '.git/objects/pack'), { recursive: true, force: true });
    expect(await readRawObject(await openRepo(dir), nativeGit(dir, ['rev-parse', 'HEAD']))).toBeDefined();
  });
});
