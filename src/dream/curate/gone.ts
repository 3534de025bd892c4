import type { Entry } from '../../memory/types.js';
import { Memo } from '../../util/memo.js';
import { entryTerms, negatedAt, withoutReasons } from '../claims.js';
import { terms } from '../text.js';

/** What the sessions showed to be gone or refused, and what replaced it (from a mistake pattern or record). */
export interface Replacement {
  dropped?: string[];
  added?: string[];
  /** `python :: not installed` says the missing thing is a program: only running it recommends it. */
  signature?: string;
}

/** The sessions ran the same command with other arguments, and that worked. */
export function byArguments(lesson: Replacement): boolean {
  return (lesson.dropped?.length ?? 0) > 0 && (lesson.added?.length ?? 0) > 0;
}

/**
 * The note tells agents to use what the sessions show is gone or refused (`develop`, `--merge`, port 5432,
 * a missing make target) more than it names what replaced it without rejecting it: "branch off `develop`"
 * is out of date, "start from `main` (the old `develop` branch was retired)" is not.
 */
export function namesWhatIsGone(entry: Entry, lesson: Replacement): boolean {
  const dropped = lesson.dropped ?? [];
  if (dropped.length === 0) return false;
  const text = withoutReasons(entry.text);
  // "the old `docker-compose` binary is not installed" names it only to say it is gone.
  const program = lesson.signature?.endsWith(' :: not installed') ? lesson.signature.split(' :: ')[0] : undefined;
  const gone = dropped.flatMap((d) => namedAt(text, d).filter((at) => !saidGone(text, at, d.length) && (d !== program || runsAt(text, at))));
  if (gone.length === 0) return false;
  const replaced = (lesson.added ?? []).flatMap((a) => namedAt(text, a)).filter((at) => !negatedAt(text, at));
  if (replaced.length !== gone.length) return gone.length > replaced.length;
  // As many of each: the one named first is what the note is about.
  return Math.min(...gone) < Math.min(...replaced);
}

/** The note names what replaced the thing that is gone, and does not reject it. */
export function namesReplacement(entry: Entry, lesson: Replacement): boolean {
  const text = withoutReasons(entry.text);
  return (lesson.added ?? []).some((a) => namedAt(text, a).some((at) => !negatedAt(text, at)));
}

/** Is the word at `at` the program a code span runs (`python x.py`), rather than an argument (`uv run python`)? */
function runsAt(text: string, at: number): boolean {
  const open = text.lastIndexOf('`', at - 1);
  return open >= 0 && text.slice(open + 1, at).trim() === '';
}

const GONE_BEFORE = /\b(old|former|legacy|deprecated|retired|removed|no|without)\s+[`'"]?$/i;
const GONE_AFTER = /^[`'"]?[^.;:!?]{0,30}?\b(is|was|are|were|has been|have been|got)\s+(not installed|gone|removed|retired|deleted|decommissioned|deprecated|dropped|replaced)\b|^[`'"]?[^.;:!?]{0,20}?\b(no longer|doesn't exist|does not exist|is not there)\b/i;

function saidGone(text: string, at: number, length: number): boolean {
  return GONE_BEFORE.test(text.slice(Math.max(0, at - 20), at)) || GONE_AFTER.test(text.slice(at + length, at + length + 60)) || negatedAt(text, at);
}

/**
 * Where the text names `token` as a thing: inside a code span, or anywhere when the token cannot be an
 * everyday word (a number, a flag, `legacy-billing`, `deploy.sh`). "develop" in prose is just a verb.
 */
function namedAt(text: string, token: string): number[] {
  // A proper name ("Railway", "Render") is a thing wherever it appears, as a number or a path is.
  const distinctive = /[\d._/-]/.test(token) || /^[A-Z][a-z]/.test(token);
  const positions = [...text.matchAll(tokenPattern(token))].map((m) => m.index ?? 0);
  if (distinctive) return positions;
  const spans = [...text.matchAll(/`[^`\n]+`/g)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length] as const);
  return positions.filter((at) => spans.some(([start, end]) => at > start && at < end));
}

/** Compiled patterns by token (matchAll works on a copy, so one pattern serves every text). */
const tokenPatterns = new Memo(10_000, (token) => new RegExp(`(?<![\\w-])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'gi'));

function tokenPattern(token: string): RegExp {
  return tokenPatterns.get(token);
}

/**
 * How much two notes are about the same thing, leaving out the words of the lesson itself ("`main`"
 * is in both sides of "branch off `develop`" / "branch off `main`"): the number of shared topic words.
 */
export function sharedSubject(a: Entry, b: Entry, lesson: Replacement): number {
  const lessonWords = new Set([...(lesson.dropped ?? []), ...(lesson.added ?? [])].flatMap((w) => terms(w)));
  const tb = new Set(entryTerms(b));
  return entryTerms(a).filter((t) => tb.has(t) && !lessonWords.has(t) && !/^\d+$/.test(t)).length;
}
