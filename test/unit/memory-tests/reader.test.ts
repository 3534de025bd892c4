import { describe, expect, it } from 'vitest';
import { buildSnapshot, type Namespace } from '../../../src/memory/index.js';
import { parseTestFile } from '../../../src/memory-tests/case-file.js';
import { answerCases, containsTerm } from '../../../src/memory-tests/reader.js';

const namespaces: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'notes', paths: ['**/*.md'], policy: 'dream' },
];

const NOTES = `# Notes

## Tools

- Use **pnpm** for every install; never \`npm install\`, it rewrites the lockfile.
- The CI cache key is the hash of pnpm-lock.yaml.

## Testing

- Run \`pnpm vitest run <file>\` for one test file; the whole suite takes ten minutes.
- Snapshot files live beside the tests in __snapshots__.

## Deploys

- Deploy with \`make release\` from a clean checkout of main.
`;

const RULES = `# Rules

- Never push to main directly; open a pull request.
`;

function memory(files: Record<string, string> = { 'memory/notes.md': NOTES, 'memory/instructions/rules.md': RULES }) {
  return buildSnapshot(Object.entries(files).map(([path, text]) => ({ path, text })), 'memory', namespaces);
}

function cases(yaml: string) {
  return parseTestFile(yaml, '.reverie/tests/memory.yaml');
}

describe('answerCases', () => {
  it('ranks the entry that answers the question first, and names it by file and line', () => {
    const report = answerCases(memory(), cases('cases:\n  - name: one test\n    question: How do I run a single test file?\n    expect: vitest run\n'));
    const [result] = report.cases;
    expect(result?.entries[0]).toMatchObject({ path: 'memory/notes.md', line: 10 });
    expect(result?.entries[0]?.text).toContain('pnpm vitest run <file>');
    expect(result).toMatchObject({ passed: true, missing: [], found: [{ term: 'vitest run', path: 'memory/notes.md', line: 10 }] });
    expect(report).toMatchObject({ passed: 1, failed: 0 });
  });

  it('ranks the entry about deploys first for a deploy question', () => {
    const [result] = answerCases(memory(), cases('cases:\n  - name: deploy\n    question: how to deploy a release\n    expect: make release\n    top: 1\n')).cases;
    expect(result?.entries.map((e) => e.line)).toEqual([15]);
    expect(result?.passed).toBe(true);
  });

  it('fails an expect case when no retrieved entry gives the term, and says which term is missing', () => {
    const report = answerCases(memory(), cases('cases:\n  - name: package manager\n    question: Which package manager installs dependencies?\n    expect: [pnpm, yarn workspaces]\n'));
    expect(report.cases[0]).toMatchObject({ passed: false, missing: ['yarn workspaces'] });
    expect(report.cases[0]?.found.map((m) => m.term)).toEqual(['pnpm']);
    expect(report).toMatchObject({ passed: 0, failed: 1 });
  });

  it('fails an expect case once the entry that gave the rule is gone', () => {
    const yaml = 'cases:\n  - name: package manager\n    question: Which package manager installs dependencies?\n    expect: pnpm\n';
    expect(answerCases(memory(), cases(yaml)).cases[0]?.passed).toBe(true);
    const without = NOTES.replace(/^- Use \*\*pnpm\*\*.*\n/m, '').replace(/^- The CI cache key.*\n/m, '').replace(/`pnpm vitest run <file>`/, '`vitest run <file>`');
    const result = answerCases(memory({ 'memory/notes.md': without, 'memory/instructions/rules.md': RULES }), cases(yaml)).cases[0];
    expect(result).toMatchObject({ passed: false, missing: ['pnpm'] });
  });

  it('fails a never case when a retrieved entry gives the rule, and passes it when none does', () => {
    const yaml = 'cases:\n  - name: no direct pushes\n    question: How do I get a change onto main?\n    never: push to main directly\n';
    const failing = answerCases(memory({ 'memory/notes.md': '# Notes\n\n- To ship, push to main directly.\n' }), cases(yaml)).cases[0];
    expect(failing).toMatchObject({ passed: false, forbidden: [{ term: 'push to main directly', path: 'memory/notes.md', line: 3 }] });
    const passing = answerCases(memory({ 'memory/notes.md': '# Notes\n\n- To ship, open a pull request against main.\n' }), cases(yaml)).cases[0];
    expect(passing).toMatchObject({ passed: true, forbidden: [] });
  });

  it('retrieves at most `top` entries, and an entry past them does not count', () => {
    const yaml = 'cases:\n  - name: snapshots\n    question: where do snapshot files live\n    expect: make release\n    top: 1\n';
    const [result] = answerCases(memory(), cases(yaml)).cases;
    expect(result?.entries).toHaveLength(1);
    expect(result?.entries[0]?.text).toContain('__snapshots__');
    expect(result?.passed).toBe(false);
  });

  it('gives the same answers on every run (ties in file order)', () => {
    const yaml = 'cases:\n  - name: a\n    question: pnpm\n  \n    expect: pnpm\n    top: 3\n';
    const first = answerCases(memory(), cases(yaml));
    expect(answerCases(memory(), cases(yaml))).toEqual(first);
  });

  it('answers nothing from an empty memory: an expect case fails, a never case passes', () => {
    const yaml = 'cases:\n  - name: a\n    question: anything\n    expect: pnpm\n  - name: b\n    question: anything\n    never: npm\n';
    const report = answerCases(memory({}), cases(yaml));
    expect(report.cases.map((c) => c.passed)).toEqual([false, true]);
  });
});

describe('containsTerm', () => {
  it('matches whole words, whatever the case, spacing or emphasis', () => {
    expect(containsTerm('Use **pnpm** for installs', 'use pnpm')).toBe(true);
    expect(containsTerm('Never `npm  install`', 'NPM INSTALL')).toBe(true);
    expect(containsTerm('Use pnpm', 'npm')).toBe(false);
    expect(containsTerm('pnpm-lock.yaml', 'pnpm')).toBe(true);
    expect(containsTerm('anything', '  ')).toBe(false);
  });
});
