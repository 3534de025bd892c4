/**
 * The state a commit records, read as reverie reads it from the files native git shows: tests look at what was
 * committed without knowing how the state is laid out in `.reverie/`.
 */
import { readState, STATE_DIR } from '../../src/dream/state.js';
import type { DreamState } from '../../src/dream/types.js';
import { isStateFile } from '../../src/cycle/state-at.js';
import { git } from './git.js';

/** The files of the state at `ref` (a commit, a branch), by path. */
export function stateFilesAt(dir: string, ref: string): Map<string, string> {
  const paths = git(dir, ['ls-tree', '-r', '--name-only', ref, '--', STATE_DIR]).split('\n').filter((p) => p !== '' && isStateFile(p));
  return new Map(paths.map((p) => [p, `${git(dir, ['show', `${ref}:${p}`])}\n`]));
}

export function stateAt(dir: string, ref: string): DreamState {
  return readState(stateFilesAt(dir, ref));
}
