/**
 * Links between memory files, as a reader (a person on GitHub, an agent following a pointer) would follow them:
 * which relative Markdown links a file holds, and which heading anchors a file offers. Inline syntax is read only
 * as far as that needs; code is skipped, since a link in a code sample is an example, not a pointer.
 */
import { posix } from 'node:path';
import type { MemoryDocument } from './types.js';

export interface MarkdownLink {
  /** 1-based line of the link. */
  line: number;
  /** The destination as written (angle brackets removed). */
  target: string;
}

/** A relative link taken apart: the file it names (empty for `#anchor`) and the anchor, both decoded. */
export interface RelativeTarget {
  file: string;
  anchor?: string;
}

const INLINE_LINK = /!?\[(?:[^\][]|\[[^\][]*\])*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:[ \t]*(<[^>\n]*>|\S+)/;
const CODE_SPAN = /(`+)[\s\S]*?\1/g;

/** Inline links, images and reference definitions outside code, in file order. */
export function linksOf(doc: MemoryDocument): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const block of doc.blocks) {
    if (block.kind === 'code' || block.kind === 'frontmatter' || block.kind === 'blank') continue;
    block.raw.split('\n').forEach((text, offset) => {
      const line = block.line + offset;
      const prose = text.replace(CODE_SPAN, (span) => ' '.repeat(span.length));
      const definition = REFERENCE_DEFINITION.exec(prose)?.[1];
      if (definition) links.push({ line, target: unwrap(definition) });
      for (const match of prose.matchAll(INLINE_LINK)) links.push({ line, target: unwrap(match[1] ?? '') });
    });
  }
  return links;
}

function unwrap(target: string): string {
  return target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target;
}

/**
 * The file and anchor of a relative link, or undefined for anything else: URLs with a scheme (`https:`,
 * `mailto:`), protocol-relative and root-relative paths (their base depends on where the file is served).
 */
export function relativeTarget(target: string): RelativeTarget | undefined {
  if (target === '' || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(target) || target.startsWith('/')) return undefined;
  const hash = target.indexOf('#');
  const file = decode((hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, ''));
  const anchor = hash === -1 ? undefined : decode(target.slice(hash + 1));
  return anchor === undefined || anchor === '' ? { file } : { file, anchor };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Repository path a relative link from `from` names, or undefined when it climbs out of the repository. */
export function resolveLink(from: string, file: string): string | undefined {
  const joined = posix.normalize(posix.join(posix.dirname(from), file)).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined === '.' ? '' : joined;
}

/**
 * The anchors a Markdown file offers, as GitHub renders it: one per heading (its slug, and `-1`, `-2`... for
 * repeats), plus explicit `id="..."` and `<a name="...">` anchors. Lower case, since GitHub's are.
 */
export function anchorsOf(doc: MemoryDocument): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const block of doc.blocks) {
    if (block.kind === 'heading') {
      const slug = githubSlug(block.heading ?? '');
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    if (block.kind !== 'code') for (const match of block.raw.matchAll(HTML_ANCHOR)) anchors.add((match[1] ?? '').toLowerCase());
  }
  return anchors;
}

const HTML_ANCHOR = /<[A-Za-z][^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/g;

/**
 * GitHub's heading anchor: the heading's rendered text in lower case, with everything but letters, digits, marks,
 * connector punctuation (`_`), spaces and hyphens dropped, and each space turned into a hyphen (as github-slugger).
 */
export function githubSlug(heading: string): string {
  return renderedText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Heading text as it renders: links and images become their text, HTML tags go. */
function renderedText(heading: string): string {
  return heading
    .replace(/!?\[((?:[^\][]|\[[^\][]*\])*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim();
}
