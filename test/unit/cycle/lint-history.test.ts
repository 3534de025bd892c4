import { afterEach, describe, expect, it } from 'vitest';
import { dreamCommitsOf, lint } from '../../../src/cycle/lint.js';
import { openRepo } from '../../../src/git/index.js';
import { TEST_CONFIG } from '../../helpers/config.js';
import { commitFiles, git, makeTempRepo } from '../../helpers/git.js';
import { actionMessage, revertMessage, squashMessage, stateMessage } from '../../helpers/messages.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function memoryRepo() {
  const fixture = await makeTempRepo({
    'reverie.yaml': TEST_CONFIG,
    'memory/notes.md': '# Notes\n\n- Use pnpm.\n',
    'memory/instructions/style.md': '# Style\n\n- Named exports only.\n',
  });
  cleanups.push(fixture.cleanup);
  return fixture.dir;
}

describe('dreamCommitsOf', () => {
  it('finds the commits whose trailers name a curation action, with the paths each changed; not bookkeeping, reverts or hand edits', async () => {
    const dir = await memoryRepo();
    const add = await commitFiles(dir, { 'memory/notes.md': '# Notes\n\n- Use pnpm.\n- Run tests.\n' }, actionMessage('C1', 'aaaa0001', 'add'));
    await commitFiles(dir, { '.reverie/state.json': '{}\n' }, stateMessage('C1'));
    const bad = await commitFiles(dir, { 'memory/instructions/style.md': '# Style\n' }, actionMessage('C1', 'aaaa0002', 'prune'));
    await commitFiles(dir, { 'memory/instructions/style.md': '# Style\n\n- Named exports only.\n' }, revertMessage('C1', 'aaaa0002', bad));
    await commitFiles(dir, { 'memory/instructions/style.md': '# Style\n\n- Named exports only.\n- Tabs.\n' }, 'docs: a hand edit');

    const repo = await openRepo(dir);
    const commits = await dreamCommitsOf(repo, git(dir, ['rev-parse', 'HEAD']));
    expect(commits.map((c) => [c.oid, c.cycle, c.actions, c.changedPaths]).sort()).toEqual(
      [
        [add, 'C1', ['add'], ['memory/notes.md']],
        [bad, 'C1', ['prune'], ['memory/instructions/style.md']],
      ].sort(),
    );
    expect(await dreamCommitsOf(repo, git(dir, ['rev-parse', 'HEAD']), bad)).toEqual([]);
  });

  it('reads a squash merge carrying several actions, and commits merged in from a cycle branch', async () => {
    const dir = await memoryRepo();
    const squash = await commitFiles(
      dir,
      { 'memory/instructions/style.md': '# Style\n' },
      squashMessage('Dream cycle C2 (#4)', [actionMessage('C2', 'bbbb0001', 'merge'), actionMessage('C2', 'bbbb0002', 'prune')]),
    );
    git(dir, ['checkout', '-q', '-b', 'reverie/dream-C3']);
    const onBranch = await commitFiles(dir, { 'memory/notes.md': '# Notes\n' }, actionMessage('C3', 'cccc0001', 'prune'));
    git(dir, ['checkout', '-q', 'main']);
    await commitFiles(dir, { 'memory/other.md': '- x\n' }, 'a hand edit on main');
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge pull request #5', 'reverie/dream-C3']);

    const commits = await dreamCommitsOf(await openRepo(dir), git(dir, ['rev-parse', 'HEAD']));
    expect(commits.find((c) => c.oid === squash)).toMatchObject({ cycle: 'C2', actions: ['merge', 'prune'], changedPaths: ['memory/instructions/style.md'] });
    expect(commits.find((c) => c.oid === onBranch)).toMatchObject({ cycle: 'C3', changedPaths: ['memory/notes.md'] });
  });
});

describe('lint', () => {
  it('reports a dream commit that changed a protected file until --since moves past it', async () => {
    const dir = await memoryRepo();
    const bad = await commitFiles(dir, { 'memory/instructions/style.md': '# Style\n\n- Default exports.\n' }, actionMessage('C1', 'aaaa0001', 'update'));
    const report = await lint({ repoDir: dir });
    expect(report.findings).toEqual([expect.objectContaining({ file: 'memory/instructions/style.md', rule: 'protected/dream-commit', line: null })]);
    expect(report).toMatchObject({ errors: 1, warnings: 0, commit: null, files: 2 });
    expect((await lint({ repoDir: dir, since: bad })).findings).toEqual([]);
  });

  it('lints a commit instead of the working tree with ref', async () => {
    const dir = await memoryRepo();
    const clean = git(dir, ['rev-parse', 'HEAD']);
    await commitFiles(dir, { 'memory/notes.md': '# Notes\n\n- [gone](gone.md)\n' });
    expect((await lint({ repoDir: dir })).findings.map((f) => f.rule)).toEqual(['links/missing-file']);
    expect(await lint({ repoDir: dir, ref: clean })).toMatchObject({ commit: clean, findings: [] });
  });
});
