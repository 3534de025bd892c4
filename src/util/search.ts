/**
 * Binary searches over sorted numbers, for the places that find where a position falls among the starts of runs,
 * lines or blocks.
 */

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
