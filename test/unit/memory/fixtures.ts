import fc from 'fast-check';

/** A CLAUDE.md the way people write them: front matter, nested lists, fences holding Markdown-looking lines. */
export const CLAUDE_MD = `---
description: project memory
globs: ["**/*.ts"]
---
# CLAUDE.md

This file gives Claude Code guidance for this repository.
Keep it short.

## Commands

- Install with \`pnpm install\`, never \`npm install\`.
- Run the tests:
  \`\`\`sh
  - this is not a list item
  # nor a heading
  pnpm test
  \`\`\`
- Lint before committing
  - \`pnpm lint --fix\` fixes most issues
    - the rest are usually import order
  continuation line of the item

1. First build
2. Then deploy

## Style
* Prefer \`const\`.
+ Named exports only.

Tables are fine too:

| tool | use |
| ---- | --- |
| pnpm | yes |

Conventions
-----------

<!-- maintained by reverie
- not an entry
-->

\`\`\`md
## not a heading
- not an item
\`\`\`

~~~
~~~

> A quote
continued lazily

Last paragraph without a final newline`;

/** An AGENTS.md from a Windows checkout. */
export const AGENTS_MD_CRLF = [
  '# AGENTS.md',
  '',
  '## Setup',
  '- Use Node 20',
  '  - nvm use',
  '- Set `CI=1` in scripts',
  '',
  'Project notes',
  '=============',
  '',
  'The API lives in `src/api`.',
  '',
  '```',
  '- fenced',
  '```',
  '',
].join('\r\n');

const WORDS = ['pnpm', 'tests', 'run', 'the', 'build', 'Use', 'never', 'deploy', 'café', '日本語', 'API'];

/** A few words, for entries and headings. */
export const words = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 })
  .map((list) => list.join(' '));

const LINE_SHAPES: fc.Arbitrary<string>[] = [
  fc.constantFrom(
    '',
    '   ',
    '\t',
    '---',
    '***',
    '===',
    '-',
    '+++',
    '```',
    '```sh',
    '~~~',
    '    indented code',
    '\tcode with tab',
    '> quoted',
    '>',
    '<!-- comment',
    '-->',
    '<div>',
    '</div>',
    '<br/>',
    '| a | b |',
    '|---|---|',
    '| 1 | 2 |',
    '- [ ] task',
    '1.',
    '  ```',
    '#',
    '#hashtag',
    '\\- escaped',
  ),
  words,
  words.map((text) => `# ${text}`),
  words.map((text) => `## ${text}`),
  words.map((text) => `### ${text} ###`),
  words.map((text) => `- ${text}`),
  words.map((text) => `* ${text}`),
  words.map((text) => `+ ${text}`),
  words.map((text) => `1. ${text}`),
  words.map((text) => `2) ${text}`),
  words.map((text) => `  - ${text}`),
  words.map((text) => `    - ${text}`),
  words.map((text) => `   ${text}`),
  words.map((text) => `  ${text}  `),
];

/** Markdown-looking text: lines of common block shapes joined by LF, CRLF or a mix, with or without a final break. */
export const markdownish = fc
  .tuple(
    fc.array(fc.oneof(...LINE_SHAPES), { maxLength: 30 }),
    fc.constantFrom('\n', '\r\n', 'mixed'),
    fc.boolean(),
  )
  .map(([lines, eol, finalBreak]) => {
    const breakAt = (index: number) => (eol === 'mixed' ? (index % 3 === 0 ? '\r\n' : '\n') : eol);
    const body = lines.map((line, index) => line + (index < lines.length - 1 ? breakAt(index) : '')).join('');
    return lines.length > 0 && finalBreak ? body + breakAt(lines.length - 1) : body;
  });

/** Sections of notes, long enough together that an edit is parsed between the headings around it rather than whole. */
export const sections = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => `## Section ${tag}${i}\n\n- first note of ${i}\n- second note, \`cmd ${i}\`\n  nested line\n\nA paragraph ${i}.\n`).join('\n');

/** A long memory file: generated Markdown between runs of sections, under nothing, a title, front matter or a BOM. */
export const longFile = fc
  .tuple(fc.array(markdownish, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 3 }))
  .map(([parts, headingLevel]) => {
    const head = ['', '# Title\n\n', '---\ntitle: x\n---\n# Title\n', '\uFEFF# Title\n'][headingLevel] ?? '';
    return head + parts.map((part, i) => `${sections(40, `${i}-`)}\n${part}\n`).join('') + sections(40, 'end-');
  });
