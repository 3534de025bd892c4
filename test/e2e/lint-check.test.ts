import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LAYOUTS } from '../../src/cycle/skeleton.js';
import { CLI, reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { commitExample } from '../../src/demo/example.js';
import { commitFiles, git, makeTempDir, makeTempRepo, writeFiles } from '../helpers/git.js';
import { cp, rm } from 'node:fs/promises';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** So that a run of these tests inside GitHub Actions never writes to the real job summary. */
const NO_SUMMARY = { GITHUB_STEP_SUMMARY: '' };

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function memoryRepo(files: Record<string, string> = {}) {
  const repo = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': '# Notes\n\n- Use pnpm, never npm.\n', 'memory/instructions/style.md': '# Style\n\n- Named exports only.\n', ...files });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

interface LintJson {
  commit: string | null;
  harness: string;
  errors: number;
  warnings: number;
  findings: { file: string; line: number | null; rule: string; severity: string; message: string }[];
}

describe('reverie init', () => {
  for (const layout of LAYOUTS) {
    it(`--layout ${layout} --github writes the skeleton and the workflows, commits them, and a dry-run dream works on it`, async () => {
      const dir = path.join(await tempDir(), 'agent-memory');
      const init = reverie(['init', dir, '--layout', layout, '--github']);
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toContain('created     reverie.yaml');
      for (const file of ['reverie.yaml', '.github/workflows/reverie.yml', '.github/workflows/reverie-check.yml', '.github/workflows/reverie-review.yml', 'sessions/README.md']) {
        expect(existsSync(path.join(dir, file)), file).toBe(true);
      }
      expect(git(dir, ['status', '--porcelain'])).toBe('');
      expect(git(dir, ['ls-files'])).toContain('.github/workflows/reverie-check.yml');
      expect(git(dir, ['ls-files'])).toContain('.github/workflows/reverie-review.yml');
      expect(init.stdout).toContain('note: set `uses:` in .github/workflows/reverie.yml, reverie-check.yml and reverie-review.yml to the reverie action');

      const lint = reverie(['lint', '--repo', dir]);
      expect(lint.code, lint.stdout + lint.stderr).toBe(0);
      const dry = reverieJson<{ outcome: string; mode: string }>(['dream', '--repo', dir, '--mode', 'dry-run']);
      expect(dry).toMatchObject({ code: 0, outcome: 'dry-run', mode: 'dry-run' });
    });
  }

  it('never overwrites an existing file without --force, and says so', async () => {
    const dir = path.join(await tempDir(), 'agent-memory');
    expect(reverie(['init', dir]).code).toBe(0);
    writeFileSync(path.join(dir, 'reverie.yaml'), `${readFileSync(path.join(dir, 'reverie.yaml'), 'utf8')}# my edit\n`);

    const again = reverie(['init', dir, '--layout', 'wiki']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('kept        reverie.yaml (already there; --force replaces it)');
    expect(again.stdout).toContain('created     wiki/_index.md');
    expect(again.stdout).toMatch(/note: reverie.yaml was kept.*wiki layout/);
    expect(readFileSync(path.join(dir, 'reverie.yaml'), 'utf8')).toContain('# my edit');

    const forced = reverieJson<{ overwritten: string[] }>(['init', dir, '--layout', 'wiki', '--force']);
    expect(forced.overwritten).toEqual(expect.arrayContaining(['reverie.yaml', 'wiki/_index.md']));
    const config = readFileSync(path.join(dir, 'reverie.yaml'), 'utf8');
    expect(config).not.toContain('# my edit');
    expect(config).toContain('root: wiki');
  });

  it('--hooks installs a pre-commit hook that runs reverie lint, which blocks a commit adding a secret to memory', async () => {
    const dir = path.join(await tempDir(), 'agent-memory');
    const command = `"${process.execPath}" "${CLI}" lint`;
    const init = reverie(['init', dir, '--hooks', '--hook-command', command]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('hook        .git/hooks/pre-commit created');
    const hook = path.join(dir, '.git/hooks/pre-commit');
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))['simple-git-hooks']).toEqual({ 'pre-commit': command });
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toContain('node_modules/');

    const head = git(dir, ['rev-parse', 'HEAD']);
    await writeFiles(dir, { 'memory/notes.md': `${readFileSync(path.join(dir, 'memory/notes.md'), 'utf8')}\n- Deploy with token ghp_${'a1B2c3D4e5'.repeat(4)}\n` });
    git(dir, ['add', '-A']);
    const refused = commitOutcome(dir, 'notes: the deploy token');
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain('secrets/found');
    expect(refused.output).not.toContain('a1B2c3D4e5a1B2');
    expect(git(dir, ['rev-parse', 'HEAD'])).toBe(head);

    await writeFiles(dir, { 'memory/notes.md': '# Notes\n\n- Deploy with the token from the vault.\n' });
    git(dir, ['add', '-A']);
    expect(commitOutcome(dir, 'notes: where the token is')).toMatchObject({ ok: true });
    expect(git(dir, ['rev-parse', 'HEAD'])).not.toBe(head);
  });

  it('--hooks writes the hook where core.hooksPath points, as simple-git-hooks does, and keeps a different one without --force', async () => {
    const repo = await makeTempRepo({ 'README.md': '# agent\n' });
    cleanups.push(repo.cleanup);
    git(repo.dir, ['config', 'core.hooksPath', '.githooks']);
    const first = reverieJson<{ hook: { path: string; status: string } }>(['init', repo.dir, '--hooks']);
    expect(first.hook).toEqual({ path: '.githooks/pre-commit', command: 'reverie lint', status: 'created' });
    expect(readFileSync(path.join(repo.dir, '.githooks/pre-commit'), 'utf8')).toMatch(/SKIP_SIMPLE_GIT_HOOKS[\s\S]*\nreverie lint$/);
    expect(reverieJson<{ hook: { status: string } }>(['init', repo.dir, '--hooks']).hook.status).toBe('unchanged');
    const other = reverie(['init', repo.dir, '--hooks', '--hook-command', 'reverie lint --strict']);
    expect(other.stdout).toContain('kept (a different hook was there)');
    expect(reverieJson<{ hook: { status: string } }>(['init', repo.dir, '--hooks', '--hook-command', 'reverie lint --strict', '--force']).hook.status).toBe('overwritten');
    // Nothing it writes installs or runs a package by the name reverie: that name on npm is not this project's.
    const pkg = JSON.parse(readFileSync(path.join(repo.dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(Object.keys(pkg.devDependencies)).toEqual(['simple-git-hooks']);
    expect(readFileSync(path.join(repo.dir, '.githooks/pre-commit'), 'utf8')).not.toContain('npx');
  });

  it('--action and --owners go into the workflows and CODEOWNERS as given; a value that names no action or owner exits 2, naming the flag, and writes nothing', async () => {
    const dir = path.join(await tempDir(), 'agent-memory');
    const init = reverie(['init', dir, '--github', '--action', 'acme/reverie@v1.2.0', '--owners', '@acme/agent-owners,@octocat']);
    expect(init.code, init.stderr).toBe(0);
    for (const workflow of ['reverie.yml', 'reverie-check.yml', 'reverie-review.yml']) {
      const text = readFileSync(path.join(dir, '.github/workflows', workflow), 'utf8');
      expect(text, workflow).toContain('- uses: acme/reverie@v1.2.0\n');
      expect(text, workflow).not.toContain('<owner>');
      // Valid YAML, with actions/checkout pinned to a commit.
      const steps = Object.values((parse(text) as { jobs: Record<string, { steps: { uses: string }[] }> }).jobs).flatMap((job) => job.steps);
      expect(steps.map((step) => step.uses), workflow).toEqual([expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/), 'acme/reverie@v1.2.0']);
    }
    // The review workflow answers what a reviewer does on reverie's own pull requests, and nothing else.
    const review = parse(readFileSync(path.join(dir, '.github/workflows/reverie-review.yml'), 'utf8')) as { on: unknown; jobs: { respond: { if: string; steps: { with?: Record<string, unknown> }[] } } };
    expect(review.on).toEqual({ pull_request: { types: ['edited', 'closed'] }, issue_comment: { types: ['created'] } });
    expect(review.jobs.respond.if).toContain("startsWith(github.event.pull_request.head.ref, 'reverie/dream-')");
    expect(review.jobs.respond.if).toContain('github.event.issue.pull_request');
    expect(review.jobs.respond.steps[1]?.with).toMatchObject({ command: 'respond' });
    expect(readFileSync(path.join(dir, '.github/CODEOWNERS'), 'utf8')).toContain('/reverie.yaml @acme/agent-owners @octocat\n');
    expect(init.stdout).not.toContain('set `uses:`');

    const cases: [string[], RegExp][] = [
      [['--action', 'acme/reverie'], /^reverie: --action must be owner\/repo@ref or owner\/repo\/path@ref .*; got "acme\/reverie"$/m],
      [['--action', 'acme/reverie@v1\n        run: curl https://example.com/x | sh'], /--action must be .*; got "acme\/reverie@v1\\n {8}run: curl/],
      [['--action', ''], /--action must be .*; got ""$/m],
      [['--owners', 'acme/agent-owners'], /^reverie: --owners takes CODEOWNERS owners, @user, @org\/team or an email address, separated by spaces or commas; "acme\/agent-owners" is none of them$/m],
      [['--owners', '@acme/agents #everyone'], /--owners .*; "#everyone" is none of them/],
    ];
    for (const [flags, message] of cases) {
      const fresh = path.join(await tempDir(), 'agent-memory');
      const refused = reverie(['init', fresh, '--github', ...flags]);
      expect(refused.code, flags.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(existsSync(fresh), flags.join(' ')).toBe(false);
    }
  });
});

function commitOutcome(dir: string, message: string): { ok: boolean; output: string } {
  try {
    const output = git(dir, ['commit', '-q', '-m', message]);
    return { ok: true, output };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('reverie lint', () => {
  it('exits 0 on clean memory, 1 on errors with every finding in --json, 0 on warnings alone unless --strict', async () => {
    const dir = await memoryRepo();
    expect(reverie(['lint', '--repo', dir])).toMatchObject({ code: 0, stdout: expect.stringContaining('memory is clean: 2 memory files') });

    await writeFiles(dir, { 'memory/notes.md': '# Notes\n\n##\n\n- Use pnpm.\n' });
    expect(reverie(['lint', '--repo', dir]).code).toBe(0);
    const strict = reverieJson<LintJson>(['lint', '--repo', dir, '--strict']);
    expect(strict).toMatchObject({ code: 1, errors: 0, warnings: 1, findings: [{ file: 'memory/notes.md', line: 3, rule: 'format/empty-heading', severity: 'warning' }] });

    await writeFiles(dir, { 'memory/notes.md': '# Notes\n\n- Use pnpm.\n-\n- See [setup](setup.md).\n```\nunclosed\n' });
    const failed = reverieJson<LintJson>(['lint', '--repo', dir]);
    expect(failed.code).toBe(1);
    expect(failed.findings.map((f) => `${f.line} ${f.rule} ${f.severity}`)).toEqual(['4 format/empty-entry error', '5 links/missing-file error', '6 format/unclosed-fence error']);
    const human = reverie(['lint', '--repo', dir]);
    expect(human.stdout).toContain('memory/notes.md:5  error    links/missing-file');
    expect(human.stderr).toContain('lint found 3 errors, 0 warnings');
  });

  it('applies the limits of the harness it is told about', async () => {
    const dir = await memoryRepo({ 'memory/MEMORY.md': Array.from({ length: 250 }, (_, i) => `- [topic ${i}](notes.md)`).join('\n') + '\n' });
    expect(reverie(['lint', '--repo', dir]).code).toBe(0);
    const claude = reverieJson<LintJson>(['lint', '--repo', dir, '--harness', 'claude-code']);
    expect(claude).toMatchObject({ code: 1, findings: [{ file: 'memory/MEMORY.md', line: 201, rule: 'harness/cutoff' }] });
    // reverie.yaml's lint.harness applies to a plain `reverie lint` (the pre-commit hook); the flag still wins.
    const config = readFileSync(path.join(dir, 'reverie.yaml'), 'utf8');
    await writeFiles(dir, { 'reverie.yaml': `${config}lint:\n  harness: claude-code\n` });
    expect(reverieJson<LintJson>(['lint', '--repo', dir])).toMatchObject({ code: 1, harness: 'claude-code' });
    expect(reverieJson<LintJson>(['lint', '--repo', dir, '--harness', 'none'])).toMatchObject({ code: 0, harness: 'none' });
  });

  it('exits 2 on a usage or configuration mistake', async () => {
    const dir = await memoryRepo();
    expect(reverie(['lint', '--repo', dir, '--harness', 'vim']).code).toBe(2);
    expect(reverie(['lint', '--repo', dir, '--no-such-flag']).code).toBe(2);
    expect(reverie(['lint', '--repo', dir, '--ref', 'no-such-branch']).code).toBe(2);
    await writeFiles(dir, { 'reverie.yaml': 'memory:\n  rooot: memory\n' });
    const bad = reverie(['lint', '--repo', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "root"');
  });

  it('flags a dream commit that changed a protected file', async () => {
    const dir = await memoryRepo();
    const message = 'update(memory/instructions/style.md): relax\n\nReverie-Cycle: 20261101-000000\nReverie-Action: update\nReverie-Action-Id: abcd0001\nReverie-Engine: heuristic\n';
    const bad = await commitFiles(dir, { 'memory/instructions/style.md': '# Style\n\n- Default exports are fine.\n' }, message);
    const report = reverieJson<LintJson>(['lint', '--repo', dir]);
    expect(report).toMatchObject({ code: 1, findings: [{ file: 'memory/instructions/style.md', rule: 'protected/dream-commit', severity: 'error' }] });
    expect(report.findings[0]?.message).toContain(bad.slice(0, 7));
    expect(reverie(['lint', '--repo', dir, '--since', bad]).code).toBe(0);
  });
});

interface CheckJson {
  ok: boolean;
  base: string;
  head: string | null;
  namespaces: { namespace: string; added: number; changed: number; merged: number; pruned: number; unchanged: number; net_tokens: number; tokens_before: number; tokens_after: number }[];
  lint: LintJson;
}

describe('reverie check', () => {
  const main = [
    '# Notes',
    '',
    '- Use pnpm, never npm, in this repository.',
    '- The staging database listens on port 5433.',
    '- Run pnpm install before the tests.',
    '- Run the tests with pnpm test.',
    '- Deploys go out on Tuesdays after the standup.',
    '',
  ].join('\n');
  const branch = [
    '# Notes',
    '',
    '- Use pnpm, never npm, in this repository.',
    '- Run pnpm install, then the tests with pnpm test.',
    '- Deploys go out on Thursdays after the standup.',
    '- Never force-push to main.',
    '- Tag releases with a leading v.',
    '',
  ].join('\n');

  async function branchRepo() {
    const dir = await memoryRepo({ 'memory/notes.md': main });
    git(dir, ['checkout', '-q', '-b', 'reverie/dream-20261101-000000']);
    await commitFiles(dir, { 'memory/notes.md': branch }, 'curate notes');
    return dir;
  }

  it('on a branch that adds and prunes entries: prints the summary and appends it to GITHUB_STEP_SUMMARY', async () => {
    const dir = await branchRepo();
    const summary = path.join(await tempDir(), 'summary.md');
    writeFileSync(summary, '# earlier step\n\n');
    const run = reverie(['check', '--repo', dir], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('## reverie check');
    expect(run.stdout).toContain('✅ **0 errors, 0 warnings**');
    expect(run.stdout).toMatch(/\| notes \| dream \| 2 \| 1 \| 2 \| 1 \| 5 → 5 \| \d+ → \d+ \([+−±]\d+\) \| {2}\|/);
    expect(run.stdout).toContain('| instructions (unchanged) | protected | 0 | 0 | 0 | 0 | 1 → 1 |');
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n\n## reverie check')).toBe(true);
    expect(written).toContain(run.stdout.trim());

    const json = reverieJson<CheckJson>(['check', '--repo', dir], { env: NO_SUMMARY });
    expect(json).toMatchObject({ code: 0, ok: true, base: git(dir, ['rev-parse', 'main']), head: null });
    const notes = json.namespaces.find((n) => n.namespace === 'notes');
    expect(notes).toMatchObject({ added: 2, changed: 1, merged: 2, pruned: 1, unchanged: 1 });
    expect(notes!.net_tokens).toBe(notes!.tokens_after - notes!.tokens_before);
  });

  it('finds main the way a pull request checkout has it (origin/main only), and checks a commit with --head', async () => {
    const origin = await branchRepo();
    git(origin, ['checkout', '-q', 'main']);
    const clone = path.join(await tempDir(), 'clone');
    execFileSync('git', ['clone', '-q', origin, clone], { env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
    git(clone, ['checkout', '-q', '--detach', 'origin/reverie/dream-20261101-000000']);
    git(clone, ['branch', '-q', '-D', 'main']);
    const json = reverieJson<CheckJson>(['check', '--repo', clone], { env: NO_SUMMARY });
    expect(json).toMatchObject({ code: 0, base: git(origin, ['rev-parse', 'main']) });
    expect(json.namespaces.find((n) => n.namespace === 'notes')).toMatchObject({ added: 2, pruned: 1 });

    const head = git(origin, ['rev-parse', 'reverie/dream-20261101-000000']);
    const byRef = reverieJson<CheckJson>(['check', '--repo', origin, '--head', head, '--base', 'main'], { env: NO_SUMMARY });
    expect(byRef).toMatchObject({ code: 0, head });
    expect(byRef.namespaces.find((n) => n.namespace === 'notes')).toMatchObject({ added: 2, changed: 1, merged: 2, pruned: 1 });
  });

  it('on a real dream cycle branch: counts what its actions did, by their trailers', async () => {
    const dir = path.join(await tempDir(), 'example');
    await cp(path.join(path.dirname(CLI), '../../examples/memory-repo'), dir, { recursive: true });
    await commitExample(dir);
    const cycle = reverieJson<{ branch: string; actions: { type: string; paths: string[] }[] }>(['dream', '--repo', dir, '--mode', 'review']);
    expect(cycle.code).toBe(0);
    const of = (...types: string[]) => cycle.actions.filter((a) => types.includes(a.type)).length;
    expect(of('add') * of('update') * of('merge')).toBeGreaterThan(0);

    const json = reverieJson<CheckJson>(['check', '--repo', dir, '--head', cycle.branch], { env: NO_SUMMARY });
    expect(json).toMatchObject({ code: 0, ok: true, base: git(dir, ['rev-parse', 'main']) });
    const total = (key: 'added' | 'changed' | 'merged' | 'pruned') => json.namespaces.reduce((n, c) => n + c[key], 0);
    expect(total('added')).toBe(of('add'));
    expect(total('changed')).toBe(of('update', 'resolve'));
    expect(total('pruned')).toBe(of('prune'));
    expect(total('merged')).toBeGreaterThanOrEqual(of('merge'));
  });

  it('fails when the change brings a lint error, and lists it in the summary', async () => {
    const dir = await branchRepo();
    await commitFiles(dir, { 'memory/notes.md': `${branch}- The CI token is ghp_${'Zx9Yw8Vu7T'.repeat(4)}\n` }, 'oops');
    const run = reverie(['check', '--repo', dir], { env: NO_SUMMARY });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('❌ **1 error, 0 warnings**');
    expect(run.stdout).toContain('| error | secrets/found | memory/notes.md:8 |');
    expect(run.stdout).not.toContain('Zx9Yw8Vu7TZx9');
    expect(reverie(['check', '--repo', dir, '--base', 'nope'], { env: NO_SUMMARY }).code).toBe(2);
  });
});
