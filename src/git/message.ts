/**
 * Commit messages as reverie writes them: a subject, a body, and git trailers (`Reverie-Cycle: ...`) as the
 * last paragraph, where `git interpret-trailers` and `git log --format=%(trailers)` find them too.
 */

export interface CommitMessageParts {
  subject: string;
  body?: string;
  /** In order; a key may repeat. */
  trailers?: [key: string, value: string][];
}

export interface ParsedCommitMessage {
  subject: string;
  body: string;
  /** Values per key, in the order they appear. */
  trailers: Record<string, string[]>;
}

const TRAILER = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;
const CONTINUATION = /^[ \t]+\S/;
const BLANK = /^\s*$/;

/**
 * `subject\n\nbody\n\nKey: value\n`. Subject and trailer values are folded onto one line, since a newline
 * would end them. With no trailers, a body whose last paragraph looks like `Key: value` lines will read back
 * as trailers: git has the same ambiguity.
 */
export function formatCommitMessage({ subject, body = '', trailers = [] }: CommitMessageParts): string {
  const title = oneLine(subject);
  if (!title) throw new Error('a commit message needs a subject');
  const parts = [title];
  const text = normaliseBody(body);
  if (text) parts.push(text);
  if (trailers.length > 0) parts.push(trailers.map(([key, value]) => formatTrailer(key, value)).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

function formatTrailer(key: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key)) throw new Error(`not a valid trailer key: ${JSON.stringify(key)}`);
  return `${key}: ${oneLine(value)}`;
}

/** Splits a message into subject (first paragraph, on one line), body, and the trailer block, if any. */
export function parseCommitMessage(message: string): ParsedCommitMessage {
  const lines = message.replace(/\r\n/g, '\n').split('\n');
  const subjectEnd = indexOrLength(lines, (line) => BLANK.test(line));
  const rest = dropBlankEnds(lines.slice(subjectEnd));
  const lastBlank = findLastIndex(rest, (line) => BLANK.test(line));
  const lastParagraph = rest.slice(lastBlank + 1);
  const hasTrailers = lastParagraph.length > 0 && isTrailerBlock(lastParagraph);
  const bodyLines = hasTrailers ? rest.slice(0, Math.max(lastBlank, 0)) : rest;
  return {
    subject: oneLine(lines.slice(0, subjectEnd).join('\n')),
    body: dropBlankEnds(bodyLines).join('\n'),
    trailers: hasTrailers ? parseTrailers(lastParagraph) : {},
  };
}

function isTrailerBlock(lines: string[]): boolean {
  return TRAILER.test(lines[0] ?? '') && lines.every((line) => TRAILER.test(line) || CONTINUATION.test(line));
}

/** A continuation line (leading whitespace) extends the previous value, joined by one space as git does. */
function parseTrailers(lines: string[]): Record<string, string[]> {
  const trailers: Record<string, string[]> = {};
  let last: { values: string[]; index: number } | undefined;
  for (const line of lines) {
    const match = TRAILER.exec(line);
    if (match) {
      const values = (trailers[match[1]!] ??= []);
      last = { values, index: values.push(match[2]!.trim()) - 1 };
    } else if (last) {
      last.values[last.index] = `${last.values[last.index]} ${line.trim()}`.trim();
    }
  }
  return trailers;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Leading blank lines and trailing whitespace go; indentation of the first line stays (it may be code). */
function normaliseBody(body: string): string {
  return dropBlankEnds(body.replace(/\r\n/g, '\n').split('\n')).join('\n');
}

function dropBlankEnds(lines: string[]): string[] {
  const start = indexOrLength(lines, (line) => !BLANK.test(line));
  const end = findLastIndex(lines, (line) => !BLANK.test(line)) + 1;
  return lines.slice(start, Math.max(start, end)).map((line, i, all) => (i === all.length - 1 ? line.trimEnd() : line));
}

function indexOrLength<T>(items: T[], test: (item: T) => boolean): number {
  const i = items.findIndex(test);
  return i < 0 ? items.length : i;
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}
