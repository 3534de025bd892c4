/**
 * A compiled file edited by hand comes back as a proposed change to the memory: a branch of the memory repository,
 * `reverie/hand-edit-<agent>-<stamp>`, cut from main, one commit per memory file with trailers naming the compiled
 * file, which is reviewed like a cycle (`reverie approve` / `reverie reject`, branches.ts). The same edit is
 * proposed once: while its branch waits, a compile names the branch instead.
 */
import { cycleStamp } from '../cycle/history.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { commitChanges, isAncestor, listBranches, resolveRef, updateBranch, type Repo } from '../git/index.js';
import { formatCommitMessage } from '../git/message.js';
import { readEntry, type LogEntry } from '../git/log.js';

import { COMPILE_BRANCH, HAND_EDIT_PREFIX } from './branch-names.js';

/** Trailers of a hand edit's commits. */
export const TRAILER = { agent: 'Reverie-Hand-Edit', file: 'Reverie-Compiled-File', sha256: 'Reverie-Compiled-Sha256', memory: 'Reverie-Memory-Commit' } as const;

/** One compiled file edited by hand, as `reverie compile` reports it. */
export interface HandEdit {
  /** The compiled file, as `into`/`path`. */
  file: string;
  /** Of the file as edited. */
  sha256: string;
  /** The memory files the edit changes. */
  sources: string[];
  /** The branch that proposes it (new, or waiting from an earlier compile); null under --check for a new one. */
  branch: string | null;
  /** Set when the branch was proposed by an earlier compile and still waits for review. */
  waiting?: string;
}

export interface Proposal {
  agent: string;
  target: string;
  sha256: string;
  /** Each memory file's new text on main. */
  changes: { source: string; text: string }[];
  memoryCommit: string;
  report: HandEdit;
}

/** Proposes each agent's hand edits on a branch of its own, unless a waiting branch proposes the same edit already. */
export async function proposeHandEdits(context: RepoContext, proposals: readonly Proposal[], { check, now }: { check: boolean; now: Date }): Promise<void> {
  if (proposals.length === 0) return;
  // main as it is now: this compile may have committed compiled files on it, which leave the memory files as they were.
  const main = await mainTip(context);
  const waiting = await waitingEdits(context.repo, main);
  const fresh: Proposal[] = [];
  for (const proposal of proposals) {
    const branch = waiting.get(`${proposal.target}\0${proposal.sha256}`);
    if (branch) {
      proposal.report.branch = branch;
      proposal.report.waiting = branch;
    } else fresh.push(proposal);
  }
  if (check) return;
  for (const agent of [...new Set(fresh.map((p) => p.agent))]) {
    const mine = fresh.filter((p) => p.agent === agent);
    const branch = await freeBranchName(context.repo, `${HAND_EDIT_PREFIX}${refSafe(agent)}-${cycleStamp(now)}`);
    let tip = main;
    for (const proposal of mine) {
      for (const change of proposal.changes) {
        tip = await commitChanges(context.repo, {
          parent: tip,
          changes: new Map([[change.source, change.text]]),
          message: handEditMessage(proposal, change.source, branch),
          author: context.config.git.author,
          timestamp: Math.floor(now.getTime() / 1000),
        });
      }
      proposal.report.branch = branch;
    }
    await updateBranch(context.repo, branch, tip, { expectedOld: null });
  }
}

function handEditMessage(proposal: Proposal, source: string, branch: string): string {
  return formatCommitMessage({
    subject: `hand-edit(${source}): the edit made by hand in ${proposal.target}`,
    body: [
      `${proposal.target}, compiled for agent ${proposal.agent} from memory commit ${proposal.memoryCommit.slice(0, 12)}, was edited by hand.`,
      `Its block of ${source} is this file's new text here (merged with what changed on main since), for review:`,
      `\`reverie approve ${branch}\` takes it into the memory, and the next compile writes the file from it;`,
      `\`reverie reject ${branch}\` keeps the memory as it is, and the next compile overwrites the edit.`,
    ].join('\n'),
    trailers: [
      [TRAILER.agent, proposal.agent],
      [TRAILER.file, proposal.target],
      [TRAILER.sha256, proposal.sha256],
      [TRAILER.memory, proposal.memoryCommit],
    ],
  });
}

/** Hand-edit branches main has not taken in, each edit they propose by compiled file and sha256. */
async function waitingEdits(repo: Repo, main: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const branch of await listBranches(repo, HAND_EDIT_PREFIX)) {
    for (const entry of await branchCommits(repo, branch, main)) {
      const file = entry.trailers[TRAILER.file]?.[0];
      const sha = entry.trailers[TRAILER.sha256]?.[0];
      if (file && sha) found.set(`${file}\0${sha}`, branch);
    }
  }
  return found;
}

/** The commits of `branch` that main does not have, oldest first, following first parents. */
export async function branchCommits(repo: Repo, branch: string, main: string): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  let oid = await resolveRef(repo, `refs/heads/${branch}`);
  while (oid !== undefined && !(await isAncestor(repo, oid, main))) {
    const entry = await readEntry(repo, oid);
    entries.push(entry);
    oid = entry.parents[0];
  }
  return entries.reverse();
}

async function freeBranchName(repo: Repo, name: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`;
    if ((await resolveRef(repo, `refs/heads/${candidate}`)) === undefined) return candidate;
  }
}

/** An agent's name as part of a branch name: what git refuses in a ref becomes a dash. */
function refSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.{2,}/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'agent';
}

/** The branches of `reverie compile` in the memory repository that main has not taken in, for `reverie status`. */
export async function waitingCompileBranches(repo: Repo, main: string): Promise<{ branch: string; commits: number; files: string[] }[]> {
  const waiting: { branch: string; commits: number; files: string[] }[] = [];
  const branches = [...(await listBranches(repo, HAND_EDIT_PREFIX)), ...(await listBranches(repo, COMPILE_BRANCH)).filter((b) => b === COMPILE_BRANCH)];
  for (const branch of branches) {
    const commits = await branchCommits(repo, branch, main);
    if (commits.length === 0) continue;
    const files = [...new Set(commits.flatMap((c) => c.trailers[TRAILER.file] ?? []))];
    waiting.push({ branch, commits: commits.length, files });
  }
  return waiting;
}
