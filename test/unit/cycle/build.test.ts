/**
 * buildCycle is where every cycle, replay and rebuild writes to git: what it writes must hold no secret, whatever an
 * engine handed it (a model that repeats a token, an extractor that quotes more than it should).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildCycle } from '../../../src/cycle/build.js';
import { openContext } from '../../../src/cycle/context.js';
import { emptyState } from '../../../src/dream/plan.js';
import type { CycleRecord } from '../../../src/dream/state.js';
import type { Action } from '../../../src/dream/types.js';
import { entryId } from '../../../src/memory/index.js';
import { TEST_CONFIG } from '../../helpers/config.js';
import { git, makeTempRepo } from '../../helpers/git.js';

// Secrets are assembled at run time so that no scanner mistakes this file for a leak.
const j = (...parts: string[]): string => parts.join('');
const SHOPIFY = j('shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
const LINEAR = j('lin_api_', 'c0ffee11d00d22bead33cafe44f00d55aa66bb77');
const SECRETS = [SHOPIFY, LINEAR, 'Mango7Tango', 'Sup3rS3cret!x', '48213957'];

const NOTES_PATH = 'memory/notes.md';
const KEPT = `- The shop sync runs nightly; its token is ${SHOPIFY}.`;
const NOTES = `# Notes\n\n## Tools\n\n- Install dependencies with \`npm install\`.\n${KEPT}\n`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function action(fields: Partial<Action> & Pick<Action, 'id' | 'type'>): Action {
  return { paths: [NOTES_PATH], summary: '', rationale: '', evidence: [], targets: [], fingerprint: fields.id, patterns: [], ...fields };
}

describe('buildCycle', () => {
  it('writes no secret into memory, commit messages, the state or the record, and applies actions on entries that hold one', async () => {
    const repo = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, [NOTES_PATH]: NOTES });
    cleanups.push(repo.cleanup);
    const context = await openContext(repo.dir);
    const base = git(repo.dir, ['rev-parse', 'main']);
    const npm = '- Install dependencies with `npm install`.\n';
    const actions = [
      action({
        id: 'a1',
        type: 'add',
        summary: `use ${SHOPIFY} for the shop`,
        rationale: 'mysql -u root -pMango7Tango worked in two sessions',
        evidence: [{ sessionId: 's1', agent: 'bot', quote: 'the password Sup3rS3cret!x was refused' }],
        content: `Sync issues with \`issue-sync --key ${LINEAR}\`; the staging pin is 48213957.`,
        destination: { path: NOTES_PATH, section: 'Tools' },
      }),
      action({ id: 'a2', type: 'update', summary: 'use pnpm', rationale: 'seen twice', targets: [{ path: NOTES_PATH, id: entryId(NOTES_PATH, npm), raw: npm }], content: `Install dependencies with \`pnpm install\` (token ${SHOPIFY}).` }),
    ];
    const state = emptyState();
    state.patterns['p1'] = { kind: 'fact', statement: `shop token ${SHOPIFY}`, sessions: ['s1'], agents: ['bot'], quotes: [{ sessionId: 's1', agent: 'bot', quote: `curl -u deploy:${'Kiwi88Lime'} worked` }], terms: [] };
    const record: CycleRecord = {
      cycle: '20261124-101010',
      branch: 'reverie/dream-20261124-101010',
      base,
      engine: 'claude',
      mode: 'review',
      created: '2026-11-24T10:10:10.000Z',
      stats: { sessions: 1, new_sessions: 1, patterns: 1, noise: 0, entries: 2, tokens_before: 0, tokens_after: 0, warnings: 0 },
      actions,
      dropped: [{ id: 'a3', type: 'add', summary: `note with ${LINEAR}`, reason: 'its text holds what looks like a secret' }],
    };
    const built = await buildCycle(context.repo, { parent: base, actions, state, record, memoryRoot: 'memory', author: { name: 'reverie', email: 'reverie@example.com' }, timestamp: 1795000000, stateSubject: 'record cycle' });

    expect(built.skipped).toEqual([]);
    expect(built.actions.map((a) => a.id)).toEqual(['a1', 'a2']);
    // Everything the cycle added: the diff's added lines, every message, the state and record files.
    const diff = git(repo.dir, ['log', '-p', '--format=%B', `${base}..${built.tip}`]);
    const added = diff.split('\n').filter((line) => !line.startsWith('-') && !line.startsWith(' '));
    for (const secret of [...SECRETS, 'Kiwi88Lime']) expect(added.join('\n'), secret).not.toContain(secret);
    expect(diff).toContain('[REDACTED:secretlint-linear]');
    expect(diff).toContain('[REDACTED:pin]');
    // The hand-written entry with a secret is memory as it stands: lint reports it, a cycle does not rewrite it.
    expect(git(repo.dir, ['show', `${built.tip}:${NOTES_PATH}`])).toContain(KEPT);
    expect(built.record.actions.map((a) => a.summary)).toEqual(['use [REDACTED:secretlint-shopify] for the shop', 'use pnpm']);
  });
});
