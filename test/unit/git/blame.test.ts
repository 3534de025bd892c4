import { afterEach, describe, expect, it } from 'vitest';
import { introducedAt, openRepo } from '../../../src/git/index.js';
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

  it('returns nothing for a file that does not exist', async () => {
    const { repo } = await history();
    expect((await introducedAt(repo, 'main', 'nope.md', ['- A'])).size).toBe(0);
  });
});
