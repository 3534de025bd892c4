import { existsSync } from 'node:fs';
import { readFile, rm, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dream } from '../../src/index.js';
import { parseHashCache } from '../../src/sessions/hash-cache.js';
import { commitFiles, git, makeTempDir, writeFiles } from '../helpers/git.js';
import { npmMistakeSession } from '../helpers/transcript.js';

const CONFIG = `mode: auto
memory:
  root: memory
  namespaces:
    - name: notes
      paths: ["**/*.md"]
      policy: dream
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('the session hash cache of a cycle', () => {
  it('lives in the git directory, found through a `.git` file, and is never committed', async () => {
    const top = await makeTempDir();
    cleanups.push(() => rm(top, { recursive: true, force: true }));
    const dir = path.join(top, 'work');
    const gitdir = path.join(top, 'elsewhere.git');
    // The working tree's `.git` is a file that points at the real git directory, as for a submodule.
    git(top, ['init', '-q', '-b', 'main', `--separate-git-dir=${gitdir}`, dir]);
    const logs = { 'sessions/a/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'), 'sessions/b/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z') };
    await writeFiles(dir, { 'reverie.yaml': CONFIG, 'memory/notes.md': '# Notes\n', ...logs });
    // Written an hour ago: settled enough for their hashes to be remembered.
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const log of Object.keys(logs)) await utimes(path.join(dir, log), hourAgo, hourAgo);
    await commitFiles(dir, {});
    const now = new Date('2026-11-24T12:00:00Z');

    const first = await dream({ repoDir: dir, now });
    expect(first.outcome).toBe('committed');
    const cacheFile = path.join(gitdir, 'reverie', 'session-hashes.json');
    const cache = parseHashCache(await readFile(cacheFile, 'utf8'));
    expect([...cache.keys()].sort()).toEqual(Object.keys(logs).map((log) => path.join(dir, log)));
    expect(existsSync(path.join(dir, '.git', 'reverie'))).toBe(false);

    const second = await dream({ repoDir: dir, now });
    expect(second.outcome).toBe('nothing-new');
    expect(second.stats.sessions).toBe(2);
    expect(git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(git(dir, ['log', '--all', '--name-only', '--format='])).not.toContain('session-hashes');
  });
});
