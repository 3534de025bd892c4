/**
 * The command line after a crash: a `reverie dream` killed with SIGKILL while it works, then run again, leaves a
 * repository git finds sound and the memory an uninterrupted run makes; `reverie status` says what an interrupted
 * run left, and `reverie doctor` repairs it. (bench/chaos does the same at scale, at random kill moments.)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, reverie } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { recoverInterrupted } from '../../src/cycle/recover.js';
import { openRepo } from '../../src/git/repo.js';
import { commitFiles, git, makeMemoryRepo, makeTempDir, type Files } from '../helpers/git.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';
import { stateAt } from '../helpers/state.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function session(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [{ user: 'Write the release notes for 2.3.' }, { assistant: 'Here is a draft.' }, { user: sentence }, { assistant: 'Understood.' }]);
}

const FILES: Files = {
  'reverie.yaml': TEST_CONFIG,
  'memory/notes.md': '# Notes\n\n## Tools\n\n- Install dependencies with `npm install`.\n',
  'memory/instructions/CLAUDE.md': '# Instructions\n\n- Never push to main directly.\n',
  'sessions/a/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
  'sessions/b/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
  'sessions/a/s3.jsonl': session('s3', '2026-11-04T09:00:00Z', 'Always write dates in ISO 8601 format in release notes.'),
  'sessions/b/s4.jsonl': session('s4', '2026-11-05T09:00:00Z', 'no, release notes must always use ISO 8601 format for dates'),
};

async function repo(): Promise<string> {
  const made = await makeMemoryRepo(FILES);
  cleanups.push(made.cleanup);
  return made.dir;
}

/** main's files but the cycle's bookkeeping (its ids and times differ from run to run), and the sessions it processed. */
function memory(dir: string): string {
  const files = git(dir, ['ls-tree', '-r', 'main'])
    .split('\n')
    .filter((line) => !line.includes('\t.reverie/'))
    .join('\n');
  const processed = Object.keys(stateAt(dir, 'main').processed).sort();
  return `${files}\nprocessed: ${processed.join(', ')}`;
}

function killedAfter(dir: string, args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--repo', dir], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('after a crash', () => {
  it('a dream killed at any moment and run again leaves a sound repository and the memory of an uninterrupted run', async () => {
    const reference = await repo();
    expect(reverie(['dream', '--mode', 'auto', '--repo', reference]).code).toBe(0);
    const expected = memory(reference);
    for (const ms of [150, 350, 550, 800, 1100]) {
      const dir = await repo();
      await killedAfter(dir, ['dream', '--mode', 'auto'], ms);
      const again = reverie(['dream', '--mode', 'auto', '--repo', dir]);
      expect(again.code, `killed at ${ms} ms: ${again.stderr}`).toBe(0);
      expect(git(dir, ['fsck', '--full', '--no-dangling']), `killed at ${ms} ms`).toBe('');
      expect(memory(dir), `killed at ${ms} ms`).toBe(expected);
      expect(git(dir, ['status', '--porcelain']), `killed at ${ms} ms`).toBe('');
      const heads = await readdir(path.join(dir, '.git', 'refs', 'heads'));
      expect(heads.filter((name) => name.endsWith('.lock'))).toEqual([]);
    }
  });

  it('status names what an interrupted run left; doctor --check fails on it, doctor repairs it', async () => {
    const dir = await repo();
    // A ref lock as a killed reverie leaves it: its holder's pid, which no process has any more.
    const lock = path.join(dir, '.git', 'refs', 'heads', 'main.lock');
    const holder = { pid: 2 ** 22 + 12345, host: os.hostname(), started: '2026-12-01T00:00:00Z', purpose: 'update refs/heads/main' };
    await writeFile(lock, `reverie ref lock ${JSON.stringify(holder)}\n`);
    // And an object a killed write of an older version left empty.
    const broken = path.join(dir, '.git', 'objects', 'ab', 'cdef0123456789abcdef0123456789abcdef01');
    await mkdir(path.dirname(broken), { recursive: true });
    await writeFile(broken, '');

    const status = reverie(['status', '--repo', dir]);
    expect(status.stderr).toContain('needs repair: 1 ref lock(s) left by a reverie process that is gone (refs/heads/main.lock)');
    const check = reverie(['doctor', '--check', '--repo', dir]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('needs repair: object abcdef0123456789abcdef0123456789abcdef01 is broken');

    const doctor = reverie(['doctor', '--repo', dir]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('repaired: removed refs/heads/main.lock, left by a reverie process that is gone');
    expect(doctor.stdout).toContain('moved aside broken object abcdef0123456789abcdef0123456789abcdef01');
    expect(git(dir, ['fsck', '--full', '--no-dangling'])).toBe('');
    expect(reverie(['doctor', '--check', '--repo', dir]).stdout).toContain('nothing to repair');
    // What was moved aside is kept, not deleted.
    expect(await readdir(path.join(dir, '.git', 'reverie', 'broken-objects'))).toEqual(['abcdef0123456789abcdef0123456789abcdef01']);
  });

  it('a fast-forward killed while it writes the working tree leaves every file whole, and the next run brings them all', async () => {
    // The built library, in a process of its own that can be killed: the fast-forward of a checked-out main.
    const library = pathToDist('git/index.js');
    const child = `const { openRepo, fastForward } = await import(${JSON.stringify(library)});
      const [dir, to, from] = process.argv.slice(1);
      await fastForward(await openRepo(dir), { branch: 'main', to, expectedOld: from });`;
    const names = Array.from({ length: 40 }, (_, i) => `memory/f${i}.md`);
    let finished = 0;
    for (const delayMs of [0, 2, 5, 10, 20, 40, 80, 160]) {
      const dir = await makeTempDir();
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      git(dir, ['init', '-q', '-b', 'main']);
      const from = await commitFiles(dir, Object.fromEntries(names.map((name, i) => [name, `- old ${i}\n`.repeat(20_000)])), 'old');
      git(dir, ['checkout', '-q', '-b', 'next']);
      const to = await commitFiles(dir, Object.fromEntries(names.map((name, i) => [name, `- new ${i}\n`.repeat(25_000)])), 'new');
      git(dir, ['checkout', '-q', 'main']);
      // Killed once the journal says the files are being brought along, then a little later each time.
      const journal = path.join(dir, '.git', 'reverie', 'checkout.json');
      await new Promise<void>((resolve) => {
        const run = spawn(process.execPath, ['--input-type=module', '-e', child, dir, to, from], { stdio: 'ignore' });
        const poll = setInterval(() => {
          if (!existsSync(journal)) return;
          clearInterval(poll);
          setTimeout(() => run.kill('SIGKILL'), delayMs);
        }, 1);
        run.on('exit', () => {
          clearInterval(poll);
          resolve();
        });
      });
      const repairs = await recoverInterrupted(await openRepo(dir), 'main');
      if (repairs.lines.some((line) => line.startsWith('brought'))) finished++;
      expect(repairs.lines.join('\n'), `killed ${delayMs} ms into the checkout`).not.toContain('left as they are');
      expect(git(dir, ['status', '--porcelain']), `killed ${delayMs} ms into the checkout`).toBe('');
      // Killed before main moved, the files stay as they were; after, they are all the new ones.
      expect(await readFile(path.join(dir, 'memory/f7.md'), 'utf8')).toBe(`${git(dir, ['show', 'main:memory/f7.md'])}\n`);
    }
    // Not a test of nothing: some of the kills fell while the files were being written.
    expect(finished).toBeGreaterThan(0);
  });
});

function pathToDist(module: string): string {
  return fileURLToPath(new URL(`../../dist/${module}`, import.meta.url));
}
