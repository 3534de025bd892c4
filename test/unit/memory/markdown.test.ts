import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { lineEnding, parseDocument, renderDocument } from '../../../src/memory/index.js';
import { parseDocumentWhole } from '../../../src/memory/markdown.js';
import type { Block } from '../../../src/memory/index.js';
import { AGENTS_MD_CRLF, CLAUDE_MD, longFile, markdownish, sections } from './fixtures.js';

const roundTrips = (text: string) => renderDocument(parseDocument('memory/x.md', text)) === text;

function shape(text: string) {
  return parseDocument('m.md', text).blocks.map((block) => [block.kind, block.raw] as const);
}

function blocksConsistent(text: string, blocks: Block[]): boolean {
  let offset = 0;
  let line = 1;
  for (const block of blocks) {
    if (block.start !== offset || block.line !== line || block.raw === '') return false;
    offset += block.raw.length;
    line += block.raw.split('\n').length - 1;
  }
  return offset === text.length;
}

describe('parseDocument on realistic memory files', () => {
  it('round-trips a CLAUDE.md byte for byte', () => {
    expect(roundTrips(CLAUDE_MD)).toBe(true);
  });

  it('round-trips a CRLF AGENTS.md byte for byte', () => {
    expect(roundTrips(AGENTS_MD_CRLF)).toBe(true);
  });

  it('finds the blocks a reader sees in a CLAUDE.md', () => {
    const blocks = parseDocument('CLAUDE.md', CLAUDE_MD).blocks.filter((block) => block.kind !== 'blank');
    expect(blocks.map((block) => block.kind)).toEqual([
      'frontmatter',
      'heading',
      'paragraph',
      'heading',
      'item',
      'item',
      'item',
      'item',
      'item',
      'heading',
      'item',
      'item',
      'labelled',
      'heading',
      'html',
      'code',
      'code',
      'other',
      'paragraph',
    ]);
  });

  it('keeps a fence with list-looking and heading-looking lines inside its item', () => {
    const item = parseDocument('CLAUDE.md', CLAUDE_MD).blocks.find((block) => block.raw.startsWith('- Run the tests'));
    expect(item?.raw).toBe('- Run the tests:\n  ```sh\n  - this is not a list item\n  # nor a heading\n  pnpm test\n  ```\n');
  });

  it('keeps nested lists and continuation lines in their top-level item', () => {
    const item = parseDocument('CLAUDE.md', CLAUDE_MD).blocks.find((block) => block.raw.startsWith('- Lint'));
    expect(item?.raw).toBe(
      '- Lint before committing\n  - `pnpm lint --fix` fixes most issues\n    - the rest are usually import order\n  continuation line of the item\n',
    );
  });

  it('records heading levels, texts and section trails', () => {
    const blocks = parseDocument('CLAUDE.md', CLAUDE_MD).blocks;
    const headings = blocks.filter((block) => block.kind === 'heading');
    expect(headings.map((h) => [h.level, h.heading, h.section])).toEqual([
      [1, 'CLAUDE.md', []],
      [2, 'Commands', ['CLAUDE.md']],
      [2, 'Style', ['CLAUDE.md']],
      [2, 'Conventions', ['CLAUDE.md']],
    ]);
    const prefer = blocks.find((block) => block.raw.startsWith('* Prefer'));
    expect(prefer?.section).toEqual(['CLAUDE.md', 'Style']);
    expect(blocks[0]?.section).toEqual([]);
  });

  it('numbers lines and offsets consistently', () => {
    for (const text of [CLAUDE_MD, AGENTS_MD_CRLF]) {
      expect(blocksConsistent(text, parseDocument('m.md', text).blocks)).toBe(true);
    }
  });

  it('reads setext headings in CRLF files and keeps CRLF in raw', () => {
    const blocks = parseDocument('AGENTS.md', AGENTS_MD_CRLF).blocks;
    const setext = blocks.find((block) => block.heading === 'Project notes');
    expect(setext).toMatchObject({ kind: 'heading', level: 1, raw: 'Project notes\r\n=============\r\n' });
    expect(blocks.find((block) => block.raw.startsWith('- Use Node'))?.raw).toBe('- Use Node 20\r\n  - nvm use\r\n');
  });
});

describe('parseDocument block rules', () => {
  it('gives nothing for an empty file', () => {
    expect(parseDocument('m.md', '').blocks).toEqual([]);
  });

  it('treats each blank line as its own block', () => {
    expect(shape('a\n\n\nb')).toEqual([
      ['paragraph', 'a\n'],
      ['blank', '\n'],
      ['blank', '\n'],
      ['paragraph', 'b'],
    ]);
  });

  it('reads front matter only at the start and only when closed', () => {
    expect(shape('---\na: 1\n---\ntext\n')[0]).toEqual(['frontmatter', '---\na: 1\n---\n']);
    expect(shape('---\ntext\n')[0]).toEqual(['other', '---\n']);
    expect(shape('text\n\n---\na: 1\n---\n').map(([kind]) => kind)).toEqual(['paragraph', 'blank', 'other', 'heading']);
  });

  it('lets a list interrupt a paragraph, but not an ordered list that starts past 1', () => {
    expect(shape('Notes\n\n- a\n- b\n').map(([kind]) => kind)).toEqual(['paragraph', 'blank', 'item', 'item']);
    expect(shape('Year\n2. not a list\n')).toEqual([['paragraph', 'Year\n2. not a list\n']]);
  });

  it('ends an item at a blank line unless indented content follows', () => {
    expect(shape('- a\n\n  more of a\n- b\n')).toEqual([
      ['item', '- a\n\n  more of a\n'],
      ['item', '- b\n'],
    ]);
    expect(shape('- a\n\nafter\n')).toEqual([
      ['item', '- a\n'],
      ['blank', '\n'],
      ['paragraph', 'after\n'],
    ]);
  });

  it('takes lazy continuation lines into an item, but not block starts', () => {
    expect(shape('- a\nlazy\n# H\n')).toEqual([
      ['item', '- a\nlazy\n'],
      ['heading', '# H\n'],
    ]);
    expect(shape('- a\n---\n').map(([kind]) => kind)).toEqual(['item', 'other']);
  });

  it('nests lines at the content column, or two columns past the marker', () => {
    expect(shape('1. a\n   - nested\n').map(([kind]) => kind)).toEqual(['item']);
    expect(shape('1. a\n  - nested, though CommonMark says sibling\n').map(([kind]) => kind)).toEqual(['item']);
    expect(shape('- a\n - sibling\n').map(([kind]) => kind)).toEqual(['item', 'item']);
    expect(shape('10. a\n  b\n\n    c\n').map(([kind]) => kind)).toEqual(['item']);
    expect(shape('10. a\n\n  after a blank line the content column counts\n').map(([kind]) => kind)).toEqual([
      'item',
      'blank',
      'paragraph',
    ]);
    expect(shape('-\ta\n\t- nested with tabs\n').map(([kind]) => kind)).toEqual(['item']);
  });

  it('treats thematic breaks made of list markers as other, not items', () => {
    expect(shape('* * *\n- - -\n').map(([kind]) => kind)).toEqual(['other', 'other']);
  });

  it('reads setext headings and tells them from thematic breaks', () => {
    expect(shape('Title\n===\n')).toEqual([['heading', 'Title\n===\n']]);
    expect(shape('Title\n---\n')).toEqual([['heading', 'Title\n---\n']]);
    expect(shape('\n---\n').map(([kind]) => kind)).toEqual(['blank', 'other']);
  });

  it('parses ATX heading texts without closing hashes', () => {
    const heading = (line: string) => parseDocument('m.md', line).blocks[0]?.heading;
    expect(heading('## Tools ##')).toBe('Tools');
    expect(heading('#    spaced   ')).toBe('spaced');
    expect(heading('# C#')).toBe('C#');
    expect(heading('###')).toBe('');
    expect(shape('#hashtag\n')).toEqual([['paragraph', '#hashtag\n']]);
  });

  it('keeps fences opaque and runs an unclosed fence to the end', () => {
    expect(shape('```\n# x\n- y\n````\nafter\n')).toEqual([
      ['code', '```\n# x\n- y\n````\n'],
      ['paragraph', 'after\n'],
    ]);
    expect(shape('~~~\n```\n- y\n')).toEqual([['code', '~~~\n```\n- y\n']]);
    expect(shape('``` a`b\n').map(([kind]) => kind)).toEqual(['paragraph']);
  });

  it('reads indented code only outside paragraphs and lists', () => {
    expect(shape('    code\n\n    more\nafter\n')).toEqual([
      ['code', '    code\n\n    more\n'],
      ['paragraph', 'after\n'],
    ]);
    expect(shape('para\n    continued\n')).toEqual([['paragraph', 'para\n    continued\n']]);
  });

  it('reads HTML blocks and comments', () => {
    expect(shape('<!-- a\n- b\n-->\ntext\n')).toEqual([
      ['html', '<!-- a\n- b\n-->\n'],
      ['paragraph', 'text\n'],
    ]);
    expect(shape('<details>\n<summary>x</summary>\n\nbody\n').map(([kind]) => kind)).toEqual(['html', 'blank', 'paragraph']);
    expect(shape('<kbd>Ctrl</kbd> copies\n').map(([kind]) => kind)).toEqual(['paragraph']);
  });

  it('reads GFM tables as other, and lets a table end a paragraph', () => {
    expect(shape('Intro.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n')).toEqual([
      ['paragraph', 'Intro.\n'],
      ['blank', '\n'],
      ['other', '| a | b |\n| - | - |\n| 1 | 2 |\n'],
      ['blank', '\n'],
    ]);
    expect(shape('a | b\n--- | ---\n').map(([kind]) => kind)).toEqual(['other']);
  });

  it('reads a label with the list, code block or table it introduces as one unit', () => {
    expect(shape('Notes:\n- a\n- b\n')).toEqual([['labelled', 'Notes:\n- a\n- b\n']]);
    expect(shape('**Key files:**\n\n- a\n\n- b\n\nafter\n')).toEqual([
      ['labelled', '**Key files:**\n\n- a\n\n- b\n'],
      ['blank', '\n'],
      ['paragraph', 'after\n'],
    ]);
    expect(shape('**Commands**\n```sh\nmake\n```\n').map(([kind]) => kind)).toEqual(['labelled']);
    expect(shape('Intro\n| a | b |\n| - | - |\n| 1 | 2 |\n').map(([kind]) => kind)).toEqual(['labelled']);
    // A paragraph that neither ends with a colon nor touches the block does not introduce it.
    expect(shape('A sentence.\n\n- a\n').map(([kind]) => kind)).toEqual(['paragraph', 'blank', 'item']);
    // Only the list right after the label: a second list after a heading is not part of it.
    expect(shape('Steps:\n- a\n\n## H\n- b\n').map(([kind]) => kind)).toEqual(['labelled', 'blank', 'heading', 'item']);
  });

  it('reads lines that only import other files as imports, not entries', () => {
    expect(shape('@AGENTS.md\n')).toEqual([['import', '@AGENTS.md\n']]);
    expect(shape('@docs/a.md\n@docs/b.md\n\nSee @docs/a.md for more.\n').map(([kind]) => kind)).toEqual(['import', 'blank', 'paragraph']);
  });

  it('ignores an unclosed front matter opener, whatever follows it', () => {
    expect(shape('---\n- pnpm\n').map(([kind]) => kind)).toEqual(['other', 'item']);
  });

  it('reads blockquotes with lazy lines as other', () => {
    expect(shape('> a\nlazy\n- item\n')).toEqual([
      ['other', '> a\nlazy\n'],
      ['item', '- item\n'],
    ]);
  });

  it('handles a lone CR, a BOM and tabs without losing bytes', () => {
    for (const text of ['a\rb\r\n- c\r', '\uFEFF---\nx: 1\n---\n', '\t- a\n\t\tb', 'a\r\n\r\n\r\n']) {
      expect(roundTrips(text)).toBe(true);
    }
  });
});

describe('round trip properties', { timeout: 30_000 }, () => {
  it('renders any string back unchanged', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), roundTrips), { numRuns: 2000 });
  });

  it('renders any Markdown-looking text back unchanged, with consistent offsets and lines', () => {
    fc.assert(
      fc.property(markdownish, (text) => {
        const blocks = parseDocument('m.md', text).blocks;
        return renderDocument(parseDocument('m.md', text)) === text && blocksConsistent(text, blocks);
      }),
      { numRuns: 3000 },
    );
  });

  it('renders strings over a Markdown alphabet back unchanged', () => {
    const alphabet = fc.constantFrom('-', '*', '+', '#', '`', '~', '>', '<', '!', '|', ':', '=', '1', '.', ')', ' ', '\t', '\n', '\r', 'a', '\u00a0');
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 200 }), roundTrips), { numRuns: 3000 });
  });
});

describe('lineEnding', () => {
  it('follows the line break most of the file uses', () => {
    expect(lineEnding('a\r\nb\r\nc\n')).toBe('\r\n');
    expect(lineEnding('a\nb\nc\r\n')).toBe('\n');
    expect(lineEnding('no breaks')).toBe('\n');
  });
});

describe('parseDocument after an edit to a long file', () => {
  it('gives the blocks a whole parse gives, whatever the edit (a fence opened, a heading removed, line endings)', () => {
    fc.assert(
      fc.property(longFile, fc.nat(), fc.nat(), markdownish, (before, a, b, inserted) => {
        const from = a % (before.length + 1);
        const to = from + (b % Math.min(2_000, before.length - from + 1));
        const after = before.slice(0, from) + inserted + before.slice(to);
        parseDocument('m.md', before);
        const derived = parseDocument('m.md', after).blocks;
        expect(derived).toEqual(parseDocumentWhole('m.md', after).blocks);
        expect(blocksConsistent(after, derived)).toBe(true);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) },
    );
  });

  it('gives the blocks a whole parse gives after a chain of edits, each to the last one\'s text', () => {
    let text = sections(200, 'chain-');
    parseDocument('m.md', text);
    const edits: [RegExp, string][] = [
      [/- first note of 17\n/, ''],
      [/## Section chain-50\n/, '```\n'],
      [/A paragraph 120\./, 'A paragraph 120.\n\n## Inserted\n\n- new'],
      [/```\n/, '## Section chain-50\n'],
      [/## Section chain-199\n/, '# Top\n'],
    ];
    for (const [find, replace] of edits) {
      text = text.replace(find, replace);
      expect(parseDocument('m.md', text).blocks).toEqual(parseDocumentWhole('m.md', text).blocks);
    }
  });

  it('gives the blocks it moves the hidden classes a parse gives, so that passes over them stay fast', () => {
    // V8's own check of two objects' maps: blocks copied by spreading a frozen block had one each, and every pass over
    // a long file's 5,000 blocks went through a megamorphic lookup.
    setFlagsFromString('--allow-natives-syntax');
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
    let text = sections(200, 'maps-');
    parseDocument('m.md', text);
    for (let note = 1; note < 200; note += 7) text = text.replace(`- first note of ${note}\n`, `- first note of ${note}, edited\n`);
    const blocks = parseDocument('m.md', text).blocks;
    const maps: Block[] = [];
    for (const block of blocks) if (!maps.some((seen) => sameMap(seen, block))) maps.push(block);
    expect(blocks.length).toBeGreaterThan(1_000);
    expect(maps.length).toBeLessThanOrEqual(4);
  });
});
