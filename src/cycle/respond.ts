/**
 * What reverie does when a reviewer acts on a cycle's pull request: unticks or ticks an action's box (the branch is
 * rebuilt without it, or with it again), comments a `/reverie` command (drop, keep, why, approve, reject, help), or
 * closes the pull request (a merge or a rejection, recorded). Each command is answered in a reply. Only people with
 * write access are obeyed: anyone can comment on a public repository's pull request, and a command changes what
 * agents will believe.
 */
import { cyclePath, parseCycleRecord, type CycleRecord } from '../dream/state.js';
import { GitHubError, ReverieError } from '../errors.js';
import { readFileAt } from '../git/index.js';
import type { PullRequest, Role } from '../github/client.js';
import type { ReviewEvent, Sender } from '../github/events.js';
import { inlineText } from '../github/markdown.js';
import { actionDetails } from '../github/pull-body.js';
import { checkboxStates, commandHelp, parseCommands, REPLY_MARKER, type ReviewCommand } from '../github/review-commands.js';
import { actionsOnMain, rejectCycle } from './approve.js';
import { mainTip, type RepoContext } from './context.js';
import { syncCycles, syncLines } from './github-cycles.js';
import { BRANCH_PREFIX, cycleIdFrom, findPendingCycle, listCycles, type PendingCycle } from './history.js';
import { publishCycle, syncMain, type GitHubLink } from './publish.js';
import { lockAndRecover } from './recover.js';
import { reviseAndPublish, type Revised, type Revision } from './revise.js';
import { pushMainFirst } from './settle.js';

/** Roles whose commands are obeyed: those GitHub lets push to the repository. */
const WRITERS: readonly Role[] = ['admin', 'maintain', 'write'];

export type ResponseOutcome = 'ignored' | 'refused' | 'revised' | 'answered' | 'approved' | 'rejected' | 'recorded';

export interface Response {
  outcome: ResponseOutcome;
  /** Why nothing was done, for an ignored event. */
  reason?: string;
  cycle?: string;
  pull?: number;
  /** The reply posted on the pull request, if any. */
  reply?: string;
  /** What the sync with GitHub did first (a closed pull request recorded, branches deleted). */
  sync?: string[];
  /** What a repair of an interrupted run did first. */
  repaired?: string[];
}

export async function respondToReview(context: RepoContext, link: GitHubLink, event: ReviewEvent, options: { now: Date }): Promise<Response> {
  if (event.kind === 'ignored') return { outcome: 'ignored', reason: event.reason };
  if (event.sender.bot) return { outcome: 'ignored', reason: `${event.sender.login} is a bot: reverie does not take commands from bots`, pull: event.pull };
  if (event.kind === 'comment' && event.body.includes(REPLY_MARKER)) return { outcome: 'ignored', reason: `the comment on #${event.pull} is reverie's own reply`, pull: event.pull };
  if (event.kind === 'comment' && parseCommands(event.body).length === 0) return { outcome: 'ignored', reason: `the comment on #${event.pull} has no /reverie command`, pull: event.pull };
  const { release, repairs } = await lockAndRecover(context, 'respond');
  try {
    // What GitHub decided or holds comes first: a closed pull request is recorded, a waiting branch is here to rebuild.
    await syncMain(context, link);
    const sync = syncLines(await syncCycles(context, link, options));
    const done = { ...(sync.length > 0 ? { sync } : {}), ...(repairs.lines.length > 0 ? { repaired: repairs.lines } : {}) };
    if (event.kind === 'closed') return { outcome: 'recorded', cycle: cycleIdFrom(event.branch), pull: event.pull, ...done };
    return { ...(await obeyIfAllowed(context, link, event, options.now)), ...done };
  } finally {
    release();
  }
}

type Request = Extract<ReviewEvent, { kind: 'body-edited' | 'comment' }>;

async function obeyIfAllowed(context: RepoContext, link: GitHubLink, event: Request, now: Date): Promise<Response> {
  const pull = await link.client.getPull(event.pull);
  const cycle = cycleIdFrom(pull.head);
  const reply = (outcome: ResponseOutcome, text: string) => answer(link, event, { outcome, cycle, pull: pull.number, reply: text });
  // Another pull request's `/reverie` is someone else's business: nothing done, nothing said.
  if (!pull.head.startsWith(BRANCH_PREFIX)) return { outcome: 'ignored', reason: `pull request #${pull.number} is not a dream cycle's`, pull: pull.number };
  if (pull.state !== 'open') {
    if (event.kind === 'body-edited') return { outcome: 'ignored', reason: `pull request #${pull.number} is closed`, pull: pull.number };
    return reply('ignored', `This pull request is ${pull.merged ? 'merged' : 'closed'}: there is nothing for reverie to do here.`);
  }
  const role = await link.client.roleOf(event.sender.login);
  if (!WRITERS.includes(role)) return refuse(context, link, event, pull, role);
  const pending = await findPendingCycle(context, cycle).catch(() => undefined);
  if (!pending) return reply('ignored', await decidedAlready(context, cycle));
  if (event.kind === 'body-edited') return checkboxes(context, link, event, pull, pending, now);
  return commands(context, link, event, pull, now);
}

/** Someone without write access: nothing done, said once; a body they edited is put back as reverie keeps it. */
async function refuse(context: RepoContext, link: GitHubLink, event: Request, pull: PullRequest, role: Role): Promise<Response> {
  const cycle = cycleIdFrom(pull.head);
  const who = inlineText(event.sender.login);
  if (event.kind === 'body-edited') {
    const pending = await findPendingCycle(context, cycle).catch(() => undefined);
    if (pending) await republish(context, link, pending.branch, pending.record);
  }
  const text = `${who} has ${role === 'none' ? 'no access' : `${role} access`} to this repository; reverie takes commands and checkbox changes only from people with write access, so nothing was changed.`;
  return answer(link, event, { outcome: 'refused', cycle, pull: pull.number, reply: text });
}

/**
 * The boxes as the pull request has them now, against the cycle's record: an unticked box of an action on the branch
 * drops it, a ticked box of a dropped one keeps it. Read from the body as it is, not from the event's before and
 * after, so that an edit whose run never came (GitHub keeps one waiting run per group) still counts, and reverie's
 * own rewrite of the body (which matches the record) is nothing to do.
 */
async function checkboxes(context: RepoContext, link: GitHubLink, event: Extract<Request, { kind: 'body-edited' }>, pull: PullRequest, pending: PendingCycle & { record: CycleRecord }, now: Date): Promise<Response> {
  const { record } = pending;
  const dropped = new Set((record.reviewer_drops ?? []).map((d) => d.id));
  const onBranch = new Set(record.actions.filter((a) => a.commit !== undefined).map((a) => a.id));
  const boxes = [...checkboxStates(pull.body)];
  const drop = boxes.filter(([id, ticked]) => !ticked && onBranch.has(id) && !dropped.has(id)).map(([id]) => id);
  const keep = boxes.filter(([id, ticked]) => ticked && dropped.has(id)).map(([id]) => id);
  if (drop.length === 0 && keep.length === 0) return { outcome: 'ignored', reason: `the boxes of #${pull.number} match the cycle`, cycle: pending.cycle, pull: pull.number };
  const revision: Revision = { drop, keep, by: event.sender.login, via: 'checkbox', now, pull: pull.number };
  const lines = await revise(context, link, pending, revision, pull);
  return answer(link, event, { outcome: 'revised', cycle: pending.cycle, pull: pull.number, reply: lines.join('\n') });
}

/** A comment's commands, in order; one that fails is answered with why, and the next ones still run. */
async function commands(context: RepoContext, link: GitHubLink, event: Extract<Request, { kind: 'comment' }>, pull: PullRequest, now: Date): Promise<Response> {
  const cycle = cycleIdFrom(pull.head);
  const parts: string[] = [];
  let outcome: ResponseOutcome = 'answered';
  let failed = false;
  for (const command of parseCommands(event.body)) {
    const pending = await findPendingCycle(context, cycle).catch(() => undefined);
    let lines: string[];
    try {
      if (!pending && command.name !== 'help' && command.name !== 'why') lines = [await decidedAlready(context, cycle)];
      else ({ lines, outcome } = await run(context, link, { command, pull, sender: event.sender, now, cycle, outcome }));
    } catch (error) {
      if (!(error instanceof ReverieError) || (error instanceof GitHubError && error.status !== 405 && error.status !== 409 && error.status !== 422)) throw error;
      failed = true;
      lines = [`Not done: ${inlineText(error.message)}`];
    }
    parts.push(`> ${inlineText(command.line)}`, '', ...lines, '');
  }
  await link.client.react(event.commentId, failed ? 'confused' : '+1').catch(() => undefined);
  return answer(link, event, { outcome, cycle, pull: pull.number, reply: parts.join('\n').trimEnd() });
}

interface Step {
  command: ReviewCommand;
  pull: PullRequest;
  sender: Sender;
  now: Date;
  cycle: string;
  outcome: ResponseOutcome;
}

async function run(context: RepoContext, link: GitHubLink, step: Step): Promise<{ lines: string[]; outcome: ResponseOutcome }> {
  const { command, pull, sender, now, cycle } = step;
  switch (command.name) {
    case 'drop':
    case 'keep': {
      if (command.ids.length === 0) return { lines: [`Which action? \`/reverie ${command.name} <id>\`, with an id from the list in the description.`], outcome: step.outcome };
      const pending = await findPendingCycle(context, cycle);
      const revision: Revision = { [command.name]: command.ids, by: sender.login, via: 'comment', now, pull: pull.number };
      const lines = await revise(context, link, pending, revision, pull);
      return { lines, outcome: (await findPendingCycle(context, cycle).catch(() => undefined)) ? 'revised' : 'rejected' };
    }
    case 'why':
      return { lines: await why(context, cycle, command.ids), outcome: step.outcome };
    case 'approve': {
      const merged = await link.client.mergePull(pull.number, pull.headSha);
      await syncMain(context, link);
      await syncCycles(context, link, { now });
      return { lines: [`Merged with a ${merged.method === 'merge' ? 'merge commit' : merged.method} (${merged.sha.slice(0, 7)}) at ${inlineText(sender.login)}'s request. The cycle is approved; \`reverie revert <id>\` undoes any action later.`], outcome: 'approved' };
    }
    case 'reject': {
      const reason = command.reason ? `${command.reason} (${sender.login} on pull request #${pull.number})` : `rejected by ${sender.login} on pull request #${pull.number}`;
      const rejected = await rejectCycle(context, cycle, { now, reason, beforeMove: pushMainFirst(context, link) });
      await link.client.deleteBranch(rejected.branch);
      await link.client.updatePull(pull.number, { state: 'closed' });
      return { lines: [`Rejected: recorded on main (${rejected.main.slice(0, 7)}) with the reason; ${rejected.rejected} ${rejected.rejected === 1 ? 'action' : 'actions'} will not be proposed again. Closing this pull request.`], outcome: 'rejected' };
    }
    case 'help':
      return { lines: ['reverie reads these commands, one per line, from people with write access:', '', ...commandHelp()], outcome: step.outcome };
    case 'unknown':
      return { lines: [`reverie has no command \`${inlineText(command.word).replace(/`/g, '')}\`. It reads these:`, '', ...commandHelp()], outcome: step.outcome };
  }
}

/** Drops and keeps on the branch, published; a drop that leaves nothing is the cycle's rejection. */
async function revise(context: RepoContext, link: GitHubLink, pending: PendingCycle & { record: CycleRecord }, revision: Revision, pull: PullRequest): Promise<string[]> {
  const { revised, rejected, warnings } = await reviseAndPublish(context, link, pending.cycle, revision, pull.headSha);
  const lines = revisedLines(revised, revision);
  if (revised.tip === revised.from) return lines;
  if (rejected) return [...lines, 'No action is left, so the cycle is rejected and this pull request closed.'];
  const tests = revised.tests ? [`${inlineText(revised.tests.replace(/^memory tests/, 'Memory tests'))}.`] : [];
  return [...lines, `Branch rebuilt: ${revised.remaining.length} ${revised.remaining.length === 1 ? 'action' : 'actions'}, one commit each (now ${revised.tip.slice(0, 7)}); the description is updated.`, ...tests, ...warnings.map((w) => `Note: ${inlineText(w)}`)];
}

function revisedLines(revised: Revised, revision: Revision): string[] {
  const what = (a: { id: string; type: string; summary: string }) => `\`${a.id}\` (${a.type}: ${inlineText(a.summary)})`;
  const lines = [
    ...revised.dropped.map((a) => `Dropped ${what(a)}; it will not be proposed again. \`/reverie keep ${a.id}\` brings it back.`),
    ...revised.kept.map((a) => `Kept ${what(a)}: it is back on the branch.`),
    ...revised.unchanged.map((u) => `\`${u.id}\` is ${u.state === 'dropped' ? 'dropped already' : 'on the branch already'}.`),
    ...revised.skipped.map(({ action, reason }) => `\`${action.id}\` no longer applies without the others (${inlineText(reason)}); it is left out.`),
  ];
  return lines.length > 0 ? lines : [`Nothing to change (${revision.via === 'checkbox' ? 'boxes' : 'ids'} as they were).`];
}

/** The body and branch on GitHub as the record says; `replacing`: the tip GitHub had, which a rebuild replaces. */
async function republish(context: RepoContext, link: GitHubLink, branch: string, record: CycleRecord, replacing?: string): Promise<string[]> {
  const applied = await actionsOnMain(context, record, await mainTip(context));
  const published = await publishCycle(context, link, { branch, record, safe: context.config.approval.auto, alreadyApplied: applied, ...(replacing ? { replacing } : {}) });
  return published.warnings;
}

async function why(context: RepoContext, cycle: string, ids: string[]): Promise<string[]> {
  const record = (await findPendingCycle(context, cycle).catch(() => undefined))?.record ?? (await decidedRecord(context, cycle));
  if (!record) return [`Cycle ${cycle} is not known here.`];
  if (ids.length === 0) return [`Which action? \`/reverie why <id>\`; this cycle's actions are ${record.actions.map((a) => `\`${a.id}\``).join(', ') || 'none'}.`];
  return ids.flatMap((id) => {
    const action = record.actions.find((a) => a.id === id);
    if (!action) return [`Cycle ${cycle} has no action \`${inlineText(id).replace(/`/g, '')}\`; its actions are ${record.actions.map((a) => `\`${a.id}\``).join(', ') || 'none'}.`, ''];
    return [actionDetails(record, action, context.config.approval.auto).replace('<details><summary>Evidence</summary>', '<details open><summary>Evidence</summary>'), ''];
  });
}

async function decidedRecord(context: RepoContext, cycle: string): Promise<CycleRecord | undefined> {
  const text = await readFileAt(context.repo, await mainTip(context), cyclePath(cycle));
  return text ? parseCycleRecord(text) : undefined;
}

async function decidedAlready(context: RepoContext, cycle: string): Promise<string> {
  const view = (await listCycles(context)).find((c) => c.cycle === cycle);
  return view ? `Cycle ${cycle} is decided already (${inlineText(view.label)}): nothing to do.` : `Cycle ${cycle} is not waiting for review: nothing to do.`;
}

/**
 * Posts the reply and returns the response that carries it. The reply is marked as reverie's: posted with a person's
 * token it reads as theirs to GitHub, and the run it starts must not take it for a command.
 */
async function answer(link: GitHubLink, event: Request, response: Response & { reply: string }): Promise<Response> {
  await link.client.comment(event.pull, `${REPLY_MARKER}\n${response.reply}`);
  return response;
}
