import { describe, expect, it } from 'vitest';
import { anchorsOf, githubSlug, linksOf, relativeTarget, resolveLink } from '../../../src/memory/links.js';
import { parseDocument } from '../../../src/memory/index.js';

describe('githubSlug', () => {
  it('follows GitHub: lower case, punctuation dropped, spaces to hyphens, underscores and letters of any script kept', () => {
    expect(githubSlug('Mistakes to avoid')).toBe('mistakes-to-avoid');
    expect(githubSlug('API & Tokens!')).toBe('api--tokens');
    expect(githubSlug('`pnpm` in CI/CD')).toBe('pnpm-in-cicd');
    expect(githubSlug('snake_case names')).toBe('snake_case-names');
    expect(githubSlug('Über Straße 日本')).toBe('über-straße-日本');
    expect(githubSlug('See [the docs](https://example.com) first')).toBe('see-the-docs-first');
    expect(githubSlug('v1.2 notes 🚀')).toBe('v12-notes-');
  });
});

describe('anchorsOf', () => {
  it('numbers repeated headings and adds explicit anchors', () => {
    const doc = parseDocument('m.md', '# Setup\n\n## Setup\n\nSetup\n-----\n\n<a name="Pinned"></a>\n\n```\n# not a heading\n```\n');
    expect([...anchorsOf(doc)]).toEqual(['setup', 'setup-1', 'setup-2', 'pinned']);
  });
});

describe('linksOf and relativeTarget', () => {
  it('finds inline links, images and reference definitions with their lines', () => {
    const doc = parseDocument('m.md', '# A\n\n- [one](a.md) and ![img](<b c.png> "title")\n\n[ref]: d.md#x\n');
    expect(linksOf(doc)).toEqual([
      { line: 3, target: 'a.md' },
      { line: 3, target: 'b c.png' },
      { line: 5, target: 'd.md#x' },
    ]);
  });

  it('takes a relative link apart and leaves the rest', () => {
    expect(relativeTarget('a%20b.md?plain=1#Sec%C3%A9')).toEqual({ file: 'a b.md', anchor: 'Secé' });
    expect(relativeTarget('#top')).toEqual({ file: '', anchor: 'top' });
    expect(relativeTarget('https://x.y/z.md')).toBeUndefined();
    expect(relativeTarget('/memories/a.md')).toBeUndefined();
  });

  it('resolves against the linking file and refuses to leave the repository', () => {
    expect(resolveLink('memory/wiki/a.md', '../b.md')).toBe('memory/b.md');
    expect(resolveLink('memory/a.md', '../../x')).toBeUndefined();
  });
});
