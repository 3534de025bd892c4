import { existsSync, readFileSync } from 'node:fs';
import { appendFile, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dream } from '../../src/index.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG as CONFIG } from '../helpers/config.js';
import { commitFiles, git, makeTempDir, writeFiles } from '../helpers/git.js';
import { npmMistakeSession } from '../helpers/transcript.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const hourAgo = () => new Date(Date.now() - 3600_000);

async function repoWithCycle(): Promise<string> {
  const dir = await makeTempDir();
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const logs = { 'sessions/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'), 'sessions/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z') };
  await writeFiles(dir, { 'reverie.yaml': CONFIG, 'memory/notes.md': '# Notes\n', ...logs });
  for (const log of Object.keys(logs)) await utimes(path.join(dir, log), hourAgo(), hourAgo());
  git(dir, ['init', '-q', '-b', 'main']);
  await commitFiles(dir, {});
  expect((await dream({ repoDir: dir, now: new Date('2026-11-24T12:00:00Z') })).outcome).toBe('committed');
  return dir;
}

describe('a quiet run', () => {
  it('reports what the last run with nothing to do reported, and runs whole again once a log, the memory or the config changes', async () => {
    const dir = await repoWithCycle();
    const quiet = path.join(dir, '.git', 'reverie', 'quiet.json');
    const now = new Date('2026-11-25T12:00:00Z');

    const first = await dream({ repoDir: dir, now });
    expect(first.outcome).toBe('nothing-new');
    expect(existsSync(quiet)).toBe(true);
    // Nothing is read again: a phase of the cycle would have been reported.
    const phases: string[] = [];
    const second = await dream({ repoDir: dir, now, onPhase: (report) => phases.push(report.phase) });
    expect(phases).toEqual([]);
    expect(second).toEqual(first);

    // A new log: read, and the cycle runs.
    await writeFiles(dir, { 'sessions/s3.jsonl': npmMistakeSession('s3', '2026-11-04T09:00:00Z') });
    await utimes(path.join(dir, 'sessions/s3.jsonl'), hourAgo(), hourAgo());
    const withNew = await dream({ repoDir: dir, now, onPhase: (report) => phases.push(report.phase) });
    expect(phases).toContain('review');
    expect(withNew.stats.sessions).toBe(3);

    // A log changed in place, its time set back: its change time still tells.
    await dream({ repoDir: dir, now });
    phases.length = 0;
    await appendFile(path.join(dir, 'sessions/s1.jsonl'), '\n');
    await utimes(path.join(dir, 'sessions/s1.jsonl'), hourAgo(), hourAgo());
    await dream({ repoDir: dir, now, onPhase: (report) => phases.push(report.phase) });
    expect(phases).toContain('review');

    // A person's edit to the memory moves main: the run reads it.
    phases.length = 0;
    await commitFiles(dir, { 'memory/notes.md': '# Notes\n\n- Run `pnpm install`, never `npm install`.\n- Run `pnpm install`, never `npm install`.\n' });
    await dream({ repoDir: dir, now, onPhase: (report) => phases.push(report.phase) });
    expect(phases).toContain('curate');

    // Another configuration: the same.
    phases.length = 0;
    await dream({ repoDir: dir, now });
    await commitFiles(dir, { 'reverie.yaml': CONFIG.replace('min_sessions: 2', 'min_sessions: 3') });
    await dream({ repoDir: dir, now, onPhase: (report) => phases.push(report.phase) });
    expect(phases).toContain('curate');
  });

  it('is not trusted while a log is still being written, nor for a dry run', async () => {
    const dir = await repoWithCycle();
    const now = new Date('2026-11-25T12:00:00Z');
    await appendFile(path.join(dir, 'sessions/s2.jsonl'), '\n');
    const phases: string[] = [];
    await dream({ repoDir: dir, now });
    await dream({ repoDir: dir, now, onPhase: (report) => phases.push(report.phase) });
    expect(phases).toContain('review');
    phases.length = 0;
    await utimes(path.join(dir, 'sessions/s2.jsonl'), hourAgo(), hourAgo());
    await dream({ repoDir: dir, now });
    await dream({ repoDir: dir, now, mode: 'dry-run', onPhase: (report) => phases.push(report.phase) });
    expect(phases).toContain('review');
  });
});

/**
 * The command line answers a quiet night before it loads the cycle's code (cycle/quiet.ts, quietRun): it must answer
 * what the whole run would, and leave to the whole run every night that is not quiet.
 */
describe('a quiet run from the command line', () => {
  /** A repository whose last run found nothing to do, and recorded it. */
  async function quietRepo(): Promise<{ dir: string; quietJson: Record<string, unknown> }> {
    const dir = await repoWithCycle();
    const first = reverieJson(['dream'], { cwd: dir });
    expect(first.outcome).toBe('nothing-new');
    expect(existsSync(path.join(dir, '.git', 'reverie', 'quiet.json'))).toBe(true);
    return { dir, quietJson: first };
  }

  it('answers as the whole run did', async () => {
    const { dir, quietJson } = await quietRepo();
    expect(reverieJson(['dream'], { cwd: dir })).toEqual(quietJson);
    expect(reverieJson(['dream', '--mode', 'review'], { cwd: dir })).toEqual({ ...quietJson, mode: 'review' });
  });

  /** What a command run through the built command line loads: the modules its bundle's chunks say they hold. */
  async function bundledSources(dir: string, args: string[]): Promise<{ result: Record<string, unknown>; holds: (source: string) => boolean }> {
    const log = path.join(dir, '.git', 'modules.txt');
    await rm(log, { force: true });
    const hook = pathToFileURL(path.resolve('test/helpers/module-log.mjs')).href;
    const result = reverieJson(args, { cwd: dir, env: { REVERIE_MODULE_LOG: log, NODE_OPTIONS: `--import ${hook}` } });
    // The bundle names each module it holds in a comment (scripts/build-cli.ts does not minify).
    const loaded = (await readFile(log, 'utf8')).trim().split('\n').map((url) => readFileSync(new URL(url), 'utf8'));
    return { result, holds: (source) => loaded.some((text) => text.includes(`\n// ${source}`)) };
  }

  it('loads neither the YAML parser, the search index, nor the session readers', async () => {
    const { dir } = await quietRepo();
    const quiet = await bundledSources(dir, ['dream']);
    expect(quiet.result.outcome).toBe('nothing-new');
    expect(quiet.holds('src/cycle/quiet.ts')).toBe(true);
    for (const heavy of ['node_modules/yaml/', 'node_modules/minisearch/', 'node_modules/markdown-it/', 'src/sessions/load.ts', 'src/cycle/dream.ts']) {
      expect(quiet.holds(heavy), heavy).toBe(false);
    }

    // A whole cycle loads what it reads with, but no YAML parser and no search index while there is no memory test file.
    const extra = path.join(dir, 'sessions/s3.jsonl');
    await writeFile(extra, npmMistakeSession('s3', '2026-11-04T09:00:00Z'));
    await utimes(extra, hourAgo(), hourAgo());
    const whole = await bundledSources(dir, ['dream']);
    expect(whole.result.stats).toMatchObject({ sessions: 3 });
    expect(whole.holds('src/cycle/dream.ts')).toBe(true);
    expect(whole.holds('node_modules/yaml/')).toBe(false);
    expect(whole.holds('node_modules/minisearch/')).toBe(false);
    expect(whole.holds('node_modules/isomorphic-git/http/node/index.js')).toBe(false);
  });

  it('leaves to the whole run what an interrupted run left: a temporary file, a cycle branch already merged', async () => {
    const { dir } = await quietRepo();
    // A process id no process has (above Linux's pid_max, 2^22).
    await writeFile(path.join(dir, '.git', 'reverie', 'tmp_reverie_9999999_quiet'), 'half-written');
    const afterCrash = reverieJson<{ repaired: string[] }>(['dream'], { cwd: dir });
    expect(afterCrash.repaired).toEqual(['removed 1 temporary file(s) of writes an interrupted run did not finish']);

    git(dir, ['branch', 'reverie/20261101-000000']);
    const withMerged = reverieJson<{ repaired: string[] }>(['dream'], { cwd: dir });
    expect(withMerged.repaired).toEqual(['deleted reverie/20261101-000000: already merged into main']);
    expect(git(dir, ['branch', '--list', 'reverie/*'])).toBe('');
  });

  it('leaves to the whole run a cycle waiting for review, a dry run, and a lock another run holds', async () => {
    const { dir } = await quietRepo();
    // A cycle made of a log that is gone again: the logs are as the record has them, but the cycle waits.
    const extra = path.join(dir, 'sessions/s3.jsonl');
    await writeFile(extra, npmMistakeSession('s3', '2026-11-04T09:00:00Z'));
    await utimes(extra, hourAgo(), hourAgo());
    expect(reverieJson(['dream', '--mode', 'review'], { cwd: dir }).outcome).toBe('committed');
    await rm(extra);
    expect(reverieJson(['dream'], { cwd: dir }).outcome).toBe('pending-review');
    git(dir, ['branch', '-D', ...git(dir, ['branch', '--list', 'reverie/*', '--format=%(refname:short)']).split('\n')]);

    expect(reverieJson(['dream', '--dry-run'], { cwd: dir }).outcome).toBe('dry-run');

    const lock = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose: 'dream' };
    await writeFile(path.join(dir, '.git', 'reverie.lock'), JSON.stringify(lock));
    const locked = reverie(['dream', '--json'], { cwd: dir });
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toMatch(/lock/i);
  });
});
