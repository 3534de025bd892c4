import type { Action, ActionType } from './types.js';

export type Risk = 'low' | 'medium' | 'high';

/**
 * How much an action can lose if it is wrong: adding a note loses nothing; rewriting or combining notes can lose a
 * nuance; resolving a contradiction or pruning deletes what someone once wrote.
 */
export function actionRisk(action: Pick<Action, 'type'>): Risk {
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
 * The actions in the order a cycle commits them: those of a type safe to apply without review first, so that
 * `auto` mode can fast-forward main over them and send the rest to review. The order within each group is kept.
 */
export function safeFirst<T extends Pick<Action, 'type'>>(actions: readonly T[], safe: readonly ActionType[]): T[] {
  return [...actions.filter((a) => safe.includes(a.type)), ...actions.filter((a) => !safe.includes(a.type))];
}
