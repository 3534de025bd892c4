import { describe, expect, it } from 'vitest';
import { buildSnapshot, estimateTokens, tokensOf } from '../../../src/memory/index.js';
import type { Namespace } from '../../../src/memory/index.js';
import { memoryFilesOf } from '../../../src/memory/namespaces.js';

const namespaces: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'notes', paths: ['**/*.md', '**/*.MD', '**/*.markdown', '**/*.txt'], policy: 'dream', budgetTokens: 100 },
];

const files = [
  { path: 'memory/tools.md', text: '# Tools\n\n- Use pnpm\n' },
  { path: 'memory/instructions/style.md', text: '- Named exports only\n' },
  { path: 'memory/a.markdown', text: 'A paragraph.\n' },
  { path: 'memory/notes.txt', text: '- not markdown\n' },
  { path: 'README.md', text: '- outside the root\n' },
  { path: 'memory/../escape.md', text: '- escapes\n' },
  { path: 'memory/UPPER.MD', text: '- upper case extension\n' },
];

describe('buildSnapshot', () => {
  const snapshot = buildSnapshot(files, 'memory', namespaces);

  it('keeps Markdown files under the root that a namespace claims, sorted by path', () => {
    expect(snapshot.files.map((file) => file.path)).toEqual([
      'memory/UPPER.MD',
      'memory/a.markdown',
      'memory/instructions/style.md',
      'memory/tools.md',
    ]);
    expect(snapshot.root).toBe('memory');
    expect(snapshot.namespaces).toBe(namespaces);
  });

  it('gives each file its namespace, policy, document and entries', () => {
    const style = snapshot.files.find((file) => file.path === 'memory/instructions/style.md');
    expect(style).toMatchObject({ namespace: 'instructions', policy: 'protected' });
    expect(style?.entries.map((entry) => [entry.text, entry.namespace, entry.policy])).toEqual([
      ['Named exports only', 'instructions', 'protected'],
    ]);
    const tools = snapshot.files.find((file) => file.path === 'memory/tools.md');
    expect(tools?.document.text).toBe('# Tools\n\n- Use pnpm\n');
    expect(tools?.entries[0]?.id.startsWith('memory/tools.md#')).toBe(true);
  });

  it('stores normalised paths and ignores later duplicates of the same path', () => {
    const twice = buildSnapshot(
      [
        { path: './memory/x.md', text: '- first\n' },
        { path: 'memory/x.md', text: '- second\n' },
      ],
      'memory',
      namespaces,
    );
    expect(twice.files.map((file) => [file.path, file.entries[0]?.text])).toEqual([['memory/x.md', 'first']]);
  });

  it('totals a namespace from whole files, headings included', () => {
    const notes = ['memory/UPPER.MD', 'memory/a.markdown', 'memory/tools.md'];
    const expected = files.filter((f) => notes.includes(f.path)).reduce((sum, f) => sum + estimateTokens(f.text), 0);
    expect(tokensOf(snapshot, 'notes')).toBe(expected);
    expect(tokensOf(snapshot, 'instructions')).toBe(estimateTokens('- Named exports only\n'));
    expect(tokensOf(snapshot, 'missing')).toBe(0);
  });
});

describe('memoryFilesOf', () => {
  it('names the files buildSnapshot keeps, by the same paths, in its order, with their text', () => {
    const more = [...files, { path: 'memory/./dot.md', text: '- dotted\n' }, { path: 'memory/dot.md', text: '- twice\n' }, { path: 'memory/x/../tools.md', text: '- again\n' }];
    for (const [list, root] of [
      [files, 'memory'],
      [more, 'memory'],
      [[...more].reverse(), 'memory'],
      [more, ''],
      [more, 'memory/instructions'],
    ] as const) {
      const snapshot = buildSnapshot([...list], root, namespaces);
      expect(memoryFilesOf(list, root, namespaces)).toEqual(snapshot.files.map((file) => ({ path: file.path, text: file.document.text })));
    }
  });
});
