/**
 * Every input accounted for, as a user meets it from the command line: a configuration that is hostile or wrong,
 * a mistyped flag, memory files that are not text or not files, session files that are not read. Each is refused
 * or named, with the file and line or key, and none of them changes the repository.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reverie } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { git, makeMemoryRepo, type Files } from '../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const NOTES = '# Notes\n\n## Tools\n\n- Install dependencies with `pnpm install`.\n';

async function repoWith(files: Files = {}): Promise<string> {
  const repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': NOTES, ...files });
  cleanups.push(repo.cleanup);
  return repo.dir;
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
