/** `store.sessions.on_dream`, kept apart from the fetching so that a cycle without it loads no SDK for it. */
import type { StoreConfig } from '../config/types.js';
import { loadConfig } from '../config/load.js';
import { openRepo } from '../git/repo.js';

/**
 * Before a cycle, when `store.sessions.on_dream` says so: the store's sessions saved as logs, so the cycle reads them.
 * What it did is said on stderr; a store that cannot be read stops nothing (the cycle reads the logs that are there).
 */
export async function fetchBeforeCycle(repoDir: string, configFile: string): Promise<string[]> {
  let store: StoreConfig | undefined;
  let dir = repoDir;
  try {
    const repo = await openRepo(repoDir);
    dir = repo.dir;
    // Through the validated copy the cycle reads too: a night without the store loads no YAML parser here.
    store = (await loadConfig(repo.dir, configFile, { cacheIn: repo.gitdir })).store;
  } catch {
    return []; // the cycle itself says what is wrong with the repository or its configuration
  }
  if (!store?.sessionsOnDream) return [];
  try {
    const { fetchStoreSessions } = await import('./sessions.js');
    const result = await fetchStoreSessions({ repoDir: dir, store });
    return result.copied.length > 0 ? [`store: ${result.copied.length} session(s) of ${store.id} saved in ${result.folder} for this cycle`] : [];
  } catch (error) {
    return [`store: the sessions of ${store.id} were not fetched: ${(error as Error).message}`];
  }
}
