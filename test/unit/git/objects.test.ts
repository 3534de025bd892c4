import { execFileSync } from 'node:child_process';
import * as git from 'isomorphic-git';
import type { TreeEntry } from 'isomorphic-git';
import { afterEach, describe, expect, it } from 'vitest';
import { GitStateError } from '../../../src/errors.js';
import { openRepo } from '../../../src/git/index.js';
import { ObjectWriter, readBlobContent, type CommitContent } from '../../../src/git/objects.js';
import { git as nativeGit, makeTempRepo } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempRepo() {
  const fixture = await makeTempRepo({ 'README.md': '# readme\n' });
  cleanups.push(fixture.cleanup);
  return { ...fixture, repo: await openRepo(fixture.dir) };
}

const BLOB = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'; // the empty blob
const SUBTREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'; // the empty tree

describe('ObjectWriter', () => {
  // Names whose order differs between plain string order and git's (a folder sorts as "name/"), modes of every kind.
  const trees: [string, TreeEntry[]][] = [
    ['files only', [{ mode: '100644', path: 'b.md', oid: BLOB, type: 'blob' }, { mode: '100644', path: 'a.md', oid: BLOB, type: 'blob' }]],
    [
      'a folder among names that sort around it',
      [
        { mode: '040000', path: 'a', oid: SUBTREE, type: 'tree' },
        { mode: '100644', path: 'a-b', oid: BLOB, type: 'blob' },
        { mode: '100644', path: 'a.b', oid: BLOB, type: 'blob' },
        { mode: '100644', path: 'a0', oid: BLOB, type: 'blob' },
      ],
    ],
    [
      'unicode names and every mode',
      [
        { mode: '100755', path: 'run.sh', oid: BLOB, type: 'blob' },
        { mode: '120000', path: 'link', oid: BLOB, type: 'blob' },
        { mode: '160000', path: 'vendor', oid: '1111111111111111111111111111111111111111', type: 'commit' },
        { mode: '100644', path: 'ünïcode.md', oid: BLOB, type: 'blob' },
        { mode: '100644', path: 'Zebra.md', oid: BLOB, type: 'blob' },
        { mode: '100644', path: '✓.md', oid: BLOB, type: 'blob' },
      ],
    ],
  ];
  for (const [name, entries] of trees) {
    it(`writes a tree (${name}) as isomorphic-git and native git do`, async () => {
      const { dir, repo } = await tempRepo();
      const writer = new ObjectWriter(repo);
      const oid = writer.tree(entries);
      await writer.flush();
      expect(oid).toBe(await git.writeTree({ fs: repo.fs, gitdir: repo.gitdir, tree: entries.map((e) => ({ ...e })) }));
      const mktree = entries.map((e) => `${e.mode} ${e.type} ${e.oid}\t${e.path}`).join('\n');
      expect(execFileSync('git', ['mktree', '--missing'], { cwd: dir, input: mktree, encoding: 'utf8' }).trim()).toBe(oid);
    });
  }

  const person = { name: 'reverie', email: 'reverie@localhost', timestamp: 1767225600 };
  const commits: [string, Partial<CommitContent>][] = [
    ['a root commit', { parent: [] }],
    ['a merge', { parent: ['1111111111111111111111111111111111111111', '2222222222222222222222222222222222222222'] }],
    ['a message with CRLF, blank lines around and unicode', { message: '\n\nadd(memory/ü.md): café ✓\r\n\r\nBody.\r\n\n\n' }],
    ['a message without a final newline', { message: 'subject only' }],
    ['another author and committer', { author: { name: 'Dana Ö', email: 'd@x', timestamp: 1 }, committer: { name: 'CI', email: 'ci@x', timestamp: 2 } }],
  ];
  for (const [name, overrides] of commits) {
    it(`writes a commit (${name}) as isomorphic-git does`, async () => {
      const { dir, repo, head } = await tempRepo();
      const content: CommitContent = { tree: SUBTREE, parent: [head!], author: person, committer: person, message: 'add: x\n', ...overrides };
      const writer = new ObjectWriter(repo);
      const oid = writer.commit(content);
      await writer.flush();
      const viaIsomorphicGit = await git.writeCommit({
        fs: repo.fs,
        gitdir: repo.gitdir,
        commit: {
          ...content,
          author: { ...content.author, timezoneOffset: 0 },
          committer: { ...content.committer, timezoneOffset: 0 },
        },
      });
      expect(oid).toBe(viaIsomorphicGit);
      expect(nativeGit(dir, ['cat-file', '-t', oid])).toBe('commit');
    });
  }

  it('writes a blob of any text as native git hashes and reads it', async () => {
    const { dir, repo } = await tempRepo();
    const writer = new ObjectWriter(repo);
    for (const text of ['', 'plain\n', 'café ✓ 𝄞 — ünïcode\r\n', `${'["h","s","sessions/ü.jsonl"]\n'.repeat(5_000)}`]) {
      const oid = writer.blob(text);
      await writer.flush();
      expect(execFileSync('git', ['hash-object', '--stdin'], { cwd: dir, input: text }).toString().trim()).toBe(oid);
      expect(execFileSync('git', ['cat-file', 'blob', oid], { cwd: dir }).toString()).toBe(text);
    }
  });

  it('stores each object once and reports a failed write at flush', async () => {
    const { dir, repo } = await tempRepo();
    const writer = new ObjectWriter(repo);
    const a = writer.blob('same\n');
    expect(writer.blob('same\n')).toBe(a);
    await writer.flush();
    expect(nativeGit(dir, ['cat-file', '-p', a])).toBe('same');
    const broken = new ObjectWriter({ ...repo, gitdir: `${dir}/README.md/.git` }); // below a file: cannot be created
    broken.blob('x');
    await expect(broken.flush()).rejects.toThrow();
    await broken.settle();
  });
});

describe('readBlobContent', () => {
  it('reads loose and packed blobs, checks them, and refuses what is not a blob', async () => {
    const { dir, repo, head } = await tempRepo();
    const writer = new ObjectWriter(repo);
    const loose = writer.blob('loose text ✓\n');
    await writer.flush();
    expect(Buffer.from(await readBlobContent(repo, loose)).toString('utf8')).toBe('loose text ✓\n');
    const packed = nativeGit(dir, ['rev-parse', `${head}:README.md`]);
    nativeGit(dir, ['gc', '-q']);
    const fresh = await openRepo(dir);
    expect(Buffer.from(await readBlobContent(fresh, packed)).toString('utf8')).toBe('# readme\n');
    await expect(readBlobContent(fresh, head!)).rejects.toBeInstanceOf(GitStateError);
  });
});
