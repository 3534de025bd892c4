import { posix } from 'node:path';
import { redact, redactValue } from '../redact.js';
import type { ReadWarning, Role, ToolCall, ToolResult, Turn } from '../types.js';

/**
 * Longest text kept for one field (a tool result, a tool input string, a message). Logs hold whole
 * files and command outputs; an engine needs their gist, and every session is held in memory.
 */
export const MAX_FIELD_CHARS = 32 * 1024;

/** Redacts before shortening: a secret cut in half by the clip would no longer match its rule. */
export function cleanText(text: string): string {
  return clipText(redact(text));
}

export function cleanInput(input: unknown): Record<string, unknown> {
  // Each string redacted, then clipped (as cleanText does), in one walk over the input.
  const value = redactValue(input, (text) => clipText(text));
  return isRecord(value) ? value : { value };
}

/** Keeps the head and the tail (where errors and results usually are) of a long text. */
export function clipText(text: string, max = MAX_FIELD_CHARS): string {
  if (text.length <= max) return text;
  const head = safeCut(text, max - Math.floor(max / 4));
  const tail = safeCut(text, text.length - Math.floor(max / 4));
  return `${text.slice(0, head)}\n[… ${tail - head} characters omitted …]\n${text.slice(tail)}`;
}

/** Moves a cut off the middle of a surrogate pair, which would leave half an emoji behind. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xdc00 && code <= 0xdfff ? at - 1 : at;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Folders that Claude Code nests inside a project folder and that do not name an agent. */
const NOT_AGENT_FOLDER = /^(?:subagents|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The agent a log belongs to when nobody said: the folder that holds it. For Claude Code's
 * `~/.claude/projects/<project>/<session>.jsonl` that is the project folder, also for the sub-agent
 * logs it keeps in `<project>/<session>/subagents/`.
 */
export function agentFromPath(path: string): string {
  const folders = posix.dirname(path.replaceAll('\\', '/')).split('/');
  for (let i = folders.length - 1; i >= 0; i--) {
    const name = folders[i] ?? '';
    if (name !== '' && name !== '.' && name !== '..' && !NOT_AGENT_FOLDER.test(name)) return name;
  }
  return 'unknown';
}

/** A session id for logs that carry none: the path without its extension, stable across runs. */
export function idFromPath(path: string): string {
  const p = path.replaceAll('\\', '/');
  return p.slice(0, p.length - posix.extname(p).length);
}

export function fileStem(path: string): string {
  return posix.basename(idFromPath(path));
}

/** Parses one JSONL line into an object, or says why it is not one. */
export function parseRecord(text: string): { record: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `not valid JSON (${firstLine((err as Error).message, 80)})` };
  }
  return isRecord(value) ? { record: value } : { error: 'not a JSON object' };
}

export function firstLine(text: string, max: number): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, safeCut(line, max - 1))}…` : line;
}

/**
 * Per-file warnings with a cap: a binary or foreign file read with an explicit format would
 * otherwise produce one warning per line.
 */
export class WarningLog {
  static readonly MAX_PER_FILE = 20;
  private count = 0;

  constructor(private readonly file: string) {}

  /** The warning to yield, or undefined once the cap is reached. */
  add(message: string, line?: number): ReadWarning | undefined {
    this.count++;
    if (this.count > WarningLog.MAX_PER_FILE) return undefined;
    return line === undefined ? { file: this.file, message } : { file: this.file, line, message };
  }

  /** A closing warning counting what the cap suppressed, if anything was. */
  summary(): ReadWarning | undefined {
    const hidden = this.count - WarningLog.MAX_PER_FILE;
    return hidden > 0 ? { file: this.file, message: `${hidden} more problem lines not listed` } : undefined;
  }
}

/**
 * The earliest and the latest of a session's timestamps, as `earlier` and `later` would pick them one record at a
 * time (an unparseable timestamp never wins), but parsing each timestamp once instead of both sides at every record.
 */
export class TimeSpan {
  start: string | undefined;
  end: string | undefined;
  private startMs = Number.NaN;
  private endMs = Number.NaN;

  add(timestamp: string | undefined): void {
    const ms = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
    if (Number.isNaN(ms)) return;
    if (this.start === undefined || ms < this.startMs) [this.start, this.startMs] = [timestamp, ms];
    if (this.end === undefined || ms > this.endMs) [this.end, this.endMs] = [timestamp, ms];
  }
}

/** The earlier of two ISO timestamps; an unparseable one never wins over a valid one. */
export function earlier(a: string | undefined, b: string | undefined): string | undefined {
  return pickTime(a, b, (x, y) => x < y);
}

export function later(a: string | undefined, b: string | undefined): string | undefined {
  return pickTime(a, b, (x, y) => x > y);
}

function pickTime(a: string | undefined, b: string | undefined, better: (x: number, y: number) => boolean): string | undefined {
  const ta = a === undefined ? NaN : Date.parse(a);
  const tb = b === undefined ? NaN : Date.parse(b);
  if (Number.isNaN(tb)) return Number.isNaN(ta) ? undefined : a;
  return Number.isNaN(ta) || better(tb, ta) ? b : a;
}

/** What a reader knows of a turn; optional flags are left off the turn when unset. */
export interface TurnParts {
  role: Role;
  text: string;
  timestamp?: string | undefined;
  toolCalls?: ToolCall[];
  toolResults?: ToolResult[];
  synthetic?: boolean;
  sidechain?: boolean;
}

/** A turn in the one shape every reader hands out, so that sessions of all formats compare equal field by field. */
export function newTurn(index: number, parts: TurnParts): Turn {
  return {
    index,
    role: parts.role,
    ...(parts.timestamp ? { timestamp: parts.timestamp } : {}),
    text: parts.text,
    toolCalls: parts.toolCalls ?? [],
    toolResults: parts.toolResults ?? [],
    ...(parts.synthetic ? { synthetic: true } : {}),
    ...(parts.sidechain ? { sidechain: true } : {}),
  };
}
