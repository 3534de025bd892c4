import type { Entry, MemorySnapshot } from '../../memory/types.js';
import type { Action, DroppedAction, Notice, Pattern, PatternRecord } from '../types.js';
import { budgetNotices } from './budget.js';
import { openQuestions, planResolutions, type Question } from './contradictions.js';
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
  /** The share of the curated entries one cycle may remove (`approval.max_prune_ratio`). */
  maxRemovedShare?: number;
  /** The most actions one cycle takes (`curate.max_actions`). */
  maxActions?: number;
}

export interface Curation {
  actions: Action[];
  dropped: DroppedAction[];
  /** Budget warnings and contradictions no session settles, for the reviewer. */
  notices: Notice[];
  memoryAfter: MemorySnapshot;
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
 * The curation order matters: contradictions first, so a pattern lands next to the note that won; then what the
 * sessions show (new lessons, stale notes); duplicates last, among the notes that stay, because an entry a merge keeps
 * is one no later action of the cycle may remove. The budget is weighed on what the cycle leaves, and only warned about.
 */
export function curate(input: CurateInput): Curation {
  const support = new SupportIndex(input.records, input.minSessions);
  const signal = new Map(input.signal.map((p) => [p.key, p]));
  const workspace = new Workspace(input.memory, input.guard, {
    ...(input.maxRemovedShare !== undefined ? { maxRemovedShare: input.maxRemovedShare } : {}),
    ...(input.maxActions !== undefined ? { maxActions: input.maxActions } : {}),
    pattern: (key) => support.pattern(key),
    // The line this cycle writes and the ways the sessions said it, gathered across cycles.
    subjects: (key) => [signal.get(key), input.records[key]].filter((p) => p !== undefined),
  });
  const apart = settledApart(support);
  const questions: Question[] = [];
  const resolutions = () => {
    const found = planResolutions(workspace, support);
    questions.push(...found.questions);
    return found.actions;
  };
  const actions = [...resolutions(), ...planPatternActions(workspace, input.signal, input.inbox), ...planMerges(workspace, apart)];
  // What the cycle changed can make other notes duplicates or rivals (a resolve removes a note, and the
  // weight of every word with it): settle those now, so that the next cycle, with no new sessions, has
  // nothing left to do.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const more = [...resolutions(), ...planMerges(workspace, apart)];
    if (more.length === 0) break;
    actions.push(...more);
  }
  // A later round finds the same pair again, and an action may have settled a pair another way (a merge, a prune):
  // the reviewer is asked once, about what is still there.
  const open = openQuestions(questions, workspace.entries());
  return { actions, dropped: workspace.dropped, notices: [...open, ...budgetNotices(workspace.snapshot)], memoryAfter: workspace.snapshot };
}
