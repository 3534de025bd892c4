import { describe, expect, it } from 'vitest';
import { ActionConflictError, applyAction, applyActions } from '../../../src/dream/apply.js';
import { planCycle } from '../../../src/dream/plan.js';
import type { Action } from '../../../src/dream/types.js';
import type { SourceFile } from '../../../src/memory/index.js';
import { npmThenPnpm } from '../../helpers/sessions.js';
import { filesOf, INBOX, planInput } from './fixtures.js';

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`;
const npmFails = () => [npmThenPnpm('s1', 'claude', day(1)), npmThenPnpm('s2', 'codex', day(2), 'fix the login form')];

/** Memory with files a cycle has no reason to touch, in shapes that a careless rewrite would normalise. */
const FILES: SourceFile[] = [
  {
    path: INBOX,
    text:
      '# Notes\n\n' +
      '* Install dependencies with `npm install`.\n' +
      '* The pricing service listens on port 8081 locally.\n' +
      '* Locally, the pricing svc listens on port 8081.\n',
  },
  { path: 'memory/instructions/style.md', text: '# Style\r\n\r\n- Named exports only.\r\n- Prefer `const`.   \r\n' },
  { path: 'memory/team.md', text: '---\ntitle: team\n---\n# Team\n\n1. Ask Dana about billing\n2. Ask Lee about CI\n\n\n<!-- keep -->\n' },
  { path: 'memory/no-final-newline.md', text: '- a note without a final line break' },
  { path: 'reverie.yaml', text: 'mode: review\n' },
];

function plan() {
  return planCycle(planInput({ files: FILES, sessions: npmFails(), writtenBy: 'reverie' }));
}

describe('applyActions', () => {
  it('changes only the files the actions name; every other file is byte-identical', () => {
    const { actions } = plan();
    expect(actions.map((a) => a.type).sort()).toEqual(['merge', 'update']);
    const before = filesOf(FILES);
    const after = applyActions(before, actions);
    const touched = new Set(actions.flatMap((a) => a.paths));
    expect([...touched]).toEqual([INBOX]);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [path, text] of before) {
      if (!touched.has(path)) expect(after.get(path)).toBe(text);
    }
    expect(after.get(INBOX)).not.toBe(before.get(INBOX));
  });

  it('rewrites an entry in the shape of the one it replaces and leaves the rest of the file as it was', () => {
    const { actions } = plan();
    const update = actions.find((a) => a.type === 'update') as Action;
    const after = applyActions(filesOf(FILES), [update]).get(INBOX) ?? '';
    expect(after).toBe(
      '# Notes\n\n' +
        `* ${update.content}\n` +
        '* The pricing service listens on port 8081 locally.\n' +
        '* Locally, the pricing svc listens on port 8081.\n',
    );
  });

  it('does not change the map it is given, and gives the same bytes every time', () => {
    const { actions } = plan();
    const input = filesOf(FILES);
    const copy = new Map(input);
    const a = applyActions(input, actions);
    const b = applyActions(input, actions);
    expect(input).toEqual(copy);
    expect(b).toEqual(a);
  });

  it('an add creates the inbox when it does not exist yet', () => {
    const files = [{ path: 'memory/team.md', text: '# Team\n\n- Ask Dana about billing\n' }];
    const { actions } = planCycle(planInput({ files, sessions: npmFails() }));
    expect(actions.map((a) => a.type)).toEqual(['add']);
    const after = applyActions(filesOf(files), actions);
    expect(after.get('memory/team.md')).toBe(files[0]?.text);
    expect(after.get(INBOX)).toBe(`## Mistakes to avoid\n\n- ${actions[0]?.content}\n`);
  });

  it('still applies after unrelated edits elsewhere in the target file', () => {
    const { actions } = plan();
    const update = actions.find((a) => a.type === 'update') as Action;
    const moved = filesOf(FILES);
    moved.set(INBOX, `${moved.get(INBOX)}* Added on main while the cycle ran.\n`);
    const after = applyActions(moved, [update]).get(INBOX) ?? '';
    expect(after).toContain(`* ${update.content}\n`);
    expect(after).toContain('* Added on main while the cycle ran.\n');
    expect(after).not.toContain('Install dependencies with `npm install`.');
  });

  it('throws ActionConflictError when the entry an action targets has changed', () => {
    const { actions } = plan();
    const update = actions.find((a) => a.type === 'update') as Action;
    const edited = filesOf(FILES);
    edited.set(INBOX, (edited.get(INBOX) ?? '').replace('Install dependencies with `npm install`.', 'Install dependencies with `npm ci`.'));
    let thrown: unknown;
    try {
      applyActions(edited, [update]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ActionConflictError);
    expect((thrown as ActionConflictError).action).toBe(update);
    expect((thrown as ActionConflictError).message).toContain(update.id);
  });

  it('throws ActionConflictError for each kind of action whose target is gone', () => {
    const { actions } = plan();
    const emptied = filesOf(FILES);
    emptied.set(INBOX, '# Notes\n');
    for (const action of actions) expect(() => applyAction(emptied, action)).toThrow(ActionConflictError);
    const deleted = filesOf(FILES);
    deleted.delete(INBOX);
    for (const action of actions) expect(() => applyAction(deleted, action)).toThrow(ActionConflictError);
  });

  it('a second application of the same action no longer applies', () => {
    const { actions } = plan();
    const merge = actions.find((a) => a.type === 'merge') as Action;
    const once = applyActions(filesOf(FILES), [merge]);
    expect(() => applyActions(once, [merge])).toThrow(ActionConflictError);
  });
});
