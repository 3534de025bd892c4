/**
 * `reverie compile` in review mode with a `github:` section: the built CLI pushes `reverie/compile` over smart HTTP to a
 * git server on 127.0.0.1 and keeps one pull request up to date through the fake GitHub REST API, in a code repository
 * beside the memory or in the memory repository itself.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reverieAsync } from '../helpers/cli.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { runGit, startGitServer, type GitServer } from '../helpers/git-server.js';
import { gitAuth, githubWorld, TOKEN } from '../helpers/github-world.js';
import { commitFiles, git, makeTempDir } from '../helpers/git.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const NOTES = '# Notes\n\n## Tools\n\n- Use pnpm for every install; never npm install, it rewrites the lockfile.\n';

interface Publication {
  into: string;
  repository: string | null;
  branch: string;
  push: string;
  pull: { number: number; url: string; action: string } | null;
  note?: string;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: { agents: { files: { action: string }[]; commit: string | null }[]; record_commit: string | null; github: Publication[] };
}

async function compile(memory: string, args: string[] = [], env: Record<string, string> = { GITHUB_TOKEN: TOKEN }): Promise<Run> {
  // No token of the developer's own environment leaks in: only the one the test passes.
  const result = await reverieAsync(['compile', '--repo', memory, '--json', ...args], { env: { GITHUB_TOKEN: '', GH_TOKEN: '', ...env } });
  let json: Run['json'];
  try {
    json = JSON.parse(result.stdout) as Run['json'];
  } catch {
    throw new Error(`not one JSON object (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, json };
}

interface Side {
  server: GitServer;
  github: FakeGitHub;
  memory: string;
  app: string;
  appBare: string;
  memoryBare: string;
}

/**
 * `<parent>/memory-repo` and `<parent>/app`, each a clone of a bare repository on the git server: the memory as
 * acme/memory, the code as acme/app, which the fake GitHub serves. reverie.yaml compiles CLAUDE.md into ../app.
 */
async function side(appRemote?: string): Promise<Side> {
  const server = await startGitServer({ token: TOKEN });
  cleanups.push(() => server.close());
  const github = await startFakeGitHub({ owner: 'acme', repo: 'app', token: TOKEN, bareRepo: server.bareDir('acme/app') });
  cleanups.push(() => github.close());
  const parent = await makeTempDir();
  cleanups.push(() => rm(parent, { recursive: true, force: true }));
  const memory = path.join(parent, 'memory-repo');
  const app = path.join(parent, 'app');
  for (const dir of [memory, app]) git(parent, ['init', '-q', '-b', 'main', path.basename(dir)]);
  const config = [
    'mode: review',
    'memory:',
    '  root: memory',
    'agents:',
    '  - name: claude-code',
    '    loads: ["**/*.md"]',
    '    compile:',
    '      format: claude-md',
    '      into: ../app',
    'github:',
    '  repo: acme/memory',
    '  remote: origin',
    `  api_url: ${github.url}`,
    '',
  ].join('\n');
  await commitFiles(memory, { 'reverie.yaml': config, 'memory/notes.md': NOTES }, 'memory');
  await commitFiles(app, { 'src/index.ts': 'export {};\n' }, 'app');
  git(memory, ['remote', 'add', 'origin', server.repoUrl('memory')]);
  git(app, ['remote', 'add', 'origin', appRemote ?? `${server.url}/acme/app.git`]);
  const memoryBare = await server.createBare('memory', { from: memory });
  const appBare = await server.createBare('acme/app', { from: app });
  return { server, github, memory, app, appBare, memoryBare };
}

const pushes = (server: GitServer) => server.requests.filter((r) => r.service === 'git-receive-pack').length;

describe('reverie compile in review mode on GitHub', () => {
  it('into a code repository: the first run opens a pull request there, a change updates the same one, no change does nothing', async () => {
    const s = await side();
    const first = await compile(s.memory);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const commit = first.json.agents[0]!.commit!;
    expect(first.json.github).toEqual([
      { into: '../app', repository: 'acme/app', branch: 'reverie/compile', push: 'pushed', pull: { number: 1, url: 'https://github.com/acme/app/pull/1', action: 'created' } },
      // The record goes to the memory repository's main, which has nothing else GitHub lacks.
      { into: '.', repository: 'acme/memory', branch: 'main', push: 'pushed', pull: null },
    ]);
    expect(git(s.appBare, ['rev-parse', 'refs/heads/reverie/compile'])).toBe(commit);
    expect(git(s.appBare, ['rev-parse', 'main'])).toBe(git(s.app, ['rev-parse', 'main']));
    expect(git(s.memoryBare, ['show', 'main:.reverie/compiled.json'])).toContain('"path": "CLAUDE.md"');
    const [pull] = s.github.state.pulls;
    expect(pull).toMatchObject({ number: 1, state: 'open', head: { ref: 'reverie/compile', sha: commit }, base: { ref: 'main' }, title: 'reverie: compiled memory for claude-code' });
    expect(pull?.body).toContain(`| \`${commit.slice(0, 7)}\` | claude-code | CLAUDE.md |`);
    // The memory commit is linked in the memory repository, which is acme/memory.
    const memoryCommit = git(s.memory, ['rev-parse', 'main~1']);
    expect(pull?.body).toContain(`(https://github.com/acme/memory/commit/${memoryCommit})`);
    expect(s.github.violations).toEqual([]);

    // A person changes the memory and pushes it; the next compile adds a commit on the branch and updates the pull request.
    await commitFiles(s.memory, { 'memory/notes.md': `${NOTES}- Never force push to main.\n` }, 'note');
    await runGit(s.memory, ['push', '-q', 'origin', 'main'], gitAuth());
    const second = await compile(s.memory);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const next = second.json.agents[0]!.commit!;
    expect(git(s.app, ['rev-parse', 'reverie/compile^'])).toBe(commit);
    expect(second.json.github[0]).toEqual({ into: '../app', repository: 'acme/app', branch: 'reverie/compile', push: 'pushed', pull: { number: 1, url: 'https://github.com/acme/app/pull/1', action: 'updated' } });
    expect(s.github.state.pulls).toHaveLength(1);
    expect(s.github.state.pulls[0]).toMatchObject({ state: 'open', head: { sha: next } });
    expect(s.github.state.pulls[0]?.body).toContain(`| \`${next.slice(0, 7)}\` | claude-code | CLAUDE.md |`);
    expect(s.github.state.pulls[0]?.body).toContain('in 2 commits');
    expect(git(s.appBare, ['show', 'reverie/compile:CLAUDE.md'])).toContain('- Never force push to main.');

    // Nothing changed, on a clone of the code repository without the branch (a runner's fresh checkout): the branch is
    // taken from GitHub, nothing is pushed, nothing on GitHub is written.
    git(s.app, ['branch', '-D', '-q', 'reverie/compile']);
    const pushed = pushes(s.server);
    const requests = s.github.requests.length;
    const third = await compile(s.memory);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(third.json.agents[0]!.files[0]!.action).toBe('unchanged');
    expect(third.json.github).toEqual([{ into: '../app', repository: 'acme/app', branch: 'reverie/compile', push: 'up-to-date', pull: { number: 1, url: 'https://github.com/acme/app/pull/1', action: 'unchanged' } }]);
    expect(pushes(s.server)).toBe(pushed);
    expect(s.github.requests.slice(requests).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(s.github.state.pulls).toHaveLength(1);
    expect(git(s.app, ['rev-parse', 'reverie/compile'])).toBe(next);
    expect(s.github.violations).toEqual([]);
  });

  it('text output names each repository, what was pushed and the pull request; the token is printed nowhere', async () => {
    const s = await side();
    const run = await reverieAsync(['compile', '--repo', s.memory], { env: { GITHUB_TOKEN: TOKEN, GH_TOKEN: '' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('github: acme/app: reverie/compile pushed; pull request #1 created (https://github.com/acme/app/pull/1)');
    expect(run.stdout).toContain('github: acme/memory: main pushed');
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    for (const dir of [s.memory, s.app]) expect(readFileSync(path.join(dir, '.git/config'), 'utf8')).not.toContain(TOKEN);
  });

  it('without a token nothing is written; a code repository hosted elsewhere gets its branch and no pull request', async () => {
    const s = await side('https://git.example.org/acme/app.git');
    const refused = await reverieAsync(['compile', '--repo', s.memory], { env: { GITHUB_TOKEN: '', GH_TOKEN: '' } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('set GITHUB_TOKEN (or GH_TOKEN)');
    expect(git(s.app, ['branch', '--list', 'reverie/compile'])).toBe('');

    const run = await compile(s.memory);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.json.github[0]).toEqual({ into: '../app', repository: null, branch: 'reverie/compile', push: 'not-pushed', pull: null, note: `its remote "origin" is not on the GitHub server of github.api_url (${s.github.url}): nothing pushed` });
    expect(git(s.app, ['rev-parse', 'reverie/compile'])).toBe(run.json.agents[0]!.commit);
    expect(s.github.requests).toEqual([]);
  });

  it('in the memory repository: one pull request into main; closed without merging, it stays closed until the memory changes', async () => {
    const agents = 'agents:\n  - name: codex\n    loads: ["notes.md"]\n    compile:\n      format: agents-md\n';
    const w = await githubWorld(cleanups);
    // The world's reverie.yaml gains the agent (the world writes its own configuration).
    await commitFiles(w.dir, { 'reverie.yaml': `${readFileSync(path.join(w.dir, 'reverie.yaml'), 'utf8')}${agents}` }, 'compile codex');
    await runGit(w.dir, ['push', '-q', 'origin', 'main'], gitAuth());
    const first = await compile(w.dir);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.json.github).toEqual([
      { into: '.', repository: 'acme/memory', branch: 'reverie/compile', push: 'pushed', pull: { number: 1, url: 'https://github.com/acme/memory/pull/1', action: 'created' } },
      { into: '.', repository: 'acme/memory', branch: 'main', push: 'pushed', pull: null },
    ]);
    expect(w.github.state.pulls[0]).toMatchObject({ head: { ref: 'reverie/compile' }, base: { ref: 'main' }, labels: ['reverie', 'reverie:compile'] });
    expect(git(w.bare, ['show', 'reverie/compile:AGENTS.md'])).toContain('<!-- reverie:begin memory/notes.md -->');

    const closed = await fetch(`${w.github.url}/repos/acme/memory/pulls/1`, { method: 'PATCH', headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'closed' }) });
    expect(closed.status).toBe(200);
    const again = await compile(w.dir);
    expect(again.json.github).toEqual([{ into: '.', repository: 'acme/memory', branch: 'reverie/compile', push: 'up-to-date', pull: { number: 1, url: 'https://github.com/acme/memory/pull/1', action: 'closed' }, note: 'pull request #1 was closed without merging; it stays closed until the memory changes' }]);
    expect(w.github.state.pulls).toHaveLength(1);

    await commitFiles(w.dir, { 'memory/notes.md': `${readFileSync(path.join(w.dir, 'memory/notes.md'), 'utf8')}- Release notes use ISO 8601 dates.\n` }, 'note');
    await runGit(w.dir, ['push', '-q', 'origin', 'main'], gitAuth());
    const changed = await compile(w.dir);
    expect(changed.json.github[0]).toMatchObject({ push: 'pushed', pull: { number: 2, action: 'created' } });
    expect(w.github.state.pulls.map((p) => p.state)).toEqual(['closed', 'open']);
    expect(w.github.violations).toEqual([]);
  });
});
