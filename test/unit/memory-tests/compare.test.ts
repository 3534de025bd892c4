import { describe, expect, it } from 'vitest';
import type { CycleRecord } from '../../../src/dream/state.js';
import { pullBody } from '../../../src/github/pull-body.js';
import { costOverrun } from '../../../src/memory/context-cost.js';
import { buildSnapshot } from '../../../src/memory/index.js';
import { estimateTokens } from '../../../src/memory/tokens.js';
import type { Namespace } from '../../../src/memory/types.js';
import { parseTestFile } from '../../../src/memory-tests/case-file.js';
import { memoryCheckMarkdown } from '../../../src/memory-tests/check-table.js';
import { checkMemory } from '../../../src/memory-tests/compare.js';

const NAMESPACES: Namespace[] = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 60 }];
const snapshot = (text: string) => buildSnapshot([{ path: 'memory/notes.md', text }], 'memory', NAMESPACES);

const BEFORE = '# Notes\n\n- Use pnpm for every install.\n- The pricing service listens on port 8081.\n';
const AFTER = '# Notes\n\n- Use pnpm for every install.\n- Ship with make release from a clean checkout.\n';
const CASES = parseTestFile(
  `cases:
  - name: pricing port
    question: Which port does the pricing service listen on?
    expect: pricing service listens
  - name: releases
    question: How do I ship a release?
    expect: make release
  - name: installs
    question: Which package manager?
    expect: pnpm
  - name: tests
    question: How do I run the tests?
    expect: make test
`,
  '.reverie/tests/memory.yaml',
);

describe('checkMemory', () => {
  const check = checkMemory(snapshot(BEFORE), snapshot(AFTER), CASES, 'none');

  it('compares each case before and after the change', () => {
    expect(check.cases.map((c) => [c.name, c.change])).toEqual([
      ['pricing port', 'broken'],
      ['releases', 'fixed'],
      ['installs', 'passing'],
      ['tests', 'still failing'],
    ]);
    expect(check).toMatchObject({ fixed: 1, broken: 1, stillFailing: 1, passing: 1 });
    expect(check.holds).toEqual(['it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)']);
  });

  it('takes the answers before the change from an earlier check of the same memory, unless it lacks a case', () => {
    // An earlier check that says "tests" passed before: taken as it is, the case now reads as broken.
    const earlier = { ...check, cases: check.cases.map((c) => (c.name === 'tests' ? { ...c, change: 'passing' as const } : c)) };
    const again = checkMemory(snapshot(BEFORE), snapshot(AFTER), CASES, 'none', { known: earlier });
    expect(again.cases.map((c) => [c.name, c.change])).toEqual([
      ['pricing port', 'broken'],
      ['releases', 'fixed'],
      ['installs', 'passing'],
      ['tests', 'broken'],
    ]);
    expect(checkMemory(snapshot(BEFORE), snapshot(AFTER), CASES, 'none', { known: check })).toEqual(check);
    // Without one of the cases, the memory before is answered again.
    const partial = { ...earlier, cases: earlier.cases.slice(1) };
    expect(checkMemory(snapshot(BEFORE), snapshot(AFTER), CASES, 'none', { known: partial })).toEqual(check);
  });

  it('counts what each namespace loads as estimateTokens counts its files, against budget_tokens', () => {
    expect(check.costs).toEqual([
      {
        target: 'namespace notes',
        limitSource: 'budget_tokens of namespace notes',
        limits: { tokens: 60 },
        before: { tokens: estimateTokens(BEFORE), lines: 4, bytes: BEFORE.length },
        after: { tokens: estimateTokens(AFTER), lines: 4, bytes: AFTER.length },
        overBefore: [],
        overAfter: [],
      },
    ]);
  });

  it('measures each agent of `agents:` on the files its globs load, against its own limits', () => {
    const files = (notes: string) =>
      buildSnapshot(
        [
          { path: 'memory/notes.md', text: notes },
          { path: 'memory/CLAUDE.md', text: '# Rules\n\n- Keep commits small.\n' },
        ],
        'memory',
        NAMESPACES,
      );
    const agents = [
      { name: 'claude-code', loads: ['CLAUDE.md', 'notes.md'], limits: { lines: 9 } },
      { name: 'reviewer', loads: ['CLAUDE.md'], limits: {} },
    ];
    const grown = checkMemory(files(BEFORE), files(`${AFTER}- One more line.\n- And another.\n`), [], 'none', { agents });
    const [claude, reviewer] = grown.costs;
    expect(claude).toMatchObject({ target: 'agent claude-code', limitSource: 'agents: claude-code in reverie.yaml', before: { lines: 4 + 3 }, after: { lines: 6 + 3 }, overAfter: [] });
    expect(reviewer).toMatchObject({ target: 'agent reviewer', limits: {}, before: { lines: 3 }, after: { lines: 3 } });
    expect(reviewer?.limitSource).toBeUndefined();
    const over = checkMemory(files(BEFORE), files(`${AFTER}- One.\n- Two.\n- Three.\n`), [], 'none', { agents });
    expect(over.holds).toEqual(['it takes agent claude-code to 10 lines, over its limit of 9 (agents: claude-code in reverie.yaml)']);
    // No case to answer: the cost is the whole check.
    const table = memoryCheckMarkdown(over).join('\n');
    expect(table).not.toContain('Memory tests');
    expect(table).toContain('| agent claude-code | ');
    expect(table).toContain('Not merged without a person');
  });

  it('holds a target the change takes over a limit, or grows while over it, and not one it leaves over as it was', () => {
    const cost = { target: 't', limits: { tokens: 10 }, before: { tokens: 12, lines: 1, bytes: 1 }, after: { tokens: 12, lines: 1, bytes: 1 }, overBefore: ['tokens' as const], overAfter: ['tokens' as const] };
    expect(costOverrun(cost)).toEqual([]);
    expect(costOverrun({ ...cost, after: { ...cost.after, tokens: 13 } })).toEqual(['tokens']);
    expect(costOverrun({ ...cost, before: { ...cost.before, tokens: 9 }, overBefore: [] })).toEqual(['tokens']);
  });

  it('heads the pull request body with the test table and the cost table', () => {
    const record: CycleRecord = {
      cycle: '20261124-101010',
      branch: 'reverie/dream-20261124-101010',
      base: 'f'.repeat(40),
      engine: 'heuristic',
      mode: 'review',
      created: '2026-11-24T10:10:10.000Z',
      stats: { sessions: 10, new_sessions: 3, patterns: 2, noise: 1, entries: 5, tokens_before: 100, tokens_after: 110, warnings: 0 },
      actions: [],
      dropped: [],
      memory_tests: check,
    };
    const body = pullBody({ record, safe: ['add'], marker: 'm' });
    const table = memoryCheckMarkdown(check).join('\n');
    expect(body).toContain(table);
    expect(body.indexOf('### Memory tests')).toBeLessThan(body.indexOf('reverie read'));
    expect(table).toContain('**1 fixed, 1 broken**, 1 still failing, 1 passing (4 cases)');
    expect(table).toContain(`| namespace notes | ${estimateTokens(BEFORE)} → ${estimateTokens(AFTER)} (`);
    expect(pullBody({ record: { ...record, memory_tests: undefined }, safe: ['add'], marker: 'm' })).not.toContain('Memory tests');
  });
});
