/**
 * Deterministic randomness for the benchmark's generated data. One stream per session, seeded from the session's
 * index, so session #n has the same bytes whatever the size of the run it belongs to (the 100-session corpus is
 * the start of the 1,000 one).
 */
import { Rng } from '../../scripts/rng.js';

export { fnv1a, Rng } from '../../scripts/rng.js';

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
