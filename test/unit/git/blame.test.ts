import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { blameLines, introducedAt, openRepo } from '../../../src/git/index.js';
import { commitFiles, git, makeTempRepo } from '../../helpers/git.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const day = (n: number) => `2026-01-0${n}T00:00:00Z`;
const iso = (n: number) => `2026-01-0${n}T00:00:00.000Z`;

/**
 * day 1: A            (file created)
 * day 2: A B          (B added)
 * day 3: A B          (other file only)
 * day 4: A B C        (C added)
 * day 5: B C          (A removed)
 * day 6: B C A        (A back: it counts from day 6, not day 1)
 */
async function history() {
  const fixture = await makeTempRepo();
  cleanups.push(fixture.cleanup);
  const { dir } = fixture;
  await commitFiles(dir, { 'm.md': '- A\n' }, 'one', day(1));
  await commitFiles(dir, { 'm.md': '- A\n- B\n' }, 'two', day(2));
  await commitFiles(dir, { 'other.md': 'x\n' }, 'three', day(3));
  await commitFiles(dir, { 'm.md': '- A\n- B\n- C\n' }, 'four', day(4));
  await commitFiles(dir, { 'm.md': '- B\n- C\n' }, 'five', day(5));
  await commitFiles(dir, { 'm.md': '- B\n- C\n- A\n' }, 'six', day(6));
  return { dir, repo: await openRepo(dir) };
}

describe('introducedAt', () => {
  it('dates each text by the start of its unbroken presence', async () => {
    const { repo } = await history();
    const times = await introducedAt(repo, 'main', 'm.md', ['- A', '- B', '- C', '- missing']);
    expect(Object.fromEntries(times)).toEqual({ '- A': iso(6), '- B': iso(2), '- C': iso(4) });
  });

  it('gives text older than the window the oldest examined commit', async () => {
    const { repo } = await history();
    const times = await introducedAt(repo, 'main', 'm.md', ['- B'], { maxCommits: 3 });
    expect(times.get('- B')).toBe(iso(4));
  });

  it('dates text present since the first commit by that commit, and works from any ref', async () => {
    const { dir, repo } = await history();
    git(dir, ['branch', 'old', 'HEAD~2']);
    const times = await introducedAt(repo, 'old', 'm.md', ['- A', '- C']);
    expect(Object.fromEntries(times)).toEqual({ '- A': iso(1), '- C': iso(4) });
  });

  it('dates texts as a search of every version for each text does, whatever moves, repeats or comes back', { timeout: 120_000 }, async () => {
    // Versions of a long file made of few distinct lines, so that texts repeat, overlap and move; the file is absent
    // where a version is null.
    const line = fc.constantFrom('- A\n', '- B\n', '  - A\n', '- A B\n', '## S\n', '\n');
    const version = fc.option(fc.array(line, { minLength: 1, maxLength: 60 }).map((lines) => lines.join('')), { freq: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(version, { minLength: 1, maxLength: 6 }), fc.array(line, { minLength: 1, maxLength: 6 }), async (versions, asked) => {
        const fixture = await makeTempRepo();
        cleanups.push(fixture.cleanup);
        for (const [i, text] of versions.entries()) {
          if (text === null) git(fixture.dir, ['rm', '-q', '--ignore-unmatch', 'm.md']);
          await commitFiles(fixture.dir, text === null ? { 'other.md': `${i}\n` } : { 'm.md': text }, `v${i}`, day(i + 1));
        }
        const raws = [...asked, asked.join(''), ...(versions.at(-1)?.split(/(?<=\n)/) ?? [])];
        const times = await introducedAt(await openRepo(fixture.dir), 'main', 'm.md', raws);
        // The oldest version from which every later one holds the text, for the texts the newest holds.
        const expected = new Map<string, string>();
        for (const raw of raws) {
          let oldest = versions.length - 1;
          if (!(versions[oldest] ?? '').includes(raw) || versions[oldest] === null) continue;
          while (oldest > 0 && versions[oldest - 1] !== null && (versions[oldest - 1] as string).includes(raw)) oldest--;
          expected.set(raw, iso(oldest + 1));
        }
        expect(Object.fromEntries(times)).toEqual(Object.fromEntries(expected));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 25) },
    );
  });

  it('returns nothing for a file that does not exist', async () => {
    const { repo } = await history();
    expect((await introducedAt(repo, 'main', 'nope.md', ['- A'])).size).toBe(0);
  });
});

/** Native git's answer: the commit of each line of `path` at `ref`, from `git blame -l -s`. */
function nativeBlame(dir: string, ref: string, path: string): string[] {
  return git(dir, ['blame', '--root', '-l', '-s', ref, '--', path])
    .split('\n')
    .map((line) => line.slice(0, 40));
}

describe('blameLines', () => {
  it('names the commit that last wrote each line, as git blame does, in a linear history', async () => {
    const { dir, repo } = await history();
    await commitFiles(dir, { 'm.md': '- B\n- C, edited\n- A\n- D\n' }, 'seven', day(7));
    const blamed = await blameLines(repo, 'main', 'm.md');
    expect(blamed.map((b) => b.commit)).toEqual(nativeBlame(dir, 'main', 'm.md'));
    expect(blamed.map((b) => [b.line, b.text, b.sourceLine])).toEqual([
      [1, '- B', 2],
      [2, '- C, edited', 2],
      [3, '- A', 3],
      [4, '- D', 4],
    ]);
  });

  it('follows a branch merged with a merge commit to the branch commits that wrote its lines', async () => {
    const fixture = await makeTempRepo({ 'm.md': '# M\n\n- one\n- two\n' });
    cleanups.push(fixture.cleanup);
    const { dir } = fixture;
    git(dir, ['checkout', '-q', '-b', 'side']);
    const three = await commitFiles(dir, { 'm.md': '# M\n\n- one\n- two\n- three\n' }, 'side: three', day(2));
    const four = await commitFiles(dir, { 'm.md': '# M\n\n- one\n- two, better\n- three\n' }, 'side: two', day(3));
    git(dir, ['checkout', '-q', 'main']);
    const top = await commitFiles(dir, { 'm.md': '# Memory\n\n- one\n- two\n' }, 'main: title', day(4));
    git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge side', 'side'], { GIT_AUTHOR_DATE: day(5), GIT_COMMITTER_DATE: day(5) });
    const repo = await openRepo(dir);
    const blamed = await blameLines(repo, 'main', 'm.md');
    expect(blamed.map((b) => b.commit)).toEqual(nativeBlame(dir, 'main', 'm.md'));
    expect(blamed.map((b) => b.commit)).toEqual([top, fixture.head, fixture.head, four, three]);
  });

  it('blames only the lines asked for, and refuses a file that is not there', async () => {
    const { dir, repo } = await history();
    const [only] = await blameLines(repo, 'main', 'm.md', { lines: [2] });
    expect(only).toMatchObject({ line: 2, text: '- C', commit: nativeBlame(dir, 'main', 'm.md')[1] });
    await expect(blameLines(repo, 'main', 'nope.md')).rejects.toThrow(/no such file/);
    await expect(blameLines(repo, 'main', 'm.md', { lines: [4] })).rejects.toThrow(/has 3 lines/);
  });

  it('attributes a line that came back after a removal to the commit that brought it back', async () => {
    const { dir, repo } = await history();
    const blamed = await blameLines(repo, 'main', 'm.md');
    const six = git(dir, ['rev-parse', 'main']);
    expect(blamed.find((b) => b.text === '- A')?.commit).toBe(six);
  });
});
