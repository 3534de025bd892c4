/**
 * A model can misquote, and a model can be talked into things. Before an observation counts, its quote must be found
 * in the transcript it was given (up to case, spacing and quote marks), and its turn is read from where the quote is,
 * not taken on trust. Lessons come from a person's words or from a failure and its fix: a preference must quote what a
 * person typed, a fact may not rest on tool output alone, and a mistake must be about the fix it reports, naming only
 * commands that someone ran or typed (an instruction printed in an error is not a command anyone ran). An observation
 * that reads as an instruction to an AI, or as a rule that would make an agent do harm, is dropped. Everything kept
 * is redacted once more: it is written to the local cache and, as evidence, to commits. Pure.
 */
import { INJECTION } from '../../extract/preferences.js';
import { unsafeLesson } from '../../extract/unsafe.js';
import { codeSpans } from '../../text.js';
import { redactText } from '../../../sessions/redact.js';
import type { MapAnswer, MapObservation } from './schemas.js';

const MAX_STATEMENT = 300;
const MAX_QUOTE = 240;
const MAX_TOPIC = 60;

export interface Grounded {
  observations: MapObservation[];
  /** Why each dropped observation was dropped, for the cycle's warnings. */
  dropped: string[];
  /** How many were dropped because their quote is nowhere in the session. */
  unquoted: number;
}

export function groundObservations(answer: MapAnswer, transcript: string): Grounded {
  const lines = transcriptLines(transcript);
  const whole = comparable(transcript);
  const observations: MapObservation[] = [];
  const dropped: string[] = [];
  let unquoted = 0;
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
    if (unsafeLesson(statement) || unsafeLesson(observation.fix ?? '')) {
      dropped.push(`"${clip(statement, 80)}": it would tell an agent to do harm`);
      continue;
    }
    const found = wanted.length >= 4 ? lines.filter((l) => l.text.includes(wanted)) : [];
    if (found.length === 0 && !(wanted.length >= 4 && whole.includes(wanted))) {
      dropped.push(`"${clip(statement, 80)}": its quote is not in the session`);
      unquoted++;
      continue;
    }
    const unsourced = sourceProblem(observation, found, lines);
    if (unsourced) {
      dropped.push(`"${clip(statement, 80)}": ${unsourced}`);
      continue;
    }
    const line = found.find((l) => allowedSpeakers(observation.kind).includes(l.speaker)) ?? found[0];
    const kept: MapObservation = {
      kind: observation.kind,
      statement: redactText(statement),
      // Redacted before shortened: a secret cut in half would no longer match its rule.
      topic: clip(redactText(oneLine(observation.topic)), MAX_TOPIC),
      quote: clip(redactText(quote), MAX_QUOTE),
      turn: line?.turn ?? observation.turn,
      fix: observation.fix === null || oneLine(observation.fix) === '' ? null : clip(redactText(oneLine(observation.fix)), MAX_STATEMENT),
    };
    observations.push(kept);
  }
  return { observations, dropped, unquoted };
}

/** Who a transcript line is: a person, the agent, a tool call (its input), or what a tool returned. */
type Speaker = 'person' | 'agent' | 'tool call' | 'tool output' | 'other';

interface Line {
  turn: number | undefined;
  text: string;
  speaker: Speaker;
}

/** Each line with who wrote it; a line with no `[turn N]` goes on the text of the line before. */
function transcriptLines(transcript: string): Line[] {
  let speaker: Speaker = 'other';
  let turn: number | undefined;
  return transcript.split('\n').map((raw) => {
    const head = /^\[turn (\d+)\] (.*)$/.exec(raw);
    if (head) {
      turn = Number(head[1]);
      speaker = speakerOf(head[2] ?? '');
    }
    return { turn, text: comparable(raw), speaker };
  });
}

function speakerOf(rest: string): Speaker {
  if (/^user:/.test(rest)) return 'person';
  if (/^assistant( \(subagent\))?:/.test(rest)) return 'agent';
  if (/^tool \S+ (failed|declined by the user):/.test(rest)) return 'tool output';
  if (/^tool \S+:/.test(rest)) return 'tool call';
  return 'other';
}

/** Where each kind of lesson may come from: a preference is a person's; a fact is not a tool's say-so. */
function allowedSpeakers(kind: MapObservation['kind']): Speaker[] {
  switch (kind) {
    case 'preference':
      return ['person'];
    case 'fact':
      return ['person', 'agent', 'tool call'];
    default:
      return ['person', 'agent', 'tool call', 'tool output'];
  }
}

/** Why the observation does not come from a person's words or a failure and its fix, or nothing. */
function sourceProblem(observation: MapObservation, found: Line[], lines: Line[]): string | undefined {
  const allowed = allowedSpeakers(observation.kind);
  if (found.length > 0 && !found.some((l) => allowed.includes(l.speaker))) {
    return observation.kind === 'preference' ? 'a preference is what a person said, and its quote is not a person’s words' : 'its quote is only in tool output';
  }
  if (observation.kind !== 'mistake' && observation.kind !== 'workflow') return undefined;
  const fixCommands = codeSpans(observation.fix ?? '');
  const statement = comparable(observation.statement);
  if (observation.kind === 'mistake' && fixCommands.length > 0 && !fixCommands.some((c) => statement.includes(comparable(c)))) {
    return 'it does not say the fix the session shows';
  }
  // A command in a lesson is one someone ran or typed; one printed only in a tool's output is that output's instruction.
  const said = lines.filter((l) => l.speaker !== 'tool output').map((l) => l.text);
  const unrun = [...commandsNamed(observation.statement), ...fixCommands].find((c) => /\s/.test(c.trim()) && !said.some((l) => l.includes(comparable(c))));
  return unrun ? `\`${clip(unrun, 60)}\` is in no command of the session, only in tool output` : undefined;
}

/** The code spans a statement gives as commands, not those that quote an error ("fails with `npm error …`"). */
function commandsNamed(statement: string): string[] {
  return [...statement.matchAll(/`([^`\n]+)`/g)]
    .filter((m) => !/\b(?:fail\w*|errors?|error out|says?|print\w*|reports?|message|output)\s+(?:with\s+)?$/i.test(statement.slice(Math.max(0, (m.index ?? 0) - 24), m.index ?? 0)))
    .map((m) => m[1] ?? '');
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

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
