/**
 * Memory test cases from sessions a cycle held out of extraction: where a held-out session shows again a lesson that
 * earlier sessions showed (a failure that recurred and the fix that worked, a rule a person stated or a fact they
 * corrected), the memory should have given it. The case asks the memory what that session's agent faced and expects
 * what it needed; it is answered from the memory before and after the cycle like a case a team wrote, so a cycle that
 * learns the lesson shows it fixed, and one that drops it shows it broken. Pure: observations and records in, cases out.
 */
import { commandHead } from '../dream/extract/commands.js';
import { extractPatterns } from '../dream/extract/index.js';
import type { ObservedSession } from '../dream/extract/observation.js';
import { codeSpans } from '../dream/text.js';
import type { Pattern, PatternRecord } from '../dream/types.js';
import { DEFAULT_TOP, type MemoryTestCase } from './cases.js';

/** A case's name is the lesson's line, cut to what a table row shows. */
const MAX_NAME = 80;

/**
 * The cases the held-out sessions give, in the order of their patterns' keys. `records` are the pattern records the
 * memory was curated from (the cycle's own, after its fold): a lesson counts only where a session outside the
 * held-out ones showed it too, so that every case is one the memory had the evidence to learn. `alsoNew` keeps the
 * lessons only the held-out sessions show (with the support to act on): what a team may have written from them, which
 * a benchmark compares its memory on.
 */
export function sessionCases(
  held: readonly ObservedSession[],
  records: Readonly<Record<string, PatternRecord>>,
  minSessions: number,
  options: { alsoNew?: boolean } = {},
): MemoryTestCase[] {
  if (held.length === 0) return [];
  const heldIds = new Set(held.map((s) => s.id));
  const byId = new Map(held.map((s) => [s.id, s]));
  const { signal } = extractPatterns(held, records, minSessions);
  // One sentence can be two patterns (a rule a person asked to be kept, and the cluster of its rewordings): one case.
  const asked = new Set<string>();
  return signal.flatMap((pattern) => {
    const seenBefore = records[pattern.key]?.sessions.some((id) => !heldIds.has(id)) ?? false;
    const sighting = pattern.evidence.find((e) => heldIds.has(e.sessionId));
    if ((!seenBefore && !options.alsoNew) || !sighting) return [];
    const session = byId.get(sighting.sessionId);
    const question = session && caseOf(pattern, session, sighting.turn);
    // Turns count from 0 in a session, from 1 where a person reads them.
    const turn = (sighting.turn ?? 0) + 1;
    const same = `${session?.source}\u0000${turn}\u0000${question?.question}`;
    if (!session || !question || asked.has(same)) return [];
    asked.add(same);
    return [{ id: `${session.source}#${pattern.key}`, name: nameOf(question.gist ?? pattern.statement), file: session.source, line: 1, turn, never: [], top: DEFAULT_TOP, ...question }];
  });
}

/** What an agent in that session would ask its memory, and the words the answer must hold; none for a workflow. */
function caseOf(pattern: Pattern, session: ObservedSession, turn: number | undefined): { question: string; expect: string[]; gist?: string } | undefined {
  if (pattern.kind === 'mistake') {
    // A failure with no fix known teaches nothing to test: what would the memory have to say?
    const [command] = pattern.fix ? codeSpans(pattern.fix) : [];
    if (!command || !pattern.signature) return undefined;
    const [program = '', error = ''] = pattern.signature.split(' :: ');
    return { question: `${program} fails: ${error}`, expect: [commandHead(command)] };
  }
  if (pattern.kind === 'workflow') return undefined;
  if (pattern.prefer?.length) return { question: pattern.statement, expect: pattern.prefer };
  // Otherwise most of the rule, in any words: as the person put it that time, which is what the memory must answer.
  const said = [...(session.corrections ?? []), ...session.preferences].find((o) => o.turn === turn)?.statement ?? pattern.statement;
  return { question: said, expect: [], gist: said };
}

function nameOf(statement: string): string {
  const line = statement.replace(/\s+/g, ' ').trim();
  return line.length > MAX_NAME ? `${line.slice(0, MAX_NAME - 1)}…` : line;
}
