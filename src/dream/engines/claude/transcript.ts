/**
 * A session as the model reads it: what people and the agent wrote, each tool call with a short form of its input,
 * and the errors tools returned; not the successful tool output, which is most of a log's size and rarely a lesson.
 * Each line starts with its `[turn N]`, so that an observation can cite where it comes from and be checked. Pure.
 */
import { redact, redactValue } from '../../../sessions/redact.js';
import type { Session, Turn } from '../../../sessions/types.js';

/** Longest transcript sent for one session; a longer one keeps its start and its end. */
export const MAX_TRANSCRIPT = 24_000;

/** Longest text of one turn: a pasted log is cut, so that one turn cannot push the rest of the session out. */
const MAX_TURN_TEXT = 2_000;
const MAX_TOOL_INPUT = 240;
const MAX_INPUT_STRING = 160;
const MAX_ERROR = 600;

export function compactTranscript(session: Session, max = MAX_TRANSCRIPT): string {
  const results = new Map(session.turns.flatMap((turn) => turn.toolResults.map((r) => [r.toolCallId, r] as const)));
  const lines = session.turns.flatMap((turn) => turnLines(turn, results));
  return elideMiddle(lines, max);
}

function turnLines(turn: Turn, results: Map<string, Session['turns'][number]['toolResults'][number]>): string[] {
  const at = `[turn ${turn.index}]`;
  const who = turn.sidechain ? `${turn.role} (subagent)` : turn.role;
  const lines: string[] = [];
  // Harness text (slash-command expansions, caveats) is nobody's words: leaving it out keeps it from reading as a person's.
  if (turn.text.trim() && !turn.synthetic) lines.push(`${at} ${who}: ${clip(redact(turn.text.trim()), MAX_TURN_TEXT)}`);
  for (const call of turn.toolCalls) {
    lines.push(`${at} tool ${call.name}: ${clip(shortInput(call.input), MAX_TOOL_INPUT)}`);
    const result = results.get(call.id);
    if (result?.rejected) lines.push(`${at} tool ${call.name} declined by the user: ${clip(oneLine(redact(result.text)), MAX_ERROR)}`);
    else if (result?.isError) lines.push(`${at} tool ${call.name} failed: ${clip(redact(result.text.trim()), MAX_ERROR)}`);
  }
  // Results whose call is in another turn (the Claude message shape puts them in the next user turn) are shown above.
  return lines;
}

/** The input as JSON with every string redacted and shortened: a command or a path, not a whole file being written. */
function shortInput(input: Record<string, unknown>): string {
  const shortened = redactValue(input, (text) => clip(oneLine(text), MAX_INPUT_STRING));
  return JSON.stringify(shortened);
}

/** Keeps whole lines from the start and the end, and says how much of the middle was left out. */
export function elideMiddle(lines: string[], max: number): string {
  const whole = lines.join('\n');
  if (whole.length <= max) return whole;
  // Both ends tell what a session was about: how it started, and how it ended.
  const half = Math.max(0, (max - MARKER_ROOM) / 2);
  let front = 0;
  for (let size = 0; front < lines.length && size + (lines[front] as string).length + 1 <= half; front++) size += (lines[front] as string).length + 1;
  let back = lines.length;
  for (let size = 0; back > front && size + (lines[back - 1] as string).length + 1 <= half; back--) size += (lines[back - 1] as string).length + 1;
  const omitted = lines.slice(front, back).reduce((n, line) => n + line.length + 1, 0);
  const marker = `[… ${back - front} lines (${omitted} characters) from the middle of the session left out …]`;
  return [...lines.slice(0, front), marker, ...lines.slice(back)].join('\n');
}

/** Room for the line that says what was left out. */
const MARKER_ROOM = 100;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
