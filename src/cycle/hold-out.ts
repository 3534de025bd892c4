/**
 * The newest sessions of a cycle, kept out of its extraction to test the memory with (`extract.hold_out`). Sessions
 * stream in path order, not time order, so which are newest is known only at the end: the newest `size` seen so far
 * are kept here (their observations only, so memory stays bounded by `size`), and each one a newer session displaces
 * goes on to extraction. At most half of a cycle's new sessions are held out, so a cycle always learns from some, and
 * a session held out tonight is extracted by a later cycle: it is not recorded as processed.
 */
import type { ObservedSession } from '../dream/extract/observation.js';

/** A held session: what the memory tests read of it, and what the engine would have taken from it. */
export interface Held<T> {
  observed: ObservedSession;
  forEngine: T;
}

export class HoldOut<T> {
  private readonly held: Held<T>[] = [];
  private offered = 0;

  constructor(
    private readonly size: number,
    /** Where a session that is not held out goes: on to the engine. */
    private readonly pass: (session: Held<T>) => void,
  ) {}

  offer(observed: ObservedSession, forEngine: T): void {
    this.offered++;
    if (this.size === 0) return this.pass({ observed, forEngine });
    this.held.push({ observed, forEngine });
    this.held.sort(newestFirst);
    const displaced = this.held.length > this.size ? this.held.pop() : undefined;
    if (displaced) this.pass(displaced);
  }

  /**
   * The sessions held out once all are offered: the newest, at most half of them (rounded down), so that one new
   * session is always extracted. The others held so far go on to the engine now.
   */
  settle(): ObservedSession[] {
    const keep = Math.min(this.size, Math.floor(this.offered / 2));
    for (const released of this.held.splice(keep)) this.pass(released);
    return this.held.map((h) => h.observed);
  }
}

/** Newest first; of two alike, the later id is held, as extraction folds the earlier first. */
function newestFirst(a: Held<unknown>, b: Held<unknown>): number {
  const at = (b.observed.startedAt ?? '').localeCompare(a.observed.startedAt ?? '');
  return at !== 0 ? at : b.observed.id.localeCompare(a.observed.id);
}
