import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionConflictError, applyAction, applyActions, Replayer } from '../../../src/dream/apply.js';
import { makeAction } from '../../../src/dream/curate/action.js';
import { Workspace } from '../../../src/dream/curate/workspace.js';
import { planCycle } from '../../../src/dream/plan.js';
import type { Action } from '../../../src/dream/types.js';
import type { SourceFile } from '../../../src/memory/index.js';
import { npmThenPnpm } from '../../helpers/sessions.js';
import { filesOf, INBOX, planInput, snapshotOf } from './fixtures.js';

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

/** Each action's changes, applied by `apply`, and the files at the end. */
function replay(start: Map<string, string>, actions: Action[], apply: (files: Map<string, string>, action: Action) => Map<string, string>) {
  const steps: (Map<string, string> | string)[] = [];
  for (const action of actions) {
    try {
      const changes = apply(start, action);
      for (const [path, text] of changes) start.set(path, text);
      steps.push(changes);
    } catch (error) {
      if (!(error instanceof ActionConflictError)) throw error;
      steps.push(error.message);
    }
  }
  return { steps, files: start };
}

describe('Replayer: a cycle written from what its curation recorded', () => {
  // Long enough that each edit is parsed between the headings around it.
  const long = `# Notes\n\n${Array.from({ length: 60 }, (_, s) => `## Topic ${s}\n\n${Array.from({ length: 8 }, (_, i) => `- Note ${i} of topic ${s}: run \`task ${s}-${i}\` first.\n`).join('')}`).join('\n')}`;
  const short = '# Tools\n\n- Use pnpm, not npm.\n- Use pnpm rather than npm.\n- The API listens on port 8081.\n';
  const files: SourceFile[] = [
    { path: INBOX, text: long },
    { path: 'memory/tools.md', text: short },
    { path: 'memory/last.md', text: '# Last\n\n- The first note.\n- The last note, without a final line break.' },
  ];

  function curated(): Action[] {
    // Notes an earlier cycle wrote: a cycle may prune and merge them without a session naming them.
    const workspace = new Workspace(snapshotOf(files, undefined, 'reverie'));
    const entry = (path: string, start: string) => {
      const found = workspace.entries().find((e) => e.path === path && e.text.startsWith(start));
      if (!found) throw new Error(`no entry ${start}`);
      return found;
    };
    const drafts = [
      () => makeAction({ type: 'prune', summary: 'prune', rationale: 'test', targets: [entry(INBOX, 'Note 3 of topic 10:')] }),
      () => makeAction({ type: 'merge', summary: 'merge', rationale: 'test', targets: [entry('memory/tools.md', 'Use pnpm, not'), entry('memory/tools.md', 'Use pnpm rather')], content: 'Use pnpm, never npm.' }),
      () => makeAction({ type: 'merge', summary: 'merge', rationale: 'test', targets: [entry(INBOX, 'Note 1 of topic 20:'), entry(INBOX, 'Note 2 of topic 20:'), entry(INBOX, 'Note 5 of topic 20:')], content: 'Note 1 of topic 20: run `task 20-1`, `task 20-2` and `task 20-5` first.' }),
      () => makeAction({ type: 'add', summary: 'add', rationale: 'test', content: 'Deploys go through staging.', destination: { path: INBOX, section: 'Topic 30' } }),
      () => makeAction({ type: 'update', summary: 'update', rationale: 'test', targets: [entry(INBOX, 'Note 7 of topic 59:')], content: 'Note 7 of topic 59: run `task 59-7` last.' }),
      () => makeAction({ type: 'prune', summary: 'prune', rationale: 'test', targets: [entry(INBOX, 'Note 6 of topic 59:')] }),
      () => makeAction({ type: 'prune', summary: 'prune', rationale: 'test', targets: [entry('memory/last.md', 'The last note')] }),
      () => makeAction({ type: 'add', summary: 'add', rationale: 'test', content: 'A note in a file of its own.', destination: { path: 'memory/new.md', section: 'New' } }),
    ];
    return drafts.map((draft) => {
      const action = draft();
      workspace.propose(action);
      expect(workspace.dropped).toEqual([]);
      return action;
    });
  }

  it('gives the bytes applyAction gives, taking every action from the record when nothing changed in between', () => {
    const actions = curated();
    const replayer = new Replayer();
    const taken = replay(filesOf(files), actions, (f, a) => replayer.apply(f, a));
    expect(taken).toEqual(replay(filesOf(files), actions, applyAction));
    expect(replayer.recorded).toBe(actions.length);
  });

  it('applies anew what the record no longer describes: another order, a file changed first, a redacted text', () => {
    const actions = curated();
    const reordered = [actions[1], actions[0], actions[3], actions[2], actions[7], actions[6], actions[5], actions[4]] as Action[];
    const replayer = new Replayer();
    expect(replay(filesOf(files), reordered, (f, a) => replayer.apply(f, a))).toEqual(replay(filesOf(files), reordered, applyAction));
    expect(replayer.recorded).toBeLessThan(actions.length);

    const moved = filesOf(files);
    moved.set(INBOX, `${long}\n## Added by hand\n\n- A note.\n`);
    const another = new Replayer();
    expect(replay(new Map(moved), actions, (f, a) => another.apply(f, a))).toEqual(replay(new Map(moved), actions, applyAction));
    expect(another.recorded).toBeLessThan(actions.length);

    const redacted = actions.map((a) => (a.type === 'add' ? { ...a, content: `${a.content} [REDACTED]` } : a));
    const third = new Replayer();
    expect(replay(filesOf(files), redacted, (f, a) => third.apply(f, actions[redacted.indexOf(a)] as Action, a))).toEqual(replay(filesOf(files), redacted, applyAction));
    expect(third.recorded).toBeLessThan(actions.length);
  });
});

describe('Replayer: actions left out or written later', { timeout: 120_000 }, () => {
  /**
   * A long file of topics: lists of notes, notes as paragraphs between blank lines, a topic of one note; some notes say
   * the same as a note of another topic.
   */
  const note = (s: number, i: number) => `Note ${i % 3 === 2 ? 'shared' : `${i} of topic ${s}`}: run \`task ${i}\` first.`;
  const topic = (s: number, notes: number) => {
    const body =
      s % 3 === 1
        ? Array.from({ length: notes }, (_, i) => `${note(s, i)}\n`).join('\n')
        : s % 5 === 4
          ? `- ${note(s, 0)}\n`
          : Array.from({ length: notes }, (_, i) => `- ${note(s, i)}\n`).join('');
    return `## Topic ${s}\n\n${body}`;
  };
  const topicFile = (topics: number, notes: number) => `# Notes\n\n${Array.from({ length: topics }, (_, s) => topic(s, notes)).join('\n')}`;

  /** An action as a test drafts one: which kind, which entries (by position among those there are), what it writes. */
  const draft = fc.record({
    kind: fc.constantFrom('prune', 'merge', 'update', 'add', 'add'),
    at: fc.nat(),
    other: fc.nat(),
    topic: fc.nat({ max: 30 }),
    words: fc.constantFrom('Deploys go through staging.', 'Note shared: run `task 2` first.', 'Run the linter before pushing.', 'Keep the cache warm.'),
  });

  it('gives the bytes applyAction gives in any order that moves some actions last or leaves them out, taking most from the record', () => {
    // Over the runs that move or leave out adds alone (an action that waits for a person is most often a new note).
    let recorded = 0;
    let actionsReplayed = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 24, max: 40 }),
        fc.array(draft, { minLength: 4, maxLength: 24 }),
        fc.array(fc.constantFrom('keep', 'keep', 'keep', 'later', 'out'), { minLength: 24, maxLength: 24 }),
        fc.boolean(),
        (topics, drafts, given, addsOnly) => {
          const files: SourceFile[] = [{ path: INBOX, text: topicFile(topics, 18) }];
          const workspace = new Workspace(snapshotOf(files, undefined, 'reverie'));
          const actions: Action[] = [];
          for (const [n, d] of drafts.entries()) {
            const entries = workspace.entries().filter((e) => e.path === INBOX);
            if (entries.length < 2) break;
            const a = entries[d.at % entries.length] as (typeof entries)[number];
            const b = entries[(d.at + 1 + (d.other % (entries.length - 1))) % entries.length] as (typeof entries)[number];
            const action =
              d.kind === 'add'
                ? makeAction({ type: 'add', summary: `add ${n}`, rationale: 'test', content: d.at % 2 === 0 ? `${d.words} (${n})` : d.words, destination: { path: INBOX, section: `Topic ${d.topic % topics}` } })
                : d.kind === 'prune'
                  ? makeAction({ type: 'prune', summary: `prune ${n}`, rationale: 'test', targets: [a] })
                  : d.kind === 'merge'
                    ? makeAction({ type: 'merge', summary: `merge ${n}`, rationale: 'test', targets: [a, b], content: d.words })
                    : makeAction({ type: 'update', summary: `update ${n}`, rationale: 'test', targets: [a], content: d.words });
            if (workspace.propose(action)) actions.push(action);
          }
          const fates = actions.map((action, i) => (addsOnly && action.type !== 'add' ? 'keep' : given[i]));
          const kept = actions.filter((_, i) => fates[i] === 'keep');
          const later = actions.filter((_, i) => fates[i] === 'later');
          const order = [...kept, ...later];
          const replayer = new Replayer();
          expect(replay(filesOf(files), order, (f, a) => replayer.apply(f, a))).toEqual(replay(filesOf(files), order, applyAction));
          if (addsOnly) {
            recorded += replayer.recorded;
            actionsReplayed += order.length;
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
    // The record is what most actions are taken from, moved past what was left out, not only when nothing was.
    expect(recorded).toBeGreaterThan(actionsReplayed / 2);
  });
});
