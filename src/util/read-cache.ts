/**
 * Answers of pure reads kept between runs of the command line, in `<gitdir>/reverie/cache/<name>.json`: reverie.yaml
 * as validated (keyed by its bytes), the cycles main has settled and the last answer of `why` (keyed by main's commit,
 * whose history never changes), and what those are worked out from, by object id (KeptByOid: main's commits and
 * cycle records), for when main moves on. A short command otherwise spends most of its time loading the YAML parser
 * or reading every commit of main again.
 *
 * Only the command line turns it on, for the commands that only report (`log`, `status`, `stats`, `why`) and for
 * `dream` (whose quiet nights are mostly reading reverie.yaml), never with `--dry-run`, which promises to leave the git
 * directory alone; with an id of its build (scripts/build-cli.ts), which is part of every key: an answer is never
 * taken from another version of the code that worked it out. The library and the tests never read or write a cache.
 * An entry is one JSON file, replaced whole (written aside, then renamed); one that cannot be read or parsed, or holds
 * another key, is a miss; a write that fails (a read-only repository) is skipped. Nothing here
 * is worth an error: the answer is worked out again.
 */
import { crypto } from './crypto.js';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPORARY_PREFIX } from '../git/durable.js';

let build: string | undefined;

/** Turns the cache on for this process (off again with undefined); `buildId` names the code that computes what is cached. */
export function enableReadCache(buildId: string | undefined): void {
  build = buildId;
}

export function readCacheEnabled(): boolean {
  return build !== undefined;
}

function fileOf(gitdir: string, name: string): string {
  return path.join(gitdir, 'reverie', 'cache', `${name}.json`);
}

/** The key as stored, whole rather than hashed: comparing it costs less than loading node:crypto to hash it. */
function fullKey(key: string): string {
  return `${build}\0${key}`;
}

/** The value stored under `name` for `key`, or undefined (cache off, nothing stored, another key, unreadable). */
export function readCached<T>(gitdir: string, name: string, key: string): T | undefined {
  if (build === undefined) return undefined;
  try {
    const entry = JSON.parse(readFileSync(fileOf(gitdir, name), 'utf8')) as { key?: unknown; value?: T };
    return entry.key === fullKey(key) ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

/** Stores `value` (plain JSON data) under `name` for `key`, replacing what was there; best effort. */
export function writeCached(gitdir: string, name: string, key: string, value: unknown): void {
  if (build === undefined) return;
  const file = fileOf(gitdir, name);
  // Named as durable.ts names its temporary files, so that recovery removes one a killed process left.
  const temporary = path.join(path.dirname(file), `${TEMPORARY_PREFIX}${process.pid}_${crypto().randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ key: fullKey(key), value }));
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Left for recovery to remove.
    }
  }
}

/**
 * Values worked out from git objects, by object id, kept between runs under `name`: an object's id names its
 * content, so a value kept is never out of date, and when main moves on only the new objects are read. `keep` stores
 * the values this run used (those of objects no longer asked for go), and only when one had to be worked out.
 */
export class KeptByOid<T> {
  private readonly kept: Record<string, T>;
  private readonly used = new Map<string, T>();
  private added = false;

  constructor(
    private readonly gitdir: string,
    private readonly name: string,
  ) {
    this.kept = readCached<Record<string, T>>(gitdir, name, 'by-oid') ?? {};
  }

  async get(oid: string, work: () => Promise<T>): Promise<T> {
    let value = this.used.get(oid) ?? (Object.hasOwn(this.kept, oid) ? this.kept[oid] : undefined);
    if (value === undefined) {
      value = await work();
      this.added = true;
    }
    this.used.set(oid, value);
    return value;
  }

  keep(): void {
    if (this.added) writeCached(this.gitdir, this.name, 'by-oid', Object.fromEntries(this.used));
  }
}
