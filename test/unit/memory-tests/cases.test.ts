import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseTestFile, parseTestFiles } from '../../../src/memory-tests/case-file.js';
import { DEFAULT_TOP, isTestFile } from '../../../src/memory-tests/cases.js';

const FILE = '.reverie/tests/memory.yaml';

function errorOf(text: string): ConfigError {
  try {
    parseTestFile(text, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('parseTestFile', () => {
  it('reads cases with their file, line and defaults', () => {
    const text = '# what the agents must know\ncases:\n  - name: package manager\n    question: Which package manager?\n    expect: pnpm\n  - name: pushes\n    question: How do changes reach main?\n    expect: [pull request]\n    never:\n      - push to main directly\n    top: 3\n';
    expect(parseTestFile(text, FILE)).toEqual([
      { id: `${FILE}#package manager`, name: 'package manager', file: FILE, line: 3, question: 'Which package manager?', expect: ['pnpm'], never: [], top: DEFAULT_TOP },
      { id: `${FILE}#pushes`, name: 'pushes', file: FILE, line: 6, question: 'How do changes reach main?', expect: ['pull request'], never: ['push to main directly'], top: 3 },
    ]);
  });

  it('reads an empty file or an empty list as no cases', () => {
    expect(parseTestFile('', FILE)).toEqual([]);
    expect(parseTestFile('cases: []\n', FILE)).toEqual([]);
  });

  it('names the file, line and key of an unknown key, with the key it most likely meant', () => {
    const error = errorOf('cases:\n  - name: a\n    question: q\n    expects: pnpm\n');
    expect(error).toMatchObject({ file: FILE, line: 4, key: 'cases[0].expects', exitCode: 2 });
    expect(error.message).toContain(`${FILE}:4 (cases[0].expects): unknown key (did you mean "expect"?)`);
  });

  it('names the file, line and key of a wrong value', () => {
    expect(errorOf('cases:\n  - name: a\n    question: q\n    expect: pnpm\n    top: 0\n')).toMatchObject({ line: 5, key: 'cases[0].top' });
    expect(errorOf('cases:\n  - name: a\n    question: q\n    never: [ok, {a: b}]\n')).toMatchObject({ line: 4, key: 'cases[0].never[1]' });
    expect(errorOf('cases:\n  - name: a\n    expect: pnpm\n')).toMatchObject({ line: 2, key: 'cases[0].question' });
    expect(errorOf('tests:\n  - name: a\n')).toMatchObject({ line: 1, key: 'tests' });
    expect(errorOf('cases: {}\n')).toMatchObject({ line: 1, key: 'cases' });
  });

  it('refuses a case with neither expect nor never, and two cases of one name', () => {
    const neither = errorOf('cases:\n  - name: a\n    question: q\n');
    expect(neither).toMatchObject({ line: 2, key: 'cases[0]' });
    expect(neither.message).toContain('needs `expect:`');
    const twice = errorOf('cases:\n  - name: a\n    question: q\n    expect: x\n  - name: a\n    question: r\n    expect: y\n');
    expect(twice).toMatchObject({ line: 5, key: 'cases[1].name' });
  });

  it('names the line of invalid YAML', () => {
    expect(errorOf('cases:\n  - name: a\n    question: [unclosed\n')).toMatchObject({ file: FILE });
    expect(errorOf('cases:\n  - name: a\n    question: q\n    question: r\n').line).toBe(4);
  });
});

describe('parseTestFiles', () => {
  it('reads files in path order', () => {
    const one = (name: string) => `cases:\n  - name: ${name}\n    question: q\n    expect: x\n`;
    const parsed = parseTestFiles([
      { path: '.reverie/tests/b.yaml', text: one('b') },
      { path: '.reverie/tests/a.yml', text: one('a') },
    ]);
    expect(parsed.map((c) => c.id)).toEqual(['.reverie/tests/a.yml#a', '.reverie/tests/b.yaml#b']);
  });
});

describe('isTestFile', () => {
  it('takes YAML files directly in .reverie/tests', () => {
    expect(isTestFile('.reverie/tests/memory.yaml')).toBe(true);
    expect(isTestFile('.reverie/tests/memory.YML')).toBe(true);
    expect(isTestFile('.reverie/tests/old/memory.yaml')).toBe(false);
    expect(isTestFile('.reverie/tests/README.md')).toBe(false);
    expect(isTestFile('.reverie/state.json')).toBe(false);
  });
});
