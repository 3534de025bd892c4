import type { Entry, MemorySnapshot } from '../../memory/types.js';
import type { Action, DroppedAction, Pattern, PatternRecord } from '../types.js';
import { planBudgetPrunes } from './budget.js';
import { planResolutions } from './contradictions.js';
import { planMerges } from './duplicates.js';
import { namesWhatIsGone } from './gone.js';
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

/** Rounds of curation after the first, until nothing changes; each one that acts removes notes. */
const MAX_ROUNDS = 3;

/**
 * Two notes that look alike but take opposite sides of something the sessions settled ("branch off
 * `develop`" and "branch new work off `main`, there is no develop branch") are a contradiction for the
 * later steps to settle, not duplicates to merge.
 */
function settledApart(support: SupportIndex): (a: Entry, b: Entry) => boolean {
  // From all the lessons recorded so far, not this cycle's: the next cycle must keep the same notes apart.
  const lessons = support.lessons();
  return (a, b) => lessons.some((lesson) => namesWhatIsGone(a, lesson) !== namesWhatIsGone(b, lesson));
}

/**
 * The curation order matters: duplicates are merged first so a contradiction is settled once, not once
 * per copy; contradictions before new patterns so a pattern lands next to the note that won; the budget
 * last, so it weighs what the cycle added.
 */
export function curate(input: CurateInput): { actions: Action[]; dropped: DroppedAction[]; memoryAfter: MemorySnapshot } {
  const workspace = new Workspace(input.memory, input.guard);
  const support = new SupportIndex(input.records, input.minSessions);
  const apart = settledApart(support);
  const actions = [
    ...planMerges(workspace, apart),
    ...planResolutions(workspace, support),
    ...planPatternActions(workspace, input.signal, input.inbox),
    ...planBudgetPrunes(workspace, support),
  ];
  // What the cycle changed can make other notes duplicates or rivals (a resolve removes a note, and the
  // weight of every word with it): settle those now, so that the next cycle, with no new sessions, has
  // nothing left to do.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const more = [...planMerges(workspace, apart), ...planResolutions(workspace, support), ...planBudgetPrunes(workspace, support)];
    if (more.length === 0) break;
    actions.push(...more);
  }
  return { actions, dropped: workspace.dropped, memoryAfter: workspace.snapshot };
}
