/**
 * Deterministic randomness for the benchmark's generated data: mulberry32 seeded by FNV-1a of a key, as in
 * scripts/make-examples.ts. One stream per session, seeded from the session's index, so session #n has the
 * same bytes whatever the size of the run it belongs to (the 100-session corpus is the start of the 1,000 one).
 */

/** FNV-1a, to turn a key into a seed. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number | string) {
    this.state = (typeof seed === 'string' ? fnv1a(seed) : seed) >>> 0;
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /**
   * Index in [0, n) with a Zipf-like skew (weight 1/(rank+1)): a few patterns recur often, most rarely,
   * as in real logs.
   */
  zipf(n: number): number {
    let total = 0;
    for (let i = 0; i < n; i++) total += 1 / (i + 1);
    let x = this.next() * total;
    for (let i = 0; i < n; i++) {
      x -= 1 / (i + 1);
      if (x < 0) return i;
    }
    return n - 1;
  }

  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  hex(n: number): string {
    return this.chars(n, '0123456789abcdef');
  }

  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[parseInt(h[16] ?? '0', 16) % 4] ?? '8';
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'dr', 'f', 'fl', 'g', 'gr', 'h', 'j', 'k', 'kl', 'l', 'm', 'n', 'p', 'pl', 'qu', 'r', 's', 'sh', 'st', 't', 'tr', 'v', 'w', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 'l', 'x', 'm', 'st', 'nd', 'rk'];

/**
 * A fixed lexicon of made-up words (component names, fields, feature names): enough distinct words that
 * generated notes and errors do not collide by chance, the way real project vocabulary is mostly distinct.
 */
export function lexicon(size: number, seed = 'reverie-bench:lexicon'): string[] {
  const rng = new Rng(seed);
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = rng.int(2, 3);
    let w = '';
    for (let i = 0; i < syllables; i++) w += rng.pick(ONSETS) + rng.pick(VOWELS);
    w += rng.pick(CODAS);
    if (w.length >= 5 && w.length <= 11) words.add(w);
  }
  return [...words];
}
