/**
 * Blame-lite for provenance: when did a piece of memory text arrive? Git blame works on lines, but an entry is
 * a block of text that may move within its file, so we ask instead: going back from `ref`, since which commit
 * has the file contained this text without interruption?
 */
import { GitStateError } from '../errors.js';
import { walkFirstParent } from './log.js';
import { resolveRef, type Repo } from './repo.js';
import { blobOidAt, readBlobText } from './tree.js';

export interface IntroducedAtOptions {
  /** How many first-parent commits to look at, at most. Text older than that gets the oldest examined commit's time. */
  maxCommits?: number;
}

/**
 * For each text in `raws` that `path` contains at `ref`: the ISO commit time of the oldest commit on the
 * first-parent chain from which every later version of the file contains it. Texts not in the file at `ref`
 * are left out of the map. Stops as soon as every text is placed.
 */
export async function introducedAt(
  repo: Repo,
  ref: string,
  path: string,
  raws: string[],
  { maxCommits = 200 }: IntroducedAtOptions = {},
): Promise<Map<string, string>> {
  const head = await resolveRef(repo, ref);
  if (!head) throw new GitStateError(`cannot trace ${path}: ${ref} does not exist`);
  const found = new Map<string, string>();
  let pending: Set<string> | undefined;
  let seen = { blob: undefined as string | undefined, text: '', time: 0, count: 0 };
  for await (const { oid, commit } of walkFirstParent(repo, head)) {
    const blob = await blobOidAt(repo, oid, path);
    // Commits that leave the file alone cannot change the answer: skip reading it again.
    const unchanged = pending !== undefined && blob === seen.blob;
    const text = unchanged ? seen.text : blob ? await readBlobText(repo, blob) : '';
    pending ??= new Set(raws.filter((raw) => text.includes(raw)));
    // The same file as in the newer commit still holds every text still pending: nothing to search.
    for (const raw of unchanged ? [] : pending) {
      if (!(blob && text.includes(raw))) settle(found, pending, raw, seen.time);
    }
    if (pending.size === 0) return found;
    seen = { blob, text, time: commit.committer.timestamp, count: seen.count + 1 };
    if (seen.count >= maxCommits) break;
  }
  // Reached the root or the limit while the texts were still there: the oldest commit examined is the answer.
  for (const raw of pending ?? []) settle(found, pending!, raw, seen.time);
  return found;
}

function settle(found: Map<string, string>, pending: Set<string>, raw: string, seconds: number): void {
  found.set(raw, new Date(seconds * 1000).toISOString());
  pending.delete(raw);
}
