/** A bounded map for caches: the least recently used entries go first. */

/** Least recently used first out, by count or by the summed `size` of the values. */
export class Lru<T> {
  private readonly map = new Map<string, T>();
  private total = 0;

  constructor(
    private readonly max: number,
    private readonly size: (value: T) => number = () => 1,
  ) {}

  get(key: string): T | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (old === undefined) return;
    this.map.delete(key);
    this.total -= this.size(old);
  }

  set(key: string, value: T): void {
    const size = this.size(value);
    if (size > this.max) return;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.map.delete(key);
      this.total -= this.size(old);
    }
    this.map.set(key, value);
    this.total += size;
    for (const [oldest, evicted] of this.map) {
      if (this.total <= this.max) break;
      this.map.delete(oldest);
      this.total -= this.size(evicted);
    }
  }
}
