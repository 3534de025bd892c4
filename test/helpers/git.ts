/**
 * Fixtures for tests that need a real repository: native `git` builds them (and cross-checks results), so a
 * test never trusts the code under test to set up its own world.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, realpath, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Files to write: path (`/`-separated, relative) → text, or null to delete. */
export type Files = Record<string, string | null>;

/**
 * Runs native git in `dir` with a fixed identity and no user or system config (so a developer's
 * `commit.gpgsign` or hooks path cannot leak in). Returns stdout without the final newline.
 * `env` adds variables, e.g. `{ GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' }`.
 */
export function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  const out = execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      ...env,
    },
  });
  return out.replace(/\n$/, '');
}

/**
 * Writes (or, for null, deletes) files under `dir` in the order given, creating folders as needed and, like
 * git, removing folders a deletion leaves empty.
 */
export async function writeFiles(dir: string, files: Files): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(dir, file);
    if (text === null) {
      await rm(full, { force: true });
      await removeEmptyFolders(dir, path.dirname(file));
    } else {
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
    }
  }
}

async function removeEmptyFolders(dir: string, folder: string): Promise<void> {
  for (let f = folder; f !== '.'; f = path.dirname(f)) {
    const left = await readdir(path.join(dir, f)).catch(() => ['(missing)']);
    if (left.length > 0) return;
    await rmdir(path.join(dir, f));
  }
}

/**
 * Writes `files` and commits everything with native git; returns the new commit's oid.
 * `date` (ISO or `@<seconds> +0000`) sets both author and committer time.
 */
export async function commitFiles(dir: string, files: Files, message = 'fixture', date?: string): Promise<string> {
  await writeFiles(dir, files);
  const env: Record<string, string> = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {};
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message], env);
  return git(dir, ['rev-parse', 'HEAD']);
}

export interface TempRepo {
  dir: string;
  /** The first commit, or undefined when no files were given (HEAD is then unborn). */
  head: string | undefined;
  /** Deletes the repository. */
  cleanup: () => Promise<void>;
}

/**
 * The message of an earlier cycle's action, with the trailers reverie writes: the entries such a commit brings
 * are a cycle's, which later cycles may merge and prune; what a plain commit brings is a person's.
 */
export function cycleMessage(path: string, cycle = '20261101-030000', action = 'add'): string {
  return [
    `${action}(${path}): notes from an earlier cycle`,
    '',
    'Seen in earlier sessions.',
    '',
    `Reverie-Cycle: ${cycle}`,
    `Reverie-Action: ${action}`,
    'Reverie-Action-Id: 0a1b2c3d',
    'Reverie-Evidence: none',
    'Reverie-Engine: heuristic',
  ].join('\n');
}

/** Writes `files` and commits them as an earlier cycle's action would have (see cycleMessage). */
export async function commitAsCycle(dir: string, files: Files, date?: string): Promise<string> {
  return commitFiles(dir, files, cycleMessage(Object.keys(files)[0] ?? 'memory'), date);
}

/**
 * A new repository in a temp dir, on branch main, with `files` committed when given; then `byCycle`, committed as
 * an earlier cycle's action (the notes reverie wrote, as opposed to what people wrote).
 */
export async function makeTempRepo(files?: Files, byCycle?: Files): Promise<TempRepo> {
  const dir = await makeTempDir();
  git(dir, ['init', '-q', '-b', 'main']);
  let head = files ? await commitFiles(dir, files, 'initial') : undefined;
  if (byCycle) head = await commitAsCycle(dir, byCycle);
  return { dir, head, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A memory repo as a team that has dreamed before has it: everything committed by a person, but the files of
 * `byCycle` (the inbox, `memory/notes.md`, by default), whose notes an earlier cycle wrote.
 */
export async function makeMemoryRepo(files: Files, byCycle: readonly string[] = ['memory/notes.md']): Promise<TempRepo> {
  const own = Object.fromEntries(Object.entries(files).filter(([path]) => !byCycle.includes(path)));
  const cycles = Object.fromEntries(Object.entries(files).filter(([path]) => byCycle.includes(path)));
  return makeTempRepo(own, Object.keys(cycles).length > 0 ? cycles : undefined);
}

/** An empty folder in the OS temp dir (realpath'd, so paths compare equal on macOS too). Caller removes it. */
export async function makeTempDir(prefix = 'reverie-test-'): Promise<string> {
  return realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
}
