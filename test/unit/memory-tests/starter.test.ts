import { describe, expect, it } from 'vitest';
import { buildSnapshot, type Namespace } from '../../../src/memory/index.js';
import { parseTestFile } from '../../../src/memory-tests/case-file.js';
import { answerCases } from '../../../src/memory-tests/reader.js';
import { STARTER_TEST_FILE, starterCases, starterTestFile } from '../../../src/memory-tests/starter.js';

const namespaces: Namespace[] = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream' }];

const NOTES = `# Notes

## Tools

- Never run npm install; the lockfile is pnpm's.
- The staging database is reset every Monday.
- Always run prettier before committing.

## Testing

- Tests must not call the payments sandbox.
- Make sure migrations are reversible.
`;

function memory(text = NOTES) {
  return buildSnapshot([{ path: 'memory/notes.md', text }], 'memory', namespaces);
}

describe('starterTestFile', () => {
  it('builds at most three cases from rule lines, expecting their telling words, and leaves other entries out', () => {
    const cases = starterCases(memory());
    expect(cases).toHaveLength(3);
    expect(cases.map((c) => c.expect)).toEqual([
      ['install', 'lockfile'],
      ['prettier', 'committing'],
      ['payments', 'sandbox'],
    ]);
    expect(cases.every((c) => c.expect.every((term) => !['never', 'always', 'must', 'the'].includes(term)))).toBe(true);
  });

  it('writes a valid test file that passes on the memory it was made from, and fails once a rule is gone', () => {
    const text = starterTestFile(memory());
    expect(text.startsWith('# Memory tests')).toBe(true);
    const cases = parseTestFile(text, STARTER_TEST_FILE);
    expect(cases).toHaveLength(3);
    expect(answerCases(memory(), cases)).toMatchObject({ passed: 3, failed: 0 });
    const withoutPrettier = NOTES.replace(/^- Always run prettier.*\n/m, '');
    const report = answerCases(memory(withoutPrettier), cases);
    expect(report).toMatchObject({ passed: 2, failed: 1 });
    expect(report.cases.find((c) => !c.passed)?.missing).toEqual(['prettier', 'committing']);
  });

  it('writes no case for a memory without rules, but a valid file with an example in comments', () => {
    const text = starterTestFile(memory('# Notes\n\n- The staging database is reset every Monday.\n'));
    expect(parseTestFile(text, STARTER_TEST_FILE)).toEqual([]);
    expect(text).toContain('#   - name: package manager');
  });
});
