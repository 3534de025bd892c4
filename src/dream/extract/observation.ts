import type { PatternKind } from '../types.js';

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
}
