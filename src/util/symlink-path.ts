import { lstat } from 'node:fs/promises';
import path from 'node:path';

/** The first of `file` and the folders on the way to it (inside `root`) that is a symbolic link, if any. */
export async function symlinkOnTheWay(root: string, file: string): Promise<string | undefined> {
  const parts = file.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if ((await lstat(path.join(root, prefix)).catch(() => undefined))?.isSymbolicLink()) return prefix;
  }
  return undefined;
}
