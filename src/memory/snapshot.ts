import { entriesOf } from './entries.js';
import { parseDocument } from './markdown.js';
import { assertInsideRoot, isMarkdownPath, namespaceMatcher } from './namespaces.js';
import { estimateTokens } from './tokens.js';
import type { Entry, MemoryDocument, MemoryFile, MemorySnapshot, Namespace } from './types.js';

export interface SourceFile {
  /** Path relative to the repository root, e.g. `memory/notes.md`. */
  path: string;
  text: string;
}

/**
 * How a file's entries are read: by default entriesOf; curation, which rebuilds the snapshot after every action, reads
 * a changed file's entries from its version before (`before`, the file of `previous` under the same path). A reader
 * may give them as a function, called when the file's `entries` are first read (and once only): an edit to a long
 * file moves thousands of entries to other lines, and most versions of the file are only asked about a few of them.
 */
export type EntriesReader = (document: MemoryDocument, namespace: Namespace, before: MemoryFile | undefined) => Entry[] | (() => Entry[]);

const readEntries: EntriesReader = (document, namespace) => entriesOf(document, namespace.name, namespace.policy);

/**
 * The memory in scope: Markdown files (`.md`, `.markdown`, any case) inside the root that some
 * namespace claims, sorted by path (code-unit order, the same on every machine). Other files,
 * and paths that are unsafe or outside the root, are left out rather than rejected: the shell
 * hands over whatever the tree holds. Paths are kept normalised; of two that normalise alike, the first wins.
 */
export function buildSnapshot(files: SourceFile[], root: string, namespaces: Namespace[], previous?: MemorySnapshot, entriesFor: EntriesReader = readEntries): MemorySnapshot {
  const namespaceOf = namespaceMatcher(root, namespaces);
  // A file whose text did not change parses the same: curation rebuilds after every action and reuses the rest.
  const unchanged = new Map((previous?.root === root && previous.namespaces === namespaces ? previous.files : []).map((f) => [f.path, f]));
  const byPath = new Map<string, MemoryFile>();
  for (const file of files) {
    // A file as it was, under the path it was kept by: the same file, found in the same namespace, parsed the same.
    const same = unchanged.get(file.path);
    if (same && same.document.text === file.text && same.path === file.path) {
      if (!byPath.has(same.path)) byPath.set(same.path, same);
      continue;
    }
    if (!isMarkdownPath(file.path)) continue;
    const namespace = namespaceOf(file.path);
    if (!namespace) continue;
    const path = assertInsideRoot(file.path, root);
    if (byPath.has(path)) continue;
    const reused = unchanged.get(path);
    if (reused && reused.document.text === file.text) {
      byPath.set(path, reused);
      continue;
    }
    const document = parseDocument(path, file.text);
    byPath.set(path, memoryFile(path, namespace, document, entriesFor(document, namespace, reused)));
  }
  const sorted = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files: sorted, namespaces };
}

function memoryFile(path: string, namespace: Namespace, document: MemoryDocument, entries: Entry[] | (() => Entry[])): MemoryFile {
  if (typeof entries !== 'function') return { path, namespace: namespace.name, policy: namespace.policy, document, entries };
  const file = { path, namespace: namespace.name, policy: namespace.policy, document } as MemoryFile;
  let read: Entry[] | undefined;
  // Enumerable, as the property it stands for: a copy or a JSON text of the file has its entries.
  Object.defineProperty(file, 'entries', { get: () => (read ??= entries()), enumerable: true });
  return file;
}

export { isMarkdownPath };

/**
 * Estimated tokens of a namespace: whole files, headings and all, since that is what the agent
 * loads. Summing the entries' tokens instead would undercount by the headings and blank lines.
 */
export function tokensOf(snapshot: MemorySnapshot, namespaceName: string): number {
  return snapshot.files
    .filter((file) => file.namespace === namespaceName)
    .reduce((total, file) => total + estimateTokens(file.document.text), 0);
}
