/**
 * The state in `.reverie/` as cycles write it: a file of sessions per cycle, pattern records in shards. A repository
 * whose state an older reverie wrote (one `processed.json`, one `patterns.json`) dreams on as if it had never been
 * written otherwise, and its first cycle replaces those files.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stableJson } from '../../src/dream/state.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { reverieJson } from '../helpers/cli.js';
import { commitFiles, git, makeMemoryRepo, type Files } from '../helpers/git.js';
import { stateAt, stateFilesAt } from '../helpers/state.js';
import { npmMistakeSession } from '../helpers/transcript.js';

const NOTES = `# Notes

## Tools

- The pricing service listens on port 8081.
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function repoWith(files: Files): Promise<string> {
  const repo = await makeMemoryRepo(files);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

interface DreamJson {
  cycle: string | null;
  outcome: string;
  actions: { type: string; paths: string[]; summary: string; evidence: string[] }[];
  stats: { new_sessions: number };
}

const FIRST: Files = {
  'reverie.yaml': TEST_CONFIG,
  'memory/notes.md': NOTES,
  'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
};
const SECOND: Files = { 'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test') };

/** main's state rewritten as reverie wrote it before this layout: every processed session in one file, every pattern in another. */
async function rewriteInOlderLayout(dir: string): Promise<void> {
  const state = stateAt(dir, 'main');
  const files: Files = Object.fromEntries([...stateFilesAt(dir, 'main').keys()].filter((p) => p !== '.reverie/rejected.json').map((p) => [p, null]));
  await commitFiles(dir, { ...files, '.reverie/processed.json': stableJson(state.processed), '.reverie/patterns.json': stableJson(state.patterns) }, 'the state as an older reverie wrote it');
}

/** What a cycle did, without what differs between two runs (cycle ids, commit ids). */
function actionsOf(result: DreamJson) {
  return result.actions.map(({ type, paths, summary, evidence }) => ({ type, paths, summary, evidence: [...evidence].sort() }));
}

/** The state without cycle ids, which are the time a cycle ran. */
function stateOf(dir: string) {
  const { processed, patterns } = stateAt(dir, 'main');
  return {
    processed: Object.fromEntries(Object.entries(processed).map(([hash, { id, source }]) => [hash, { id, source }])),
    patterns: Object.fromEntries(Object.entries(patterns).map(([key, { written: _written, ...record }]) => [key, record])),
  };
}

describe('the state in .reverie/', () => {
  it('a state in the older layout reads as the same state, and the first cycle replaces it', async () => {
    const older = await repoWith(FIRST);
    const newer = await repoWith(FIRST);
    for (const dir of [older, newer]) expect(reverieJson<DreamJson>(['dream', '--repo', dir]).outcome).not.toBe('nothing-new');
    await rewriteInOlderLayout(older);
    expect(git(older, ['ls-tree', '-r', '--name-only', 'main', '.reverie/processed', '.reverie/patterns'])).toBe('');
    expect(stateOf(older)).toEqual(stateOf(newer));
    // Nothing new to an older state as to a newer one: its sessions read as processed.
    expect(reverieJson<DreamJson>(['dream', '--repo', older]).outcome).toBe('nothing-new');

    for (const dir of [older, newer]) await commitFiles(dir, SECOND);
    const [fromOlder, fromNewer] = [older, newer].map((dir) => reverieJson<DreamJson>(['dream', '--repo', dir]));
    expect(fromOlder!.stats.new_sessions).toBe(1);
    expect(actionsOf(fromOlder!)).toEqual(actionsOf(fromNewer!));
    expect(actionsOf(fromOlder!).some((a) => a.evidence.join() === 's1,s2')).toBe(true);
    expect(git(older, ['show', 'main:memory/notes.md'])).toBe(git(newer, ['show', 'main:memory/notes.md']));
    expect(stateOf(older)).toEqual(stateOf(newer));
    const paths = git(older, ['ls-tree', '-r', '--name-only', 'main', '.reverie']).split('\n');
    expect(paths).not.toContain('.reverie/processed.json');
    expect(paths).not.toContain('.reverie/patterns.json');
    expect(paths.filter((p) => p.startsWith('.reverie/processed/'))).toHaveLength(2);
  });

  it('a cycle writes a file of its own sessions and the shards of the patterns it saw, and leaves earlier cycles\' files', async () => {
    const dir = await repoWith(FIRST);
    const first = reverieJson<DreamJson>(['dream', '--repo', dir]);
    const firstFile = `.reverie/processed/${first.cycle}.jsonl`;
    const blob = git(dir, ['rev-parse', `main:${firstFile}`]);
    await commitFiles(dir, SECOND);
    const second = reverieJson<DreamJson>(['dream', '--repo', dir]);
    const changed = git(dir, ['show', '--name-only', '--format=', 'main']).split('\n');
    expect(changed).toContain(`.reverie/processed/${second.cycle}.jsonl`);
    expect(changed).not.toContain(firstFile);
    expect(changed.filter((p) => p.startsWith('.reverie/') && !p.startsWith('.reverie/cycles/')).every((p) => /^\.reverie\/(processed\/.+\.jsonl|patterns\/[0-9a-f]{2}\.json)$/.test(p))).toBe(true);
    expect(git(dir, ['rev-parse', `main:${firstFile}`])).toBe(blob);
    expect(git(dir, ['show', `main:.reverie/processed/${second.cycle}.jsonl`])).toMatch(/^\["[0-9a-f]{64}","s2","sessions\/review-agent\/s2\.jsonl"\]$/);
  });
});
