import type { Session } from '../../sessions/types.js';
import { capitalize, quote, sentences, terms } from '../text.js';
import { claimsOf } from '../claims.js';
import type { Observation } from './observation.js';

/**
 * Cues that a person is correcting the agent or stating how they want things done. Only text a person
 * typed counts: tool output and harness text never become preferences (they are where injections hide).
 */
const CUES: RegExp[] = [
  /^(no|nope|stop|wait)\b[,.!:—–-]*\s*\S/i,
  /\b(always|never(?! mind))\b/i,
  /\b(don't|do not|dont|please don't|avoid)\b/i,
  /\bi(?: (?:prefer|like|want|would like|would rather)|'d (?:like|rather|prefer))\b/i,
  /\b(we|i) (use|don't use|do not use|never use|always use|prefer)\b/i,
  /\b(instead of|rather than|not)\b.*\b(use|run|write|add)\b|\b(use|run|write|add)\b.*\b(instead of|rather than|instead)\b/i,
  /^(please )?(use|run|keep|make sure|remember)\b/i,
  /\b(should|must)\b/i,
  /\b(we|i) (follow|stick to|go with)\b/i,
  /\bnext time\b/i,
  /\bprefer\b/i,
  // A convention named as one: "follow the conventional commits format", "conventional-commit style".
  /\b(follows?|stick to|go with)\b.*\b(format|style|conventions?|guide|rules?)\b|\b[\w-]+[- ]style\b/i,
  // Where a rule holds says it is a rule: "we log through slog everywhere", "it's `make check` in this repo".
  /\b(everywhere|whenever|every (time|new|single)|(in|on|for) (this|our) (repo|repository|codebase|project|team))\b/i,
  // "vitest, not jest"; "log with slog, not fmt.Println".
  /,\s*not\b/i,
  // How every task should end, and what needs a person's go-ahead.
  /\b(at the end|end with|when you('re| are)? (done|finished?))\b|\bask me (before|first)\b|\bcheck with me\b/i,
  // A convention by its name: "table-driven", "test-first".
  /\b\w+-(driven|first)\b/i,
];

/** A rule stated as one: at the start of a clause, or as a contrast. */
const STANDING =
  /(^|[,;:—–-]\s*)(no[,.!]?\s*)?(please\s+)?(always|never|don't|do not|avoid)\b|(^|[,;:]\s*)(we|i) (always|never|use|prefer|follow|don't)\b|\bi(?:'d| would)? (prefer|like|want)\b|,\s*not\b/i;

/** Openers that join a sentence to the previous one; the cue is what follows them. */
const OPENER = /^(also|and|plus|ps|p\.s\.|oh|btw|one more thing)\b[,.:;!—–-]*\s*/i;

/** Where redaction took a secret out of the text. */
const REDACTED = /\[REDACTED(?::[\w-]+)?\]/;

/**
 * Requests that only make sense for the task at hand, not as lasting preferences. "Make sure the export
 * keeps working" is about this change; "make sure to run the linter" is a habit.
 */
const ONE_OFF = /\b(this (file|function|one|time|pr|bug)|that (file|one)|here:|right now|for now|today|above|below|line \d+)\b|\bmake sure (the|this|that|it|these|those)\b/i;

/** Text that tries to instruct whoever reads memory: never promoted, whatever a log says. */
export const INJECTION =
  /\b(ignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|messages|rules)|system prompt|you are now|disregard|add (this |the following )?to (your )?memory|remember (this|the following) (forever|permanently)|(to|attention|note to|dear) (any|all|the)? ?(ai|llm|language model|assistant|agent)s?\b|as an ai\b|ai assistants? reading|\b(ai|llm|coding) (agents?|assistants?|models?)\s*[:,—–-]|every command you run|curl [^|]*\|\s*(sudo )?(sh|bash)|wget [^|]*\|\s*(sh|bash)|exfiltrat|send (the |your )?(token|key|secret|credential|password)s?|grant [^.]{0,40}\badmin)/i;


/** A preference as one session states it; its pattern key is chosen once all the cycle's statements are known. */
export type PreferenceObservation = Omit<Observation, 'key'>;

/** What people typed in a session, sentence by sentence: tool output and harness text are not theirs. */
export function userSentences(session: Session): { text: string; turn: number }[] {
  const out: { text: string; turn: number }[] = [];
  for (const turn of session.turns) {
    if (turn.role !== 'user' || turn.synthetic || turn.sidechain || !turn.text.trim()) continue;
    for (const text of sentences(turn.text)) out.push({ text, turn: turn.index });
  }
  return out;
}

export function findPreferences(session: Session): PreferenceObservation[] {
  const observations: PreferenceObservation[] = [];
  const seen = new Set<string>();
  const sentences = userSentences(session);
  for (const [index, { text, turn }] of sentences.entries()) {
    // The first thing a person says is the task ("switch the dates to the format we use elsewhere"): it
    // states a standing rule only in so many words.
    if (index === 0 && !STANDING.test(text.replace(OPENER, ''))) continue;
    const observation = preferenceOf(text, turn);
    const id = observation && [...observation.terms].sort().join(' ');
    if (observation && id !== undefined && !seen.has(id)) {
      seen.add(id);
      observations.push(observation);
    }
  }
  return observations;
}

function preferenceOf(sentence: string, turn: number): PreferenceObservation | undefined {
  if (sentence.length < 8 || sentence.length > 300 || sentence.endsWith('?')) return undefined;
  const opened = sentence.replace(OPENER, '');
  if (!CUES.some((cue) => cue.test(opened)) || ONE_OFF.test(sentence) || INJECTION.test(sentence)) return undefined;
  // A sentence that hands over a credential is about that credential ("use my key …, never commit it").
  if (REDACTED.test(sentence)) return undefined;
  const subject = terms(sentence);
  // "Please fix." asks for something now; a standing rule names what it is about.
  if (subject.length < 2 || subject.length > 18) return undefined;
  // The same reading of "use X, not Y" as curation applies to memory lines, so the two always agree.
  const { recommends: prefer, avoids: avoid } = claimsOf(sentence);
  return { kind: 'preference', statement: preferenceStatement(sentence), terms: subject, quote: quote(sentence), turn, prefer, avoid };
}

/** The person's sentence as a standing instruction: without the "no," that answered one message. */
export function preferenceStatement(sentence: string): string {
  const cleaned = sentence
    // "No, use X" answers one message; "No emojis in commits" is the rule itself and keeps its "No".
    .replace(/^(no|nope|stop|wait|hey|ok|okay)\s*[,.!:—–-]+\s*/i, '')
    .replace(/^(also|and|so|but)\b[,.!:—–-]*\s*/i, '')
    .replace(/^(please|pls|plz)\s+/i, '')
    .replace(/^(can|could|would) you (please )?/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!,;:]+$/, '');
  return `${capitalize(cleaned)}.`;
}
