/**
 * `reverie revert` for what agent sessions wrote with the memory tool and a person approved: every write of a session
 * (`session-<id>`), or one write (its commit on main). A session's writes carry no cycle action, so the cycle revert
 * (revert.ts of cycle/) has nothing to remember them by; each is undone by a revert commit of its own, three ways per
 * file as there, naming the commit it reverts (`Reverie-Revert-Of`), so that `reverie why` says a line was restored.
 */
import { mergeFile } from '../compile/branches.js';
import { RevertRefusedError, REVERT_BRANCH_PREFIX, type RevertMode, type RevertOptions } from '../cycle/revert.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { GitStateError } from '../errors.js';
import { commitChanges, updateBranch, type FileChanges } from '../git/commit.js';
import { fastForward } from '../git/worktree.js';
import { readEntry, walkFirstParent, type LogEntry } from '../git/log.js';
import { formatCommitMessage } from '../git/message.js';
import { resolveRef } from '../git/repo.js';
import { changedPaths, readFileAt } from '../git/tree.js';
import { SESSION_TRAILER, sessionBranchFrom, SESSION_PREFIX } from './branch.js';

export interface SessionRevertResult {
  mode: RevertMode;
  /** `session s1`, or `memory tool write 1a2b3c4`. */
  target: string;
  /** main (auto) or the review branch holding the reverts. */
  branch: string;
  merged: boolean;
  main: string;
  /** One per write undone, newest first. */
  reverted: { commit: string; session: string; subject: string; revert: string }[];
}

/** Writes of the memory tool on main that `argument` names, newest first; undefined when it names none of them. */
export async function sessionWritesNamed(context: RepoContext, argument: string): Promise<{ target: string; name: string; writes: LogEntry[] } | undefined> {
  const branch = sessionBranchFrom(argument.trim());
  const prefix = /^[0-9a-f]{7,40}$/.test(argument.trim()) ? argument.trim() : undefined;
  if (!branch && !prefix) return undefined;
  const session = branch?.slice(SESSION_PREFIX.length);
  const writes: LogEntry[] = [];
  for await (const commit of walkFirstParent(context.repo, await mainTip(context))) {
    const entry = await readEntry(context.repo, commit.oid);
    const by = entry.trailers[SESSION_TRAILER.session]?.[0];
    if (!by) continue;
    if (session !== undefined ? by === session : entry.oid.startsWith(prefix!)) writes.push(entry);
    if (prefix && writes.length > 0) break;
  }
  if (writes.length === 0) {
    if (session === undefined) return undefined;
    const waiting = (await resolveRef(context.repo, `refs/heads/${branch}`)) !== undefined;
    throw new RevertRefusedError(`no write of session ${session} is on main${waiting ? `: they wait on ${branch}; \`reverie reject ${branch}\` drops them` : ''}`);
  }
  return session !== undefined
    ? { target: `session ${session}`, name: `session-${session}`, writes }
    : { target: `memory tool write ${writes[0]!.oid.slice(0, 7)}`, name: writes[0]!.oid.slice(0, 7), writes };
}

/**
 * Undoes the writes, newest first, each as its own commit; every one is worked out before anything is written, so a
 * write that no longer comes out cleanly (its lines changed since) leaves main and every branch as they were. The
 * caller holds the repository lock.
 */
export async function revertSessionWrites(context: RepoContext, named: { target: string; name: string; writes: LogEntry[] }, options: RevertOptions): Promise<SessionRevertResult> {
  const { repo, config } = context;
  const mode = options.mode ?? (config.mode === 'review' ? 'review' : 'auto');
  const branch = mode === 'review' ? `${REVERT_BRANCH_PREFIX}${named.name}` : config.git.main;
  if (mode === 'review' && (await resolveRef(repo, `refs/heads/${branch}`))) {
    throw new RevertRefusedError(`a revert of ${named.target} is already waiting on branch ${branch}; merge it or delete it first`);
  }
  const main = await mainTip(context);
  const timestamp = Math.floor(options.now.getTime() / 1000);
  let head = main;
  const reverted: SessionRevertResult['reverted'] = [];
  for (const write of named.writes) {
    const parent = write.parents[0];
    const changes: FileChanges = new Map();
    for (const file of await changedPaths(repo, parent, write.oid)) {
      const [base, theirs, ours] = await Promise.all([readFileAt(repo, write.oid, file), parent ? readFileAt(repo, parent, file) : undefined, readFileAt(repo, head, file)]);
      const merged = mergeFile(base, ours, theirs);
      if (merged === 'conflict') throw new GitStateError(`cannot revert ${write.oid.slice(0, 7)} ("${write.subject}"): ${file} changed since; nothing was changed`);
      if (merged !== ours) changes.set(file, merged ?? null);
    }
    if (changes.size === 0) continue;
    const session = write.trailers[SESSION_TRAILER.session]?.[0] ?? '';
    const message = formatCommitMessage({
      subject: `revert(${[...changes.keys()].join(', ')}): memory tool write of session ${session}`,
      body: [`Undoes "${write.subject}" (${write.oid.slice(0, 12)}).`, options.reason ? `The reason given: ${options.reason}` : ''].filter(Boolean).join('\n\n'),
      trailers: [['Reverie-Revert-Of', write.oid]],
    });
    head = await commitChanges(repo, { parent: head, changes, message, author: config.git.author, timestamp });
    reverted.push({ commit: write.oid, session, subject: write.subject, revert: head });
  }
  if (reverted.length === 0) throw new RevertRefusedError(`nothing to revert: what ${named.target} wrote is no longer on main`);
  if (mode === 'auto') {
    await options.beforeMove?.(head);
    await fastForward(repo, { branch: config.git.main, to: head, expectedOld: main });
  } else await updateBranch(repo, branch, head, { expectedOld: null });
  return { mode, target: named.target, branch, merged: mode === 'auto', main: mode === 'auto' ? head : main, reverted };
}
