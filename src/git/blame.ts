/**
 * Provenance of memory text. For entries, blame-lite: an entry is a block of text that may move within its file,
 * so we ask when it arrived: going back from `ref`, since which commit has the file contained this text without
 * interruption? For lines, a line blame (`blameLines`), which `reverie why` reads.
 */
import { diffArrays } from 'diff';
import { GitStateError } from '../errors.js';
import { readCommit } from './cache.js';
import { walkFirstParent } from './log.js';
import { resolveRef, type Repo } from './repo.js';
import { blobOidAt, readBlobText } from './tree.js';

export interface IntroducedAtOptions {
  /** How many first-parent commits to look at, at most. Text older than that gets the oldest examined commit's time. */
  maxCommits?: number;
}

/** When a text arrived in a file, and the commit that brought it. */
export interface Introduction {
  /** ISO commit time. */
  at: string;
  commit: string;
  message: string;
  parents: string[];
  /** False when the search stopped at its limit with the text still there: it is older, by a commit not read. */
  certain: boolean;
}

/**
 * For each text in `raws` that `path` contains at `ref`: the ISO commit time of the oldest commit on the
 * first-parent chain from which every later version of the file contains it. Texts not in the file at `ref`
 * are left out of the map. Stops as soon as every text is placed.
 */
export async function introducedAt(repo: Repo, ref: string, path: string, raws: string[], options: IntroducedAtOptions = {}): Promise<Map<string, string>> {
  const found = await introductions(repo, ref, path, raws, options);
  return new Map([...found].map(([raw, intro]) => [raw, intro.at]));
}

/** Like introducedAt, with the commit that brought each text: whose trailers say whether a person or a cycle wrote it. */
export async function introductions(
  repo: Repo,
  ref: string,
  path: string,
  raws: string[],
  { maxCommits = 200 }: IntroducedAtOptions = {},
): Promise<Map<string, Introduction>> {
  const head = await resolveRef(repo, ref);
  if (!head) throw new GitStateError(`cannot trace ${path}: ${ref} does not exist`);
  const found = new Map<string, Introduction>();
  let pending: Set<string> | undefined;
  /** Where each pending text is in the version of the file read last: one of its places, not always the first. */
  let places = new Map<string, number>();
  let seen: { blob: string | undefined; text: string; intro: Introduction | undefined; count: number } = { blob: undefined, text: '', intro: undefined, count: 0 };
  for await (const { oid, commit } of walkFirstParent(repo, head)) {
    const blob = await blobOidAt(repo, oid, path);
    // Commits that leave the file alone cannot change the answer: skip reading it again.
    const unchanged = pending !== undefined && blob === seen.blob;
    const text = unchanged ? seen.text : blob ? await readBlobText(repo, blob) : '';
    if (!pending) {
      places = placesIn(text, raws);
      pending = new Set(places.keys());
    } else if (!unchanged) {
      places = blob ? placesAfter(seen.text, text, places, pending) : new Map();
      // The same file as in the newer commit still holds every text still pending: nothing to search.
      for (const raw of pending) if (!places.has(raw) && seen.intro) settle(found, pending, raw, seen.intro);
    }
    if (pending.size === 0) return found;
    const intro = { at: new Date(commit.committer.timestamp * 1000).toISOString(), commit: oid, message: commit.message, parents: commit.parent, certain: true };
    seen = { blob, text, intro, count: seen.count + 1 };
    if (seen.count >= maxCommits) {
      // Stopped with texts still there: the oldest commit examined dates them, but did not write them.
      for (const raw of pending) settle(found, pending, raw, { ...intro, certain: false });
      return found;
    }
  }
  // Reached the root while the texts were still there: the root commit wrote them.
  for (const raw of pending ?? []) if (seen.intro) settle(found, pending!, raw, seen.intro);
  return found;
}

/**
 * Where each of `raws` is in `text`, for those it holds. The texts are mostly a file's entries in file order: each is
 * looked for from where the one before it was found first, and from the start only when it is not there, so that a
 * file of thousands of entries is read about once rather than once per entry.
 */
function placesIn(text: string, raws: Iterable<string>, from = 0): Map<string, number> {
  const places = new Map<string, number>();
  let hint = from;
  for (const raw of raws) {
    if (places.has(raw)) continue;
    let at = text.indexOf(raw, hint);
    if (at === -1 && hint > 0) at = text.indexOf(raw);
    if (at === -1) continue;
    places.set(raw, at);
    hint = at;
  }
  return places;
}

/**
 * The places in `after` of the texts `before` held at `places`: a place within what the two versions share at their
 * start, or at their end, holds the same text in `after` (moved by the change of length, at the end); any other text
 * is looked for anew.
 */
function placesAfter(before: string, after: string, places: ReadonlyMap<string, number>, raws: Iterable<string>): Map<string, number> {
  const limit = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const moved = new Map<string, number>();
  const lost: string[] = [];
  for (const raw of raws) {
    const at = places.get(raw);
    if (at !== undefined && at + raw.length <= prefix) moved.set(raw, at);
    else if (at !== undefined && at >= before.length - suffix) moved.set(raw, at + after.length - before.length);
    else lost.push(raw);
  }
  for (const [raw, at] of placesIn(after, lost)) moved.set(raw, at);
  return moved;
}

function settle(found: Map<string, Introduction>, pending: Set<string>, raw: string, intro: Introduction): void {
  found.set(raw, intro);
  pending.delete(raw);
}

/** Where one line of a file came from. */
export interface BlamedLine {
  /** 1-based number of the line in the file at the ref blamed. */
  line: number;
  text: string;
  /** The commit that last wrote the line. */
  commit: string;
  /** 1-based number of the line in that commit's version of the file. */
  sourceLine: number;
}

export interface BlameOptions {
  /** 1-based line numbers to blame (default: every line); fewer lines settle sooner. */
  lines?: readonly number[];
}

/**
 * Line blame, which isomorphic-git lacks: for each line of `path` at `ref`, the commit that last wrote it. Walks
 * first parents back from `ref`, diffing each version of the file with its parent's, and carries a line back while
 * it is unchanged. At a merge, the lines the first parent lacks are followed into the other parents: a branch merged
 * with a merge commit was written by its own commits, not by the merge; what no parent has, the merge wrote. Stops
 * once every line is settled.
 */
export async function blameLines(repo: Repo, ref: string, path: string, { lines }: BlameOptions = {}): Promise<BlamedLine[]> {
  const head = await resolveRef(repo, ref);
  if (!head) throw new GitStateError(`cannot blame ${path}: ${ref} does not exist`);
  const walk = new BlameWalk(repo, path);
  const version = await walk.versionAt(head);
  if (!version) throw new GitStateError(`cannot blame ${path}: there is no such file at ${ref}`);
  const wanted = lines ?? version.lines.map((_, i) => i + 1);
  const outside = wanted.find((line) => !Number.isInteger(line) || line < 1 || line > version.lines.length);
  if (outside !== undefined) throw new GitStateError(`cannot blame line ${outside} of ${path}: it has ${version.lines.length} lines at ${ref}`);
  const settled = new Map<number, { commit: string; at: number }>();
  await walk.from(head, version, wanted.map((line) => ({ final: line - 1, at: line - 1 })), (line, commit) => settled.set(line.final, { commit, at: line.at }));
  return wanted.map((line) => {
    const origin = settled.get(line - 1)!;
    return { line, text: version.lines[line - 1] ?? '', commit: origin.commit, sourceLine: origin.at + 1 };
  });
}

/** A line being traced: its index in the file blamed, and its index in the version being looked at. */
interface TracedLine {
  final: number;
  at: number;
}

interface FileVersion {
  blob: string;
  lines: string[];
}

/** One blame: the versions of the file and the line maps between them, each computed once. */
class BlameWalk {
  private readonly split = new Map<string, string[]>();
  private readonly maps = new Map<string, LineMap>();

  constructor(
    private readonly repo: Repo,
    private readonly path: string,
  ) {}

  async versionAt(commit: string): Promise<FileVersion | undefined> {
    const blob = await blobOidAt(this.repo, commit, this.path);
    if (!blob) return undefined;
    let lines = this.split.get(blob);
    if (!lines) {
      lines = splitLines(await readBlobText(this.repo, blob));
      this.split.set(blob, lines);
    }
    return { blob, lines };
  }

  /** Traces `traced` lines of `version` (the file at `start`) back through history, settling each on its commit. */
  async from(start: string, version: FileVersion, traced: TracedLine[], settle: (line: TracedLine, commit: string) => void): Promise<void> {
    let commit = start;
    let current = version;
    let pending = traced;
    while (pending.length > 0) {
      const [first, ...others] = (await readCommit(this.repo, commit)).commit.parent;
      const parent = first ? await this.versionAt(first) : undefined;
      if (first && parent?.blob === current.blob) {
        commit = first;
        continue;
      }
      let { kept, fresh } = this.carry(parent, current, pending);
      for (const other of others) {
        if (fresh.length === 0) break;
        const side = await this.versionAt(other);
        const carried = this.carry(side, current, fresh);
        if (side && carried.kept.length > 0) await this.from(other, side, carried.kept, settle);
        fresh = carried.fresh;
      }
      for (const line of fresh) settle(line, commit);
      if (!first || !parent) return;
      commit = first;
      current = parent;
      pending = kept;
    }
  }

  /** Splits lines into those `parent` has unchanged (renumbered for it) and those `current` wrote. */
  private carry(parent: FileVersion | undefined, current: FileVersion, lines: TracedLine[]): { kept: TracedLine[]; fresh: TracedLine[] } {
    if (!parent) return { kept: [], fresh: lines };
    const map = this.lineMap(parent, current);
    const kept: TracedLine[] = [];
    const fresh: TracedLine[] = [];
    for (const line of lines) {
      const at = parentIndex(map, line.at);
      if (at === undefined) fresh.push(line);
      else {
        // Renumbered in place: a line is traced down one path at a time, and thousands of versions make much garbage.
        line.at = at;
        kept.push(line);
      }
    }
    return { kept, fresh };
  }

  private lineMap(parent: FileVersion, current: FileVersion): LineMap {
    const key = `${parent.blob}>${current.blob}`;
    let map = this.maps.get(key);
    if (!map) {
      map = lineMap(parent.lines, current.lines);
      this.maps.set(key, map);
    }
    return map;
  }
}

/**
 * Which lines of a version are unchanged from its parent's. Most commits change a few lines of a long file: the
 * unchanged start and end are matched directly, and only the middle is diffed.
 */
interface LineMap {
  /** Lines before this index are the parent's, at the same index. */
  head: number;
  /** Lines from this index on are the parent's, `shift` lines earlier. */
  tailStart: number;
  shift: number;
  /** Unchanged lines in between: index here → index in the parent. */
  middle: Map<number, number>;
}

function lineMap(old: readonly string[], next: readonly string[]): LineMap {
  let head = 0;
  while (head < old.length && head < next.length && old[head] === next[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < next.length - head && old[old.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
  const middle = new Map<number, number>();
  let before = head;
  let after = head;
  for (const change of diffArrays(old.slice(head, old.length - tail), next.slice(head, next.length - tail))) {
    if (change.added) after += change.count;
    else if (change.removed) before += change.count;
    else for (let i = 0; i < change.count; i++) middle.set(after++, before++);
  }
  return { head, tailStart: next.length - tail, shift: next.length - old.length, middle };
}

function parentIndex(map: LineMap, at: number): number | undefined {
  if (at < map.head) return at;
  if (at >= map.tailStart) return at - map.shift;
  return map.middle.get(at);
}

/** Lines without their terminators; a final newline does not make an empty last line. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
