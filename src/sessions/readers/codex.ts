/**
 * OpenAI Codex CLI rollouts: `~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<uuid>.jsonl`, one `{timestamp, type,
 * payload}` record per line (codex-rs/protocol: RolloutLine). The schema changes between releases, so everything here
 * is lenient: unknown record and item types are skipped, a corrupt line is a warning, and the rest is read.
 *
 * Codex records most of a conversation twice: as `response_item`s (what the model saw) and as `event_msg`s (what the
 * UI showed). The response items are the conversation; an event's user or agent message is taken only when it is not
 * the echo of a response item, so that a release that records only one of the two is still read whole.
 */
import { posix } from 'node:path';
import { inferOutcome } from '../outcome.js';
import type { LogSource, ReaderEvent, ReadWarning, Role, Session, SessionReader, ToolCall, ToolResult, Turn } from '../types.js';
import { cleanInput, cleanText, clipText, fileStem, isRecord, parseRecord, str, newTurn, TimeSpan, WarningLog } from './common.js';

type Rec = Record<string, unknown>;
type SessionData = Omit<Session, 'hash' | 'source' | 'format'>;

/** The record types of a rollout line (RolloutItem). */
const ROLLOUT_TYPES = new Set(['session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted']);

/** Response item types that older releases wrote bare, one per line, without the `{type, payload}` envelope. */
const BARE_ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'local_shell_call', 'web_search_call', 'reasoning']);

/** What an interrupted turn becomes: the same words Claude Code uses, which outcome inference knows. */
export const INTERRUPTED = '[Request interrupted by user]';

export const codexReader: SessionReader = {
  format: 'codex',
  detect: (firstLines) => firstLines.some(isCodexLine),
  read,
};

function isCodexLine(line: string): boolean {
  const parsed = parseRecord(line);
  if (!('record' in parsed)) return false;
  const r = parsed.record;
  return (typeof r.type === 'string' && ROLLOUT_TYPES.has(r.type) && isRecord(r.payload)) || isBareMeta(r);
}

/** The first line of an older rollout: the session's id, start and instructions, without an envelope. */
function isBareMeta(r: Rec): boolean {
  return r.type === undefined && typeof r.id === 'string' && typeof r.timestamp === 'string' && 'instructions' in r;
}

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const builder = new RolloutBuilder();
  let number = 0;
  const take = (text: string): ReadWarning | undefined => {
    number++;
    if (text.trim() === '') return undefined;
    const ignored = ignoredRecord(text, builder.knowsCwd());
    if (ignored) {
      builder.addTime(ignored.timestamp);
      return undefined;
    }
    const parsed = parseRecord(text);
    const problem = 'error' in parsed ? parsed.error : builder.add(parsed.record);
    return problem === undefined ? undefined : log.add(problem, number);
  };
  // A log read whole is gone through without a promise per line; a large one is streamed.
  const whole = source.syncLines?.();
  if (whole) {
    for (const text of whole) {
      const warning = take(text);
      if (warning) yield { kind: 'warning', warning };
    }
  } else {
    for await (const text of source.lines()) {
      const warning = take(text);
      if (warning) yield { kind: 'warning', warning };
    }
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  const session = builder.finish(source);
  if (session) yield { kind: 'session', session };
}

/** The response items and events the builder reads; a record of any other type changes nothing but the time span. */
const READ_ITEM_TYPES = new Set(['message', 'function_call', 'custom_tool_call', 'local_shell_call', 'web_search_call', 'function_call_output', 'custom_tool_call_output']);
const READ_EVENT_TYPES = new Set(['user_message', 'agent_message', 'turn_aborted']);
/**
 * Types a `"type"` key further on in an ignored record must not name, in case it is the record's own or its payload's,
 * written twice. (A record with a payload is never a bare item, whatever its type.)
 */
const READ_TYPES = new Set([...READ_ITEM_TYPES, ...READ_EVENT_TYPES, ...ROLLOUT_TYPES]);

const RECORD_START = '{"timestamp":"';

/**
 * A record the builder would take nothing from but its timestamp, told from its line without parsing it: token
 * counts, reasoning (summaries and encrypted content), the UI's reasoning events, task markers, and turn contexts once
 * the session's folder is known; a quarter to a third of a rollout. Codex writes `timestamp`, `type` and `payload`
 * first, in that order, and the payload's own `type` first in it. A line is parsed as any other when it could be read
 * otherwise: a `\u` escape (which could spell a key), another `"timestamp"` or `"payload"` key, a `"type"` anywhere
 * further on that does not name a type the builder ignores (JSON.parse keeps the last of two keys, so a second
 * `"type"` of the record's or its payload's would be the one read), or an end that is not an object's (a line cut short
 * is reported as one). A line so skipped is never read, so nothing of it can reach a session.
 */
function ignoredRecord(text: string, cwdKnown: boolean): { timestamp: string } | undefined {
  if (!text.startsWith(RECORD_START)) return undefined;
  const timestampEnd = plainStringEnd(text, RECORD_START.length);
  if (timestampEnd < 0 || !text.startsWith('","type":"', timestampEnd)) return undefined;
  const typeStart = timestampEnd + '","type":"'.length;
  const typeEnd = plainStringEnd(text, typeStart);
  if (typeEnd < 0 || !text.startsWith('","payload":{', typeEnd)) return undefined;
  const type = text.slice(typeStart, typeEnd);
  let rest = typeEnd + '","payload":{'.length;
  if (type === 'turn_context') {
    if (!cwdKnown) return undefined;
  } else if (type === 'response_item' || type === 'event_msg') {
    if (!text.startsWith('"type":"', rest)) return undefined;
    const payloadTypeEnd = plainStringEnd(text, rest + '"type":"'.length);
    if (payloadTypeEnd < 0 || READ_TYPES.has(text.slice(rest + '"type":"'.length, payloadTypeEnd))) return undefined;
    rest = payloadTypeEnd;
  } else return undefined;
  if (text.includes('\\u', rest) || text.includes('"timestamp"', rest) || text.includes('"payload"', rest) || !text.trimEnd().endsWith('}')) return undefined;
  for (let at = text.indexOf('"type"', rest); at >= 0; at = text.indexOf('"type"', at + 1)) {
    if (!text.startsWith('"type":"', at)) return undefined;
    const end = plainStringEnd(text, at + '"type":"'.length);
    if (end < 0 || READ_TYPES.has(text.slice(at + '"type":"'.length, end))) return undefined;
  }
  return { timestamp: text.slice(RECORD_START.length, timestampEnd) };
}

/** Where the string that starts at `from` ends (its closing quote), or -1 when it holds an escape or does not end. */
function plainStringEnd(text: string, from: number): number {
  const end = text.indexOf('"', from);
  if (end < 0) return -1;
  for (let at = from; at < end; at++) if (text.charCodeAt(at) === 92 /* \\ */) return -1;
  return end;
}

/**
 * Messages waiting for their echo. The two copies of a message are written next to each other, so a log that records
 * only one copy of many messages in a row must not make the wait list, searched at every message, grow with them.
 */
const MAX_UNECHOED = 8;

/** Which copy of a message this is: the response item the model saw, or the event the UI showed. */
type Copy = 'item' | 'event';

/** A message taken from one copy whose other copy has not been seen yet. */
interface Unechoed {
  role: Role;
  key: string;
  copy: Copy;
}

/** One rollout file is one session. */
class RolloutBuilder {
  private readonly turns: Turn[] = [];
  private readonly span = new TimeSpan();
  private id: string | undefined;
  private cwd: string | undefined;
  private gitBranch: string | undefined;
  private unechoed: Unechoed[] = [];
  /** When the user interrupted a turn: written as a turn once the interrupted turn's items are all in. */
  private interrupt: { timestamp: string | undefined } | undefined;
  private generatedIds = 0;

  knowsCwd(): boolean {
    return this.cwd !== undefined;
  }

  /** What a record the builder ignores adds: its time. */
  addTime(timestamp: string): void {
    this.span.add(timeOf(timestamp));
  }

  /** Adds one record; returns a problem to warn about, if any. */
  add(r: Rec): string | undefined {
    const timestamp = timeOf(r.timestamp);
    this.span.add(timestamp);
    if (isBareMeta(r)) return this.meta(r);
    if (typeof r.type === 'string' && BARE_ITEM_TYPES.has(r.type) && r.payload === undefined) return this.item(r, timestamp);
    if (typeof r.type !== 'string' || !ROLLOUT_TYPES.has(r.type)) return undefined;
    if (!isRecord(r.payload)) return `${r.type} record without a payload`;
    switch (r.type) {
      case 'session_meta':
        return this.meta(r.payload);
      case 'response_item':
        return this.item(r.payload, timestamp);
      case 'event_msg':
        return this.event(r.payload, timestamp);
      case 'turn_context':
        this.cwd ??= str(r.payload.cwd);
        return undefined;
      default:
        // `compacted` summarises turns this file already holds.
        return undefined;
    }
  }

  private meta(p: Rec): undefined {
    // A forked session's file may go on to repeat its parent's records; the first meta names this file's session.
    this.id ??= str(p.id);
    this.cwd ??= str(p.cwd);
    this.gitBranch ??= isRecord(p.git) ? str(p.git.branch) : undefined;
    this.span.add(timeOf(p.timestamp));
    return undefined;
  }

  private item(p: Rec, timestamp: string | undefined): string | undefined {
    switch (p.type) {
      case 'message':
        return this.message(p, timestamp);
      case 'function_call':
      case 'custom_tool_call':
      case 'local_shell_call':
      case 'web_search_call':
        return this.call(p, timestamp);
      case 'function_call_output':
      case 'custom_tool_call_output':
        return this.result(p, timestamp);
      default:
        // Reasoning is the model's scratch work; snapshots and compaction markers are the harness's bookkeeping.
        return undefined;
    }
  }

  private message(p: Rec, timestamp: string | undefined): undefined {
    const parts = contentParts(p.content);
    if (p.role === 'user') this.userMessage(parts, 'item', timestamp);
    else if (p.role === 'assistant') this.assistantMessage(parts.join('\n'), 'item', timestamp);
    // Developer and system messages are the harness's standing instructions, the same in every session.
    return undefined;
  }

  private event(p: Rec, timestamp: string | undefined): undefined {
    if (p.type === 'user_message') this.userEvent(p, timestamp);
    else if (p.type === 'agent_message' && typeof p.message === 'string') this.assistantMessage(p.message, 'event', timestamp);
    else if (p.type === 'turn_aborted' && p.reason === 'interrupted') this.interrupt ??= { timestamp };
    // Token counts, reasoning summaries, task start and end: bookkeeping, not conversation.
    return undefined;
  }

  private userEvent(p: Rec, timestamp: string | undefined): void {
    if (typeof p.message !== 'string') return;
    const images = countOf(p.images) + countOf(p.local_images);
    const parts = [p.message, ...Array.from({ length: images }, () => IMAGE)];
    // Older releases sent the environment and AGENTS.md as user messages of their own kind.
    const harness = typeof p.kind === 'string' && p.kind !== 'plain';
    this.userMessage(parts, 'event', timestamp, harness);
  }

  private userMessage(parts: string[], copy: Copy, timestamp: string | undefined, harness = false): void {
    const { text, synthetic, interrupted } = classifyCodexUserText(parts, harness);
    if (interrupted) {
      this.interrupt ??= { timestamp };
      return;
    }
    if (text === '' || this.isEcho('user', text, copy)) return;
    this.flushInterrupt();
    this.push({ role: 'user', text: cleanText(text), synthetic, timestamp });
  }

  private assistantMessage(text: string, copy: Copy, timestamp: string | undefined): void {
    if (text.trim() === '' || this.isEcho('assistant', text, copy)) return;
    this.push({ role: 'assistant', text: cleanText(text.trim()), timestamp });
  }

  /**
   * True when the message is the other copy of one already taken. Both copies of a message are written next to each
   * other, so a message of the other role, or any tool traffic, ends the wait for an echo.
   */
  private isEcho(role: Role, text: string, copy: Copy): boolean {
    const key = echoKey(text);
    const at = this.unechoed.findIndex((m) => m.role === role && m.key === key && m.copy !== copy);
    if (at >= 0) {
      this.unechoed.splice(at, 1);
      return true;
    }
    this.unechoed = this.unechoed.filter((m) => m.role === role).slice(1 - MAX_UNECHOED);
    this.unechoed.push({ role, key, copy });
    return false;
  }

  private call(p: Rec, timestamp: string | undefined): string | undefined {
    const call = toolCallOf(p, () => `${p.type as string}-${++this.generatedIds}`);
    if (typeof call === 'string') return call;
    this.unechoed = [];
    const last = this.turns[this.turns.length - 1];
    const turn = last?.role === 'assistant' ? last : this.push({ role: 'assistant', text: '', timestamp });
    turn.toolCalls.push(call);
    return undefined;
  }

  private result(p: Rec, timestamp: string | undefined): string | undefined {
    const callId = str(p.call_id);
    if (!callId) return `${p.type as string} without a call_id`;
    this.unechoed = [];
    const last = this.turns[this.turns.length - 1];
    // Results of parallel calls answer one assistant turn together, as in Claude Code's message shape.
    const turn = last && isResultsOnly(last) ? last : this.push({ role: 'user', text: '', timestamp });
    turn.toolResults.push({ toolCallId: callId, ...outputOf(p.output) });
    return undefined;
  }

  private flushInterrupt(): void {
    if (!this.interrupt) return;
    const { timestamp } = this.interrupt;
    this.interrupt = undefined;
    this.push({ role: 'user', text: INTERRUPTED, synthetic: true, timestamp });
  }

  private push(fields: Pick<Turn, 'role' | 'text'> & { synthetic?: boolean; timestamp: string | undefined }): Turn {
    const turn = newTurn(this.turns.length, fields);
    this.turns.push(turn);
    return turn;
  }

  finish(source: LogSource): SessionData | undefined {
    // An interrupt the log ends on is the last thing that happened, after the interrupted turn's results.
    this.flushInterrupt();
    if (this.turns.length === 0) return undefined;
    return {
      id: this.id ?? idFromRolloutName(source.path),
      agent: source.agent ?? codexAgent(source),
      ...(this.span.start ? { startedAt: this.span.start } : {}),
      ...(this.span.end ? { endedAt: this.span.end } : {}),
      ...(this.cwd ? { cwd: cleanText(this.cwd) } : {}),
      ...(this.gitBranch ? { gitBranch: cleanText(this.gitBranch) } : {}),
      turns: this.turns,
      outcome: inferOutcome(this.turns),
    };
  }
}

function isResultsOnly(turn: Turn): boolean {
  return turn.role === 'user' && turn.text === '' && turn.toolResults.length > 0;
}

/** A timestamp worth keeping: one that parses. */
function timeOf(value: unknown): string | undefined {
  const text = str(value);
  return text !== undefined && !Number.isNaN(Date.parse(text)) ? text : undefined;
}

function countOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

const IMAGE = '[image]';

/** The texts of a message's content items; images are named, never inlined. */
function contentParts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  const parts: string[] = [];
  for (const item of Array.isArray(content) ? content : []) {
    if (!isRecord(item)) continue;
    if (typeof item.text === 'string') parts.push(item.text);
    else if (item.type === 'input_image' || item.type === 'image') parts.push(IMAGE);
    else if (typeof item.refusal === 'string') parts.push(item.refusal);
  }
  return parts;
}

/** What pairs a message with its echo: its words, without the image placeholders only one copy may carry. */
function echoKey(text: string): string {
  // Clipped: a key is held until its echo comes, and head, tail and length tell two long messages apart well enough.
  return clipText(text.replaceAll(IMAGE, '').replace(/\s+/g, ' ').trim());
}

/** Text Codex writes on the user's side: a block of its own (`<environment_context>`, `<user_instructions>`, ...). */
const HARNESS_BLOCK = /^<([a-z]+(?:_[a-z]+)+)>[\s\S]*<\/\1>$/;
const HARNESS_TEXT = [HARNESS_BLOCK, /^# AGENTS\.md instructions for /, /^<(?:INSTRUCTIONS|skill|permissions instructions)>/, /^<\/?image\b[^>]*>$/];
const TURN_ABORTED = /^<turn_aborted>/;
/** The IDE extensions wrap what the person typed in context of their own; the request follows this heading. */
const IDE_WRAPPER = /^# (?:Context from my IDE setup|Files mentioned by the user):/;
const REQUEST_HEADING = '## My request for Codex:';

/**
 * Splits a user message into what a person typed and what the harness added. A message holding only harness text
 * is synthetic; harness parts of a message a person typed are left out of its text, so that nothing the harness said
 * is ever read as the person's preference.
 */
export function classifyCodexUserText(parts: string[], harness = false): { text: string; synthetic: boolean; interrupted: boolean } {
  const typed: string[] = [];
  const added: string[] = [];
  for (const part of parts.map((p) => p.trim()).filter((p) => p !== '')) {
    const request = harness ? undefined : typedPart(part);
    if (request === undefined) added.push(part);
    else if (request !== '') typed.push(request);
  }
  const interrupted = typed.length === 0 && added.some((p) => TURN_ABORTED.test(p));
  if (typed.length > 0) return { text: typed.join('\n'), synthetic: false, interrupted };
  return { text: added.join('\n\n'), synthetic: added.length > 0, interrupted };
}

/** The typed part of one content item, or undefined when the harness wrote all of it. */
function typedPart(part: string): string | undefined {
  if (HARNESS_TEXT.some((re) => re.test(part))) return undefined;
  if (!IDE_WRAPPER.test(part)) return part;
  const at = part.indexOf(REQUEST_HEADING);
  return at < 0 ? undefined : part.slice(at + REQUEST_HEADING.length).trim();
}

/** A tool call item as a ToolCall, or the problem that keeps it from being one. */
function toolCallOf(p: Rec, generateId: () => string): ToolCall | string {
  const id = str(p.call_id) ?? str(p.id);
  switch (p.type) {
    case 'function_call':
    case 'custom_tool_call': {
      const name = str(p.name);
      if (!id || !name) return `${p.type} needs "call_id" and "name"`;
      const args = p.type === 'function_call' ? argumentsOf(p.arguments) : inputOf(p.input);
      return normalisedCall(id, name, args);
    }
    case 'local_shell_call': {
      const action = isRecord(p.action) ? p.action : {};
      const { type: _type, working_directory: workdir, ...rest } = action;
      return normalisedCall(id ?? generateId(), 'local_shell', { ...rest, ...(workdir === undefined ? {} : { workdir }) });
    }
    default: {
      // A web search has no call id and no output item: the Responses API runs it.
      const action = isRecord(p.action) ? p.action : {};
      return { id: id ?? generateId(), name: 'web_search', input: cleanInput(action) };
    }
  }
}

/** Function arguments arrive as a JSON string; one that is not a JSON object is kept as it is. */
function argumentsOf(value: unknown): Rec {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return {};
  const parsed = parseRecord(value);
  return 'record' in parsed ? parsed.record : { arguments: value };
}

/** A custom tool's input is free text (apply_patch's patch); named `input` as the JSON form of the same tool names it. */
function inputOf(value: unknown): Rec {
  return isRecord(value) ? value : typeof value === 'string' ? { input: value } : {};
}

/**
 * The call as the engine should see it. A shell command becomes one string under `command`, without the
 * `bash -lc` wrapper, as Claude Code's Bash tool records it; a patch applied through the shell
 * (`apply_patch <<'EOF'`) is the apply_patch call Codex itself turns it into.
 */
function normalisedCall(id: string, name: string, args: Rec): ToolCall {
  const command = shellCommandOf(args);
  const patch = command === undefined ? undefined : patchOf(command, args.command);
  if (patch !== undefined) {
    const workdir = args.workdir === undefined ? {} : { workdir: args.workdir };
    return { id, name: 'apply_patch', input: cleanInput({ input: patch, ...workdir }) };
  }
  const input = Array.isArray(args.command) && command !== undefined ? { ...args, command } : args;
  return { id, name: cleanText(name), input: cleanInput(input) };
}

/** The command line of a shell-running call: `command` as argv (shell, local_shell) or text (shell_command), or `cmd` (exec_command). */
function shellCommandOf(args: Rec): string | undefined {
  if (Array.isArray(args.command)) return unwrapShell(args.command.map(argText));
  return str(args.command) ?? str(args.cmd);
}

function argText(value: unknown): string {
  return typeof value === 'string' ? value : String(JSON.stringify(value));
}

const POSIX_SHELL = /^(?:.*\/)?(?:bash|zsh|sh|dash|ksh|fish)$/;
const POWERSHELL = /^(?:.*[\\/])?(?:powershell|pwsh)(?:\.exe)?$/i;

/** `["bash", "-lc", "npm test"]` → `npm test`; any other argv is joined, quoted where a shell would need it. */
export function unwrapShell(argv: string[]): string {
  const [program = '', flag = '', script] = argv;
  if (argv.length === 3 && POSIX_SHELL.test(program) && /^-l?c$/.test(flag) && script !== undefined) return script;
  const command = argv.findIndex((a) => /^-(?:Command|c)$/i.test(a));
  if (POWERSHELL.test(program) && command > 0 && command === argv.length - 2) return argv[command + 1] ?? '';
  if (/^(?:.*[\\/])?cmd(?:\.exe)?$/i.test(program) && /^\/c$/i.test(flag)) return argv.slice(2).join(' ');
  return argv.map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The patch of `apply_patch <<'EOF' … EOF` (optionally after `cd dir &&`), or of argv `["apply_patch", patch]`. */
function patchOf(command: string, argv: unknown): string | undefined {
  if (Array.isArray(argv) && argv.length === 2 && /^(?:apply_patch|applypatch)$/.test(argText(argv[0]))) return argText(argv[1]);
  if (!/^\s*(?:cd\s+\S+\s*&&\s*)?(?:apply_patch|applypatch)\s+<</.test(command)) return undefined;
  const begin = command.indexOf('*** Begin Patch');
  if (begin < 0) return undefined;
  const end = command.indexOf('*** End Patch', begin);
  return end < 0 ? command.slice(begin) : command.slice(begin, end + '*** End Patch'.length);
}

/** A tool's output as the model got it: plain text, a JSON envelope with an exit code, or a list of content items. */
function outputOf(output: unknown): Omit<ToolResult, 'toolCallId'> {
  if (Array.isArray(output)) return { isError: false, text: cleanText(contentParts(output).join('\n')) };
  if (isRecord(output)) return envelopeResult(output) ?? plainResult(JSON.stringify(output));
  if (typeof output !== 'string') return { isError: false, text: '' };
  return jsonResult(output) ?? headedResult(output) ?? plainResult(output);
}

/** `{"output": "...", "metadata": {"exit_code": 1}}`: how shell and apply_patch results are recorded. */
function jsonResult(text: string): Omit<ToolResult, 'toolCallId'> | undefined {
  if (!text.startsWith('{')) return undefined;
  const parsed = parseRecord(text);
  return 'record' in parsed ? envelopeResult(parsed.record) : undefined;
}

function envelopeResult(r: Rec): Omit<ToolResult, 'toolCallId'> | undefined {
  const exitCode = isRecord(r.metadata) ? r.metadata.exit_code : undefined;
  if (typeof r.output === 'string' && typeof exitCode === 'number') return { isError: exitCode !== 0, text: cleanText(r.output) };
  // The payload Codex builds for a failed call, and an MCP tool's own error flag.
  if (typeof r.content === 'string' && r.success === false) return { isError: true, text: cleanText(r.content) };
  if (r.isError === true || r.is_error === true) return { isError: true, text: cleanText(JSON.stringify(r)) };
  return undefined;
}

/** `Exit code: 1\nWall time: 0.2 seconds\nOutput:\n…`, or unified exec's `…Process exited with code 1\nOutput:\n…`. */
function headedResult(text: string): Omit<ToolResult, 'toolCallId'> | undefined {
  if (!/^(?:Exit code:|Chunk ID:|Wall time:)/.test(text)) return undefined;
  const at = text.indexOf('\nOutput:');
  if (at < 0) return undefined;
  const header = text.slice(0, at);
  const exitCode = /^(?:Exit code:|Process exited with code) (-?\d+)$/m.exec(header)?.[1];
  // A process still running has no exit code yet: no failure to report.
  return { isError: exitCode !== undefined && exitCode !== '0', text: cleanText(text.slice(at + '\nOutput:'.length).replace(/^\n/, '')) };
}

/** Results Codex writes when it did not run the call, or running it failed before the command could. */
const FAILED = /^(?:failed in sandbox|sandbox (?:denied|error)|execution error|error\b|err:|failed to |unsupported call|command timed out|(?:\w+ ){1,2}failed: )/i;
/** The person declined the call or interrupted it. */
const REJECTED = /^(?:[\w ]+ )?rejected by (?:the )?user\b|^aborted(?: by (?:the )?user)?\.?$/i;

function plainResult(text: string): Omit<ToolResult, 'toolCallId'> {
  const trimmed = text.trimStart();
  const rejected = REJECTED.test(trimmed);
  return { isError: rejected || FAILED.test(trimmed), ...(rejected ? { rejected } : {}), text: cleanText(text) };
}

/** Folders of Codex's own layout, which name no agent: `.codex/sessions/2025/09/24/`, `.codex/archived_sessions/`. */
const CODEX_FOLDER = /^(?:\d+|sessions|archived_sessions|\.codex)$/;

const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A rollout without a session_meta is named by the uuid that ends its file name. */
function idFromRolloutName(path: string): string {
  const stem = fileStem(path);
  return UUID_AT_END.exec(stem)?.[1] ?? stem;
}

/**
 * The agent of a rollout nobody named one for. Codex files its rollouts by date (`sessions/2025/09/24/`), so the
 * folder above the dates names the agent; Codex's own folder names Codex.
 */
export function codexAgent(source: Pick<LogSource, 'path' | 'defaultAgent'>): string {
  if (source.defaultAgent !== undefined && !CODEX_FOLDER.test(source.defaultAgent)) return source.defaultAgent;
  const folders = posix
    .dirname(source.path.replaceAll('\\', '/'))
    .split('/')
    .filter((f) => f !== '' && f !== '.' && f !== '..' && !/^\d+$/.test(f));
  const [folder, parent] = [folders[folders.length - 1], folders[folders.length - 2]];
  if (folder === '.codex' || ((folder === 'sessions' || folder === 'archived_sessions') && parent === '.codex')) return 'codex';
  return folder ?? 'codex';
}
