/**
 * What a run killed halfway leaves, and its repair: objects and refs are written whole or not at all, a broken
 * object is not trusted, a ref lock of a dead process is found, and a fast-forward whose files did not follow the
 * branch is finished without touching what someone changed since. Each state a kill can leave is built here by
 * hand, in a real repository, exactly as the killed process would have left it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLooseObjects, pendingRepairs, recoverInterrupted } from '../../../src/cycle/recover.js';
import { commitChanges, fastForward, openRepo, readCheckoutJournal, staleRefLocks, type Repo } from '../../../src/git/index.js';
import { looseObjectPath, ObjectWriter } from '../../../src/git/objects.js';
import { git, makeTempRepo, type Files } from '../../helpers/git.js';

const author = { name: 'reverie', email: 'reverie@localhost' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(files: Files = { 'memory/tools.md': '- use pnpm\n', 'memory/old.md': 'old\n', 'notes.md': 'notes\n' }) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return { ...fixture, repo: await openRepo(fixture.dir), from: fixture.head as string };
}

function commit(repo: Repo, parent: string, files: Files) {
  return commitChanges(repo, { parent, changes: new Map(Object.entries(files)), message: 'curate', author });
}

/** A pid no process has: one that ran and exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
}

describe('objects written by a killed run', () => {
  it('an empty object file left by an interrupted write is replaced, not trusted, when the same content is written', async () => {
    const { dir, repo } = await setup();
    // The oid of the content, as git names it, before anything stores it.
    const oid = execFileSync('git', ['hash-object', '--stdin'], { cwd: dir, input: 'a note nobody has written yet\n', encoding: 'utf8' }).trim();
    const file = looseObjectPath(repo.gitdir, oid);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '');
    const writer = new ObjectWriter(repo);
    expect(writer.blob('a note nobody has written yet\n')).toBe(oid);
    await writer.flush();
    expect(git(dir, ['cat-file', '-p', oid])).toBe('a note nobody has written yet');
    expect(git(dir, ['fsck', '--full', '--no-dangling'])).toBe('');
  });

  it('leaves no temporary file behind, and stores objects read-only as git does', async () => {
    const { repo } = await setup();
    const writer = new ObjectWriter(repo);
    const oid = writer.blob('another note\n');
    await writer.flush();
    const folder = path.dirname(looseObjectPath(repo.gitdir, oid));
    expect((await readdir(folder)).filter((name) => name.startsWith('tmp_'))).toEqual([]);
    const mode = (await import('node:fs/promises')).stat(looseObjectPath(repo.gitdir, oid));
    expect(((await mode).mode & 0o777).toString(8)).toBe('444');
  });

  it('doctor moves a broken object aside (nothing is deleted) and git stops reporting it', async () => {
    const { dir, repo } = await setup();
    const writer = new ObjectWriter(repo);
    const oid = writer.blob('written, then cut short\n');
    await writer.flush();
    const file = looseObjectPath(repo.gitdir, oid);
    await chmod(file, 0o644);
    await writeFile(file, Buffer.from([0x78, 0x01]));
    expect(await checkLooseObjects(repo.gitdir, { repair: false })).toEqual([{ oid }]);
    const moved = await checkLooseObjects(repo.gitdir, { repair: true });
    expect(moved).toEqual([{ oid, movedTo: path.join(repo.gitdir, 'reverie', 'broken-objects', oid) }]);
    expect(existsSync(file)).toBe(false);
    expect(git(dir, ['fsck', '--full', '--no-dangling'])).toBe('');
  });
});

describe('temporary files of writes a killed run did not finish', () => {
  it('are removed when their process is gone, and kept while it runs', async () => {
    const { repo } = await setup();
    const dead = deadPid();
    const leftovers = [
      path.join(repo.gitdir, 'objects', 'ab', `tmp_reverie_${dead}_0a1b2c`),
      path.join(repo.gitdir, 'objects', 'pack', `tmp_reverie_${dead}_9f8e7d`),
      path.join(repo.gitdir, `tmp_reverie_${dead}_3d4e5f`),
    ];
    const running = path.join(repo.gitdir, 'refs', 'heads', `tmp_reverie_${process.pid}_6a7b8c`);
    for (const file of [...leftovers, running]) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, 'half');
    }
    const repairs = await recoverInterrupted(repo, 'main');
    expect(repairs.lines).toEqual(['removed 3 temporary file(s) of writes an interrupted run did not finish']);
    expect(leftovers.filter((file) => existsSync(file))).toEqual([]);
    expect(existsSync(running)).toBe(true);
  });
});

describe('a broken object whose content the working tree still holds', () => {
  it('is written again from the tracked file, and main is whole again', async () => {
    const { dir, repo } = await setup();
    const oid = git(dir, ['rev-parse', 'main:memory/tools.md']);
    const file = looseObjectPath(repo.gitdir, oid);
    await chmod(file, 0o644);
    await writeFile(file, '');
    expect(() => git(dir, ['fsck', '--full', '--no-dangling'])).toThrow();
    const broken = await checkLooseObjects(repo.gitdir, { repair: true, workTree: dir });
    expect(broken).toEqual([{ oid, movedTo: path.join(repo.gitdir, 'reverie', 'broken-objects', oid), restoredFrom: 'memory/tools.md' }]);
    expect(git(dir, ['fsck', '--full', '--no-dangling'])).toBe('');
    expect(git(dir, ['show', 'main:memory/tools.md'])).toBe('- use pnpm');
  });
});

describe('ref locks left by a killed run', () => {
  it('a lock of ours whose process is gone is stale; git\'s own lock and ours of a running process are not', async () => {
    const { repo } = await setup();
    const heads = path.join(repo.gitdir, 'refs', 'heads');
    const holder = (pid: number) => `reverie ref lock ${JSON.stringify({ pid, host: os.hostname(), started: '2026-12-01T00:00:00Z', purpose: 'update refs/heads/main' })}\n`;
    await writeFile(path.join(heads, 'main.lock'), holder(deadPid()));
    await writeFile(path.join(heads, 'other.lock'), ''); // native git's: says nothing of its holder
    await writeFile(path.join(heads, 'mine.lock'), holder(process.pid));
    expect(await staleRefLocks(repo)).toEqual([path.join(heads, 'main.lock')]);
    const repairs = await recoverInterrupted(repo, 'main');
    expect(repairs.lines).toEqual(['removed refs/heads/main.lock, left by a reverie process that is gone']);
    expect(existsSync(path.join(heads, 'other.lock'))).toBe(true);
    expect(existsSync(path.join(heads, 'mine.lock'))).toBe(true);
  });

  it('a ref update writes the whole value through a temporary file and releases its lock', async () => {
    const { dir, repo, from } = await setup();
    const to = await commit(repo, from, { 'notes.md': 'notes, curated\n' });
    await fastForward(repo, { branch: 'main', to, expectedOld: from });
    expect(await readFile(path.join(repo.gitdir, 'refs', 'heads', 'main'), 'utf8')).toBe(`${to}\n`);
    expect((await readdir(path.join(repo.gitdir, 'refs', 'heads'))).sort()).toEqual(['main']);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
  });
});

describe('a fast-forward killed between the ref and the working tree', () => {
  /** The state a kill right after the ref moved leaves: the journal written, main moved, files and index behind. */
  async function interrupted(files: Files) {
    const fixture = await setup();
    const to = await commit(fixture.repo, fixture.from, files);
    const journal = { ref: 'refs/heads/main', from: fixture.from, to, paths: Object.keys(files).sort() };
    await mkdir(path.join(fixture.repo.gitdir, 'reverie'), { recursive: true });
    await writeFile(path.join(fixture.repo.gitdir, 'reverie', 'checkout.json'), JSON.stringify(journal));
    git(fixture.dir, ['update-ref', 'refs/heads/main', to]);
    return { ...fixture, to };
  }

  it('status says so, and the next writing command brings the files and the index up to main', async () => {
    const { dir, repo, to } = await interrupted({ 'memory/tools.md': '- use pnpm\n- never npm\n', 'memory/old.md': null, 'memory/new.md': 'new\n' });
    expect(git(dir, ['status', '--porcelain'])).not.toBe('');
    expect(await pendingRepairs(repo)).toEqual(['the working tree is behind main: an interrupted run moved it and did not finish bringing 3 file(s) along']);
    const repairs = await recoverInterrupted(repo, 'main');
    expect(repairs.lines).toEqual([`brought 3 file(s) of the working tree up to main (${to.slice(0, 7)}), which an interrupted run had moved`]);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    expect(await readFile(path.join(dir, 'memory/tools.md'), 'utf8')).toBe('- use pnpm\n- never npm\n');
    expect(existsSync(path.join(dir, 'memory/old.md'))).toBe(false);
    expect(await readCheckoutJournal(repo)).toBeUndefined();
    expect(await pendingRepairs(repo)).toEqual([]);
  });

  it('finishes files the killed run had already written, and leaves a file someone changed since', async () => {
    const { dir, repo } = await interrupted({ 'memory/tools.md': '- use pnpm\n- never npm\n', 'notes.md': 'notes, curated\n' });
    await writeFile(path.join(dir, 'memory/tools.md'), '- use pnpm\n- never npm\n'); // written before the kill
    await writeFile(path.join(dir, 'notes.md'), 'my own edit, made after the crash\n');
    const repairs = await recoverInterrupted(repo, 'main');
    expect(repairs.lines).toContain('left as they are, since they were changed meanwhile: notes.md');
    expect(await readFile(path.join(dir, 'notes.md'), 'utf8')).toBe('my own edit, made after the crash\n');
    expect(git(dir, ['status', '--porcelain'])).toBe(' M notes.md');
  });

  it('a journal whose ref never moved (killed before the move) is dropped and changes nothing', async () => {
    const { dir, repo, from } = await setup();
    const to = await commit(repo, from, { 'notes.md': 'notes, curated\n' });
    await mkdir(path.join(repo.gitdir, 'reverie'), { recursive: true });
    await writeFile(path.join(repo.gitdir, 'reverie', 'checkout.json'), JSON.stringify({ ref: 'refs/heads/main', from, to, paths: ['notes.md'] }));
    expect((await recoverInterrupted(repo, 'main')).lines).toEqual([]);
    expect(git(dir, ['rev-parse', 'main'])).toBe(from);
    expect(await readFile(path.join(dir, 'notes.md'), 'utf8')).toBe('notes\n');
    expect(await readCheckoutJournal(repo)).toBeUndefined();
  });

  it('a cycle branch already merged into main is deleted; one with work main does not have is kept', async () => {
    const { dir, repo, from } = await setup();
    const merged = await commit(repo, from, { 'notes.md': 'notes, curated\n' });
    const pending = await commit(repo, merged, { 'memory/new.md': 'waiting for review\n' });
    git(dir, ['branch', 'reverie/dream-20261201-000000', merged]);
    git(dir, ['branch', 'reverie/dream-20261202-000000', pending]);
    git(dir, ['merge', '--ff-only', '-q', merged]);
    const repairs = await recoverInterrupted(repo, 'main');
    expect(repairs.lines).toEqual(['deleted reverie/dream-20261201-000000: already merged into main']);
    expect(git(dir, ['branch', '--list', 'reverie/*', '--format=%(refname:short)'])).toBe('reverie/dream-20261202-000000');
  });
});
