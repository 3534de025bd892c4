/**
 * Counterexamples the properties in plan.test.ts found, shrunk and rewritten as plain tests. `it.fails` marks a bug
 * still in src/; when one is fixed, its test starts to fail here: drop the `.fails`, and set the matching flag in
 * `KNOWN_BUGS` (arbitraries.ts) to false so the property covers that ground again.
 */
import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { emptyState, planCycle } from '../../../src/dream/plan.js';
import type { Plan, PlanInput } from '../../../src/dream/types.js';
import { buildSnapshot, parseDocument, removeEntry, type Namespace, type SourceFile } from '../../../src/memory/index.js';
import type { Session } from '../../../src/sessions/types.js';
import { npmThenPnpm, session } from '../../helpers/sessions.js';
import { readFileSync } from 'node:fs';
import { filesOf, inputOf, prepare, type Scenario } from './arbitraries.js';

const PROTECTED: Namespace = { name: 'instructions', paths: ['instructions/**'], policy: 'protected' };
const NOTES: Namespace = { name: 'notes', paths: ['**/*.md'], policy: 'dream' };
const TOOLS: Namespace = { name: 'tools', paths: ['tools.md'], policy: 'dream' };

/** A plan over files whose entries earlier cycles wrote (so that they may be merged, resolved and pruned). */
function plan(files: SourceFile[], namespaces: Namespace[], sessions: Session[] = []): { input: PlanInput; plan: Plan } {
  const input = inputOf(files, namespaces, sessions, emptyState(), 2, files.map((f) => f.path));
  return { input, plan: planCycle(input) };
}

/** The memory after applying the plan, and the plan a second cycle with no new sessions makes on it. */
function rerun(input: PlanInput, first: Plan): { files: SourceFile[]; again: Plan } {
  const files = [...applyActions(filesOf(input), first.actions)].map(([path, text]) => ({ path, text }));
  const again = planCycle({ ...inputOf(files, input.memory.namespaces, [], first.state, input.options.minSessions, files.map((f) => f.path)), cycle: '20261202-000000' });
  return { files, again };
}

const day = (n: number) => `2026-11-0${n}T10:00:00.000Z`;

describe('regressions found by the planCycle properties', () => {
  // Bug 1. src/memory/edit.ts removeEntry: when the entry is the first block of the file, the only candidate splice
  // removes it with the blank line after it, so the file then starts with `---`; with a second `---` further down,
  // the two thematic breaks now parse as YAML front matter, othersIntact() refuses, and UnsafeEditError is thrown.
  // There is no fallback candidate that keeps a blank line in front (the `insert: eol` one is only offered when both
  // neighbours are non-blank). src/dream/curate/workspace.ts propose()/apply() does not catch the resulting
  // ActionConflictError, so the whole planCycle throws (and `reverie dream` fails) instead of dropping the one action.
  // Actual: ActionConflictError "prune … no longer applies: memory/notes.md: the edit would change other parts of the file".
  const RULED = '- Use yarn for installs.\n\n---\n\nMore notes below the line.\n\n---\n';

  it('bug 1: removing the first entry of a file with two `---` rules does not throw', () => {
    const blocks = (text: string) => parseDocument('memory/notes.md', text).blocks.filter((b) => b.kind !== 'blank').map((b) => [b.kind, b.raw.trim()]);
    const out = removeEntry(RULED, 'memory/notes.md', '- Use yarn for installs.\n');
    expect(blocks(out)).toEqual(blocks(RULED).slice(1));
  });

  it('bug 1: a prune of that entry does not make planCycle throw', () => {
    const files = [{ path: 'memory/notes.md', text: RULED }, { path: 'memory/instructions/CLAUDE.md', text: '- Never use yarn; install with pnpm.\n' }];
    const { plan: p } = plan(files, [PROTECTED, NOTES]);
    const named = [...p.actions, ...p.dropped.map((d) => d.action)].flatMap((a) => a.targets.map((t) => t.raw));
    expect(named).toContain('- Use yarn for installs.\n');
  });

  // Bug 2. src/dream/curate/action.ts makeAction: the identity of an action without an explicit one is the hashes
  // of its targets' trimmed raw text, without their paths, and the id is a hash of the fingerprint. The same note in
  // two files (two namespaces, so not merged) contradicting a protected instruction gives two prunes with the same
  // id and fingerprint. Actual: ids [a92dcff0, a92dcff0], fingerprint "prune:dcd12b2d2108" twice: the cycle record
  // and the commits carry one id for two actions, and rejecting one rejects the other.
  it('bug 2: two prunes of the same text in two files have different ids and fingerprints', () => {
    const npm = '- Install dependencies with `npm install`.\n';
    const files = [
      { path: 'memory/instructions/CLAUDE.md', text: '- Always use pnpm, never npm.\n' },
      { path: 'memory/notes.md', text: npm },
      { path: 'memory/tools.md', text: npm },
    ];
    const { plan: p } = plan(files, [PROTECTED, TOOLS, NOTES]);
    expect(p.actions.map((a) => `${a.type} ${a.paths.join(',')}`).sort()).toEqual(['prune memory/notes.md', 'prune memory/tools.md']);
    expect(new Set(p.actions.map((a) => a.id)).size).toBe(2);
    expect(new Set(p.actions.map((a) => a.fingerprint)).size).toBe(2);
  });

  // Bugs 3 and 4. src/dream/curate/contradictions.ts resolveAction appended "\n- Why: replaces the older note …" to the
  // kept note: the reason became an entry of its own under a paragraph, and its quote of the replaced note made the
  // kept note a duplicate of another in the next cycle. The reason now lives in the commit and the review only.
  const pnpmSessions = () => [npmThenPnpm('r1', 'claude', day(1)), npmThenPnpm('r2', 'codex', day(2), 'fix the login form')];

  it('bug 3: a resolve writes no reason into the memory file; the kept paragraph stays as it was', () => {
    const files = [{ path: 'memory/notes.md', text: '- Install dependencies with `npm install`.\n\nAlways use pnpm, never npm.\n' }];
    const { input, plan: p } = plan(files, [PROTECTED, NOTES], pnpmSessions());
    expect(p.actions.map((a) => a.type)).toEqual(['resolve']);
    const { files: after } = rerun(input, p);
    const entries = buildSnapshot(after, 'memory', [PROTECTED, NOTES]).files.flatMap((f) => f.entries.map((e) => e.text));
    expect(entries).toEqual(['Always use pnpm, never npm.']);
  });

  it('bug 4: after a resolve, the next cycle merges nothing', () => {
    const files = [
      { path: 'memory/notes.md', text: '- Install dependencies with `npm install`.\n- Always use pnpm, never npm.\n\nUse `pnpm install` for dependencies.\n' },
    ];
    const { input, plan: p } = plan(files, [PROTECTED, NOTES], pnpmSessions());
    expect(p.actions.map((a) => a.type)).toEqual(['resolve']);
    const { again } = rerun(input, p);
    expect(again.actions.map((a) => `${a.type}: ${a.summary}`)).toEqual([]);
  });

  // Bug 5. src/dream/curate/index.ts curate: contradictions are settled (planResolutions) before the patterns are
  // written (planPatternActions), and nothing checks what planPatternActions adds against the memory, protected
  // instructions included. A cycle writes a note that contradicts the protected instructions; the next cycle, with no
  // new sessions, prunes it ("contradicts protected instructions"). Memory the agent reads in between says both, and
  // a re-run over the same sessions is not "nothing new". Actual: cycle 1 adds "Use vitest, not pytest."; cycle 2
  // prunes it.
  const correction = (id: string, n: number) =>
    session({ id, agent: 'claude', start: day(n) }, [{ user: 'Fix the flaky cart test.' }, { assistant: 'Running pytest.' }, { user: 'no, use vitest, not pytest' }]);

  it('bug 5: a cycle leaves no note contradicting the protected instructions for the next cycle to prune', () => {
    const files = [{ path: 'memory/instructions/CLAUDE.md', text: '# Instructions\n\n- Run tests with `pytest`.\n' }];
    const { input, plan: p } = plan(files, [PROTECTED, NOTES], [correction('p1', 1), correction('p2', 2)]);
    const { again } = rerun(input, p);
    expect(again.actions.map((a) => `${a.type}: ${a.summary}`)).toEqual([]);
  });

  it('bug 5 (control): the same sessions without the protected instruction add the note, and a re-run is quiet', () => {
    const { input, plan: p } = plan([], [PROTECTED, NOTES], [correction('p1', 1), correction('p2', 2)]);
    expect(p.actions.map((a) => `${a.type}: ${a.content}`)).toEqual(['add: Use vitest, not pytest.']);
    expect(rerun(input, p).again.actions).toEqual([]);
  });

  // Bug 6. src/dream/curate/workspace.ts: `fresh` (entries this cycle wrote, which no other action of the cycle may
  // take back) was every entry whose exact raw text did not exist before an action. Removing the last entry of a file
  // that has no final line break takes the line break off the entry above it (edits keep the file's final-line-break
  // state), so that entry counted as written by the cycle. Entries are now compared without their trailing breaks.
  const RULES = { path: 'memory/instructions/CLAUDE.md', text: '- Never use yarn; install with pnpm.\n' };

  it('bug 6: an entry that only lost its final line break is not taken for one the cycle wrote', () => {
    const files = [RULES, { path: 'memory/notes.md', text: '# Notes\n\n- Staging resets on Sundays.\n- Use yarn for installs.\n- Run `yarn install` after pulling.' }];
    const { plan: p } = plan(files, [PROTECTED, NOTES]);
    expect(p.actions.map((a) => a.type)).toEqual(['prune', 'prune']);
  });

  it('bug 6 (control): with a final line break, both entries are pruned', () => {
    const files = [RULES, { path: 'memory/notes.md', text: '# Notes\n\n- Staging resets on Sundays.\n- Use yarn for installs.\n- Run `yarn install` after pulling.\n' }];
    const { plan: p } = plan(files, [PROTECTED, NOTES]);
    expect(p.actions.map((a) => a.type)).toEqual(['prune', 'prune']);
  });

  // Bug 7. src/dream/curate/index.ts: notes on opposite sides of a lesson (a failure showing something gone) were kept
  // apart from merging by this cycle's signal only; the next cycle, with no new sessions, had no signal and merged the
  // mistake note the first cycle added into an old note. Now the lessons come from the recorded patterns, so both
  // cycles keep the same notes apart.
  it('bug 7: a note added for a missing program is not merged by the next cycle (the scenario the property found)', () => {
    const scenario = JSON.parse(readFileSync(new URL('./cases/bug7.json', import.meta.url), 'utf8')) as Scenario;
    const input = prepare({ ...scenario, rejectMask: [] });
    const first = planCycle(input);
    expect(first.actions.map((a) => a.type)).toContain('add');
    expect(rerun(input, first).again.actions.map((a) => `${a.type}: ${a.summary}`)).toEqual([]);
  });

  // Bug 8. src/dream/curate/contradictions.ts: a pair was settled once per text, so of two copies of a note that
  // contradicts the protected rules only the first was pruned; the second stayed (merged away later) and the next
  // cycle pruned it.
  it('bug 8: every copy of a note against the protected rules is settled in one cycle', () => {
    const files = [
      { path: 'memory/instructions/CLAUDE.md', text: '1. The pricing service listens on port 8081 locally.\n' },
      { path: 'memory/tools.md', text: '- The pricing service listens on port 9090 locally.\n' },
      { path: 'memory/wiki/index.md', text: '- The pricing service listens on port 9090 locally.\n' },
    ];
    const { input, plan: first } = plan(files, [PROTECTED, NOTES]);
    expect(first.actions.map((a) => a.type)).toEqual(['prune', 'prune']);
    expect(rerun(input, first).again.actions).toEqual([]);
  });

  // Bug 9. src/dream/curate/workspace.ts: who wrote an entry was looked up by its exact text, and an entry that became
  // the file's last lost its final line break, and with it its author: read as a person's, it could not be merged until
  // the next cycle.
  it('bug 9: a note keeps its author when an edit makes it the last of its file', () => {
    const files = [{ path: 'memory/wiki/index.md', text: '* Install dependencies with `npm install`.\n- Install dependencies with `npm install`.\n  - Run the tests with `python -m pytest`.\n  - Prefer small commits with conventional commit messages.\n* Install dependencies with `npm install`.' }];
    const { input, plan: first } = plan(files, [PROTECTED, NOTES]);
    expect(first.actions.map((a) => a.type)).toEqual(['merge', 'merge']);
    expect(rerun(input, first).again.actions).toEqual([]);
  });

  // Bug 10. src/dream/plan.ts guardFor: a rejected action that repeats an earlier one of its plan is named with an
  // occurrence number (`#2`); the guard saw only the plain fingerprint and proposed it again.
  it('bug 10: a rejected second occurrence of an action is not proposed again', () => {
    const files = [
      { path: 'memory/instructions/deep/style.md', text: '- Install dependencies with `npm install`.\n' },
      { path: 'memory/notes.md', text: '- Always use pnpm, never npm.\n- Always use pnpm, never npm.\n' },
    ];
    const { input, plan: first } = plan(files, [PROTECTED, NOTES]);
    const repeated = first.actions.find((a) => a.fingerprint.endsWith('#2'));
    expect(repeated).toBeDefined();
    const state = { ...input.state, rejected: { [repeated?.fingerprint ?? '']: { cycle: '20261120-000000', reason: 'not wanted', summary: repeated?.summary ?? '' } } };
    const again = planCycle({ ...input, state });
    expect(again.actions.map((a) => a.fingerprint)).not.toContain(repeated?.fingerprint);
  });
});
