import type { Session } from '../../sessions/types.js';
import { capitalize, isGeneric, quote, sentences, shortHash, terms, termsOnce } from '../text.js';
import { correctionsIn } from './corrections.js';
import { claimsOf } from '../claims.js';
import type { Observation } from './observation.js';
import { rememberRequests } from './requests.js';
import { isRecordableRule, isStandingRule, ruleStatement } from './rewrite.js';
import { typedText } from './typed.js';
import { unsafeLesson } from './unsafe.js';

/**
 * Cues that a person is correcting the agent or stating how they want things done. Only text a person
 * typed counts: tool output and harness text never become preferences (they are where injections hide).
 */
const IMPERATIVE = /^(please )?(use|run|keep|make sure|remember)\b/i;

const CUES: RegExp[] = [
  /^(no|nope|stop|wait)\b[,.!:—–-]*\s*\S/i,
  /\b(always|never(?! mind))\b/i,
  /\b(don't|do not|dont|please don't|avoid)\b/i,
  /\bi(?: (?:prefer|like|want|would like|would rather)|'d (?:like|rather|prefer))\b/i,
  /\b(we|i) (use|don't use|do not use|never use|always use|prefer)\b/i,
  /\b(instead of|rather than|not)\b.*\b(use|run|write|add)\b|\b(use|run|write|add)\b.*\b(instead of|rather than|instead)\b/i,
  IMPERATIVE,
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
  /\b(at the end|end with|when you('re| are)? (done|finish(ed)?))\b|\bask me (before|first)\b|\bcheck with me\b/i,
  // A convention by its name: "table-driven", "test-first".
  /\b\w+-(driven|first)\b/i,
];

/** A rule stated as one: at the start of a clause, or as a contrast. */
const STANDING =
  /(^|[,;:—–-]\s*)(no[,.!]?\s*)?(please\s+)?(always|never|don't|do not|avoid)\b|(^|[,;:]\s*)(we|i) (always|never|use|prefer|follow|don't)\b|\bi(?:'d| would)? prefer\b|,\s*not\b/i;

/** Openers that join a sentence to the previous one; the cue is what follows them. */
const OPENER = /^(also|and|plus|ps|p\.s\.|oh|btw|one more thing)\b[,.:;!—–-]*\s*/i;

/** Where redaction took a secret out of the text. */
const REDACTED = /\[REDACTED(?::[\w-]+)?\]/;

/**
 * Requests that only make sense for the task at hand, not as lasting preferences. "Make sure the export
 * keeps working" is about this change; "make sure to run the linter" is a habit. A sentence that names one pull
 * request or issue is about that one.
 */
const ONE_OFF = /\b(this (?!(repo|repository|project|codebase|team|company|app|monorepo|workspace)\b)[a-z-]+|that (file|one)|here:|right now|for now|today|above|below|line \d+)\b|\bmake sure (the|this|that|it|these|those)\b|\/(pull|issues|commit|merge_requests)\/\w|\b(PR|pull request|issue|ticket) #?\d+/i;

export { INJECTION } from './unsafe.js';

/** A preference as one session states it; its pattern key is chosen once all the cycle's statements are known. */
export type PreferenceObservation = Omit<Observation, 'key'>;

/**
 * What people typed in a session, sentence by sentence: tool output and harness text are not theirs, and neither is
 * what they pasted into a turn (code, logs, quoted agent text, documents: see typed.ts).
 */
export function userSentences(session: Session): { text: string; turn: number }[] {
  const out: { text: string; turn: number }[] = [];
  for (const turn of personTurns(session)) for (const text of sentences(turn.typed)) out.push({ text, turn: turn.index });
  return out;
}

/** personTurns of each session, worked out once: several extractors read them. */
const typedTurns = new WeakMap<Session, readonly { index: number; typed: string }[]>();

/** The turns a person typed, each with its typed text; a turn that asks for rules to be recorded keeps its lists. */
function personTurns(session: Session): readonly { index: number; typed: string }[] {
  const known = typedTurns.get(session);
  if (known) return known;
  const turns = session.turns
    .filter((turn) => turn.role === 'user' && !turn.synthetic && !turn.sidechain && turn.text.trim() !== '')
    .map((turn) => {
      const plain = typedText(turn.text);
      const asks = rememberRequests(sentences(plain)).length > 0;
      return { index: turn.index, typed: asks ? typedText(turn.text, { keepLists: true }) : plain };
    })
    .filter((turn) => turn.typed !== '');
  typedTurns.set(session, turns);
  return turns;
}

/**
 * What a person asked to be remembered ("update my cursor rules: never …", "make a rule for it"): signal in one
 * session, written as the rule they stated.
 */
export function findRequests(session: Session): PreferenceObservation[] {
  const observations: PreferenceObservation[] = [];
  const seen = new Set<string>();
  let previous: string[] = [];
  for (const turn of personTurns(session)) {
    const typed = sentences(turn.typed);
    for (const request of rememberRequests(typed, previous)) {
      for (const { statement, said } of requestedRules(request.content, request.topic)) {
        if (seen.has(statement) || unsafeLesson(statement) || REDACTED.test(statement) || !isRecordableRule(statement, namesSomething)) continue;
        seen.add(statement);
        const { recommends: prefer, avoids: avoid } = claimsOf(statement);
        const quoted = request.quote.includes(said) ? request.quote : `${request.quote} ${said}`;
        observations.push({ kind: 'preference', statement, terms: terms(statement), quote: quote(quoted), turn: turn.index, prefer, avoid, explicit: true });
      }
    }
    previous = typed;
  }
  return observations;
}

/**
 * An item of a list keeps what the list was about ("Pull request mode: ensure that there are tests …"): read alone in
 * a memory file, "ensure that there are tests" would say it of every change.
 */
function labelled(statement: string, topic: string | undefined): string {
  if (!topic) return statement;
  const words = terms(topic);
  if (words.length === 0 || words.every((w) => terms(statement).includes(w))) return statement;
  const label = topic.replace(/^the\s+/i, '');
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}: ${statement.charAt(0).toLowerCase()}${statement.slice(1)}`;
}

/** A rule names something of its own: a word that is not everyday engineering talk, or code. */
function namesSomething(text: string): boolean {
  return /`[^`]+`|\.[a-z]{2,4}\b/.test(text) || terms(text).some((t) => !isGeneric(t) && t.length > 2 && !/^(never|always|make|dumb|stuff|thing|things|mistake|mistakes)$/.test(t));
}

/**
 * The rules a request states: one per list item when it gives a list, else its sentences as one rule (at most three
 * sentences and 300 characters), each written as a rule.
 */
function requestedRules(content: readonly string[], topic?: string): { statement: string; said: string }[] {
  const item = /^\s*([-*+]|\d+[.)])\s+/;
  if (content.length > 1 && content.every((c) => item.test(c))) {
    return content.flatMap((c) => {
      const statement = ruleStatement(c.replace(item, ''));
      return statement ? [{ statement: labelled(statement, topic), said: c }] : [];
    });
  }
  const rules = content.map((c) => ruleStatement(c.replace(item, ''))).filter((r): r is string => r !== undefined);
  let text = '';
  for (const rule of rules.slice(0, 3)) {
    if ((text + rule).length > 300) break;
    text = text ? `${text} ${rule}` : rule;
  }
  return text ? [{ statement: text, said: content[0] ?? '' }] : [];
}

/** Facts a person corrected, each keyed by the old and the new name, signal in one session (corrections.ts). */
export function findCorrections(session: Session): Observation[] {
  const found = new Map<string, Observation>();
  for (const { text, turn } of userSentences(session)) {
    for (const correction of correctionsIn(text)) {
      const statement = ruleStatement(text) ?? text;
      if (unsafeLesson(statement) || REDACTED.test(statement)) continue;
      const key = `fact:${shortHash(`${correction.old.toLowerCase()}>${correction.new.toLowerCase()}`, 10)}`;
      if (found.has(key)) continue;
      found.set(key, { key, kind: 'fact', statement, terms: terms(statement), quote: quote(text), turn, dropped: [correction.old], added: [correction.new], explicit: true });
    }
  }
  return [...found.values()];
}

export function findPreferences(session: Session): PreferenceObservation[] {
  const observations: PreferenceObservation[] = [];
  const seen = new Set<string>();
  const sentences = userSentences(session);
  const requests = findRequests(session);
  for (const observation of requests) {
    seen.add([...observation.terms].sort().join(' '));
    observations.push(observation);
  }
  // A sentence a request took in ("… avoid inventing our own") is part of that rule, not a rule of its own.
  const requested = (text: string): boolean => {
    if (requests.length === 0) return false;
    const words = termsOnce(text);
    return requests.some((r) => words.every((t) => r.terms.includes(t)));
  };
  const task = sentences[0]?.turn;
  for (const [index, { text, turn }] of sentences.entries()) {
    // The first thing a person says is the task ("switch the dates to the format we use elsewhere"): it
    // states a standing rule only in so many words.
    if ((index === 0 && !STANDING.test(text.replace(OPENER, ''))) || requested(text)) continue;
    // The rest of the task's turn says more about the task ("Run the job tests locally."): a bare imperative there
    // is a step of it, a rule only with a word that makes it one.
    const observation = preferenceOf(text, turn, turn === task ? CUES.filter((cue) => cue !== IMPERATIVE) : CUES);
    const id = observation && [...observation.terms].sort().join(' ');
    if (observation && id !== undefined && !seen.has(id)) {
      seen.add(id);
      observations.push(observation);
    }
  }
  return observations;
}

function preferenceOf(sentence: string, turn: number, cues: RegExp[]): PreferenceObservation | undefined {
  if (sentence.length < 8 || sentence.length > 300 || sentence.endsWith('?')) return undefined;
  const opened = sentence.replace(OPENER, '');
  if (!cues.some((cue) => cue.test(opened)) || ONE_OFF.test(sentence) || unsafeLesson(sentence)) return undefined;
  // A sentence that hands over a credential is about that credential ("use my key …, never commit it").
  if (REDACTED.test(sentence)) return undefined;
  const subject = termsOnce(sentence);
  // "Please fix." asks for something now; a standing rule names what it is about.
  if (subject.length < 2 || subject.length > 18) return undefined;
  // A correction is worth writing down when it reads as a standing rule, not as the next step of the task.
  const statement = preferenceStatement(sentence);
  if (!isStandingRule(statement)) return undefined;
  // The same reading of "use X, not Y" as curation applies to memory lines, so the two always agree.
  const { recommends: prefer, avoids: avoid } = claimsOf(sentence);
  return { kind: 'preference', statement, terms: subject, quote: quote(sentence), turn, prefer, avoid };
}

/** The person's sentence as a standing instruction, imperative and short (see rewrite.ts). */
export function preferenceStatement(sentence: string): string {
  const rule = ruleStatement(sentence);
  if (rule) return rule;
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
