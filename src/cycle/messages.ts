import { formatCommitMessage } from '../git/index.js';
import { redactText } from '../sessions/redact.js';
import type { RecordedRun } from '../dream/state.js';
import type { Action } from '../dream/types.js';

const SUBJECT_MAX = 100;

/**
 * The commit message of one action, in the shape DESIGN.md fixes: `<type>(<path>): <summary>`, the
 * rationale, the evidence, then machine-readable trailers. Everything passes through redactText() once more:
 * quotes come from untrusted logs, and a commit is forever.
 */
/** A commit message's first line: what `git log --oneline` shows, and what a dry run names a commit by. */
export function subjectOf(message: string): string {
  return message.split('\n', 1)[0] ?? '';
}

export function actionMessage(action: Action, cycle: string, engine: string, model?: string): string {
  const subject = clip(`${action.type}(${action.paths[0] ?? 'memory'}): ${action.summary}`, SUBJECT_MAX);
  const evidence = action.evidence.map((e) => `- ${e.sessionId} (${e.agent}${e.turn !== undefined ? `, turn ${e.turn}` : ''}): "${e.quote}"`);
  const body = [action.rationale, evidence.length > 0 ? `Evidence:\n${evidence.join('\n')}` : ''].filter(Boolean).join('\n\n');
  const sessions = [...new Set(action.evidence.map((e) => e.sessionId))];
  return redactText(
    formatCommitMessage({
      subject,
      body,
      trailers: [
        ['Reverie-Cycle', cycle],
        ['Reverie-Action', action.type],
        ['Reverie-Action-Id', action.id],
        ['Reverie-Evidence', sessions.join(', ') || 'none'],
        ['Reverie-Engine', engine],
        ...modelTrailer(model),
      ],
    }),
  );
}

/**
 * The last commit of a cycle: bookkeeping only, so reverting an action never reverts it. A cycle of an engine that
 * called a model also says which model and what it spent, so that the dream can be audited and re-run.
 */
export function stateMessage(cycle: string, engine: string, what: string, run?: RecordedRun): string {
  return formatCommitMessage({
    subject: `chore(reverie): ${what}`,
    body: 'Bookkeeping of the cycle: sessions processed, patterns seen, decisions. Touches only .reverie/.',
    trailers: [
      ['Reverie-Cycle', cycle],
      ['Reverie-Action', 'state'],
      ['Reverie-Engine', engine],
      ...modelTrailer(run?.model),
      // The model that read the sessions, when it is not the one that proposed the actions.
      ...(run?.phases && run.phases.map.model !== run.model ? [['Reverie-Map-Model', run.phases.map.model] as [string, string]] : []),
      ...(run ? usageTrailers(run) : []),
    ],
  });
}

function modelTrailer(model: string | undefined): [string, string][] {
  return model ? [['Reverie-Model', model]] : [];
}

/** `Reverie-Tokens: input=… output=… cache-write=… cache-read=…` and `Reverie-Cost: $…` (or `unknown`). */
function usageTrailers(run: RecordedRun): [string, string][] {
  const { input, output, cache_write: cacheWrite, cache_read: cacheRead } = run.usage;
  return [
    ['Reverie-Tokens', `input=${input} output=${output} cache-write=${cacheWrite} cache-read=${cacheRead}`],
    ['Reverie-Cost', run.cost_usd === null ? 'unknown' : `$${run.cost_usd.toFixed(4)}`],
  ];
}

/** What a revert commit undoes: one action of a cycle, carried on main by `commit`. */
export interface RevertedActionInfo {
  cycle: string;
  actionId: string;
  type: string;
  /** The first memory file the action wrote, as in its own subject. */
  path: string;
  summary: string;
  /** The commit on main that carries the action (its own, or a squash merge of the cycle). */
  commit: string;
}

/**
 * The commit message of a revert: `revert(<path>): <summary of the action>`, what is undone and why, and the
 * trailers trailers.ts's revertMark() reads (`Reverie-Reverts`, `Reverie-Revert-Of`), fixed names others rely on.
 */
export function revertMessage(action: RevertedActionInfo, reason?: string): string {
  const undone = `Undoes ${action.type} ${action.actionId} of dream cycle ${action.cycle}, carried by ${action.commit.slice(0, 12)}: "${action.summary}".`;
  const why = reason ? `The reason given: ${reason}` : '';
  const remembered = 'Its fingerprint is added to .reverie/rejected.json, so later cycles do not propose it again.';
  return redactText(
    formatCommitMessage({
      subject: clip(`revert(${action.path}): ${action.summary}`, SUBJECT_MAX),
      body: [undone, why, remembered].filter(Boolean).join('\n\n'),
      trailers: [
        ['Reverie-Cycle', action.cycle],
        ['Reverie-Action', 'revert'],
        ['Reverie-Reverts', `${action.cycle}/${action.actionId}`],
        ['Reverie-Revert-Of', action.commit],
      ],
    }),
  );
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
