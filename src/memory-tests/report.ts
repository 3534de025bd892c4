/**
 * How a memory check is shown: where a case comes from, and the check in the JSON contracts. Kept apart from the
 * cases' parser and the reader (which bring the YAML parser and the search index) so that a command which may
 * print a check, such as `dream` on a quiet night, loads neither until there is one to print.
 */
import type { LoadSize } from '../memory/context-cost.js';
import type { MemoryCheck } from './compare.js';
import type { TermMatch } from './reader.js';

/** Where a case comes from, as reports name it: a test file's line, or a session's turn. */
export function caseLocation(c: { file: string; line: number; turn?: number }): string {
  return c.turn === undefined ? `${c.file}:${c.line}` : `${c.file}, turn ${c.turn}`;
}

/** Where a term was found, as a report names it: `memory/notes.md:5`, or the claude reader's answer. */
export function matchPlace(match: TermMatch): string {
  return match.path === null ? 'the answer' : `${match.path}:${match.line}`;
}

/** The check in the JSON contract of `reverie check --json` and `reverie dream --json`: snake_case. */
export function memoryCheckJson(check: MemoryCheck) {
  const size = (s: LoadSize) => ({ tokens: s.tokens, lines: s.lines, bytes: s.bytes });
  return {
    fixed: check.fixed,
    broken: check.broken,
    still_failing: check.stillFailing,
    passing: check.passing,
    cases: check.cases.map((c) => ({ id: c.id, name: c.name, file: c.file, line: c.line, ...(c.turn !== undefined ? { turn: c.turn } : {}), change: c.change, missing: c.after.missing, forbidden: c.after.forbidden })),
    costs: check.costs.map((c) => ({ target: c.target, limits: c.limits, limit_source: c.limitSource ?? null, before: size(c.before), after: size(c.after), over_before: c.overBefore, over_after: c.overAfter })),
    holds: check.holds,
  };
}
