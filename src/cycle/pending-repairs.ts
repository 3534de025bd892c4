/**
 * What an interrupted run left for recovery (recover.ts) to repair, read without loading the code that repairs it:
 * the commands that only report say so, and take no lock.
 */
import path from 'node:path';
import { readCheckoutJournal } from '../git/checkout-journal.js';
import { staleRefLocks } from '../git/lock.js';
import { resolveRef, type Repo } from '../git/repo.js';

/** Read only: what recovery would repair, for commands that take no lock (status). */
export async function pendingRepairs(repo: Repo): Promise<string[]> {
  const lines: string[] = [];
  const locks = await staleRefLocks(repo);
  if (locks.length > 0) lines.push(`${locks.length} ref lock(s) left by a reverie process that is gone (${locks.map((f) => path.relative(repo.gitdir, f)).join(', ')})`);
  const journal = await readCheckoutJournal(repo);
  if (journal && (await resolveRef(repo, journal.ref)) === journal.to) lines.push(`the working tree is behind ${journal.ref.replace('refs/heads/', '')}: an interrupted run moved it and did not finish bringing ${journal.paths.length} file(s) along`);
  return lines;
}
