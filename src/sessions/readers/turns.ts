/**
 * Shared by the readers of formats that hold no record per turn (Gemini CLI, aider, SpecStory): they
 * assemble turns in the Claude message shape, where an assistant turn carries its tool calls and the
 * user turn after it carries their results.
 */
import { inferOutcome } from '../outcome.js';
import type { LogSource, Role, Session, ToolCall, ToolResult, Turn } from '../types.js';
import { agentFromPath, cleanText, newTurn, TimeSpan } from './common.js';

export type SessionData = Omit<Session, 'hash' | 'source' | 'format'>;

/** Where a session stood: how many turns, and how many calls and results its last turn held. */
export interface TurnMark {
  turns: number;
  calls: number;
  results: number;
}

export interface TurnFields {
  timestamp?: string | undefined;
  synthetic?: boolean;
  sidechain?: boolean;
}

/** Builds one session's turns in order. Texts handed in must already be clean (redacted and clipped). */
export class TurnBuilder {
  readonly span = new TimeSpan();
  private readonly turns: Turn[] = [];

  get last(): Turn | undefined {
    return this.turns[this.turns.length - 1];
  }

  add(role: Role, text: string, fields: TurnFields = {}, calls: ToolCall[] = []): Turn {
    this.span.add(fields.timestamp);
    const turn = newTurn(this.turns.length, { ...fields, role, text, toolCalls: calls });
    this.turns.push(turn);
    return turn;
  }

  /** A call joins the assistant turn it follows; after anything else it opens an assistant turn of its own. */
  call(call: ToolCall, fields: TurnFields = {}): void {
    const last = this.last;
    if (last?.role === 'assistant' && (last.sidechain ?? false) === (fields.sidechain ?? false)) {
      this.span.add(fields.timestamp);
      last.toolCalls.push(call);
    } else this.add('assistant', '', fields, [call]);
  }

  /** Results of consecutive calls share one user turn, as Claude Code records them. */
  result(result: ToolResult, fields: TurnFields = {}): void {
    const last = this.last;
    if (last && isResultsOnly(last) && (last.sidechain ?? false) === (fields.sidechain ?? false)) {
      this.span.add(fields.timestamp);
      last.toolResults.push(result);
    } else this.add('user', '', fields).toolResults.push(result);
  }

  /**
   * A call whose result is already known. Right after another such pair it joins that batch (the assistant turn
   * before the last results), as Claude Code records calls made in one go.
   */
  callWithResult(call: ToolCall, result: ToolResult | undefined, fields: TurnFields = {}): void {
    const last = this.last;
    const before = this.turns[this.turns.length - 2];
    const sidechain = fields.sidechain ?? false;
    if (result && last && before && isResultsOnly(last) && before.role === 'assistant' && (before.sidechain ?? false) === sidechain && (last.sidechain ?? false) === sidechain) {
      this.span.add(fields.timestamp);
      before.toolCalls.push(call);
      last.toolResults.push(result);
      return;
    }
    this.call(call, fields);
    if (result) this.result(result, fields);
  }

  mark(): TurnMark {
    const last = this.last;
    return { turns: this.turns.length, calls: last?.toolCalls.length ?? 0, results: last?.toolResults.length ?? 0 };
  }

  /** Undoes everything added since the mark (a log that records a rewind); the time span keeps what it saw. */
  rewind(mark: TurnMark): void {
    if (mark.turns > this.turns.length) return;
    this.turns.length = mark.turns;
    const last = this.last;
    if (!last) return;
    last.toolCalls.length = Math.min(last.toolCalls.length, mark.calls);
    last.toolResults.length = Math.min(last.toolResults.length, mark.results);
  }

  /** The turns that carry something, numbered again if an empty one was dropped. */
  finish(): Turn[] {
    const kept = this.turns.filter((t) => t.text !== '' || t.toolCalls.length > 0 || t.toolResults.length > 0);
    return kept.length === this.turns.length ? kept : kept.map((t, index) => ({ ...t, index }));
  }
}

function isResultsOnly(turn: Turn): boolean {
  return turn.role === 'user' && turn.text === '' && turn.toolCalls.length === 0;
}

/** A person or the model said something, or a tool ran. */
function spoke(turn: Turn): boolean {
  return turn.toolCalls.length > 0 || (turn.role !== 'system' && !turn.synthetic && turn.text !== '');
}

/** A session from built turns, or undefined when no one spoke: a run that only printed notices holds no lesson. */
export function sessionOf(id: string, agent: string, builder: TurnBuilder, extra: Partial<SessionData> = {}): SessionData | undefined {
  const turns = builder.finish();
  if (!turns.some(spoke)) return undefined;
  const { start, end } = builder.span;
  return {
    id,
    agent,
    ...(start ? { startedAt: start } : {}),
    ...(end ? { endedAt: end } : {}),
    ...extra,
    turns,
    outcome: inferOutcome(turns),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The agent of a log whose folder is named by its tool rather than by a project (`chats`, `.specstory/history`):
 * the configured agent, else the nearest folder outside the tool's own ones.
 */
export function agentOf(source: LogSource, toolFolders: readonly string[]): string {
  if (source.agent) return source.agent;
  const fallback = source.defaultAgent ?? agentFromPath(source.path);
  if (!toolFolders.includes(fallback)) return fallback;
  const folders = source.path.replaceAll('\\', '/').split('/').slice(0, -1);
  // Gemini CLI nests a sub-agent's recording in a folder named by its parent session: not a project either.
  const inside = (name: string) => toolFolders.includes(name) || name === '' || name === '.' || UUID.test(name);
  while (folders.length > 0 && inside(folders[folders.length - 1] ?? '')) folders.pop();
  const outside = agentFromPath([...folders, 'log'].join('/'));
  return outside === 'unknown' ? fallback : outside;
}

/**
 * Text gathered line by line from a Markdown log. A block of a few hundred MB (a pasted dump) would otherwise be
 * held whole: past a bound it is cleaned (redacted, then clipped to its head and tail) and gathering goes on.
 */
export class TextBuffer {
  static readonly COMPACT_AT = 4 * 1024 * 1024;
  private lines: string[] = [];
  private chars = 0;

  get empty(): boolean {
    return this.lines.length === 0;
  }

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    if (this.chars > TextBuffer.COMPACT_AT) {
      const compacted = cleanText(this.lines.join('\n'));
      this.lines = [compacted];
      this.chars = compacted.length;
    }
  }

  /** The gathered text, cleaned, and the buffer emptied. */
  take(): string {
    const text = cleanText(this.lines.join('\n').trim());
    this.lines = [];
    this.chars = 0;
    return text;
  }

  /** The raw lines gathered so far (for callers that look at their shape before cleaning). */
  peek(): readonly string[] {
    return this.lines;
  }
}

/** `2025-08-18 14:14:40Z`, `2024-08-05 19:33:02`, `2025-11-13 21:12:14-0700` as ISO 8601, or undefined. */
export function isoTimestamp(text: string | undefined): string | undefined {
  const m = /(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?/.exec(text ?? '');
  if (!m) return undefined;
  const zone = m[3] === undefined ? '' : m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`;
  const iso = `${m[1]}T${m[2]}${zone}`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/** A timestamp as the log wrote it, when it is one: anything else (a damaged field) never reaches a Session. */
export function timeOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 64 && !Number.isNaN(Date.parse(value)) ? value : undefined;
}
