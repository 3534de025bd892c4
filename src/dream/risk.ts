import { contentRisks } from './content-risk.js';
import { effectsOf } from './curate/effects.js';
import type { Action, ActionType } from './types.js';

export type Risk = 'low' | 'medium' | 'high';

/** What the review needs of an action to weigh it: its type, the text it writes, the entries it touches. */
export type Weighed = Pick<Action, 'type' | 'content' | 'targets'>;

/**
 * How much an action can lose if it is wrong: adding a note loses nothing; rewriting or combining notes can lose a
 * nuance; resolving a contradiction or pruning deletes what someone once wrote. Whatever the type, an action whose
 * text is about safety, review, credentials, deleting memory, running code from the internet, publishing or pushing,
 * or that speaks to an AI, is high risk (content-risk.ts).
 */
export function actionRisk(action: Weighed): Risk {
  if (riskReasons(action).length > 0) return 'high';
  switch (action.type) {
    case 'add':
      return 'low';
    case 'update':
    case 'merge':
      return 'medium';
    default:
      return 'high';
  }
}

/**
 * Why the action's content makes it high risk, for the reviewer: what the text it writes does, and what the notes it
 * removes or rewrites did (taking out "never force-push to main" changes how an agent pushes as much as writing
 * "force-push when the lockfile is stale"). Empty for an ordinary note.
 */
export function riskReasons(action: Weighed): string[] {
  const reasons: string[] = [];
  if (action.content !== undefined) for (const f of contentRisks(action.content)) reasons.push(`it ${f.does} ("${f.words}")`);
  const { removed, rewritten } = effectsOf(action);
  for (const ref of [...removed, ...rewritten]) {
    for (const f of contentRisks(ref.raw)) {
      const reason = `the note it ${removed.includes(ref) ? 'removes' : 'rewrites'} ${f.does} ("${f.words}")`;
      if (!reasons.includes(reason)) reasons.push(reason);
    }
  }
  return reasons;
}

/** An action a person must approve: its type is not in `approval.auto`, or its content is high risk. */
export function needsReview(action: Weighed, auto: readonly ActionType[]): boolean {
  return !auto.includes(action.type) || riskReasons(action).length > 0;
}

/**
 * The actions in the order a cycle commits them: those safe to apply without review first, so that `auto` mode can
 * fast-forward main over them and send the rest to review. The order within each group is kept.
 */
export function safeFirst<T extends Weighed>(actions: readonly T[], auto: readonly ActionType[]): T[] {
  return [...actions.filter((a) => !needsReview(a, auto)), ...actions.filter((a) => needsReview(a, auto))];
}
