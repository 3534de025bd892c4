/** Where the shared collection of real logs and memory files is, for the benchmarks that judge by real data. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: bench/real/.. when run from source. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `--fixtures`, else REVERIE_SHARED_FIXTURES, else `../shared/fixtures` beside the checkout; exits 2 when none exists. */
export function fixturesRoot(flag: string | undefined): string {
  const candidates = [flag, process.env.REVERIE_SHARED_FIXTURES, path.join(REPO_ROOT, '..', 'shared', 'fixtures')].filter(
    (c): c is string => typeof c === 'string' && c !== '',
  );
  const found = candidates.find((c) => existsSync(path.join(c, 'real-memory')));
  if (!found) {
    console.error(`no shared fixtures with a real-memory folder at ${candidates.join(' or ')}; pass --fixtures <folder>`);
    process.exit(2);
  }
  return path.resolve(found);
}
