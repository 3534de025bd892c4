import { describe, expect, it } from 'vitest';
import { entryTextChanges, namespaceChanges, type NamespaceChange } from '../../../src/memory/changes.js';
import { buildSnapshot, estimateTokens, type Namespace } from '../../../src/memory/index.js';

const namespaces: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 4000 },
];

function snapshot(files: Record<string, string>) {
  return buildSnapshot(Object.entries(files).map(([path, text]) => ({ path, text })), 'memory', namespaces);
}

function notes(before: string, after: string): NamespaceChange {
  const change = namespaceChanges(snapshot({ 'memory/notes.md': before }), snapshot({ 'memory/notes.md': after })).find((c) => c.namespace === 'notes');
  if (!change) throw new Error('no notes namespace');
  return change;
}

const counts = ({ added, changed, merged, pruned, unchanged }: NamespaceChange) => ({ added, changed, merged, pruned, unchanged });

describe('namespaceChanges', () => {
  it('counts entries added and pruned, and the net tokens of the whole files', () => {
    const before = '# Notes\n\n- Use pnpm, never npm.\n- The staging database lives on port 5433.\n';
    const after = '# Notes\n\n- Run the linter before each commit.\n- Use pnpm, never npm.\n';
    const change = notes(before, after);
    expect(counts(change)).toEqual({ added: 1, changed: 0, merged: 0, pruned: 1, unchanged: 1 });
    expect(change).toMatchObject({ entriesBefore: 2, entriesAfter: 2, tokensBefore: estimateTokens(before), tokensAfter: estimateTokens(after) });
    expect(change.netTokens).toBe(estimateTokens(after) - estimateTokens(before));
  });

  it('an entry rewritten is changed, not pruned and added: by its words, or swapped one for one at its place', () => {
    const change = notes('- Deploys go out on Tuesdays after the standup.\n', '- Deploys go out on Thursdays after the standup.\n');
    expect(counts(change)).toEqual({ added: 0, changed: 1, merged: 0, pruned: 0, unchanged: 0 });
    const swapped = notes('- a\n- Install dependencies with npm.\n- b\n', '- a\n- Lockfile changes need a review.\n- b\n');
    expect(counts(swapped)).toEqual({ added: 0, changed: 1, merged: 0, pruned: 0, unchanged: 2 });
    const notOneForOne = notes('- a\n- Install dependencies with npm.\n- b\n', '- a\n- Lockfile changes need a review.\n- Tag releases.\n- b\n');
    expect(counts(notOneForOne)).toEqual({ added: 2, changed: 0, merged: 0, pruned: 1, unchanged: 2 });
  });

  it('follows what the commits say where they say it: trailers name the action that removed or added a text', () => {
    const before = '- Run the pricing tests with plain pytest.\n- The pricing service runs on port 8081 locally.\n- To try pricing, run make dev; it serves on localhost:8081.\n- Old tip.\n';
    const after = '- pytest fails with ModuleNotFoundError: use python -m pytest.\n- To try pricing, run make dev; it serves on localhost:8081.\n- Run pnpm lint first.\n';
    const hints = {
      removed: new Map([
        ['Run the pricing tests with plain pytest.', 'update'],
        ['The pricing service runs on port 8081 locally.', 'merge'],
        ['Old tip.', 'prune'],
      ]),
      added: new Map([
        ['pytest fails with ModuleNotFoundError: use python -m pytest.', 'update'],
        ['Run pnpm lint first.', 'add'],
      ]),
    };
    const [, change] = namespaceChanges(snapshot({ 'memory/notes.md': before }), snapshot({ 'memory/notes.md': after }), hints);
    expect(counts(change!)).toEqual({ added: 1, changed: 1, merged: 1, pruned: 1, unchanged: 1 });
    const [, unhinted] = namespaceChanges(snapshot({ 'memory/notes.md': before }), snapshot({ 'memory/notes.md': after }));
    // Without them, only words and places speak: the old tip swapped for the lint entry reads as a rewrite.
    expect(counts(unhinted!)).toEqual({ added: 1, changed: 1, merged: 0, pruned: 2, unchanged: 1 });
  });

  it('entries folded into one that stays are merged, and so are entries folded into a new one', () => {
    const kept = '- Never bump the major version without asking the user first.\n';
    const intoKept = notes(`${kept}- Please never bump a major version without asking.\n- Keep commits small.\n`, `${kept}- Keep commits small.\n`);
    expect(counts(intoKept)).toEqual({ added: 0, changed: 0, merged: 1, pruned: 0, unchanged: 2 });

    const intoNew = notes(
      '- Run pnpm install before the tests.\n- Run the tests with pnpm test.\n',
      '- Run pnpm install, then the tests with pnpm test.\n',
    );
    expect(counts(intoNew)).toEqual({ added: 0, changed: 0, merged: 2, pruned: 0, unchanged: 0 });
  });

  it('an exact duplicate removed was merged into its twin; formatting alone changes nothing', () => {
    expect(counts(notes('- Use pnpm.\n- Use pnpm.\n', '- Use pnpm.\n'))).toEqual({ added: 0, changed: 0, merged: 1, pruned: 0, unchanged: 1 });
    const reformatted = notes('* Use pnpm.   \n', '- Use pnpm.\n');
    expect(counts(reformatted)).toEqual({ added: 0, changed: 0, merged: 0, pruned: 0, unchanged: 1 });
  });

  it('keeps namespaces apart, reports each in configuration order with its policy and budget', () => {
    const before = snapshot({ 'memory/instructions/style.md': '- Named exports only.\n', 'memory/notes.md': '- a note about pnpm\n' });
    const after = snapshot({ 'memory/instructions/style.md': '- Named exports only.\n', 'memory/tools.md': '- a note about pnpm\n' });
    const [instructions, notesChange] = namespaceChanges(before, after);
    expect(instructions).toMatchObject({ namespace: 'instructions', policy: 'protected', added: 0, pruned: 0, unchanged: 1, netTokens: 0 });
    expect(instructions).not.toHaveProperty('budgetTokens');
    expect(notesChange).toMatchObject({ namespace: 'notes', policy: 'dream', budgetTokens: 4000, unchanged: 1, added: 0, pruned: 0 });
  });

  it('an entry moved to another namespace is pruned from one and added to the other', () => {
    const [instructions, notesChange] = namespaceChanges(
      snapshot({ 'memory/notes.md': '- Named exports only.\n' }),
      snapshot({ 'memory/instructions/style.md': '- Named exports only.\n' }),
    );
    expect(counts(instructions!)).toMatchObject({ added: 1, pruned: 0 });
    expect(counts(notesChange!)).toMatchObject({ added: 0, pruned: 1 });
  });

  it('entryTextChanges: the entry texts a commit removed from a file and added to it', () => {
    expect(entryTextChanges('m.md', '- a\n- b\n- b\n', '- b\n- c\n')).toEqual({ removed: ['a', 'b'], added: ['c'] });
    expect(entryTextChanges('m.md', undefined, '- new\n')).toEqual({ removed: [], added: ['new'] });
  });
});
