import type { Block, BlockKind, MemoryDocument } from './types.js';

/**
 * A line-oriented block splitter for memory files. It follows CommonMark/GFM closely enough to find
 * the blocks a person sees (headings, top-level list items, paragraphs, fences, tables), but it never
 * interprets inline syntax. Blocks are contiguous runs of whole lines, so joining their raw text always
 * gives back the input byte for byte, whatever the input is.
 */
export function parseDocument(path: string, text: string): MemoryDocument {
  const lines = splitLines(text);
  const spans = splitIntoSpans(lines);
  return { path, text, blocks: spansToBlocks(text, lines, spans) };
}

export function renderDocument(doc: MemoryDocument): string {
  return doc.blocks.map((block) => block.raw).join('');
}

/** The line break a file mostly uses, so that text added to it does not mix styles. */
export function lineEnding(text: string): '\n' | '\r\n' {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = text.match(/\n/g)?.length ?? 0;
  return crlf > 0 && crlf >= lf - crlf ? '\r\n' : '\n';
}

export function endsWithLineBreak(text: string): boolean {
  return text.endsWith('\n');
}

/** Only spaces and tabs count, as in CommonMark: a line of U+00A0 is content. */
export function isBlankLine(line: string): boolean {
  return /^[ \t]*$/.test(line);
}

export interface Line {
  start: number;
  /** Offset just after the line break (or the end of the text). */
  end: number;
  /** The line without its `\n` or `\r\n`. */
  content: string;
}

/** Lines keep their breaks in [start, end); a lone `\r` is content, so old Mac files read as one line. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline + 1;
    let contentEnd = newline === -1 ? text.length : newline;
    if (newline !== -1 && contentEnd > start && text[contentEnd - 1] === '\r') contentEnd--;
    lines.push({ start, end, content: text.slice(start, contentEnd) });
    start = end;
  }
  return lines;
}

/** Indentation in columns, tabs stopping every 4 columns as CommonMark counts them. */
export function indentColumns(line: string): number {
  let column = 0;
  for (const char of line) {
    if (char === ' ') column++;
    else if (char === '\t') column += 4 - (column % 4);
    else break;
  }
  return column;
}

/** Removes up to `columns` columns of indentation; a tab only partly consumed leaves its remainder as spaces. */
export function stripColumns(line: string, columns: number): string {
  let column = 0;
  let index = 0;
  while (index < line.length && column < columns) {
    const char = line[index];
    if (char === ' ') column++;
    else if (char === '\t') {
      const next = column + 4 - (column % 4);
      if (next > columns) return ' '.repeat(next - columns) + line.slice(index + 1);
      column = next;
    } else break;
    index++;
  }
  return line.slice(index);
}

export interface ListMarker {
  /** Column of the marker. */
  indent: number;
  ordered: boolean;
  /** The start number of an ordered item; a list that interrupts a paragraph must start at 1. */
  number?: number;
  /** Column where the item's content starts; lines indented this far belong to the item. */
  contentIndent: number;
  /** The first line's content after the marker. */
  firstContent: string;
  empty: boolean;
  /** True when the first line's content is itself an indented code block (5+ columns after the marker). */
  codeContent: boolean;
}

export function listMarkerOf(line: string): ListMarker | undefined {
  const match = /^( {0,3})([-*+]|(\d{1,9})[.)])(?:([ \t]+)(.*))?$/s.exec(line);
  if (!match) return undefined;
  const [, indent = '', marker = '', digits, gap = '', rest = ''] = match;
  const markerEnd = indent.length + marker.length;
  const gapColumns = indentColumns(' '.repeat(markerEnd) + gap) - markerEnd;
  const empty = isBlankLine(rest);
  const codeContent = !empty && gapColumns >= 5;
  const contentIndent = empty || codeContent ? markerEnd + 1 : markerEnd + gapColumns;
  return {
    indent: indent.length,
    ordered: digits !== undefined,
    ...(digits !== undefined ? { number: Number(digits) } : {}),
    contentIndent,
    firstContent: rest,
    empty,
    codeContent,
  };
}

interface Span {
  kind: BlockKind;
  from: number;
  /** Exclusive. */
  to: number;
  level?: number;
  heading?: string;
}

interface Fence {
  char: string;
  length: number;
}

const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const BLOCKQUOTE = /^ {0,3}>/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

function fenceOpening(line: string): Fence | undefined {
  const match = /^ {0,3}(`{3,}|~{3,})(.*)$/s.exec(line);
  if (!match) return undefined;
  const [, fence = '', info = ''] = match;
  if (fence.startsWith('`') && info.includes('`')) return undefined;
  return { char: fence.charAt(0), length: fence.length };
}

function closesFence(line: string, fence: Fence): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  const closing = match?.[1];
  return closing !== undefined && closing.startsWith(fence.char) && closing.length >= fence.length;
}

function isAtxHeading(line: string): boolean {
  return ATX_HEADING.test(line);
}

function isThematicBreak(line: string): boolean {
  return THEMATIC_BREAK.test(line);
}

function splitIntoSpans(lines: Line[]): Span[] {
  const spans: Span[] = [];
  let index = 0;
  while (index < lines.length) {
    const span = spanAt(lines, index);
    spans.push(span);
    index = span.to;
  }
  return spans;
}

function spanAt(lines: Line[], index: number): Span {
  const line = contentAt(lines, index);
  if (isBlankLine(line)) return { kind: 'blank', from: index, to: index + 1 };
  if (index === 0) {
    const frontMatter = frontMatterSpan(lines);
    if (frontMatter) return frontMatter;
  }
  if (indentColumns(line) >= 4) return indentedCodeSpan(lines, index);
  const fence = fenceOpening(line);
  if (fence) return fencedCodeSpan(lines, index, fence);
  if (isAtxHeading(line)) return { kind: 'heading', from: index, to: index + 1, ...atxHeading(line) };
  if (isThematicBreak(line)) return { kind: 'other', from: index, to: index + 1 };
  const marker = listMarkerOf(line);
  if (marker) return listItemSpan(lines, index, marker);
  if (BLOCKQUOTE.test(line)) return blockquoteSpan(lines, index);
  const html = htmlBlockType(line);
  if (html) return htmlSpan(lines, index, html);
  if (tableStartsAt(lines, index)) return tableSpan(lines, index);
  return paragraphOrSetextSpan(lines, index);
}

function contentAt(lines: Line[], index: number): string {
  return lines[index]?.content ?? '';
}

/** YAML (`---`) or TOML (`+++`) front matter; an unclosed opener is read as ordinary Markdown. */
function frontMatterSpan(lines: Line[]): Span | undefined {
  const opener = contentAt(lines, 0).replace(/^\uFEFF/, '').trimEnd();
  if (opener !== '---' && opener !== '+++') return undefined;
  const closers = opener === '---' ? ['---', '...'] : ['+++'];
  for (let index = 1; index < lines.length; index++) {
    if (closers.includes(contentAt(lines, index).trimEnd())) return { kind: 'frontmatter', from: 0, to: index + 1 };
  }
  return undefined;
}

function indentedCodeSpan(lines: Line[], index: number): Span {
  let last = index;
  for (let next = index + 1; next < lines.length; next++) {
    const line = contentAt(lines, next);
    if (isBlankLine(line)) continue;
    if (indentColumns(line) < 4) break;
    last = next;
  }
  return { kind: 'code', from: index, to: last + 1 };
}

/** An unclosed fence runs to the end of the file, as in CommonMark. */
function fencedCodeSpan(lines: Line[], index: number, fence: Fence): Span {
  for (let next = index + 1; next < lines.length; next++) {
    if (closesFence(contentAt(lines, next), fence)) return { kind: 'code', from: index, to: next + 1 };
  }
  return { kind: 'code', from: index, to: lines.length };
}

function atxHeading(line: string): { level: number; heading: string } {
  const hashes = /^ {0,3}(#{1,6})/.exec(line)?.[1] ?? '#';
  let title = line.replace(/^ {0,3}#{1,6}/, '');
  title = /^[ \t]*#*[ \t]*$/.test(title) ? '' : title.replace(/[ \t]+#+[ \t]*$/, '');
  return { level: hashes.length, heading: title.trim() };
}

/**
 * A top-level list item with everything that belongs to it: indented lines (nested lists, fences,
 * continuation paragraphs, after blank lines too) and lazy continuation lines. Blank lines after the
 * item are left out unless indented content follows them.
 *
 * One deliberate departure from CommonMark: a line right after the item's lines (no blank line
 * between) indented two columns past the marker belongs to the item even when the content column is
 * further in, so the common `1. step` / `  - detail` reads as one entry, as its author meant, rather
 * than as two lists.
 */
function listItemSpan(lines: Line[], index: number, marker: ListMarker): Span {
  const { contentIndent } = marker;
  const nestedIndent = Math.min(contentIndent, marker.indent + 2);
  let fence = marker.empty || marker.codeContent ? undefined : fenceOpening(marker.firstContent);
  let lazyAllowed = !marker.empty && !marker.codeContent && !fence && !opensNonParagraph(marker.firstContent);
  let last = index;
  let blankPending = false;
  for (let next = index + 1; next < lines.length; next++) {
    const line = contentAt(lines, next);
    if (isBlankLine(line)) {
      blankPending = true;
      continue;
    }
    if (indentColumns(line) >= (blankPending ? contentIndent : nestedIndent)) {
      const inner = stripColumns(line, contentIndent);
      if (fence) {
        if (closesFence(inner, fence)) fence = undefined;
        lazyAllowed = false;
      } else {
        fence = fenceOpening(inner);
        lazyAllowed = !fence && !opensNonParagraph(inner) && !(blankPending && indentColumns(inner) >= 4);
      }
      last = next;
      blankPending = false;
      continue;
    }
    if (blankPending || fence || !lazyAllowed || startsBlock(lines, next)) break;
    last = next;
  }
  return { kind: 'item', from: index, to: last + 1 };
}

/** Lines after which a lazy continuation line cannot follow (they do not leave a paragraph open). */
function opensNonParagraph(line: string): boolean {
  return isAtxHeading(line) || isThematicBreak(line) || fenceOpening(line) !== undefined;
}

function blockquoteSpan(lines: Line[], index: number): Span {
  let last = index;
  let state = quoteLineState(contentAt(lines, index), undefined);
  for (let next = index + 1; next < lines.length; next++) {
    const line = contentAt(lines, next);
    if (isBlankLine(line)) break;
    if (BLOCKQUOTE.test(line)) {
      state = quoteLineState(line, state.fence);
      last = next;
      continue;
    }
    if (!state.lazyAllowed || startsBlock(lines, next)) break;
    last = next;
  }
  return { kind: 'other', from: index, to: last + 1 };
}

function quoteLineState(line: string, openFence: Fence | undefined): { fence?: Fence; lazyAllowed: boolean } {
  const inner = line.replace(/^ {0,3}> ?/, '');
  if (openFence && closesFence(inner, openFence)) return { lazyAllowed: false };
  if (openFence) return { fence: openFence, lazyAllowed: false };
  const fence = fenceOpening(inner);
  if (fence) return { fence, lazyAllowed: false };
  return { lazyAllowed: !isBlankLine(inner) && !opensNonParagraph(inner) };
}

const HTML_BLOCK_TAGS = new Set(
  (
    'address article aside base basefont blockquote body caption center col colgroup dd details dialog dir div ' +
    'dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe ' +
    'legend li link main menu menuitem nav noframes ol optgroup option p param search section summary table ' +
    'tbody td tfoot th thead title tr track ul'
  ).split(' '),
);

const HTML_ATTRIBUTE = String.raw`\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>\x60]+|'[^']*'|"[^"]*"))?`;
const HTML_COMPLETE_TAG = new RegExp(
  String.raw`^(?:<[A-Za-z][A-Za-z0-9-]*(?:${HTML_ATTRIBUTE})*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$`,
);

/** The CommonMark HTML block start conditions 1-7; each type has its own end condition. */
function htmlBlockType(line: string): number | undefined {
  if (!/^ {0,3}</.test(line)) return undefined;
  const tag = line.trimStart();
  if (/^<(?:script|pre|style|textarea)(?:[ \t>]|$)/i.test(tag)) return 1;
  if (tag.startsWith('<!--')) return 2;
  if (tag.startsWith('<?')) return 3;
  if (/^<![A-Za-z]/.test(tag)) return 4;
  if (tag.startsWith('<![CDATA[')) return 5;
  const name = /^<\/?([A-Za-z][A-Za-z0-9-]*)(?:[ \t>]|\/>|$)/.exec(tag)?.[1];
  if (name && HTML_BLOCK_TAGS.has(name.toLowerCase())) return 6;
  if (HTML_COMPLETE_TAG.test(tag)) return 7;
  return undefined;
}

const HTML_END_MARKERS: Record<number, { opener: RegExp; end: RegExp }> = {
  1: { opener: /^\s*</, end: /<\/(?:script|pre|style|textarea)>/i },
  2: { opener: /^\s*<!--/, end: /-->/ },
  3: { opener: /^\s*<\?/, end: /\?>/ },
  4: { opener: /^\s*<!/, end: />/ },
  5: { opener: /^\s*<!\[CDATA\[/, end: /\]\]>/ },
};

function htmlSpan(lines: Line[], index: number, type: number): Span {
  const markers = HTML_END_MARKERS[type];
  if (!markers) {
    let next = index + 1;
    while (next < lines.length && !isBlankLine(contentAt(lines, next))) next++;
    return { kind: 'html', from: index, to: next };
  }
  const first = contentAt(lines, index).replace(markers.opener, '');
  if (markers.end.test(first)) return { kind: 'html', from: index, to: index + 1 };
  for (let next = index + 1; next < lines.length; next++) {
    if (markers.end.test(contentAt(lines, next))) return { kind: 'html', from: index, to: next + 1 };
  }
  return { kind: 'html', from: index, to: lines.length };
}

/** A GFM table: a header row with pipes, then a delimiter row with the same number of cells. */
function tableStartsAt(lines: Line[], index: number): boolean {
  if (index + 1 >= lines.length) return false;
  const header = contentAt(lines, index);
  const delimiter = contentAt(lines, index + 1);
  if (indentColumns(header) >= 4 || !header.includes('|')) return false;
  if (!delimiter.includes('|') || !TABLE_DELIMITER.test(delimiter)) return false;
  return tableCells(header) === tableCells(delimiter);
}

function tableCells(row: string): number {
  const inner = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).length;
}

function tableSpan(lines: Line[], index: number): Span {
  let next = index + 2;
  while (next < lines.length && !isBlankLine(contentAt(lines, next)) && !startsBlock(lines, next)) next++;
  return { kind: 'other', from: index, to: next };
}

/** A paragraph, unless an underline turns its lines into a setext heading. */
function paragraphOrSetextSpan(lines: Line[], index: number): Span {
  let next = index + 1;
  while (next < lines.length) {
    const line = contentAt(lines, next);
    if (isBlankLine(line)) break;
    if (SETEXT_UNDERLINE.test(line)) return setextHeading(lines, index, next);
    if (interruptsParagraph(lines, next)) break;
    next++;
  }
  return { kind: 'paragraph', from: index, to: next };
}

function setextHeading(lines: Line[], from: number, underline: number): Span {
  const title = lines
    .slice(from, underline)
    .map((line) => line.content.trim())
    .join(' ');
  const level = contentAt(lines, underline).trim().startsWith('=') ? 1 : 2;
  return { kind: 'heading', from, to: underline + 1, level, heading: title };
}

/** Block starts that may end a paragraph without a blank line (CommonMark's interruption rules). */
function interruptsParagraph(lines: Line[], index: number): boolean {
  const line = contentAt(lines, index);
  if (indentColumns(line) >= 4) return false;
  const marker = listMarkerOf(line);
  if (marker) return !marker.empty && (!marker.ordered || marker.number === 1);
  const html = htmlBlockType(line);
  if (html !== undefined) return html <= 6;
  return startsNonListBlock(lines, index);
}

/** Any block start: what ends a list item's or a blockquote's lazy continuation, or a table. */
function startsBlock(lines: Line[], index: number): boolean {
  const line = contentAt(lines, index);
  if (indentColumns(line) >= 4) return false;
  return listMarkerOf(line) !== undefined || htmlBlockType(line) !== undefined || startsNonListBlock(lines, index);
}

function startsNonListBlock(lines: Line[], index: number): boolean {
  const line = contentAt(lines, index);
  return (
    isAtxHeading(line) ||
    fenceOpening(line) !== undefined ||
    isThematicBreak(line) ||
    BLOCKQUOTE.test(line) ||
    tableStartsAt(lines, index)
  );
}

function spansToBlocks(text: string, lines: Line[], spans: Span[]): Block[] {
  const trail: { level: number; title: string }[] = [];
  return spans.map((span) => {
    const first = lines[span.from];
    const last = lines[span.to - 1];
    const start = first?.start ?? 0;
    const block: Block = {
      kind: span.kind,
      raw: text.slice(start, last?.end ?? start),
      start,
      line: span.from + 1,
      section: trail.map((heading) => heading.title),
    };
    if (span.kind === 'heading') {
      const level = span.level ?? 1;
      while ((trail.at(-1)?.level ?? 0) >= level) trail.pop();
      block.section = trail.map((heading) => heading.title);
      block.level = level;
      block.heading = span.heading ?? '';
      trail.push({ level, title: block.heading });
    }
    return block;
  });
}
