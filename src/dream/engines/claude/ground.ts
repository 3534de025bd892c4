/**
 * A model can misquote. Before an observation counts, its quote must be found in the transcript it was given (up to
 * case, spacing and quote marks), and its turn is read from where the quote is, not taken on trust. An observation
 * whose quote is not in the session, or that reads as an instruction to an AI, is dropped. Everything kept is
 * redacted once more: it is written to the local cache and, as evidence, to commits. Pure.
 */
import { INJECTION } from '../../extract/preferences.js';
import { redact } from '../../../sessions/redact.js';
import type { MapAnswer, MapObservation } from './schemas.js';

const MAX_STATEMENT = 300;
const MAX_QUOTE = 240;
const MAX_TOPIC = 60;

export interface Grounded {
  observations: MapObservation[];
  /** Why each dropped observation was dropped, for the cycle's warnings. */
  dropped: string[];
}

export function groundObservations(answer: MapAnswer, transcript: string): Grounded {
  const lines = transcript.split('\n').map((line) => ({ turn: turnOf(line), text: comparable(line) }));
  const whole = comparable(transcript);
  const observations: MapObservation[] = [];
  const dropped: string[] = [];
  for (const observation of answer.observations) {
    const statement = oneLine(observation.statement);
    const quote = oneLine(observation.quote).replace(/^["“'`]+|["”'`]+$/g, '');
    const wanted = comparable(quote);
    if (!statement || statement.length > MAX_STATEMENT) {
      dropped.push(`an observation with ${statement ? 'a statement too long' : 'no statement'}`);
      continue;
    }
    // An observation drawn from text addressed to an AI is that text's doing, however plainly it is restated.
    if (INJECTION.test(statement) || INJECTION.test(observation.fix ?? '') || INJECTION.test(quote)) {
      dropped.push(`"${clip(statement, 80)}": it, or its quote, reads as an instruction to an AI, not a lesson`);
      continue;
    }
    const line = wanted.length >= 4 ? lines.find((l) => l.text.includes(wanted)) : undefined;
    if (!line && !(wanted.length >= 4 && whole.includes(wanted))) {
      dropped.push(`"${clip(statement, 80)}": its quote is not in the session`);
      continue;
    }
    const kept: MapObservation = {
      kind: observation.kind,
      statement: redact(statement),
      topic: redact(clip(oneLine(observation.topic), MAX_TOPIC)),
      quote: redact(clip(quote, MAX_QUOTE)),
      turn: line?.turn ?? observation.turn,
      fix: observation.fix === null || oneLine(observation.fix) === '' ? null : redact(oneLine(observation.fix)),
    };
    observations.push(kept);
  }
  return { observations, dropped };
}

/** Text as compared: lower case, one kind of quote mark, no backticks, single spaces. */
function comparable(text: string): string {
  return text
    .toLowerCase()
    .replace(/[“”„]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/[`…]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function turnOf(line: string): number | undefined {
  const match = /^\[turn (\d+)\]/.exec(line);
  return match ? Number(match[1]) : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
