/**
 * The repository and its configuration, which every command opens first. Kept apart from context.ts (the memory and
 * the state at a commit, which load the Markdown parser and the history walkers) so that a command that only needs
 * these, such as `log`, loads nothing more.
 */
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { GitStateError } from '../errors.js';
import { openRepo, resolveRef, type Repo } from '../git/repo.js';

export interface RepoContext {
  config: Config;
  repo: Repo;
}

export async function openContext(repoDir: string, configFile?: string): Promise<RepoContext> {
  const repo = await openRepo(repoDir);
  const config = await loadConfig(repo.dir, configFile, { cacheIn: repo.gitdir });
  return { config, repo };
}

/**
 * Where a repository keeps the content hashes of its session logs between cycles (see sessions/hash-cache.ts):
 * in its git directory, like the cycle lock, so that it is never committed and every clone has its own.
 */
export function sessionHashCacheFile({ repo }: RepoContext): string {
  return path.join(repo.gitdir, 'reverie', 'session-hashes.json');
}

/** main's tip, or a clear error when the repository has no commit on it yet. */
export async function mainTip({ repo, config }: RepoContext): Promise<string> {
  const oid = await resolveRef(repo, `refs/heads/${config.git.main}`);
  if (!oid) {
    throw new GitStateError(
      `branch "${config.git.main}" has no commits in ${repo.dir}; commit reverie.yaml and your memory first (or set git.main in reverie.yaml)`,
    );
  }
  return oid;
}
