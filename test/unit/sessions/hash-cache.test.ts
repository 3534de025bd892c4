import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hashToRemember,
  parseHashCache,
  readHashCache,
  rememberedHash,
  SETTLED_MS,
  serializeHashCache,
  stampOf,
  type RememberedHash,
} from '../../../src/sessions/hash-cache.js';
import { loadSessions, type LoadOptions } from '../../../src/sessions/load.js';
import { CLAUDE, FIXTURES, tempDir } from './helpers.js';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const PUSH = '-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl';
const STAMP = { size: 10, mtimeMs: 1_700_000_000_000.25, ctimeMs: 1_700_000_000_001.5, ino: 42, dev: 7 };
const HASH = 'a'.repeat(64);

/** A log folder whose files were last written an hour ago: settled, so their hashes are remembered. */
async function logRepo(): Promise<{ repo: string; cacheFile: string; options: (extra?: Partial<LoadOptions>) => LoadOptions }> {
  const repo = await tempDir();
  await mkdir(join(repo, 'sessions/music'), { recursive: true });
  await cp(join(CLAUDE, PUSH), join(repo, 'sessions/music/push.jsonl'));
  await cp(join(FIXTURES, 'reverie/deploy-bot'), join(repo, 'sessions/deploy-bot'), { recursive: true });
  await ageFiles([join(repo, 'sessions/music/push.jsonl'), join(repo, 'sessions/deploy-bot/2025-06-01.jsonl')]);
  const cacheFile = join(repo, '.git/reverie/session-hashes.json');
  return { repo, cacheFile, options: (extra = {}) => ({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }], hashCacheFile: cacheFile, ...extra }) };
}

async function ageFiles(paths: string[]): Promise<void> {
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const path of paths) await utimes(path, hourAgo, hourAgo);
}

/** Everything a load returns, as a plain value to compare. */
const outcome = (result: Awaited<ReturnType<typeof loadSessions>>) => JSON.parse(JSON.stringify(result)) as unknown;

describe('the session hash cache, as data', () => {
  it('trusts a remembered hash only while every part of the stamp is the same', () => {
    const cache = new Map([['/logs/a.jsonl', { ...STAMP, sha256: HASH }]]);
    expect(rememberedHash(cache, '/logs/a.jsonl', STAMP)).toBe(HASH);
    expect(rememberedHash(cache, '/logs/b.jsonl', STAMP)).toBeUndefined();
    for (const field of ['size', 'mtimeMs', 'ctimeMs', 'ino', 'dev'] as const) {
      expect(rememberedHash(cache, '/logs/a.jsonl', { ...STAMP, [field]: STAMP[field] + 1 }), field).toBeUndefined();
    }
  });

  it('remembers a file only once its last change is older than a tick of any file system clock', () => {
    expect(hashToRemember(STAMP, HASH, STAMP.mtimeMs + SETTLED_MS)).toEqual({ ...STAMP, sha256: HASH });
    expect(hashToRemember(STAMP, HASH, STAMP.mtimeMs + SETTLED_MS - 1)).toBeUndefined();
  });

  it('round-trips through its file format, and takes no stamp from a file that is not one', () => {
    const cache = new Map<string, RememberedHash>([
      ['/logs/b.jsonl', { ...STAMP, ino: 2 ** 40 + 3, sha256: HASH }],
      ['/logs/a "quoted".jsonl', { ...STAMP, sha256: 'b'.repeat(64) }],
    ]);
    expect(parseHashCache(serializeHashCache(cache))).toEqual(cache);
    expect(parseHashCache(serializeHashCache(new Map()))).toEqual(new Map());
    for (const text of ['', 'not json', '[]', 'null', '{"version":2,"files":{}}', '{"version":1,"files":[]}']) {
      expect(parseHashCache(text), text).toEqual(new Map());
    }
  });

  it('drops malformed entries and keeps the good ones', () => {
    const good = [1, 2, 3, 4, 5, HASH];
    const text = JSON.stringify({
      version: 1,
      files: { good, short: [1, 2, 3], badHash: [1, 2, 3, 4, 5, 'xyz'], badNumber: [1, '2', 3, 4, 5, HASH], object: { size: 1 } },
    });
    expect([...parseHashCache(text).keys()]).toEqual(['good']);
  });

  it('reads what it wrote whatever the paths and numbers, line by line or, past an escape, as JSON', () => {
    const stamp = fc.record({
      size: fc.nat(),
      // JSON writes -0 as 0.
      mtimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }).map((n) => n + 0),
      ctimeMs: fc.double({ min: -1e3, max: 4e12, noNaN: true }).map((n) => n + 0),
      ino: fc.maxSafeNat(),
      dev: fc.nat(),
      sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.stringMatching(/^\/[a-z0-9/._-]{1,40}$/)), stamp), (files) => {
        const cache = new Map(Object.entries(files));
        const text = serializeHashCache(cache);
        const read = parseHashCache(text);
        expect(read).toEqual(cache);
        // Written back as read, entry by entry, the lines kept or made anew; under other paths, made anew.
        expect(serializeHashCache(read)).toBe(text);
        const moved = new Map([...read].map(([path, entry]) => [`/moved${path}`, entry]));
        expect(parseHashCache(serializeHashCache(moved))).toEqual(moved);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('reads its lines as it wrote them, not through JSON.parse', () => {
    // A raw tab in a string is no JSON: only the line reader takes this entry.
    const text = serializeHashCache(new Map([['/logs/tab\u0009name.jsonl', { ...STAMP, sha256: HASH }]])).replace('\\t', '\t');
    expect(() => JSON.parse(text)).toThrow();
    expect([...parseHashCache(text).keys()]).toEqual(['/logs/tab\tname.jsonl']);
    expect(serializeHashCache(parseHashCache(text))).toBe(text);
  });

  it('drops a malformed line of a file it wrote, and keeps the others', () => {
    const cache = new Map<string, RememberedHash>([
      ['/logs/a.jsonl', { ...STAMP, sha256: HASH }],
      ['/logs/b.jsonl', { ...STAMP, sha256: 'b'.repeat(64) }],
    ]);
    const text = serializeHashCache(cache).replace('b'.repeat(64), 'xyz');
    expect([...parseHashCache(text).keys()]).toEqual(['/logs/a.jsonl']);
    expect([...parseHashCache(serializeHashCache(cache).replace(',1700000000001.5,', ',1e999,')).keys()]).toEqual(['/logs/b.jsonl']);
    expect(parseHashCache(`${serializeHashCache(cache)}trailing`)).toEqual(new Map());
  });

  it('reads a missing or unreadable cache file as an empty cache', async () => {
    const dir = await tempDir();
    expect(await readHashCache(join(dir, 'nope.json'))).toEqual(new Map());
    expect(await readHashCache(dir)).toEqual(new Map());
  });
});

describe('loadSessions with a hash cache', () => {
  it('returns what a load without it returns, and remembers the hash of every settled log', async () => {
    const { repo, cacheFile, options } = await logRepo();
    const plain = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }] });
    const cached = await loadSessions(options());
    expect(outcome(cached)).toEqual(outcome(plain));
    const cache = await readHashCache(cacheFile);
    const push = join(repo, 'sessions/music/push.jsonl');
    expect([...cache.keys()].sort()).toEqual([join(repo, 'sessions/deploy-bot/2025-06-01.jsonl'), push]);
    expect(cache.get(push)).toEqual({ ...stampOf(await stat(push)), sha256: sha256(await readFile(push)) });
  });

  it('skips an unchanged, processed log without reading it: the remembered hash stands for its content', async () => {
    const { repo, cacheFile, options } = await logRepo();
    const first = await loadSessions(options());
    const processed = new Set(first.sessions.map((s) => s.hash));
    const again = await loadSessions(options({ skipHashes: processed }));
    expect(again).toMatchObject({ sessions: [], skipped: 3, files: 2, warnings: [] });
    // Proof that the file is not read: a remembered hash that is not the file's own is believed while the stamp holds.
    const push = join(repo, 'sessions/music/push.jsonl');
    const cache = await readHashCache(cacheFile);
    await writeFile(cacheFile, serializeHashCache(new Map([...cache, [push, { ...(cache.get(push) as RememberedHash), sha256: HASH }]])));
    const fooled = await loadSessions(options({ skipHashes: new Set([HASH]) }));
    expect(fooled.sessions.map((s) => s.source)).toEqual(['sessions/deploy-bot/2025-06-01.jsonl', 'sessions/deploy-bot/2025-06-01.jsonl']);
    expect(fooled.skipped).toBe(1);
  });

  it('sees a log appended to as changed', async () => {
    const { repo, options } = await logRepo();
    const first = await loadSessions(options());
    const processed = new Set(first.sessions.map((s) => s.hash));
    const push = join(repo, 'sessions/music/push.jsonl');
    const lines = (await readFile(push, 'utf8')).trimEnd().split('\n');
    await appendFile(push, `${lines[lines.length - 1]}\n`);
    const after = await loadSessions(options({ skipHashes: processed }));
    expect(after.sessions.map((s) => [s.source, s.hash])).toEqual([['sessions/music/push.jsonl', sha256(await readFile(push))]]);
    expect(after.skipped).toBe(2);
  });

  it('sees a log rewritten with the same size and modification time as changed', async () => {
    const { repo, options } = await logRepo();
    const first = await loadSessions(options());
    const processed = new Set(first.sessions.map((s) => s.hash));
    const push = join(repo, 'sessions/music/push.jsonl');
    const before = await stat(push);
    const text = await readFile(push, 'utf8');
    // As many bytes, other words; then the modification time is put back as it was.
    expect(text).toContain('push to github');
    await writeFile(push, text.replace('push to github', 'pull from main'));
    await utimes(push, before.atime, before.mtime);
    const changed = await stat(push);
    expect([changed.size, changed.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    const after = await loadSessions(options({ skipHashes: processed }));
    expect(after.sessions.map((s) => s.source)).toEqual(['sessions/music/push.jsonl']);
    expect(after.sessions[0]?.hash).toBe(sha256(await readFile(push)));
  });

  it('does not remember a log written moments ago, whose next change could keep its modification time', async () => {
    const { repo, cacheFile, options } = await logRepo();
    await cp(join(CLAUDE, PUSH), join(repo, 'sessions/music/fresh.jsonl'));
    await loadSessions(options());
    expect([...(await readHashCache(cacheFile)).keys()]).not.toContain(join(repo, 'sessions/music/fresh.jsonl'));
  });

  it('ignores a corrupt cache, and replaces it with a good one', async () => {
    const { repo, cacheFile, options } = await logRepo();
    const plain = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }] });
    await mkdir(join(repo, '.git/reverie'), { recursive: true });
    await writeFile(cacheFile, '{"version":1,"files":{"/x": [1, 2');
    expect(outcome(await loadSessions(options()))).toEqual(outcome(plain));
    expect((await readHashCache(cacheFile)).size).toBe(2);
  });

  it('loads as usual when the cache cannot be written', async () => {
    const { repo, options } = await logRepo();
    await writeFile(join(repo, 'in-the-way'), 'a file where the cache folder would go\n');
    const result = await loadSessions(options({ hashCacheFile: join(repo, 'in-the-way/session-hashes.json') }));
    expect(result.sessions).toHaveLength(3);
  });

  it('forgets a log that went away', async () => {
    const { repo, cacheFile, options } = await logRepo();
    await loadSessions(options());
    await rm(join(repo, 'sessions/deploy-bot'), { recursive: true });
    await loadSessions(options());
    expect([...(await readHashCache(cacheFile)).keys()]).toEqual([join(repo, 'sessions/music/push.jsonl')]);
  });
});
