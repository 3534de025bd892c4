import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { indentColumns, isBlankLine, listMarkerOf, splitLines, type Line } from './lines.js';
import type { Block, BlockKind, MemoryDocument } from './types.js';
import { lastAtMost, runStarts } from '../util/search.js';
import { sliceText } from '../util/spliced.js';

export { endsWithLineBreak, isBlankLine, lineEnding } from './lines.js';

/**
 * A memory file as the blocks a reader sees: headings, list items, paragraphs, code, tables, front matter, and the
 * units a label makes ("**Key files:**" with the list it introduces). Which lines each block spans comes from a
 * CommonMark parser with GFM tables (markdown-it's block pass, with the line map of each block); the blocks are whole
 * lines, so that joining their raw text always gives back the input byte for byte, whatever the input is.
 */
export function parseDocument(path: string, text: string): MemoryDocument {
  const parsed = parsedOf(text);
  if (!(parsed instanceof Derived)) return { path, text, blocks: [...parsed] };
  // Derived blocks are made when `blocks` is first read (enumerable, as the property it stands for): curation reads a
  // long file's versions through documentBlocks, and most of them are never made.
  const document = { path, text } as MemoryDocument;
  lazyDocuments.set(document, parsed);
  Object.defineProperty(document, 'blocks', {
    get: () => {
      const blocks = [...made(text, parsed)];
      Object.defineProperty(document, 'blocks', { value: blocks, enumerable: true, writable: true, configurable: true });
      return blocks;
    },
    enumerable: true,
    configurable: true,
  });
  return document;
}

/** Documents whose blocks were derived and are not made yet, with those blocks. */
const lazyDocuments = new WeakMap<MemoryDocument, Derived>();

/** A document's blocks as a BlockView: not made when they were derived and no one made them since. */
export function documentBlocks(document: MemoryDocument): BlockView {
  const parsed = lazyDocuments.get(document);
  if (!parsed) return document.blocks;
  return madeBlocks.get(parsed) ?? parsed;
}

/** The document parsed whole, with no use of earlier parses: what every parse must equal (the tests hold them to it). */
/**
 * The blocks of `text`, as parseDocument gives them, without a copy of its own: for passes that only read them (the
 * edits here look a long file's blocks up several times an action).
 */
export function parsedBlocks(text: string): readonly Block[] {
  return blocksOf(text);
}

export function parseDocumentWhole(path: string, text: string): MemoryDocument {
  return { path, text, blocks: parseBlocks(text) };
}

export function renderDocument(doc: MemoryDocument): string {
  return doc.blocks.map((block) => block.raw).join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing is the costly step of every edit (each one is checked by parsing its result): the blocks of a text are
// kept for the texts seen last, which a cycle asks for again and again while it plans.

const CACHE_SIZE = 64;
/** Characters of text the cache holds at most: a long file's versions are few of the 64. */
const CACHE_CHARACTERS = 8_000_000;
const cache = new Map<string, Parsed>();
let cachedCharacters = 0;

function blocksOf(text: string): readonly Block[] {
  return made(text, parsedOf(text));
}

/** The blocks of `text` as the cache has them: made, or derived and not made yet (see Derived). */
function parsedOf(text: string): Parsed {
  const hit = cached(text);
  if (hit) return hit;
  // Not frozen: the blocks are shared (by the cache, and by the versions of a text an edit derives), read-only by
  // contract. Freezing each block of a long file's tail after every edit cost more than making it.
  const blocks = derivedFromRecent(text) ?? parseBlocks(text);
  remember(text, blocks);
  return blocks;
}

/** The blocks of `text`, made if they were only derived: the cache keeps them made from then on. */
function made(text: string, parsed: Parsed): readonly Block[] {
  if (!(parsed instanceof Derived)) return parsed;
  let blocks = madeBlocks.get(parsed);
  if (!blocks) {
    blocks = parsed.blocks();
    headingIndexes.set(blocks, parsed.headings);
    madeBlocks.set(parsed, blocks);
  }
  if (cache.get(text) === parsed) cache.set(text, blocks);
  return blocks;
}

/** Derived blocks once made: a document read through documentBlocks then sees the blocks the next edit is derived from. */
const madeBlocks = new WeakMap<Derived, readonly Block[]>();

/**
 * A text's blocks for a look at a few of them (an edit's target, its neighbours, the blocks around the edit), without
 * making all of them when they were only derived (see Derived). `findIndex` hands its test each block as its kind,
 * level, heading, section and text say (its place may be that of the text it was derived from): a test reads those.
 * `at` takes no negative index.
 */
export interface BlockView {
  readonly length: number;
  at(index: number): Block | undefined;
  slice(from?: number, to?: number): Block[];
  findIndex(test: (block: Block) => unknown): number;
}

/** The blocks of `text` as a BlockView: the made blocks, or the derived ones, not made. */
export function blockView(text: string): BlockView {
  return parsedOf(text);
}

function cached(text: string): Parsed | undefined {
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text);
    cache.set(text, hit);
  }
  return hit;
}

function remember(text: string, blocks: Parsed): void {
  cache.set(text, blocks);
  cachedCharacters += text.length;
  while (cache.size > 1 && (cache.size > CACHE_SIZE || cachedCharacters > CACHE_CHARACTERS)) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    cachedCharacters -= oldest.length;
  }
}

/** How many of the texts parsed last an edit's result is compared with. */
const RECENT = 2;

/**
 * The blocks of a text that is one of the texts parsed last with one stretch changed, as an edit leaves it: only the
 * part between the headings around the change is parsed again (see reparsedBetweenHeadings), so that one edit to a
 * long file costs about what the edit touches, not the whole file.
 */
function derivedFromRecent(text: string): Parsed | undefined {
  const recent = [...cache].slice(-RECENT).reverse();
  for (const [before, blocks] of recent) {
    if (text.length < MIN_DERIVED_LENGTH || blocks.length === 0) continue;
    const limit = Math.min(before.length, text.length);
    let prefix = 0;
    while (prefix < limit && before.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < limit - prefix && before.charCodeAt(before.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
    const derived = reparsedBetweenHeadings(blocks, text.length, prefix, before.length - suffix, (from, to) => text.slice(from, to));
    if (derived) return derived.blocks;
  }
  return undefined;
}

/** One stretch of a text replaced: `insert` in place of the characters from `start` to `end`. */
export interface Splice {
  start: number;
  end: number;
  insert: string;
}

/** A parse of an edited text, and which of the blocks are the edited text's own blocks, kept as they were. */
export interface SplicedParse {
  /**
   * The blocks of the edited text, as parseDocument gives them; shared with the cache of parses: read, never change.
   * Not made yet when the parse kept blocks (see Derived): read them through `reused`'s window.
   */
  blocks: readonly Block[] | BlockView;
  /**
   * When the parse kept blocks of the text before the edit: its first `kept` blocks are that text's first `kept`
   * blocks (the same objects), and its last `tail` are that text's last `tail` blocks, moved (the same kind, level
   * and raw text). Absent when the text was parsed whole or found parsed already.
   */
  reused?: { kept: number; tail: number };
}

/**
 * The parse of `text`, which is `before` with one splice applied, as parseDocument gives it. Knowing where the edit
 * is, it neither compares the two texts nor looks at the blocks away from the edit, and it says which blocks it kept,
 * so that the edit can be checked between the headings around it alone.
 */
export function parseSpliced(before: string, splice: Splice, text: string): SplicedParse {
  if (text === before) {
    // An entry put back as it was (a merge keeps its note as written): the blocks of the text before, all kept but
    // those the splice touches.
    const blocks = parsedOf(before);
    const kept = firstBlock(blocks, 0, (block) => block.start + block.raw.length > splice.start);
    const tail = blocks.length - firstBlock(blocks, kept, (block) => block.start >= splice.end);
    return { blocks, reused: { kept, tail } };
  }
  const hit = cached(text);
  if (hit) return { blocks: made(text, hit) };
  const plain = text.length === before.length - (splice.end - splice.start) + splice.insert.length;
  // The stretch parsed again is cut from the text before and the splice, not from `text`: a slice of the new text would
  // copy all of it into one string first (it is the old text's pieces joined), a whole file per edit.
  const stretch = (from: number, to: number) => sliceText(before, from, splice.start) + splice.insert + sliceText(before, splice.end, to - splice.start - splice.insert.length + splice.end);
  const derived = plain ? reparsedBetweenHeadings(parsedOf(before), text.length, splice.start, splice.end, stretch) : undefined;
  if (!derived) return { blocks: blocksOf(text) };
  remember(text, derived.blocks);
  return { blocks: derived.blocks, reused: { kept: derived.kept, tail: derived.tail } };
}

/** The first index from `from` whose block satisfies `after` (false then true along the blocks), or their count. */
function firstBlock(blocks: BlockView, from: number, after: (block: Block) => boolean): number {
  let lo = from;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(blocks.at(mid) as Block)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Texts shorter than this are parsed whole: the bookkeeping would cost more than the parse. */
const MIN_DERIVED_LENGTH = 16_384;

const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t\r\n]|$)/;

const isBoundary = (block: Block) => block.kind === 'heading' && ATX_HEADING.test(block.raw);

/** The indexes of the headings among a text's blocks, by the blocks' array: kept with each parse, derived with each edit. */
const headingIndexes = new WeakMap<readonly Block[], readonly number[]>();

function headingsOf(blocks: Parsed): readonly number[] {
  if (blocks instanceof Derived) return blocks.headings;
  let headings = headingIndexes.get(blocks);
  if (!headings) {
    headings = blocks.flatMap((block, index) => (block.kind === 'heading' ? [index] : []));
    headingIndexes.set(blocks, headings);
  }
  return headings;
}

/** The first position in `headings` whose block satisfies `after` (false then true along the blocks), or its length. */
function firstHeading(blocks: BlockView, headings: readonly number[], after: (block: Block) => boolean): number {
  let lo = 0;
  let hi = headings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (after(blocks.at(headings[mid] as number) as Block)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface Heading {
  level: number;
  title: string;
}

/** The heading trail in force just before block `index`: the headings before it with a lower level than any after them. */
function trailBefore(blocks: BlockView, headings: readonly number[], index: number): Heading[] {
  const trail: Heading[] = [];
  let limit = Infinity;
  const at = blocks.at(index)?.start ?? Infinity;
  for (let k = firstHeading(blocks, headings, (block) => block.start >= at) - 1; k >= 0 && limit > 1; k--) {
    const block = blocks.at(headings[k] as number) as Block;
    const level = block.level ?? 1;
    if (level >= limit) continue;
    trail.push({ level, title: block.heading ?? '' });
    limit = level;
  }
  return trail.reverse();
}

/** Follows the trail through one block: a heading takes the place of those of its level and deeper. */
function follow(trail: Heading[], block: Block): void {
  if (block.kind !== 'heading') return;
  while ((trail.at(-1)?.level ?? 0) >= (block.level ?? 1)) trail.pop();
  trail.push({ level: block.level ?? 1, title: block.heading ?? '' });
}

function sectionOf(trail: readonly Heading[], block: Block): string[] {
  const titles = trail.map((heading) => heading.title);
  if (block.kind !== 'heading') return titles;
  // A heading's own trail holds its parents: those of a lower level than its own.
  let keep = trail.length;
  while (keep > 0 && (trail[keep - 1]?.level ?? 0) >= (block.level ?? 1)) keep--;
  return titles.slice(0, keep);
}

const sameTrail = (a: readonly Heading[], b: readonly Heading[]) => a.length === b.length && a.every((h, i) => h.level === b[i]?.level && h.title === b[i]?.title);

/**
 * The text `stretch` cuts from, `length` long, is the text of `blocks` with the characters from `prefix` to `changedEnd` replaced. An ATX heading the parser
 * read as a heading ends every open block before it (a list, a quote, a paragraph) and is in none (a fence or an HTML
 * block would have taken it as text), so the parse after it does not depend on what came before. The blocks before
 * the last such heading above the change are kept, the text from it (or from the start of the text, when there is
 * none) to the first such heading below the change is parsed again, and the blocks from there on are kept, moved by
 * the change's length. The new parse must read both headings as the same headings again (a change may open a fence
 * that runs on), or nothing is derived and the whole text is parsed. Headings are found through their index, so
 * the blocks away from the change are not looked at, only copied where they moved.
 */
function reparsedBetweenHeadings(
  blocks: Parsed,
  length: number,
  prefix: number,
  changedEnd: number,
  stretch: (from: number, to: number) => string,
): { blocks: Parsed; kept: number; tail: number } | undefined {
  if (length < MIN_DERIVED_LENGTH || blocks.length === 0) return undefined;
  const at = (index: number) => blocks.at(index) as Block;
  const headings = headingsOf(blocks);
  // The heading above: wholly before the change. The heading below: starting after it.
  let k = firstHeading(blocks, headings, (block) => block.start + block.raw.length > prefix) - 1;
  while (k >= 0 && !isBoundary(at(headings[k] as number))) k--;
  const above = k >= 0 ? (headings[k] as number) : -1;
  let j = firstHeading(blocks, headings, (block) => block.start >= changedEnd);
  while (j < headings.length && ((headings[j] as number) <= above || !isBoundary(at(headings[j] as number)))) j++;
  const below = j < headings.length ? (headings[j] as number) : -1;
  const last = at(blocks.length - 1);
  const shift = length - (last.start + last.raw.length);
  const from = above < 0 ? 0 : at(above).start;
  const to = below < 0 ? length : at(below).start + at(below).raw.length + shift;
  // A copy, not a slice: the blocks' texts are slices of what they were parsed from, and a slice of the whole text would
  // keep every version of a long file that an edit made alive for as long as one of its blocks is.
  const window = parseBlocks(copyOf(stretch(from, to)));
  const same = (a: Block | undefined, b: Block) => a !== undefined && a.kind === b.kind && a.raw === b.raw && a.level === b.level;
  if ((above >= 0 && !same(window[0], at(above))) || (below >= 0 && (window.length < 2 || !same(window.at(-1), at(below))))) return undefined;
  const kept = Math.max(above, 0);
  const lineOf = above < 0 ? 0 : at(above).line - 1;
  const lineShift = below < 0 ? 0 : (window.at(-1) as Block).line + lineOf - at(below).line;
  const headingsNow = headings.filter((index) => index < kept);
  // Sections: the trail at the heading above, followed through the new blocks; the blocks after the heading below keep
  // theirs unless the trail reaching it changed (a heading added or removed).
  const trail = trailBefore(blocks, headings, kept);
  const middle: Block[] = [];
  for (let i = 0; i < (below < 0 ? window.length : window.length - 1); i++) {
    const block = window[i] as Block;
    const moved = movedBlock(block, block.start + from, block.line + lineOf);
    moved.section = sectionOf(trail, moved);
    follow(trail, moved);
    if (moved.kind === 'heading') headingsNow.push(kept + middle.length);
    middle.push(moved);
  }
  const resection = below >= 0 && !sameTrail(trail, trailBefore(blocks, headings, below));
  const end = below < 0 ? blocks.length : below;
  if (end < blocks.length) for (const index of headings) if (index >= end) headingsNow.push(index + kept + middle.length - end);
  const tail = blocks.length - end;
  // The blocks after the edit, most of a long file's, are moved when they are asked for (Derived), not here. A text whose
  // sections after the edit changed, or derived through many edits, is made here, block by block.
  const derived = resection ? undefined : Derived.of(blocks, kept, middle, end, shift, lineShift, headingsNow);
  if (derived) return { blocks: derived, kept, tail };
  const result: Block[] = [];
  for (let i = 0; i < kept; i++) result.push(at(i));
  for (const block of middle) result.push(block);
  for (let i = end; i < blocks.length; i++) {
    const moved = blocks instanceof Derived ? blocks.movedAt(i, shift, lineShift) : movedBlock(blocks[i] as Block, (blocks[i] as Block).start + shift, (blocks[i] as Block).line + lineShift);
    if (resection) {
      moved.section = sectionOf(trail, moved);
      follow(trail, moved);
    }
    result.push(moved);
  }
  headingIndexes.set(result, headingsNow);
  return { blocks: result, kept, tail };
}

/** A text's blocks: made, or derived from another text's and not made yet. */
type Parsed = readonly Block[] | Derived;

/** Blocks `from` to `to` (exclusive) of `source`, `shift` characters and `lineShift` lines further than `source` has them. */
interface Run {
  source: readonly Block[];
  from: number;
  to: number;
  shift: number;
  lineShift: number;
}

/** Past this many runs, a derived text's blocks are made, and the texts derived from it start from them. */
const MAX_RUNS = 64;

/**
 * The blocks of a text derived from other texts' blocks by parsing one stretch again per edit, not made yet: runs of
 * the blocks of the texts it came from, each moved by what the edits since did before it (with the sections it has
 * there: a text whose sections changed is made). Reading one block makes it alone (a block that did not move is the
 * same object); `blocks` makes them all. So an edit to a long file costs what it touches, not a copy of every block
 * after it, until someone asks for them all.
 */
class Derived implements BlockView {
  readonly length: number;
  private readonly starts: number[];

  private constructor(
    private readonly runs: readonly Run[],
    readonly headings: readonly number[],
  ) {
    const { starts, length } = runStarts(runs);
    this.starts = starts;
    this.length = length;
  }

  /**
   * `base`'s first `kept` blocks, then `middle`, then `base`'s blocks from `end` on, `shift` characters and `lineShift`
   * lines further; undefined past MAX_RUNS runs.
   */
  static of(base: Parsed, kept: number, middle: readonly Block[], end: number, shift: number, lineShift: number, headings: readonly number[]): Derived | undefined {
    const runsOf = (from: number, to: number): Run[] => (base instanceof Derived ? base.cut(from, to) : [{ source: base, from, to, shift: 0, lineShift: 0 }]);
    const after = runsOf(end, base.length).map((run) => ({ ...run, shift: run.shift + shift, lineShift: run.lineShift + lineShift }));
    const runs = [...runsOf(0, kept), { source: middle, from: 0, to: middle.length, shift: 0, lineShift: 0 }, ...after].filter((run) => run.to > run.from);
    return runs.length > MAX_RUNS ? undefined : new Derived(runs, headings);
  }

  /** The runs, in order. */
  get runList(): readonly Run[] {
    return this.runs;
  }

  /** The runs that hold blocks `from` to `to` (exclusive). */
  private cut(from: number, to: number): Run[] {
    const out: Run[] = [];
    this.runs.forEach((run, index) => {
      const start = this.starts[index] as number;
      const first = Math.max(from, start);
      const last = Math.min(to, start + run.to - run.from);
      if (last > first) out.push({ ...run, from: run.from + first - start, to: run.from + last - start });
    });
    return out;
  }

  private runAt(index: number): number {
    return lastAtMost(this.starts, index);
  }

  /** The block at `index` (no negative index), as the made blocks have it. */
  at(index: number): Block | undefined {
    return index >= 0 && index < this.length ? this.movedAt(index, 0, 0) : undefined;
  }

  /** The block at `index`, moved `shift` characters and `lineShift` lines further; the block itself when it does not move. */
  movedAt(index: number, shift: number, lineShift: number): Block {
    const r = this.runAt(index);
    const run = this.runs[r] as Run;
    const block = run.source[run.from + index - (this.starts[r] as number)] as Block;
    const chars = run.shift + shift;
    const lines = run.lineShift + lineShift;
    return chars === 0 && lines === 0 ? block : movedBlock(block, block.start + chars, block.line + lines);
  }

  slice(from = 0, to = this.length): Block[] {
    const out: Block[] = [];
    for (let index = Math.max(0, from); index < Math.min(to, this.length); index++) out.push(this.movedAt(index, 0, 0));
    return out;
  }

  /** The first index whose block satisfies `test`, which is handed each block where the text it came from has it (see BlockView). */
  findIndex(test: (block: Block) => unknown): number {
    for (let r = 0; r < this.runs.length; r++) {
      const run = this.runs[r] as Run;
      for (let i = run.from; i < run.to; i++) if (test(run.source[i] as Block)) return (this.starts[r] as number) + i - run.from;
    }
    return -1;
  }

  /** All the blocks, made. */
  blocks(): Block[] {
    const out: Block[] = [];
    for (const run of this.runs) {
      for (let i = run.from; i < run.to; i++) {
        const block = run.source[i] as Block;
        out.push(run.shift === 0 && run.lineShift === 0 ? block : movedBlock(block, block.start + run.shift, block.line + run.lineShift));
      }
    }
    return out;
  }
}

/** Calls `visit` with each block where the text it came from has it (its kind, level, heading, section and text are its own). */
export function eachBlock(blocks: BlockView, visit: (block: Block, index: number) => void): void {
  if (!(blocks instanceof Derived)) {
    for (let index = 0; index < blocks.length; index++) visit(blocks.at(index) as Block, index);
    return;
  }
  let index = 0;
  blocks.findIndex((block) => {
    visit(block, index++);
    return false;
  });
}

/**
 * How many blocks two versions of a text begin with that are the same blocks on the same lines: the same objects when
 * both are made (see entries.ts, unchangedEnds), the same blocks moved alike when derived.
 */
export function sameStart(old: BlockView, now: BlockView): number {
  const limit = Math.min(old.length, now.length);
  if (!(old instanceof Derived) && !(now instanceof Derived)) {
    let head = 0;
    while (head < limit && old.at(head) === now.at(head)) head++;
    return head;
  }
  const a = placesOf(old);
  const b = placesOf(now);
  let head = 0;
  while (head < limit && a.next() && b.next() && a.block === b.block && a.shift === b.shift && a.lineShift === b.lineShift) head++;
  return head;
}

/** The blocks of a view one after another, each where the text it came from has it and how far it moved (no object per block). */
function placesOf(view: BlockView): { block: Block | undefined; shift: number; lineShift: number; next: () => boolean } {
  const runs: readonly Run[] = view instanceof Derived ? view.runList : [{ source: view as readonly Block[], from: 0, to: view.length, shift: 0, lineShift: 0 }];
  let r = 0;
  let i = (runs[0]?.from ?? 0) - 1;
  const place = {
    block: undefined as Block | undefined,
    shift: 0,
    lineShift: 0,
    next: () => {
      i++;
      while (r < runs.length && i >= (runs[r] as Run).to) {
        r++;
        i = runs[r]?.from ?? 0;
      }
      const run = runs[r];
      if (!run) return false;
      place.block = run.source[i];
      place.shift = run.shift;
      place.lineShift = run.lineShift;
      return true;
    },
  };
  return place;
}

/**
 * A copy of `block` at another place, made with the properties in the order a parse gives them: blocks copied by spreading
 * a frozen block each had a map (hidden class) of their own, which made every pass over a long file's blocks slow.
 */
function movedBlock(block: Block, start: number, line: number): Block {
  const { kind, raw, section, level, heading } = block;
  if (level === undefined && heading === undefined) return { kind, raw, start, line, section };
  const moved: Block = { kind, raw, start, line, section };
  if (level !== undefined) moved.level = level;
  if (heading !== undefined) moved.heading = heading;
  return moved;
}

/** The same characters in a string of their own (code units copied as they are, lone surrogates too). */
function copyOf(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/**
 * Only the block structure is wanted: the inline pass (emphasis, links, code spans), the most of a parse's time, is
 * left out. Raw HTML is recognised as blocks, as CommonMark does.
 */
const PARSER = (() => {
  const parser = new MarkdownIt('commonmark', { html: true }).enable('table');
  parser.core.ruler.disable(['inline', 'text_join']);
  return parser;
})();

/** What a block is to the parser, before it is widened to lines: its kind, its node, its list. */
interface Span {
  kind: BlockKind;
  /** The mdast node type (`list` for items), for the units labels make. */
  node: string;
  /** Index of the list an item belongs to. */
  list?: number;
  from: number;
  /** Exclusive. */
  to: number;
  level?: number;
}

function parseBlocks(text: string): Block[] {
  if (text === '') return [];
  const lines = splitLines(text);
  const spans = labelledUnits(lines, fillGaps(lines, attachIndented(lines, nodeSpans(text, lines))));
  return spansToBlocks(text, lines, spans);
}

/** The parser's top-level blocks (list items one by one), as line ranges. */
function nodeSpans(text: string, lines: Line[]): Span[] {
  // Front matter is read here rather than by the parser, which knows none.
  const frontMatter = frontMatterEnd(lines);
  const offset = frontMatter === undefined ? 0 : (lines[frontMatter]?.end ?? 0);
  const bom = text.startsWith('\uFEFF', offset) ? 1 : 0;
  const body = text.slice(offset + bom);
  // The parser counts a lone CR as a line break, as CommonMark does; these lines are mapped back to ours by offset.
  const starts = parserLineStarts(body);
  const lineAt = lineIndexer(lines);
  const range = ([from, to]: [number, number]) => {
    const first = lineAt((starts[from] ?? body.length) + offset + bom);
    const last = lineAt((starts[Math.max(from, to - 1)] ?? body.length) + offset + bom);
    return trimBlankEnd(lines, { from: first, to: last + 1 });
  };
  const spans: Span[] = frontMatter === undefined ? [] : [{ kind: 'frontmatter', node: 'frontmatter', from: 0, to: frontMatter + 1 }];
  const tokens = PARSER.parse(body, {});
  let list = -1;
  for (const [index, token] of tokens.entries()) {
    if (!token.map) continue;
    if (token.level === 0 && (token.type === 'bullet_list_open' || token.type === 'ordered_list_open')) list = index;
    if (token.type === 'list_item_open' && token.level === 1) {
      spans.push({ kind: 'item', node: 'list', list, ...range(token.map) });
      continue;
    }
    if (token.level !== 0 || token.nesting === -1 || token.type === 'bullet_list_open' || token.type === 'ordered_list_open') continue;
    const kind = kindOf(token, lines, range(token.map));
    spans.push({ kind, node: nodeOf(token), ...range(token.map), ...(kind === 'heading' ? { level: Number(token.tag.slice(1)) } : {}) });
  }
  return mergeOverlaps(spans.filter((span) => span.to > span.from));
}

/** Where each of the parser's lines starts in `text`: after every LF, CR LF or lone CR. */
function parserLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 13 && text.charCodeAt(index + 1) === 10) index++;
    if (char === 10 || char === 13) starts.push(index + 1);
  }
  return starts;
}

/** The parser gives a list item the blank lines after it: they are blank blocks of their own. */
function trimBlankEnd(lines: Line[], span: { from: number; to: number }): { from: number; to: number } {
  let to = span.to;
  while (to > span.from + 1 && isBlankLine(lines[to - 1]?.content ?? '')) to--;
  return { from: span.from, to };
}

function nodeOf(token: Token): string {
  switch (token.type) {
    case 'table_open':
      return 'table';
    case 'fence':
    case 'code_block':
      return 'code';
    default:
      return token.type.replace(/_open$/, '');
  }
}

/** YAML (`---`) or TOML (`+++`) front matter: the index of its closing line; an unclosed opener is ordinary Markdown. */
function frontMatterEnd(lines: Line[]): number | undefined {
  const opener = (lines[0]?.content ?? '').replace(/^\uFEFF/, '').trimEnd();
  if (opener !== '---' && opener !== '+++') return undefined;
  const closers = opener === '---' ? ['---', '...'] : ['+++'];
  for (let index = 1; index < lines.length; index++) {
    if (closers.includes((lines[index]?.content ?? '').trimEnd())) return index;
  }
  return undefined;
}

function kindOf(token: Token, lines: Line[], span: { from: number; to: number }): BlockKind {
  switch (token.type) {
    case 'heading_open':
      return 'heading';
    case 'paragraph_open':
      return isImportLines(lines.slice(span.from, span.to).map((line) => line.content)) ? 'import' : 'paragraph';
    case 'fence':
    case 'code_block':
      return 'code';
    case 'html_block':
      return 'html';
    default:
      return 'other';
  }
}

/** Lines that only import other files (`@AGENTS.md`, `@docs/rules.md`), as Claude Code reads them: never an entry. */
function isImportLines(contents: string[]): boolean {
  return contents.every((line) => line.split('\r').every((part) => /^\s*@[^\s@]+\s*$/.test(part)));
}

/** Offset → index of the line (as splitLines counts them) that holds it. */
function lineIndexer(lines: Line[]): (offset: number) => number {
  return (offset) => {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lines[mid]?.start ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}

/** A lone CR ends a line for the parser but not for a person: blocks that share a line become one. */
function mergeOverlaps(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    const last = out.at(-1);
    if (last && span.from < last.to) {
      last.to = Math.max(last.to, span.to);
      if (last.kind !== span.kind) Object.assign(last, { kind: 'other', node: 'other' });
      continue;
    }
    out.push({ ...span });
  }
  return out;
}

/**
 * One deliberate departure from CommonMark: lines right after a list item (no blank line between) indented two
 * columns past its marker belong to the item even when its content column is further in, so the common
 * `1. step` / `  - detail` reads as one entry, as its author meant, rather than as two lists.
 */
function attachIndented(lines: Line[], spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    const last = out.at(-1);
    const marker = last?.kind === 'item' ? listMarkerOf(lines[last.from]?.content ?? '') : undefined;
    const first = lines[span.from]?.content ?? '';
    if (last && marker && span.from === last.to && span.kind !== 'heading' && indentColumns(first) >= marker.indent + 2) {
      last.to = span.to;
      continue;
    }
    out.push(span);
  }
  return out;
}

/** Lines no block covers: blank lines one by one, anything else as one block. */
function fillGaps(lines: Line[], spans: Span[]): Span[] {
  const out: Span[] = [];
  let next = 0;
  const gap = (from: number, to: number) => {
    for (let index = from; index < to; index++) {
      if (isBlankLine(lines[index]?.content ?? '')) out.push({ kind: 'blank', node: 'blank', from: index, to: index + 1 });
      else if (out.at(-1)?.kind === 'other' && out.at(-1)?.to === index) (out.at(-1) as Span).to = index + 1;
      else out.push({ kind: 'other', node: 'other', from: index, to: index + 1 });
    }
  };
  for (const span of spans) {
    gap(next, span.from);
    out.push(span);
    next = span.to;
  }
  gap(next, lines.length);
  return out;
}

/** A paragraph that ends with a colon ("All strategies implement:", "**Key files:**") introduces what follows it. */
const ENDS_WITH_COLON = /:[ \t]*(?:\*\*|__|\*|_)?[ \t]*$/;
/** A line that is nothing but a bold label ("**Commands**"). */
const BOLD_LABEL = /^[ \t]*(\*\*|__)[^*_\n]+\1[ \t]*:?[ \t]*$/;

/**
 * A label or intro paragraph together with the list, code block or table it introduces is one unit: curation
 * keeps or removes them together, so that no list loses its label and no label is left with nothing under it.
 * The paragraph introduces the block when it ends with a colon, is a bold label, or runs straight into it.
 */
function labelledUnits(lines: Line[], spans: Span[]): Span[] {
  const out: Span[] = [];
  for (let index = 0; index < spans.length; index++) {
    const span = spans[index] as Span;
    const unit = span.kind === 'paragraph' ? introducedBlock(lines, spans, index) : undefined;
    if (!unit) {
      out.push(span);
      continue;
    }
    out.push({ kind: 'labelled', node: 'labelled', from: span.from, to: (spans[unit.last] as Span).to });
    index = unit.last;
  }
  return out;
}

function introducedBlock(lines: Line[], spans: Span[], index: number): { last: number } | undefined {
  const paragraph = spans[index] as Span;
  let next = index + 1;
  while (spans[next]?.kind === 'blank') next++;
  const block = spans[next];
  if (!block || !['list', 'code', 'table'].includes(block.node)) return undefined;
  const adjacent = next === index + 1;
  const lastLine = lines[paragraph.to - 1]?.content ?? '';
  const bold = paragraph.to - paragraph.from === 1 && BOLD_LABEL.test(lastLine);
  if (!adjacent && !ENDS_WITH_COLON.test(lastLine) && !bold) return undefined;
  let last = next;
  // A list is introduced whole: every item of it, and the blank lines between them.
  if (block.node === 'list') {
    for (let after = next + 1; after < spans.length; after++) {
      const span = spans[after] as Span;
      if (span.kind === 'blank') continue;
      if (span.kind === 'item' && span.list === block.list) last = after;
      else break;
    }
  }
  return { last };
}

function spansToBlocks(text: string, lines: Line[], spans: Span[]): Block[] {
  const trail: { level: number; title: string }[] = [];
  return spans.map((span) => {
    const first = lines[span.from];
    const last = lines[span.to - 1];
    const start = first?.start ?? 0;
    const raw = text.slice(start, last?.end ?? start);
    const block: Block = { kind: span.kind, raw, start, line: span.from + 1, section: trail.map((heading) => heading.title) };
    if (span.kind === 'heading') {
      const level = span.level ?? 1;
      while ((trail.at(-1)?.level ?? 0) >= level) trail.pop();
      block.section = trail.map((heading) => heading.title);
      block.level = level;
      block.heading = headingText(lines.slice(span.from, span.to).map((line) => line.content));
      trail.push({ level, title: block.heading });
    }
    return block;
  });
}

/** The heading's words: without `#` marks and closing hashes, or a setext heading's lines joined, trimmed. */
function headingText(contents: string[]): string {
  const first = contents[0] ?? '';
  if (/^ {0,3}#{1,6}(?:[ \t]|$)/.test(first)) {
    let title = first.replace(/^ {0,3}#{1,6}/, '');
    title = /^[ \t]*#*[ \t]*$/.test(title) ? '' : title.replace(/[ \t]+#+[ \t]*$/, '');
    return title.trim();
  }
  return contents
    .slice(0, -1)
    .map((line) => line.trim())
    .join(' ');
}
