import type { MemorySnapshot } from '../../memory/types.js';
import type { Action, DroppedAction, Pattern, PatternRecord } from '../types.js';
import { planBudgetPrunes } from './budget.js';
import { planResolutions } from './contradictions.js';
import { planMerges } from './duplicates.js';
import { planPatternActions } from './patterns.js';
import { SupportIndex } from './support.js';
import { Workspace, type Guard } from './workspace.js';

export interface CurateInput {
  memory: MemorySnapshot;
  signal: Pattern[];
  records: Record<string, PatternRecord>;
  minSessions: number;
  /** Repository path of the file new entries go to. */
  inbox: string;
  /** Refuses actions that must not happen (protected paths, rejected before); refused ones are reported. */
  guard: Guard;
}

/**
 * The curation order matters: duplicates are merged first so a contradiction is settled once, not once
 * per copy; contradictions before new patterns so a pattern lands next to the note that won; the budget
 * last, so it weighs what the cycle added.
 */
export function curate(input: CurateInput): { actions: Action[]; dropped: DroppedAction[]; memoryAfter: MemorySnapshot } {
  const workspace = new Workspace(input.memory, input.guard);
  const support = new SupportIndex(input.records, input.minSessions);
  const actions = [
    ...planMerges(workspace),
    ...planResolutions(workspace, support),
    ...planPatternActions(workspace, input.signal, input.inbox),
    ...planBudgetPrunes(workspace, support),
  ];
  return { actions, dropped: workspace.dropped, memoryAfter: workspace.snapshot };
}
