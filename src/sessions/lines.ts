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

/**
 * Streams a file's lines with memory bounded by `maxLineBytes`, hashing the bytes on the way so that
 * a caller never reads a log twice to know whether it changed. `source` is a path, or the bytes of a
 * file already read whole (a small one: one read instead of a stream); both give the same lines.
 */
export function readLines(source: string | Buffer, options: ReadLinesOptions = {}): LineReader {
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

async function* iterate(source: string | Buffer, max: number, done: (s: ReadSummary) => void): AsyncGenerator<Line> {
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: 64 * 1024 }) : undefined;
  const chunks = stream ? (stream as AsyncIterable<Buffer>) : [source as Buffer];
  const hash = createHash('sha256');
  // Stream chunks may be reused once read past, so a line keeps copies of them; a whole file's bytes stay put.
  const line = new LineBuffer(max, stream !== undefined);
  let bytes = 0;
  let number = 0;
  try {
    for await (const chunk of chunks) {
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
    stream?.destroy();
  }
}

/** Collects the pieces of one line across chunks, keeping at most `max` bytes of it. */
class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  private truncated = false;

  constructor(
    private readonly max: number,
    private readonly copy: boolean,
  ) {}

  push(part: Buffer): void {
    if (this.truncated || part.length === 0) return;
    const room = this.max - this.size;
    if (part.length > room) this.truncated = true;
    const kept = part.length > room ? part.subarray(0, room) : part;
    // A stream may reuse its chunk buffers once we move on: keep a copy (see iterate).
    this.parts.push(this.copy ? Buffer.from(kept) : kept);
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
    const text = bytes.toString('utf8');
    // A byte-order mark is an encoding artefact, not content; JSON.parse would choke on it.
    return { number, text: number === 1 ? text.replace(/^\uFEFF/, '') : text, truncated, invalidUtf8: !isUtf8(bytes) };
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
