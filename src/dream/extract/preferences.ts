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
  /\b(always|never)\b/i,
  /\b(don't|do not|dont|please don't|avoid)\b/i,
  /\bi (prefer|like|want|'d like|would like|'d rather|would rather)\b/i,
  /\b(we|i) (use|don't use|do not use|never use|always use|prefer)\b/i,
  /\b(instead of|rather than|not)\b.*\b(use|run|write|add)\b|\b(use|run|write|add)\b.*\b(instead of|rather than|instead)\b/i,
  /^(please )?(use|run|keep|make sure|remember)\b/i,
  /\b(should|must)\b/i,
  /\b(we|i) (follow|stick to|go with)\b/i,
  /\bnext time\b/i,
];

/** Requests that only make sense for the task at hand, not as lasting preferences. */
const ONE_OFF = /\b(this (file|function|one|time|pr|bug)|that (file|one)|here:|right now|for now|today|above|below|line \d+)\b/i;

/** Text that tries to instruct whoever reads memory: never promoted, whatever a log says. */
export const INJECTION =
  /\b(ignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|messages|rules)|system prompt|you are now|disregard|add (this |the following )?to (your )?memory|remember (this|the following) (forever|permanently)|(to|attention|note to|dear) (any|all|the)? ?(ai|llm|language model|assistant|agent)s?\b|as an ai\b|ai assistants? reading|\b(ai|llm|coding) (agents?|assistants?|models?)\s*[:,—–-]|every command you run|curl [^|]*\|\s*(sudo )?(sh|bash)|wget [^|]*\|\s*(sh|bash)|exfiltrat|send (the |your )?(token|key|secret|credential|password)s?|grant [^.]{0,40}\badmin)/i;


export function findPreferences(session: Session, keyFor: (terms: string[], prefer: string[], avoid: string[]) => string): Observation[] {
  const observations: Observation[] = [];
  const keys = new Set<string>();
  for (const turn of session.turns) {
    if (turn.role !== 'user' || turn.synthetic || turn.sidechain || !turn.text.trim()) continue;
    for (const sentence of sentences(turn.text)) {
      const observation = preferenceOf(sentence, turn.index, keyFor);
      if (observation && !keys.has(observation.key)) {
        keys.add(observation.key);
        observations.push(observation);
      }
    }
  }
  return observations;
}

function preferenceOf(
  sentence: string,
  turn: number,
  keyFor: (terms: string[], prefer: string[], avoid: string[]) => string,
): Observation | undefined {
  if (sentence.length < 8 || sentence.length > 300 || sentence.endsWith('?')) return undefined;
  if (!CUES.some((cue) => cue.test(sentence)) || ONE_OFF.test(sentence) || INJECTION.test(sentence)) return undefined;
  const subject = terms(sentence);
  if (subject.length === 0 || subject.length > 18) return undefined;
  // The same reading of "use X, not Y" as curation applies to memory lines, so the two always agree.
  const { recommends: prefer, avoids: avoid } = claimsOf(sentence);
  return {
    key: keyFor(subject, prefer, avoid),
    kind: 'preference',
    statement: preferenceStatement(sentence),
    terms: subject,
    quote: quote(sentence),
    turn,
    prefer,
    avoid,
  };
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
