/**
 * JSON logs as readers meet them: JSON Lines (one value per line), or one JSON document spread over many lines
 * (pretty-printed). The first non-empty line tells which: a line that is a whole JSON value starts JSON Lines, a line
 * that only opens an object or an array starts a document, gathered whole (up to a cap) and parsed at the end.
 */
import type { LogSource } from '../types.js';
import { firstLine } from './common.js';

/** Largest multi-line document gathered: it is held whole in memory to be parsed. */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

export type JsonEvent =
  /** `document`: the value is a whole multi-line document, not one line of JSON Lines. */
  | { kind: 'value'; value: unknown; line: number; document: boolean }
  | { kind: 'problem'; message: string; line?: number };

/** The JSON values of a log, each with the line it starts on; what cannot be parsed becomes a problem. */
export async function* jsonValues(source: LogSource, maxChars = MAX_DOCUMENT_CHARS): AsyncGenerator<JsonEvent> {
  const reader = new JsonReader(maxChars);
  let number = 0;
  for await (const text of source.lines()) {
    yield* reader.line(text, ++number);
    if (reader.done) return;
  }
  yield* reader.end();
}

/** Decides between JSON Lines and a document as lines come, and gathers a document's lines. */
class JsonReader {
  done = false;
  private document: DocumentLines | undefined;
  /** A document's second non-empty line is still to come: it tells a document from JSON Lines with a bad first line. */
  private undecided = false;
  private sawValue = false;

  constructor(private readonly maxChars: number) {}

  *line(text: string, number: number): Generator<JsonEvent> {
    if (this.document && this.undecided && text.trim() !== '') {
      this.undecided = false;
      if (isWholeRecord(text)) yield* this.leaveDocument();
    }
    if (this.document) return yield* this.gather(text);
    if (text.trim() === '') return;
    const parsed = parseJson(text);
    if ('value' in parsed) {
      this.sawValue = true;
      yield { kind: 'value', value: parsed.value, line: number, document: false };
    } else if (!this.sawValue && opensContainer(text)) {
      this.document = new DocumentLines(number, text, this.maxChars);
      this.undecided = true;
    } else yield { kind: 'problem', message: parsed.error, line: number };
  }

  *end(): Generator<JsonEvent> {
    if (this.document) yield* this.document.values();
  }

  private *gather(text: string): Generator<JsonEvent> {
    if (this.document?.push(text)) return;
    this.done = true;
    yield tooLarge(this.maxChars, this.document?.start);
  }

  /** The lines gathered so far were one damaged record of JSON Lines, not the start of a document. */
  private *leaveDocument(): Generator<JsonEvent> {
    const started = this.document;
    this.document = undefined;
    this.sawValue = true;
    if (started) yield* started.asJsonLines();
  }
}

function tooLarge(maxChars: number, line: number | undefined): JsonEvent {
  const size = maxChars % (1024 * 1024) === 0 ? `${maxChars / 1024 / 1024} MiB` : `${maxChars} characters`;
  return { kind: 'problem', message: `JSON document longer than ${size}; not read`, ...(line ? { line } : {}) };
}

export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `not valid JSON (${firstLine((err as Error).message, 80)})` };
  }
}

/** A line that begins an object or an array without closing it: the start of a pretty-printed document. */
function opensContainer(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/** The lines of a multi-line document, gathered up to a cap. */
class DocumentLines {
  private readonly lines: string[] = [];
  private chars = 0;

  constructor(
    readonly start: number,
    first: string,
    private readonly maxChars: number,
  ) {
    this.push(first);
  }

  /** False once the document has grown past the cap. */
  push(text: string): boolean {
    this.chars += text.length + 1;
    if (this.chars > this.maxChars) return false;
    this.lines.push(text);
    return true;
  }

  *values(): Generator<JsonEvent> {
    const text = this.lines.join('\n');
    const parsed = parseJson(text);
    if ('value' in parsed) yield { kind: 'value', value: parsed.value, line: this.start, document: true };
    // JSON Lines whose first records are damaged start this way too: its other lines are still records.
    else if (this.lines.some((line) => isWholeRecord(line))) yield* this.asJsonLines();
    else yield { kind: 'problem', message: parsed.error, line: this.start + lineOfError(parsed.error, text) };
  }

  *asJsonLines(): Generator<JsonEvent> {
    for (const [i, line] of this.lines.entries()) {
      if (line.trim() === '') continue;
      const parsed = parseJson(line);
      const number = this.start + i;
      yield 'value' in parsed ? { kind: 'value', value: parsed.value, line: number, document: false } : { kind: 'problem', message: parsed.error, line: number };
    }
  }
}

/** A line that is a whole non-empty object or array, as JSON Lines records are; a pretty-printed document has none. */
function isWholeRecord(line: string): boolean {
  if (!opensContainer(line)) return false;
  const parsed = parseJson(line);
  return 'value' in parsed && typeof parsed.value === 'object' && parsed.value !== null && Object.keys(parsed.value).length > 0;
}

/** 0-based line of the position V8 names in a JSON syntax error, or 0 when it names none. */
function lineOfError(message: string, text: string): number {
  const position = /position (\d+)/.exec(message);
  if (!position) return 0;
  const at = Math.min(Number(position[1]), text.length);
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}
