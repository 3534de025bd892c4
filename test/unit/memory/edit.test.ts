import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EntryNotFoundError,
  UnsafeEditError,
  entriesOf,
  formatEntry,
  insertEntry,
  parseDocument,
  removeEntry,
  replaceEntry,
} from '../../../src/memory/index.js';
import type { Block } from '../../../src/memory/index.js';
import { insertEntryEdit, othersIntact, removeEntryEdit, replaceEntryEdit, splicedKeepsOthers, type Allowed } from '../../../src/memory/edit.js';
import { blockView, documentBlocks, eachBlock, parseDocumentWhole, parseSpliced } from '../../../src/memory/markdown.js';
import { EntryVersion, editedEntries } from '../../../src/memory/entry-versions.js';
import { structureProblems } from '../../../src/memory/structure.js';
import { AGENTS_MD_CRLF, CLAUDE_MD, longFile, markdownish, words } from './fixtures.js';

const P = 'memory/notes.md';
const raws = (text: string) => entriesOf(parseDocument(P, text), 'notes', 'dream').map((entry) => entry.raw);
const texts = (text: string) => entriesOf(parseDocument(P, text), 'notes', 'dream').map((entry) => entry.text);

/** Blocks as a reader sees them: what must survive an edit elsewhere (a moved final line break aside). */
const significant = (text: string) =>
  parseDocument(P, text)
    .blocks.filter((block) => block.kind !== 'blank')
    .map((block) => `${block.kind}:${block.level ?? ''}:${block.raw.replace(/\r?\n$/, '')}`);

const hasDoubleBlank = (blocks: Block[]) =>
  blocks.some((block, i) => block.kind === 'blank' && blocks[i + 1]?.kind === 'blank');

describe('replaceEntry', () => {
  it('replaces one item and leaves every other byte alone', () => {
    const before = '# Tools\n\n- Use npm\n- Run tests\n';
    expect(replaceEntry(before, P, '- Use npm\n', '- Use pnpm\n')).toBe('# Tools\n\n- Use pnpm\n- Run tests\n');
  });

  it('matches whole entry blocks, not substrings', () => {
    const text = '- Use pnpm\n  - not npm\n- other\n```\n- Use pnpm\n```\n';
    expect(() => replaceEntry(text, P, '- Use pnpm\n', '- x\n')).toThrow(EntryNotFoundError);
    expect(() => replaceEntry(text, P, '  - not npm\n', '- x\n')).toThrow(EntryNotFoundError);
    expect(replaceEntry(text, P, '- Use pnpm\n  - not npm\n', '- x\n')).toBe('- x\n- other\n```\n- Use pnpm\n```\n');
  });

  it('says which file and entry were not found', () => {
    try {
      replaceEntry('- a\n', P, '- a very long entry that is not there at all, and goes on and on and on\n', '- b\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EntryNotFoundError);
      expect((error as EntryNotFoundError).path).toBe(P);
      expect((error as EntryNotFoundError).preview).toMatch(/^- a very long entry.*…$/);
      expect((error as Error).message).toContain(P);
    }
  });

  it('forgives a missing trailing line break on either side', () => {
    expect(replaceEntry('- a\n- b\n', P, '- a', '- c')).toBe('- c\n- b\n');
    expect(replaceEntry('- a\n- b', P, '- b\n', '- c\n')).toBe('- a\n- c');
  });

  it('replaces the first of exact duplicates', () => {
    expect(replaceEntry('- a\n- a\n', P, '- a\n', '- b\n')).toBe('- b\n- a\n');
  });

  it('keeps CRLF in a CRLF file', () => {
    const result = replaceEntry(AGENTS_MD_CRLF, P, '- Use Node 20\r\n  - nvm use\r\n', '- Use Node 22\n  - nvm use 22\n');
    expect(result).toBe(AGENTS_MD_CRLF.replace('- Use Node 20\r\n  - nvm use\r\n', '- Use Node 22\r\n  - nvm use 22\r\n'));
  });

  it('drops blank lines around the new text and removes the entry when it is blank', () => {
    expect(replaceEntry('- a\n- b\n', P, '- a\n', '\n\n- c\n\n\n')).toBe('- c\n- b\n');
    expect(replaceEntry('p\n\nq\n', P, 'p\n', '  \n')).toBe('q\n');
  });

  it('separates new text that would merge with its neighbours', () => {
    expect(replaceEntry('- x\n- a\n---\n', P, '- a\n', 'A paragraph\n')).toBe('- x\n\nA paragraph\n\n---\n');
  });

  it('refuses new text that would swallow the rest of the file or add a heading', () => {
    expect(() => replaceEntry('- a\n- b\n', P, '- a\n', '```\n- c\n')).toThrow(UnsafeEditError);
    expect(() => replaceEntry('- a\n- b\n', P, '- a\n', '## New\n')).toThrow(UnsafeEditError);
  });

  it('replaces a paragraph in a realistic file without touching the rest', () => {
    const old = 'This file gives Claude Code guidance for this repository.\nKeep it short.\n';
    const result = replaceEntry(CLAUDE_MD, 'CLAUDE.md', old, 'Guidance for this repository.\n');
    expect(result).toBe(CLAUDE_MD.replace(old, 'Guidance for this repository.\n'));
  });
});

describe('removeEntry', () => {
  it('removes an item from a tight list', () => {
    expect(removeEntry('- a\n- b\n- c\n', P, '- b\n')).toBe('- a\n- c\n');
  });

  it('removes a paragraph and one of the blank lines around it', () => {
    expect(removeEntry('## H\n\none\n\ntwo\n\n## I\n', P, 'one\n')).toBe('## H\n\ntwo\n\n## I\n');
    expect(removeEntry('## H\n\none\n\n## I\n', P, 'one\n')).toBe('## H\n\n## I\n');
  });

  it('leaves no blank line at the start or end of the file', () => {
    expect(removeEntry('one\n\ntwo\n', P, 'one\n')).toBe('two\n');
    expect(removeEntry('one\n\ntwo\n', P, 'two\n')).toBe('one\n');
  });

  it('removes an item from a loose list without doubling blank lines', () => {
    expect(removeEntry('- a\n\n- b\n\n- c\n', P, '- b\n')).toBe('- a\n\n- c\n');
  });

  it('keeps a file without a final line break without one', () => {
    expect(removeEntry('- a\n- b', P, '- b')).toBe('- a');
    expect(removeEntry('- a\n- b', P, '- a\n')).toBe('- b');
    expect(removeEntry('only', P, 'only')).toBe('');
  });

  it('keeps neighbours from running together', () => {
    expect(removeEntry('Intro\n\n- a\n\n---\n', P, '- a\n')).toBe('Intro\n\n---\n');
    expect(removeEntry('1. one\n\nText\n2. two\n', P, 'Text\n2. two\n')).toBe('1. one\n');
  });

  it('removes a label together with what it introduces', () => {
    expect(removeEntry('## H\n\nKey files:\n- a\n- b\n\nMore text.\n', P, 'Key files:\n- a\n- b\n')).toBe('## H\n\nMore text.\n');
  });

  it('keeps CRLF and never leaves a section with a double blank', () => {
    const result = removeEntry(AGENTS_MD_CRLF, P, 'The API lives in `src/api`.\r\n');
    expect(result).toBe(AGENTS_MD_CRLF.replace('The API lives in `src/api`.\r\n\r\n', ''));
    expect(result).not.toMatch(/(?<!\r)\n/);
  });

  it('throws when the entry is not there', () => {
    expect(() => removeEntry('- a\n', P, '- b\n')).toThrow(EntryNotFoundError);
    expect(() => removeEntry('# a\n', P, '# a\n')).toThrow(EntryNotFoundError);
  });
});

describe('insertEntry', () => {
  it('continues the list that ends a section', () => {
    const text = '# Notes\n\n## Tools\n- a\n- b\n\n## Style\n- c\n';
    expect(insertEntry(text, 'tools', '- new\n')).toBe('# Notes\n\n## Tools\n- a\n- b\n- new\n\n## Style\n- c\n');
  });

  it('matches the heading case-insensitively after trimming, and picks the first such heading', () => {
    const text = '## Tools\n- a\n## Tools\n- b\n';
    expect(insertEntry(text, '  TOOLS ', '- new')).toBe('## Tools\n- a\n- new\n## Tools\n- b\n');
  });

  it('inserts into the section itself, before its sub-sections', () => {
    const text = '## Tools\n\n- a\n\n### pnpm\n\n- b\n\n## Next\n';
    expect(insertEntry(text, 'Tools', '- new\n')).toBe('## Tools\n\n- a\n- new\n\n### pnpm\n\n- b\n\n## Next\n');
  });

  it('puts an entry right under a heading whose section has no entries', () => {
    expect(insertEntry('## Tools\n## Next\n', 'Tools', '- new\n')).toBe('## Tools\n\n- new\n\n## Next\n');
    expect(insertEntry('## Tools\n\n### Sub\n', 'Tools', '- new\n')).toBe('## Tools\n\n- new\n\n### Sub\n');
  });

  it('separates a paragraph, or an item after a paragraph, with blank lines', () => {
    expect(insertEntry('## A\nSome text.\n## B\n', 'A', 'More text.\n')).toBe('## A\nSome text.\n\nMore text.\n\n## B\n');
    expect(insertEntry('## A\n\nSome text.\n\n## B\n', 'A', '- item\n')).toBe('## A\n\nSome text.\n\n- item\n\n## B\n');
    expect(insertEntry('## A\n- a\n', 'A', 'A paragraph\n')).toBe('## A\n- a\n\nA paragraph\n');
  });

  it('keeps a loose list loose', () => {
    expect(insertEntry('## A\n\n- a\n\n- b\n', 'A', '- c\n')).toBe('## A\n\n- a\n\n- b\n\n- c\n');
  });

  it('adds an item to the last list of the section, even with a paragraph after it', () => {
    expect(insertEntry('## A\n- a\n\nExample:\n\n| x |\n| - |\n', 'A', '- b\n')).toBe('## A\n- a\n- b\n\nExample:\n\n| x |\n| - |\n');
  });

  it('inserts after the last entry, before code or tables that close the section', () => {
    const text = '## A\n- a\n\n```\ncode\n```\n## B\n';
    expect(insertEntry(text, 'A', '- b\n')).toBe('## A\n- a\n- b\n\n```\ncode\n```\n## B\n');
  });

  it('creates a missing section at the end of the file', () => {
    expect(insertEntry('# Notes\n\n- a\n', 'Tools', '- new\n')).toBe('# Notes\n\n- a\n\n## Tools\n\n- new\n');
    expect(insertEntry('# Notes\n\n- a\n\n', 'Tools', '- new\n')).toBe('# Notes\n\n- a\n\n## Tools\n\n- new\n');
    expect(insertEntry('', 'Tools', '- new\n')).toBe('## Tools\n\n- new\n');
    expect(insertEntry('- a\n', 'Deep', '- new\n', { headingLevel: 3 })).toBe('- a\n\n### Deep\n\n- new\n');
  });

  it('handles a missing final line break, keeping it missing', () => {
    expect(insertEntry('## A\n- a', 'A', '- b\n')).toBe('## A\n- a\n- b');
    expect(insertEntry('- a', 'Tools', '- new\n')).toBe('- a\n\n## Tools\n\n- new');
  });

  it('uses the line ending of a CRLF file', () => {
    const result = insertEntry(AGENTS_MD_CRLF, 'Setup', formatEntry('Use corepack\npnpm via corepack', 'item'));
    expect(result).toBe(AGENTS_MD_CRLF.replace('- Set `CI=1` in scripts\r\n', '- Set `CI=1` in scripts\r\n- Use corepack\r\n  pnpm via corepack\r\n'));
    expect(insertEntry('# A\r\n', 'B', '- x\n')).toBe('# A\r\n\r\n## B\r\n\r\n- x\r\n');
  });

  it('treats an empty section as the part before the first heading', () => {
    expect(insertEntry('- a\n\n# Title\n', '', '- b\n')).toBe('- a\n- b\n\n# Title\n');
    expect(insertEntry('# Title\n', '', '- b\n')).toBe('- b\n\n# Title\n');
    expect(insertEntry('---\nx: 1\n---\n# T\n', '', '- b\n')).toBe('---\nx: 1\n---\n\n- b\n\n# T\n');
    expect(insertEntry('', '', '- b\n')).toBe('- b\n');
  });

  it('refuses a heading as an entry and leaves the file alone for blank text', () => {
    expect(() => insertEntry('## A\n- a\n', 'A', '## B\n', { path: P })).toThrow(UnsafeEditError);
    expect(insertEntry('## A\n- a\n', 'A', '\n  \n')).toBe('## A\n- a\n');
  });

  it('refuses to append a section inside an unclosed fence', () => {
    expect(() => insertEntry('```\ncode\n', 'Tools', '- a\n')).toThrow(UnsafeEditError);
  });

  it('adds to a realistic file without touching the rest', () => {
    const result = insertEntry(CLAUDE_MD, 'Style', '- Prefer `unknown` to `any`.\n');
    expect(result).toBe(CLAUDE_MD.replace('+ Named exports only.\n', '+ Named exports only.\n- Prefer `unknown` to `any`.\n'));
    // After the table, not between the label and the table it introduces.
    const paragraph = insertEntry(CLAUDE_MD, 'Style', 'A closing remark.\n');
    expect(paragraph).toBe(CLAUDE_MD.replace('| pnpm | yes |\n', '| pnpm | yes |\n\nA closing remark.\n'));
  });
});

/** A generated document with at least one entry, and the index of one of them. */
const documentWithEntry = markdownish
  .filter((text) => raws(text).length > 0)
  .chain((text) => fc.tuple(fc.constant(text), fc.nat({ max: raws(text).length - 1 })));

const newEntry = fc
  .tuple(words, fc.constantFrom('item' as const, 'paragraph' as const))
  .map(([text, kind]) => formatEntry(text, kind));

/**
 * Where the edited entry sits among the significant blocks: edits take the first entry whose raw is
 * exactly the one named, which for duplicates may come before the one the test picked.
 */
function targetPosition(text: string, raw: string): number {
  const target = entriesOf(parseDocument(P, text), 'n', 'dream').find((entry) => entry.raw === raw);
  return parseDocument(P, text)
    .blocks.filter((block) => block.kind !== 'blank')
    .findIndex((block) => block.line === target?.line);
}

/**
 * Markdown is context-sensitive: an edit may be impossible without changing a neighbour (remove the
 * paragraph between `-` and `  - x`, and x becomes the empty item's content). Those edits must be
 * refused, and on the generated shapes they must stay rare.
 */
function attempt(edit: () => string, refusals: { count: number }): string | undefined {
  try {
    return edit();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeEditError);
    refusals.count++;
    return undefined;
  }
}

const RUNS = 1500;
const MAX_REFUSALS = RUNS / 50;

describe('edit properties on generated Markdown', { timeout: 30_000 }, () => {
  it('removeEntry removes exactly that entry and keeps every other block as it was', () => {
    const refusals = { count: 0 };
    fc.assert(
      fc.property(documentWithEntry, ([text, index]) => {
        const raw = raws(text)[index] as string;
        const result = attempt(() => removeEntry(text, P, raw), refusals);
        if (result === undefined) return;
        const position = targetPosition(text, raw);
        const expected = significant(text).filter((_, i) => i !== position);
        expect(significant(result)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
    expect(refusals.count).toBeLessThan(MAX_REFUSALS);
  });

  it('removeEntry adds no double blank line', () => {
    fc.assert(
      fc.property(documentWithEntry, ([text, index]) => {
        fc.pre(!hasDoubleBlank(parseDocument(P, text).blocks));
        const result = attempt(() => removeEntry(text, P, raws(text)[index] as string), { count: 0 });
        if (result !== undefined) expect(hasDoubleBlank(parseDocument(P, result).blocks)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('replaceEntry changes exactly that entry', () => {
    const refusals = { count: 0 };
    fc.assert(
      fc.property(documentWithEntry, newEntry, ([text, index], replacement) => {
        const raw = raws(text)[index] as string;
        const result = attempt(() => replaceEntry(text, P, raw, replacement), refusals);
        if (result === undefined) return;
        const before = significant(text);
        const position = targetPosition(text, raw);
        const after = significant(result);
        expect(after.slice(0, position)).toEqual(before.slice(0, position));
        expect(after.slice(after.length - (before.length - position - 1))).toEqual(before.slice(position + 1));
        expect(texts(result)).toContain(texts(replacement)[0]);
      }),
      { numRuns: RUNS },
    );
    expect(refusals.count).toBeLessThan(MAX_REFUSALS);
  });

  it('insertEntry adds exactly one entry to the named section and keeps all others', () => {
    const headingsOf = (text: string) =>
      parseDocument(P, text).blocks.flatMap((block) => (block.kind === 'heading' ? [block.heading ?? ''] : []));
    const sectionOf = (text: string) =>
      fc.constantFrom('A new section', '', ...headingsOf(text));
    const cases = markdownish.chain((text) => fc.tuple(fc.constant(text), sectionOf(text), newEntry));
    const refusals = { count: 0 };
    fc.assert(
      fc.property(cases, ([text, section, entry]) => {
        const result = attempt(() => insertEntry(text, section, entry), refusals);
        if (result === undefined) return;
        const before = significant(text);
        const after = significant(result);
        expect(after.length).toBeGreaterThan(before.length);
        expect(isSubsequence(before, after)).toBe(true);
        const newText = texts(entry)[0] as string;
        const count = (list: string[]) => list.filter((t) => t === newText).length;
        expect(count(texts(result))).toBe(count(texts(text)) + 1);
        if (section.trim() === '') return;
        const trails = entriesOf(parseDocument(P, result), 'n', 'dream')
          .filter((e) => e.text === newText)
          .map((e) => e.section.at(-1)?.toLowerCase());
        expect(trails).toContain(section.trim().toLowerCase());
      }),
      { numRuns: RUNS },
    );
    expect(refusals.count).toBeLessThan(RUNS / 10);
  });
});

function isSubsequence(small: string[], large: string[]): boolean {
  let index = 0;
  for (const item of large) if (item === small[index]) index++;
  return index === small.length;
}

describe('the check of an edit to a long file, between the headings around it', { timeout: 60_000 }, () => {
  const LONG_RUNS = Number(process.env.PROPERTY_RUNS ?? 200);
  const allowed = fc.constantFrom<Allowed>('nothing', 'entries', 'anything');
  /** The check over every block of both texts, each parsed whole: what the check between headings must say. */
  const wholeCheck = (text: string, splice: { start: number; end: number; insert: string }, result: string, what: Allowed) =>
    othersIntact(parseDocumentWhole(P, text).blocks, splice, parseDocumentWhole(P, result).blocks, what);

  it('says what the whole check says for any stretch replaced by any text', () => {
    let between = 0;
    fc.assert(
      fc.property(longFile, fc.nat(), fc.nat(), markdownish, allowed, (text, a, b, insert, what) => {
        const start = a % (text.length + 1);
        const end = start + (b % Math.min(2_000, text.length - start + 1));
        const splice = { start, end, insert };
        const result = text.slice(0, start) + insert + text.slice(end);
        const parsed = parseSpliced(text, splice, result);
        if (parsed.reused) between++;
        expect(splicedKeepsOthers(parseDocument(P, text).blocks, splice, parsed, what)).toBe(wholeCheck(text, splice, result, what));
      }),
      { numRuns: LONG_RUNS },
    );
    expect(between).toBeGreaterThan(LONG_RUNS / 10);
  });

  it('says what the whole check says for blocks removed or replaced, as edits of entries are', () => {
    const cases = longFile.chain((text) => {
      const count = parseDocument(P, text).blocks.length;
      return fc.tuple(fc.constant(text), fc.nat(count - 1), fc.nat(3), fc.oneof(fc.constantFrom('', '\n', '- a new note\n', 'A new paragraph.\n', '\n- a new note\n\n', undefined), markdownish), allowed);
    });
    let kept = 0;
    fc.assert(
      fc.property(cases, ([text, first, more, insert, what]) => {
        const blocks = parseDocument(P, text).blocks;
        const last = blocks[Math.min(blocks.length - 1, first + more)] as Block;
        const start = (blocks[first] as Block).start;
        const end = last.start + last.raw.length;
        // Nothing to insert: the blocks put back as they were, which gives the same text.
        const splice = { start, end, insert: insert ?? text.slice(start, end) };
        const result = insert === undefined ? text : text.slice(0, start) + insert + text.slice(end);
        const parsed = parseSpliced(text, splice, result);
        const fast = splicedKeepsOthers(blocks, splice, parsed, what);
        if (fast && parsed.reused) kept++;
        expect(fast).toBe(wholeCheck(text, splice, result, what));
      }),
      { numRuns: LONG_RUNS },
    );
    expect(kept).toBeGreaterThan(LONG_RUNS / 20);
  });
});

describe('a run of edits to a long file, each made on the pieces of the text before', { timeout: 120_000 }, () => {
  const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
  /** One edit of an entry, as curation's actions make them: rewrite, keep as written, remove, or add to a section. */
  const edit = fc.tuple(fc.constantFrom('replace', 'keep', 'remove', 'insert'), fc.nat(), markdownish);

  it('gives, edit after edit, the text the splices give on whole strings, parsed as a whole parse parses it', () => {
    fc.assert(
      fc.property(longFile, fc.array(edit, { minLength: 1, maxLength: 12 }), (start, edits) => {
        let text = start;
        let plain = start;
        for (const [kind, pick, words] of edits) {
          const entries = entriesOf(parseDocument(P, text), 'n', 'dream');
          const entry = entries[pick % Math.max(1, entries.length)];
          let edited: { text: string; splices: { start: number; end: number; insert: string }[] };
          try {
            if (kind === 'insert' || !entry) edited = insertEntryEdit(text, entry?.section.at(-1) ?? 'Notes', formatEntry(words.split('\n')[0] || 'a note', 'item'), { path: P });
            else if (kind === 'remove') edited = removeEntryEdit(text, P, entry.raw);
            else edited = replaceEntryEdit(text, P, entry.raw, kind === 'keep' ? entry.raw : `- ${words.split('\n')[0] || 'merged'}\n`);
          } catch (error) {
            if (error instanceof UnsafeEditError) continue;
            throw error;
          }
          // The splices on plain strings give the same text; the parse of it is the whole parse.
          plain = edited.splices.reduce((t, s) => t.slice(0, s.start) + s.insert + t.slice(s.end), plain);
          text = edited.text;
          expect(text).toBe(plain);
          expect(parseDocument(P, text).blocks).toEqual(parseDocumentWhole(P, plain).blocks);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('edits derived one from another and read through views, the blocks after each edit never made', { timeout: 120_000 }, () => {
  const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
  const edit = fc.tuple(fc.constantFrom('replace', 'keep', 'remove', 'remove', 'insert'), fc.nat(), markdownish);

  it('give what the whole parse gives: each block, a slice, a search, the structure, the entries after each edit', () => {
    let derived = 0;
    let versions = 0;
    fc.assert(
      fc.property(longFile, fc.array(edit, { minLength: 1, maxLength: 16 }), fc.nat(), (start, edits, probe) => {
        let text = start;
        let doc = parseDocument(P, text);
        let version = EntryVersion.of(entriesOf(doc, 'n', 'dream'));
        for (const [kind, pick, words] of edits) {
          // The entry to edit, found through the view (which makes no block): the pick-th entry block.
          const view = blockView(text);
          const raws: string[] = [];
          const sections: string[][] = [];
          eachBlock(view, (block) => {
            if (block.kind === 'item' || block.kind === 'paragraph' || block.kind === 'labelled') {
              raws.push(block.raw);
              sections.push(block.section);
            }
          });
          const raw = raws[pick % Math.max(1, raws.length)];
          let edited: { text: string };
          try {
            if (kind === 'insert' || raw === undefined) edited = insertEntryEdit(text, sections[pick % Math.max(1, sections.length)]?.at(-1) ?? 'Notes', formatEntry(words.split('\n')[0] || 'a note', 'item'), { path: P });
            else if (kind === 'remove') edited = removeEntryEdit(text, P, raw);
            else edited = replaceEntryEdit(text, P, raw, kind === 'keep' ? raw : `- ${words.split('\n')[0] || 'merged'}\n`);
          } catch (error) {
            if (error instanceof UnsafeEditError) continue;
            throw error;
          }
          if (edited.text === text) continue;
          text = edited.text;
          const whole = parseDocumentWhole(P, text).blocks;
          const next = parseDocument(P, text);
          const blocks = documentBlocks(next);
          versions++;
          if (!Array.isArray(blocks)) derived++;
          expect(blocks.length).toBe(whole.length);
          const at = probe % whole.length;
          expect(blocks.at(at)).toEqual(whole[at]);
          expect(blocks.slice(Math.max(0, at - 3), at + 3)).toEqual(whole.slice(Math.max(0, at - 3), at + 3));
          const wanted = whole[at]?.raw;
          expect(blocks.findIndex((block) => block.raw === wanted)).toBe(whole.findIndex((block) => block.raw === wanted));
          expect(structureProblems({ blocks })).toEqual(structureProblems({ blocks: whole }));
          // The entries after the edit, from the version before it and the two views.
          const moved = editedEntries({ blocks: documentBlocks(doc), version }, next, 'n', 'dream', () => undefined);
          version = moved ? moved.version : EntryVersion.of(entriesOf(next, 'n', 'dream'));
          expect(version.all()).toEqual(entriesOf(parseDocumentWhole(P, text), 'n', 'dream'));
          doc = next;
        }
      }),
      { numRuns: RUNS },
    );
    // Many versions are read through views, not made (an insert makes the blocks of the text it goes in).
    expect(derived).toBeGreaterThan(versions / 10);
  });
});
