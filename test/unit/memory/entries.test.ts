import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entriesAfterEdit } from '../../../src/memory/entries.js';
import { entriesOf, formatEntry, parseDocument, type Entry } from '../../../src/memory/index.js';
import { parseDocumentWhole } from '../../../src/memory/markdown.js';
import { AGENTS_MD_CRLF, CLAUDE_MD, longFile, markdownish, words } from './fixtures.js';

const entries = (text: string, path = 'memory/notes.md') => entriesOf(parseDocument(path, text), 'notes', 'dream');

describe('entriesOf', () => {
  it('takes list items, paragraphs and labelled units, nothing else', () => {
    const found = entries(CLAUDE_MD, 'CLAUDE.md');
    expect(found.map((entry) => [entry.kind, entry.text.split('\n')[0]])).toEqual([
      ['paragraph', 'This file gives Claude Code guidance for this repository.'],
      ['item', 'Install with `pnpm install`, never `npm install`.'],
      ['item', 'Run the tests:'],
      ['item', 'Lint before committing'],
      ['item', 'First build'],
      ['item', 'Then deploy'],
      ['item', 'Prefer `const`.'],
      ['item', 'Named exports only.'],
      ['labelled', 'Tables are fine too:'],
      ['paragraph', 'Last paragraph without a final newline'],
    ]);
  });

  it('fills in identity, place, policy and tokens', () => {
    const [entry] = entries('# Notes\n\n- Use pnpm\n');
    const hash = createHash('sha256').update('- Use pnpm\n').digest('hex').slice(0, 12);
    expect(entry).toEqual({
      id: `memory/notes.md#${hash}`,
      path: 'memory/notes.md',
      kind: 'item',
      raw: '- Use pnpm\n',
      text: 'Use pnpm',
      section: ['Notes'],
      line: 3,
      namespace: 'notes',
      policy: 'dream',
      tokens: 3,
    });
  });

  it('gives exact duplicates the same id and different texts different ids', () => {
    const [a, b, c] = entries('- same\n- same\n- other\n');
    expect(a?.id).toBe(b?.id);
    expect(a?.id).not.toBe(c?.id);
  });

  it('strips the item frame but keeps nested structure relative to the item', () => {
    const lint = entries(CLAUDE_MD, 'CLAUDE.md').find((entry) => entry.text.startsWith('Lint'));
    expect(lint?.text).toBe(
      'Lint before committing\n- `pnpm lint --fix` fixes most issues\n  - the rest are usually import order\ncontinuation line of the item',
    );
    const run = entries(CLAUDE_MD, 'CLAUDE.md').find((entry) => entry.text.startsWith('Run'));
    expect(run?.text).toBe('Run the tests:\n```sh\n- this is not a list item\n# nor a heading\npnpm test\n```');
  });

  it('strips ordered markers, lazy indentation, trailing spaces and CR', () => {
    expect(entries('10. ten\nlazy line  \n').map((entry) => entry.text)).toEqual(['ten\nlazy line']);
    expect(entries(AGENTS_MD_CRLF).map((entry) => entry.text)).toEqual([
      'Use Node 20\n- nvm use',
      'Set `CI=1` in scripts',
      'The API lives in `src/api`.',
    ]);
  });

  it('trims each paragraph line and keeps blank lines inside a loose item', () => {
    expect(entries('  one  \n two\n').map((entry) => entry.text)).toEqual(['one\ntwo']);
    expect(entries('- a\n\n  b\n').map((entry) => entry.text)).toEqual(['a\n\nb']);
  });
});

describe('formatEntry', () => {
  it('formats an item with continuation lines indented under the marker', () => {
    expect(formatEntry('Use pnpm\n- not npm\n\nreally', 'item')).toBe('- Use pnpm\n  - not npm\n\n  really\n');
    expect(formatEntry('a\nb', 'item', '\r\n')).toBe('- a\r\n  b\r\n');
  });

  it('formats a paragraph as its lines', () => {
    expect(formatEntry('one\ntwo', 'paragraph')).toBe('one\ntwo\n');
  });

  it('is undone by entriesOf for ordinary item text', () => {
    const text = fc
      .array(fc.oneof(words, words.map((w) => `- ${w}`), words.map((w) => `  - ${w}`), fc.constant('```'), fc.constant('')), {
        maxLength: 6,
      })
      .chain((rest) => words.map((first) => [first, ...rest].join('\n').replace(/\n+$/, '')));
    fc.assert(
      fc.property(text, (t) => {
        const found = entries(formatEntry(t, 'item'));
        return found.length === 1 && found[0]?.kind === 'item' && found[0].text === t;
      }),
    );
  });

  it('is undone by entriesOf for paragraph text of plain words', () => {
    const text = fc.array(words, { minLength: 1, maxLength: 5 }).map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(text, (t) => {
        const found = entries(formatEntry(t, 'paragraph'));
        return found.length === 1 && found[0]?.kind === 'paragraph' && found[0].text === t;
      }),
    );
  });
});

describe('entriesAfterEdit', { timeout: 60_000 }, () => {
  it('gives the entries entriesOf gives after any edit, carrying over those of the blocks the edit left alone', () => {
    let carried = 0;
    fc.assert(
      fc.property(longFile, fc.nat(), fc.nat(), markdownish, (text, a, b, insert) => {
        const start = a % (text.length + 1);
        const end = start + (b % Math.min(2_000, text.length - start + 1));
        const edited = text.slice(0, start) + insert + text.slice(end);
        const before = parseDocument('m.md', text);
        const entries = entriesOf(before, 'notes', 'dream');
        const added: Entry[] = [];
        const after = entriesAfterEdit({ blocks: before.blocks, entries }, parseDocument('m.md', edited), 'notes', 'dream', (e) => added.push(e));
        expect(after).toEqual(entriesOf(parseDocumentWhole('m.md', edited), 'notes', 'dream'));
        // Those not read anew are the entries before the edit, as they were or moved.
        const old = new Set(entries);
        expect(after.filter((e) => !added.includes(e)).every((e) => old.has(e) || entries.some((o) => o.raw === e.raw && o.id === e.id))).toBe(true);
        carried += after.length - added.length;
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
    expect(carried).toBeGreaterThan(0);
  });
});
