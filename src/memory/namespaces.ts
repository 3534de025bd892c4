import { posix } from 'node:path';
import picomatch from 'picomatch';
import { UnsafePathError } from '../errors.js';
import type { SourceFile } from './snapshot.js';
import type { Namespace } from './types.js';

export function isMarkdownPath(path: string): boolean {
  // `.mdc`: Cursor's rule files, Markdown with front matter.
  return /\.(?:md|markdown|mdc)$/i.test(path);
}

/**
 * The files a snapshot of `files` holds (buildSnapshot), under the paths it keeps them by and in its order, without
 * parsing one: for a command that needs only their text (status, which looks for bytes that are not UTF-8).
 */
export function memoryFilesOf(files: readonly SourceFile[], root: string, namespaces: Namespace[]): SourceFile[] {
  const namespaceOf = namespaceMatcher(root, namespaces);
  const byPath = new Map<string, SourceFile>();
  for (const file of files) {
    if (!isMarkdownPath(file.path) || !namespaceOf(file.path)) continue;
    const path = assertInsideRoot(file.path, root);
    if (!byPath.has(path)) byPath.set(path, { path, text: file.text });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The namespace a repository path belongs to, or undefined when it belongs to none: outside the
 * memory root, unsafe, or matched by no namespace's globs. Globs are relative to the root and
 * match dot files. The first namespace that matches wins, so a protected namespace listed before
 * a catch-all keeps its files.
 */
export function namespaceFor(path: string, root: string, namespaces: Namespace[]): Namespace | undefined {
  return namespaceMatcher(root, namespaces)(path);
}

/** Whether a repository path is one of `globs`, read relative to the memory root as namespace paths are. */
export function pathMatcher(root: string, globs: readonly string[]): (path: string) => boolean {
  const matches = picomatch(globs.map(withoutDotSlash), { dot: true });
  return (path) => {
    const relative = relativeToRoot(path, root);
    return relative !== undefined && matches(relative);
  };
}

/** `namespaceFor` with the globs compiled once, for matching many paths. */
export function namespaceMatcher(root: string, namespaces: Namespace[]): (path: string) => Namespace | undefined {
  const matchers = namespaces.map((namespace) => ({ namespace, matches: compiledGlobs(namespace.paths) }));
  return (path) => {
    const relative = relativeToRoot(path, root);
    if (relative === undefined) return undefined;
    return matchers.find(({ matches }) => matches(relative))?.namespace;
  };
}

/** Compiled globs by their text: a cycle asks for the same namespaces' matchers after every action it applies. */
const compiled = new Map<string, (path: string) => boolean>();
const COMPILED_LIMIT = 256;

function compiledGlobs(globs: readonly string[]): (path: string) => boolean {
  const key = JSON.stringify(globs);
  let matches = compiled.get(key);
  if (!matches) {
    matches = picomatch(globs.map(withoutDotSlash), { dot: true });
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    compiled.set(key, matches);
  }
  return matches;
}

function relativeToRoot(path: string, root: string): string | undefined {
  try {
    const safe = assertInsideRoot(path, root);
    const base = normaliseRoot(root);
    return base === '' ? safe : safe.slice(base.length + 1);
  } catch (error) {
    if (error instanceof UnsafePathError) return undefined;
    throw error;
  }
}

function withoutDotSlash(glob: string): string {
  return glob.replace(/^(?:\.\/)+/, '');
}

/**
 * Checks that a repository-relative path names something strictly inside the memory root and returns
 * it normalised (posix, no `.` segments, no trailing slash). Rejects absolute and drive paths,
 * backslashes (a Windows separator on one machine is a file name on another), NUL and other control
 * characters, `..` escapes, and anything inside `.git`. A `..` that stays inside the root is allowed.
 * Symlinks are the shell's to check: this function never touches the file system.
 */
export function assertInsideRoot(path: string, root: string): string {
  const normalised = normalisePath(path);
  const base = normaliseRoot(root);
  if (normalised === '' || normalised === base) throw new UnsafePathError('is not a file inside the memory root', path);
  if (base !== '' && !normalised.startsWith(`${base}/`)) {
    throw new UnsafePathError(`is outside the memory root ${JSON.stringify(base)}`, path);
  }
  return normalised;
}

function normaliseRoot(root: string): string {
  return root.trim() === '' ? '' : normalisePath(root);
}

function normalisePath(path: string): string {
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new UnsafePathError('contains a control character', path);
  if (path.includes('\\')) throw new UnsafePathError('contains a backslash', path);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new UnsafePathError('is absolute', path);
  const normalised = posix.normalize(path).replace(/\/+$/, '');
  if (normalised === '..' || normalised.startsWith('../')) throw new UnsafePathError('escapes the repository', path);
  if (normalised.split('/').some((segment) => segment.toLowerCase() === '.git')) {
    throw new UnsafePathError('is inside .git', path);
  }
  return normalised === '.' ? '' : normalised;
}
