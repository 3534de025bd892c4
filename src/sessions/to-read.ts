/**
 * Which logs a load must read: those under the sources, less the ones a cycle processed already that have not changed
 * since (their content hash remembered by size, times and inode, hash-cache.ts). On most runs that is none, and then
 * what a load answers is known without loading a reader: `status` counts what waits this way.
 */
import fs from 'node:fs';
import { readHashCache, rememberedHash, sameCache, stampOf, writeHashCache, type FileStamp, type HashCache, type RememberedHash } from './hash-cache.js';
import { listSessionFiles, type SessionFile, type SessionListing } from './list.js';
import type { LoadOptions, StreamResult } from './load.js';
import type { Session } from './types.js';

export interface LogsToRead extends SessionListing {
  /** The hash cache as it was read. */
  cache: HashCache;
  /** The logs left unread, with their stamps and hashes. */
  unchanged: Map<string, RememberedHash>;
  /** The others, in the listing's order. */
  toRead: SessionFile[];
}

export async function logsToRead(options: LoadOptions): Promise<LogsToRead> {
  const listing = options.listing ?? (await listSessionFiles(options.repoDir, options.sources));
  const cache = options.hashCacheFile ? await readHashCache(options.hashCacheFile) : new Map<string, RememberedHash>();
  const unchanged = unchangedAndProcessed(listing.files, cache, options.skipHashes, options.listing?.stamps);
  return { files: listing.files, warnings: listing.warnings, unread: listing.unread, cache, unchanged, toRead: listing.files.filter((file) => !unchanged.has(file.path)) };
}

/** A load's result before any log is read: the unchanged logs count as one skipped session each. */
export function resultBeforeReading({ warnings, files, unchanged, unread }: LogsToRead): StreamResult {
  // Copies: the caller's listing stays as it was taken.
  return { warnings: [...warnings], files: files.length, skipped: unchanged.size, read: 0, unread: [...unread] };
}

/** Keeps the hashes of the logs found this time, and only those: a log that went away leaves the cache with it. */
export async function rememberHashes(options: LoadOptions, listed: LogsToRead, remembered: HashCache): Promise<void> {
  if (options.hashCacheFile && !sameCache(remembered, listed.cache)) await writeHashCache(options.hashCacheFile, remembered);
}

/** streamSessions (load.ts), which is loaded, with the readers, only when there is a log to read. */
export async function streamNewSessions(options: LoadOptions, visit: (session: Session) => void): Promise<StreamResult> {
  const listed = await logsToRead(options);
  if (listed.toRead.length > 0) return (await import('./load.js')).streamSessions(options, visit, listed);
  await rememberHashes(options, listed, listed.unchanged);
  return resultBeforeReading(listed);
}

/**
 * The logs whose remembered hash was processed already and whose file is exactly as it was when hashed. Each
 * counts as one skipped session, as it would if read and found unchanged, but without being opened.
 */
function unchangedAndProcessed(
  files: SessionFile[],
  cache: HashCache,
  skip: ReadonlySet<string> = new Set(),
  stamped?: ReadonlyMap<string, FileStamp | undefined>,
): Map<string, RememberedHash> {
  const unchanged = new Map<string, RememberedHash>();
  const candidates = files.filter((f) => skip.has(cache.get(f.path)?.sha256 ?? ''));
  const stamps = stamped ? candidates.map((f) => stamped.get(f.path)) : statAll(candidates.map((f) => f.path));
  candidates.forEach((candidate, i) => {
    const stamp = stamps[i];
    // The cache's entry itself: its stamp is this one.
    if (stamp && rememberedHash(cache, candidate.path, stamp)) unchanged.set(candidate.path, cache.get(candidate.path) as RememberedHash);
  });
  return unchanged;
}

/**
 * The stamp of each path, or undefined for a path that cannot be stat'ed (reading it will say why). Synchronous for
 * the reason readSmallFile (load.ts) is: 10,000 stats take 20 ms so, 80 ms through the thread pool.
 */
function statAll(paths: string[]): (FileStamp | undefined)[] {
  return paths.map((path) => {
    const stat = fs.statSync(path, { throwIfNoEntry: false });
    return stat ? stampOf(stat) : undefined;
  });
}
