import { describe, expect, it } from 'vitest';
import { makeAction } from '../../../src/dream/curate/action.js';
import { Workspace } from '../../../src/dream/curate/workspace.js';
import { entriesOf, type Entry } from '../../../src/memory/index.js';
import { parseDocumentWhole } from '../../../src/memory/markdown.js';
import { INBOX, snapshotOf } from './fixtures.js';

describe('the workspace: memory as the planned actions leave it', () => {
  it('who wrote an entry follows its file: the same words are a cycle\'s in the inbox and a person\'s in their own file', () => {
    const line = 'Run `make check` before every push.';
    const memory = snapshotOf([
      { path: INBOX, text: `# Notes\n\n- ${line}\n` },
      { path: 'memory/tools.md', text: `# Tools\n\n- ${line}\n` },
    ]);
    for (const file of memory.files) for (const entry of file.entries) entry.writtenBy = file.path === INBOX ? 'reverie' : 'person';
    const workspace = new Workspace(memory);
    const add = makeAction({ type: 'add', summary: 'add', rationale: 'test', content: 'Deploys go through staging.', destination: { path: INBOX, section: 'Notes' } });
    expect(workspace.propose(add)).toBe(true);
    // The inbox was parsed again after the add; the person's file was not.
    const writers = workspace.entries().map((e) => [e.path, e.text, e.writtenBy]);
    expect(writers).toContainEqual([INBOX, line, 'reverie']);
    expect(writers).toContainEqual(['memory/tools.md', line, 'person']);
  });
});

describe('the workspace on a long file', () => {
  it('finds each entry on its line after every action, and lists the entries a whole parse of the text gives', () => {
    const part = (k: number) => `## Part ${k}\n\n${Array.from({ length: 60 }, (_, i) => `- Note ${k}.${i} about the build step ${i % 7}.\n`).join('')}\n`;
    const memory = snapshotOf([{ path: INBOX, text: `# Notes\n\n${Array.from({ length: 12 }, (_, k) => part(k)).join('')}` }], undefined, 'reverie');
    const workspace = new Workspace(memory);
    const whole = () => entriesOf(parseDocumentWhole(INBOX, workspace.text(INBOX) ?? ''), 'notes', 'dream');
    for (const k of [3, 9, 1, 6]) {
      const add = makeAction({ type: 'add', summary: 'add', rationale: 'test', content: `Part ${k} runs its checks first.\nThen it builds.`, destination: { path: INBOX, section: `Part ${k}` } });
      expect(workspace.propose(add)).toBe(true);
      // Asked by text before the whole list is read: found on the line a parse of the text gives.
      for (const probe of [`- Note 11.${k}`, `- Note 0.${k}`, `- Note ${k}.59`]) {
        const expected = whole().find((e) => e.raw.startsWith(`${probe} `));
        expect(workspace.find({ id: expected?.id ?? '', path: INBOX, raw: expected?.raw ?? '' })).toMatchObject({ line: expected?.line, section: expected?.section });
      }
    }
    const strip = ({ introducedAt: _i, writtenBy: _w, ...entry }: Entry) => entry;
    expect(workspace.entries().map(strip)).toEqual(whole());
    // One object per entry, however it was read.
    const listed = workspace.entries();
    expect(workspace.snapshot.files[0]?.entries.every((entry, i) => entry === listed[i])).toBe(true);
  });
});
