/**
 * A compiled file edited by hand comes back as a proposed change to the memory: a branch of the memory repository,
 * `reverie/hand-edit-<agent>-<stamp>`, cut from main, one commit per memory file with trailers naming the compiled
 * file, which is reviewed like a cycle (`reverie approve` / `reverie reject`, branches.ts). The same edit is
 * proposed once: while its branch waits, a compile names the branch instead.
 */
import { cycleStamp } from '../cycle/history.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { commitChanges, updateBranch } from '../git/commit.js';
import { listBranches, resolveRef, type Repo } from '../git/repo.js';
import { formatCommitMessage } from '../git/message.js';

import { HAND_EDIT_PREFIX, TRAILER } from './branch-names.js';
import { branchCommits } from './waiting.js';


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

