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

/** Whether `text` holds the character `char` (one UTF-16 code unit), looked for in each of its pieces. */
export function hasCharacter(text: string, char: string): boolean {
  return piecesOf(text).some((piece) => piece.includes(char));
}

/** The last character of `text` (its last UTF-16 code unit), or undefined for an empty text. */
export function lastCharacter(text: string): string | undefined {
  const pieces = piecesOf(text);
  const last = pieces.at(-1) ?? '';
  return last === '' ? undefined : last.charAt(last.length - 1);
}

/** The UTF-8 bytes of `text`, encoded piece by piece where no piece ends in the middle of a surrogate pair. */
export function utf8Bytes(text: string): Buffer {
  const pieces = piecesOf(text);
  if (pieces.length === 1 || pieces.some((piece) => isHighSurrogate(piece.charCodeAt(piece.length - 1)))) return Buffer.from(text, 'utf8');
  return Buffer.concat(pieces.map((piece) => Buffer.from(piece, 'utf8')));
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
