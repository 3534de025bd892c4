/**
 * Properties of `planCycle` over generated sessions, memory and prior state: what must hold for every
 * input, whatever the heuristics decide. Counterexamples found here are kept as plain tests in
 * `regressions.test.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { planCycle } from '../../../src/dream/plan.js';
import type { Plan, PlanInput } from '../../../src/dream/types.js';
import { buildSnapshot, estimateTokens, namespaceFor, tokensOf } from '../../../src/memory/index.js';
import { filesOf, inputOf, KNOWN_BUGS, prepare, ROOT, scenario, type Scenario } from './arbitraries.js';

/** PROPERTY_RUNS=1000 for a deeper search than the default, which keeps the file under ~20 s on 2 cores. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
const TIMEOUT = Math.max(30_000, RUNS * 200);

/** Plans the scenario, failing the property (with the shrunk input) if planning throws. */
function planned(s: Scenario): { input: PlanInput; plan: Plan } {
  const input = prepare(s);
  return { input, plan: planCycle(input) };
}

function after(input: PlanInput, plan: Plan): Map<string, string> {
  return applyActions(filesOf(input), plan.actions);
}

function snapshotAfter(input: PlanInput, files: Map<string, string>) {
  return buildSnapshot(
    [...files].map(([path, text]) => ({ path, text })),
    input.memory.root,
    input.memory.namespaces,
  );
}

describe('planCycle: properties', () => {
  it('never throws, and does not modify its input', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input = prepare(s);
        const copy = structuredClone(input);
        planCycle(input);
        expect(input).toEqual(copy);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('is deterministic: the same input, or the sessions in another order, give a deep-equal plan', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, seed) => {
        const input = prepare(s);
        const plan = planCycle(input);
        expect(planCycle(structuredClone(input))).toEqual(plan);
        // A permutation of the sessions, chosen by the seed.
        const shuffled = [...input.sessions]
          .map((session, i) => ({ session, key: (i * 7919 + seed) % 104729 }))
          .sort((a, b) => a.key - b.key)
          .map((x) => x.session);
        expect(planCycle({ ...structuredClone(input), sessions: shuffled })).toEqual(plan);
        expect(planCycle({ ...structuredClone(input), sessions: [...input.sessions].reverse() })).toEqual(plan);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('actions stay in curated namespaces inside the root, with a summary, a fingerprint and a unique id', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, plan } = planned(s);
        const ids = new Map<string, string>();
        for (const action of plan.actions) {
          expect(action.paths.length).toBeGreaterThan(0);
          for (const path of action.paths) {
            expect(path.startsWith(`${ROOT}/`), path).toBe(true);
            expect(path.split('/'), path).not.toContain('..');
            const namespace = namespaceFor(path, ROOT, input.memory.namespaces);
            expect(namespace, path).toBeDefined();
            expect(namespace?.policy, path).toBe('dream');
          }
          // Everything the action writes is listed in its paths.
          for (const target of action.targets) expect(action.paths).toContain(target.path);
          if (action.destination) expect(action.paths).toContain(action.destination.path);
          expect(action.summary.trim()).not.toBe('');
          expect(action.summary).not.toContain('\n');
          expect(action.fingerprint.trim()).not.toBe('');
          const seen = ids.get(action.id);
          // Bug 2 (regressions.test.ts): the same action on the same text in two places shares id and fingerprint.
          if (seen !== undefined && !(KNOWN_BUGS.sameTextSameId && seen === action.fingerprint)) expect.fail(`duplicate id ${action.id}`);
          ids.set(action.id, action.fingerprint);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('proposes no action whose fingerprint was rejected', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, plan } = planned(s);
        for (const action of plan.actions) expect(input.state.rejected[action.fingerprint], action.summary).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('applies in order without conflict, leaves the files no action names byte-identical, and matches tokens_after', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, plan } = planned(s);
        const before = filesOf(input);
        const result = after(input, plan);
        const named = new Set(plan.actions.flatMap((a) => a.paths));
        for (const [path, text] of before) if (!named.has(path)) expect(result.get(path), path).toBe(text);
        // Nothing outside the snapshot appears either, except files an action names.
        for (const path of result.keys()) expect(before.has(path) || named.has(path), path).toBe(true);
        const tokens = [...result.values()].reduce((sum, text) => sum + estimateTokens(text), 0);
        expect(plan.stats.tokens_after).toBe(tokens);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('brings every budgeted curated namespace within budget, or leaves in it only entries the plan may not prune', () => {
    // Precisely: after applying, tokensOf(namespace) <= budget, or every entry left in the namespace is one
    // this cycle wrote (its raw text, final line break aside, is in no entry of the memory before the cycle)
    // or one whose prune the guards refused (a dropped prune names it).
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, plan } = planned(s);
        const snapshot = snapshotAfter(input, after(input, plan));
        const key = (raw: string) => raw.replace(/\r?\n$/, '');
        const original = new Set(input.memory.files.flatMap((f) => f.entries.map((e) => key(e.raw))));
        // Bug 6 (regressions.test.ts): while it stands, files without a final line break are left out.
        const unterminated = new Set(input.memory.files.filter((f) => !/\n$/.test(f.document.text)).map((f) => f.path));
        const refused = new Set(plan.dropped.filter((d) => d.action.type === 'prune').flatMap((d) => d.action.targets.map((t) => key(t.raw))));
        for (const namespace of input.memory.namespaces) {
          if (namespace.policy !== 'dream' || namespace.budgetTokens === undefined) continue;
          if (tokensOf(snapshot, namespace.name) <= namespace.budgetTokens) continue;
          const prunable = snapshot.files
            .filter((f) => f.namespace === namespace.name)
            .flatMap((f) => f.entries)
            .filter((e) => original.has(key(e.raw)) && !refused.has(key(e.raw)))
            .filter((e) => !(KNOWN_BUGS.freshByRaw && unterminated.has(e.path)));
          expect(prunable.map((e) => `${e.path}: ${e.text}`), `namespace ${namespace.name} over its budget of ${namespace.budgetTokens}`).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('records every input session as processed; a re-run on the result proposes no add or update of what it wrote', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { input, plan } = planned(s);
        for (const session of input.sessions) expect(plan.state.processed[session.hash]?.id).toBe(session.id);
        for (const hash of Object.keys(input.state.processed)) expect(plan.state.processed[hash]).toEqual(input.state.processed[hash]);
        for (const fingerprint of Object.keys(input.state.rejected)) expect(plan.state.rejected[fingerprint]).toEqual(input.state.rejected[fingerprint]);

        const files = after(input, plan);
        const sources = [...files].map(([path, text]) => ({ path, text }));
        const written = new Set(Object.entries(plan.state.patterns).filter(([, r]) => r.written !== undefined).map(([key]) => key));
        const rewrites = (p: Plan) => p.actions.filter((a) => (a.type === 'add' || a.type === 'update') && a.patterns.some((k) => written.has(k)));

        // As the shell runs it: no new sessions.
        const again = planCycle({ ...inputOf(sources, input.memory.namespaces, [], plan.state, input.options.minSessions), cycle: '20261202-000000' });
        expect(rewrites(again)).toEqual([]);
        // Even if the same sessions were handed over again, what was written is not written twice.
        const replayed = planCycle({ ...inputOf(sources, input.memory.namespaces, input.sessions, plan.state, input.options.minSessions), cycle: '20261202-000000' });
        expect(rewrites(replayed)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('converges: a second cycle with no new sessions, on the memory the first one left, proposes nothing', () => {
    // Left out by design: budget prunes (entries a cycle writes are safe from its own budget, not from the next
    // cycle's) and rejections (a rejected merge of A, B, C does not cover a later merge of A, B). Left out while the
    // bugs stand: plans with a resolve (bugs 3, 4) and plans that add or update (bug 5).
    fc.assert(
      fc.property(scenario, (s) => {
        const input = prepare({ ...s, rejectMask: [] });
        const plan = planCycle(input);
        if (KNOWN_BUGS.resolveReason) fc.pre(!plan.actions.some((a) => a.type === 'resolve'));
        if (KNOWN_BUGS.addsUnreconciled) fc.pre(!plan.actions.some((a) => a.type === 'add' || a.type === 'update'));
        const sources = [...after(input, plan)].map(([path, text]) => ({ path, text }));
        const again = planCycle({ ...inputOf(sources, input.memory.namespaces, [], plan.state, input.options.minSessions), cycle: '20261202-000000' });
        const proposed = again.actions.filter((a) => !(a.type === 'prune' && a.fingerprint.startsWith('prune:budget:')));
        expect(proposed.map((a) => `${a.type}: ${a.summary}`)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
