import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashFile, readLines, readLinesOfBytes, type Line, type ReadSummary } from '../../../src/sessions/lines.js';
import { CLAUDE, tempDir } from './helpers.js';

async function lines(path: string, maxLineBytes?: number): Promise<{ lines: Line[]; summary: ReadSummary | undefined }> {
  const reader = readLines(path, maxLineBytes === undefined ? {} : { maxLineBytes });
  const out: Line[] = [];
  for await (const line of reader) out.push(line);
  return { lines: out, summary: reader.summary };
}

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

describe('readLines', async () => {
  const dir = await tempDir();
  const file = async (name: string, bytes: Buffer | string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };

  it('splits on \\n, strips \\r, keeps empty lines, drops the empty tail after a final newline', async () => {
    const { lines: got } = await lines(await file('a.txt', 'one\r\ntwo\n\nfour\n'));
    expect(got.map((l) => [l.number, l.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, ''],
      [4, 'four'],
    ]);
  });

  it('yields a last line without a newline, and nothing for an empty file', async () => {
    expect((await lines(await file('b.txt', 'x\ny'))).lines.map((l) => l.text)).toEqual(['x', 'y']);
    const empty = await lines(await file('empty.txt', ''));
    expect(empty.lines).toEqual([]);
    expect(empty.summary).toEqual({ sha256: sha256(''), bytes: 0, lines: 0 });
  });

  it('hashes the bytes while streaming, the same as hashFile', async () => {
    const path = join(CLAUDE, 'claude-code-viewer/5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl');
    const bytes = await readFile(path);
    const { lines: got, summary } = await lines(path);
    expect(summary).toEqual({ sha256: sha256(bytes), bytes: bytes.length, lines: 53 });
    expect(got).toHaveLength(53);
    expect(await hashFile(path)).toBe(sha256(bytes));
  });

  it('reports the summary through onEnd, and not when the caller stops early', async () => {
    const path = await file('c.txt', 'a\nb\nc\n');
    const ends: ReadSummary[] = [];
    for await (const line of readLines(path, { onEnd: (s) => ends.push(s) })) if (line.number === 1) break;
    expect(ends).toEqual([]);
    const reader = readLines(path, { onEnd: (s) => ends.push(s) });
    for await (const _ of reader) void _;
    expect(ends).toHaveLength(1);
    expect(reader.summary?.lines).toBe(3);
  });

  it('truncates a line over the limit, flags it, and reads the next line whole', async () => {
    const long = 'é'.repeat(40); // 80 bytes
    const { lines: got, summary } = await lines(await file('long.txt', `${long}\nshort\n`), 25);
    expect(got[0]).toMatchObject({ number: 1, truncated: true, invalidUtf8: false });
    // Cut on a character boundary: 24 bytes, 12 characters, not half of one.
    expect(got[0]?.text).toBe('é'.repeat(12));
    expect(got[1]).toMatchObject({ number: 2, text: 'short', truncated: false });
    expect(summary?.bytes).toBe(87);
  });

  it('keeps memory bounded for a line much larger than the limit', async () => {
    const path = await file('huge.txt', Buffer.alloc(3 * 1024 * 1024, 'a'));
    const { lines: got } = await lines(path, 1024);
    expect(got).toHaveLength(1);
    expect(got[0]?.text).toHaveLength(1024);
    expect(got[0]?.truncated).toBe(true);
  });

  it('splits lines that straddle read chunks', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`).join('\n');
    const { lines: got } = await lines(await file('many.txt', text));
    expect(got.map((l) => l.text)).toEqual(text.split('\n'));
  });

  it('replaces invalid UTF-8 and flags it; a real U+FFFD is not flagged', async () => {
    const bytes = Buffer.concat([Buffer.from('ok\nbad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\nreal \uFFFD\n')]);
    const { lines: got } = await lines(await file('bad.txt', bytes));
    expect(got.map((l) => l.invalidUtf8)).toEqual([false, true, false]);
    expect(got[1]?.text).toContain('\uFFFD');
  });

  it('drops a byte-order mark', async () => {
    const { lines: got } = await lines(await file('bom.txt', '\uFEFF{"a":1}\n'));
    expect(got[0]?.text).toBe('{"a":1}');
  });

  it('fails on a missing file when iterated', async () => {
    await expect(lines(join(dir, 'missing.txt'))).rejects.toThrow(/ENOENT/);
  });
});

describe('readLines on the bytes of a file read whole', async () => {
  const dir = await tempDir();
  // Bytes that make lines interesting: newlines, CRs, a byte-order mark, multi-byte characters whole and cut, bad bytes.
  const pieces = ['\n', '\r', '\r\n', '\uFEFF', 'a', 'json', 'é', '✓', '😀', ' ', '"'].map((t) => Buffer.from(t));
  const piece = fc.oneof(fc.constantFrom(...pieces), fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Buffer.from(b)));
  const content = fc.array(piece, { maxLength: 60 }).map((parts) => Buffer.concat(parts));

  it('gives the very lines and summary a stream of the file gives, whatever the bytes and the line limit', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(content, fc.integer({ min: 1, max: 24 }), async (bytes, maxLineBytes) => {
        const path = join(dir, `f${n++}.txt`);
        await writeFile(path, bytes);
        const streamed = await lines(path, maxLineBytes);
        const whole = readLines(bytes, { maxLineBytes });
        const fromWhole: Line[] = [];
        for await (const line of whole) fromWhole.push(line);
        expect(fromWhole).toEqual(streamed.lines);
        expect(whole.summary).toEqual(streamed.summary);
        const sync = readLinesOfBytes(bytes, { maxLineBytes });
        expect([...sync]).toEqual(streamed.lines);
        expect(sync.summary).toEqual(streamed.summary);
      }),
      { numRuns: 200 },
    );
  });

  it('stops where the caller stops, without a summary', async () => {
    const reader = readLinesOfBytes(Buffer.from('one\ntwo\nthree\n'));
    for (const line of reader) if (line.number === 2) break;
    expect(reader.summary).toBeUndefined();
  });
});
