/**
 * Which memory files a memory store mirrors, and where each one sits in the store: the memory root is the store
 * path of `store.path` (`/` by default), so `memory/notes/tools.md` is `/notes/tools.md`. Pure.
 */
import { posix } from 'node:path';
import type { Config, StoreConfig } from '../config/types.js';
import { isMarkdownPath, namespaceMatcher } from '../memory/namespaces.js';
import type { Namespace } from '../memory/types.js';

/** The largest memory a store takes: 100 kB of UTF-8 (102,400 bytes). */
export const MAX_MEMORY_BYTES = 102_400;

/** A store path below a base, as a file below the memory root: no `.`, `..` or empty segment, no backslash or NUL. */
export function isStoreRelativePath(relative: string): boolean {
  return relative !== '' && !relative.split('/').some((s) => s === '' || s === '.' || s === '..') && !relative.includes('\\') && !relative.includes('\0');
}

export interface StoreMapping {
  /** The memory file of a store path, or why the store path is not mirrored here. */
  fileOf(storePath: string): { file: string; protected: boolean } | { skip: string };
  /** The store path of a memory file, or undefined when the file is not mirrored. */
  storePathOf(file: string): string | undefined;
}

export function storeMapping(config: Pick<Config, 'memory'> & { store: StoreConfig }): StoreMapping {
  const { root, namespaces } = config.memory;
  const mirrored = config.store.namespaces ? namespaces.filter((n) => config.store.namespaces!.includes(n.name)) : namespaces;
  const namespaceOf = namespaceMatcher(root, namespaces);
  const base = config.store.path;
  const isMirrored = (file: string): Namespace | undefined => {
    const namespace = isMarkdownPath(file) ? namespaceOf(file) : undefined;
    return namespace && mirrored.includes(namespace) ? namespace : undefined;
  };
  return {
    fileOf(storePath) {
      if (!storePath.startsWith(base)) return { skip: `outside ${base}, where the memory sits in the store` };
      const relative = storePath.slice(base.length);
      // The API refuses `.`, `..` and empty segments; a path from the network is checked again all the same.
      if (!isStoreRelativePath(relative)) {
        return { skip: 'not a path a memory file can have' };
      }
      const file = root === '' ? relative : posix.join(root, relative);
      const namespace = isMirrored(file);
      if (!namespace) return { skip: isMarkdownPath(file) ? 'in no namespace this store mirrors' : 'not a Markdown file' };
      return { file, protected: namespace.policy === 'protected' };
    },
    storePathOf(file) {
      if (!isMirrored(file)) return undefined;
      const relative = root === '' ? file : file.slice(root.length + 1);
      return `${base}${relative}`;
    },
  };
}
