/**
 * The journal a fast-forward keeps while it brings the working tree along (worktree.ts writes it): where it lives and
 * how it is read, apart from the code that writes the tree, so that a command that only asks whether a run was
 * interrupted (status, log, why, stats) loads none of that.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Repo } from './repo.js';

/** What a fast-forward of the checked-out branch has yet to bring onto disk; kept in the git directory. */
export interface CheckoutJournal {
  ref: string;
  from: string;
  to: string;
  paths: string[];
}

export function journalFile(repo: Repo): string {
  return path.join(repo.gitdir, 'reverie', 'checkout.json');
}

/** The journal of a fast-forward whose working tree update did not finish, if one was interrupted. */
export async function readCheckoutJournal(repo: Repo): Promise<CheckoutJournal | undefined> {
  const text = await fsp.readFile(journalFile(repo), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const journal = JSON.parse(text) as CheckoutJournal;
    return typeof journal.ref === 'string' && Array.isArray(journal.paths) ? journal : undefined;
  } catch {
    return undefined;
  }
}
