import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';

/** Longest line kept whole. Claude Code writes a pasted image or a large file read as one line. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface Line {
  /** 1-based. */
  number: number;
  /** The line without its terminator (`\n` or `\r\n`). */
  text: string;
  /** The line was longer than `maxLineBytes`; `text` holds its beginning only. */
  truncated: boolean;
  /** The bytes were not valid UTF-8; the bad sequences became U+FFFD. */
  invalidUtf8: boolean;
}

export interface ReadSummary {
  /** sha256 (hex) of all the bytes of the file. */
  sha256: string;
  bytes: number;
  lines: number;
}

export interface ReadLinesOptions {
  maxLineBytes?: number;
  /** Called once the whole file has been read (not when the caller stops early). */
  onEnd?: (summary: ReadSummary) => void;
}

/** The lines of a file, streamed; `summary` is set once iteration has reached the end of the file. */
export interface LineReader extends AsyncIterable<Line> {
  readonly summary: ReadSummary | undefined;
}

/** The lines of a file already in memory; `summary` is set once iteration has reached the end. */
export interface BytesLineReader extends Iterable<Line> {
  readonly summary: ReadSummary | undefined;
}

/**
 * Streams a file's lines with memory bounded by `maxLineBytes`, hashing the bytes on the way so that
 * a caller never reads a log twice to know whether it changed. `source` is a path, or the bytes of a
 * file already read whole (a small one: one read instead of a stream); both give the same lines.
 */
export function readLines(source: string | Buffer, options: ReadLinesOptions = {}): LineReader {
  if (typeof source !== 'string') {
    const lines = readLinesOfBytes(source, options);
    return {
      get summary() {
        return lines.summary;
      },
      [Symbol.asyncIterator]: () => asyncIterable(lines)[Symbol.asyncIterator](),
    };
  }
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const reader = {
    summary: undefined as ReadSummary | undefined,
    [Symbol.asyncIterator]: () =>
      iterate(source, max, (summary) => {
        reader.summary = summary;
        options.onEnd?.(summary);
      }),
  };
  return reader;
}

/** `readLines` for the bytes of a file read whole: the same lines, handed out without a trip through promises. */
export function readLinesOfBytes(bytes: Buffer, options: ReadLinesOptions = {}): BytesLineReader {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const reader = {
    summary: undefined as ReadSummary | undefined,
    [Symbol.iterator]: () =>
      linesOfBytes(bytes, max, (summary) => {
        reader.summary = summary;
        options.onEnd?.(summary);
      }),
  };
  return reader;
}

/**
 * The items of a synchronous iterable as an asynchronous one, each in a promise already resolved: one promise per
 * item, where an async generator takes several. Per line of a log, that adds up.
 */
export function asyncIterable<T>(items: Iterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = items[Symbol.iterator]();
      return {
        next: () => Promise.resolve(iterator.next()),
        return: (value?: unknown) => {
          iterator.return?.();
          return Promise.resolve({ done: true as const, value });
        },
      };
    },
  };
}

async function* iterate(path: string, max: number, done: (s: ReadSummary) => void): AsyncGenerator<Line> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  const hash = createHash('sha256');
  const line = new LineBuffer(max);
  let bytes = 0;
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        line.push(chunk.subarray(start, nl));
        start = nl + 1;
        yield line.take(++number);
      }
      line.push(chunk.subarray(start));
    }
    if (!line.isEmpty()) yield line.take(++number);
    done({ sha256: hash.digest('hex'), bytes, lines: number });
  } finally {
    stream.destroy();
  }
}

/**
 * The lines of a file read whole: each sliced straight out of its bytes, as LineBuffer would cut it, and the
 * UTF-8 checked once for the whole file. A newline byte never occurs inside a multi-byte character, so when the
 * file is valid UTF-8, so is every line of it.
 */
function* linesOfBytes(bytes: Buffer, max: number, done: (s: ReadSummary) => void): Generator<Line> {
  const allValid = isUtf8(bytes);
  let number = 0;
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline;
    yield lineOf(bytes.subarray(start, end), ++number, max, allValid);
    start = end + 1;
  }
  done({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, lines: number });
}

function lineOf(whole: Buffer, number: number, max: number, validFile: boolean): Line {
  const truncated = whole.length > max;
  let bytes = truncated ? cutToCharBoundary(whole.subarray(0, max)) : whole;
  if (!truncated && bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, -1);
  return textLine(bytes, number, truncated, truncated || !validFile ? !isUtf8(bytes) : false);
}

function textLine(bytes: Buffer, number: number, truncated: boolean, invalidUtf8: boolean): Line {
  const text = bytes.toString('utf8');
  // A byte-order mark is an encoding artefact, not content; JSON.parse would choke on it.
  return { number, text: number === 1 ? text.replace(/^\uFEFF/, '') : text, truncated, invalidUtf8 };
}

/** Collects the pieces of one line across stream chunks, keeping at most `max` bytes of it. */
class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  private truncated = false;

  constructor(private readonly max: number) {}

  push(part: Buffer): void {
    if (this.truncated || part.length === 0) return;
    const room = this.max - this.size;
    if (part.length > room) this.truncated = true;
    const kept = part.length > room ? part.subarray(0, room) : part;
    // A stream may reuse its chunk buffers once we move on: keep a copy.
    this.parts.push(Buffer.from(kept));
    this.size += kept.length;
  }

  isEmpty(): boolean {
    return this.size === 0 && !this.truncated;
  }

  take(number: number): Line {
    let bytes: Buffer = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    const truncated = this.truncated;
    this.parts = [];
    this.size = 0;
    this.truncated = false;
    if (truncated) bytes = cutToCharBoundary(bytes);
    else if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, -1);
    return textLine(bytes, number, truncated, !isUtf8(bytes));
  }
}

/** Drops a multi-byte character cut in half by truncation, so that the cut is not reported as bad UTF-8. */
function cutToCharBoundary(bytes: Buffer): Buffer {
  let end = bytes.length;
  let back = 0;
  while (end > 0 && back < 3 && ((bytes[end - 1] ?? 0) & 0xc0) === 0x80) {
    end--;
    back++;
  }
  const lead = bytes[end - 1] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? bytes.subarray(0, end - 1) : bytes;
}

/** sha256 (hex) of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash: Hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
