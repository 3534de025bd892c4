import { createHash } from 'node:crypto';
import { Memo } from '../util/memo.js';
import { indentColumns, isBlankLine, listMarkerOf, stripColumns } from './lines.js';
import { estimateTokens } from './tokens.js';
import type { Block, Entry, MemoryDocument, Policy } from './types.js';

export type EntryKind = Entry['kind'];

export function isEntryBlock(block: Block): block is Block & { kind: EntryKind } {
  return block.kind === 'item' || block.kind === 'paragraph' || block.kind === 'labelled';
}

/** The entries of a document in file order: its top-level list items and paragraphs. */
export function entriesOf(doc: MemoryDocument, namespace: string, policy: Policy): Entry[] {
  return entriesOfBlocks(doc.path, doc.blocks, namespace, policy);
}

/**
 * The entries of `doc`, a new version of the document whose entries are `before`, as entriesOf gives them, with those
 * of the blocks at its start and end that the edit left as they were carried over: the same objects before the edit,
 * copies moved to their new lines after it. `added` is told of each entry read anew. Everything an entry holds comes
 * from its block's kind, text, line and section, so a block the same as before gives the same entry.
 */
export function entriesAfterEdit(before: { blocks: readonly Block[]; entries: readonly Entry[] }, doc: MemoryDocument, namespace: string, policy: Policy, added: (entry: Entry) => void): Entry[] {
  const old = before.blocks;
  const now = doc.blocks;
  const { head, tail } = unchangedEnds(old, now);
  const firstAt = (line: number) => {
    let lo = 0;
    let hi = before.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((before.entries[mid] as Entry).line >= line) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const headEntries = before.entries.slice(0, firstAt(old[head]?.line ?? Infinity));
  const tailEntries = before.entries.slice(firstAt(old[old.length - tail]?.line ?? Infinity));
  const middle = entriesOfBlocks(doc.path, now.slice(head, now.length - tail), namespace, policy);
  middle.forEach(added);
  const moved: Entry[] = [];
  for (const block of now.slice(now.length - tail)) {
    if (!isEntryBlock(block)) continue;
    const entry = tailEntries[moved.length] as Entry;
    moved.push(entry.line === block.line && entry.section === block.section ? entry : movedEntry(entry, block.section, block.line));
  }
  return headEntries.concat(middle, moved);
}

/** `entry` on another line of the same section (see movedEntry). */
export function entryOnLine(entry: Entry, line: number): Entry {
  return movedEntry(entry, entry.section, line);
}

/**
 * `entry` on a new line and section, its properties in the order entriesOfBlocks and provenance give them:
 * a copy spread from an entry went through V8's slow path for object spreads, most of the time of moving a long file's entries.
 */
function movedEntry(entry: Entry, section: string[], line: number): Entry {
  const { id, path, kind, raw, text, namespace, policy, tokens, introducedAt, writtenBy } = entry;
  const moved: Entry = { id, path, kind, raw, text, section, line, namespace, policy, tokens };
  if (introducedAt !== undefined) moved.introducedAt = introducedAt;
  if (writtenBy !== undefined) moved.writtenBy = writtenBy;
  return moved;
}

/**
 * How many blocks at the start of two versions of a document are the same objects (a parse between headings keeps the
 * blocks before the edit as they were, objects and all), and how many at their end say the same after those.
 */
export function unchangedEnds(old: readonly Block[], now: readonly Block[]): { head: number; tail: number } {
  const limit = Math.min(old.length, now.length);
  let head = 0;
  while (head < limit && old[head] === now[head]) head++;
  let tail = 0;
  while (tail < limit - head && sameBlock(old[old.length - 1 - tail] as Block, now[now.length - 1 - tail] as Block)) tail++;
  return { head, tail };
}

/** The same block, or one of the same kind, level and text (which is all an entry is made from). */
export function sameBlock(a: Block, b: Block): boolean {
  return a === b || (a.kind === b.kind && a.raw === b.raw && a.level === b.level);
}

export function entriesOfBlocks(path: string, blocks: readonly Block[], namespace: string, policy: Policy): Entry[] {
  return blocks.filter(isEntryBlock).map((block) => {
    const read = readingOf(block.kind, block.raw);
    return {
      id: `${path}#${read.hash}`,
      path,
      kind: block.kind,
      raw: block.raw,
      text: read.text,
      section: block.section,
      line: block.line,
      namespace,
      policy,
      tokens: read.tokens,
    };
  });
}

/** What an entry's raw text gives, whatever file or line it is on. */
interface Reading {
  hash: string;
  text: string;
  tokens: number;
}

/**
 * Readings by kind and raw text: every edit of a file is checked by reading all its entries again, and all but the
 * edited ones read as before.
 */
const readings = Object.fromEntries(
  (['item', 'paragraph', 'labelled'] as const).map((kind) => [kind, new Memo<Reading>(50_000, (raw) => ({ hash: rawHash(raw), text: entryText(kind, raw), tokens: estimateTokens(raw) }))]),
) as Record<EntryKind, Memo<Reading>>;

function readingOf(kind: EntryKind, raw: string): Reading {
  return readings[kind].get(raw);
}

/** Hashes the exact raw text, line break included, so any change to an entry gives it a new id. */
export function entryId(path: string, raw: string): string {
  return `${path}#${rawHash(raw)}`;
}

function rawHash(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, 12);
}

/**
 * The words of an entry without its Markdown frame. For an item: the marker goes, and nested lines
 * lose the item's content indentation but keep anything deeper, so a nested list reads
 * `- sub` and a sub-sub item `  - subsub`; lazy continuation lines lose all their indentation.
 * For a paragraph: each line trimmed. Always: trailing whitespace and leading/trailing empty lines go,
 * inner empty lines stay, lines are joined by `\n` whatever the file's line ending.
 */
export function entryText(kind: EntryKind, raw: string): string {
  const lines = raw.split(/\r?\n/);
  const text = kind === 'item' ? itemLines(lines) : kind === 'labelled' ? labelledLines(lines) : lines.map((line) => line.trim());
  return trimEmptyLines(text.map((line) => line.trimEnd())).join('\n');
}

function itemLines(lines: string[]): string[] {
  const [first = '', ...rest] = lines;
  const marker = listMarkerOf(first);
  if (!marker) return lines.map((line) => line.trim());
  const nested = rest.map((line) =>
    indentColumns(line) >= marker.contentIndent ? stripColumns(line, marker.contentIndent) : line.trimStart(),
  );
  return [marker.firstContent.trim(), ...nested];
}

/** A label and what it introduces: the label trimmed, the list or code under it as written (its indentation means something). */
function labelledLines(lines: string[]): string[] {
  const [first = '', ...rest] = lines;
  return [first.trim(), ...rest];
}

function trimEmptyLines(lines: string[]): string[] {
  let from = 0;
  let to = lines.length;
  while (from < to && lines[from] === '') from++;
  while (to > from && lines[to - 1] === '') to--;
  return lines.slice(from, to);
}

/**
 * Raw Markdown for a new entry from its text (the inverse of `entryText` for ordinary text).
 * An item is `- first line` with later lines indented two spaces, empty lines left empty; a
 * paragraph is the lines as they are. The text must already read as that kind of block: a
 * paragraph line starting with `- ` or `#`, or followed by `===`, would parse as something else.
 */
export function formatEntry(text: string, kind: EntryKind, eol: '\n' | '\r\n' = '\n'): string {
  const lines = text.split(/\r?\n/);
  if (kind !== 'item') return lines.join(eol) + eol;
  const [first = '', ...rest] = lines;
  const head = isBlankLine(first) ? '-' : `- ${first}`;
  return [head, ...rest.map((line) => (isBlankLine(line) ? '' : `  ${line}`))].join(eol) + eol;
}
