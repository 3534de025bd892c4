import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  entryStat,
  newEntry,
  parseIndex,
  readIndex,
  replaceEntries,
  serializeIndex,
  statMatches,
  writeIndex,
} from '../../../src/git/index-file.js';
import { git, makeTempRepo, writeFiles } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function repo(files: Record<string, string> = { 'memory/notes.md': '- a note\n', 'memory/ünï ✓.md': 'u\n', 'b.md': 'b\n', 'a.md': 'a\n' }) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return fixture.dir;
}

const gitdirOf = (dir: string) => path.join(dir, '.git');

describe('readIndex', () => {
  it('reads the index native git writes, cache tree and all, in its order', async () => {
    const dir = await repo();
    const bytes = await readFile(path.join(gitdirOf(dir), 'index'));
    expect(bytes.includes(Buffer.from('TREE'))).toBe(true);
    const index = await readIndex(gitdirOf(dir));
    expect(index?.version).toBe(2);
    const listed = git(dir, ['ls-files', '-z']).split('\0').filter(Boolean);
    expect(index?.entries.map((e) => e.path)).toEqual(listed);
    expect(index?.entries.every((e) => e.stage === 0)).toBe(true);
  });

  it('reads version 3, and leaves version 4, a split index and a damaged file alone', async () => {
    const dir = await repo();
    // An intent-to-add entry carries extended flags, which only version 3 has room for.
    await writeFiles(dir, { 'memory/intent.md': 'later\n' });
    git(dir, ['add', '-N', 'memory/intent.md']);
    const three = await readIndex(gitdirOf(dir));
    expect(three?.version).toBe(3);
    const intent = three?.entries.find((e) => e.path === 'memory/intent.md');
    expect(intent && entryStat(intent)).toBeUndefined();
    expect(three?.entries.map((e) => e.path)).toEqual(git(dir, ['ls-files', '-z']).split('\0').filter(Boolean));
    git(dir, ['update-index', '--index-version', '4']);
    expect(await readIndex(gitdirOf(dir)), 'version 4').toBeUndefined();
    git(dir, ['update-index', '--index-version', '3']);
    git(dir, ['update-index', '--split-index']);
    expect(await readIndex(gitdirOf(dir)), 'split index').toBeUndefined();
    git(dir, ['update-index', '--no-split-index']);
    const bytes = await readFile(path.join(gitdirOf(dir), 'index'));
    expect(parseIndex(bytes)).toBeDefined();
    bytes[20] = (bytes[20] as number) ^ 0xff;
    expect(parseIndex(bytes)).toBeUndefined();
    expect(parseIndex(Buffer.from('not an index at all, not even close'))).toBeUndefined();
    expect(await readIndex(path.join(dir, 'no-such-gitdir'))).toBeUndefined();
  });

  it('keeps the stage of every entry of a conflict', async () => {
    const dir = await repo({ 'a.md': 'base\n' });
    git(dir, ['checkout', '-q', '-b', 'other']);
    await writeFiles(dir, { 'a.md': 'theirs\n' });
    git(dir, ['commit', '-q', '-am', 'theirs']);
    git(dir, ['checkout', '-q', 'main']);
    await writeFiles(dir, { 'a.md': 'ours\n' });
    git(dir, ['commit', '-q', '-am', 'ours']);
    try {
      git(dir, ['merge', '-q', 'other']);
    } catch {
      // The conflict is the point.
    }
    const index = await readIndex(gitdirOf(dir));
    expect(index?.entries.map((e) => [e.path, e.stage])).toEqual([
      ['a.md', 1],
      ['a.md', 2],
      ['a.md', 3],
    ]);
  });
});

describe('writing entries', () => {
  it('makes the very entry native git makes for a file it stages', async () => {
    const dir = await repo();
    await writeFiles(dir, { 'memory/new.md': 'new\n' });
    git(dir, ['add', 'memory/new.md']);
    const native = (await readIndex(gitdirOf(dir)))?.entries.find((e) => e.path === 'memory/new.md');
    const oid = git(dir, ['rev-parse', ':memory/new.md']);
    const mine = newEntry('memory/new.md', oid, await lstat(path.join(dir, 'memory/new.md'), { bigint: true }));
    expect(mine.raw.equals(native?.raw as Buffer)).toBe(true);
  });

  it('writes an index git reads as it read the original, less the optional extensions', async () => {
    const dir = await repo();
    const before = git(dir, ['ls-files', '-s', '--debug']);
    const index = await readIndex(gitdirOf(dir));
    await writeIndex(gitdirOf(dir), index!.version, index!.entries);
    expect(git(dir, ['ls-files', '-s', '--debug'])).toBe(before);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    const rewritten = await readFile(path.join(gitdirOf(dir), 'index'));
    expect(rewritten.includes(Buffer.from('TREE'))).toBe(false);
    expect(serializeIndex(index!.version, index!.entries).equals(rewritten)).toBe(true);
  });

  it('replaces every stage of the paths given and puts new entries in byte order', async () => {
    const dir = await repo();
    const index = (await readIndex(gitdirOf(dir)))!;
    const stats = await lstat(path.join(dir, 'a.md'), { bigint: true });
    const blob = git(dir, ['rev-parse', ':a.md']);
    const added = [newEntry('memory/z.md', blob, stats), newEntry('memory/a.md', blob, stats), newEntry('Zebra.md', blob, stats)];
    const entries = replaceEntries(index.entries, new Set(['b.md']), added);
    // Bytes order: capitals before lower case, and "ü" (0xC3 0xBC) after every ASCII name.
    expect(entries.map((e) => e.path)).toEqual(['Zebra.md', 'a.md', 'memory/a.md', 'memory/notes.md', 'memory/z.md', 'memory/ünï ✓.md']);
  });
});

describe('replaceEntries and serializeIndex on any paths', () => {
  const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
  const stats = { ctimeNs: 1_700_000_000_123_456_789n, mtimeNs: 1_700_000_000_987_654_321n, dev: 2049n, ino: 77n, mode: 0o100644n, uid: 0n, gid: 0n, size: 3n, isSymbolicLink: () => false };
  const entry = (p: string, n: number) => newEntry(p, n.toString(16).padStart(40, '0'), stats as unknown as BigIntStats);
  const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  const segment = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'B', '-', '.', '_', 'ü', '✓', '\u{1F600}', '\uE000'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 6 }).filter((x) => !x.includes('/') && !x.includes('\0'));
  const paths = fc.uniqueArray(fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')), { maxLength: 40 });

  it('puts every entry where a full sort by bytes would, and writes the bytes of the entries one after another', () => {
    fc.assert(
      fc.property(paths, paths, fc.array(fc.nat(), { maxLength: 40 }), (present, incoming, picks) => {
        // An index as parsed: its entries are slices of one buffer, in order.
        const sorted = [...present].sort(byBytes);
        const index = parseIndex(serializeIndex(2, sorted.map((p, i) => entry(p, i + 1))))!;
        expect(index.entries.map((e) => e.path)).toEqual(sorted);
        const replaced = new Set([...picks.map((n) => sorted[n % Math.max(sorted.length, 1)] ?? ''), ...incoming.filter((p) => sorted.includes(p))]);
        const added = incoming.map((p, i) => entry(p, 1000 + i));
        const result = replaceEntries(index.entries, replaced, added);
        expect(result.map((e) => e.path)).toEqual([...sorted.filter((p) => !replaced.has(p)), ...incoming].sort(byBytes));
        const bytes = serializeIndex(2, result);
        const body = Buffer.concat([bytes.subarray(0, 12), ...result.map((e) => e.raw)]);
        expect(bytes.equals(Buffer.concat([body, createHash('sha1').update(body).digest()]))).toBe(true);
        expect(parseIndex(bytes)?.entries.map((e) => e.path)).toEqual(result.map((e) => e.path));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('statMatches', () => {
  it('holds for a file as staged, and fails on any change of its stat or when the entry is as new as the index', async () => {
    const dir = await repo();
    const index = (await readIndex(gitdirOf(dir)))!;
    const entry = entryStat(index.entries.find((e) => e.path === 'a.md')!)!;
    const file = path.join(dir, 'a.md');
    const statOf = () => lstat(file, { bigint: true });
    expect(statMatches(entry, await statOf(), index.mtimeNs)).toBe(true);
    const entryMtimeNs = BigInt(entry.mtimeSeconds) * 1_000_000_000n + BigInt(entry.mtimeNanoseconds);
    expect(statMatches(entry, await statOf(), entryMtimeNs)).toBe(false);
    const { atime, mtime } = await stat(file);
    await writeFile(file, 'b\n');
    await utimes(file, atime, mtime);
    expect(statMatches(entry, await statOf(), index.mtimeNs)).toBe(false);
  });
});
