/**
 * The branches the memory tool writes on, by name and by what waits on them: read by `reverie status`, `approve` and
 * `reject`, so kept light (no SDK, no Markdown).
 */
import { branchCommits } from '../compile/waiting.js';
import { changedPaths } from '../git/tree.js';
import { listBranches, type Repo } from '../git/repo.js';
import { UsageError } from '../errors.js';

/** One branch per agent session: `reverie/session-<session id>`, cut from main at the session's first write. */
export const SESSION_PREFIX = 'reverie/session-';

/** Trailers of a memory tool write. */
export const SESSION_TRAILER = { session: 'Reverie-Session', tool: 'Reverie-Tool', command: 'Reverie-Tool-Command' } as const;

/** A session id becomes part of a ref name and a trailer: letters, digits, `.`, `_`, `-`, as git allows them everywhere. */
const SESSION_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function sessionBranch(session: string): string {
  if (!SESSION_ID.test(session) || session.includes('..') || session.endsWith('.lock') || session.endsWith('.')) {
    throw new UsageError(`session id ${JSON.stringify(session)} cannot name a branch: use letters, digits, ".", "_" and "-" (at most 128, not starting with "." or "-")`);
  }
  return `${SESSION_PREFIX}${session}`;
}

/** The session branch an `approve` / `reject` argument names (`reverie/session-x` or `session-x`), else undefined. */
export function sessionBranchFrom(argument: string): string | undefined {
  const name = argument.replace(/^refs\/heads\//, '');
  if (name.startsWith(SESSION_PREFIX)) return name;
  if (name.startsWith('session-')) return `reverie/${name}`;
  return undefined;
}

export interface WaitingSession {
  branch: string;
  session: string;
  commits: number;
  /** Files the branch changes, from the repository root. */
  files: string[];
}

/** Session branches with writes main has not taken in, for `reverie status` and the dream cycle's report. */
export async function waitingSessionBranches(repo: Repo, main: string): Promise<WaitingSession[]> {
  const waiting: WaitingSession[] = [];
  for (const branch of await listBranches(repo, SESSION_PREFIX)) {
    const commits = await branchCommits(repo, branch, main);
    if (commits.length === 0) continue;
    const files = new Set<string>();
    for (const commit of commits) for (const file of await changedPaths(repo, commit.parents[0], commit.oid)) files.add(file);
    waiting.push({ branch, session: branch.slice(SESSION_PREFIX.length), commits: commits.length, files: [...files].sort() });
  }
  return waiting;
}
