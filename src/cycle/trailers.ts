/**
 * What reverie's commit trailers say, wherever they ended up. A cycle's commits carry them one block each; merged on
 * GitHub with "squash", the blocks of all the cycle's commits land in one commit's body, one paragraph each; with
 * "rebase", each commit keeps its own under a new id. Reading every trailer paragraph of a message covers all three.
 */
import { parseCommitMessage } from '../git/message.js';

/** One action (or a cycle's bookkeeping, `action: 'state'`) a commit carries. */
export interface ActionMark {
  cycle: string;
  /** `add`, `update`, `merge`, `resolve`, `prune`, `state`, or `revert`. */
  action: string;
  /** Set for curation actions. */
  actionId?: string;
  engine?: string;
  evidence: string[];
}

/** What a revert commit undoes. */
export interface RevertMark {
  /** `<cycle>/<action id>` of each action reverted. */
  actions: string[];
  /** The commits reverted. */
  commits: string[];
}

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;

/** Every reverie trailer block in a commit message, in order. */
export function actionMarks(message: string): ActionMark[] {
  return trailerBlocks(message).flatMap((block) => {
    const cycle = block['Reverie-Cycle']?.[0];
    const action = block['Reverie-Action']?.[0];
    if (!cycle || !action) return [];
    const id = block['Reverie-Action-Id']?.[0];
    const engine = block['Reverie-Engine']?.[0];
    const evidence = (block['Reverie-Evidence']?.[0] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'none');
    return [{ cycle, action, evidence, ...(id ? { actionId: id } : {}), ...(engine ? { engine } : {}) }];
  });
}

/** git's own revert message, as `git revert` writes it: a reviewer drops an action this way on a cycle's branch. */
const GIT_REVERT = /^This reverts commit ([0-9a-f]{7,40})\b/gm;

/**
 * What a commit reverts: one of reverie's revert commits (its trailers name actions and commits), or a plain
 * `git revert` (its message names the commit; the action is whatever that commit carried).
 */
export function revertMark(message: string): RevertMark | undefined {
  const blocks = trailerBlocks(message).filter((b) => b['Reverie-Reverts'] || b['Reverie-Revert-Of']);
  const byGit = [...message.matchAll(GIT_REVERT)].map((m) => m[1]!);
  if (blocks.length === 0 && byGit.length === 0) return undefined;
  return {
    actions: blocks.flatMap((b) => b['Reverie-Reverts'] ?? []),
    commits: [...new Set([...blocks.flatMap((b) => b['Reverie-Revert-Of'] ?? []), ...byGit])],
  };
}

/**
 * The trailer paragraphs of a message: its own trailers, and any other paragraph made only of `Key: value` lines
 * that names a `Reverie-` key (the blocks a squash merge copied into the body).
 */
function trailerBlocks(message: string): Record<string, string[]>[] {
  const parsed = parseCommitMessage(message);
  const blocks: Record<string, string[]>[] = [];
  for (const paragraph of parsed.body.split(/\n[ \t]*\n/)) {
    const lines = paragraph.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
    if (lines.length === 0 || !lines.every((l) => TRAILER_LINE.test(l))) continue;
    const block = parseCommitMessage(`x\n\n${lines.join('\n')}\n`).trailers;
    if (Object.keys(block).some((k) => k.startsWith('Reverie-'))) blocks.push(block);
  }
  if (Object.keys(parsed.trailers).some((k) => k.startsWith('Reverie-'))) blocks.push(parsed.trailers);
  return blocks;
}
