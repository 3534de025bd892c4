import { afterEach, describe, expect, it } from 'vitest';
import { GitStateError } from '../../../src/errors.js';
import { commitChanges, commitsNotIn, formatCommitMessage, openRepo, readLog, updateBranch } from '../../../src/git/index.js';
import { commitFiles, git, makeTempRepo } from '../../helpers/git.js';

const author = { name: 'reverie', email: 'reverie@localhost' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('readLog', () => {
  it('lists a branch newest first with parsed trailers, stopping where main is', async () => {
    const fixture = await makeTempRepo({ 'memory/a.md': 'a\n' });
    cleanups.push(fixture.cleanup);
    const repo = await openRepo(fixture.dir);
    const base = fixture.head!;
    let parent = base;
    for (const [i, type] of ['add', 'prune'].entries()) {
      const message = formatCommitMessage({
        subject: `${type}(memory/a.md): step ${i}`,
        body: 'why',
        trailers: [
          ['Reverie-Cycle', 'dream-1'],
          ['Reverie-Action', type],
        ],
      });
      const changes = new Map([['memory/a.md', `a${i}\n`]]);
      parent = await commitChanges(repo, { parent, changes, message, author, timestamp: 1767225600 + i });
    }
    await updateBranch(repo, 'reverie/dream-1', parent, { expectedOld: null });

    const log = await readLog(repo, 'reverie/dream-1', { since: base });
    expect(log.map((c) => c.subject)).toEqual(['prune(memory/a.md): step 1', 'add(memory/a.md): step 0']);
    expect(log[0]).toMatchObject({
      oid: parent,
      body: 'why',
      trailers: { 'Reverie-Cycle': ['dream-1'], 'Reverie-Action': ['prune'] },
      author,
      timestamp: 1767225601,
    });
    expect(log[1]!.parents).toEqual([base]);
    expect(await readLog(repo, 'reverie/dream-1', { depth: 1 })).toHaveLength(1);
    expect(await readLog(repo, 'reverie/dream-1')).toHaveLength(3);

    // main moves on after the branch was cut: the branch's own commits are still exactly the two.
    await commitFiles(fixture.dir, { 'other.md': 'o\n' });
    const main = git(fixture.dir, ['rev-parse', 'main']);
    expect((await readLog(repo, 'reverie/dream-1', { since: main })).map((c) => c.oid)).toEqual(log.map((c) => c.oid));
  });

  it('follows first parents only, through merges', async () => {
    const fixture = await makeTempRepo({ 'a.md': 'a\n' });
    cleanups.push(fixture.cleanup);
    const { dir } = fixture;
    git(dir, ['checkout', '-q', '-b', 'side']);
    await commitFiles(dir, { 'b.md': 'b\n' }, 'side work');
    git(dir, ['checkout', '-q', 'main']);
    await commitFiles(dir, { 'c.md': 'c\n' }, 'main work');
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge side', 'side']);
    const log = await readLog(await openRepo(dir), 'main');
    expect(log.map((c) => c.subject)).toEqual(['Merge side', 'main work', 'initial']);
    expect(log[0]!.parents).toHaveLength(2);
    expect(log.map((c) => c.oid).join('\n')).toBe(git(dir, ['rev-list', '--first-parent', 'main']));
  });

  it('refuses a ref that does not exist', async () => {
    const fixture = await makeTempRepo({ 'a.md': 'a\n' });
    cleanups.push(fixture.cleanup);
    await expect(readLog(await openRepo(fixture.dir), 'nope')).rejects.toBeInstanceOf(GitStateError);
  });
});

describe('commitsNotIn', () => {
  const revList = (dir: string, range: string) => git(dir, ['rev-list', range]).split('\n').filter(Boolean).sort();

  it('lists what one branch has and the other lacks, as git rev-list other..tip does, through merges of old commits', async () => {
    const fixture = await makeTempRepo({ 'a.md': 'a\n' });
    cleanups.push(fixture.cleanup);
    const { dir } = fixture;
    git(dir, ['branch', 'old']);
    await commitFiles(dir, { 'b.md': 'b\n' }, 'pushed');
    git(dir, ['branch', 'remote']);
    await commitFiles(dir, { 'c.md': 'c\n' }, 'local one');
    // A side branch cut before `remote`, merged after it: its commit is new, its parent is not.
    git(dir, ['checkout', '-q', 'old']);
    await commitFiles(dir, { 'd.md': 'd\n' }, 'side');
    git(dir, ['checkout', '-q', 'main']);
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge side', 'old']);
    await commitFiles(dir, { 'e.md': 'e\n' }, 'local two');
    const repo = await openRepo(dir);
    const [main, remote] = [git(dir, ['rev-parse', 'main']), git(dir, ['rev-parse', 'remote'])];

    const ahead = await commitsNotIn(repo, main, remote);
    expect(ahead.map((c) => c.oid).sort()).toEqual(revList(dir, 'remote..main'));
    expect(ahead.map((c) => c.subject)).toContain('side');
    expect(ahead).toHaveLength(4);
    expect(await commitsNotIn(repo, remote, main)).toEqual([]);
    expect(await commitsNotIn(repo, main, remote, 2)).toHaveLength(2);
  });
});
