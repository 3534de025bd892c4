import { cpSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { commitChanges, openRepo, PackBuilder, type Repo } from '../../../src/git/index.js';
import { readRawObject } from '../../../src/git/odb.js';
import { applyDelta } from '../../../src/git/pack.js';
import { deltaFrom } from '../../../src/git/pack-write.js';
import { git, makeTempDir, makeTempRepo, type Files } from '../../helpers/git.js';

const author = { name: 'reverie', email: 'reverie@localhost' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempRepo(files?: Files) {
  const fixture = await makeTempRepo(files);
  cleanups.push(fixture.cleanup);
  return { ...fixture, repo: await openRepo(fixture.dir) };
}

/** A long file edited `count` times, one line changed, added or removed at a time, as a cycle's actions edit it. */
function versions(count: number): string[] {
  const lines = Array.from({ length: 400 }, (_, n) => `- note ${n}: ${'words ünï ✓ '.repeat(n % 9)}\n`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = (i * 37) % lines.length;
    if (i % 3 === 0) lines.splice(at, 1);
    else if (i % 3 === 1) lines.splice(at, 0, `- added ${i}\n`);
    else lines[at] = `- rewritten ${i}\n`;
    out.push(`# Notes\n\n${lines.join('')}`);
  }
  return out;
}

/** The commits of `texts` (one per version of memory/notes.md) on `parent`, objects loose or in `pack`. */
async function commitAll(repo: Repo, parent: string, texts: string[], pack?: PackBuilder): Promise<string[]> {
  const commits: string[] = [];
  for (const [i, text] of texts.entries()) {
    parent = await commitChanges(repo, { parent, changes: new Map([['memory/notes.md', text]]), message: `edit ${i}\n`, author, timestamp: 1767225600 + i, ...(pack ? { pack } : {}) });
    commits.push(parent);
  }
  return commits;
}

describe('PackBuilder', { timeout: 120_000 }, () => {
  it('writes the commits loose writing would, as a pack git reads and checks whole', async () => {
    const texts = versions(60);
    const loose = await tempRepo({ 'memory/notes.md': '# Notes\n', 'README.md': 'readme\n' });
    // The same repository twice: one writes loose objects, the other a pack.
    const copy = await makeTempDir();
    cleanups.push(() => rm(copy, { recursive: true, force: true }));
    cpSync(loose.dir, copy, { recursive: true });
    const packed = { dir: copy, repo: await openRepo(copy) };
    const base = git(loose.dir, ['rev-parse', 'HEAD']);
    const pack = new PackBuilder(packed.repo.gitdir);
    const looseBefore = git(packed.dir, ['count-objects', '-v']);
    const expected = await commitAll(loose.repo, base, texts);
    const commits = await commitAll(packed.repo, base, texts, pack);
    pack.write();
    expect(commits).toEqual(expected);
    expect(pack.written).toHaveLength(1);
    git(packed.dir, ['fsck', '--full', '--strict']);
    // Every version of the file, read back by git and by this library's own reader (its deltas applied).
    const reopened = await openRepo(packed.dir);
    const blobs = git(packed.dir, ['rev-parse', ...commits.map((commit) => `${commit}:memory/notes.md`)]).split('\n');
    for (const [i, blob] of blobs.entries()) {
      expect((await readRawObject(reopened, blob))?.content.toString('utf8')).toBe(texts[i]);
      if (i % 10 === 0 || i === blobs.length - 1) expect(`${git(packed.dir, ['cat-file', 'blob', blob])}\n`).toBe(texts[i]);
    }
    // Versions are deltas of the next (the newest whole), no chain longer than git's default of 50.
    const stats = git(packed.dir, ['verify-pack', '-v', path.join(packed.repo.gitdir, 'objects', 'pack', `${pack.written[0]}.idx`)]);
    const chains = [...stats.matchAll(/chain length = (\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...chains)).toBe(49);
    const packFile = readdirSync(path.join(packed.repo.gitdir, 'objects', 'pack')).find((n) => n === `${pack.written[0]}.pack`);
    expect(packFile).toBeDefined();
    // No loose object was written for the packed commits.
    expect(git(packed.dir, ['count-objects', '-v']).split('\n')[0]).toBe(looseBefore.split('\n')[0]);
  });

  it('writes nothing until asked, then one pack per batch of objects', async () => {
    const { repo, dir } = await tempRepo({ 'memory/notes.md': '# Notes\n' });
    const base = git(dir, ['rev-parse', 'HEAD']);
    const pack = new PackBuilder(repo.gitdir);
    const all = versions(400);
    const [first, second] = await commitAll(repo, base, all.slice(0, 2), pack);
    expect(() => git(dir, ['cat-file', '-e', first as string])).toThrow();
    pack.write();
    git(dir, ['cat-file', '-e', first as string]);
    pack.write();
    expect(pack.written).toHaveLength(1);
    // 3 objects a commit: past 1,024 objects a pack is written and the next begun, each complete on its own.
    const many = await commitAll(repo, second as string, all.slice(2), pack);
    pack.write();
    expect(pack.written.length).toBeGreaterThan(2);
    git(dir, ['fsck', '--full', '--strict']);
    expect(git(dir, ['rev-list', '--count', many.at(-1) as string])).toBe('401');
  });

  it('a last commit whose files are made as it writes them, compressed as they go in, is the commit the texts make', async () => {
    const texts = versions(12);
    const { repo, dir } = await tempRepo({ 'memory/notes.md': '# Notes\n', '.reverie/old.json': '{}\n' });
    const base = git(dir, ['rev-parse', 'HEAD']);
    const copy = await makeTempDir();
    cleanups.push(() => rm(copy, { recursive: true, force: true }));
    cpSync(dir, copy, { recursive: true });
    const plain = await openRepo(copy);
    const state = (i: number) => `${JSON.stringify({ sessions: Array.from({ length: 3000 }, (_, n) => `s${i}-${n}`) })}\n`;
    const last = (parent: string, i: number, made: boolean, pack?: PackBuilder) => {
      const files: [string, string | (() => string)][] = [
        ['memory/notes.md', texts[i] as string],
        ['.reverie/state.json', made ? () => state(i) : state(i)],
      ];
      return commitChanges(made ? repo : plain, { parent, changes: new Map(files), message: 'record\n', author, timestamp: 1767225600, ...(pack ? { pack, lastInPack: true } : {}) });
    };
    // Versions of memory/notes.md as deltas, then the last commit's: one of them a delta's base, compressed at once.
    const pack = new PackBuilder(repo.gitdir);
    const edits = await commitAll(repo, base, texts.slice(0, 8), pack);
    const tip = await last(edits.at(-1) as string, 8, true, pack);
    // The same path again after a last version (not what a cycle does): a new chain, whole.
    const after = await commitChanges(repo, { parent: tip, changes: new Map([['.reverie/state.json', () => state(9)]]), message: 'again\n', author, timestamp: 1767225601, pack });
    pack.write();
    const expectedEdits = await commitAll(plain, base, texts.slice(0, 8));
    const expectedTip = await last(expectedEdits.at(-1) as string, 8, false);
    const expectedAfter = await commitChanges(plain, { parent: expectedTip, changes: new Map([['.reverie/state.json', state(9)]]), message: 'again\n', author, timestamp: 1767225601 });
    expect([...edits, tip, after]).toEqual([...expectedEdits, expectedTip, expectedAfter]);
    git(dir, ['fsck', '--full', '--strict']);
    expect(`${git(dir, ['show', `${tip}:.reverie/state.json`])}\n`).toBe(state(8));
    expect(`${git(dir, ['show', `${after}:.reverie/state.json`])}\n`).toBe(state(9));
    const reopened = await openRepo(dir);
    expect((await readRawObject(reopened, git(dir, ['rev-parse', `${tip}:memory/notes.md`])))?.content.toString('utf8')).toBe(texts[8]);
    expect((await readRawObject(reopened, git(dir, ['rev-parse', `${edits[0]}:memory/notes.md`])))?.content.toString('utf8')).toBe(texts[0]);
  });
});

describe('deltaFrom', () => {
  it('makes, with git delta instructions, the target from the base for any two byte strings', () => {
    const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
    // Long stretches in common, with changes anywhere: what copies of 64 KiB and inserts of 127 bytes are for.
    const long = fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 200 }), bytes, fc.integer({ min: 0, max: 255 })).map(([length, cut, insert, fill]) => {
      const base = Buffer.alloc(length, fill);
      for (let i = 0; i < length; i += 997) base[i] = i % 251;
      const at = Math.min(length, Math.floor(length / 2) + cut);
      return [base, Buffer.concat([base.subarray(0, at), insert, base.subarray(Math.min(length, at + cut))])] as const;
    });
    fc.assert(
      fc.property(fc.oneof(fc.tuple(bytes, bytes), long), ([base, target]) => {
        expect(applyDelta(base, deltaFrom(base, target)).equals(target)).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
