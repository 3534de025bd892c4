/**
 * Three-way merge of text, line by line: what `git merge-file` does, for the revert that isomorphic-git lacks.
 * The longest-common-subsequence diff comes from node-diff3; grouping the two sides' changes into regions and
 * deciding which of them conflict is done here, so that the rule for changes that merely touch can follow the
 * memory's own units (see `MergeOptions.unitStarts`).
 */
import { diffIndices } from 'node-diff3';

type Side = 'ours' | 'theirs';

/** Lines where both sides changed the base differently; indices are 0-based lines of each text. */
export interface MergeConflict {
  baseStart: number;
  oursStart: number;
  theirsStart: number;
  /** The lines, without their line breaks. */
  baseLines: string[];
  oursLines: string[];
  theirsLines: string[];
}

export interface MergeResult {
  /** The merged text; where there are conflicts, with git's `<<<<<<<`/`=======`/`>>>>>>>` markers around them. */
  text: string;
  conflicts: MergeConflict[];
}

export interface MergeOptions {
  /**
   * Where a unit of text (a memory entry, a heading) starts in each text, as 0-based line indices, the end of
   * the text included. git treats two changes that merely touch as a conflict; at a place that is a unit's
   * start in all three texts, touching changes are separate (one cycle's note removed, the next cycle's note
   * added right after it), while inside a unit (a line added under an entry that is being undone) they still clash.
   */
  unitStarts?: Record<'base' | Side, ReadonlySet<number>>;
}

/** A run of base lines [oStart, oEnd) that one side replaced by `length` lines starting at `start`. */
interface Hunk {
  side: Side;
  oStart: number;
  oEnd: number;
  start: number;
  length: number;
}

interface Region {
  oStart: number;
  oEnd: number;
  hunks: Hunk[];
}

/**
 * Merges the changes from `base` to `theirs` into `ours`. Line breaks stay as they are in each text (`\r\n`
 * included, and a last line without one), so a clean merge changes nothing but the lines that differ.
 */
export function mergeText(ours: string, base: string, theirs: string, options: MergeOptions = {}): MergeResult {
  const o = splitLines(base);
  const sides = { ours: splitLines(ours), theirs: splitLines(theirs) };
  const hunks = [...diffHunks(o, sides.ours, 'ours'), ...diffHunks(o, sides.theirs, 'theirs')].sort(
    (x, y) => x.oStart - y.oStart || x.oEnd - y.oEnd,
  );
  const out: string[] = [];
  const conflicts: MergeConflict[] = [];
  // How far each side's line numbers have drifted from the base's, before the region at hand.
  const drift = { ours: 0, theirs: 0 };
  let at = 0;
  for (const region of groupRegions(hunks, options.unitStarts)) {
    out.push(...o.slice(at, region.oStart));
    at = region.oEnd;
    const mine = sideSpan(region, 'ours', sides.ours, drift);
    const other = sideSpan(region, 'theirs', sides.theirs, drift);
    const changedBy = new Set(region.hunks.map((h) => h.side));
    if (changedBy.size === 1) {
      out.push(...(changedBy.has('ours') ? mine.lines : other.lines));
    } else if (sameLines(mine.lines, other.lines)) {
      // Both sides made the same change: not a conflict.
      out.push(...mine.lines);
    } else {
      const baseLines = o.slice(region.oStart, region.oEnd);
      conflicts.push({
        baseStart: region.oStart,
        oursStart: mine.start,
        theirsStart: other.start,
        baseLines: baseLines.map(stripBreak),
        oursLines: mine.lines.map(stripBreak),
        theirsLines: other.lines.map(stripBreak),
      });
      out.push(...conflictBlock(mine.lines, other.lines));
    }
  }
  out.push(...o.slice(at));
  return { text: out.join(''), conflicts };
}

/** Lines with their breaks kept, so joining them gives the text back byte for byte. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * The changes from `base` to `side`. Lines are compared as numbers standing for distinct lines: node-diff3 keys
 * a plain object by element, where a line reading `constructor` or `__proto__` would hit Object.prototype.
 */
function diffHunks(base: string[], side: string[], name: Side): Hunk[] {
  const ids = new Map<string, number>();
  const intern = (line: string): number => {
    const known = ids.get(line);
    if (known !== undefined) return known;
    ids.set(line, ids.size);
    return ids.size - 1;
  };
  const baseIds = base.map(intern);
  const sideIds = side.map(intern);
  return diffIndices(baseIds, sideIds).map(({ buffer1: [oStart, oLength], buffer2: [start, length] }) => ({
    side: name,
    oStart,
    oEnd: oStart + oLength,
    start,
    length,
  }));
}

/** Hunks (sorted by base position) into regions: runs of hunks that overlap, or touch where touching counts. */
function groupRegions(hunks: Hunk[], unitStarts: MergeOptions['unitStarts']): Region[] {
  const regions: Region[] = [];
  for (const hunk of hunks) {
    const last = regions.at(-1);
    if (last && joins(last, hunk, unitStarts)) {
      last.hunks.push(hunk);
      last.oEnd = Math.max(last.oEnd, hunk.oEnd);
    } else {
      regions.push({ oStart: hunk.oStart, oEnd: hunk.oEnd, hunks: [hunk] });
    }
  }
  return regions;
}

function joins(region: Region, hunk: Hunk, unitStarts: MergeOptions['unitStarts']): boolean {
  if (hunk.oStart < region.oEnd) return true;
  if (hunk.oStart > region.oEnd) return false;
  // Two insertions at one place have no order to keep: always a conflict, unless they are the same.
  const bothInsert = region.oStart === region.oEnd && hunk.oStart === hunk.oEnd;
  if (bothInsert || !unitStarts) return true;
  // The hunks ending here belong to the other side (one side's own hunks never touch: a common line parts them).
  const ending = region.hunks.filter((h) => h.oEnd === hunk.oStart);
  const betweenUnits =
    unitStarts.base.has(hunk.oStart) &&
    unitStarts[hunk.side].has(hunk.start) &&
    ending.every((h) => unitStarts[h.side].has(h.start + h.length));
  return !betweenUnits;
}

/** What one side has in place of the region's base lines, and where that starts in the side's text. */
function sideSpan(region: Region, side: Side, lines: string[], drift: Record<Side, number>): { start: number; lines: string[] } {
  const growth = region.hunks.filter((h) => h.side === side).reduce((sum, h) => sum + h.length - (h.oEnd - h.oStart), 0);
  const start = region.oStart + drift[side];
  const end = region.oEnd + drift[side] + growth;
  drift[side] += growth;
  return { start, lines: lines.slice(start, end) };
}

function conflictBlock(ours: string[], theirs: string[]): string[] {
  const eol = [...ours, ...theirs].find((l) => l.endsWith('\r\n')) ? '\r\n' : '\n';
  const ended = (lines: string[]) => lines.map((l) => (l.endsWith('\n') ? l : l + eol));
  return [`<<<<<<< ours${eol}`, ...ended(ours), `=======${eol}`, ...ended(theirs), `>>>>>>> theirs${eol}`];
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function stripBreak(line: string): string {
  return line.replace(/\r?\n$/, '');
}
