import { hasCharacter, lastCharacter } from '../util/spliced.js';

/**
 * Lines of a memory file as a person sees them, and the column arithmetic CommonMark uses: shared by the block
 * parser, the entry texts and the edits.
 */

/** The line break a file mostly uses, so that text added to it does not mix styles. */
export function lineEnding(text: string): '\n' | '\r\n' {
  // Most files have no CR LF at all: one search settles it, where counting would go through every line of a long file.
  // A file without CR has none either, which the pieces of a spliced text tell without joining them (util/spliced.ts).
  if (!hasCharacter(text, '\r') || !text.includes('\r\n')) return '\n';
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = text.match(/\n/g)?.length ?? 0;
  return crlf > 0 && crlf >= lf - crlf ? '\r\n' : '\n';
}

export function endsWithLineBreak(text: string): boolean {
  return lastCharacter(text) === '\n';
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
