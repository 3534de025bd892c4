import { spawnSync } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverieJson } from '../helpers/cli.js';
import { commitExample } from '../../src/demo/example.js';
import { git, makeTempDir } from '../helpers/git.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface DreamJson {
  cycle: string;
  branch: string;
  base: string;
  actions: { id: string; type: string; paths: string[]; summary: string; commit: string; evidence: string[] }[];
  stats: { sessions: number; new_sessions: number; patterns: number; noise: number };
  notices: { kind: string; message: string }[];
}

/** The bundled example is what a new user sees first: what the cycle finds in it is pinned down here. */
describe('the bundled example', () => {
  let dir: string;
  let result: DreamJson & { code: number };

  beforeAll(async () => {
    dir = path.join(await makeTempDir(), 'example');
    await cp(path.join(root, 'examples/memory-repo'), dir, { recursive: true });
    await commitExample(dir);
    result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
  });

  afterAll(async () => {
    const { rm } = await import('node:fs/promises');
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('reviews every session', () => {
    expect(result.code).toBe(0);
    expect(result.stats).toMatchObject({ sessions: 28, new_sessions: 28 });
  });

  it('finds the planted mistakes, preferences, workflow and memory problems', () => {
    const find = (type: string, words: RegExp) => result.actions.find((a) => a.type === type && words.test(a.summary));
    expect(find('update', /npm install/), 'npm note corrected').toBeDefined();
    expect(find('update', /pytest/), 'plain pytest note corrected').toBeDefined();
    expect(find('merge', /pricing/), 'port 8081 paraphrases in Services merged').toBeDefined();
    expect(find('add', /git push/), 'rejected push and its fix').toBeDefined();
    expect(find('add', /Edit tool/), 'Edit without Read').toBeDefined();
    expect(find('add', /conventional commits/i), 'conventional commits preference').toBeDefined();
    expect(find('add', /lint/), 'lint before done').toBeDefined();
    const workflow = find('add', /^workflow: .*pnpm lint/);
    expect(workflow?.evidence.length).toBeGreaterThanOrEqual(3);
  });

  it("asks about what no session settles, and leaves the team's own notes alone", () => {
    expect(result.notices).toEqual([expect.objectContaining({ kind: 'question', message: expect.stringMatching(/tabs .* spaces.*which one is right/s) })]);
    // The paraphrase in tools.md is the team's, in another file: it stays, however alike it reads.
    const merge = result.actions.find((a) => a.type === 'merge');
    expect(merge?.paths).toEqual(['memory/notes.md']);
    expect(git(dir, ['show', `${result.branch}:memory/tools.md`])).toContain('Local pricing API: http://localhost:8081');
  });

  it('keeps noise, the protected namespace, secrets and injected instructions out of memory', async () => {
    for (const action of result.actions) expect(action.paths.every((p) => !p.startsWith('memory/instructions/'))).toBe(true);
    // Everything the cycle wrote, bookkeeping included (it keeps quotes of noise for later cycles).
    const everything = git(dir, ['log', '-p', '--format=%B', `${result.base}..${result.branch}`]);
    expect(everything).not.toMatch(/sk-ant-api03-[A-Za-z0-9_-]{10}|ghp_[A-Za-z0-9]{10}/);
    const memory = git(dir, ['diff', result.base, result.branch, '--', 'memory']);
    expect(memory).not.toMatch(/tset|waitForTimeout|five bullets/);
    expect(memory).not.toMatch(/curl [^\n]*\| *sh/);
    const notes = git(dir, ['show', `${result.branch}:memory/notes.md`]);
    expect(notes).not.toContain('evil');
    expect(await readFile(path.join(dir, 'memory/notes.md'), 'utf8')).toBe(git(dir, ['show', 'main:memory/notes.md']) + '\n');
  });
});

describe('npm run demo', () => {
  it('runs a real cycle and shows the branch, its commits and the diff', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'dist/demo/main.js')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/commit +reverie\/dream-\d{8}-\d{6}/);
    expect(run.stdout).toContain('Reverie-Action: merge');
    expect(run.stdout).toContain('--- a/memory/notes.md');
    expect(run.stdout).toMatch(/approved cycle \d{8}-\d{6}/);
    expect(run.stdout).toContain('nothing new');
  });
});
