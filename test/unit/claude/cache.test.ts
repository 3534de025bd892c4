import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { customIdOf } from '../../../src/dream/engines/claude/batch.js';
import { boundedMapResult, ClaudeCache, mapKey, MAX_MAP_FILE_BYTES } from '../../../src/dream/engines/claude/cache.js';

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
