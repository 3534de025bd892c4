/**
 * A value worked out once per key. The map starts again from nothing once it holds `max` keys: unlike an LRU
 * (git/lru.ts) a hit costs one lookup, which is what a cache asked hundreds of thousands of times a cycle needs,
 * and its keys (the texts of one memory, the phrases of its patterns) recur rather than drift.
 */
export class Memo<T> {
  private readonly known = new Map<string, T>();

  constructor(
    private readonly max: number,
    private readonly read: (key: string) => T,
  ) {}

  get(key: string): T {
    let value = this.known.get(key);
    if (value === undefined) {
      value = this.read(key);
      if (this.known.size >= this.max) this.known.clear();
      this.known.set(key, value);
    }
    return value;
  }
}
