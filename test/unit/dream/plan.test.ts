import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { observeSession } from '../../../src/dream/extract/index.js';
import { planCycle } from '../../../src/dream/plan.js';
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
  it('paraphrased duplicates in a dream namespace become one merge action', () => {
    const files = [
      notes(
        'The pricing service listens on port 8081 locally.',
        'Deploys go through the staging branch first.',
        'Locally, the pricing svc listens on port 8081.',
      ),
    ];
    const plan = planCycle(planInput({ files }));
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

  it('notes that name different numbers ("port 8081" vs "port 9090") are not merged', () => {
    const files = [notes('The pricing service listens on port 8081 locally.', 'The pricing service listens on port 9090 locally.')];
    const plan = planCycle(planInput({ files }));
    expect(plan.actions.filter((a) => a.type === 'merge')).toEqual([]);
  });

  it('duplicates in a protected namespace are left alone', () => {
    const files = [
      {
        path: 'memory/instructions/services.md',
        text: '- The pricing service listens on port 8081 locally.\n- Locally, the pricing svc listens on port 8081.\n',
      },
    ];
    const plan = planCycle(planInput({ files }));
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
    expect(resolve.content?.split('\n')[0]).toBe('Always use pnpm, never npm');
    expect(new Set(resolve.evidence.map((e) => e.sessionId))).toEqual(new Set(['s1', 's2']));
    expect(resolve.rationale).toMatch(/session/);
    // Applying the resolve alone: the npm note is gone, the pnpm note stays.
    const applied = applyActions(filesOf(files), [resolve]);
    const entries = buildSnapshot([{ path: INBOX, text: applied.get(INBOX) ?? '' }], ROOT, NAMESPACES).files[0]?.entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]?.text.split('\n')[0]).toBe('Always use pnpm, never npm');
  });

  it('with no session evidence either way, the newer note (later in the file) wins', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm')];
    const plan = planCycle(planInput({ files }));
    expect(types(plan.actions)).toEqual(['resolve']);
    expect(plan.actions[0]?.targets[0]?.raw).toBe('- Always use pnpm, never npm\n');
    expect(plan.actions[0]?.rationale).toMatch(/newer/);
  });

  // BUG (src/dream/curate/contradictions.ts, resolveAction; src/dream/curate/patterns.ts, isRefutedBy): the kept
  // note is annotated "- Why: replaces the older note "Install dependencies with `npm install`." ...". That quote
  // reads as a recommendation of `npm install`, so planPatternActions then finds the kept note refuted by the npm
  // mistake and rewrites it in the same cycle (actual actions: [resolve, update]; the update targets the note the
  // resolve just wrote and replaces "Always use pnpm, never npm" with the mistake statement).
  it('the note a resolve keeps is not rewritten later in the same cycle', () => {
    const files = [notes('Install dependencies with `npm install`.', 'Always use pnpm, never npm')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
    expect(types(plan.actions)).toEqual(['resolve']);
    const after = entriesAfter(files, plan)[INBOX] ?? [];
    expect(after.some((t) => t.startsWith('Always use pnpm, never npm'))).toBe(true);
  });

  it('a dream note that tells agents to do what the protected rules forbid in prose is pruned', () => {
    const rules = { path: 'memory/instructions/rules.md', text: '# Rules\n\n- Database migrations are append-only: never edit a migration that has been merged; add a new one.\n' };
    const files = [
      rules,
      notes(
        'To fix a merged migration, edit it directly and run `make migrate` again.',
        'Edit the seed data in `db/seed.sql`, then run `make seed`.',
        'Never edit generated files under `gen/`.',
      ),
    ];
    const plan = planCycle(planInput({ files }));
    expect(types(plan.actions)).toEqual(['prune']);
    expect(plan.actions[0]?.targets[0]?.raw).toContain('To fix a merged migration');
  });

  it('a dream note that contradicts a protected one is pruned; the protected file is in no action', () => {
    const protectedFile = { path: 'memory/instructions/tools.md', text: '# Tools\n\n- Always use pnpm, never npm\n' };
    const files = [protectedFile, notes('Install dependencies with `npm install`.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
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
    const files = [protectedFile, notes('Install dependencies with `npm install`.')];
    const plan = planCycle(planInput({ files, sessions: npmFails() }));
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

  it('prunes a namespace over its budget until it is under, keeping what the cycle just added', () => {
    const input = planInput({ files, sessions: npmFails(), namespaces: budgeted });
    expect(tokensOf(input.memory, 'notes')).toBeGreaterThan(60);
    const plan = planCycle(input);
    const added = plan.actions.filter((a) => a.type === 'add');
    expect(added).toHaveLength(1);
    const prunes = plan.actions.filter((a) => a.type === 'prune');
    expect(prunes.length).toBeGreaterThan(0);
    // Never the entry the cycle added, never a protected file.
    for (const prune of prunes) {
      for (const target of prune.targets) expect(target.raw).not.toContain(added[0]?.content ?? '\u0000');
      expect(prune.paths).not.toContain('memory/instructions/style.md');
    }
    const applied = applyActions(filesOf(files), plan.actions);
    const after = buildSnapshot(
      [...applied].map(([path, text]) => ({ path, text })),
      ROOT,
      budgeted,
    );
    expect(tokensOf(after, 'notes')).toBeLessThanOrEqual(60);
    expect(after.files.flatMap((f) => f.entries.map((e) => e.text))).toContain(added[0]?.content);
    expect(applied.get('memory/instructions/style.md')).toBe(files[0]?.text);
  });

  it('stops as soon as the namespace fits: one prune fewer would leave it over budget', () => {
    const plan = planCycle(planInput({ files, sessions: npmFails(), namespaces: budgeted }));
    const prunes = plan.actions.filter((a) => a.type === 'prune');
    const allButLast = plan.actions.filter((a) => a !== prunes[prunes.length - 1]);
    const applied = applyActions(filesOf(files), allButLast);
    const snapshot = buildSnapshot(
      [...applied].map(([path, text]) => ({ path, text })),
      ROOT,
      budgeted,
    );
    expect(tokensOf(snapshot, 'notes')).toBeGreaterThan(60);
  });

  it('a namespace under its budget is not pruned', () => {
    const roomy = budgeted.map((n) => (n.name === 'notes' ? { ...n, budgetTokens: 10_000 } : n));
    const plan = planCycle(planInput({ files, sessions: npmFails(), namespaces: roomy }));
    expect(plan.actions.filter((a) => a.type === 'prune')).toEqual([]);
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

  it('the same input twice gives deep-equal plans', () => {
    const files = [
      notes(
        'Install dependencies with `npm install`.',
        'The pricing service listens on port 8081 locally.',
        'Locally, the pricing svc listens on port 8081.',
      ),
    ];
    const a = planCycle(planInput({ files, sessions: npmFails() }));
    const b = planCycle(planInput({ files, sessions: npmFails() }));
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
