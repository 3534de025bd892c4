/**
 * Every input accounted for, as a user meets it from the command line: a configuration that is hostile or wrong,
 * a mistyped flag, memory files that are not text or not files, session files that are not read. Each is refused
 * or named, with the file and line or key, and none of them changes the repository.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { git, makeMemoryRepo, makeTempDir, type Files } from '../helpers/git.js';
import { npmMistakeSession } from '../helpers/transcript.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const NOTES = '# Notes\n\n## Tools\n\n- Install dependencies with `npm install`.\n';

/** Two sessions where `npm install` fails and `pnpm install` works: a cycle updates the note above. */
const SESSIONS: Files = {
  'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
  'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
};

async function repoWith(files: Files = {}): Promise<string> {
  const repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': NOTES, ...files });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

/** Writes `bytes` to `file` in the repository and commits it with native git, as a person's editor would. */
function commitBytes(dir: string, file: string, bytes: Buffer, message = 'edit'): string {
  writeFileSync(path.join(dir, file), bytes);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/** What a test asserts of a refusal: main where it was and no cycle branch left behind. */
function expectUntouched(dir: string, main: string): void {
  expect(git(dir, ['rev-parse', 'main'])).toBe(main);
  expect(git(dir, ['branch', '--list', 'reverie/*'])).toBe('');
  expect(git(dir, ['status', '--porcelain'])).toBe('');
}

describe('reverie.yaml: every mistake exits 2 with the file and line, never a stack trace', () => {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [i, name] of [...'bcdefghi'].entries()) laughs.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`);

  it.each(['dream', 'status', 'lint', 'sessions'])('a YAML alias bomb stops `reverie %s` with exit 2 at the line where it grows', async (command) => {
    const dir = await repoWith({ 'reverie.yaml': `${laughs.join('\n')}\n` });
    const main = git(dir, ['rev-parse', 'main']);
    const result = reverie([command, '--repo', dir]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/reverie\.yaml:4: invalid YAML: aliases expand too far/);
    expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expectUntouched(dir, main);
  });

  it('a line break in git.author.name is refused before any commit is written', async () => {
    const config = `${TEST_CONFIG}git:\n  author:\n    name: "reverie\\nparent 0000000000000000000000000000000000000000"\n`;
    const dir = await repoWith({ 'reverie.yaml': config });
    const main = git(dir, ['rev-parse', 'main']);
    const result = reverie(['dream', '--repo', dir]);
    expect(result.code).toBe(2);
    const line = config.split('\n').findIndex((l) => l.includes('name: "reverie')) + 1;
    expect(result.stderr).toContain(`reverie.yaml:${line} (git.author.name): must be one line without control characters or angle brackets`);
    expectUntouched(dir, main);
    git(dir, ['fsck', '--full', '--no-dangling']);
  });

  it('a reverie.yaml that is not UTF-8 is refused at the line of its first bad bytes, in the working tree and at a commit', async () => {
    const dir = await repoWith();
    const latin1 = Buffer.concat([Buffer.from(`${TEST_CONFIG}git:\n  author:\n    name: Jos`), Buffer.from([0xe9]), Buffer.from('\n')]);
    commitBytes(dir, 'reverie.yaml', latin1, 'config from a Latin-1 editor');
    const line = TEST_CONFIG.split('\n').length + 2;
    const here = reverie(['lint', '--repo', dir]);
    expect(here.code).toBe(2);
    expect(here.stderr).toContain(`reverie.yaml:${line}: not UTF-8 text`);
    const atMain = reverie(['lint', '--repo', dir, '--ref', 'main']);
    expect(atMain.code).toBe(2);
    expect(atMain.stderr).toContain(`main:reverie.yaml:${line}: not UTF-8 text`);
  });
});

describe('usage errors exit 2 on every command', () => {
  it.each([
    [['dream', '--no-such-flag']],
    [['status', '--no-such-flag']],
    [['sessions', '--no-such-flag']],
    [['log', '--no-such-flag']],
    [['approve']],
    [['why']],
    [['dream', 'extra']],
    [['lint', '--harness', 'vim']],
    [['no-such-command']],
    [[]],
  ])('reverie %j exits 2 with commander’s message on stderr and nothing on stdout', (args) => {
    // Refused while the arguments are parsed, before any repository is looked at.
    const result = reverie([...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/error: |Usage: reverie/);
  });

  it('help and version still exit 0, on stdout', () => {
    for (const args of [['--help'], ['help'], ['dream', '--help'], ['--version']]) {
      const result = reverie(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout.length).toBeGreaterThan(0);
    }
  });

  it('a key pasted after a mistyped flag is masked in the error message', () => {
    const key = `sk-ant-api03-${'Q7x9Lm2Pz4'.repeat(8)}`;
    const result = reverie(['dream', `--api-key=${key}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option');
    expect(result.stderr).not.toContain('Q7x9Lm2Pz4Q7x9');
  });
});

describe('a memory file that is not UTF-8 is refused, named, and left as it is', () => {
  /** The note a cycle would update, then a line a Latin-1 editor saved: "Café" with the single byte 0xE9. */
  const LATIN1 = Buffer.concat([Buffer.from(NOTES), Buffer.from('- The caf'), Buffer.from([0xe9]), Buffer.from(' opens at 9.\n')]);
  const line = NOTES.split('\n').length;

  it('dream stops before writing anything, naming the file and line; lint, check and status name it too', async () => {
    const dir = await repoWith(SESSIONS);
    const main = commitBytes(dir, 'memory/notes.md', LATIN1, 'notes from a Latin-1 editor');

    for (const mode of ['auto', 'review', 'dry-run']) {
      const dream = reverie(['dream', '--repo', dir, '--mode', mode]);
      expect(dream.code, dream.stderr).toBe(6);
      expect(dream.stderr).toContain(`memory/notes.md: is not UTF-8 text (line ${line})`);
      expectUntouched(dir, main);
    }
    expect(readFileSync(path.join(dir, 'memory/notes.md'))).toEqual(LATIN1);
    expect(git(dir, ['ls-tree', '-r', '--name-only', 'main'])).not.toContain('.reverie/');

    const lint = reverieJson<{ findings: { file: string; line: number | null; rule: string; severity: string }[] }>(['lint', '--repo', dir]);
    expect(lint.code).toBe(1);
    expect(lint.findings).toContainEqual(expect.objectContaining({ file: 'memory/notes.md', line, rule: 'format/unreadable', severity: 'error' }));
    const atMain = reverieJson<{ errors: number }>(['lint', '--repo', dir, '--ref', 'main']);
    expect(atMain).toMatchObject({ code: 1, errors: 1 });
    const check = reverieJson<{ ok: boolean; lint: { findings: { file: string; rule: string }[] } }>(['check', '--repo', dir, '--base', 'HEAD~1'], { env: { GITHUB_STEP_SUMMARY: '' } });
    expect(check.code).toBe(1);
    expect(check.lint.findings).toContainEqual(expect.objectContaining({ file: 'memory/notes.md', rule: 'format/unreadable' }));
    const status = reverieJson<{ memory_warnings: { file: string; line: number | null; message: string }[] }>(['status', '--repo', dir]);
    expect(status.code).toBe(0);
    expect(status.memory_warnings).toEqual([expect.objectContaining({ file: 'memory/notes.md', line, message: expect.stringContaining('not UTF-8') })]);
  });

  it('a cycle waiting for review drops, on approval, an action on a file that main has since made not UTF-8', async () => {
    const dir = await repoWith(SESSIONS);
    const cycle = reverieJson<{ cycle: string; actions: { paths: string[] }[] }>(['dream', '--repo', dir, '--mode', 'review']);
    expect(cycle.actions.some((a) => a.paths.includes('memory/notes.md'))).toBe(true);
    commitBytes(dir, 'memory/notes.md', LATIN1, 'notes from a Latin-1 editor');

    const approved = reverieJson<{ dropped: { reason: string }[] }>(['approve', cycle.cycle, '--repo', dir]);
    expect(approved.code).toBe(0);
    expect(approved.dropped).toContainEqual(expect.objectContaining({ reason: expect.stringContaining('memory/notes.md: is not UTF-8 text') }));
    expect(execFileSync('git', ['cat-file', 'blob', 'main:memory/notes.md'], { cwd: dir })).toEqual(LATIN1);
    expect(readFileSync(path.join(dir, 'memory/notes.md'))).toEqual(LATIN1);
  });
});

describe('a symbolic link in memory is never followed, and every command names it', () => {
  it('dream, status, lint (working tree and commit) and check report a link out of the repository, and never read it', async () => {
    // Outside the repository: a file whose secret lint would find, were the link followed.
    const outside = await makeTempDir();
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    writeFileSync(path.join(outside, 'secrets.md'), `# Secrets\n\n- deploy token ghp_${'a1B2c3D4e5'.repeat(4)}\n`);
    const dir = await repoWith(SESSIONS);
    symlinkSync(path.join(outside, 'secrets.md'), path.join(dir, 'memory/secrets.md'));
    symlinkSync('notes.md', path.join(dir, 'memory/alias.md'));
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'links']);
    const main = git(dir, ['rev-parse', 'main']);

    const links = [
      { file: 'memory/alias.md', severity: 'warning', message: 'a symbolic link to "notes.md": reverie never follows it' },
      { file: 'memory/secrets.md', severity: 'error', message: `a symbolic link to "${path.join(outside, 'secrets.md')}", outside the repository` },
    ];
    type LintJson = { files: number; findings: { file: string; rule: string; severity: string; message: string }[] };
    for (const args of [['lint'], ['lint', '--ref', 'main']]) {
      const lint = reverieJson<LintJson>([...args, '--repo', dir]);
      expect(lint.code, args.join(' ')).toBe(1);
      expect(lint.files).toBe(1);
      expect(lint.findings.map((f) => f.rule)).toEqual(['format/symlink', 'format/symlink']);
      for (const link of links) expect(lint.findings).toContainEqual(expect.objectContaining({ ...link, message: expect.stringContaining(link.message) }));
    }
    const check = reverieJson<{ lint: LintJson }>(['check', '--repo', dir, '--base', 'HEAD~1'], { env: { GITHUB_STEP_SUMMARY: '' } });
    expect(check.code).toBe(1);
    expect(check.lint.findings.map((f) => `${f.file} ${f.rule}`)).toEqual(['memory/alias.md format/symlink', 'memory/secrets.md format/symlink']);

    const status = reverieJson<{ memory_warnings: { file: string; message: string }[] }>(['status', '--repo', dir]);
    expect(status.memory_warnings.map((w) => w.file)).toEqual(['memory/alias.md', 'memory/secrets.md']);

    const dream = reverieJson<{ warnings: { file: string; message: string }[]; stats: { warnings: number }; actions: { paths: string[] }[] }>(['dream', '--repo', dir]);
    expect(dream.code).toBe(0);
    for (const link of links) expect(dream.warnings).toContainEqual(expect.objectContaining({ file: link.file, message: expect.stringContaining(link.message) }));
    expect(dream.stats.warnings).toBe(dream.warnings.length);
    expect(dream.actions.flatMap((a) => a.paths)).not.toContain('memory/secrets.md');
    expect(git(dir, ['rev-parse', 'main'])).not.toBe(main);
    expect(readFileSync(path.join(outside, 'secrets.md'), 'utf8')).toContain('deploy token');
    expect(git(dir, ['log', '-p', 'main'])).not.toContain('a1B2c3D4e5a1B2');
  });
});

describe('approve never writes through a link put in the working tree', () => {
  it('a memory folder, or one file, replaced by a link out of the repository: approve stops, names them, and nothing outside changes', async () => {
    const outside = await makeTempDir();
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    const dir = await repoWith(SESSIONS);
    const cycle = reverieJson<{ cycle: string; actions: unknown[] }>(['dream', '--mode', 'review', '--repo', dir]);
    expect(cycle.actions.length).toBeGreaterThan(0);
    const main = git(dir, ['rev-parse', 'main']);
    const outsideNotes = path.join(outside, 'notes.md');

    // One file: the link has the same text as the file it replaced.
    writeFileSync(outsideNotes, NOTES);
    rmSync(path.join(dir, 'memory/notes.md'));
    symlinkSync(outsideNotes, path.join(dir, 'memory/notes.md'));
    const file = reverie(['approve', cycle.cycle, '--repo', dir]);
    expect(file.code, file.stderr).toBe(4);
    expect(file.stderr).toContain('memory/notes.md has uncommitted changes');
    expect(readFileSync(outsideNotes, 'utf8')).toBe(NOTES);

    // The whole folder.
    rmSync(path.join(dir, 'memory'), { recursive: true });
    symlinkSync(outside, path.join(dir, 'memory'));
    const folder = reverie(['approve', cycle.cycle, '--repo', dir]);
    expect(folder.code, folder.stderr).toBe(4);
    expect(folder.stderr).toContain('memory/notes.md');
    expect(readFileSync(outsideNotes, 'utf8')).toBe(NOTES);
    expect(readdirSync(outside)).toEqual(['notes.md']);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
  });
});

describe('reverie init never writes through a symbolic link', () => {
  it('a memory folder that is a link out of the new repository gets nothing written into it, and the notes say why', async () => {
    const [dir, outside] = [await makeTempDir(), await makeTempDir()];
    cleanups.push(() => rm(dir, { recursive: true, force: true }), () => rm(outside, { recursive: true, force: true }));
    symlinkSync(outside, path.join(dir, 'memory'));
    const init = reverieJson<{ created: string[]; notes: string[] }>(['init', dir, '--force']);
    expect(init.code).toBe(0);
    expect(readdirSync(outside)).toEqual([]);
    // The starter memory tests live in the repository itself, not in the memory folder the link leads out to.
    expect(init.created).toEqual(['reverie.yaml', 'sessions/README.md', '.reverie/tests/memory.yaml']);
    expect(init.notes).toContain('memory/notes.md was not written: memory is a symbolic link, and reverie never writes through one');
  });
});

describe('every file under a sessions path is read or named with the reason', () => {
  it('a link out of the folder, a file in no known format, another extension and a first line over 8 MB: named by sessions, dream and status', async () => {
    const outside = await makeTempDir();
    cleanups.push(() => rm(outside, { recursive: true, force: true }));
    writeFileSync(path.join(outside, 'other.jsonl'), npmMistakeSession('elsewhere', '2026-11-04T09:00:00Z'));
    const huge = `{"type":"user","pad":"${'x'.repeat(8 * 1024 * 1024 + 10)}"}\n`;
    const dir = await repoWith({
      ...SESSIONS,
      'sessions/README.md': '# Sessions\n\nOne folder per agent.\n',
      'sessions/coding-agent/export.json': '{ "name": "not a conversation" }\n',
      'sessions/coding-agent/notes.txt': 'export the rest on Monday\n',
      'sessions/coding-agent/huge.jsonl': huge,
    });
    symlinkSync(path.join(outside, 'other.jsonl'), path.join(dir, 'sessions/coding-agent/linked.jsonl'));
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'more logs']);

    const warned = [
      { file: 'sessions/coding-agent/huge.jsonl', line: 1, message: expect.stringMatching(/^no line to tell the format by: line 1 is longer than 8388608 bytes/) },
      { file: 'sessions/coding-agent/linked.jsonl', message: 'a symbolic link out of sessions; not followed' },
      { file: 'sessions/coding-agent/notes.txt', message: expect.stringMatching(/^not a session log by its extension \(\.txt/) },
      { file: 'sessions/coding-agent/export.json', message: expect.stringMatching(/^unrecognised session log format/) },
    ];
    const unread = ['sessions/README.md', 'sessions/coding-agent/export.json', 'sessions/coding-agent/huge.jsonl', 'sessions/coding-agent/linked.jsonl', 'sessions/coding-agent/notes.txt'];

    type Listed = { files: number; sessions: { source: string }[]; warnings: { file: string; line?: number; message: string }[]; unread: { file: string; reason: string }[] };
    const listed = reverieJson<Listed>(['sessions', '--repo', dir]);
    expect(listed.code).toBe(0);
    expect(listed.files).toBe(2);
    expect(listed.sessions.map((s) => s.source)).toEqual(['sessions/coding-agent/s1.jsonl', 'sessions/review-agent/s2.jsonl']);
    for (const warning of warned) expect(listed.warnings).toContainEqual(expect.objectContaining(warning));
    expect(listed.warnings).toHaveLength(warned.length);
    expect(listed.unread.map((u) => u.file).sort()).toEqual(unread);
    const human = reverie(['sessions', '--repo', dir]);
    expect(human.stdout).toContain('not read sessions/README.md: unrecognised session log format');
    expect(human.stdout).toContain('2 sessions in 2 log files, 4 warnings, 5 files not read');

    const status = reverieJson<{ warnings: number; unread_files: number }>(['status', '--repo', dir]);
    expect(status).toMatchObject({ warnings: 4, unread_files: 5 });

    type Dreamed = { warnings: { file: string }[]; unread: { file: string }[]; stats: { sessions: number; warnings: number; unread_files: number } };
    const dream = reverieJson<Dreamed>(['dream', '--repo', dir, '--mode', 'review']);
    expect(dream.code).toBe(0);
    expect(dream.stats).toMatchObject({ sessions: 2, warnings: 4, unread_files: 5 });
    expect(dream.warnings.map((w) => w.file).sort()).toEqual(warned.map((w) => w.file).sort());
    expect(dream.unread.map((u) => u.file).sort()).toEqual(unread);
    const report = reverie(['dream', '--repo', dir, '--mode', 'dry-run']);
    expect(report.stdout).toContain('5 files under the sessions paths not read');
    expect(report.stderr).toContain('warning: sessions/coding-agent/linked.jsonl: a symbolic link out of sessions; not followed');
  });
});
