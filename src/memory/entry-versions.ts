/**
 * The entries of a file through a run of edits, without moving every entry after each edit. An edit to a long file
 * leaves most of its entries as they were but on other lines: entriesAfterEdit makes a moved copy of each of them, a
 * new object per entry after the edit, per edit (most of what curating a file of thousands of entries cost, with the
 * collections of the copies). Here a version of the file's entries is the runs of earlier versions' entries it is made
 * of, each with how many lines further down it now starts; an entry is moved when it is read (by text, or all of them
 * when the whole list is asked for), and a version whose entries are never all read costs what its edit touched.
 */
import { isEntryBlock, entriesOfBlocks, entryOnLine, sameBlock } from './entries.js';
import { documentBlocks, eachBlock, sameStart, type BlockView } from './markdown.js';
import type { Block, Entry, MemoryDocument, Policy } from './types.js';
import { lastAtMost, runStarts } from '../util/search.js';

/** Entries `from` to `to` (exclusive) of `source`, `shift` lines below where `source` has them. */
interface Run {
  source: readonly Entry[];
  from: number;
  to: number;
  shift: number;
}

/** Past this many runs, a version's entries are made whole, and the versions after it start from them. */
const MAX_RUNS = 256;
/** Each source's entries by key (see `withKey`): sources are shared by many versions, and so is their index. */
const indexes = new WeakMap<readonly Entry[], { keyOf: (raw: string) => string; positions: Map<string, number[]> }>();

export class EntryVersion {
  /** Where each run starts among this version's entries. */
  private readonly starts: number[];
  /** The entries read from this version so far, by position: one object per entry, whichever way it is read. */
  private readonly made = new Map<number, Entry>();
  private whole: Entry[] | undefined;
  readonly length: number;

  private constructor(private runs: readonly Run[]) {
    const { starts, length } = runStarts(runs);
    this.starts = starts;
    this.length = length;
  }

  /** The version whose entries are `entries`, as they are. */
  static of(entries: Entry[]): EntryVersion {
    const version = new EntryVersion([{ source: entries, from: 0, to: entries.length, shift: 0 }]);
    version.whole = entries;
    return version;
  }

  /**
   * The version after an edit: this one's first `head` entries as they are, the `removed` after them gone, `added` in
   * their place, and the rest `shift` lines further down.
   */
  edited(head: number, removed: number, added: readonly Entry[], shift: number): EntryVersion {
    const before: Run[] = [];
    const after: Run[] = [];
    const end = head + removed;
    this.runs.forEach((run, index) => {
      const start = this.starts[index] as number;
      const stop = start + run.to - run.from;
      if (start < head) before.push({ source: run.source, from: run.from, to: run.from + Math.min(stop, head) - start, shift: run.shift });
      if (stop > end) after.push({ source: run.source, from: run.from + Math.max(start, end) - start, to: run.to, shift: run.shift + shift });
    });
    const runs = [...before, { source: added, from: 0, to: added.length, shift: 0 }, ...after].filter((run) => run.to > run.from);
    const version = new EntryVersion(runs);
    if (runs.length > MAX_RUNS) version.all();
    return version;
  }

  /** The entry at `position`, on its line in this version. */
  at(position: number): Entry {
    const whole = this.whole;
    if (whole) return whole[position] as Entry;
    const index = this.runAt(position);
    return this.entryOf(this.runs[index] as Run, position - (this.starts[index] as number), position);
  }

  /** Every entry, in file order. The same array each time: read it, never change it. */
  all(): Entry[] {
    if (this.whole) return this.whole;
    const entries: Entry[] = [];
    this.runs.forEach((run, index) => {
      const start = this.starts[index] as number;
      for (let offset = 0; offset < run.to - run.from; offset++) entries.push(this.entryOf(run, offset, start + offset));
    });
    this.whole = entries;
    this.runs = [{ source: entries, from: 0, to: entries.length, shift: 0 }];
    this.starts.length = 1;
    return entries;
  }

  /** The entries whose `keyOf(raw)` is `key`, in file order. `keyOf` is one function for every call. */
  withKey(key: string, keyOf: (raw: string) => string): Entry[] {
    const found: Entry[] = [];
    // Runs are in file order, and the places of a text in a source are in its order: what is found is in file order.
    for (let index = 0; index < this.runs.length; index++) {
      const run = this.runs[index] as Run;
      for (const at of positionsIn(run.source, key, keyOf)) {
        if (at >= run.from && at < run.to) found.push(this.entryOf(run, at - run.from, (this.starts[index] as number) + at - run.from));
      }
    }
    return found;
  }

  private entryOf(run: Run, offset: number, position: number): Entry {
    const entry = run.source[run.from + offset] as Entry;
    if (run.shift === 0) return entry;
    let moved = this.made.get(position);
    if (!moved) {
      moved = entryOnLine(entry, entry.line + run.shift);
      this.made.set(position, moved);
    }
    return moved;
  }

  private runAt(position: number): number {
    return lastAtMost(this.starts, position);
  }
}

/** The positions in `source` of the entries whose key is `key`. */
function positionsIn(source: readonly Entry[], key: string, keyOf: (raw: string) => string): readonly number[] {
  if (source.length === 0) return [];
  let index = indexes.get(source);
  if (!index || index.keyOf !== keyOf) {
    const positions = new Map<string, number[]>();
    source.forEach((entry, i) => {
      const k = keyOf(entry.raw);
      (positions.get(k) ?? positions.set(k, []).get(k))?.push(i);
    });
    index = { keyOf, positions };
    indexes.set(source, index);
  }
  return index.positions.get(key) ?? [];
}

/** What an edit did to a file's entries: the version after it, the entries it took away and those it read anew. */
export interface EditedEntries {
  version: EntryVersion;
  removed: Entry[];
  added: Entry[];
}

/**
 * The entries of `doc`, a new version of the document whose blocks are `before.blocks` and whose entries are
 * `before.version`, as entriesAfterEdit gives them, but with the entries after the edit left where they are until
 * read. `added` is told of each entry read anew. Undefined when the edit added, took away or changed a heading: the
 * entries after it may then be in other sections, and entriesAfterEdit is left to say which.
 */
export function editedEntries(before: { blocks: BlockView; version: EntryVersion }, doc: MemoryDocument, namespace: string, policy: Policy, added: (entry: Entry) => void): EditedEntries | undefined {
  // Views, not the blocks made: a long file's version derived by an edit is read here without moving the blocks after
  // the edit (markdown.ts, Derived). The passes read each block where the text it came from has it (its kind, level and
  // text are its own); lines and sections come from the views, for the blocks read anew.
  const oldView = before.blocks;
  const nowView = documentBlocks(doc);
  const old = listOf(oldView);
  const now = listOf(nowView);
  // The head: the same blocks on the same lines (entries.ts, unchangedEnds); the tail: blocks of the same kind and text.
  const head = sameStart(oldView, nowView);
  let tail = 0;
  while (tail < Math.min(old.length, now.length) - head && sameBlock(old[old.length - 1 - tail] as Block, now[now.length - 1 - tail] as Block)) tail++;
  if (!sameHeadings(old, head, old.length - tail, now, now.length - tail)) return undefined;
  const headEntries = entryBlocks(old, 0, head);
  const removedCount = entryBlocks(old, head, old.length - tail);
  const middle = entriesOfBlocks(doc.path, nowView.slice(head, now.length - tail), namespace, policy);
  middle.forEach(added);
  const shift = tail === 0 ? 0 : (nowView.at(now.length - tail) as Block).line - (oldView.at(old.length - tail) as Block).line;
  const removed = Array.from({ length: removedCount }, (_, i) => before.version.at(headEntries + i));
  return { version: before.version.edited(headEntries, removedCount, middle, shift), removed, added: middle };
}

/** Each block of a view where the text it came from has it (see eachBlock). */
function listOf(view: BlockView): Block[] {
  if (Array.isArray(view)) return view as Block[];
  const blocks: Block[] = [];
  eachBlock(view, (block) => blocks.push(block));
  return blocks;
}

/**
 * Whether the blocks from `from` to `oldEnd` of `old` and to `nowEnd` of `now` hold the same headings in the same order:
 * the sections of what follows are then the same. (The stretch parsed again after an edit starts at a heading, read
 * anew as the same heading.)
 */
function sameHeadings(old: readonly Block[], from: number, oldEnd: number, now: readonly Block[], nowEnd: number): boolean {
  let i = from;
  let j = from;
  for (;;) {
    while (i < oldEnd && (old[i] as Block).kind !== 'heading') i++;
    while (j < nowEnd && (now[j] as Block).kind !== 'heading') j++;
    if (i === oldEnd || j === nowEnd) return i === oldEnd && j === nowEnd;
    if (!sameBlock(old[i] as Block, now[j] as Block)) return false;
    i++;
    j++;
  }
}

function entryBlocks(blocks: readonly Block[], from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (isEntryBlock(blocks[i] as Block)) count++;
  return count;
}
