/**
 * Writes that a crash cannot leave half done: the bytes go to a temporary file beside the target, are flushed to
 * disk, and the file is renamed over the target, which a reader sees whole or not at all. This is how git itself
 * writes objects, refs and the index; a process killed in the middle leaves at most a temporary file, which
 * `reverie doctor` (and every writing command, on start) removes.
 */
import { crypto } from '../util/crypto.js';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Names of the temporary files written here: `tmp_` as git's own (`tmp_obj_…`), so `git gc` knows them too. */
export const TEMPORARY_PREFIX = 'tmp_reverie_';

/** Replaces `file` with `data` atomically (temporary file, fsync, rename); creates the folder when missing. */
export async function writeFileDurably(file: string, data: string | Uint8Array, { mode = 0o644 }: { mode?: number } = {}): Promise<void> {
  const folder = path.dirname(file);
  await fsp.mkdir(folder, { recursive: true });
  const temporary = path.join(folder, `${TEMPORARY_PREFIX}${process.pid}_${crypto().randomBytes(6).toString('hex')}`);
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

/**
 * writeFileDurably without a promise per step: a cycle stores a few objects per action, thousands in a large one, and
 * each step handed to the thread pool and back cost more than the step itself.
 */
export function writeFileDurablySync(file: string, data: Uint8Array | readonly Uint8Array[], { mode = 0o644 }: { mode?: number } = {}): void {
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true });
  const temporary = path.join(folder, `${TEMPORARY_PREFIX}${process.pid}_${crypto().randomBytes(6).toString('hex')}`);
  const handle = openSync(temporary, 'wx', mode);
  try {
    try {
      // Parts are written one after the other: a pack need not be joined into one buffer first.
      for (const part of data instanceof Uint8Array ? [data] : data) {
        for (let written = 0; written < part.length; ) written += writeSync(handle, part, written);
      }
      fsyncSync(handle);
    } finally {
      closeSync(handle);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** True for a name `writeFileDurably` gives its temporary files. */
export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}

/**
 * Creates `file` holding `text` unless it exists, atomically: the text is written aside and hard-linked into place,
 * which fails when the name is taken. So a lock file is never seen empty or half written, even when its writer is
 * killed in the middle (a plain O_EXCL create would leave an empty file that names no holder). Where the file system
 * has no hard links, falls back to the O_EXCL create.
 */
export async function createExclusive(file: string, text: string): Promise<boolean> {
  const temporary = path.join(path.dirname(file), `${TEMPORARY_PREFIX}${process.pid}_${crypto().randomBytes(6).toString('hex')}`);
  await fsp.writeFile(temporary, text, { flag: 'wx' });
  try {
    await fsp.link(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    return fsp.writeFile(file, text, { flag: 'wx' }).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        throw err;
      },
    );
  } finally {
    await fsp.rm(temporary, { force: true });
  }
}
