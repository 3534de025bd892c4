/**
 * What a command meets in the memory besides Markdown text, read from a commit: symbolic links, which no command
 * follows, and files whose bytes are not UTF-8, which no cycle rewrites (decoded, their bytes become U+FFFD, and
 * writing the text back would lose them on every line). See memory/symlinks.ts for what is said of a link.
 */
import type { TreeEntry } from 'isomorphic-git';
import { UnsafePathError } from '../errors.js';
import type { Repo } from '../git/repo.js';
import { blobOidAt, readBlobText, readTreeEntries } from '../git/tree.js';
import { readBlobContent } from '../git/objects.js';
import type { MemorySymlink } from '../memory/symlinks.js';
import { invalidUtf8Line } from '../util/utf8.js';

/** A memory file that is not UTF-8 text, with the line of its first bad bytes. */
export interface NotUtf8 {
  path: string;
  line: number;
}

/**
 * The symbolic links at or under `root` in the tree of `commit`, the root itself and the folders on the way to it
 * included (a `memory` that is a link would otherwise just look empty).
 */
export async function symlinksAt(repo: Repo, commit: string, root: string): Promise<MemorySymlink[]> {
  let tree = commit;
  let prefix = '';
  for (const name of root === '' ? [] : root.split('/')) {
    const entries: readonly TreeEntry[] = await readTreeEntries(repo, tree);
    const entry = entries.find((e) => e.path === name);
    if (entry?.mode === '120000') return [{ path: prefix + name, target: await readBlobText(repo, entry.oid) }];
    if (entry?.type !== 'tree') return [];
    tree = entry.oid;
    prefix += `${name}/`;
  }
  return symlinksUnder(repo, tree, prefix);
}

async function symlinksUnder(repo: Repo, tree: string, prefix: string): Promise<MemorySymlink[]> {
  const links: MemorySymlink[] = [];
  for (const entry of await readTreeEntries(repo, tree)) {
    if (entry.type === 'tree') links.push(...(await symlinksUnder(repo, entry.oid, `${prefix}${entry.path}/`)));
    else if (entry.mode === '120000') links.push({ path: prefix + entry.path, target: await readBlobText(repo, entry.oid) });
  }
  return links;
}

/**
 * The files among `files` (path → text as read from `commit`) whose bytes are not UTF-8. Only a text holding
 * U+FFFD can have come from such bytes, so only those are read again, as bytes.
 */
export async function notUtf8At(repo: Repo, commit: string, files: Iterable<{ path: string; text: string }>): Promise<NotUtf8[]> {
  const found: NotUtf8[] = [];
  for (const { path, text } of files) {
    if (!text.includes('\uFFFD')) continue;
    const oid = await blobOidAt(repo, commit, path);
    const line = oid === undefined ? undefined : invalidUtf8Line(await readBlobContent(repo, oid));
    if (line !== undefined) found.push({ path, line });
  }
  return found;
}

/** What a cycle (or a revert) says of a file it will not rewrite: the file, the line, and what to do about it. */
export function notUtf8Error({ path, line }: NotUtf8, who = 'the cycle'): UnsafePathError {
  return new UnsafePathError(
    `is not UTF-8 text (line ${line}): rewriting it would put U+FFFD in place of those bytes, so ${who} touches nothing; save the file as UTF-8 (\`reverie lint\` reports it too)`,
    path,
  );
}

/** The same, as a warning for a command that only reports (status); the warning carries the file and line. */
export function notUtf8Message(): string {
  return 'not UTF-8 text (the first bad bytes are on this line); a cycle refuses to run until the file is saved as UTF-8';
}
