import { existsSync } from 'node:fs';
import { appendFile, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dream } from '../../src/index.js';
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
