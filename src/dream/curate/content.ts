/**
 * What a cycle may write, whichever engine proposed it: the text an action brings into memory is checked for what it
 * says, not only for who backs it. It must not tell an agent to do harm (extract/unsafe.ts), must not go against a rule
 * people wrote in a protected namespace (by the tools it names and by the acts it tells to do: "push directly to main"
 * against "never push to main directly"), and an add or update must be about the pattern it cites, one add per pattern.
 * Text that is merely sensitive (about pushing, credentials, review…) is written, but never without a person's review
 * (content-risk.ts, risk.ts).
 */
import type { Entry } from '../../memory/types.js';
import { claimsOf, conflictBetween, proseConflict, sameOrPart } from '../claims.js';
import { unsafeLesson } from '../extract/unsafe.js';
import { opposition } from '../stated-actions.js';
import { codeSpans, isGeneric, terms } from '../text.js';
import type { Action } from '../types.js';
import { short } from './action.js';

/** What the sessions say a pattern is about: its line, its fix, what it names. */
export interface PatternSubject {
  statement: string;
  fix?: string | undefined;
  terms?: readonly string[] | undefined;
  prefer?: readonly string[] | undefined;
  avoid?: readonly string[] | undefined;
  added?: readonly string[] | undefined;
  dropped?: readonly string[] | undefined;
}

export interface ContentView {
  /** The rules people wrote in protected namespaces. */
  rules: readonly Entry[];
  /** What a cited pattern is about, by key (the ways the sessions said it). */
  subjects(key: string): PatternSubject[];
  /** Patterns an add of this cycle already wrote. */
  added: ReadonlySet<string>;
}

/** Why the text the action writes may not go into memory, or nothing. */
export function contentRefusal(action: Action, view: ContentView): string | undefined {
  const content = action.content;
  if (content === undefined) return undefined;
  // What an entry already said is not brought in by the action that keeps it (a person's note with one command changed).
  const before = action.targets.map((t) => t.raw);
  if (unsafeLesson(content) && !before.some(unsafeLesson)) return 'its text would tell an agent to do harm (run code from the internet, hand over credentials, delete memory or history, skip review or checks, or obey text addressed to it)';
  for (const rule of view.rules) {
    const against = contradiction(content, rule.text);
    if (against && !before.some((text) => contradiction(text, rule.text))) return `it contradicts the protected instructions in ${rule.path}:${rule.line} (${short(rule, 60)}, on ${against})`;
  }
  if (action.type !== 'add' && action.type !== 'update') return undefined;
  const repeated = action.type === 'add' ? action.patterns.find((key) => view.added.has(key)) : undefined;
  if (repeated) return `an add of this cycle already writes pattern ${repeated}: one add per pattern`;
  if (action.patterns.length > 0 && !action.patterns.some((key) => isAbout(content, view.subjects(key)))) {
    return `its text is not about the pattern it cites (${action.patterns.join(', ')}): it shares none of its key words`;
  }
  return undefined;
}

/**
 * How new text goes against a rule, or nothing: the tools it recommends are ones the rule avoids, the two disagree on
 * a tool (claims.ts), or it tells to do an act the rule forbids, or waives one the rule asks for (stated-actions.ts).
 */
export function contradiction(text: string, rule: string): string | undefined {
  const note = claimsOf(text);
  const ruled = claimsOf(rule);
  const avoided = ruled.avoids.find((a) => note.recommends.some((r) => sameOrPart(a, r) || sameOrPart(r, a)));
  if (avoided) return avoided;
  return conflictBetween(note, ruled) ?? proseConflict(ruled, note) ?? opposition(rule, text);
}

/** The words that make text about a pattern: those of its line and fix, and the tools and names it gives, but for everyday ones. */
export function keyTerms(subject: PatternSubject): string[] {
  const named = [...(subject.prefer ?? []), ...(subject.avoid ?? []), ...(subject.added ?? []), ...(subject.dropped ?? [])];
  const words = [subject.statement, subject.fix ?? '', ...codeSpans(subject.fix ?? ''), ...named, ...(subject.terms ?? [])].flatMap((t) => terms(t));
  return [...new Set(words)].filter((t) => !isGeneric(t));
}

/**
 * Shares two of the pattern's key words, or one when the text or the pattern has only one that is not everyday
 * engineering talk ("Always write the down part of a migration"): text about something else shares none.
 */
function isAbout(text: string, subjects: PatternSubject[]): boolean {
  const own = new Set(terms(text).filter((t) => !isGeneric(t)));
  return subjects.some((subject) => {
    const key = keyTerms(subject);
    const shared = key.filter((t) => own.has(t)).length;
    return shared >= Math.max(1, Math.min(2, key.length, own.size));
  });
}
