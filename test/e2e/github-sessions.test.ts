/**
 * Agent sessions' memory-tool branches reviewed on GitHub: the dream cycle pushes each `reverie/session-<id>` branch
 * and keeps one pull request on it (each write a row with its trailers, then the diff), and takes in what reviewers
 * decided there: a merge, or a close without merging. Real pushes to the git server on 127.0.0.1, the real Octokit
 * client against the fake GitHub REST API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { repositoryMemory } from '../../src/index.js';
import { reverie } from '../helpers/cli.js';
import { runGit } from '../helpers/git-server.js';
import { gitAuth, githubWorld, TOKEN, type World } from '../helpers/github-world.js';
import { git } from '../helpers/git.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const BRANCH = 'reverie/session-agent-1';
const pullOf = (w: World, branch: string) => w.github.state.pulls.filter((p) => p.head.ref === branch).at(-1);
const tipOf = (dir: string, ref: string): string => {
  try {
    return git(dir, ['rev-parse', '--verify', '--quiet', ref]);
  } catch {
    return '';
  }
};

describe('memory tool session branches on GitHub', () => {
  it('the cycle pushes a session branch and opens its pull request, updates it after more writes, and retires the branch once merged', async () => {
    const w = await githubWorld(cleanups);
    const memory = await repositoryMemory({ repoDir: w.dir, session: 'agent-1' });
    await memory.create({ command: 'create', path: '/memories/build.md', file_text: '# Build\n\n- Build with `make all`.\n' });
    await memory.str_replace({ command: 'str_replace', path: '/memories/build.md', old_str: '`make all`', new_str: '`make -j4 all`' });
    const [created, replaced] = git(w.dir, ['rev-list', '--reverse', `main..${BRANCH}`]).split('\n');

    const first = await w.run();
    const pull = pullOf(w, BRANCH)!;
    expect(first.session_pulls).toEqual([{ branch: BRANCH, outcome: 'opened', pull: { number: pull.number, url: `https://github.com/acme/memory/pull/${pull.number}` } }]);
    expect(pull).toMatchObject({ state: 'open', base: { ref: 'main' }, head: { sha: replaced }, title: 'reverie: memory written by session agent-1 (2 writes)' });
    expect(tipOf(w.bare, `refs/heads/${BRANCH}`)).toBe(replaced);
    const body = pull.body!;
    expect(body).toContain(`| 1 | \`${created!.slice(0, 7)}\` | create | memory/build.md | Reverie-Session: agent-1<br>Reverie-Tool: memory<br>Reverie-Tool-Command: create |`);
    expect(body).toContain(`| 2 | \`${replaced!.slice(0, 7)}\` | str&#95;replace | memory/build.md |`);
    expect(body).toContain('+- Build with `make -j4 all`.');
    expect(body).toContain(`reverie approve ${BRANCH}`);
    // The cycle's own pull request is another one.
    expect(w.github.state.pulls.filter((p) => p.head.ref.startsWith('reverie/dream-'))).toHaveLength(1);

    // Nothing new: the pull request is left as it is.
    const patches = () => w.github.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/pulls/${pull.number}`)).length;
    const before = patches();
    const again = await w.run();
    expect(again.session_pulls).toEqual([{ branch: BRANCH, outcome: 'unchanged', pull: { number: pull.number, url: `https://github.com/acme/memory/pull/${pull.number}` } }]);
    expect(patches()).toBe(before);

    // The agent writes again: the branch is pushed and the same pull request updated.
    await memory.insert({ command: 'insert', path: '/memories/build.md', insert_line: 3, insert_text: '- Run `make test` before pushing.' });
    const updated = await w.run();
    expect(updated.session_pulls?.[0]).toMatchObject({ branch: BRANCH, outcome: 'updated', pull: { number: pull.number } });
    expect(pullOf(w, BRANCH)).toMatchObject({ number: pull.number, title: 'reverie: memory written by session agent-1 (3 writes)' });
    expect(pullOf(w, BRANCH)!.body).toContain('| 3 |');
    expect(w.github.state.pulls.filter((p) => p.head.ref === BRANCH)).toHaveLength(1);

    // Merged on GitHub: the next cycle brings main along and deletes the branch here and there.
    await w.github.mergePull(pull.number, 'merge');
    const merged = await w.run();
    expect(merged.session_pulls).toEqual([{ branch: BRANCH, outcome: 'merged', pull: { number: pull.number, url: expect.any(String) } }]);
    expect(tipOf(w.dir, BRANCH)).toBe('');
    expect(tipOf(w.bare, `refs/heads/${BRANCH}`)).toBe('');
    expect(git(w.dir, ['show', 'main:memory/build.md'])).toContain('- Run `make test` before pushing.');
    expect(w.github.violations).toEqual([]);
  });

  it('a branch pushed from the machine the agent ran on gets its pull request; closed without merging, its writes are dropped', async () => {
    const w = await githubWorld(cleanups);
    const memory = await repositoryMemory({ repoDir: w.dir, session: 'agent-2' });
    await memory.create({ command: 'create', path: '/memories/deploy.md', file_text: '# Deploy\n\n- Deploy on Fridays.\n' });
    const branch = 'reverie/session-agent-2';
    const tip = tipOf(w.dir, branch);
    // Pushed by hand from the agent's machine, then gone here: this clone is a runner's, which never had it.
    await runGit(w.dir, ['push', '-q', 'origin', branch], gitAuth());
    git(w.dir, ['branch', '-q', '-D', branch]);

    const first = await w.run();
    expect(first.session_pulls).toEqual([{ branch, outcome: 'opened', pull: expect.objectContaining({ number: expect.any(Number) }) }]);
    expect(tipOf(w.dir, branch)).toBe(tip);
    const pull = pullOf(w, branch)!;
    expect(pull.body).toContain('Reverie-Tool-Command: create');

    const closed = await fetch(`${w.github.url}/repos/acme/memory/pulls/${pull.number}`, { method: 'PATCH', headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'closed' }) });
    expect(closed.status).toBe(200);
    const next = await w.run();
    expect(next.session_pulls).toEqual([{ branch, outcome: 'rejected', pull: { number: pull.number, url: expect.any(String) } }]);
    expect(tipOf(w.dir, branch)).toBe('');
    expect(tipOf(w.bare, `refs/heads/${branch}`)).toBe('');
    expect(tipOf(w.dir, 'main:memory/deploy.md')).toBe('');
    expect(w.github.state.pulls.filter((p) => p.head.ref === branch)).toHaveLength(1);
  });

  it('reverie review shows a session branch commit by commit, with its trailers and the diff', async () => {
    const w = await githubWorld(cleanups);
    const memory = await repositoryMemory({ repoDir: w.dir, session: 'agent-1' });
    await memory.create({ command: 'create', path: '/memories/build.md', file_text: '# Build\n\n- Build with `make all`.\n' });
    const shown = reverie(['review', BRANCH, '--repo', w.dir]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`${BRANCH} (`);
    expect(shown.stdout).toContain('create(memory/build.md) by session agent-1');
    expect(shown.stdout).toContain('  Reverie-Tool-Command: create');
    expect(shown.stdout).toContain('  +++ b/memory/build.md');
    expect(shown.stdout).toContain('  +- Build with `make all`.');
    expect(shown.stdout).toContain(`reverie reject ${BRANCH}`);
    expect(reverie(['status', '--repo', w.dir]).stdout).toContain(`reverie review ${BRANCH}`);
  });
});
