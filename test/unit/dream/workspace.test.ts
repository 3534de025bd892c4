import { describe, expect, it } from 'vitest';
import { makeAction } from '../../../src/dream/curate/action.js';
import { Workspace } from '../../../src/dream/curate/workspace.js';
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
