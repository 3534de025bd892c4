import { crypto } from './crypto.js';

export function sha256(text: string): string {
  return crypto().createHash('sha256').update(text).digest('hex');
}

/** First `length` hex digits of sha256: for ids that must be stable across runs and machines. */
export function shortHash(text: string, length = 8): string {
  return sha256(text).slice(0, length);
}
