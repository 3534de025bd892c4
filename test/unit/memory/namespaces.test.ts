import { describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../../src/errors.js';
import { assertInsideRoot, namespaceFor } from '../../../src/memory/index.js';
import type { Namespace } from '../../../src/memory/index.js';

const namespaces: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'wiki', paths: ['./wiki/*.md', 'wiki/_index.md'], policy: 'dream' },
  { name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 4000 },
];

describe('namespaceFor', () => {
  it('matches globs relative to the memory root, first namespace first', () => {
    expect(namespaceFor('memory/instructions/style.md', 'memory', namespaces)?.name).toBe('instructions');
    expect(namespaceFor('memory/wiki/pnpm.md', 'memory', namespaces)?.name).toBe('wiki');
    expect(namespaceFor('memory/tools.md', 'memory', namespaces)?.name).toBe('notes');
    expect(namespaceFor('memory/deep/er/tools.md', 'memory', namespaces)?.name).toBe('notes');
  });

  it('lets a catch-all listed first win over a protected namespace listed after it', () => {
    const reversed = [namespaces[2], namespaces[0]] as Namespace[];
    expect(namespaceFor('memory/instructions/style.md', 'memory', reversed)?.name).toBe('notes');
  });

  it('matches dot files and dot folders', () => {
    expect(namespaceFor('memory/.hidden/notes.md', 'memory', namespaces)?.name).toBe('notes');
    expect(namespaceFor('memory/.notes.md', 'memory', namespaces)?.name).toBe('notes');
  });

  it('gives nothing for paths outside the root, unsafe paths and unmatched files', () => {
    expect(namespaceFor('other/tools.md', 'memory', namespaces)).toBeUndefined();
    expect(namespaceFor('memory/../tools.md', 'memory', namespaces)).toBeUndefined();
    expect(namespaceFor('/memory/tools.md', 'memory', namespaces)).toBeUndefined();
    expect(namespaceFor('memory/tools.txt', 'memory', namespaces)).toBeUndefined();
  });

  it('takes the repository root as the memory root when root is "." or empty', () => {
    expect(namespaceFor('CLAUDE.md', '.', namespaces)?.name).toBe('notes');
    expect(namespaceFor('instructions/a.md', '', namespaces)?.name).toBe('instructions');
    expect(namespaceFor('./memory/x.md', 'memory/', namespaces)?.name).toBe('notes');
  });
});

describe('assertInsideRoot', () => {
  it('returns the normalised path of a file inside the root', () => {
    expect(assertInsideRoot('memory/notes.md', 'memory')).toBe('memory/notes.md');
    expect(assertInsideRoot('./memory//a/./b.md', 'memory')).toBe('memory/a/b.md');
    expect(assertInsideRoot('memory/a/../b.md', './memory/')).toBe('memory/b.md');
    expect(assertInsideRoot('CLAUDE.md', '.')).toBe('CLAUDE.md');
  });

  it.each([
    ['../x', 'memory'],
    ['../x', '.'],
    ['/etc/passwd', 'memory'],
    ['/etc/passwd', '.'],
    ['memory/../../x', 'memory'],
    ['memory/../x.md', 'memory'],
    ['memory', 'memory'],
    ['memory/', 'memory'],
    ['', '.'],
    ['.', '.'],
    ['memory\\..\\x.md', 'memory'],
    ['C:/memory/x.md', 'memory'],
    ['memory/x\0.md', 'memory'],
    ['memory/x\n.md', 'memory'],
    ['memory/.git/config', 'memory'],
    ['.git/hooks/pre-commit', '.'],
    ['memorybank/x.md', 'memory'],
    ['memory/x.md', '../memory'],
  ])('rejects %j under root %j', (path, root) => {
    expect(() => assertInsideRoot(path, root)).toThrow(UnsafePathError);
  });

  it('names the offending path in the error', () => {
    try {
      assertInsideRoot('memory/../../x', 'memory');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnsafePathError);
      expect((error as UnsafePathError).path).toBe('memory/../../x');
      expect((error as UnsafePathError).exitCode).toBe(6);
    }
  });
});
