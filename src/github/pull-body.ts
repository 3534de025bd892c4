/**
 * The body of a cycle's pull request: a review document. A summary table first, then each action with its
 * rationale, the entries before and after, and the evidence from sessions, then how to approve, drop or reject.
 * Everything that comes from a session log goes through markdown.ts, so it renders as text and pings no one.
 */
import { impactLine, keptAndGone, memoryImpact } from '../dream/impact.js';
import { actionRisk, needsReview, riskReasons } from '../dream/risk.js';
import type { CycleRecord, RecordedAction } from '../dream/state.js';
import type { ActionType } from '../dream/types.js';
import { memoryCheckMarkdown } from '../memory-tests/check-table.js';
import { codeBlock, inlineText } from './markdown.js';
import { actionMarker, commandHelp } from './review-commands.js';

/** GitHub refuses a body over 65,536 characters; the rest of the evidence stays in the commit messages. */
export const MAX_BODY_CHARS = 60_000;
/** Quotes shown per action; every quote is in the action's commit message. */
const QUOTES_PER_ACTION = 5;

export interface PullBodyInput {
  record: CycleRecord;
  /** Action types applied without review (`approval.auto`); the others, and high-risk content, are marked as needing a person. */
  safe: readonly ActionType[];
  /** Actions already on main (auto mode applied the safe ones), listed apart. */
  alreadyApplied?: readonly RecordedAction[];
  /** A marker the body carries so that a later run finds and updates its own pull request. */
  marker: string;
}

export function pullTitle(record: CycleRecord, count = record.actions.length): string {
  const types = [...new Set(record.actions.map((a) => a.type))].join(', ');
  return `reverie: dream cycle ${record.cycle} (${count} ${count === 1 ? 'action' : 'actions'}${types ? `: ${types}` : ''})`;
}

export function pullBody(input: PullBodyInput): string {
  const { record } = input;
  const head = [
    `<!-- ${input.marker} -->`,
    `## Dream cycle \`${record.cycle}\``,
    '',
    // The memory tests head the body: what the cycle does to what agents know and pay to load, before how.
    ...(record.memory_tests ? [...memoryCheckMarkdown(record.memory_tests), ''] : []),
    `reverie read ${record.stats.new_sessions} new ${record.stats.new_sessions === 1 ? 'session' : 'sessions'} (${record.stats.sessions} in all) with the \`${safeCode(record.engine)}\` engine and proposes ${record.actions.length} ${record.actions.length === 1 ? 'change' : 'changes'} to memory, one commit each.`,
    '',
    ...impactSection(record),
    ...applied(input.alreadyApplied ?? []),
    '',
    ...checklist(record, input.safe),
  ];
  const tail = ['', ...howToReview(record), ...droppedNote(record)];
  const sections: string[] = [];
  let length = [...head, ...tail].join('\n').length;
  for (const [i, action] of record.actions.entries()) {
    const section = actionSection(action, i + 1, input.safe, dropBy(record, action.id));
    // Room is kept for the line that says where the rest is.
    if (length + section.length > MAX_BODY_CHARS - 200) {
      sections.push(`\n_${record.actions.length - i} more ${record.actions.length - i === 1 ? 'action is' : 'actions are'} described in ${record.actions.length - i === 1 ? 'its commit message' : 'their commit messages'} (the body has a size limit)._`);
      break;
    }
    sections.push(section);
    length += section.length;
  }
  return [...head, ...sections, ...tail].join('\n');
}

/** What the cycle does to memory as a whole, and what it warns about or asks, before any single action. */
function impactSection(record: CycleRecord): string[] {
  const impact = memoryImpact(record.stats, record.actions, record.notices ?? []);
  const lines = [`**${inlineText(impactLine(impact))}**`];
  if (impact.budget.length > 0) lines.push('', ...impact.budget.map((n) => `> [!WARNING]\n> ${inlineText(n.message)}`));
  if (impact.questions.length > 0) {
    lines.push('', `**${impact.questions.length === 1 ? 'A question' : `${impact.questions.length} questions`} for the owner of this memory** (no session settles ${impact.questions.length === 1 ? 'it' : 'them'}; nothing was changed):`, '');
    for (const q of impact.questions) lines.push(`- ${q.entries.map((e) => `${codeSpan(`${e.path}:${e.line}`)} ${inlineText(firstLine(e.text))}`).join(' **vs** ')}`);
  }
  return lines;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function applied(actions: readonly RecordedAction[]): string[] {
  if (actions.length === 0) return [];
  const list = actions.map((a) => `- \`${a.id}\` ${a.type}: ${inlineText(a.summary)}`);
  return ['', `Already applied to main without review, as \`approval.auto\` allows (${actions.length}):`, ...list];
}

/**
 * One task-list line per action, within half the body's budget (the rest of a very large cycle is in its commits, and
 * `/reverie drop <id>` reaches any of them). Unticking a box drops its action; ticking a dropped one brings it back.
 */
function checklist(record: CycleRecord, safe: readonly ActionType[]): string[] {
  const lines = ['**Actions.** Untick one to drop it: reverie rebuilds this branch without it and does not propose it again. Tick it again to bring it back.', ''];
  let length = 0;
  for (const [i, a] of record.actions.entries()) {
    const line = checklistLine(record, a, i + 1, safe);
    length += line.length + 1;
    if (length > MAX_BODY_CHARS / 2) {
      lines.push('', `_${record.actions.length - i} more ${record.actions.length - i === 1 ? 'action' : 'actions'}: see the commits of this pull request; \`/reverie drop <id>\` drops any of them._`);
      break;
    }
    lines.push(line);
  }
  return lines;
}

function checklistLine(record: CycleRecord, a: RecordedAction, n: number, safe: readonly ActionType[]): string {
  const sessions = new Set(a.evidence.map((e) => e.sessionId)).size;
  const review = needsReview(a, safe) ? ', needs review' : '';
  const what = `**${n}.** \`${a.id}\` ${a.type} ${a.paths.map(codeSpan).join(', ')}: ${inlineText(a.summary)} · ${sessions} ${sessions === 1 ? 'session' : 'sessions'} · risk ${actionRisk(a)}${review}`;
  const drop = dropBy(record, a.id);
  if (drop) return `- [ ] ${actionMarker(a.id)} ${what} · _dropped by ${inlineText(drop)}_`;
  // An action that no longer applied has no commit to drop or keep: no box.
  const skipped = record.dropped.find((d) => d.id === a.id);
  if (skipped) return `- ${what} · _not on this branch: ${inlineText(skipped.reason)}_`;
  return `- [x] ${actionMarker(a.id)} ${what}`;
}

/** Who dropped an action from the waiting cycle, when someone did. */
function dropBy(record: CycleRecord, id: string): string | undefined {
  return record.reviewer_drops?.find((d) => d.id === id)?.by;
}

function actionSection(action: RecordedAction, n: number, safe: readonly ActionType[], droppedBy?: string): string {
  const commit = action.commit ? ` · commit ${action.commit.slice(0, 7)}` : '';
  const lines = [
    '',
    `### ${n}. ${action.type} \`${action.id}\`: ${inlineText(action.summary)}${droppedBy ? ' (dropped)' : ''}`,
    '',
    ...(droppedBy ? [`_Dropped by ${inlineText(droppedBy)}: not on this branch. Tick its box above, or comment \`/reverie keep ${action.id}\`, to bring it back._`, ''] : []),
    `${action.paths.map(codeSpan).join(', ')}${commit} · risk ${actionRisk(action)}${needsReview(action, safe) ? ' (needs review)' : ''}`,
    '',
    ...riskNote(action),
    inlineText(action.rationale),
    '',
    ...beforeAfter(action),
    ...evidence(action),
  ];
  return lines.join('\n');
}

/** Why the action is high risk whatever its type: a person decides on what it would change in how an agent behaves. */
function riskNote(action: RecordedAction): string[] {
  const reasons = riskReasons(action);
  if (reasons.length === 0) return [];
  return [`> [!CAUTION]\n> High risk, never applied without review: ${inlineText(reasons.join('; '))}.`, ''];
}

/** What stays beside what goes: a reviewer sees that a merge keeps every fact, or what still says a pruned note's point. */
function beforeAfter(action: RecordedAction): string[] {
  const { kept, gone, rewrites, added } = keptAndGone(action);
  const parts: string[] = [];
  if (added !== undefined) parts.push('New entry:', '', codeBlock(added, 'markdown'), '');
  if (rewrites) parts.push(`Rewrites (${codeSpan(rewrites.from.path)}):`, '', codeBlock(rewrites.from.raw.trimEnd(), 'markdown'), '', 'into:', '', codeBlock(rewrites.to, 'markdown'), '');
  if (kept && !rewrites) parts.push(`Keeps (${codeSpan(kept.path)}):`, '', codeBlock(kept.raw.trimEnd(), 'markdown'), '');
  if (gone.length > 0) parts.push(`Removes (${[...new Set(gone.map((g) => g.path))].map(codeSpan).join(', ')}):`, '', codeBlock(gone.map((g) => g.raw.trimEnd()).join('\n'), 'markdown'), '');
  return parts;
}

function evidence(action: RecordedAction): string[] {
  if (action.evidence.length === 0) return [];
  const shown = action.evidence.slice(0, QUOTES_PER_ACTION).flatMap((e) => {
    const where = `${codeSpan(e.sessionId)} (${inlineText(e.agent)}${e.turn !== undefined ? `, turn ${e.turn}` : ''})`;
    return [`- ${where}:`, '', indent(codeBlock(e.quote)), ''];
  });
  const more = action.evidence.length - QUOTES_PER_ACTION;
  return ['<details><summary>Evidence</summary>', '', ...shown, ...(more > 0 ? [`_${more} more in the commit message._`, ''] : []), '</details>'];
}

function howToReview(record: CycleRecord): string[] {
  const cycle = record.cycle;
  return [
    '### How to review',
    '',
    '- **Approve:** merge this pull request (merge commit, squash or rebase, with any message: reverie reads which actions the merge brought), or comment `/reverie approve`.',
    '- **Drop an action:** untick its box above, or comment `/reverie drop <id>`; reverie rebuilds this branch without it and remembers it, and `/reverie keep <id>` brings it back.',
    '- **Ask why:** comment `/reverie why <id>` for its rationale, the entries before and after, and its evidence.',
    '- **Reject the cycle:** close this pull request without merging, or comment `/reverie reject <reason>`. The rejection is recorded on main and its actions are not proposed again.',
    '- **Undo later:** `reverie revert <action id>`; `reverie why <file>:<line>` shows which action wrote a line.',
    '',
    `<details><summary>Comment commands, and the same from a terminal</summary>`,
    '',
    ...commandHelp(),
    '',
    `reverie answers each command in a reply, and takes commands and checkbox edits only from people with write access to this repository (the \`reverie-review\` workflow that \`reverie init --github\` writes listens for them). In any clone: \`reverie approve ${cycle} [--except <id>]\`, \`reverie reject ${cycle} --reason "..."\`.`,
    '',
    '</details>',
  ];
}

/** An action in full, as a \`/reverie why\` reply shows it: the same section the body has. */
export function actionDetails(record: CycleRecord, action: RecordedAction, safe: readonly ActionType[]): string {
  return actionSection(action, record.actions.indexOf(action) + 1, safe, dropBy(record, action.id)).trimStart();
}

function droppedNote(record: CycleRecord): string[] {
  if (record.dropped.length === 0) return [];
  return ['', `<details><summary>${record.dropped.length} proposed ${record.dropped.length === 1 ? 'action was' : 'actions were'} refused by reverie's guards</summary>`, '', ...record.dropped.map((d) => `- ${d.type}: ${inlineText(d.summary)}: ${inlineText(d.reason)}`), '', '</details>'];
}

/** A path or an id as a code span (which renders nothing inside it), when it holds no backtick; else escaped text. */
function codeSpan(text: string): string {
  return /^[^`\n]+$/.test(text) ? `\`${text}\`` : inlineText(text);
}

function safeCode(text: string): string {
  return text.replace(/`/g, "'");
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** The body of a revert's pull request: what is undone, from which cycle and commit, and why. */
export function revertBody(input: { target: string; reason?: string; reverted: { cycle: string; actionId: string; type: string; summary: string; commit: string }[] }): string {
  const rows = input.reverted.map((r) => `| \`${r.cycle}/${r.actionId}\` | ${r.type} | ${inlineText(r.summary)} | ${r.commit.slice(0, 7)} |`);
  return [
    `## Revert ${inlineText(input.target)}`,
    '',
    ...(input.reason ? [`Reason: ${inlineText(input.reason)}`, ''] : []),
    'Merging this pull request undoes these actions on main; each is remembered as rejected, so no later cycle proposes it again.',
    '',
    '| action | type | summary | commit |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
