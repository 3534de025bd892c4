import { isUtf8 } from 'node:buffer';

/**
 * The 1-based line of the first bytes that are not UTF-8, or undefined when all of `bytes` is UTF-8. Decoding such
 * bytes as text turns them into U+FFFD, and writing that text back would lose them, on every line of the file: so
 * a file reverie would rewrite must pass this first. A line feed byte never occurs inside a multi-byte sequence,
 * so each line can be checked on its own.
 */
export function invalidUtf8Line(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    if (!isUtf8(bytes.subarray(start, end === -1 ? bytes.length : end))) return line;
    if (end === -1) return undefined;
    start = end + 1;
  }
}
