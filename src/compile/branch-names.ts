/** The branches `reverie compile` makes, by name: kept apart so that `approve` and `reject` can tell them from cycles cheaply. */

/** The branch of a git repository that compiled files wait on for review (review mode). */
export const COMPILE_BRANCH = 'reverie/compile';

/** Branches of the memory repository that bring a hand edit of a compiled file back: `reverie/hand-edit-<agent>-<stamp>`. */
export const HAND_EDIT_PREFIX = 'reverie/hand-edit-';

/** The branch an `approve` / `reject` argument names, when it is one of compile's; else undefined (a cycle). */
export function compileBranchFrom(argument: string): string | undefined {
  const name = argument.replace(/^refs\/heads\//, '');
  if (name === COMPILE_BRANCH || name.startsWith(HAND_EDIT_PREFIX)) return name;
  if (name.startsWith('hand-edit-')) return `reverie/${name}`;
  return undefined;
}

/** Trailers of a hand edit's commits. */
export const TRAILER = { agent: 'Reverie-Hand-Edit', file: 'Reverie-Compiled-File', sha256: 'Reverie-Compiled-Sha256', memory: 'Reverie-Memory-Commit' } as const;
