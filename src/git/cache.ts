/**
 * Parsed trees and commits and the text of blobs, kept per repository. A git object never changes once
 * written, so what was read by oid stays right for good: walking history (provenance looks back up to 100
 * commits for every memory file) otherwise reads and inflates the same few hundred objects thousands of
 * times, and a cycle reads the state files at main's commit twice and the ones it wrote once more.
 */
import { isoGit } from './iso.js';
import type { ReadCommitResult, TreeEntry } from 'isomorphic-git';
import { Lru } from './lru.js';
import { readCommitDirect } from './odb.js';
import type { Repo } from './repo.js';

/**
 * How much blob text a repository keeps, in characters. A cycle reads the state files (`.reverie/*.json`,
 * megabytes once thousands of sessions are recorded) at main's commit twice and those it wrote once more.
 */
const MAX_TEXT_CHARS = 64 * 1024 * 1024;

/** How many parsed objects of each kind a repository keeps; the least recently used go first. */
const MAX_OBJECTS = 4096;

export interface ObjectCache {
  /**
   * Entries of a tree as read, by the oid of the tree or of a commit (its tree); the read itself, so that
   * walkers asking for the same tree at the same time share one read. Shared: never mutate them.
   */
  trees: Lru<Promise<readonly TreeEntry[]>>;
  /** Commits by oid, as for trees. Shared: never mutate them. */
  commits: Lru<Promise<ReadCommitResult>>;
  /**
   * Trees this process wrote, by oid: their entries in no particular order (git's order is isomorphic-git's
   * business when it reads a tree), for building the next commit on top without reading back what was just written.
   */
  written: Lru<readonly TreeEntry[]>;
  /** Tree oid of each commit this process wrote. */
  commitTrees: Lru<string>;
  /** UTF-8 text of blobs read or written, by oid. */
  texts: Lru<string>;
}

// Keyed by the repository's isomorphic-git cache object, so the objects live exactly as long as the Repo.
const caches = new WeakMap<object, ObjectCache>();

export function objectCache(repo: Repo): ObjectCache {
  let cache = caches.get(repo.cache);
  if (!cache) {
    cache = { trees: new Lru(MAX_OBJECTS), commits: new Lru(MAX_OBJECTS), written: new Lru(MAX_OBJECTS), commitTrees: new Lru(MAX_OBJECTS), texts: new Lru(MAX_TEXT_CHARS, (text) => text.length) };
    caches.set(repo.cache, cache);
  }
  return cache;
}

/** A commit, read once per repository and then shared: callers must not change it. */
export function readCommit(repo: Repo, oid: string): Promise<ReadCommitResult> {
  const { commits } = objectCache(repo);
  const cached = commits.get(oid);
  if (cached) return cached;
  const { fs, gitdir, cache } = repo;
  const read = readCommitDirect(repo, oid).then(async (direct) => direct ?? (await isoGit()).readCommit({ fs, gitdir, cache, oid }));
  commits.set(oid, read);
  // A failed read is not remembered: the next caller tries again (and gets the error again if it persists).
  read.catch(() => commits.delete(oid));
  return read;
}
