import { describe, expect, it } from 'vitest';
import { checkAnnotations, checkHeadline, checkOutputs, MAX_ANNOTATIONS_PER_LEVEL } from '../../../src/action/check-report.js';
import type { CheckReport } from '../../../src/cycle/check.js';
import { buildSnapshot, type Namespace } from '../../../src/memory/index.js';
import { countBySeverity, lintMemory, type Finding } from '../../../src/memory/lint.js';
import { parseTestFile } from '../../../src/memory-tests/case-file.js';
import { checkMemory } from '../../../src/memory-tests/compare.js';

const NAMESPACES: Namespace[] = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream' }];
const SECRET = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
const BASE = 'b'.repeat(40);

/** A check's report on these memory files, with the findings the real lint rules make of them. */
function reportOf(files: Record<string, string>): CheckReport {
  const snapshot = buildSnapshot(Object.entries(files).map(([path, text]) => ({ path, text })), 'memory', NAMESPACES);
  return withFindings(lintMemory({ snapshot, repositoryPaths: new Set(Object.keys(files)) }), Object.keys(files).length);
}

function withFindings(findings: Finding[], files = 1): CheckReport {
  return { base: BASE, head: null, namespaces: [], lint: { commit: null, harness: 'none', files, ...countBySeverity(findings), findings } };
}

const inWorkspace = (file: string) => (file.startsWith('/') ? undefined : file);

describe('checkAnnotations', () => {
  it('puts each finding on its file and line, errors as errors and warnings as warnings, never quoting a secret', () => {
    const report = reportOf({ 'memory/notes.md': `# Notes\n\n- Use pnpm.\n\n**Deploy with ${SECRET}:**\n` });
    expect(checkAnnotations(report, inWorkspace)).toEqual([
      '::error title=reverie%3A secrets/found,file=memory/notes.md,line=5::looks like a secret (github-token); remove it from memory and rotate it',
      '::warning title=reverie%3A structure/dangling-label,file=memory/notes.md,line=5::"**Deploy with [REDACTED:github-token]:**" introduces nothing; restore what it announced or remove it',
    ]);
  });

  it('keeps text from memory on its command line: what would end it or start another is escaped, control characters dropped', () => {
    const hostile: Finding = { file: 'memory/a,b:c.md', line: 3, rule: 'structure/empty-section', severity: 'warning', message: `the heading "x %0A\n::error::injected\r\u001b[31m ${SECRET}" has nothing under it` };
    const [line, ...more] = checkAnnotations(withFindings([hostile]), inWorkspace);
    expect(more).toEqual([]);
    expect(line).toBe('::warning title=reverie%3A structure/empty-section,file=memory/a%2Cb%3Ac.md,line=3::the heading "x %250A%0A::error::injected [REDACTED:github-token]" has nothing under it');
    expect(line?.split('\n')).toHaveLength(1);
  });

  it('names the file in the message when it lies outside the workspace, and leaves out a line a finding does not have', () => {
    const findings: Finding[] = [
      { file: '/elsewhere/memory/notes.md', line: 4, rule: 'format/empty-entry', severity: 'error', message: 'empty list item' },
      { file: 'memory/big.md', line: null, rule: 'budget/over', severity: 'warning', message: 'namespace "notes" is over its budget' },
    ];
    expect(checkAnnotations(withFindings(findings), inWorkspace)).toEqual([
      '::error title=reverie%3A format/empty-entry::/elsewhere/memory/notes.md:4: empty list item',
      '::warning title=reverie%3A budget/over,file=memory/big.md::namespace "notes" is over its budget',
    ]);
  });

  it('shows at most ten errors and ten warnings, errors first, and says how many more the summary lists', () => {
    const finding = (severity: 'error' | 'warning', line: number): Finding => ({ file: 'memory/notes.md', line, rule: 'format/empty-entry', severity, message: `${severity} ${line}` });
    const findings = [...Array.from({ length: 15 }, (_, i) => finding('warning', i + 1)), ...Array.from({ length: 12 }, (_, i) => finding('error', i + 100))];
    const lines = checkAnnotations(withFindings(findings), inWorkspace);
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(MAX_ANNOTATIONS_PER_LEVEL);
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(MAX_ANNOTATIONS_PER_LEVEL);
    expect(lines.slice(0, MAX_ANNOTATIONS_PER_LEVEL).every((l) => l.startsWith('::error '))).toBe(true);
    expect(lines.at(-1)).toBe('::notice title=reverie%3A more findings::7 more findings: the job summary lists them');
  });
});

describe('the check on the run', () => {
  it('sets the counts as outputs and says them in one log line', () => {
    const failing = reportOf({ 'memory/notes.md': `# Notes\n\n- Token ${SECRET}\n\n**Key files:**\n` });
    expect(checkOutputs(failing)).toEqual({ errors: '1', warnings: '1' });
    expect(checkHeadline(failing)).toBe('check: 1 error, 1 warning in 1 memory file, compared with bbbbbbb; a lint error fails the check');
    const clean = reportOf({ 'memory/notes.md': '# Notes\n\n- Use pnpm.\n', 'memory/tools.md': '# Tools\n\n- Node 20.\n' });
    expect(checkOutputs(clean)).toEqual({ errors: '0', warnings: '0' });
    expect(checkHeadline(clean)).toBe('check: 0 errors, 0 warnings in 2 memory files, compared with bbbbbbb');
  });
});

describe('memory tests in the check on the run', () => {
  const NOTES = '# Notes\n\n- The pricing service listens on port 8081.\n- Use pnpm for every install.\n';
  const CASES = parseTestFile(
    `cases:
  - name: pricing port
    question: Which port does the pricing service listen on?
    expect: pricing service listens
  - name: installs
    question: Which package manager?
    expect: pnpm
`,
    '.reverie/tests/memory.yaml',
  );
  const snapshot = (text: string, namespaces = NAMESPACES) => buildSnapshot([{ path: 'memory/notes.md', text }], 'memory', namespaces);

  function reportWith(after: string, namespaces = NAMESPACES): CheckReport {
    return { ...withFindings([]), memoryTests: checkMemory(snapshot(NOTES, namespaces), snapshot(after, namespaces), CASES, 'none') };
  }

  it('puts a broken case on its line of the test file, with what is missing, and says in the headline that it fails the check', () => {
    const report = reportWith('# Notes\n\n- Use pnpm for every install.\n');
    expect(checkAnnotations(report, inWorkspace)).toEqual([
      '::error title=reverie%3A memory test broken,file=.reverie/tests/memory.yaml,line=2::memory test "pricing port" passes on the base and fails with this change: "pricing service listens" is in none of the entries retrieved',
    ]);
    expect(checkHeadline(report)).toBe('check: 0 errors, 0 warnings in 1 memory file, compared with bbbbbbb; memory tests: 0 fixed, 1 broken; 1 memory check failed, which fails the check: the change needs a person');
    expect(checkOutputs(report)).toEqual({ errors: '0', warnings: '0' });
  });

  it('names a target taken over its limit in an error of its own, without a file', () => {
    const tight: Namespace[] = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 30 }];
    const report = reportWith(`${NOTES}- Ship with make release from a clean checkout of main, after the changelog is written.\n`, tight);
    const [line, ...more] = checkAnnotations(report, inWorkspace);
    expect(more).toEqual([]);
    expect(line).toMatch(/^::error title=reverie%3A context cost over a limit::the change takes namespace notes to \d+ tokens, over its limit of 30 \(budget_tokens of namespace notes\)$/);
  });

  it('says nothing of tests that pass, beyond their counts in the headline', () => {
    const report = reportWith(NOTES);
    expect(checkAnnotations(report, inWorkspace)).toEqual([]);
    expect(checkHeadline(report)).toBe('check: 0 errors, 0 warnings in 1 memory file, compared with bbbbbbb; memory tests: 0 fixed, 0 broken');
  });
});

