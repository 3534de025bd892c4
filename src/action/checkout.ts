/**
 * A repository as actions/checkout leaves it, made ready for a cycle. A cycle works on the main branch's ref, never on
 * what is checked out, but a checkout may have no local main at all (a pull request's merge commit or a SHA is
 * checked out detached) and by default fetches one commit only (a shallow clone), while a cycle walks main's history.
 * The credentials actions/checkout stores (an `http.<url>.extraheader` line in .git/config) are for native git;
 * isomorphic-git does not read them, so fetches here carry the token of the `github-token` input.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { GitHubCredentialsError, GitHubError, GitStateError } from '../errors.js';
import { openRepo, resolveRef, updateBranch } from '../git/index.js';
import { fetchBranch, isRemoteUrl, resolveRemote } from '../github/remote.js';

export interface PreparedCheckout {
  /** main's commit here, ready for the cycle. */
  main: string;
  /** Where it came from: the local branch as it was, the remote-tracking branch checkout fetched, or a fetch now. */
  source: 'local' | 'tracking' | 'fetched';
  /** The clone was shallow and now has main's whole history. */
  deepened: boolean;
}

export async function prepareCheckout(repoDir: string, config: Config, token: string | undefined): Promise<PreparedCheckout> {
  const repo = await openRepo(repoDir);
  const main = config.git.main;
  const shallowFile = path.join(repo.gitdir, 'shallow');
  const shallow = existsSync(shallowFile);
  const local = await resolveRef(repo, `refs/heads/${main}`);
  if (local && !shallow) return { main: local, source: 'local', deepened: false };

  const remoteName = config.github && !isRemoteUrl(config.github.remote) ? config.github.remote : undefined;
  const tracking = remoteName ? await resolveRef(repo, `refs/remotes/${remoteName}/${main}`) : undefined;
  if (!local && tracking && !shallow) {
    // A full checkout of a pull request or a SHA: main is there as origin/main, just not as a branch.
    await updateBranch(repo, main, tracking, { expectedOld: null });
    return { main: tracking, source: 'tracking', deepened: false };
  }

  const why = shallow ? 'the checkout is shallow (actions/checkout fetches one commit unless told otherwise)' : `the checkout has no branch ${main}`;
  if (!config.github) throw new GitStateError(`${why} and reverie.yaml names no remote to fetch ${main} from; check out with fetch-depth: 0`);
  if (!token) throw new GitHubCredentialsError(`${why}, and fetching ${main} needs a token: set the github-token input, or check out with fetch-depth: 0`);
  const remote = await resolveRemote(repo, config.github.remote, config.github.repo);
  const fetched = await fetchBranch(repo, { remote, token, branch: main, unshallow: shallow }).catch((error: unknown) => {
    // The error keeps its kind (refused token, server unavailable, rate limit) and exit code; it gains where it happened.
    if (error instanceof GitHubError) error.message = `${why}, and fetching ${main} failed: ${error.message} Or check out with fetch-depth: 0.`;
    throw error;
  });
  if (!fetched) throw new GitStateError(`${remote.owner}/${remote.repo} has no branch ${main}; push one (or set git.main in reverie.yaml)`);
  if (!local) await updateBranch(repo, main, fetched, { expectedOld: null });
  return { main: local ?? fetched, source: local ? 'local' : 'fetched', deepened: shallow };
}
