/**
 * node:zlib, loaded the first time an object is inflated or deflated rather than when the command line starts: it
 * costs several milliseconds to load (it brings Node's streams), and a command that answers from the read cache
 * (util/read-cache.ts), or `--version`, inflates nothing.
 */
import { createRequire } from 'node:module';

type Zlib = typeof import('node:zlib');

const requireBuiltin = createRequire(import.meta.url);
let loaded: Zlib | undefined;

export function zlib(): Zlib {
  loaded ??= requireBuiltin('node:zlib') as Zlib;
  return loaded;
}
