import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { observeSession } from '../../../src/dream/extract/index.js';
import { emptyState, guardFor, planCycle } from '../../../src/dream/plan.js';
import { rememberRejected } from '../../../src/dream/state.js';
import type { Action, Plan } from '../../../src/dream/types.js';
import { buildSnapshot, estimateTokens, tokensOf, type Namespace, type SourceFile } from '../../../src/memory/index.js';
import type { Session } from '../../../src/sessions/types.js';
import { npmThenPnpm, session } from '../../helpers/sessions.js';
import { filesOf, INBOX, NAMESPACES, planInput, ROOT } from './fixtures.js';

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`;

/** Two sessions, two agents: `npm install` fails on the workspace protocol, `pnpm install` works. */
const npmFails = () => [npmThenPnpm('s1', 'claude', day(1)), npmThenPnpm('s2', 'codex', day(2), 'fix the login form')];

const notes = (...items: string[]): SourceFile => ({ path: INBOX, text: `# Notes\n\n${items.map((i) => `- ${i}\n`).join('')}` });

/** The memory after applying the plan, as entry texts per file. */
function entriesAfter(files: SourceFile[], plan: Plan, namespaces: Namespace[] = NAMESPACES): Record<string, string[]> {
  const applied = applyActions(filesOf(files), plan.actions);
  const snapshot = buildSnapshot(
    [...applied].map(([path, text]) => ({ path, text })),
    ROOT,
    namespaces,
  );
  return Object.fromEntries(snapshot.files.map((f) => [f.path, f.entries.map((e) => e.text)]));
}

const types = (actions: Action[]) => actions.map((a) => a.type);

describe('planCycle: duplicates', () => {
  it('paraphrased duplicates that cycles wrote, in one section, become one merge action', () => {
    const files = [
      notes(
        'The pricing service listens on port 8081 locally.',
        'Deploys go through the staging branch first.',
        'Locally, the pricing svc listens on port 8081.',
      ),
    ];
    const plan = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(types(plan.actions)).toEqual(['merge']);
    const [merge] = plan.actions as [Action];
    expect(merge.targets.map((t) => t.raw.trim()).sort()).toEqual([
      '- Locally, the pricing svc listens on port 8081.',
      '- The pricing service listens on port 8081 locally.',
    ]);
    expect(merge.paths).toEqual([INBOX]);
    const after = entriesAfter(files, plan)[INBOX] ?? [];
    expect(after).toHaveLength(2);
    expect(after).toContain('Deploys go through the staging branch first.');
    expect(after.filter((t) => t.includes('8081'))).toHaveLength(1);
  });

  it('paraphrases a person wrote are never merged without evidence; the same words twice in one section are', () => {
    const paraphrases = [notes('The pricing service listens on port 8081 locally.', 'Locally, the pricing svc listens on port 8081.')];
    expect(planCycle(planInput({ files: paraphrases })).actions).toEqual([]);
    const verbatim = [notes('Use pnpm for every install.', 'Deploys go through staging.', 'use pnpm for every install')];
    const plan = planCycle(planInput({ files: verbatim }));
    expect(types(plan.actions)).toEqual(['merge']);
    expect(entriesAfter(verbatim, plan)[INBOX]).toEqual(['Use pnpm for every install.', 'Deploys go through staging.']);
  });

  it('never merges across sections or subjects, and never into an entry that would lose a fact', () => {
    const sections = [{ path: INBOX, text: '# Notes\n\n## API\n\n- The pricing service listens on port 8081 locally.\n\n## Web\n\n- Locally, the pricing svc listens on port 8081.\n' }];
    expect(planCycle(planInput({ files: sections, writtenBy: 'reverie' })).actions).toEqual([]);
    const subjects = [notes('**Strategy A**: retry the pricing call three times, then fail.', '**Strategy B**: retry the pricing call three times, then queue it.')];
    expect(planCycle(planInput({ files: subjects, writtenBy: 'reverie' })).actions).toEqual([]);
    const facts = [notes('Run `make test` before pushing; CI runs the same target.', 'Before pushing, run `make test` and `make lint`.')];
    expect(planCycle(planInput({ files: facts, writtenBy: 'reverie' })).actions.filter((a) => a.type === 'merge')).toEqual([]);
  });

  it('notes that name different numbers ("port 8081" vs "port 9090") are not merged', () => {
    const files = [notes('The pricing service listens on port 8081 locally.', 'The pricing service listens on port 9090 locally.')];
    const plan = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(plan.actions.filter((a) => a.type === 'merge')).toEqual([]);
  });

  it('duplicates in a protected namespace are left alone', () => {
    const files = [
      {
        path: 'memory/instructions/services.md',
        text: '- The pricing service listens on port 8081 locally.\n- Locally, the pricing svc listens on port 8081.\n',
      },
    ];
    const plan = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(plan.actions).toEqual([]);
  });
});

describe('planCycle: contradictions', () => {
  // BUG (src/dream/curate/claims.ts, AVOID_WORDS and PREFER_WORDS): the captured tool name `[a-z][\w.+-]*` takes
  // the sentence's final period with it, so "Always use pnpm, never npm." avoids "npm." (not "npm") and the
  // contradiction with "Install dependencies with `npm install`." is never found. Actual plan: one `update` that
  // rewrites the npm note, no `resolve`. The same sentence without the final period gives the resolve below.
  it('"Install dependencies with `npm install`." vs "Always use pnpm, never npm." resolves in favour of pnpm', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    const resolves = plan.actions.filter((a) => a.type === 'resolve');
    expect(resolves).toHaveLength(1);
    expect(resolves[0]?.targets[0]?.raw).toBe('- Always use pnpm, never npm.\n');
    const after = entriesAfter(files, plan)[INBOX] ?? [];
    expect(after.some((t) => t.startsWith('Always use pnpm, never npm.'))).toBe(true);
    expect(after).not.toContain('Install dependencies with `npm install`.');
  });

  it('a contradiction is resolved in favour of the side the sessions back, with their evidence', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    const resolves = plan.actions.filter((a) => a.type === 'resolve');
    expect(resolves).toHaveLength(1);
    const [resolve] = resolves as [Action];
    expect(resolve.targets.map((t) => t.raw)).toEqual(['- Always use pnpm, never npm\n', '- Install dependencies with `npm install`.\n']);
    // The reason is in the commit, never in the memory file: the kept note stays as it was.
    expect(resolve.content).toBeUndefined();
    expect(new Set(resolve.evidence.map((e) => e.sessionId))).toEqual(new Set(['s1', 's2']));
    expect(resolve.rationale).toMatch(/session/);
    // Applying the resolve alone: the npm note is gone, the pnpm note stays.
    const applied = applyActions(filesOf(files), [resolve]);
    const entries = buildSnapshot([{ path: INBOX, text: applied.get(INBOX) ?? '' }], ROOT, NAMESPACES).files[0]?.entries ?? [];
    expect(entries.map((e) => e.text)).toEqual(['Always use pnpm, never npm']);
  });

  it('with no session evidence either way, nothing changes: the pair is a question for the review', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm')];
    for (const writtenBy of ['person', 'reverie'] as const) {
      const plan = planCycle(planInput({ files, writtenBy }));
      expect(plan.actions).toEqual([]);
      expect(plan.notices).toEqual([
        {
          kind: 'question',
          entries: [
            { path: INBOX, line: 3, text: 'Install dependencies with `npm install`.' },
            { path: INBOX, line: 4, text: 'Always use pnpm, never npm' },
          ],
          message: expect.stringMatching(/disagree .*no session shows which is right/),
        },
      ]);
    }
  });

  it('two sections may each have their own rule: notes of different sections are no contradiction', () => {
    const files = [{ path: INBOX, text: '# Notes\n\n## Legacy app\n\n- Install dependencies with `npm install`.\n\n## New app\n\n- Always use pnpm, never npm\n' }];
    const plan = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(plan.actions).toEqual([]);
    expect(plan.notices).toEqual([]);
  });

  // BUG (src/dream/curate/contradictions.ts, resolveAction; src/dream/curate/patterns.ts, isRefutedBy): the kept
  // note is annotated "- Why: replaces the older note "Install dependencies with `npm install`." ...". That quote
  // reads as a recommendation of `npm install`, so planPatternActions then finds the kept note refuted by the npm
  // mistake and rewrites it in the same cycle (actual actions: [resolve, update]; the update targets the note the
  // resolve just wrote and replaces "Always use pnpm, never npm" with the mistake statement).
  it('an action that would leave a heading with nothing under it is refused, and said so', () => {
    const protectedFile = { path: 'memory/instructions/tools.md', text: '# Tools\n\n- Always use pnpm, never npm\n' };
    const files = [protectedFile, notes('Install dependencies with `npm install`.')];
    const plan = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(plan.actions).toEqual([]);
    expect(plan.dropped.map((d) => d.reason)).toEqual(['the heading "Notes" (memory/notes.md:1) would have nothing under it']);
  });

  it('the note a resolve keeps is not rewritten later in the same cycle', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    expect(types(plan.actions)).toEqual(['resolve']);
    const after = entriesAfter(files, plan)[INBOX] ?? [];
    expect(after.some((t) => t.startsWith('Always use pnpm, never npm'))).toBe(true);
  });

  it('a note a cycle wrote that tells agents to do what the protected rules forbid in prose is pruned', () => {
    const rules = { path: 'memory/instructions/rules.md', text: '# Rules\n\n- Database migrations are append-only: never edit a migration that has been merged; add a new one.\n' };
    const files = [
      rules,
      notes(
        'To fix a merged migration, edit it directly and run `make migrate` again.',
        'Edit the seed data in `db/seed.sql`, then run `make seed`.',
        'Never edit generated files under `gen/`.',
      ),
    ];
    const plan = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(types(plan.actions)).toEqual(['prune']);
    expect(plan.actions[0]?.targets[0]?.raw).toContain('To fix a merged migration');
    // Written by a person, the same note stays; the owner is asked.
    const asked = planCycle(planInput({ files }));
    expect(asked.actions).toEqual([]);
    expect(asked.notices.map((n) => n.kind)).toEqual(['question']);
  });

  it('a dream note that contradicts a protected one is pruned; the protected file is in no action', () => {
    const protectedFile = { path: 'memory/instructions/tools.md', text: '# Tools\n\n- Always use pnpm, never npm\n' };
    const files = [protectedFile, notes('Install dependencies with `npm install`.', 'Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails(), writtenBy: 'reverie' }));
    expect(types(plan.actions)).toEqual(['prune']);
    expect(plan.actions[0]?.targets.map((t) => t.raw)).toEqual(['- Install dependencies with `npm install`.\n']);
    for (const action of plan.actions) {
      expect(action.paths).not.toContain(protectedFile.path);
      expect(action.targets.map((t) => t.path)).not.toContain(protectedFile.path);
    }
    expect(applyActions(filesOf(files), plan.actions).get(protectedFile.path)).toBe(protectedFile.text);
  });

  // Same bug as above (trailing period in "never npm."): the contradiction with the protected note is not seen, so
  // the dream note is updated from the sessions instead of pruned. The protected file is still left alone.
  it('with the protected note "Always use pnpm, never npm." the contradicting dream note is pruned', () => {
    const protectedFile = { path: 'memory/instructions/tools.md', text: '# Tools\n\n- Always use pnpm, never npm.\n' };
    const files = [protectedFile, notes('Install dependencies with `npm install`.', 'Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails(), writtenBy: 'reverie' }));
    expect(types(plan.actions)).toEqual(['prune']);
  });

  it('a protected note the sessions refute is never written, and the finding is reported, not added against it', () => {
    const protectedFile = { path: 'memory/instructions/tools.md', text: '# Tools\n\n- Install dependencies with `npm install`.\n' };
    const files = [protectedFile, notes('Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    for (const action of [...plan.actions]) expect(action.paths).not.toContain(protectedFile.path);
    expect(applyActions(filesOf(files), plan.actions).get(protectedFile.path)).toBe(protectedFile.text);
    expect(types(plan.actions)).toEqual([]);
    expect(plan.dropped.map((d) => [d.action.type, d.reason])).toEqual([['add', expect.stringContaining('protected instructions in memory/instructions/tools.md')]]);
  });
});

describe('planCycle: patterns against memory', () => {
  it('a note the sessions refute, with nothing else in memory saying what works, is updated', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    expect(types(plan.actions)).toEqual(['update']);
    const [update] = plan.actions as [Action];
    expect(update.targets.map((t) => t.raw)).toEqual(['- Install dependencies with `npm install`.\n']);
    expect(update.content).toContain('pnpm install');
    expect(update.evidence.map((e) => e.sessionId)).toEqual(['s1', 's2']);
    expect(update.patterns).toHaveLength(1);
    const after = entriesAfter(files, plan)[INBOX] ?? [];
    expect(after).toEqual([update.content, 'Deploys go through the staging branch first.']);
  });

  it('a note that gives the failing command gets the working one in its place, and keeps the rest of its words', () => {
    const files = [notes('Install dependencies with plain `npm install` from the repository root.\n  The lockfile is committed.', 'Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    expect(types(plan.actions)).toEqual(['update']);
    expect(plan.actions[0]?.content).toBe('Install dependencies with `pnpm install` from the repository root.\nThe lockfile is committed.');
    expect(applyActions(filesOf(files), plan.actions).get(INBOX)).toContain('- Install dependencies with `pnpm install` from the repository root.\n  The lockfile is committed.\n');
    expect(plan.actions[0]?.rationale).toMatch(/`npm install` failing and `pnpm install` working/);
  });

  it('a pattern memory already covers adds nothing', () => {
    const files = [notes('Install dependencies with `pnpm install`; `npm install` fails on the workspace protocol.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    expect(plan.patterns.map((p) => p.kind)).toEqual(['mistake']);
    expect(plan.actions).toEqual([]);
  });

  it('a pattern memory does not mention is added to the inbox under its section, with its evidence', () => {
    const files = [notes('Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    expect(types(plan.actions)).toEqual(['add']);
    const [add] = plan.actions as [Action];
    expect(add.destination).toEqual({ path: INBOX, section: 'Mistakes to avoid' });
    expect(add.content).toBe(plan.patterns[0]?.statement);
    expect(add.evidence.map((e) => [e.sessionId, e.agent])).toEqual([
      ['s1', 'claude'],
      ['s2', 'codex'],
    ]);
    const after = applyActions(filesOf(files), plan.actions).get(INBOX) ?? '';
    expect(after).toContain('## Mistakes to avoid');
    expect(after).toContain(`- ${add.content}\n`);
  });

  it('a note covers a fix that runs with options when it names that command, not another command of the same tool', () => {
    const addAtRoot = (id: string, start: string, pkg: string) =>
      session({ id, agent: 'claude', start }, [
        { bash: `pnpm add ${pkg}`, output: ' ERR_PNPM_ADDING_TO_ROOT  Running this command will add the dependency to the workspace root', error: true },
        { bash: `pnpm --filter web add ${pkg}`, output: 'Progress: resolved 1, reused 1, downloaded 0, added 1, done' },
      ]);
    const sessions = [addAtRoot('s1', day(1), 'zod'), addAtRoot('s2', day(2), 'dayjs')];
    // "Lint with `pnpm --filter web lint`" runs pnpm with the same option, and says nothing about adding packages.
    const lint = planCycle(planInput({ files: [notes('Lint the web app with `pnpm --filter web lint`.')], sessions }));
    expect(types(lint.actions)).toEqual(['add']);
    expect(lint.actions[0]?.content).toContain('`pnpm --filter web add …`');
    const known = planCycle(planInput({ files: [notes('Add web dependencies with `pnpm --filter web add <pkg>`; a bare `pnpm add` at the root is refused.')], sessions }));
    expect(known.actions).toEqual([]);
  });

  it('noise (one session only) proposes nothing', () => {
    const files = [notes('Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: [npmThenPnpm('s1', 'claude', day(1))] }));
    expect(plan.actions).toEqual([]);
    expect(plan.patterns).toEqual([]);
    expect(plan.noise.map((p) => p.kind)).toEqual(['mistake']);
  });
});

describe('planCycle: token budget', () => {
  const budgeted: Namespace[] = [
    { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
    { name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 60 },
  ];
  const files: SourceFile[] = [
    {
      path: 'memory/instructions/style.md',
      text: '# Style\n\n- Named exports only, and keep every module small enough to read in one sitting without scrolling.\n',
    },
    notes(
      'The staging database is reset every Sunday night at midnight UTC.',
      'Deploys go through the staging branch first and need a green pipeline.',
      'The design system lives in packages/ui and uses Storybook for previews.',
    ),
    { path: 'memory/team.md', text: '# Team\n\n- Ask Dana about billing; she owns the Stripe integration and the invoices.\n' },
  ];

  it('never prunes to fit a budget: a namespace over it gets a warning with its size and what to do', () => {
    const input = planInput({ files, sessions: npmFails(), namespaces: budgeted });
    expect(tokensOf(input.memory, 'notes')).toBeGreaterThan(60);
    const plan = planCycle(input);
    expect(types(plan.actions)).toEqual(['add']);
    const [warning] = plan.notices;
    expect(warning).toMatchObject({ kind: 'budget', namespace: 'notes', budget: 60 });
    expect(warning?.kind === 'budget' && warning.tokens).toBe(plan.stats.tokens_after - estimateTokens(files[0]?.text ?? ''));
    expect(warning?.message).toMatch(/over its budget of 60: split a topic .* or raise budget_tokens/);
  });

  it('the same for notes a cycle wrote: the budget never deletes', () => {
    const plan = planCycle(planInput({ files, namespaces: budgeted, writtenBy: 'reverie' }));
    expect(plan.actions).toEqual([]);
    expect(plan.notices.map((n) => n.kind)).toEqual(['budget']);
  });

  it('a namespace under its budget gets no warning', () => {
    const roomy = budgeted.map((n) => (n.name === 'notes' ? { ...n, budgetTokens: 10_000 } : n));
    const plan = planCycle(planInput({ files, sessions: npmFails(), namespaces: roomy }));
    expect(plan.notices).toEqual([]);
  });
});

describe('planCycle: guards and state', () => {
  it('an action whose fingerprint was rejected before is dropped, not proposed', () => {
    const files = [notes('Deploys go through the staging branch first.')];
    const first = planCycle(planInput({ files, sessions: npmFails() }));
    const [add] = first.actions as [Action];
    const state = {
      processed: {},
      patterns: {},
      rejected: { [add.fingerprint]: { cycle: '20261120-000000', reason: 'not a rule here', summary: add.summary } },
    };
    const plan = planCycle(planInput({ files, sessions: npmFails(), state }));
    expect(plan.actions.map((a) => a.fingerprint)).not.toContain(add.fingerprint);
    expect(plan.actions).toEqual([]);
    expect(plan.dropped.map((d) => d.action.fingerprint)).toEqual([add.fingerprint]);
    expect(plan.dropped[0]?.reason).toContain('20261120-000000');
    expect(plan.state.rejected).toEqual(state.rejected);
  });

  it('what a person rejected is not proposed again under another action type', () => {
    // A rejected update of the npm note: a later prune or resolve of the same note is refused too, and so is the text.
    const files = [notes('Install dependencies with `npm install`.', 'Deploys go through the staging branch first.')];
    const first = planCycle(planInput({ files, sessions: npmFails() }));
    const [update] = first.actions as [Action];
    expect(update.type).toBe('update');
    const state = rememberRejected(emptyState(), update, '20261120-000000', 'we keep npm here');
    const prune = { ...update, type: 'prune' as const, content: undefined, fingerprint: 'prune:other', id: 'deadbeef' };
    const add = { ...update, type: 'add' as const, targets: [], destination: { path: INBOX, section: 'Mistakes to avoid' }, fingerprint: 'add:other', id: 'feedbeef' };
    const guard = guardFor(planInput({ files }).memory, state);
    expect(guard(prune)).toMatch(/the entry it removes was rejected in cycle 20261120-000000/);
    expect(guard(add)).toMatch(/its text was rejected in cycle 20261120-000000/);
    const again = planCycle(planInput({ files, sessions: npmFails(), state }));
    expect(again.actions).toEqual([]);
  });

  it('approval.max_prune_ratio bounds what a cycle proposes', () => {
    const rules = { path: 'memory/instructions/rules.md', text: '# Rules\n\n- Never use yarn; install with pnpm.\n' };
    const files = [rules, notes('Use yarn for installs.', 'Run `yarn install` after pulling.', 'Deploys go through staging.', 'Staging resets on Sundays.')];
    const free = planCycle(planInput({ files, writtenBy: 'reverie' }));
    expect(types(free.actions)).toEqual(['prune', 'prune']);
    const bounded = planCycle(planInput({ files, writtenBy: 'reverie', maxRemovedShare: 0.25 }));
    expect(types(bounded.actions)).toEqual(['prune']);
    expect(bounded.dropped.map((d) => d.reason)).toEqual(['the cycle would remove 2 of 4 curated entries, more than approval.max_prune_ratio (0.25)']);
  });

  it('the same input twice gives deep-equal plans', () => {
    const files = [
      notes(
        'Install dependencies with `npm install`.',
        'The pricing service listens on port 8081 locally.',
        'Locally, the pricing svc listens on port 8081.',
      ),
    ];
    const a = planCycle(planInput({ files, sessions: npmFails(), writtenBy: 'reverie' }));
    const b = planCycle(planInput({ files, sessions: npmFails(), writtenBy: 'reverie' }));
    expect(a.actions.length).toBeGreaterThan(1);
    expect(b).toEqual(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('the order the sessions come in does not change the plan', () => {
    const files = [notes('Deploys go through the staging branch first.')];
    const a = planCycle(planInput({ files, sessions: npmFails() }));
    const b = planCycle(planInput({ files, sessions: npmFails().reverse() }));
    expect(b.actions).toEqual(a.actions);
    expect(b.patterns).toEqual(a.patterns);
    expect(b.state).toEqual(a.state);
  });

  it('the next state records the new sessions as processed and keeps what was processed before', () => {
    const sessions = npmFails();
    const state = {
      processed: { old: { id: 's0', source: 'sessions/claude/s0.jsonl', cycle: '20261101-000000' } },
      patterns: {},
      rejected: {},
    };
    const plan = planCycle(planInput({ files: [notes('Deploys go through the staging branch first.')], sessions, state, cycle: 'c2' }));
    expect(Object.keys(plan.state.processed).sort()).toEqual(['old', ...sessions.map((s) => s.hash)].sort());
    for (const s of sessions) expect(plan.state.processed[s.hash]).toEqual({ id: s.id, source: s.source, cycle: 'c2' });
    expect(plan.state.processed.old).toEqual(state.processed.old);
  });

  it('planning does not change its input', () => {
    const input = planInput({
      files: [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm')],
      sessions: npmFails(),
    });
    const before = structuredClone({ sessions: input.sessions, state: input.state, files: input.memory.files });
    planCycle(input);
    expect({ sessions: input.sessions, state: input.state, files: input.memory.files }).toEqual(before);
  });

  it('a pattern seen in one session per cycle is added in the cycle that brings the second session', () => {
    const files = [notes('Deploys go through the staging branch first.')];
    const first = planCycle(planInput({ files, sessions: [npmThenPnpm('s1', 'claude', day(1))], cycle: 'c1' }));
    expect(first.actions).toEqual([]);
    const second = planCycle(
      planInput({ files, sessions: [npmThenPnpm('s2', 'codex', day(2))], state: first.state, cycle: 'c2', totalSessions: 2 }),
    );
    expect(types(second.actions)).toEqual(['add']);
    expect(second.actions[0]?.evidence.map((e) => e.sessionId)).toEqual(['s1', 's2']);
    expect(second.stats).toMatchObject({ sessions: 2, new_sessions: 1, patterns: 1 });
    // The state marks the pattern as written in this cycle, so a later cycle does not add it again.
    const key = second.actions[0]?.patterns[0] ?? '';
    expect(second.state.patterns[key]?.written).toBe('c2');
    const applied = applyActions(filesOf(files), second.actions);
    const third = planCycle(
      planInput({
        files: [...applied].map(([path, text]) => ({ path, text })),
        sessions: [npmThenPnpm('s3', 'claude', day(3))],
        state: second.state,
        cycle: 'c3',
      }),
    );
    expect(third.actions).toEqual([]);
    expect(third.state.patterns[key]?.sessions).toEqual(['s1', 's2', 's3']);
  });

  it('stats report the memory before and after the plan', () => {
    const files = [notes('Deploys go through the staging branch first.')];
    const plan = planCycle(planInput({ files, sessions: npmFails(), totalSessions: 7 }));
    const applied = applyActions(filesOf(files), plan.actions);
    expect(plan.stats).toEqual({
      sessions: 7,
      new_sessions: 2,
      patterns: 1,
      noise: 0,
      entries: 1,
      entries_after: 2,
      tokens_before: estimateTokens(files[0]?.text ?? ''),
      tokens_after: estimateTokens(applied.get(INBOX) ?? ''),
    });
    expect(plan.stats.tokens_after).toBeGreaterThan(plan.stats.tokens_before);
  });

  it('a workflow recurring in sessions is added once, under Workflows', () => {
    const checks = (id: string, agent: string, n: number) =>
      session({ id, agent, start: day(n) }, [
        { bash: 'pnpm lint', output: 'ok' },
        { bash: 'pnpm typecheck', output: 'ok' },
        { bash: 'pnpm test', output: 'ok' },
      ]);
    const plan = planCycle(planInput({ files: [notes('Deploys go through the staging branch first.')], sessions: [checks('w1', 'claude', 1), checks('w2', 'codex', 2), checks('w3', 'codex', 3)] }));
    expect(plan.actions.map((a) => [a.type, a.destination?.section])).toEqual([['add', 'Workflows']]);
  });
});

describe('planCycle: one cycle never undoes itself', () => {
  const pushRejected = (id: string, agent: string, n: number) =>
    session({ id, agent, start: day(n) }, [
      { bash: 'git push origin main', output: ' ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs to origin', error: true },
      { bash: 'git pull --rebase origin main', output: 'Successfully rebased and updated refs/heads/main.' },
      { bash: 'git push origin main', output: 'main -> main' },
      { assistant: 'Pushed.' },
    ]);

  it('a workflow that repeats a mistake it just wrote down ("pull, then push") neither rewrites nor duplicates it', () => {
    const plan = planCycle(planInput({ files: [notes('Deploys go through the staging branch first.')], sessions: [pushRejected('p1', 'claude', 1), pushRejected('p2', 'codex', 2), pushRejected('p3', 'claude', 3)] }));
    expect(types(plan.actions)).toEqual(['add']);
    expect(plan.actions[0]?.content).toContain('run `git pull --rebase origin main` first, then retry');
  });

  it('no action targets an entry that an earlier action of the same plan wrote', () => {
    const sessions = [pushRejected('p1', 'claude', 1), pushRejected('p2', 'codex', 2), pushRejected('p3', 'claude', 3), ...npmFails()];
    const plan = planCycle(planInput({ files: [notes('Install dependencies with `npm install`.', 'Deploys go through the staging branch first.')], sessions }));
    const written = new Set(plan.actions.map((a) => a.content?.trim()).filter(Boolean));
    for (const action of plan.actions) for (const target of action.targets) expect(written.has(target.raw.replace(/^- /, '').trim())).toBe(false);
  });
});

describe('planCycle: what the sessions show is gone', () => {
  const merged = (id: string, agent: string, n: number) =>
    session({ id, agent, start: day(n) }, [
      { user: 'Merge the PR once checks are green.' },
      { bash: `gh pr merge ${500 + n} --merge`, output: 'GraphQL: Merge commits are not allowed on this repository. (mergePullRequest)', error: true },
      { bash: `gh pr merge ${500 + n} --squash --delete-branch`, output: `✓ Squashed and merged pull request #${500 + n}` },
    ]);

  it('the same command with other arguments settles two notes that disagree: a resolve keeps the note the sessions back', () => {
    const files = [
      notes(
        'Merge pull requests with a merge commit (`gh pr merge --merge`) to keep the branch history.',
        'Deploys go through the staging branch first.',
        'We squash-merge pull requests (`gh pr merge --squash`); `main` has a linear history.',
      ),
    ];
    const plan = planCycle(planInput({ files, sessions: [merged('m1', 'claude', 1), merged('m2', 'codex', 2)] }));
    const resolves = plan.actions.filter((a) => a.type === 'resolve');
    expect(resolves).toHaveLength(1);
    expect(resolves[0]?.targets.map((t) => t.raw)).toEqual([
      expect.stringContaining('--squash'),
      expect.stringContaining('--merge'),
    ]);
    expect(entriesAfter(files, plan)[INBOX]?.some((e) => e.startsWith('Merge pull requests'))).toBe(false);
    expect(entriesAfter(files, plan)[INBOX]?.join('\n')).not.toContain('..');
    expect(entriesAfter(files, plan)[INBOX]).toContain('Deploys go through the staging branch first.');
  });

  it('a script name fixed within one program is no verdict on the program: "Use pnpm, never npm." is kept', () => {
    const evals = (id: string, agent: string, n: number) =>
      session({ id, agent, start: day(n) }, [
        { user: 'Run the evals.' },
        { bash: 'npm run eval', output: 'npm error Missing script: "eval"', error: true },
        { bash: 'npm run evals', output: 'ok' },
      ]);
    const files = [notes('Use pnpm, never npm.')];
    const plan = planCycle(planInput({ files, sessions: [evals('e1', 'claude', 1), evals('e2', 'codex', 2)] }));
    expect(plan.actions.filter((a) => a.targets.length > 0)).toEqual([]);
    expect(entriesAfter(files, plan)[INBOX]).toContain('Use pnpm, never npm.');
  });

  it('a make target that no longer exists, in two sessions and with no fix, prunes the note that says to run it', () => {
    const docs = (id: string, agent: string, n: number) =>
      session({ id, agent, start: day(n) }, [
        { user: 'Fix the typo on the install page.' },
        { bash: 'make docs', output: "make: *** No rule to make target 'docs'.  Stop.", error: true },
        { assistant: 'No local docs build; editing the Markdown only.' },
      ]);
    const files = [notes('Run `make docs` to preview documentation changes.', 'Run `make check` before you push.')];
    const plan = planCycle(planInput({ files, sessions: [docs('d1', 'claude', 1), docs('d2', 'codex', 2)] }));
    expect(types(plan.actions)).toEqual(['prune']);
    expect(entriesAfter(files, plan)[INBOX]).toEqual(['Run `make check` before you push.']);
  });

  it('a missing thing seen in one session only changes nothing', () => {
    const files = [notes('Run `make docs` to preview documentation changes.')];
    const once = session({ id: 'd1', agent: 'claude', start: day(1) }, [
      { bash: 'make docs', output: "make: *** No rule to make target 'docs'.  Stop.", error: true },
    ]);
    expect(planCycle(planInput({ files, sessions: [once] })).actions).toEqual([]);
  });
});

describe('planCycle: sessions observed as they are read', () => {
  it('plans the same from observed sessions as from whole ones, whatever the order they come in', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Deploys go through the staging branch first.')];
    const sessions = npmFails();
    const whole = planCycle(planInput({ files, sessions }));
    const observed = planCycle(planInput({ files, sessions: [...sessions].reverse().map(observeSession) }));
    expect(observed).toEqual(whole);
    expect(whole.actions.length).toBeGreaterThan(0);
  });

  it('keeps of a session what extraction needs, not its turns or tool output', () => {
    const [first] = npmFails();
    const observed = observeSession(first as Session);
    expect(observed).not.toHaveProperty('turns');
    expect(JSON.stringify(observed)).not.toContain('Packages: +812');
    expect(observed.mistakes.map((m) => m.key)).toHaveLength(1);
  });
});
