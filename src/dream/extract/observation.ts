import type { PatternKind } from '../types.js';
import type { PreferenceObservation } from './preferences.js';
import type { RunStep } from './workflows.js';

/** What one session says about one pattern; observations of many sessions are folded into patterns. */
export interface Observation {
  /** Pattern key, stable across sessions and cycles for the same thing. */
  key: string;
  kind: PatternKind;
  statement: string;
  terms: string[];
  quote: string;
  turn: number;
  signature?: string;
  fix?: string;
  avoid?: string[];
  prefer?: string[];
  /** For mistakes: what the failure shows to be gone or wrong (`develop`, `--merge`, a missing target), and what replaced it. */
  dropped?: string[];
  added?: string[];
  /** A person asked for it to be remembered ("add this to CLAUDE.md"): signal in one session. */
  explicit?: boolean;
  /** For mistakes with a fix: the turn of the step that worked. */
  fixedAt?: number;
}

/**
 * What extraction keeps of a session once it has read it: who, when and where from, and what it observed; not the
 * turns and tool output, which are most of a session's size. An offline cycle does not hold even these: it writes
 * them to a spool as they are read and folds them back in time order (spool.ts).
 */
export interface ObservedSession {
  id: string;
  agent: string;
  source: string;
  hash: string;
  startedAt?: string;
  endedAt?: string;
  mistakes: Observation[];
  /** Facts a person corrected ("X was replaced by Y"), keyed by what they replace. */
  corrections?: Observation[];
  /** Preferences stated, keyed only once the whole cycle's statements are known. */
  preferences: PreferenceObservation[];
  /** The meaningful commands of a session that ended well, in order. */
  commands: RunStep[];
  /** Content terms of what people typed, each with the number of their sentences it is in. */
  userTerms: [string, number][];
  /** A compact, redacted transcript, kept by engines that send sessions to a model (see engines/claude/transcript.ts). */
  transcript?: string;
  /** Turns in the session, so that a turn a model cites can be checked (not `turns`: that names a whole Session). */
  turnCount?: number;
}
