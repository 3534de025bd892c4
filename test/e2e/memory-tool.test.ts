/**
 * The memory tool on the repository: the handlers `betaMemoryTool` takes, on a real repository, and the example agent
 * run with the real SDK against the fake Messages API on 127.0.0.1. What is checked is what git holds afterwards
 * (commits on the session's branch, their trailers, no secret in any object, main untouched until approval), what the
 * model is told when a call is refused, and that `reverie status`, `approve`, `reject` and `why` treat the session's
 * branch as a change to review.
 */
import { spawn } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, openRepo } from '../../src/git/index.js';
import { repositoryMemory, type RepositoryMemory } from '../../src/index.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { reply, startFakeAnthropic, type FakeAnthropic, type MessageBody } from '../helpers/fake-anthropic.js';
import { commitFiles, git, makeMemoryRepo, type TempRepo } from '../helpers/git.js';

const SECRET = 'ghp_Zq7Xw2Lm9Rt4Vb6Nc8Kd1Hf3Jg5Ps0Ty2Ua9';
const NOTES = '# Notes\n\n## Tools\n\n- Install dependencies with `npm install`.\n';
const INSTRUCTIONS = '# Instructions\n\n- Never push to main directly.\n';
const BRANCH = 'reverie/session-s1';

let repo: TempRepo | undefined;
let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await repo?.cleanup();
  repo = undefined;
});

async function memoryRepo(): Promise<TempRepo> {
  repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': NOTES, 'memory/instructions/CLAUDE.md': INSTRUCTIONS });
  return repo;
}

/** The commit `ref` names, or '' when there is no such ref. */
const tip = (dir: string, ref: string): string => {
  try {
    return git(dir, ['rev-parse', '--verify', '--quiet', ref]);
  } catch {
    return '';
  }
};
const show = (dir: string, spec: string): string => git(dir, ['show', spec]);
/** Every object reachable from any ref, as text: a secret is nowhere if it is not here. */
const everything = (dir: string): string => git(dir, ['log', '--all', '-p', '--format=%H%n%B']);

describe('repositoryMemory: the memory tool handlers on a repository', () => {
  it('reads main until the first write, then writes one commit per command on the session branch', async () => {
    const { dir, head } = await memoryRepo();
    const memory = await repositoryMemory({ repoDir: dir, session: 's1' });
    expect(memory.branch).toBe(BRANCH);
    const listing = await memory.view({ command: 'view', path: '/memories' });
    expect(listing).toContain('Here\'re the files and directories up to 2 levels deep in /memories');
    expect(listing).toMatch(/\t\/memories\/notes\.md$/m);
    expect(listing).toMatch(/\t\/memories\/instructions\/CLAUDE\.md$/m);
    expect(await memory.view({ command: 'view', path: '/memories/notes.md' })).toBe(
      "Here's the content of /memories/notes.md with line numbers:\n" + NOTES.split('\n').map((l, i) => `${String(i + 1).padStart(6)}\t${l}`).join('\n'),
    );
    expect(tip(dir, `refs/heads/${BRANCH}`)).toBe('');

    expect(await memory.create({ command: 'create', path: '/memories/build.md', file_text: '# Build\n\n- Build with `pnpm build`.\n' })).toBe(
      'File created successfully at: /memories/build.md',
    );
    await memory.str_replace({ command: 'str_replace', path: '/memories/build.md', old_str: '`pnpm build`', new_str: '`pnpm -r build`' });
    expect(await memory.insert({ command: 'insert', path: '/memories/notes.md', insert_line: 5, insert_text: '- Run tests with `pnpm test`.\n' })).toBe(
      'The file /memories/notes.md has been edited.',
    );
    await memory.rename({ command: 'rename', old_path: '/memories/build.md', new_path: '/memories/tools/build.md' });
    await memory.create({ command: 'create', path: '/memories/scratch.md', file_text: 'temporary\n' });
    expect(await memory.delete({ command: 'delete', path: '/memories/scratch.md' })).toBe('Successfully deleted /memories/scratch.md');

    // main has not moved; the branch holds six commits on it, in order, each with the session's trailers.
    expect(tip(dir, 'main')).toBe(head);
    const log = git(dir, ['log', '--reverse', '--format=%s|%(trailers:key=Reverie-Session,valueonly,separator=)|%(trailers:key=Reverie-Tool,valueonly,separator=)|%(trailers:key=Reverie-Tool-Command,valueonly,separator=)', `main..${BRANCH}`]);
    expect(log.split('\n')).toEqual([
      'create(memory/build.md) by session s1|s1|memory|create',
      'str_replace(memory/build.md) by session s1|s1|memory|str_replace',
      'insert(memory/notes.md:5) by session s1|s1|memory|insert',
      'rename(memory/build.md): to memory/tools/build.md by session s1|s1|memory|rename',
      'create(memory/scratch.md) by session s1|s1|memory|create',
      'delete(memory/scratch.md) by session s1|s1|memory|delete',
    ]);
    expect(show(dir, `${BRANCH}:memory/tools/build.md`)).toBe('# Build\n\n- Build with `pnpm -r build`.');
    expect(show(dir, `${BRANCH}:memory/notes.md`)).toBe(`${NOTES}- Run tests with \`pnpm test\`.`.replace(/\n$/, ''));
    expect(git(dir, ['ls-tree', '-r', '--name-only', BRANCH])).not.toContain('scratch.md');
    // The branch is what the session reads now.
    expect(await memory.view({ command: 'view', path: '/memories/tools/build.md', view_range: [3, 3] })).toBe(
      "Here's the content of /memories/tools/build.md with line numbers:\n     3\t- Build with `pnpm -r build`.",
    );
  });

  it('redacts secrets before they are written, and says so to the model', async () => {
    const { dir } = await memoryRepo();
    const memory = await repositoryMemory({ repoDir: dir, session: 's1' });
    const created = await memory.create({ command: 'create', path: '/memories/deploy.md', file_text: `# Deploy\n\n- The deploy token is ${SECRET}.\n` });
    expect(created).toContain('File created successfully at: /memories/deploy.md');
    expect(created).toContain('[REDACTED:');
    // A model that quotes the secret again still finds the line: old_str is redacted as the file was.
    await memory.str_replace({ command: 'str_replace', path: '/memories/deploy.md', old_str: `token is ${SECRET}`, new_str: `token is in the vault, not ${SECRET}` });
    await memory.insert({ command: 'insert', path: '/memories/notes.md', insert_line: 0, insert_text: `export GITHUB_TOKEN=${SECRET}` });
    const text = show(dir, `${BRANCH}:memory/deploy.md`);
    expect(text).toMatch(/token is in the vault, not \[REDACTED:[a-z-]+\]/);
    expect(everything(dir)).not.toContain(SECRET);
    expect(everything(dir)).not.toContain(SECRET.slice(4, 20));
  });

  it('refuses protected namespaces, escapes, links and reverie\'s own files with the reason, and writes nothing', async () => {
    const { dir } = await memoryRepo();
    await symlink('/etc', path.join(dir, 'memory', 'outside'));
    await symlink('notes.md', path.join(dir, 'memory', 'alias.md'));
    await commitFiles(dir, {}, 'links');
    const main = tip(dir, 'main');
    const memory = await repositoryMemory({ repoDir: dir, session: 's1' });
    const refusals: [Promise<string>, RegExp][] = [
      [memory.create({ command: 'create', path: '/memories/instructions/new.md', file_text: 'x' }), /protected namespace "instructions"/],
      [memory.str_replace({ command: 'str_replace', path: '/memories/instructions/CLAUDE.md', old_str: 'Never', new_str: 'Always' }), /protected namespace "instructions"/],
      [memory.rename({ command: 'rename', old_path: '/memories/notes.md', new_path: '/memories/instructions/notes.md' }), /protected namespace "instructions"/],
      [memory.delete({ command: 'delete', path: '/memories/instructions' }), /protected namespace "instructions"/],
      [memory.create({ command: 'create', path: '/memories/../reverie.yaml', file_text: 'mode: auto' }), /^Path \/memories\/\.\.\/reverie\.yaml would escape \/memories directory$/],
      [memory.create({ command: 'create', path: '/memories/a/../../x.md', file_text: 'x' }), /would escape \/memories directory/],
      [memory.view({ command: 'view', path: '/etc/passwd' }), /^Path must start with \/memories, got: \/etc\/passwd$/],
      [memory.create({ command: 'create', path: '/memories/outside/passwd', file_text: 'x' }), /symbolic link \(memory\/outside\)/],
      [memory.view({ command: 'view', path: '/memories/alias.md' }), /symbolic link/],
      [memory.str_replace({ command: 'str_replace', path: '/memories/alias.md', old_str: 'npm', new_str: 'pnpm' }), /symbolic link/],
      [memory.create({ command: 'create', path: '/memories/.git/config', file_text: 'x' }), /inside \.git/],
      [memory.create({ command: 'create', path: '/memories/notes.md', file_text: 'x' }), /^File \/memories\/notes\.md already exists$/],
      [memory.str_replace({ command: 'str_replace', path: '/memories/notes.md', old_str: 'yarn', new_str: 'pnpm' }), /^No replacement was performed, old_str `yarn` did not appear verbatim in \/memories\/notes\.md\.$/],
      [memory.str_replace({ command: 'str_replace', path: '/memories/notes.md', old_str: '#', new_str: '' }), /^No replacement was performed\. Multiple occurrences of old_str `#` in lines: 1, 3\. Please ensure it is unique$/],
      [memory.insert({ command: 'insert', path: '/memories/notes.md', insert_line: 99, insert_text: 'x' }), /^Invalid `insert_line` parameter: 99\. It should be within the range of lines of the file: \[0, 6\]$/],
      [memory.view({ command: 'view', path: '/memories/missing.md' }), /^The path \/memories\/missing\.md does not exist\. Please provide a valid path\.$/],
      [memory.delete({ command: 'delete', path: '/memories' }), /^Cannot delete the \/memories directory itself$/],
      [memory.delete({ command: 'delete', path: '/memories/missing.md' }), /^The path \/memories\/missing\.md does not exist$/],
      [memory.rename({ command: 'rename', old_path: '/memories/notes.md', new_path: '/memories/instructions/CLAUDE.md' }), /already exists|protected/],
    ];
    const outcomes = await Promise.allSettled(refusals.map(([call]) => call));
    outcomes.forEach((outcome, i) => {
      expect(outcome.status, `call ${i}`).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason?.message), `call ${i}`).toMatch(refusals[i]![1]);
    });
    expect(tip(dir, `refs/heads/${BRANCH}`)).toBe('');
    expect(tip(dir, 'main')).toBe(main);
  });

  it('refuses reverie\'s own files when the memory is the repository root', async () => {
    repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG.replace('root: memory', 'root: "."'), 'notes.md': NOTES, '.reverie/state.json': '{}\n' });
    const memory = await repositoryMemory({ repoDir: repo.dir, session: 's1' });
    await expect(memory.create({ command: 'create', path: '/memories/reverie.yaml', file_text: 'mode: auto' })).rejects.toThrow(/reverie's own file/);
    await expect(memory.delete({ command: 'delete', path: '/memories/.reverie' })).rejects.toThrow(/reverie's own file/);
    expect(await memory.view({ command: 'view', path: '/memories' })).not.toContain('reverie.yaml');
    expect(await memory.create({ command: 'create', path: '/memories/tools.md', file_text: 'x\n' })).toContain('created');
  });

  it('orders the writes of one session made at once, one commit each', async () => {
    const { dir } = await memoryRepo();
    const memory = await repositoryMemory({ repoDir: dir, session: 's1' });
    await memory.create({ command: 'create', path: '/memories/log.md', file_text: '# Log' });
    const lines = Array.from({ length: 8 }, (_, i) => `- entry ${i}`);
    await Promise.all(lines.map((text, i) => memory.insert({ command: 'insert', path: '/memories/log.md', insert_line: i + 1, insert_text: text })));
    expect(show(dir, `${BRANCH}:memory/log.md`)).toBe(['# Log', ...lines].join('\n'));
    expect(git(dir, ['rev-list', '--count', `main..${BRANCH}`])).toBe('9');
  });

  it('waits for the repository lock a cycle holds, and refuses the write when it is not released in time', async () => {
    const { dir } = await memoryRepo();
    const release = await acquireLock(await openRepo(dir), { purpose: 'dream' });
    try {
      const memory = await repositoryMemory({ repoDir: dir, session: 's1', lockWaitMs: 0 });
      await expect(memory.create({ command: 'create', path: '/memories/a.md', file_text: 'a' })).rejects.toThrow(/being curated by another reverie run right now; nothing was written/);
      expect(tip(dir, `refs/heads/${BRANCH}`)).toBe('');
      const patient = await repositoryMemory({ repoDir: dir, session: 's1', lockWaitMs: 60_000 });
      const write = patient.create({ command: 'create', path: '/memories/a.md', file_text: 'a' });
      release();
      expect(await write).toContain('created');
    } finally {
      release();
    }
    expect(show(dir, `${BRANCH}:memory/a.md`)).toBe('a');
  });

  it('refuses a session id that cannot name a branch', async () => {
    const { dir } = await memoryRepo();
    await expect(repositoryMemory({ repoDir: dir, session: '../main' })).rejects.toThrow(/cannot name a branch/);
    await expect(repositoryMemory({ repoDir: dir, session: 'a b' })).rejects.toThrow(/cannot name a branch/);
  });
});

describe('a session branch under review', () => {
  async function written(): Promise<{ dir: string; memory: RepositoryMemory }> {
    const { dir } = await memoryRepo();
    const memory = await repositoryMemory({ repoDir: dir, session: 's1' });
    await memory.insert({ command: 'insert', path: '/memories/notes.md', insert_line: 5, insert_text: '- Build with `pnpm build`.' });
    return { dir, memory };
  }

  it('is listed by status, merged by approve, and named by why', async () => {
    const { dir } = await written();
    const status = reverieJson<{ session_pending: { branch: string; session: string; commits: number; files: string[] }[] }>(['status'], { cwd: dir });
    expect(status.session_pending).toEqual([{ branch: BRANCH, session: 's1', commits: 1, files: ['memory/notes.md'] }]);
    expect(reverie(['status'], { cwd: dir }).stdout).toContain(`pending    ${BRANCH} (memory tool writes of session s1 to memory/notes.md, 1 commit): reverie review ${BRANCH} | reverie approve ${BRANCH}`);

    const approved = reverieJson<{ decision: string; commits: number }>(['approve', BRANCH], { cwd: dir });
    expect(approved).toMatchObject({ code: 0, decision: 'approved', commits: 1 });
    expect(show(dir, 'main:memory/notes.md')).toContain('- Build with `pnpm build`.');
    expect(git(dir, ['branch', '--list', BRANCH])).toBe('');

    const why = reverieJson<{ lines: { origin: { kind: string; session?: string; command?: string } }[] }>(['why', 'memory/notes.md:6'], { cwd: dir });
    expect(why.lines[0]!.origin).toMatchObject({ kind: 'session', session: 's1', tool: 'memory', command: 'insert' });
    expect(reverie(['why', 'memory/notes.md:6'], { cwd: dir }).stdout).toContain('written by agent session s1 with the memory tool (insert)');
    expect(reverie(['why', 'memory/notes.md:1'], { cwd: dir }).stdout).not.toContain('session');
  });

  it('is replayed on a main that moved, keeping its trailers', async () => {
    const { dir } = await written();
    await commitFiles(dir, { 'memory/tools.md': '# Tools\n' }, 'a person adds tools.md');
    expect(reverieJson(['approve', 'session-s1'], { cwd: dir })).toMatchObject({ code: 0, commits: 1 });
    expect(git(dir, ['log', '-1', '--format=%(trailers:key=Reverie-Session,valueonly,separator=)', 'main'])).toBe('s1');
    expect(show(dir, 'main:memory/notes.md')).toContain('- Build with `pnpm build`.');
    expect(show(dir, 'main:memory/tools.md')).toBe('# Tools');
  });

  it('is undone on main by revert, one write by its commit or a whole session', async () => {
    const { dir, memory } = await written();
    await memory.create({ command: 'create', path: '/memories/deploy.md', file_text: '# Deploy\n' });
    expect(reverieJson(['approve', BRANCH], { cwd: dir })).toMatchObject({ code: 0, commits: 2 });
    const created = git(dir, ['rev-parse', 'main']);

    const one = reverieJson<{ reverted: { commit: string }[]; merged: boolean }>(['revert', created.slice(0, 10)], { cwd: dir });
    expect(one).toMatchObject({ code: 0, merged: true, reverted: [{ commit: created }] });
    expect(git(dir, ['ls-tree', '--name-only', 'main', 'memory/'])).not.toContain('deploy.md');
    expect(show(dir, 'main:memory/notes.md')).toContain('pnpm build');

    const all = reverie(['revert', 'session-s1'], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('reverted session s1: 1 revert commit, main moved to');
    expect(show(dir, 'main:memory/notes.md')).toBe(NOTES.replace(/\n$/, ''));
    expect(git(dir, ['log', '-1', '--format=%(trailers:key=Reverie-Revert-Of,valueonly,separator=)', 'main'])).toMatch(/^[0-9a-f]{40}$/);
    // A cycle's action id that names nothing is still refused as before.
    expect(reverie(['revert', 'a1b2c3d4'], { cwd: dir }).code).not.toBe(0);
  });

  it('is named by the dream cycle\'s report among the changes waiting', async () => {
    const { dir } = await written();
    const json = reverieJson<{ session_pending: { branch: string; commits: number }[] }>(['dream'], { cwd: dir });
    expect(json.code).toBe(0);
    expect(json.session_pending).toEqual([{ branch: BRANCH, session: 's1', commits: 1, files: ['memory/notes.md'] }]);
    expect(reverie(['dream'], { cwd: dir }).stdout).toContain(`waiting  ${BRANCH}: memory tool writes of session s1 to memory/notes.md (1 commit): reverie approve ${BRANCH}`);
  });

  it('is dropped by reject, main untouched', async () => {
    const { dir } = await written();
    const main = tip(dir, 'main');
    const rejected = reverie(['reject', BRANCH], { cwd: dir });
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(tip(dir, 'main')).toBe(main);
    expect(git(dir, ['branch', '--list', BRANCH])).toBe('');
    expect(reverieJson<{ session_pending: unknown[] }>(['status'], { cwd: dir }).session_pending).toEqual([]);
  });
});

describe('examples/memory-agent.ts', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
  const API_KEY = 'sk-ant-api03-fake-key-for-tests-only-0000';

  /** The model's turns: each a memory tool call, then a closing text once every call was answered. */
  const CALLS = [
    { command: 'view', path: '/memories' },
    { command: 'create', path: '/memories/build.md', file_text: `# Build\n\n- Build with \`pnpm build\`; the CI token is ${SECRET}.\n` },
    { command: 'str_replace', path: '/memories/build.md', old_str: '`pnpm build`', new_str: '`pnpm -r build`' },
    { command: 'str_replace', path: '/memories/instructions/CLAUDE.md', old_str: 'Never push', new_str: 'Always push' },
    { command: 'create', path: '/memories/../../etc/cron.d/x', file_text: 'x' },
  ];

  function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(TSX, [path.join(ROOT, 'examples/memory-agent.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  function toolResults(body: MessageBody): { content: unknown; is_error?: boolean }[] {
    return body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content.filter((b) => b.type === 'tool_result') : [])) as { content: unknown; is_error?: boolean }[];
  }

  it('writes through the memory tool to a session branch that approve merges', async () => {
    const { dir } = await memoryRepo();
    fake = await startFakeAnthropic({
      apiKey: API_KEY,
      respond: (body) => {
        const answered = toolResults(body).length;
        return answered < CALLS.length ? reply.toolUse(CALLS[answered], 'memory') : reply.text('Noted the build command in memory.');
      },
    });
    const result = await run([dir, 'Remember how this project builds.'], { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url, REVERIE_SESSION: 'agent-1' });
    expect(result.code, result.stderr).toBe(0);
    expect(fake.violations).toEqual([]);
    expect(result.stdout).toContain('Noted the build command in memory.');
    expect(result.stdout).toContain('reverie approve reverie/session-agent-1');

    // What the model was told: the listing, two successes, and two refusals with their reasons.
    const last = fake.requests.at(-1)!.body as MessageBody;
    expect(last.tools).toEqual([{ type: 'memory_20250818', name: 'memory' }]);
    const results = toolResults(last);
    expect(results.map((r) => r.is_error === true)).toEqual([false, false, false, true, true]);
    expect(String(results[0]!.content)).toContain('/memories/notes.md');
    expect(String(results[3]!.content)).toMatch(/^Error: The path \/memories\/instructions\/CLAUDE\.md is in the protected namespace "instructions"/);
    expect(String(results[4]!.content)).toBe('Error: Path /memories/../../etc/cron.d/x would escape /memories directory');

    const branch = 'reverie/session-agent-1';
    expect(git(dir, ['log', '--format=%s %(trailers:key=Reverie-Session,valueonly,separator=)', `main..${branch}`]).split('\n')).toEqual([
      'str_replace(memory/build.md) by session agent-1 agent-1',
      'create(memory/build.md) by session agent-1 agent-1',
    ]);
    expect(show(dir, `${branch}:memory/build.md`)).toMatch(/^# Build\n\n- Build with `pnpm -r build`; the CI token is \[REDACTED:[a-z-]+\]\.$/);
    expect(everything(dir)).not.toContain(SECRET);
    expect(show(dir, 'main:memory/instructions/CLAUDE.md')).toBe(INSTRUCTIONS.replace(/\n$/, ''));

    expect(reverieJson(['approve', branch], { cwd: dir })).toMatchObject({ code: 0, decision: 'approved', commits: 2 });
    expect(show(dir, 'main:memory/build.md')).toContain('pnpm -r build');
    expect(reverieJson<{ lines: { origin: { kind: string; session?: string } }[] }>(['why', 'memory/build.md:3'], { cwd: dir }).lines[0]!.origin).toMatchObject({ kind: 'session', session: 'agent-1' });
  });
});
