/**
 * Texts made by splicing, kept as the pieces they join. `a.slice(0, i) + s + a.slice(j)` is cheap to make (V8 joins
 * the three without copying), but the first search, slice or encoding of the result copies all of it into one new
 * string; for a long file edited once per action, that is a copy of the whole file per edit, each a fresh allocation
 * of its own (most of a cycle's time and memory on a file of 600 KB). The recent spliced texts are remembered with
 * their pieces (slices of a text copied once, and the inserted strings), so that the next splice, the line ending,
 * the last character and the UTF-8 bytes of a text come from the pieces, and the text itself is never copied whole.
 */

/** The texts spliced last, with their pieces: enough for the few versions of a file one action goes through. */
const recent = new Map<string, readonly string[]>();
const RECENT = 8;
/** Past this many pieces, a text is left to be copied whole once, and its splices start again from the copy. */
const MAX_PIECES = 48;
/** Shorter texts are spliced as strings: copying them costs less than keeping their pieces. */
const MIN_LENGTH = 16_384;

/** The pieces `text` joins: those it was spliced from, or itself. */
function piecesOf(text: string): readonly string[] {
  return (text.length >= MIN_LENGTH && recent.get(text)) || [text];
}

/** `text` with the characters from `start` to `end` replaced by `insert`; the same string as slicing and joining. */
export function spliceText(text: string, start: number, end: number, insert: string): string {
  if (text.length < MIN_LENGTH) return text.slice(0, start) + insert + text.slice(end);
  const pieces: string[] = [];
  let at = 0;
  let inserted = false;
  for (const piece of piecesOf(text)) {
    const from = at;
    const to = at + piece.length;
    at = to;
    if (to <= start || from >= end) {
      if (from >= end && !inserted) {
        pieces.push(insert);
        inserted = true;
      }
      pieces.push(piece);
      continue;
    }
    if (from < start) pieces.push(piece.slice(0, start - from));
    if (!inserted) {
      pieces.push(insert);
      inserted = true;
    }
    if (to > end) pieces.push(piece.slice(end - from));
  }
  if (!inserted) pieces.push(insert);
  const kept = pieces.filter((piece) => piece !== '');
  const result = kept.reduce((joined, piece) => joined + piece, '');
  if (kept.length <= MAX_PIECES && result.length >= MIN_LENGTH) remember(result, kept);
  if (result.length >= MIN_LENGTH) inheritLacking(text, insert, result);
  // A splice that puts back what was there gives the same text: it is not a version of its own.
  const unchanged = end - start === insert.length && sliceText(text, start, end) === insert;
  if (result.length >= MIN_LENGTH && !unchanged) rememberSplice(result, { parent: text, start, end, insert });
  return result;
}

function remember(text: string, pieces: readonly string[]): void {
  recent.delete(text);
  recent.set(text, pieces);
  if (recent.size > RECENT) recent.delete(recent.keys().next().value as string);
}

/** `text.slice(from, to)` for `0 <= from <= to`, cut from the pieces of a spliced text rather than from the text joined whole. */
export function sliceText(text: string, from: number, to: number): string {
  const pieces = piecesOf(text);
  if (pieces.length === 1) return text.slice(from, to);
  let out = '';
  let at = 0;
  for (const piece of pieces) {
    const end = at + piece.length;
    if (end > from && at < to) out += piece.slice(Math.max(0, from - at), Math.min(piece.length, to - at));
    at = end;
    if (at >= to) break;
  }
  return out;
}

/**
 * Characters each of the texts spliced or searched last is known to lack: a text spliced from one that lacks a character,
 * with an insert that lacks it too, lacks it without a search (a long file is asked for its line ending at every edit).
 */
const lacking = new Map<string, ReadonlySet<string>>();

function rememberLacking(text: string, chars: ReadonlySet<string>): void {
  lacking.delete(text);
  lacking.set(text, chars);
  if (lacking.size > RECENT) lacking.delete(lacking.keys().next().value as string);
}

function inheritLacking(parent: string, insert: string, result: string): void {
  const known = parent.length >= MIN_LENGTH ? lacking.get(parent) : undefined;
  if (!known) return;
  const chars = new Set([...known].filter((char) => !insert.includes(char)));
  if (chars.size > 0) rememberLacking(result, chars);
}

/** Whether `text` holds the character `char` (one UTF-16 code unit), looked for in each of its pieces. */
export function hasCharacter(text: string, char: string): boolean {
  if (text.length < MIN_LENGTH) return text.includes(char);
  const known = lacking.get(text);
  if (known?.has(char)) return false;
  const found = piecesOf(text).some((piece) => piece.includes(char));
  if (!found) rememberLacking(text, new Set([...(known ?? []), char]));
  return found;
}

/** The last character of `text` (its last UTF-16 code unit), or undefined for an empty text. */
export function lastCharacter(text: string): string | undefined {
  const pieces = piecesOf(text);
  const last = pieces.at(-1) ?? '';
  return last === '' ? undefined : last.charAt(last.length - 1);
}

/** How each of the texts spliced last was made: the text it was spliced from, and the splice. */
const splicedFrom = new Map<string, Splice>();

function rememberSplice(text: string, splice: Splice): void {
  splicedFrom.delete(text);
  splicedFrom.set(text, splice);
  if (splicedFrom.size > RECENT) splicedFrom.delete(splicedFrom.keys().next().value as string);
}

/**
 * A text's UTF-8 bytes, and where its characters past ASCII are: each code unit's offset with the bytes it takes past
 * one, summed up to it, so that any character offset gives its byte offset. Absent when the text holds a character
 * that is not one code unit of two or three bytes (a surrogate, or U+FFFD, which a lone surrogate also becomes).
 */
interface Encoded {
  bytes: Buffer;
  wide?: { at: number[]; extra: number[] };
}

/** The texts encoded last: a cycle encodes each version of a file once, spliced from the version before. */
const encoded = new Map<string, Encoded>();
const ENCODED = 3;
/** How many splices back the bytes of a text are looked for: the edits of one action, a few at most. */
const ENCODED_DEPTH = 6;

/**
 * The UTF-8 bytes of `text`. A text spliced from one whose bytes were encoded last (or from such a text's, within a
 * few splices) is those bytes with the inserted text's in place of the splice: a copy, not an encoding of the whole
 * file per version. Any other is encoded piece by piece where no piece ends in the middle of a surrogate pair, or whole.
 */
export function utf8Bytes(text: string): Buffer {
  if (text.length < MIN_LENGTH) return Buffer.from(text, 'utf8');
  const known = encoded.get(text) ?? fromEncodedAncestor(text) ?? withWide(encodedWhole(text), text.length);
  encoded.delete(text);
  encoded.set(text, known);
  if (encoded.size > ENCODED) encoded.delete(encoded.keys().next().value as string);
  return known.bytes;
}

/** The bytes of `text` from those of the text it was spliced from, or from that one's, within a few splices; or nothing. */
function fromEncodedAncestor(text: string): Encoded | undefined {
  const chain: Splice[] = [];
  let at = text;
  let known: Encoded | undefined;
  while (!known && chain.length < ENCODED_DEPTH) {
    const splice = splicedFrom.get(at);
    if (!splice) return undefined;
    chain.push(splice);
    at = splice.parent;
    known = encoded.get(at);
  }
  for (const splice of chain.reverse()) known = known && splicedBytes(known, splice);
  return known;
}

type Splice = { parent: string; start: number; end: number; insert: string };

/** The bytes of `parent` spliced: `insert`'s bytes in place of those of the characters from `start` to `end`. */
function splicedBytes({ bytes, wide }: Encoded, { start, end, insert }: Splice): Encoded | undefined {
  const inserted = wideUnits(insert);
  if (!wide || !inserted) return undefined;
  const from = firstAtOrAfter(wide.at, start);
  const to = firstAtOrAfter(wide.at, end);
  const byteAt = (offset: number, index: number) => offset + (index > 0 ? (wide.extra[index - 1] as number) : 0);
  const shift = insert.length - (end - start);
  const units = [
    ...wide.at.slice(0, from).map((offset, i) => [offset, unitExtra(wide, i)] as const),
    ...inserted.map(([offset, extra]) => [offset + start, extra] as const),
    ...wide.at.slice(to).map((offset, i) => [offset + shift, unitExtra(wide, to + i)] as const),
  ];
  return {
    bytes: Buffer.concat([bytes.subarray(0, byteAt(start, from)), Buffer.from(insert, 'utf8'), bytes.subarray(byteAt(end, to))]),
    wide: summed(units),
  };
}

function unitExtra(wide: { extra: number[] }, index: number): number {
  return (wide.extra[index] as number) - (index > 0 ? (wide.extra[index - 1] as number) : 0);
}

function summed(units: readonly (readonly [number, number])[]): { at: number[]; extra: number[] } {
  let total = 0;
  return { at: units.map(([offset]) => offset), extra: units.map(([, extra]) => (total += extra)) };
}

function firstAtOrAfter(sorted: number[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) >= offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The code units of a short text past ASCII, with the bytes each takes past one; undefined if one is a surrogate. */
function wideUnits(text: string): [number, number][] | undefined {
  const units: [number, number][] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code >= 0xd800 && code <= 0xdfff) return undefined;
    units.push([i, code < 0x800 ? 1 : 2]);
  }
  return units;
}

/** Where the characters past ASCII of a text `length` code units long are, read from its UTF-8 bytes. */
function withWide(bytes: Buffer, length: number): Encoded {
  if (bytes.length === length) return { bytes, wide: { at: [], extra: [] } };
  const units: [number, number][] = [];
  let unit = 0;
  for (let i = 0; i < bytes.length; unit++) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Four bytes are a surrogate pair (two code units); EF BF BD may be a lone surrogate: such a text is left without.
    if (lead >= 0xf0 || (lead === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd)) return { bytes };
    const size = lead >= 0xe0 ? 3 : 2;
    units.push([unit, size - 1]);
    i += size;
  }
  return { bytes, wide: summed(units) };
}

/** The UTF-8 bytes of `text`, encoded piece by piece where no piece ends in the middle of a surrogate pair. */
function encodedWhole(text: string): Buffer {
  const pieces = piecesOf(text);
  if (pieces.length === 1 || pieces.some((piece) => isHighSurrogate(piece.charCodeAt(piece.length - 1)))) return Buffer.from(text, 'utf8');
  return Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8')));
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
