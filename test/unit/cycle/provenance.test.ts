import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../../../src/cycle/context.js';
import { explainFile, groupByOrigin, parseLineSpec, type LineProvenance } from '../../../src/cycle/provenance.js';
import { TEST_CONFIG } from '../../helpers/config.js';
import { commitFiles, git, makeTempRepo } from '../../helpers/git.js';
import { actionMessage, revertMessage, squashMessage, stateMessage } from '../../helpers/messages.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const BEFORE = '# Notes\n\n## Tools\n\n- Install with npm.\n';
const AFTER = '# Notes\n\n## Tools\n\n- Install with pnpm; npm fails on workspaces.\n\n## Preferences\n\n- Write dates in ISO 8601.\n';

/** The record of a cycle with an update and an add, written as a cycle writes it (only what `why` reads matters). */
const RECORD = {
  cycle: '20261102-090000',
  branch: 'reverie/dream-20261102-090000',
  base: '0'.repeat(40),
  engine: 'heuristic',
  mode: 'review',
  created: '2026-11-02T09:00:00.000Z',
  stats: { sessions: 2, new_sessions: 2, patterns: 2, noise: 0, entries: 1, tokens_before: 1, tokens_after: 1, warnings: 0 },
  actions: [
    {
      id: 'aaaa0001',
      type: 'update',
      paths: ['memory/notes.md'],
      summary: 'correct the install command',
      rationale: 'npm failed in two sessions.',
      evidence: [
        { sessionId: 's1', agent: 'coding-agent', quote: 'npm error Unsupported URL Type "workspace:"', turn: 2 },
        { sessionId: 's2', agent: 'review-agent', quote: 'npm error again' },
      ],
      targets: [{ path: 'memory/notes.md', id: 'x', raw: '- Install with npm.' }],
      content: 'Install with pnpm; npm fails on workspaces.',
      fingerprint: 'f1',
      patterns: [],
    },
    {
      id: 'aaaa0002',
      type: 'add',
      paths: ['memory/notes.md'],
      summary: 'preference: ISO dates',
      rationale: 'Asked for twice.',
      evidence: [{ sessionId: 's3', agent: 'coding-agent', quote: 'Always ISO 8601 dates' }],
      targets: [],
      content: 'Write dates in ISO 8601.',
      destination: { path: 'memory/notes.md', section: 'Preferences' },
      fingerprint: 'f2',
      patterns: [],
    },
  ],
  dropped: [],
};

/** A cycle squashed on GitHub, then a hand edit, then a revert of the update by hand. */
async function squashedThenEdited() {
  const fixture = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': BEFORE });
  cleanups.push(fixture.cleanup);
  const { dir } = fixture;
  const cycle = RECORD.cycle;
  const messages = [actionMessage(cycle, 'aaaa0001', 'update'), actionMessage(cycle, 'aaaa0002', 'add'), stateMessage(cycle)];
  const squash = await commitFiles(dir, { 'memory/notes.md': AFTER, [`.reverie/cycles/${cycle}.json`]: `${JSON.stringify(RECORD, null, 2)}\n` }, squashMessage('Dream cycle (#9)', messages), '2026-11-03T10:00:00Z');
  const edit = await commitFiles(dir, { 'memory/notes.md': AFTER.replace('# Notes', '# Team notes') }, 'docs: retitle', '2026-11-04T10:00:00Z');
  const revert = await commitFiles(dir, { 'memory/notes.md': AFTER.replace('# Notes', '# Team notes').replace('- Install with pnpm; npm fails on workspaces.', '- Install with npm.') }, revertMessage(cycle, 'aaaa0001', squash), '2026-11-05T10:00:00Z');
  return { dir, head: fixture.head!, squash, edit, revert, context: await openContext(dir) };
}

describe('explainFile', () => {
  it('explains hand-written, reverted and squashed lines of a file at main', async () => {
    const { head, squash, edit, revert, context } = await squashedThenEdited();
    const { file, main, lines } = await explainFile(context, 'memory/notes.md');
    expect(file).toBe('memory/notes.md');
    expect(main).toBe(revert);
    const byText = (text: string) => lines.find((l) => l.text === text)!.origin;

    expect(byText('# Team notes')).toEqual({ kind: 'hand-written', commit: edit, subject: 'docs: retitle', author: { name: 'Test', email: 'test@example.com' }, date: '2026-11-04T10:00:00.000Z' });
    expect(byText('## Tools')).toMatchObject({ kind: 'hand-written', commit: head });
    expect(byText('- Install with npm.')).toMatchObject({
      kind: 'revert',
      commit: revert,
      reverted: [{ commit: squash, cycle: RECORD.cycle, action_id: 'aaaa0001', type: 'update', summary: 'correct the install command' }],
    });
    expect(byText('- Write dates in ISO 8601.')).toEqual({
      kind: 'action',
      commit: squash,
      subject: 'Dream cycle (#9)',
      author: { name: 'Test', email: 'test@example.com' },
      date: '2026-11-03T10:00:00.000Z',
      cycle: RECORD.cycle,
      engine: 'heuristic',
      exact: true,
      actions: [{ cycle: RECORD.cycle, id: 'aaaa0002', type: 'add', summary: 'preference: ISO dates', rationale: 'Asked for twice.', evidence: [{ session_id: 's3', agent: 'coding-agent', quote: 'Always ISO 8601 dates' }] }],
    });
    // A heading the squash added matches neither action's content: both are listed.
    const heading = byText('## Preferences');
    expect(heading).toMatchObject({ kind: 'action', exact: false });
    expect(heading.kind === 'action' && heading.actions.map((a) => a.id)).toEqual(['aaaa0001', 'aaaa0002']);
  });

  it('explains only the lines asked for, finds a file from the memory root, and refuses what is not there', async () => {
    const { context } = await squashedThenEdited();
    const { file, lines } = await explainFile(context, 'notes.md', { from: 9, to: 9 });
    expect(file).toBe('memory/notes.md');
    expect(lines).toEqual([expect.objectContaining({ line: 9, text: '- Write dates in ISO 8601.' })]);
    await expect(explainFile(context, 'memory/notes.md', { from: 40, to: 40 })).rejects.toThrow(/has 9 lines/);
    await expect(explainFile(context, 'memory/nope.md')).rejects.toThrow(/not a file on main/);
  });

  it('names a reverted commit that carried no action by its subject', async () => {
    const { dir, edit, context } = await squashedThenEdited();
    git(dir, ['revert', '--no-edit', edit], { GIT_COMMITTER_DATE: '2026-11-06T10:00:00Z' });
    const { lines } = await explainFile(context, 'memory/notes.md', { from: 1, to: 1 });
    expect(lines[0]).toMatchObject({ text: '# Notes', origin: { kind: 'revert', reverted: [{ commit: edit, action_id: null, summary: 'docs: retitle' }] } });
  });
});

describe('parseLineSpec and groupByOrigin', () => {
  it('reads a file with an optional line or range', () => {
    expect(parseLineSpec('memory/notes.md')).toEqual({ file: 'memory/notes.md' });
    expect(parseLineSpec('memory/notes.md:7')).toEqual({ file: 'memory/notes.md', range: { from: 7, to: 7 } });
    expect(parseLineSpec('memory/notes.md:3-5')).toEqual({ file: 'memory/notes.md', range: { from: 3, to: 5 } });
    expect(() => parseLineSpec('memory/notes.md:5-3')).toThrow(/range/);
  });

  it('groups consecutive lines with the same origin, and only consecutive ones', () => {
    const hand = (commit: string) => ({ kind: 'hand-written' as const, commit, subject: '', author: { name: '', email: '' }, date: '' });
    const line = (n: number, commit: string): LineProvenance => ({ line: n, text: `l${n}`, origin: hand(commit) });
    const groups = groupByOrigin([line(1, 'a'), line(2, 'a'), line(3, 'b'), line(4, 'a'), line(6, 'a')]);
    expect(groups.map((g) => [g.from, g.to, g.origin.commit])).toEqual([
      [1, 2, 'a'],
      [3, 3, 'b'],
      [4, 4, 'a'],
      [6, 6, 'a'],
    ]);
  });
});
