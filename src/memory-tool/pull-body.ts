/**
 * The pull request of an agent session's memory-tool writes (`reverie/session-<id>`), as pure functions of the branch
 * as `reverie review` shows it: one row per write (the tool command, the files, every trailer), then the diff. The
 * text the agent wrote is untrusted: it goes into a code block, where nothing renders and no one is mentioned.
 */
import type { BranchReview } from '../cycle/branch-review.js';
import { codeBlock, inlineText } from '../github/markdown.js';
import { MAX_BODY_CHARS } from '../github/pull-body.js';
import { SESSION_PREFIX, SESSION_TRAILER } from './branch.js';

export const SESSION_PULL_MARKER = '<!-- reverie-session -->';

export function sessionPullTitle(review: BranchReview): string {
  const n = review.commits.length;
  return `reverie: memory written by session ${review.branch.slice(SESSION_PREFIX.length)} (${n} ${n === 1 ? 'write' : 'writes'})`;
}

export function sessionPullBody(review: BranchReview, base: string): string {
  const session = review.branch.slice(SESSION_PREFIX.length);
  const rows = review.commits.map((c, i) => {
    const command = c.trailers.find(([k]) => k === SESSION_TRAILER.command)?.[1] ?? '';
    const trailers = c.trailers.map(([k, v]) => inlineText(`${k}: ${v}`)).join('<br>');
    return `| ${i + 1} | \`${c.oid.slice(0, 7)}\` | ${inlineText(command)} | ${c.files.map((f) => inlineText(f)).join(', ')} | ${trailers} |`;
  });
  const head = [
    SESSION_PULL_MARKER,
    `## Memory written by agent session \`${inlineText(session)}\``,
    '',
    `The agent wrote to its memory with the memory tool; each command is one commit on \`${review.branch}\`, cut from \`${inlineText(base)}\`. Nothing of it is in \`${inlineText(base)}\` until this pull request is merged.`,
    '',
    '| # | commit | command | files | trailers |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Merge to take every write in (or \`reverie approve ${review.branch}\`); close without merging to drop them all (or \`reverie reject ${review.branch}\`): the next dream cycle deletes the branch here and on GitHub. To keep part of it, revert a commit on the branch first.`,
    '',
  ];
  const room = MAX_BODY_CHARS - head.join('\n').length - 200;
  const diff = review.diff.length > room ? `${review.diff.slice(0, Math.max(0, room))}\n… (cut: \`reverie review ${review.branch}\` shows the whole diff)` : review.diff;
  return [...head, '<details open><summary>The writes as one diff</summary>', '', codeBlock(diff || '(no change left)', 'diff'), '', '</details>'].join('\n');
}
