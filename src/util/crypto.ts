/**
 * node:crypto, loaded the first time something is hashed or a random name is drawn rather than when the command
 * line starts (as git/zlib.ts does for node:zlib): loading it costs 2 to 3 ms, and `log`, `stats` and `why` that
 * answer from the read cache (util/read-cache.ts) hash nothing.
 */
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');

const requireBuiltin = createRequire(import.meta.url);
let loaded: Crypto | undefined;

export function crypto(): Crypto {
  loaded ??= requireBuiltin('node:crypto') as Crypto;
  return loaded;
}
