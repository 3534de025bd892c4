import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { customIdOf } from '../../../src/dream/engines/claude/batch.js';
import { boundedMapResult, ClaudeCache, exportCache, importCache, mapKey, mapPath, MAX_MAP_FILE_BYTES } from '../../../src/dream/engines/claude/cache.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-claude-cache-'));
  dirs.push(dir);
  return dir;
}

const HASH = 'a'.repeat(64);

describe('ClaudeCache', () => {
  it('keeps a map result per session hash, under a key of the model, the prompt and the instructions', async () => {
    const dir = await cacheDir();
    const key = mapKey('claude-sonnet-5-5', undefined);
    expect(mapKey('claude-sonnet-5-5', undefined)).toBe(key);
    expect(mapKey('claude-opus-5-5', undefined)).not.toBe(key);
    expect(mapKey('claude-sonnet-5-5', 'Focus on deploys.')).not.toBe(key);

    const cache = new ClaudeCache(dir, key);
    expect(cache.hasMap(HASH)).toBe(false);
    const result = { session: 's1', hash: HASH, model: 'claude-sonnet-5-5', observations: [], dropped: ['x'] };
    await cache.writeMap(result);
    expect(cache.hasMap(HASH)).toBe(true);
    expect(await cache.readMap(HASH)).toEqual(result);
    // Another model's cache does not see it.
    expect(new ClaudeCache(dir, mapKey('claude-opus-5-5', undefined)).hasMap(HASH)).toBe(false);
    // Written whole and renamed: no temporary file is left behind.
    expect(await readdir(path.join(dir, 'map', key))).toEqual([`${HASH}.json`]);
  });

  it('treats a damaged file as missing, so the work is done again rather than trusted', async () => {
    const dir = await cacheDir();
    const cache = new ClaudeCache(dir, 'k');
    await cache.writeMap({ session: 's1', hash: HASH, model: 'm', observations: [], dropped: [] });
    await writeFile(path.join(dir, 'map', 'k', `${HASH}.json`), '{"session":');
    expect(await cache.readMap(HASH)).toBeUndefined();
  });

  it('remembers a pending batch until it is cleared', async () => {
    const cache = new ClaudeCache(await cacheDir(), 'k');
    expect(await cache.readPendingBatch()).toBeUndefined();
    const pending = { id: 'msgbatch_01abc', key: 'k', model: 'm', submitted: '2026-11-10T02:00:00.000Z', requests: { [customIdOf(HASH)]: HASH } };
    await cache.writePendingBatch(pending);
    expect(await cache.readPendingBatch()).toEqual(pending);
    await cache.clearPendingBatch();
    expect(await cache.readPendingBatch()).toBeUndefined();
  });
});

describe('boundedMapResult', () => {
  const observation = (i: number) => ({ kind: 'fact' as const, statement: `Fact ${i}: ${'é'.repeat(290)}`, topic: 'facts', quote: '😀'.repeat(200), turn: 1, fix: null });

  it('keeps a result to MAX_MAP_FILE_BYTES however large its text, and the first reasons for what was dropped', () => {
    const huge = { session: 's1', hash: HASH, model: 'm', observations: Array.from({ length: 200 }, (_, i) => observation(i)), dropped: Array.from({ length: 5000 }, (_, i) => `reason ${i}`) };
    const kept = boundedMapResult(huge);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(MAX_MAP_FILE_BYTES);
    expect(kept.observations.length).toBeGreaterThan(0);
    expect(kept.observations).toEqual(huge.observations.slice(0, kept.observations.length));
    expect(kept.dropped).toEqual([...huge.dropped.slice(0, 20), 'and 4980 more']);
  });

  it('leaves a result within the bound as it is', () => {
    const small = { session: 's1', hash: HASH, model: 'm', observations: [observation(1)], dropped: ['x'] };
    expect(boundedMapResult(small)).toEqual(small);
  });
});

describe('customIdOf', () => {
  it('fits what custom_id allows: a sha256 in hex as it is, anything else made safe', () => {
    expect(customIdOf(HASH)).toBe(HASH);
    expect(customIdOf('a/b c')).toBe('a_b_c');
    expect(customIdOf('x'.repeat(80))).toHaveLength(64);
  });
});

describe('the cache as files that outlive the machine', () => {
  const OTHER = 'b'.repeat(64);
  /** A GitHub token a model might repeat in what it says of a session. */
  const TOKEN = 'ghp_Zq7Xw2Lm9Rt4Vb6Nc8Kd1Hf3Jg5Ps0Ty2Ua9';
  const observation = (statement: string) => ({ kind: 'fact' as const, statement, topic: 'deploys', quote: 'deploy', turn: 1, fix: null });

  it('exports the pending batch and the results of sessions not processed, deleting those of processed ones', async () => {
    const dir = await cacheDir();
    const key = mapKey('claude-haiku-5-5', undefined);
    const cache = new ClaudeCache(dir, key);
    await cache.writeMap({ session: 's1', hash: HASH, model: 'claude-haiku-5-5', observations: [observation('Deploys go through the pipeline.')], dropped: [] });
    await cache.writeMap({ session: 's2', hash: OTHER, model: 'claude-haiku-5-5', observations: [], dropped: [] });
    await cache.writePendingBatch({ id: 'msgbatch_1', key, model: 'claude-haiku-5-5', submitted: '2026-11-10T02:00:00Z', requests: { [HASH]: HASH } });

    const files = await exportCache(dir, (hash) => hash === OTHER);
    expect([...files.keys()].sort()).toEqual(['batch.json', mapPath(key, HASH)]);
    expect(JSON.parse(files.get(mapPath(key, HASH)) ?? '{}')).toEqual(await cache.readMap(HASH));
    expect(JSON.parse(files.get('batch.json') ?? '{}')).toMatchObject({ id: 'msgbatch_1' });
    expect(cache.hasMap(OTHER)).toBe(false);
  });

  it('redacts what it exports, by both passes, and leaves the machine copy as the cycle used it', async () => {
    const dir = await cacheDir();
    const key = mapKey('claude-haiku-5-5', undefined);
    const cache = new ClaudeCache(dir, key);
    await cache.writeMap({ session: 's1', hash: HASH, model: 'claude-haiku-5-5', observations: [observation(`Push with ${TOKEN}.`)], dropped: [`quoted ${TOKEN}`] });
    const text = (await exportCache(dir, () => false)).get(mapPath(key, HASH)) ?? '';
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toMatchObject({ hash: HASH, observations: [{ statement: expect.stringMatching(/^Push with \[REDACTED:[\w-]+\]\.$/) }], dropped: [expect.stringContaining('[REDACTED:')] });
  });

  it('imports what the cache lacks, keeps what it has, and skips anything that is not a result or batch of its name', async () => {
    const from = await cacheDir();
    const key = mapKey('claude-haiku-5-5', undefined);
    const source = new ClaudeCache(from, key);
    await source.writeMap({ session: 's1', hash: HASH, model: 'claude-haiku-5-5', observations: [], dropped: [] });
    await source.writePendingBatch({ id: 'msgbatch_there', key, model: 'claude-haiku-5-5', submitted: '2026-11-10T02:00:00Z', requests: { [HASH]: HASH } });
    const files = await exportCache(from, () => false);
    files.set(mapPath(key, OTHER), files.get(mapPath(key, HASH)) ?? '');
    files.set(`map/${key}/${'c'.repeat(64)}.json`, '{ not json');
    files.set('../outside.json', '{}');

    const fresh = await cacheDir();
    expect(await importCache(fresh, files)).toEqual({ restored: 2, batch: 'msgbatch_there' });
    const restored = new ClaudeCache(fresh, key);
    expect(restored.hasMap(HASH)).toBe(true);
    // A result filed under another session's hash is not that session's.
    expect(restored.hasMap(OTHER)).toBe(false);
    expect(restored.hasMap('c'.repeat(64))).toBe(false);
    expect((await restored.readPendingBatch())?.id).toBe('msgbatch_there');

    const busy = await cacheDir();
    const here = new ClaudeCache(busy, key);
    await here.writePendingBatch({ id: 'msgbatch_here', key, model: 'claude-haiku-5-5', submitted: '2026-11-10T03:00:00Z', requests: {} });
    expect(await importCache(busy, files)).toEqual({ restored: 1, otherBatch: 'msgbatch_there' });
    expect((await here.readPendingBatch())?.id).toBe('msgbatch_here');
  });
});
