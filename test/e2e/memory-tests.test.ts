import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { commitFiles, git, makeTempDir, makeTempRepo } from '../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const NOTES = `# Notes

## Tools

- Use pnpm for every install; never npm install, it rewrites the lockfile.
- Deploy with make release from a clean checkout of main.
`;

const CASES = `cases:
  - name: package manager
    question: Which package manager installs dependencies?
    expect: pnpm
  - name: deploys
    question: How do I ship a release?
    expect: make release
    never: force push
`;

interface TestJson {
  ref: string;
  commit: string;
  files: string[];
  passed: number;
  failed: number;
  cases: { id: string; name: string; passed: boolean; missing: string[]; entries: { path: string; line: number; text: string }[] }[];
}

async function memoryRepo() {
  const repo = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': NOTES, '.reverie/tests/memory.yaml': CASES });
  cleanups.push(repo.cleanup);
  return repo;
}

describe('reverie test', () => {
  it('passes a case at the parent and fails it at the commit that removed the rule it needs', async () => {
    const { dir } = await memoryRepo();
    await commitFiles(dir, { 'memory/notes.md': NOTES.replace(/^- Use pnpm.*\n/m, '') }, 'drop the package manager rule');

    const before = reverieJson<TestJson>(['test', '--repo', dir, '--ref', 'HEAD~1']);
    expect(before).toMatchObject({ code: 0, ref: 'HEAD~1', files: ['.reverie/tests/memory.yaml'], reader: 'offline', claude: null, passed: 2, failed: 0 });
    expect(before.cases[0]?.entries[0]).toMatchObject({ path: 'memory/notes.md', line: 5 });
    expect(before.cases[0]?.entries[0]?.text).toContain('Use pnpm');

    const after = reverieJson<TestJson>(['test', '--repo', dir, '--ref', 'HEAD']);
    expect(after).toMatchObject({ code: 1, passed: 1, failed: 1 });
    expect(after.cases[0]).toMatchObject({ id: '.reverie/tests/memory.yaml#package manager', passed: false, missing: ['pnpm'] });
    expect(after.cases[1]?.passed).toBe(true);

    // Without --ref: main, whose tip is the commit without the rule.
    const text = reverie(['test', '--repo', dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('FAIL  package manager  (.reverie/tests/memory.yaml:2)');
    expect(text.stdout).toContain('missing: "pnpm" is in none of the entries retrieved');
    expect(text.stdout).toContain('pass  deploys');
    expect(text.stdout).toContain('memory/notes.md:5  "Deploy with make release from a clean checkout of main."');
    expect(text.stdout).toContain('1 passed, 1 failed');
    expect(text.stderr).toContain('1 case of 2 failed at main');
  });

  it('fails a never case when a commit adds the rule it forbids', async () => {
    const { dir } = await memoryRepo();
    await commitFiles(dir, { 'memory/notes.md': `${NOTES}- To ship a release fast, force push to main.\n` }, 'a bad habit');
    const result = reverieJson<TestJson>(['test', '--repo', dir]);
    expect(result).toMatchObject({ code: 1, failed: 1 });
    expect(result.cases[1]).toMatchObject({ name: 'deploys', passed: false, forbidden: [{ term: 'force push', path: 'memory/notes.md', line: 7 }] });
  });

  it('exits 2 on a bad test file, naming its file, line and key', async () => {
    const { dir } = await memoryRepo();
    await commitFiles(dir, { '.reverie/tests/memory.yaml': CASES.replace('    expect: pnpm', '    expcet: pnpm') }, 'a typo');
    const result = reverie(['test', '--repo', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('.reverie/tests/memory.yaml:4 (cases[0].expcet): unknown key (did you mean "expect"?)');
  });

  it('exits 2 for a revision that does not exist, and passes with no test files at all', async () => {
    const { dir } = await memoryRepo();
    expect(reverie(['test', '--repo', dir, '--ref', 'no-such-branch']).code).toBe(2);
    await commitFiles(dir, { '.reverie/tests/memory.yaml': null }, 'no tests');
    const empty = reverie(['test', '--repo', dir]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no test files');
  });
});

describe('reverie init writes a starter test file', () => {
  async function tempDir(): Promise<string> {
    const dir = await makeTempDir();
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('that passes on a fresh memory repo, with no rules yet', async () => {
    const dir = path.join(await tempDir(), 'agent-memory');
    const init = reverie(['init', dir]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('created     .reverie/tests/memory.yaml');
    expect(git(dir, ['ls-files'])).toContain('.reverie/tests/memory.yaml');
    const run = reverieJson<TestJson>(['test', '--repo', dir]);
    expect(run).toMatchObject({ code: 0, files: ['.reverie/tests/memory.yaml'], failed: 0 });
  });

  it('from the rules of the memory already there, which pass until a commit removes one', async () => {
    const dir = await tempDir();
    git(dir, ['init', '-q', '-b', 'main']);
    await mkdir(path.join(dir, 'memory'), { recursive: true });
    writeFileSync(path.join(dir, 'memory/notes.md'), '# Notes\n\n- Never run npm install; the lockfile is pnpm\'s.\n- Always run prettier before committing.\n- The staging database is reset every Monday.\n');
    const init = reverie(['init', dir]);
    expect(init.code, init.stderr).toBe(0);
    const starter = readFileSync(path.join(dir, '.reverie/tests/memory.yaml'), 'utf8');
    expect(starter).toContain('- install');
    expect(starter).toContain('- prettier');
    expect(starter).not.toContain('staging');
    // A repository that had commits before: init leaves the committing to its owner.
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'memory and reverie']);
    expect(reverieJson<TestJson>(['test', '--repo', dir])).toMatchObject({ code: 0, passed: 2, failed: 0 });

    await commitFiles(dir, { 'memory/notes.md': '# Notes\n\n- Never run npm install; the lockfile is pnpm\'s.\n- The staging database is reset every Monday.\n' }, 'drop the prettier rule');
    const after = reverieJson<TestJson>(['test', '--repo', dir]);
    expect(after).toMatchObject({ code: 1, passed: 1, failed: 1 });
    expect(reverie(['test', '--repo', dir, '--ref', 'HEAD~1']).code).toBe(0);
  });

  it('and never overwrites one that is there, even with --force', async () => {
    const { dir } = await memoryRepo();
    const init = reverie(['init', dir, '--force']);
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(path.join(dir, '.reverie/tests/memory.yaml'), 'utf8')).toBe(CASES);
    expect(existsSync(path.join(dir, '.reverie/tests/memory.yaml'))).toBe(true);
  });
});
