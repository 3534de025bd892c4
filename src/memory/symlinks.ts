import { posix } from 'node:path';

/**
 * A symbolic link at or under the memory root. No command follows one: a link can lead out of the repository (to
 * /etc/passwd, to a home folder's secrets), and what it points to is not what a review of the repository sees. So
 * each command says the same of it: `lint` and `check` as a finding, `dream` and `status` as a warning.
 */
export interface MemorySymlink {
  /** Repository-relative path of the link itself. */
  path: string;
  /** The link's own text, as stored: never resolved on disk. */
  target: string;
}

/**
 * The repository path a link names, from its own text alone, or undefined when that is outside the repository
 * (absolute, a drive, or `..` past the top). A link to another link counts as what its own text says.
 */
export function symlinkDestination({ path, target }: MemorySymlink): string | undefined {
  if (target.startsWith('/') || target.startsWith('\\') || /^[A-Za-z]:/.test(target) || target.includes('\0')) return undefined;
  const destination = posix.normalize(posix.join(posix.dirname(path), target.replace(/\\/g, '/')));
  return destination === '..' || destination.startsWith('../') || destination === '.' ? undefined : destination;
}

/** What every command says of a link, so that lint, check, dream and status use the same words. */
export function symlinkMessage(link: MemorySymlink): string {
  const destination = symlinkDestination(link);
  const target = JSON.stringify(link.target.length > 200 ? `${link.target.slice(0, 200)}…` : link.target);
  return destination === undefined
    ? `a symbolic link to ${target}, outside the repository: reverie never follows it, so what an agent reads through it is neither checked nor curated; put the file itself in the repository`
    : `a symbolic link to ${target}: reverie never follows it, and checks and curates ${destination} itself when that is memory`;
}
