import { ReverieError } from '../errors.js';
import { isEntryBlock } from './entries.js';
import { endsWithLineBreak, isBlankLine, lineEnding } from './lines.js';
import { blockView, parseDocumentWhole, parsedBlocks, parseSpliced, type BlockView, type Splice, type SplicedParse } from './markdown.js';
import type { Block } from './types.js';
import { sliceText, spliceText } from '../util/spliced.js';

/** The entry an edit names is not in the file (any more): the action that named it no longer applies. */
export class EntryNotFoundError extends ReverieError {
  constructor(
    readonly path: string,
    readonly preview: string,
  ) {
    super(`${path}: entry not found: ${JSON.stringify(preview)}`);
    this.name = 'EntryNotFoundError';
  }
}

/**
 * An edit would change the file beyond the entry it targets (new text that swallows its neighbours,
 * opens an unclosed fence, adds a heading where an entry was expected, ...). Nothing is written.
 */
export class UnsafeEditError extends ReverieError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'UnsafeEditError';
  }
}

/**
 * Replaces one entry's raw text, leaving every other byte as it was. The entry is found among the
 * document's entry blocks (the first of exact duplicates); a trailing line break missing from either
 * side is forgiven. `newRaw` takes the file's line ending; blank `newRaw` removes the entry.
 */
export function replaceEntry(text: string, path: string, entryRaw: string, newRaw: string): string {
  return replaceEntryEdit(text, path, entryRaw, newRaw).text;
}

/**
 * An edit's result, and the splices that make it from the text before, one after the other: what a later run of the
 * same edit on the same text can apply instead of working the edit out again.
 */
export interface Edited {
  text: string;
  splices: Splice[];
  /**
   * The stretch of the text before the edit that its checks read, from the start of the first character to the end of
   * the last (see applyFirstSafe): the same edit on a text that differs only outside it (and does not hold the entry it
   * names) makes the same splices there. Absent for an edit that is not checked (no entry, nothing to do).
   */
  reach?: Reach;
}

/** Characters `from` (inclusive) to `to` (exclusive) of a text. */
export interface Reach {
  from: number;
  to: number;
}

/** replaceEntry, with its splices. */
export function replaceEntryEdit(text: string, path: string, entryRaw: string, newRaw: string): Edited {
  const target = findEntry(text, path, entryRaw);
  const eol = lineEnding(text);
  const replacement = normaliseRaw(newRaw, eol);
  if (replacement === '') return removeEntryEdit(text, path, entryRaw);
  const { blocks, block, previous, next } = target;
  const inPlace = endsWithLineBreak(block.raw) ? replacement : replacement.slice(0, -eol.length);
  const end = block.start + block.raw.length;
  const spaced = separated(previous, next, eol, replacement);
  return applyFirstSafe(text, path, blocks, 'entries', [
    { start: block.start, end, insert: inPlace },
    ...(spaced === replacement ? [] : [{ start: block.start, end, insert: spaced }]),
  ]);
}

/**
 * Removes one entry. When blank lines would meet, or one would be left at the start or end of the
 * file, one of them goes too, so a section never gains a double blank line. If the two neighbours
 * would then run together (a paragraph followed by `---` becoming a heading, say), a single blank
 * line stays between them instead. A file without a final line break keeps lacking one.
 */
export function removeEntry(text: string, path: string, entryRaw: string): string {
  return removeEntryEdit(text, path, entryRaw).text;
}

/** removeEntry, with its splices. */
export function removeEntryEdit(text: string, path: string, entryRaw: string): Edited {
  const { blocks, block, previous, next } = findEntry(text, path, entryRaw);
  let start = block.start;
  let end = block.start + block.raw.length;
  if (next?.kind === 'blank' && (previous === undefined || previous.kind === 'blank')) end += next.raw.length;
  else if (previous?.kind === 'blank' && next === undefined) start = previous.start;
  const candidates = [{ start, end, insert: '' }];
  if (previous && next && previous.kind !== 'blank' && next.kind !== 'blank') {
    candidates.push({ start: block.start, end: block.start + block.raw.length, insert: lineEnding(text) });
  }
  // Last resort: take the entry alone and keep the blank lines around it, so what follows cannot move to
  // the top of the file (where a `---` pair would read as front matter).
  if (start !== block.start || end !== block.start + block.raw.length) {
    candidates.push({ start: block.start, end: block.start + block.raw.length, insert: '' });
  }
  return applyFirstSafe(text, path, blocks, 'nothing', candidates);
}

export interface InsertOptions {
  /** Level of the heading created when the section does not exist yet (default 2). */
  headingLevel?: number;
  /** The file's path, for error messages. */
  path?: string;
}

/**
 * Adds an entry at the end of a section's own content: after the last item or paragraph that sits
 * directly under the heading whose text equals `section` (trimmed, case-insensitive; the first such
 * heading), before any sub-heading. A new item goes after the section's last item, continuing that
 * list (tight, unless the list is loose); anything else gets a blank line on each side. A section
 * with no entries gets the new one right after its heading (and whatever non-entry blocks it has).
 * An empty `section` means
 * the part of the file before its first heading. A missing section is created at the end of the
 * file as `## <section>`. New text uses the file's line ending. Like every edit here, it keeps the
 * file's final line break, or its lack of one, as it was (an empty file gets one).
 */
export function insertEntry(text: string, section: string, raw: string, opts: InsertOptions = {}): string {
  return insertEntryEdit(text, section, raw, opts).text;
}

/** insertEntry, with its splices. */
export function insertEntryEdit(text: string, section: string, raw: string, opts: InsertOptions = {}): Edited {
  const path = opts.path ?? '';
  const eol = lineEnding(text);
  const entry = normaliseRaw(raw, eol);
  if (entry === '') return { text, splices: [] };
  const blocks = parsedBlocks(text);
  const body = sectionBody(blocks, section);
  if (!body) return appendSection(text, path, blocks, { section, entry, eol, level: opts.headingLevel ?? 2 });
  return insertIntoBody(text, path, blocks, body, entry, eol);
}

interface SectionBody {
  heading: number;
  from: number;
  to: number;
}

function sectionBody(blocks: readonly Block[], section: string): SectionBody | undefined {
  const wanted = headingKey(section);
  const headings = blocks.flatMap((block, index) => (block.kind === 'heading' ? [index] : []));
  if (wanted === '') return { heading: -1, from: 0, to: headings[0] ?? blocks.length };
  const position = headings.findIndex((index) => headingKey(blocks[index]?.heading ?? '') === wanted);
  const heading = headings[position];
  if (heading === undefined) return undefined;
  return { heading, from: heading + 1, to: headings[position + 1] ?? blocks.length };
}

function headingKey(title: string): string {
  return title.trim().replace(/\s+/g, ' ').toLowerCase();
}

function insertIntoBody(text: string, path: string, blocks: readonly Block[], body: SectionBody, entry: string, eol: string): Edited {
  const isItem = startsWithItem(entry);
  const anchorIndex = anchorOf(blocks, body, isItem);
  const anchor = blocks[anchorIndex];
  const next = blocks[anchorIndex + 1];
  const position = anchor ? anchor.start + anchor.raw.length : 0;
  const lineBreak = anchor && !endsWithLineBreak(anchor.raw) ? eol : '';
  const continuesList = anchor?.kind === 'item' && isItem && !isLooseListAt(blocks, anchorIndex);
  const blankBefore = anchor ? eol : '';
  const blankAfter = next && next.kind !== 'blank' ? eol : '';
  const tight = continuesList ? lineBreak + entry : lineBreak + blankBefore + entry + blankAfter;
  const spaced = lineBreak + blankBefore + entry + blankAfter;
  return applyFirstSafe(text, path, blocks, 'entries', [
    { start: position, end: position, insert: tight },
    ...(spaced === tight ? [] : [{ start: position, end: position, insert: spaced }]),
  ]);
}

/**
 * The block to insert after: for a new item, the body's last item, so that it joins the last list
 * rather than landing between, say, "Example:" and the table it introduces; otherwise (or when the
 * body has no list) the body's last entry, else its last non-blank block, else its heading.
 */
function anchorOf(blocks: readonly Block[], body: SectionBody, isItem: boolean): number {
  const indexes = Array.from({ length: body.to - body.from }, (_, offset) => body.to - 1 - offset);
  const lastOf = (wanted: (block: Block) => boolean) => indexes.find((index) => wanted(blocks[index] as Block));
  return (
    (isItem ? lastOf((block) => block.kind === 'item') : undefined) ??
    lastOf(isEntryBlock) ??
    lastOf((block) => block.kind !== 'blank') ??
    body.heading
  );
}

/** A list whose items are separated by blank lines: a new item keeps that spacing. */
function isLooseListAt(blocks: readonly Block[], index: number): boolean {
  return blocks[index - 1]?.kind === 'blank' && blocks[index - 2]?.kind === 'item';
}

/**
 * Parsed whole, the same blocks as a cached parse, and kept out of the cache of parses: a new entry's few lines there
 * would take the place of the file's text among the texts the next parse is derived from, and the file, changed by
 * this insert, would then be parsed whole.
 */
function startsWithItem(raw: string): boolean {
  return parseDocumentWhole('', raw).blocks[0]?.kind === 'item';
}

interface NewSection {
  section: string;
  entry: string;
  eol: string;
  level: number;
}

function appendSection(text: string, path: string, blocks: readonly Block[], { section, entry, eol, level }: NewSection): Edited {
  const title = section.replace(/\s+/g, ' ').trim();
  const hashes = '#'.repeat(Math.min(6, Math.max(1, Math.trunc(level))));
  let separator = '';
  if (text !== '') {
    if (!endsWithLineBreak(text)) separator += eol;
    if (!endsWithBlankLine(text + separator)) separator += eol;
  }
  const insert = `${separator}${hashes} ${title}${eol}${eol}${entry}`;
  return applyFirstSafe(text, path, blocks, 'anything', [{ start: text.length, end: text.length, insert }]);
}

function endsWithBlankLine(text: string): boolean {
  const lines = text.split('\n');
  lines.pop();
  const last = lines.at(-1);
  return last !== undefined && isBlankLine(last.replace(/\r$/, ''));
}

interface FoundEntry {
  blocks: BlockView;
  block: Block;
  previous?: Block;
  next?: Block;
}

function findEntry(text: string, path: string, entryRaw: string): FoundEntry {
  // A view, not the blocks made: a merge's second edit looks in the text its first one left, whose blocks after the
  // first edit are not moved for it (see markdown.ts, Derived). Its test reads kinds and texts only.
  const blocks = blockView(text);
  let index = blocks.findIndex((block) => block.raw.length === entryRaw.length && block.raw === entryRaw && isEntryBlock(block));
  if (index === -1) {
    const wanted = withoutFinalLineBreak(entryRaw);
    index = blocks.findIndex((block) => isEntryBlock(block) && withoutFinalLineBreak(block.raw) === wanted);
  }
  const block = index === -1 ? undefined : blocks.at(index);
  if (!block) throw new EntryNotFoundError(path, preview(entryRaw));
  return { blocks, block, previous: index > 0 ? blocks.at(index - 1) : undefined, next: blocks.at(index + 1) };
}

function preview(raw: string): string {
  const firstLine = raw.trim().split(/\r?\n/)[0] ?? '';
  return firstLine.length > 60 ? `${firstLine.slice(0, 59)}…` : firstLine;
}

function withoutFinalLineBreak(raw: string): string {
  return raw.replace(/\r?\n$/, '');
}

/** New raw text in the file's line ending, without blank lines around it, ending with one line break. */
function normaliseRaw(raw: string, eol: string): string {
  const lines = raw.split(/\r?\n/);
  while (lines.length > 0 && isBlankLine(lines[0] ?? '')) lines.shift();
  while (lines.length > 0 && isBlankLine(lines.at(-1) ?? '')) lines.pop();
  return lines.length === 0 ? '' : lines.join(eol) + eol;
}

/** `insert` with a blank line on each side where the neighbour is not already a blank line. */
function separated(previous: Block | undefined, next: Block | undefined, eol: string, insert: string): string {
  const before = previous && previous.kind !== 'blank' ? eol : '';
  const after = next && next.kind !== 'blank' ? eol : '';
  return before + insert + after;
}

/** What the spliced-in text may parse to: nothing, entries and other non-heading blocks, or anything. */
export type Allowed = 'nothing' | 'entries' | 'anything';

/**
 * Applies the first candidate splice after which every block outside the edited range still parses
 * exactly as before. Markdown is context-sensitive (a paragraph before `---` is a heading, a line
 * after a list item may join it), so rather than predict every interaction, each edit is checked.
 */
function applyFirstSafe(text: string, path: string, before: BlockView, allowed: Allowed, candidates: Splice[]): Edited {
  // What the checks read, over every candidate tried: an edit's outcome is the first candidate that passes.
  let reach: Reach | undefined;
  const checked = (splice: Splice, result: string) => {
    const parse = parseSpliced(text, splice, result);
    const read = reachOf(before, text.length, parse);
    reach = reach ? { from: Math.min(reach.from, read.from), to: Math.max(reach.to, read.to) } : read;
    return splicedKeepsOthers(before, splice, parse, allowed);
  };
  for (const splice of candidates) {
    // Text put back as it was gives the same string, not a copy: what the file holds does not change.
    if (splice.end - splice.start === splice.insert.length && sliceText(text, splice.start, splice.end) === splice.insert) {
      if (checked(splice, text)) return { text, splices: [], reach: reach as Reach };
      continue;
    }
    const spliced = applySplice(text, splice);
    const result = keepFinalLineBreakState(text, spliced);
    if (!checked(splice, result)) continue;
    // The final line break the splice brought is taken off again: a second splice, at the very end.
    const trimmed = spliced.length - result.length;
    if (trimmed === 0) return { text: result, splices: [splice], reach: reach as Reach };
    return { text: result, splices: [splice, { start: result.length, end: spliced.length, insert: '' }], reach: { from: (reach as Reach).from, to: text.length } };
  }
  throw new UnsafeEditError('the edit would change other parts of the file', path);
}

/**
 * What a check of a splice read of the text before it: the blocks between the headings around the splice, headings
 * included, when the parse kept the others (they are the same blocks by construction, and the text between those
 * headings parses alike whatever surrounds it); else all of it.
 */
function reachOf(before: BlockView, length: number, { reused }: SplicedParse): Reach {
  if (!reused) return { from: 0, to: length };
  const first = before.at(reused.kept);
  const last = before.at(before.length - reused.tail);
  return { from: first ? first.start : 0, to: last ? last.start + last.raw.length : length };
}

/**
 * Whether the parse of the text after `splice` gives the blocks before it outside the splice, and what `allowed` says
 * inside it. Where the parse kept the blocks away from the edit (a long file, between the headings around the edit),
 * only the blocks between those headings are compared: the rest are the same blocks by construction.
 */
export function splicedKeepsOthers(before: BlockView, splice: Splice, { blocks, reused }: SplicedParse, allowed: Allowed): boolean {
  if (!reused) return othersIntact(before.slice(), splice, blocks.slice(), allowed);
  const { kept, tail } = reused;
  return othersIntact(before.slice(kept, before.length - tail), splice, blocks.slice(kept, blocks.length - tail), allowed);
}

/** The text with the splice applied (kept as its pieces for the next splice, see util/spliced.ts). */
export function applySplice(text: string, { start, end, insert }: Splice): string {
  return spliceText(text, start, end, insert);
}

/** Removing or replacing the last entry must not add or drop the file's final line break. */
function keepFinalLineBreakState(original: string, edited: string): string {
  if (original === '' || endsWithLineBreak(original) || !endsWithLineBreak(edited)) return edited;
  return edited.replace(/\r?\n$/, '');
}

export function othersIntact(before: readonly Block[], splice: Splice, after: readonly Block[], allowed: Allowed): boolean {
  const significant = (blocks: readonly Block[]) => blocks.filter((block) => block.kind !== 'blank');
  const prefix = significant(before.filter((block) => block.start + block.raw.length <= splice.start));
  const suffix = significant(before.filter((block) => block.start >= splice.end));
  const parsed = significant(after);
  const middleLength = parsed.length - prefix.length - suffix.length;
  if (middleLength < 0) return false;
  if (!prefix.every((block, index) => sameBlock(block, parsed[index]))) return false;
  if (!suffix.every((block, index) => sameBlock(block, parsed[prefix.length + middleLength + index]))) return false;
  const middle = parsed.slice(prefix.length, prefix.length + middleLength);
  if (allowed === 'nothing') return middle.length === 0;
  if (allowed === 'entries') return middle.length > 0 && middle.every((block) => !changesStructure(block));
  return true;
}

/** Headings and front matter are the file's frame: an entry edit must not add them. */
function changesStructure(block: Block): boolean {
  return block.kind === 'heading' || block.kind === 'frontmatter';
}

/** Same block, forgiving only the final line break that an edit at the end of the file may move. */
function sameBlock(a: Block, b: Block | undefined): boolean {
  return (
    b !== undefined &&
    a.kind === b.kind &&
    a.level === b.level &&
    (a.raw === b.raw || withoutFinalLineBreak(a.raw) === withoutFinalLineBreak(b.raw))
  );
}
