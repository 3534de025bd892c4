/**
 * Sessions of a log whose records may interleave (several sessions in one file, each record naming its own), kept
 * open while they are read. Records of one session usually follow each other, so a session that no record has
 * named for IDLE_LINES lines is handed out before the file ends: a log holding thousands of sessions is then read
 * in memory bounded by the sessions still open, not by the file.
 */
export const IDLE_LINES = 20_000;

/** How often, in lines, a reader asks for the idle sessions: often enough, without scanning them at every line. */
export const IDLE_CHECK_LINES = 1000;

interface Open<B> {
  builder: B;
  /** The id the log gives the session. */
  base: string;
  lastLine: number;
}

export class OpenSessions<B> {
  private readonly open = new Map<string, Open<B>>();
  /** Sessions handed out already, by the id the log gives them, with how many parts of each. */
  private readonly parts = new Map<string, number>();

  /** `create(id, base)`: a builder for the session `id`, which is `base` or, for a later part of it, `base#<n>`. */
  constructor(private readonly create: (id: string, base: string) => B) {}

  /**
   * The builder for a record of session `base` on line `line`. A session that goes on after it was handed out
   * is read as a part of its own, and `resumed` says so for a warning.
   */
  at(base: string, line: number): { builder: B; resumed?: string } {
    const id = this.latestId(base);
    const found = this.open.get(id);
    if (found) {
      found.lastLine = line;
      return { builder: found.builder };
    }
    const builder = this.create(id, base);
    this.open.set(id, { builder, base, lastLine: line });
    const resumed = id !== base ? `session ${base} continues after ${IDLE_LINES} lines without it; read as a part of its own (${id})` : undefined;
    return resumed ? { builder, resumed } : { builder };
  }

  /** Whether the session `base` (its latest part) is still open. */
  has(base: string): boolean {
    return this.open.has(this.latestId(base));
  }

  /** `base`, or `base#<n>` once parts of it were handed out. */
  private latestId(base: string): string {
    const handedOut = this.parts.get(base) ?? 0;
    return handedOut > 0 ? `${base}#${handedOut + 1}` : base;
  }

  /** Takes out, in order of opening, the sessions no record has named since before `line` - IDLE_LINES. */
  *idle(line: number): Generator<B> {
    yield* this.takeOut((open) => open.lastLine < line - IDLE_LINES);
  }

  /** Takes out every session still open: the file has ended. */
  *all(): Generator<B> {
    yield* this.takeOut(() => true);
  }

  private *takeOut(done: (open: Open<B>) => boolean): Generator<B> {
    for (const [id, open] of this.open) {
      if (!done(open)) continue;
      this.open.delete(id);
      this.parts.set(open.base, (this.parts.get(open.base) ?? 0) + 1);
      yield open.builder;
    }
  }
}
