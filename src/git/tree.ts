/**
 * Reading files out of commits without touching the working tree: a dream cycle plans against what main
 * says, not against whatever half-edited files happen to be on disk.
 */
import { isoGit } from './iso.js';
import type { TreeEntry } from 'isomorphic-git';
import { objectCache, readCommit } from './cache.js';
import { readTreeDirect } from './odb.js';
import { readBlobContent } from './objects.js';
import type { Repo } from './repo.js';

// Keep a byte order mark in the text, so that writing the text back reproduces the file exactly.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A file in a tree: its path from the root, blob oid and mode. */
export interface TreeFile {
  path: string;
  oid: string;
  mode: string;
}

/**
 * Entries of the tree at `oid` (a commit or tree oid), or [] for undefined (the empty tree). Read once per
 * repository and then shared (see cache.ts), hence read-only.
 */
export async function readTreeEntries(repo: Repo, oid: string | undefined): Promise<readonly TreeEntry[]> {
  if (!oid) return [];
  const { trees } = objectCache(repo);
  const cached = trees.get(oid);
  if (cached) return cached;
  const read = readTree(repo, oid).then(({ tree }) => Object.freeze(tree.map((entry) => Object.freeze(entry))));
  trees.set(oid, read);
  // A failed read is not remembered: the next caller tries again (and gets the error again if it persists).
  read.catch(() => trees.delete(oid));
  return read;
}

/** Which part of a tree to look at. */
export interface FileScope {
  /**
   * Folders (`/`-separated, from the root, e.g. `memory`, `.reverie`) whose files are wanted: folders that
   * are neither inside one of them nor on the way to one are not walked at all, which matters in a repository
   * that also holds thousands of session logs. `''` or no `under` means the whole tree.
   */
  under?: readonly string[];
}

/**
 * Every regular file under the tree of `oid` (within `scope`), depth first. Symlinks and submodules are skipped:
 * their "content" is a link target or a commit, never memory text, and following them could leave the repo.
 */
export async function listFilesAt(repo: Repo, oid: string | undefined, prefix = '', scope: FileScope = {}): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  for (const entry of await readTreeEntries(repo, oid)) {
    const path = prefix + entry.path;
    if (entry.type === 'tree') {
      if (reaches(scope, path)) files.push(...(await listFilesAt(repo, entry.oid, `${path}/`, scope)));
    } else if (isRegularFile(entry.mode) && within(scope, path)) files.push({ path, oid: entry.oid, mode: entry.mode });
  }
  return files;
}

/** `path` is inside one of the scope's folders. */
function within({ under }: FileScope, path: string): boolean {
  return !under || under.some((folder) => folder === '' || path === folder || path.startsWith(`${folder}/`));
}

/** The folder `path` is inside one of the scope's folders or on the way to one. */
function reaches(scope: FileScope, path: string): boolean {
  return within(scope, path) || (scope.under ?? []).some((folder) => folder.startsWith(`${path}/`));
}

/** UTF-8 text of the files at commit `oid` (within `scope`) whose path passes `filter`. */
export async function readFilesAt(
  repo: Repo,
  oid: string,
  filter: (path: string) => boolean = () => true,
  scope: FileScope = {},
): Promise<Map<string, string>> {
  const wanted = (await listFilesAt(repo, oid, '', scope)).filter((file) => filter(file.path));
  // Read side by side, so that the reads and the inflating of large blobs overlap; kept in tree order.
  const texts = await Promise.all(wanted.map((file) => readBlobText(repo, file.oid)));
  return new Map(wanted.map((file, i) => [file.path, texts[i] as string]));
}

/** UTF-8 text of `path` at commit `oid`, or undefined when there is no regular file there. */
export async function readFileAt(repo: Repo, oid: string, path: string): Promise<string | undefined> {
  const blob = await blobOidAt(repo, oid, path);
  return blob === undefined ? undefined : readBlobText(repo, blob);
}

/** Blob oid of the regular file at `path` in commit `oid`, or undefined. Cheap way to tell if a file changed. */
export async function blobOidAt(repo: Repo, oid: string, path: string): Promise<string | undefined> {
  const entry = await entryAt(repo, oid, path);
  return entry?.type === 'blob' && isRegularFile(entry.mode) ? entry.oid : undefined;
}

/** The tree entry (file, symlink, submodule or directory) at `path` in commit `oid`, or undefined. */
export async function entryAt(repo: Repo, oid: string, path: string): Promise<TreeEntry | undefined> {
  let entry: TreeEntry | undefined;
  let treeOid: string | undefined = oid;
  for (const name of path.split('/')) {
    if (!treeOid) return undefined;
    entry = (await readTreeEntries(repo, treeOid)).find((e) => e.path === name);
    treeOid = entry?.type === 'tree' ? entry.oid : undefined;
  }
  return entry;
}

/**
 * Paths of files that differ between two commits (added, modified, deleted or changed mode), sorted.
 * `fromOid` undefined means the empty tree. Identical subtrees are skipped by oid, so the cost follows the change.
 */
export async function changedPaths(repo: Repo, fromOid: string | undefined, toOid: string): Promise<string[]> {
  const paths = await diffTrees(repo, await treeOf(repo, fromOid), await treeOf(repo, toOid), '');
  return paths.sort();
}

async function diffTrees(repo: Repo, a: string | undefined, b: string | undefined, prefix: string): Promise<string[]> {
  if (a === b) return [];
  const before = byName(await readTreeEntries(repo, a));
  const after = byName(await readTreeEntries(repo, b));
  const paths: string[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    paths.push(...(await diffEntry(repo, before.get(name), after.get(name), prefix + name)));
  }
  return paths;
}

/** One name in two trees: a file on either side is a changed path, trees on either side are recursed into. */
async function diffEntry(
  repo: Repo,
  a: TreeEntry | undefined,
  b: TreeEntry | undefined,
  path: string,
): Promise<string[]> {
  if (a && b && a.oid === b.oid && a.mode === b.mode) return [];
  const subA = a?.type === 'tree' ? a.oid : undefined;
  const subB = b?.type === 'tree' ? b.oid : undefined;
  const paths = subA || subB ? await diffTrees(repo, subA, subB, `${path}/`) : [];
  const fileA = a !== undefined && a.type !== 'tree';
  const fileB = b !== undefined && b.type !== 'tree';
  if (fileA || fileB) paths.push(path);
  return paths;
}

/** Tree oid of a commit (or undefined for undefined), so that diffs can compare trees by oid. */
async function treeOf(repo: Repo, commitOid: string | undefined): Promise<string | undefined> {
  return commitOid ? treeOid(repo, commitOid) : undefined;
}

/** The oid of the tree of a commit (or of a tree itself), as isomorphic-git's readTree resolves it. */
export async function treeOid(repo: Repo, oid: string): Promise<string> {
  const written = objectCache(repo).commitTrees.get(oid);
  if (written) return written;
  const commit = await readCommit(repo, oid).catch(() => undefined);
  return commit ? commit.commit.tree : (await readTree(repo, oid)).oid;
}

/** A tree (or a commit's tree), read directly where it can be, else by isomorphic-git. */
async function readTree(repo: Repo, oid: string): Promise<{ oid: string; tree: readonly TreeEntry[] }> {
  const direct = await readTreeDirect(repo, oid);
  if (direct) return direct;
  const { fs, gitdir, cache } = repo;
  return (await isoGit()).readTree({ fs, gitdir, cache, oid });
}

/** UTF-8 text of a blob; read once per repository (see cache.ts). */
export async function readBlobText(repo: Repo, oid: string): Promise<string> {
  const { texts } = objectCache(repo);
  const cached = texts.get(oid);
  if (cached !== undefined) return cached;
  const text = decoder.decode(await readBlobContent(repo, oid));
  texts.set(oid, text);
  return text;
}

function byName(entries: readonly TreeEntry[]): Map<string, TreeEntry> {
  return new Map(entries.map((e) => [e.path, e]));
}

function isRegularFile(mode: string): boolean {
  return mode === '100644' || mode === '100755';
}
