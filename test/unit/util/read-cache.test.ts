import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { openContext } from '../../../src/cycle/repo-context.js';
import { listCycles } from '../../../src/cycle/history.js';
import { explainFile, type LineRange } from '../../../src/cycle/provenance.js';
import { dream } from '../../../src/cycle/dream.js';
import { enableReadCache, readCached, writeCached } from '../../../src/util/read-cache.js';
import { TEST_CONFIG } from '../../helpers/config.js';
import { commitFiles, makeMemoryRepo, makeTempDir } from '../../helpers/git.js';
import { transcript } from '../../helpers/transcript.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  enableReadCache(undefined);
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function gitdir(): Promise<string> {
  const dir = await makeTempDir();
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, '.git');
}

describe('the read cache', () => {
  it('is off unless the command line turns it on: nothing is read or written', async () => {
    const dir = await gitdir();
    writeCached(dir, 'thing', 'key', { a: 1 });
    expect(readCached(dir, 'thing', 'key')).toBeUndefined();
    await expect(readdir(dir)).rejects.toThrow();
  });

  it('gives back what was stored for the same key and build, and nothing for another key or build', async () => {
    const dir = await gitdir();
    enableReadCache('build-a');
    writeCached(dir, 'thing', 'key', { a: [1, 'two', null] });
    expect(readCached(dir, 'thing', 'key')).toEqual({ a: [1, 'two', null] });
    expect(readCached(dir, 'thing', 'other key')).toBeUndefined();
    expect(readCached(dir, 'other', 'key')).toBeUndefined();
    enableReadCache('build-b');
    expect(readCached(dir, 'thing', 'key')).toBeUndefined();
    // Written whole or not at all: no temporary file is left beside it.
    expect(await readdir(path.join(dir, 'reverie', 'cache'))).toEqual(['thing.json']);
  });

  it('takes a broken file for a miss, and a write that fails for nothing', async () => {
    const dir = await gitdir();
    enableReadCache('build');
    await mkdir(path.join(dir, 'reverie', 'cache'), { recursive: true });
    await writeFile(path.join(dir, 'reverie', 'cache', 'thing.json'), '{"key": "trunc');
    expect(readCached(dir, 'thing', 'key')).toBeUndefined();
    // A file where the folder should be: the write cannot happen (as in a read-only repository, even for root).
    const blocked = await gitdir();
    await mkdir(blocked, { recursive: true });
    await writeFile(path.join(blocked, 'reverie'), 'not a folder');
    expect(() => writeCached(blocked, 'thing', 'key', 1)).not.toThrow();
    expect(readCached(blocked, 'thing', 'key')).toBeUndefined();
  });
});

describe('reverie.yaml through the read cache', () => {
  it('gives the same configuration, follows every change of the file, and never keeps an invalid one', async () => {
    const repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG });
    cleanups.push(repo.cleanup);
    const cacheIn = path.join(repo.dir, '.git');
    const plain = await loadConfig(repo.dir);
    enableReadCache('build');
    expect(await loadConfig(repo.dir, undefined, { cacheIn })).toEqual(plain);
    expect(JSON.parse(await readFile(path.join(cacheIn, 'reverie', 'cache', 'config.json'), 'utf8'))).toHaveProperty('key');
    expect(await loadConfig(repo.dir, undefined, { cacheIn })).toEqual(plain);
    await writeFile(path.join(repo.dir, 'reverie.yaml'), TEST_CONFIG.replace('mode: auto', 'mode: review'));
    const changed = await loadConfig(repo.dir, undefined, { cacheIn });
    expect(changed).toEqual(await loadConfig(repo.dir));
    expect(changed.mode).not.toEqual(plain.mode);
    await writeFile(path.join(repo.dir, 'reverie.yaml'), `${TEST_CONFIG}\nnot_a_key: 1\n`);
    for (let i = 0; i < 2; i++) await expect(loadConfig(repo.dir, undefined, { cacheIn })).rejects.toThrow(/unknown key/);
  });
});

describe('the cycles main settled, through the read cache', () => {
  it('are the same as worked out afresh, and follow main when it moves', async () => {
    const repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': '# Notes\n\n## Preferences\n\n- Write in plain English.\n' });
    cleanups.push(repo.cleanup);
    const session = (n: number) =>
      transcript({ sessionId: `pref-${n}`, start: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString() }, [
        { user: `Always put the ticket number T-${n} first in changelog entries.` },
        { assistant: 'Understood.' },
      ]);
    await commitFiles(repo.dir, { 'sessions/agent/s0.jsonl': session(0) }, 'session 0');
    await dream({ repoDir: repo.dir, mode: 'auto', now: new Date(Date.UTC(2026, 1, 1)) });
    const afresh = await listCycles(await openContext(repo.dir));
    enableReadCache('build');
    expect(await listCycles(await openContext(repo.dir))).toEqual(afresh);
    expect(await listCycles(await openContext(repo.dir))).toEqual(afresh);
    await commitFiles(repo.dir, { 'sessions/agent/s1.jsonl': session(1) }, 'session 1');
    await dream({ repoDir: repo.dir, mode: 'auto', now: new Date(Date.UTC(2026, 1, 2)) });
    const moved = await listCycles(await openContext(repo.dir));
    enableReadCache(undefined);
    expect(moved).toEqual(await listCycles(await openContext(repo.dir)));
    expect(moved.length).toBe(afresh.length + 1);
  });
});

describe('`reverie why` through the read cache', () => {
  it('answers as worked out afresh, for each file and range, and follows main when it moves', async () => {
    const repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': '# Notes\n\n## Preferences\n\n- Write in plain English.\n' });
    cleanups.push(repo.cleanup);
    const session = (n: number) =>
      transcript({ sessionId: `pref-${n}`, start: new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString() }, [
        { user: 'Always put the ticket number first in changelog entries.' },
        { assistant: 'Understood.' },
      ]);
    for (const n of [0, 1]) {
      await commitFiles(repo.dir, { [`sessions/agent/s${n}.jsonl`]: session(n) }, `session ${n}`);
      await dream({ repoDir: repo.dir, mode: 'auto', now: new Date(Date.UTC(2026, 1, 1 + n)) });
    }
    const asks: [string, LineRange | undefined][] = [['memory/notes.md', undefined], ['memory/notes.md', { from: 5, to: 5 }], ['notes.md', { from: 1, to: 3 }]];
    const afresh = await Promise.all(asks.map(async ([file, range]) => explainFile(await openContext(repo.dir), file, range)));
    expect(afresh[0]?.lines.some((line) => line.origin.kind === 'action')).toBe(true);
    enableReadCache('build');
    // The last answer is kept: each ask twice in a row, the second answered from the cache.
    for (const [i, [file, range]] of asks.entries()) {
      for (let round = 0; round < 2; round++) {
        const cached = await explainFile(await openContext(repo.dir), file, range);
        expect(cached).toEqual(afresh[i]);
        expect(JSON.stringify(cached)).toBe(JSON.stringify(afresh[i]));
      }
    }
    await commitFiles(repo.dir, { 'memory/notes.md': '# Notes\n\n## Preferences\n\n- Write in plain English, always.\n' }, 'a hand edit');
    const moved = await explainFile(await openContext(repo.dir), 'memory/notes.md', { from: 5, to: 5 });
    enableReadCache(undefined);
    expect(moved).toEqual(await explainFile(await openContext(repo.dir), 'memory/notes.md', { from: 5, to: 5 }));
    expect(moved.lines[0]?.origin.kind).toBe('hand-written');
  });
});
