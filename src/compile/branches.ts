/**
 * `reverie approve` and `reverie reject` for the branches `reverie compile` makes in the memory repository: a hand
 * edit brought back (`reverie/hand-edit-<agent>-<stamp>`) and the compiled files waiting for review
 * (`reverie/compile`). Approving fast-forwards main to the branch, or, when main moved meanwhile, replays the
 * branch's commits on main one by one (each file merged three ways; a clash stops it with nothing changed).
 * Rejecting a hand edit records it, so that the next compile overwrites the edit rather than proposing it again.
 */
import { GitStateError } from '../errors.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { changedPaths, commitChanges, deleteBranch, fastForward, isAncestor, mergeText, readFileAt, resolveRef } from '../git/index.js';
import { TRAILER } from './branch-names.js';
import { branchCommits } from './waiting.js';
import { COMPILED_RECORD, compiledRecordText, parseCompiledRecord } from './record.js';
import { formatCommitMessage } from '../git/message.js';

export interface BranchDecision {
  branch: string;
  /** main after the decision. */
  main: string;
  /** How many commits reached main (approve). */
  commits: number;
  message: string;
}

export async function approveCompileBranch(context: RepoContext, branch: string, now: Date): Promise<BranchDecision> {
  const { repo, config } = context;
  const tip = await branchTip(context, branch);
  const main = await mainTip(context);
  if (await isAncestor(repo, tip, main)) {
    await deleteBranch(repo, branch);
    return { branch, main, commits: 0, message: `${branch} is on main already; its branch is deleted` };
  }
  const commits = await branchCommits(repo, branch, main);
  if (await isAncestor(repo, main, tip)) {
    await fastForward(repo, { branch: config.git.main, to: tip, expectedOld: main });
    await deleteBranch(repo, branch);
    return { branch, main: tip, commits: commits.length, message: `main fast-forwarded to ${branch} (${tip.slice(0, 7)})` };
  }
  let head = main;
  let replayed = 0;
  for (const entry of commits) {
    const parent = entry.parents[0];
    if (entry.parents.length > 1 || parent === undefined) throw new GitStateError(`${branch} holds a merge commit (${entry.oid.slice(0, 7)}); merge it by hand`);
    const changes = new Map<string, string | null>();
    for (const file of await changedPaths(repo, parent, entry.oid)) {
      const [base, theirs, ours] = await Promise.all([readFileAt(repo, parent, file), readFileAt(repo, entry.oid, file), readFileAt(repo, head, file)]);
      const merged = mergeFile(base, ours, theirs);
      if (merged === 'conflict') throw new GitStateError(`${branch} no longer applies to main: ${file} changed on both (commit ${entry.oid.slice(0, 7)}); nothing was changed`);
      if (merged !== ours) changes.set(file, merged ?? null);
    }
    if (changes.size === 0) continue;
    // A replayed commit keeps its author, as a rebase does: who wrote it (an agent's session, a person) is the point.
    head = await commitChanges(repo, { parent: head, changes, message: entry.message, author: entry.author, timestamp: Math.floor(now.getTime() / 1000) });
    replayed++;
  }
  if (head !== main) await fastForward(repo, { branch: config.git.main, to: head, expectedOld: main });
  await deleteBranch(repo, branch);
  return { branch, main: head, commits: replayed, message: `main moved to ${head.slice(0, 7)}: ${replayed} commit(s) of ${branch} replayed on main` };
}

/** One file three ways: its new text, undefined for deleted, or a conflict. */
export function mergeFile(base: string | undefined, ours: string | undefined, theirs: string | undefined): string | undefined | 'conflict' {
  if (ours === theirs || base === theirs) return ours;
  if (ours === base) return theirs;
  if (base === undefined || ours === undefined || theirs === undefined) return 'conflict';
  const merged = mergeText(ours, base, theirs);
  return merged.conflicts.length > 0 ? 'conflict' : merged.text;
}

export async function rejectCompileBranch(context: RepoContext, branch: string, now: Date, reason?: string): Promise<BranchDecision> {
  const { repo, config } = context;
  await branchTip(context, branch);
  const main = await mainTip(context);
  const rejected = new Map<string, Set<string>>();
  for (const entry of await branchCommits(repo, branch, main)) {
    const agent = entry.trailers[TRAILER.agent]?.[0];
    const sha = entry.trailers[TRAILER.sha256]?.[0];
    if (agent && sha) rejected.set(agent, (rejected.get(agent) ?? new Set()).add(sha));
  }
  let head = main;
  if (rejected.size > 0) {
    const record = parseCompiledRecord(await readFileAt(repo, main, COMPILED_RECORD));
    for (const [agent, shas] of rejected) {
      const entry = record.agents[agent];
      if (entry) entry.rejected_edits = [...new Set([...(entry.rejected_edits ?? []), ...shas])].sort();
    }
    const message = formatCommitMessage({
      subject: `compile(${COMPILED_RECORD}): reject ${branch}`,
      body: `The memory stays as it is; the next \`reverie compile\` overwrites the edit.${reason ? `\n\nReason: ${reason}` : ''}`,
      trailers: [['Reverie-Compile', 'record']],
    });
    const text = compiledRecordText(record);
    if (text !== (await readFileAt(repo, main, COMPILED_RECORD))) {
      head = await commitChanges(repo, { parent: main, changes: new Map([[COMPILED_RECORD, text]]), message, author: config.git.author, timestamp: Math.floor(now.getTime() / 1000) });
      await fastForward(repo, { branch: config.git.main, to: head, expectedOld: main });
    }
  }
  await deleteBranch(repo, branch);
  const what = rejected.size > 0 ? `the memory stays as it is, and the next compile overwrites the edit; recorded on main (${head.slice(0, 7)})` : 'its branch is deleted';
  return { branch, main: head, commits: 0, message: `rejected ${branch}: ${what}` };
}

async function branchTip(context: RepoContext, branch: string): Promise<string> {
  const tip = await resolveRef(context.repo, `refs/heads/${branch}`);
  if (!tip) throw new GitStateError(`no branch ${branch} in ${context.repo.dir}`);
  return tip;
}
