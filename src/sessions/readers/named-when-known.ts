/**
 * Some formats name a file's sessions one way when the file holds one (after the file) and another when it holds
 * several (numbered). Whether the first session is alone is known only when a second comes or the file ends, so the
 * first is held back until then, and every later one is handed out at once: a file of thousands of sessions is
 * read without keeping them.
 */
export class NamedWhenKnown<T> {
  private held: ((alone: boolean) => T) | undefined;
  private count = 0;

  /** A finished session, to be named by `make(alone)`; returns the sessions now ready. */
  add(make: (alone: boolean) => T): T[] {
    this.count++;
    if (this.count === 1) {
      this.held = make;
      return [];
    }
    const ready = this.held ? [this.held(false)] : [];
    this.held = undefined;
    ready.push(make(false));
    return ready;
  }

  /** The file has ended: the session held back, if any. */
  end(): T[] {
    const ready = this.held ? [this.held(this.count === 1)] : [];
    this.held = undefined;
    return ready;
  }
}
