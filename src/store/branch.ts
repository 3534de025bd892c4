/**
 * The branches `reverie store pull` makes: `reverie/store-<stamp>`, one commit per version of the store, reviewed
 * like a cycle (`reverie approve` / `reverie reject`). Kept light: read by `reverie status`, `approve` and `reject`.
 */
import { branchCommits } from '../compile/waiting.js';
import { listBranches, type Repo } from '../git/repo.js';

export const STORE_PREFIX = 'reverie/store-';

/** Trailers of a commit that brings a store's version back. */
export const STORE_TRAILER = {
  store: 'Reverie-Store',
  version: 'Reverie-Store-Version',
  memory: 'Reverie-Store-Memory',
  path: 'Reverie-Store-Path',
  operation: 'Reverie-Store-Operation',
  actor: 'Reverie-Store-Actor',
} as const;

/** The store branch an `approve` / `reject` argument names (`reverie/store-x` or `store-x`), else undefined. */
export function storeBranchFrom(argument: string): string | undefined {
  const name = argument.replace(/^refs\/heads\//, '');
  if (name.startsWith(STORE_PREFIX)) return name;
  if (name.startsWith('store-')) return `reverie/${name}`;
  return undefined;
}

export interface WaitingStoreBranch {
  branch: string;
  commits: number;
  /** The store paths its commits change, and the versions they bring. */
  paths: string[];
  versions: string[];
  /** Memory files it changes. */
  files: string[];
}

/** Store branches with commits main has not taken in. */
export async function waitingStoreBranches(repo: Repo, main: string): Promise<WaitingStoreBranch[]> {
  const waiting: WaitingStoreBranch[] = [];
  for (const branch of await listBranches(repo, STORE_PREFIX)) {
    const commits = (await branchCommits(repo, branch, main)).filter((c) => c.trailers[STORE_TRAILER.version]);
    if (commits.length === 0) continue;
    const values = (key: string) => [...new Set(commits.flatMap((c) => c.trailers[key] ?? []))].sort();
    const files = [...new Set(commits.flatMap((c) => (c.subject.match(/^store\(([^)]*)\)/)?.[1] ?? '').split(', ').filter(Boolean)))].sort();
    waiting.push({ branch, commits: commits.length, paths: values(STORE_TRAILER.path), versions: values(STORE_TRAILER.version), files });
  }
  return waiting;
}
