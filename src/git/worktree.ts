/**
 * Approval on the user's machine: moving a branch forward and, when it is checked out, bringing exactly the
 * changed files on disk and in the index along, so that `git status` stays clean. The user's own edits are
 * never overwritten: if one of the files to update is modified, nothing moves at all.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats, Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isoGit } from './iso.js';
import type { TreeEntry } from 'isomorphic-git';
import { CheckoutIncompleteError, GitStateError, UnsafePathError } from '../errors.js';
import { TEMPORARY_PREFIX, writeFileDurably } from './durable.js';
import { refMoved } from './commit.js';
import { lockRef } from './lock.js';
import { readBlobContent } from './objects.js';
import { checkedOutRef, isAncestor, resolveRef, shortBranch, type Repo } from './repo.js';
import { entryStat, newEntry, readIndex, replaceEntries, statMatches, writeIndex, type IndexEntry, type IndexFile } from './index-file.js';
import { changedPaths, entryAt } from './tree.js';
import { journalFile, type CheckoutJournal } from './checkout-journal.js';
import { mapLimited } from '../util/limited.js';

export { readCheckoutJournal, type CheckoutJournal } from './checkout-journal.js';

export interface FastForwardInput {
  branch: string;
  /** The commit the branch moves to; must descend from `expectedOld`. */
  to: string;
  /** Where the branch must still be (compare-and-set). */
  expectedOld: string;
}

export interface FastForwardResult {
  /** Files that differ between `expectedOld` and `to`. */
  changed: string[];
  /** True when the branch was checked out and the working tree and index were updated. */
  workingTreeUpdated: boolean;
}

/**
 * Moves `refs/heads/<branch>` from `expectedOld` to `to`. Throws GitStateError, leaving ref, index and files as
 * they were, when `to` does not descend from `expectedOld`, when the branch has moved, or when the branch is
 * checked out and a file to update has uncommitted changes.
 */
export async function fastForward(repo: Repo, input: FastForwardInput): Promise<FastForwardResult> {
  const { to, expectedOld } = input;
  const ref = `refs/heads/${shortBranch(input.branch)}`;
  if (!(await isAncestor(repo, expectedOld, to))) {
    throw new GitStateError(`cannot fast-forward ${ref} to ${to}: it does not descend from ${expectedOld}`);
  }
  return lockRef(repo, ref, async (write) => {
    const actual = (await resolveRef(repo, ref)) ?? null;
    if (actual !== expectedOld) throw refMoved(ref, expectedOld, actual);
    const changed = await changedPaths(repo, expectedOld, to);
    const checkedOut = (await checkedOutRef(repo)) === ref;
    const targets = checkedOut ? await preflight(repo, expectedOld, to, changed) : [];
    // The ref is the truth once it moves; until the files follow it, the journal says what is left to bring along,
    // so that a run killed in between is finished by the next one (finishCheckout) and never read as edits.
    if (checkedOut) await writeCheckoutJournal(repo, { ref, from: expectedOld, to, paths: changed });
    await write(to);
    if (checkedOut) {
      try {
        await checkoutFiles(repo, targets);
      } catch (error) {
        throw new CheckoutIncompleteError(`${ref} moved to ${to}, but the working tree could not follow: ${(error as Error).message}; \`reverie doctor\` finishes it`);
      }
      await removeCheckoutJournal(repo);
    }
    return { changed, workingTreeUpdated: checkedOut };
  });
}

async function writeCheckoutJournal(repo: Repo, journal: CheckoutJournal): Promise<void> {
  await writeFileDurably(journalFile(repo), `${JSON.stringify(journal, null, 2)}\n`);
}

async function removeCheckoutJournal(repo: Repo): Promise<void> {
  await fsp.rm(journalFile(repo), { force: true });
}

export interface FinishedCheckout {
  /** Files brought to the branch's commit. */
  updated: string[];
  /** Files that hold neither the old nor the new content: someone changed them since; left as they are. */
  leftAlone: string[];
  /** The branch was not where the journal says it went (the run stopped before moving it): nothing to finish. */
  stale: boolean;
}

/**
 * Finishes a fast-forward a killed run left halfway: every file of the journal that still holds its old content
 * (or already the new) is written as the new commit has it and staged; a file changed since is left alone and
 * named. The index is rewritten for those files only.
 */
export async function finishCheckout(repo: Repo, journal: CheckoutJournal): Promise<FinishedCheckout> {
  const actual = await resolveRef(repo, journal.ref);
  const checkedOut = (await checkedOutRef(repo)) === journal.ref;
  if (actual !== journal.to || !checkedOut) {
    await removeCheckoutJournal(repo);
    return { updated: [], leftAlone: [], stale: true };
  }
  const targets: Target[] = [];
  const leftAlone: string[] = [];
  for (const file of journal.paths) {
    const [before, after] = await Promise.all([entryAt(repo, journal.from, file), entryAt(repo, journal.to, file)]);
    const onDisk = await contentOid(repo.dir, file);
    if (onDisk !== 'unsure' && (onDisk === (before?.oid ?? 'absent') || onDisk === (after?.oid ?? 'absent'))) {
      targets.push({ path: file, entry: after?.type === 'tree' ? undefined : after });
    } else {
      leftAlone.push(file);
    }
  }
  const deleted = new Set(targets.filter((t) => !t.entry).map((t) => t.path));
  await assertFoldersFree(repo.dir, targets.map((t) => t.path), deleted);
  await checkoutFiles(repo, targets);
  await stageWithoutTouching(repo, journal, leftAlone);
  await removeCheckoutJournal(repo);
  return { updated: targets.map((t) => t.path), leftAlone, stale: false };
}

/**
 * A file changed since the crash keeps its content on disk, but its index entry, still the old commit's, moves to
 * the new one: `git status` then shows the person's edit against main, not the approved change undone. An entry
 * someone staged meanwhile is theirs and stays.
 */
async function stageWithoutTouching(repo: Repo, journal: CheckoutJournal, files: string[]): Promise<void> {
  if (files.length === 0) return;
  const index = await readIndex(repo.gitdir);
  const staged = new Map((index?.entries ?? []).filter((e) => e.stage === 0).map((e) => [e.path, entryStat(e)?.oid]));
  for (const file of files) {
    const [before, after] = await Promise.all([entryAt(repo, journal.from, file), entryAt(repo, journal.to, file)]);
    if (staged.get(file) !== before?.oid) continue;
    if (after && after.type === 'blob') await (await isoGit()).updateIndex({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, cache: repo.cache, filepath: file, oid: after.oid, mode: Number.parseInt(after.mode, 8), add: true });
    else await updateIndex(repo, file, { remove: true, force: true });
  }
}

/** The blob oid of a file's content on disk, 'absent', or 'unsure' for what is not a plain file or a symlink. */
async function contentOid(dir: string, file: string): Promise<string> {
  const full = path.join(dir, file);
  const stat = await fsp.lstat(full).catch(() => undefined);
  if (!stat) return 'absent';
  let content: Buffer;
  if (stat.isSymbolicLink()) content = Buffer.from(await fsp.readlink(full), 'utf8');
  else if (stat.isFile()) content = await fsp.readFile(full);
  else return 'unsure';
  return createHash('sha1').update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content])).digest('hex');
}

/** A changed path and what it becomes: its entry at the target commit, or undefined when it is deleted. */
interface Target {
  path: string;
  entry: TreeEntry | undefined;
}

/** Everything that can refuse the update is checked here, before the ref moves. */
async function preflight(repo: Repo, from: string, to: string, paths: string[]): Promise<Target[]> {
  const dirty = await dirtyAmong(repo, paths, from);
  if (dirty.length > 0) {
    throw new GitStateError(
      `cannot update the working tree: ${dirty.join(', ')} ${dirty.length > 1 ? 'have' : 'has'} uncommitted changes; ` +
        'commit or stash them and try again',
    );
  }
  const targets: Target[] = [];
  for (const file of paths) {
    const entry = await entryAt(repo, to, file);
    if (entry?.mode === '160000') throw new GitStateError(`cannot update submodule ${file}: reverie writes files only`);
    targets.push({ path: file, entry: entry?.type === 'tree' ? undefined : entry });
  }
  const deleted = new Set(targets.filter((t) => !t.entry).map((t) => t.path));
  await assertFoldersFree(repo.dir, targets.map((t) => t.path), deleted);
  return targets;
}

/**
 * The folders on the way to a file must be real folders, or absent, or files this update deletes: a symlink
 * would lead the write out of the working tree, and an untracked file in the way would stop us halfway.
 */
async function assertFoldersFree(dir: string, files: readonly string[], deleted: Set<string>): Promise<void> {
  // Files of one update mostly share their folders (fifty state files in .reverie/patterns): each is looked at once.
  const looked = new Map<string, Promise<Stats | undefined>>();
  const lstatOnce = (folder: string) => looked.get(folder) ?? looked.set(folder, fsp.lstat(path.join(dir, folder)).catch(() => undefined)).get(folder);
  for (const file of files) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      const stat = await lstatOnce(folder);
      if (!stat) break;
      if (stat.isSymbolicLink()) throw new UnsafePathError('has a symbolic link among its folders', file);
      if (!stat.isDirectory() && !deleted.has(folder)) {
        throw new GitStateError(`cannot write ${file}: ${folder} is in the way and is not tracked`);
      }
    }
  }
}

/**
 * Of `paths`, those whose working-tree or index state differs from commit `from`, as `dirtyPaths` says. A path the
 * index shows clean (the entry holds the commit's blob, the file on disk has exactly the entry's stat) is settled
 * here; any other is left to `dirtyPaths`, which compares contents.
 */
async function dirtyAmong(repo: Repo, paths: string[], from: string): Promise<string[]> {
  const index = await readIndex(repo.gitdir);
  if (!index) return dirtyPaths(repo, paths, from);
  const byPath = entriesByPath(index, new Set(paths));
  const clean = await Promise.all(
    paths.map(async (file) => (await isCleanByIndex(repo, index, byPath.get(file) ?? [], from, file)) || (await isCleanByContent(repo, byPath.get(file) ?? [], from, file))),
  );
  return dirtyPaths(
    repo,
    paths.filter((_, i) => !clean[i]),
    from,
  );
}

/**
 * True when `file` holds what commit `from` has, on disk and in the index, told by its content where its stat is not
 * the one the index recorded (a repository copied or restored, a file touched): the answer statusMatrix would give,
 * which reads every pack of the repository to give it. False means "look closer", as for isCleanByIndex.
 */
async function isCleanByContent(repo: Repo, entries: IndexEntry[], from: string, file: string): Promise<boolean> {
  const committed = await entryAt(repo, from, file);
  const staged = entries.length === 1 && entries[0]?.stage === 0 ? entryStat(entries[0]) : undefined;
  if (committed?.type !== 'blob' || staged?.oid !== committed.oid || (await lstatBelowFolders(repo.dir, file)) === 'unsure') return false;
  return (await contentOid(repo.dir, file)) === committed.oid;
}

function entriesByPath(index: IndexFile, paths: ReadonlySet<string>): Map<string, IndexEntry[]> {
  const byPath = new Map<string, IndexEntry[]>();
  for (const entry of index.entries) if (paths.has(entry.path)) byPath.set(entry.path, [...(byPath.get(entry.path) ?? []), entry]);
  return byPath;
}

/**
 * True when `file` is certainly as commit `from` has it, on disk and in the index: tracked with the commit's blob
 * and the file's stat unchanged since it was staged, or absent from all three. False means "look closer".
 */
async function isCleanByIndex(repo: Repo, index: IndexFile, entries: IndexEntry[], from: string, file: string): Promise<boolean> {
  const [committed, onDisk] = await Promise.all([entryAt(repo, from, file), lstatBelowFolders(repo.dir, file)]);
  if (onDisk === 'unsure') return false;
  if (!committed) return entries.length === 0 && onDisk === 'absent';
  const staged = entries.length === 1 && entries[0]?.stage === 0 ? entryStat(entries[0]) : undefined;
  if (committed.type !== 'blob' || !staged || onDisk === 'absent' || staged.oid !== committed.oid) return false;
  return staged.mode === Number.parseInt(committed.mode, 8) && statMatches(staged, onDisk, index.mtimeNs);
}

/**
 * The stat of `file` when every folder on the way to it is a real folder; 'absent' when it, or a folder on the way,
 * does not exist; 'unsure' when something else is on the way (a symlink, a file), which only a closer look can judge.
 */
async function lstatBelowFolders(dir: string, file: string): Promise<BigIntStats | 'absent' | 'unsure'> {
  const parts = file.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const stat = await fsp.lstat(path.join(dir, ...parts.slice(0, i)), { bigint: true }).catch((err: NodeJS.ErrnoException) => err.code);
    if (stat === 'ENOENT') return 'absent';
    if (typeof stat === 'string' || stat === undefined) return 'unsure';
    if (i === parts.length) return stat;
    if (!stat.isDirectory()) return 'unsure';
  }
  return 'unsure';
}

/** Deletions first, so that a file turning into a directory (or back) finds its place free; then the index, at once. */
async function checkoutFiles(repo: Repo, targets: Target[]): Promise<void> {
  for (const { path: file, entry } of targets) if (!entry) await removeFile(repo, file);
  // A few files at a time: each is half a dozen calls to the file system, and one after another a cycle that rewrites
  // fifty state files spends most of its checkout waiting for them. A few, so that only a few contents are held at once.
  const writes = targets.filter((t): t is { path: string; entry: TreeEntry } => t.entry !== undefined);
  await fsp.mkdir(path.join(repo.gitdir, 'reverie'), { recursive: true });
  const written = await mapLimited(writes, FILES_AT_ONCE, ({ path: file, entry }) => writeFile(repo, file, entry));
  await recordInIndex(repo, targets, written);
}

const FILES_AT_ONCE = 8;

async function removeFile(repo: Repo, file: string): Promise<void> {
  await fsp.rm(path.join(repo.dir, file), { force: true });
  await removeEmptyParents(repo.dir, file);
}

/**
 * Writes the file as the commit has it; returns its index entry, made from the file just written. The content is
 * written aside, in the git directory, and renamed into place: a run killed in the middle leaves the file's old
 * content or its new, never part of it, and finishCheckout tells those two apart (a part it would take for an edit
 * someone made, and leave as it is).
 */
async function writeFile(repo: Repo, file: string, entry: TreeEntry): Promise<IndexEntry> {
  const full = path.join(repo.dir, file);
  const blob = await readBlobContent(repo, entry.oid);
  await fsp.mkdir(path.dirname(full), { recursive: true });
  // In the folder checkoutFiles made.
  const aside = path.join(repo.gitdir, 'reverie', `${TEMPORARY_PREFIX}${process.pid}_${randomBytes(6).toString('hex')}`);
  await writeContent(aside, entry, blob);
  try {
    await fsp.rename(aside, full);
  } catch (error) {
    await fsp.rm(aside, { force: true });
    // A git directory on another file system than the working tree: no rename between them, so the file is written
    // in place, as git itself writes the working tree.
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fsp.rm(full, { force: true });
    await writeContent(full, entry, blob);
  }
  // The stat of the file just written, so that `git status` needs no re-hash.
  return newEntry(file, entry.oid, await fsp.lstat(full, { bigint: true }));
}

async function writeContent(file: string, entry: TreeEntry, blob: Uint8Array): Promise<void> {
  if (entry.mode === '120000') await fsp.symlink(new TextDecoder().decode(blob), file);
  else await fsp.writeFile(file, blob, { mode: entry.mode === '100755' ? 0o755 : 0o644, flag: 'wx' });
}

/**
 * The index after the update: the changed paths' entries replaced by those of the files written, in one rewrite.
 * An index in a form index-file.ts does not write is updated file by file by isomorphic-git, as before.
 */
async function recordInIndex(repo: Repo, targets: Target[], written: IndexEntry[]): Promise<void> {
  const index = await readIndex(repo.gitdir);
  if (index) {
    await writeIndex(repo.gitdir, index.version, replaceEntries(index.entries, new Set(targets.map((t) => t.path)), written));
    return;
  }
  for (const { path: file, entry } of targets) if (!entry) await updateIndex(repo, file, { remove: true, force: true });
  for (const { path: file, entry } of targets) if (entry) await updateIndex(repo, file, { add: true });
}

async function updateIndex(repo: Repo, filepath: string, how: { add?: boolean; remove?: boolean; force?: boolean }) {
  const { fs, dir, gitdir, cache } = repo;
  return (await isoGit()).updateIndex({ fs, dir, gitdir, cache, filepath, ...how });
}

/** Git does not track directories: one emptied by a deletion goes too, as `git checkout` would do. */
async function removeEmptyParents(dir: string, file: string): Promise<void> {
  for (let parent = path.dirname(file); parent !== '.'; parent = path.dirname(parent)) {
    const removed = await fsp.rmdir(path.join(dir, parent)).then(
      () => true,
      () => false,
    );
    if (!removed) return;
  }
}

/**
 * Of `paths` (files or folders), those whose working-tree or index state differs from `ref` (HEAD by
 * default), untracked files included, ignored files not. Sorted.
 */
export async function dirtyPaths(repo: Repo, paths: string[] = ['.'], ref = 'HEAD'): Promise<string[]> {
  if (paths.length === 0) return [];
  const { fs, dir, gitdir, cache } = repo;
  const rows = await (await isoGit()).statusMatrix({ fs, dir, gitdir, cache, ref, filepaths: paths });
  return rows
    .filter(([, head, workdir, stage]) => !(head === workdir && workdir === stage && (stage === 0 || stage === 1)))
    .map(([file]) => file)
    .sort();
}

/** True when none of `paths` (files or folders; the whole tree by default) differs from HEAD. */
export async function workingTreeClean(repo: Repo, paths: string[] = ['.']): Promise<boolean> {
  return (await dirtyPaths(repo, paths)).length === 0;
}
