/**
 * Writing commits straight into the object database: one commit per curation action, built from the parent's
 * tree, so that a dream cycle never needs a checkout, never touches the index and never sees the user's edits.
 */
import type { TreeEntry } from 'isomorphic-git';
import { GitStateError, UnsafePathError } from '../errors.js';
import { objectCache, readCommit } from './cache.js';
import { ObjectWriter } from './objects.js';
import type { PackBuilder } from './pack-write.js';
import { lockRef } from './lock.js';
import { resolveRef, shortBranch, type Repo } from './repo.js';
import { readTreeEntries, treeOid } from './tree.js';

export interface Author {
  name: string;
  email: string;
}

/**
 * New text per path, or what makes its text (or its UTF-8 bytes) when the commit writes the file; null deletes the
 * file. Paths are relative to the repository root, `/`-separated. What the commit makes is let go once written (not
 * kept in the repository's cache of texts): a cycle's state files are tens of megabytes, not all held at once.
 */
export type FileChanges = Map<string, FileChange>;

export type FileChange = string | (() => string | Buffer) | null;

export interface CommitChangesInput {
  /** The commit to build on; undefined makes a root commit. */
  parent: string | undefined;
  changes: FileChanges;
  message: string;
  /** Also used as committer, so that a commit's identity and time are fully determined by the input. */
  author: Author;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  /** Write a commit even when the tree is unchanged (default false: an action that changes nothing is a bug). */
  allowEmpty?: boolean;
  /**
   * Where the objects go: by default each into a loose file, flushed before this returns. With a pack, into the pack,
   * which its owner writes before any ref points at the commit (a cycle writes its commits as one pack).
   */
  pack?: PackBuilder;
  /** The last commit into `pack` before it is written: its files' bytes are compressed as they go in (PackBuilder.add). */
  lastInPack?: boolean;
}

/** Writes a commit whose tree is the parent's with `changes` applied, and returns its oid. No ref moves. */
export async function commitChanges(repo: Repo, input: CommitChangesInput): Promise<string> {
  for (const path of input.changes.keys()) assertTreePath(path);
  const parentTree = input.parent ? await treeOid(repo, input.parent) : undefined;
  const build: Build = { repo, writer: new ObjectWriter(repo, input.pack), trees: [], blobs: [], last: input.lastInPack === true };
  try {
    const tree = (await applyChanges(build, parentTree, input.changes, '')) ?? writeTree(build, []);
    if (tree === parentTree && !input.allowEmpty) {
      throw new GitStateError(`nothing to commit: the changes leave the tree of ${input.parent} as it was`);
    }
    const signature = { ...input.author, timestamp: input.timestamp ?? nowSeconds() };
    const oid = build.writer.commit({
      message: input.message.replace(/\s*$/, '\n'),
      tree,
      parent: input.parent ? [input.parent] : [],
      author: signature,
      committer: signature,
    });
    await build.writer.flush();
    // The next action's commit goes on this one: know its trees without reading them back.
    const cache = objectCache(repo);
    for (const [treeOid, entries] of build.trees) cache.written.set(treeOid, entries);
    for (const [blob, text] of build.blobs) cache.texts.set(blob, text);
    cache.commitTrees.set(oid, tree);
    return oid;
  } finally {
    // Whatever happened, nothing of this commit is still being written when it returns.
    await build.writer.settle();
  }
}

/** One commit being built: where its objects go, and the trees and texts it wrote (for the cache, once they are stored). */
interface Build {
  repo: Repo;
  writer: ObjectWriter;
  trees: [string, readonly TreeEntry[]][];
  blobs: [string, string][];
  /** No later version of its files goes into the pack (CommitChangesInput.lastInPack). */
  last: boolean;
}

/**
 * Applies changes below one tree and writes the resulting tree; returns undefined when it ends up empty,
 * because git does not keep empty directories. Entries no change reaches keep their oids, so only the
 * trees on the path to a change are rewritten.
 */
async function applyChanges(
  build: Build,
  tree: string | undefined,
  changes: FileChanges,
  prefix: string,
): Promise<string | undefined> {
  const entries = new Map((await treeEntries(build.repo, tree)).map((e) => [e.path, e]));
  for (const [name, change] of groupByName(changes)) {
    const next = await nameEntry(build, entries.get(name), change, prefix + name);
    if (next) entries.set(name, { ...next, path: name });
    else entries.delete(name);
  }
  return entries.size > 0 ? writeTree(build, [...entries.values()]) : undefined;
}

/** Entries of a tree: one this process wrote (a cycle's previous commit) from memory, else as read from the repository. */
async function treeEntries(repo: Repo, tree: string | undefined): Promise<readonly TreeEntry[]> {
  return (tree && objectCache(repo).written.get(tree)) || readTreeEntries(repo, tree);
}

/** A tree entry without its name: what a change turns a name into. */
type EntryValue = Omit<TreeEntry, 'path'>;

interface NameChange {
  /** The change to the file called exactly `name` (undefined when only paths below it change). */
  content?: FileChange;
  /** Changes below `name`, keyed by the rest of the path. */
  children: FileChanges;
}

/** Splits `a/b/c` into `a` → `b/c`, so each tree level handles its own names. */
function groupByName(changes: FileChanges): Map<string, NameChange> {
  const groups = new Map<string, NameChange>();
  for (const [path, content] of changes) {
    const slash = path.indexOf('/');
    const name = slash < 0 ? path : path.slice(0, slash);
    const group: NameChange = groups.get(name) ?? { children: new Map() };
    if (slash < 0) group.content = content;
    else group.children.set(path.slice(slash + 1), content);
    groups.set(name, group);
  }
  return groups;
}

/**
 * What one name becomes. A file may turn into a folder (`x` deleted, `x/y` written) or a folder into a file
 * (everything under `x` deleted, `x` written) in one commit, as in git.
 */
async function nameEntry(
  build: Build,
  current: EntryValue | undefined,
  change: NameChange,
  path: string,
): Promise<EntryValue | undefined> {
  let entry = current;
  if (change.content === null) {
    if (entry?.type === 'tree') throw new GitStateError(`cannot delete ${path}: it is a directory`);
    entry = undefined;
  }
  if (change.children.size > 0) entry = await directoryEntry(build, entry, change.children, path);
  if (change.content !== null && change.content !== undefined) entry = fileEntry(build, entry, change.content, path);
  return entry;
}

function fileEntry(build: Build, current: EntryValue | undefined, content: string | (() => string | Buffer), path: string): EntryValue {
  if (current?.type === 'tree') throw new GitStateError(`cannot write ${path}: it is a directory`);
  const oid = build.writer.blob(typeof content === 'string' ? content : content(), path, { last: build.last });
  if (typeof content === 'string') build.blobs.push([oid, content]);
  // Keep an executable bit; anything else (new file, symlink replaced by text) becomes a regular file.
  const mode = current?.mode === '100755' ? '100755' : '100644';
  return { mode, oid, type: 'blob' };
}

async function directoryEntry(
  build: Build,
  current: EntryValue | undefined,
  children: FileChanges,
  path: string,
): Promise<EntryValue | undefined> {
  if (current && current.type !== 'tree') {
    // Deleting below a file deletes nothing; writing below it would silently drop the file.
    if ([...children.values()].every((c) => c === null)) return current;
    throw new GitStateError(`cannot write below ${path}: it is a file`);
  }
  const oid = await applyChanges(build, current?.oid, children, `${path}/`);
  return oid ? { mode: '040000', oid, type: 'tree' } : undefined;
}

/**
 * Points `refs/heads/<branch>` at `oid`, compare-and-set: when `expectedOld` is given, the ref must still
 * hold it (null: the branch must not exist yet), else GitStateError and nothing changes. Creating a
 * branch is `updateBranch(repo, name, oid, { expectedOld: null })`.
 */
export async function updateBranch(
  repo: Repo,
  branch: string,
  oid: string,
  { expectedOld }: { expectedOld?: string | null } = {},
): Promise<void> {
  await updateRef(repo, `refs/heads/${shortBranch(branch)}`, oid, { expectedOld });
}

/** Points the full ref `ref` (`refs/...`) at the commit `oid`, compare-and-set as updateBranch. */
export async function updateRef(repo: Repo, ref: string, oid: string, { expectedOld }: { expectedOld?: string | null } = {}): Promise<void> {
  if (!ref.startsWith('refs/')) throw new GitStateError(`${ref} is not a full ref name (refs/...)`);
  assertTreePath(ref);
  await assertCommit(repo, oid);
  await lockRef(repo, ref, async (write) => {
    const actual = (await resolveRef(repo, ref)) ?? null;
    if (expectedOld !== undefined && actual !== expectedOld) throw refMoved(ref, expectedOld, actual);
    await write(oid);
  });
}

export function refMoved(ref: string, expected: string | null, actual: string | null): GitStateError {
  const want = expected ? `at ${expected}` : 'not to exist';
  const got = actual ? `is at ${actual}` : 'does not exist';
  return new GitStateError(`${ref} moved: expected it ${want}, but it ${got}`);
}

/** A ref to a missing object would break every later command; check before writing one. */
async function assertCommit(repo: Repo, oid: string): Promise<void> {
  try {
    await readCommit(repo, oid);
  } catch {
    throw new GitStateError(`${oid} is not a commit in ${repo.dir}`);
  }
}

/** Refuses paths that git or a checkout would mishandle or that could leave the working tree. */
export function assertTreePath(path: string): void {
  const parts = path.split('/');
  const bad = parts.some((p) => p === '' || p === '.' || p === '..' || p.toLowerCase() === '.git');
  if (bad || /[\\\0]/.test(path)) {
    throw new UnsafePathError('is not a clean relative path inside the repository', path);
  }
}

function writeTree(build: Build, tree: TreeEntry[]): string {
  const entries = Object.freeze(tree.map((e) => Object.freeze({ ...e })));
  const oid = build.writer.tree(entries);
  build.trees.push([oid, entries]);
  return oid;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
