/**
 * The three ways GitHub merges a pull request, done with native git on main's checkout, so that tests see what a
 * cycle looks like after a merge on GitHub without trusting reverie to produce it.
 */
import { git } from './git.js';
import { squashMessage } from './messages.js';

/** A later clock than the cycle's, as GitHub's merge comes after the branch was written. */
const MERGED_AT = '2026-12-01T12:00:00Z';

/** "Create a merge commit": `Merge pull request #N from …`, the branch's commits behind the second parent. */
export function mergeCommitMerge(dir: string, branch: string, pr: number, date = MERGED_AT): string {
  git(dir, ['checkout', '-q', 'main']);
  git(dir, ['merge', '-q', '--no-ff', '-m', `Merge pull request #${pr} from acme/${branch}`, '-m', 'Dream cycle', branch], dates(date));
  return git(dir, ['rev-parse', 'HEAD']);
}

/**
 * "Squash and merge": one commit on main whose title is the pull request's with `(#N)`, and whose body lists each
 * commit message of the branch, oldest first, as a `* ` paragraph.
 */
export function squashMerge(dir: string, branch: string, pr: number, date = MERGED_AT): string {
  git(dir, ['checkout', '-q', 'main']);
  const messages = git(dir, ['rev-list', '--reverse', `main..${branch}`])
    .split('\n')
    .filter(Boolean)
    .map((oid) => git(dir, ['log', '-1', '--format=%B', oid]).trim());
  git(dir, ['merge', '-q', '--squash', branch]);
  git(dir, ['commit', '-q', '--cleanup=verbatim', '-m', squashMessage(`Dream cycle ${branch} (#${pr})`, messages)], dates(date));
  return git(dir, ['rev-parse', 'HEAD']);
}

/** "Rebase and merge": each commit of the branch replayed on main under a new id (GitHub is the new committer). */
export function rebaseMerge(dir: string, branch: string, date = MERGED_AT): string {
  git(dir, ['checkout', '-q', 'main']);
  const env = { ...dates(date), GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' };
  for (const oid of git(dir, ['rev-list', '--reverse', `main..${branch}`]).split('\n').filter(Boolean)) {
    git(dir, ['cherry-pick', '--allow-empty', '--keep-redundant-commits', oid], env);
  }
  return git(dir, ['rev-parse', 'HEAD']);
}

function dates(date: string): Record<string, string> {
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}
