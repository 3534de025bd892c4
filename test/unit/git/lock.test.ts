import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError } from '../../../src/errors.js';
import { acquireLock, openRepo, type LockInfo } from '../../../src/git/index.js';
import { makeTempRepo } from '../../helpers/git.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempRepo() {
  const fixture = await makeTempRepo({ 'a.md': 'a\n' });
  cleanups.push(fixture.cleanup);
  const repo = await openRepo(fixture.dir);
  return { repo, file: path.join(repo.gitdir, 'reverie.lock') };
}

/** A real other process: alive until killed. */
async function otherProcess(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

function lockText(pid: number, purpose = 'dream cycle'): string {
  const info: LockInfo = { pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z', purpose };
  return JSON.stringify(info);
}

describe('acquireLock', () => {
  it('writes who holds the lock and removes it on release', async () => {
    const { repo, file } = await tempRepo();
    const release = await acquireLock(repo, { purpose: 'dream cycle' });
    const info = JSON.parse(await readFile(file, 'utf8')) as LockInfo;
    expect(info).toMatchObject({ pid: process.pid, host: os.hostname(), purpose: 'dream cycle' });
    expect(Date.parse(info.started)).not.toBeNaN();
    release();
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('lets exactly one of two concurrent acquirers in, and the other after release', async () => {
    const { repo } = await tempRepo();
    const results = await Promise.allSettled([
      acquireLock(repo, { purpose: 'first' }),
      acquireLock(repo, { purpose: 'second' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(LockedError);
    (won[0] as PromiseFulfilledResult<() => void>).value();
    const release = await acquireLock(repo, { purpose: 'third' });
    release();
  });

  it('refuses a lock held by a running process, saying who and how to clear it', async () => {
    const { repo, file } = await tempRepo();
    const other = await otherProcess();
    cleanups.push(other.stop);
    await writeFile(file, lockText(other.pid));
    const error = await acquireLock(repo, { purpose: 'mine' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    const message = (error as Error).message;
    expect(message).toContain(`pid ${other.pid}`);
    expect(message).toContain('2026-01-01T00:00:00.000Z');
    expect(message).toContain('dream cycle');
    expect(message).toContain(file);
    expect(await readFile(file, 'utf8')).toBe(lockText(other.pid));
  });

  it('takes over a lock left by a process that has exited', async () => {
    const { repo, file } = await tempRepo();
    const other = await otherProcess();
    await other.stop();
    await writeFile(file, lockText(other.pid));
    const release = await acquireLock(repo, { purpose: 'mine' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, purpose: 'mine' });
    release();
  });

  it('counts a lock from another host as held', async () => {
    const { repo, file } = await tempRepo();
    await writeFile(file, JSON.stringify({ pid: 1, host: `not-${os.hostname()}`, started: 'x', purpose: 'ci' }));
    await expect(acquireLock(repo, { purpose: 'mine' })).rejects.toBeInstanceOf(LockedError);
  });

  it('takes over an old unreadable lock file but not a fresh one', async () => {
    const { repo, file } = await tempRepo();
    await writeFile(file, '');
    await expect(acquireLock(repo, { purpose: 'mine' })).rejects.toThrow(/writing the lock file/);
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    const release = await acquireLock(repo, { purpose: 'mine' });
    release();
  });

  it('releases on process exit', async () => {
    const { repo, file } = await tempRepo();
    const before = new Set(process.listeners('exit'));
    await acquireLock(repo, { purpose: 'forgotten' });
    const added = process.listeners('exit').filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    // Call our handler directly: emitting 'exit' would also run the test runner's own handlers.
    added[0]!(0);
    expect(existsSync(file)).toBe(false);
    expect(process.listeners('exit')).not.toContain(added[0]);
  });
});
