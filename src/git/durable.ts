/**
 * Writes that a crash cannot leave half done: the bytes go to a temporary file beside the target, are flushed to
 * disk, and the file is renamed over the target, which a reader sees whole or not at all. This is how git itself
 * writes objects, refs and the index; a process killed in the middle leaves at most a temporary file, which
 * `reverie doctor` (and every writing command, on start) removes.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Names of the temporary files written here: `tmp_` as git's own (`tmp_obj_…`), so `git gc` knows them too. */
export const TEMPORARY_PREFIX = 'tmp_reverie_';

/** Replaces `file` with `data` atomically (temporary file, fsync, rename); creates the folder when missing. */
export async function writeFileDurably(file: string, data: string | Uint8Array, { mode = 0o644 }: { mode?: number } = {}): Promise<void> {
  const folder = path.dirname(file);
  await fsp.mkdir(folder, { recursive: true });
  const temporary = path.join(folder, `${TEMPORARY_PREFIX}${process.pid}_${randomBytes(6).toString('hex')}`);
  const handle = await fsp.open(temporary, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temporary, file);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
}

/** True for a name `writeFileDurably` gives its temporary files. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}
