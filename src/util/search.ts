/**
 * Runs laid end to end (of blocks, of entries), and the binary search that finds which run holds a position.
 */

/**
 * Where each of consecutive runs starts when they are laid end to end, each `to - from` long, and their length together:
 * the `sorted` that lastAtMost searches for the run holding a position.
 */
export function runStarts(runs: readonly { from: number; to: number }[]): { starts: number[]; length: number } {
  let at = 0;
  const starts = runs.map((run) => {
    const start = at;
    at += run.to - run.from;
    return start;
  });
  return { starts, length: at };
}

/**
 * The index of the last of `sorted` (ascending) that is at most `value`; 0 when none is, or `sorted` is empty. The
 * starts of consecutive runs, searched for a position at or after the first start, give the run that holds it.
 */
export function lastAtMost(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((sorted[mid] as number) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
