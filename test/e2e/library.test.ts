import { afterEach, describe, expect, it } from 'vitest';
import { dream, listCycles, redact, redactText } from '../../src/index.js';
import { openContext } from '../../src/cycle/context.js';
import { commitFiles, git, makeTempRepo } from '../helpers/git.js';
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

describe('reverie as a library', () => {
  it('runs cycles in-process; two cycles in the same second get distinct ids', async () => {
    const repo = await makeTempRepo({
      'reverie.yaml': CONFIG,
      'memory/notes.md': '# Notes\n',
      'sessions/a/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
      'sessions/b/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z'),
    });
    cleanups.push(repo.cleanup);
    const now = new Date('2026-11-24T12:00:00Z');
    const phases: string[] = [];
    const first = await dream({ repoDir: repo.dir, now, onPhase: (p) => phases.push(p.phase) });
    expect(phases).toEqual(['review', 'extract', 'curate', 'commit', 'approve']);
    expect(first.cycle).toBe('20261124-120000');
    expect(first.merged).toBe(true);
    expect(first.actions.map((a) => a.type)).toEqual(['add']);

    await commitFiles(repo.dir, { 'sessions/a/s3.jsonl': npmMistakeSession('s3', '2026-11-04T09:00:00Z') });
    const second = await dream({ repoDir: repo.dir, now });
    expect(second.cycle).toBe('20261124-120000-2');
    // The mistake is in memory already; only the workflow that now recurs in three sessions is new.
    expect(second.actions.map((a) => [a.type, a.evidence.length])).toEqual([['add', 3]]);
    expect(second.actions[0]?.summary).toContain('pnpm install');
    expect(git(repo.dir, ['status', '--porcelain'])).toBe('');

    const cycles = await listCycles(await openContext(repo.dir));
    expect(cycles.map((c) => c.cycle).sort()).toEqual(['20261124-120000', '20261124-120000-2']);
  });

  it('exports both redactions: the readers\' table, and the exit pass with secretlint\'s preset for text on its way out', () => {
    const password = ['Sup3r', 'S3cret!x'].join('');
    const slack = ['xoxb-', '123456789012-', '1234567890123-', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('');
    const text = `the password ${password} works; the bot token is ${slack}`;
    expect(redactText(text)).not.toContain(password);
    expect(redactText(text)).not.toContain(slack);
    expect(redactText(text)).toMatch(/\[REDACTED:[a-z-]+\]/);
    expect(redact(text)).not.toContain(slack);
  });
});
