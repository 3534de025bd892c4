/**
 * GitHub Copilot CLI session event logs: `~/.copilot/session-state/<session id>/events.jsonl` (earlier releases:
 * `~/.copilot/session-state/<session id>.jsonl`). One event per line, `{type, data, id, timestamp, parentId}`, with an
 * `agentId` on the events of a sub-agent; the first is `session.start` (`producer: "copilot-agent"`, schema `version`).
 * The event schema is published with GitHub's Copilot SDK (nodejs/src/generated/session-events.ts); the CLI itself is
 * not open source.
 *
 * What a cycle needs is the conversation: what the person typed (`user.message`), what the model said and asked to
 * run (`assistant.message` with its `toolRequests`), and how each call ended (`tool.execution_complete`). Everything
 * else is the harness's bookkeeping (hooks, the system prompt, usage, permissions granted) and is passed over; an
 * event type this reader does not know is passed over too, as later releases add types.
 */
import { posix } from 'node:path';
import type { LogSource, Outcome, ReaderEvent, SessionReader, ToolCall, ToolResult } from '../types.js';
import { agentFromPath, cleanInput, cleanText, fileStem, isRecord, parseRecord, str, WarningLog } from './common.js';
import { sessionOf, timeOf, TurnBuilder, type SessionData, type TurnFields, type TurnMark } from './turns.js';

type Rec = Record<string, unknown>;

/** The schema version this reader was written against; a later one is read as far as its events are known. */
export const COPILOT_SCHEMA_VERSION = 1;

/** What an interrupted turn becomes: the same words Claude Code uses, which outcome inference knows. */
const INTERRUPTED = '[Request interrupted by user]';

/** Event types that carry none of the conversation, skipped without being parsed when a line starts with one. */
const SKIPPED_PREFIXES = ['{"type":"hook.', '{"type":"system.message"', '{"type":"assistant.turn_', '{"type":"session.usage', '{"type":"assistant.usage'];

/** Event type names: `session.start`, `tool.execution_complete`, ... */
const EVENT_TYPE = /^[a-z_]+\.[a-z_.]+$/;

export const copilotCliReader: SessionReader = {
  format: 'copilot-cli',
  detect: (firstLines) => firstLines.some(isCopilotLine),
  read,
};

/**
 * A session's first event, or any event of the log's envelope: a dotted type, a data object, an id and the
 * `parentId` that chains the events (null for the first).
 */
function isCopilotLine(line: string): boolean {
  if (!line.includes('"type"')) return false;
  const parsed = parseRecord(line);
  if (!('record' in parsed)) return false;
  const r = parsed.record;
  if (typeof r.type !== 'string' || !isRecord(r.data)) return false;
  if (r.type === 'session.start') return typeof r.data.producer === 'string' || typeof r.data.copilotVersion === 'string';
  return EVENT_TYPE.test(r.type) && typeof r.id === 'string' && 'parentId' in r && typeof r.timestamp === 'string';
}

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const events = new EventLog();
  let number = 0;
  for await (const text of source.lines()) {
    number++;
    if (text.trim() === '' || SKIPPED_PREFIXES.some((p) => text.startsWith(p))) continue;
    const parsed = parseRecord(text);
    const problem = 'error' in parsed ? parsed.error : events.add(parsed.record);
    const warning = problem === undefined ? undefined : log.add(problem, number);
    if (warning) yield { kind: 'warning', warning };
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  const session = events.finish(source);
  if (session) yield { kind: 'session', session };
}

/** One events file is one session. */
class EventLog {
  private readonly builder = new TurnBuilder();
  private id: string | undefined;
  private cwd: string | undefined;
  private gitBranch: string | undefined;
  private shutdown: Outcome | undefined;
  private versionWarned = false;
  /** Calls the model asked for, so that the matching `tool.execution_start` is not taken as another. */
  private readonly requested = new Set<string>();
  /** Calls the person declined when asked for permission. */
  private readonly declined = new Set<string>();
  /** Where the conversation stood before each message, for `session.snapshot_rewind`. */
  private readonly marks = new Map<string, TurnMark>();
  /** When the person interrupted a run: written as a turn once the interrupted run's results are in. */
  private interrupt: { timestamp: string | undefined } | undefined;

  /** Adds one event; returns a problem to warn about, if any. */
  add(r: Rec): string | undefined {
    if (typeof r.type !== 'string') return 'event without a "type"; skipped';
    if (!isRecord(r.data)) return `${r.type} event without a "data" object; skipped`;
    const timestamp = timeOf(r.timestamp);
    const fields: TurnFields = { timestamp, sidechain: typeof r.agentId === 'string' || typeof r.data.parentToolCallId === 'string' };
    const data = r.data;
    switch (r.type) {
      case 'session.start':
        return this.start(data);
      case 'session.resume':
        this.builder.span.add(timeOf(data.resumeTime));
        return undefined;
      case 'user.message':
        return this.user(data, fields, str(r.id));
      case 'assistant.message':
        return this.assistant(data, fields, str(r.id));
      case 'tool.execution_start':
        return this.toolStart(data, fields);
      case 'tool.execution_complete':
        return this.toolEnd(data, fields);
      case 'permission.completed':
        if (isRecord(data.result) && data.result.kind === 'denied-interactively-by-user' && typeof data.toolCallId === 'string') this.declined.add(data.toolCallId);
        return undefined;
      case 'abort':
        // Ctrl+C in the CLI, or an MCP server's user.abort: the person stopped the run.
        if (data.reason === 'user_initiated' || data.reason === 'user_abort') this.interrupt ??= { timestamp };
        return undefined;
      case 'session.error':
        return this.notice(`${str(data.errorType) ?? 'error'}: ${str(data.message) ?? ''}`, fields);
      case 'session.snapshot_rewind':
        return this.rewind(data);
      case 'session.shutdown':
        this.shutdown = data.shutdownType === 'error' ? { status: 'failure', inferred: false, reason: cleanText(`the session ended in an error: ${str(data.errorReason) ?? 'no reason given'}`) } : undefined;
        this.builder.span.add(timestamp);
        return undefined;
      default:
        // Usage, hooks, permissions asked, model changes, compaction, sub-agent lifecycle: bookkeeping.
        return undefined;
    }
  }

  private start(data: Rec): string | undefined {
    // A file that goes on after its own start (a copy that appends another session) keeps the first session's name.
    this.id ??= str(data.sessionId);
    this.builder.span.add(timeOf(data.startTime));
    const context = isRecord(data.context) ? data.context : {};
    this.cwd ??= str(context.cwd);
    this.gitBranch ??= str(context.branch);
    const version = data.version;
    if (typeof version === 'number' && version > COPILOT_SCHEMA_VERSION && !this.versionWarned) {
      this.versionWarned = true;
      return `Copilot CLI event schema version ${version} (this reader knows version ${COPILOT_SCHEMA_VERSION}); events of unknown types were passed over`;
    }
    return undefined;
  }

  private user(data: Rec, fields: TurnFields, eventId: string | undefined): string | undefined {
    if (typeof data.content !== 'string') return 'user.message without "content"; skipped';
    this.flushInterrupt();
    if (eventId) this.marks.set(eventId, this.builder.mark());
    // `content` is what the person typed; `transformedContent` adds the harness's timestamps and reminders.
    const attachments = Array.isArray(data.attachments) ? data.attachments.filter(isRecord).map(attachmentName) : [];
    const text = [data.content.trim(), ...attachments].filter((t) => t !== '').join('\n');
    // A hidden skill injection, another agent's prompt, autopilot's "continue", a program's filled-in template (an
    // eval harness driving the CLI through the SDK): no person typed these.
    const synthetic = str(data.source) !== undefined || data.isAutopilotContinuation === true || fields.sidechain === true || TEMPLATE_PROMPT.test(data.content);
    this.builder.add('user', cleanText(text), { ...fields, synthetic });
    return undefined;
  }

  private assistant(data: Rec, fields: TurnFields, eventId: string | undefined): string | undefined {
    if (eventId) this.marks.set(eventId, this.builder.mark());
    const calls: ToolCall[] = [];
    for (const request of Array.isArray(data.toolRequests) ? data.toolRequests : []) {
      if (!isRecord(request)) continue;
      const call = toolCall(request.toolCallId, request.name, request.arguments);
      if (typeof call === 'string') return `assistant.message tool request ${call}; skipped`;
      this.requested.add(call.id);
      calls.push(call);
    }
    // reasoningText is the model's scratch work, not something it said.
    const text = typeof data.content === 'string' ? cleanText(data.content.trim()) : '';
    if (text === '' && calls.length === 0) return undefined;
    if (text === '') for (const call of calls) this.builder.call(call, fields);
    else this.builder.add('assistant', text, fields, calls);
    return undefined;
  }

  /** A call the model did not list in a message (one the person ran with `!`, or a release that lists none). */
  private toolStart(data: Rec, fields: TurnFields): string | undefined {
    if (typeof data.toolCallId === 'string' && this.requested.has(data.toolCallId)) return undefined;
    const call = toolCall(data.toolCallId, data.toolName, data.arguments);
    if (typeof call === 'string') return `tool.execution_start ${call}; skipped`;
    this.requested.add(call.id);
    this.builder.call(call, fields);
    return undefined;
  }

  private toolEnd(data: Rec, fields: TurnFields): string | undefined {
    const id = str(data.toolCallId);
    if (!id) return 'tool.execution_complete without a "toolCallId"; skipped';
    this.builder.result(toolResult(id, data, this.declined.has(id)), fields);
    return undefined;
  }

  private notice(text: string, fields: TurnFields): undefined {
    this.builder.add('system', cleanText(text.trim()), { ...fields, synthetic: true });
    return undefined;
  }

  /** The event named and everything after it were undone in the CLI: so they are here. */
  private rewind(data: Rec): string | undefined {
    const to = str(data.upToEventId);
    const mark = to === undefined ? undefined : this.marks.get(to);
    if (!mark) return 'session.snapshot_rewind to an event that is not a message of this file; nothing undone';
    this.builder.rewind(mark);
    this.interrupt = undefined;
    return undefined;
  }

  private flushInterrupt(): void {
    if (!this.interrupt) return;
    const { timestamp } = this.interrupt;
    this.interrupt = undefined;
    this.builder.add('user', INTERRUPTED, { timestamp, synthetic: true });
  }

  finish(source: LogSource): SessionData | undefined {
    this.flushInterrupt();
    const extra = {
      ...(this.cwd ? { cwd: cleanText(this.cwd) } : {}),
      ...(this.gitBranch ? { gitBranch: cleanText(this.gitBranch) } : {}),
    };
    const session = sessionOf(this.id ? cleanText(this.id) : idFromEventsPath(source.path), copilotAgent(source), this.builder, extra);
    return session && this.shutdown ? { ...session, outcome: this.shutdown } : session;
  }
}

/** A prompt a program assembled from fields, DSPy's way: `[[ ## user_query ## ]]` before each field. */
const TEMPLATE_PROMPT = /^\s*\[\[ ## \w+ ## \]\]/;

function attachmentName(a: Rec): string {
  const name = str(a.displayName) ?? str(a.path) ?? str(a.type) ?? 'attachment';
  return `[attachment: ${name}]`;
}

/** A tool call, or what keeps it from being one. */
function toolCall(id: unknown, name: unknown, args: unknown): ToolCall | string {
  if (typeof id !== 'string' || id === '' || typeof name !== 'string' || name === '') return 'needs "toolCallId" and a name';
  return { id: cleanText(id), name: cleanText(name), input: cleanInput(argumentsOf(args)) };
}

/** Arguments are an object; a custom (grammar-based) tool's are free text, and arrive as a string. */
function argumentsOf(value: unknown): Rec {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return {};
  const parsed = value.trimStart().startsWith('{') ? parseRecord(value) : undefined;
  return parsed && 'record' in parsed ? parsed.record : { input: value };
}

/** The bash tool ends its output with how the command ended: `<shellId: 3 completed with exit code 1>`. */
const SHELL_EXIT = /<shellId: \S+ completed with exit code (-?\d+)>\s*$/;

function toolResult(toolCallId: string, data: Rec, declined: boolean): ToolResult {
  const text = resultText(data);
  const exit = SHELL_EXIT.exec(text)?.[1];
  const failed = data.success === false || (exit !== undefined && exit !== '0');
  return { toolCallId, isError: failed || declined, ...(declined ? { rejected: true } : {}), text: cleanText(text) };
}

/** What the model got back: the result's `content` (else its text blocks, else the timeline's copy), or the error. */
function resultText(data: Rec): string {
  if (isRecord(data.error)) {
    const message = str(data.error.message) ?? '';
    const code = str(data.error.code);
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  if (typeof data.error === 'string') return data.error;
  const result = isRecord(data.result) ? data.result : {};
  if (typeof result.content === 'string') return result.content;
  const blocks = Array.isArray(result.contents) ? result.contents.filter(isRecord) : [];
  const texts = blocks.map((b) => (typeof b.text === 'string' ? b.text : b.type === 'image' ? '[image]' : '')).filter((t) => t !== '');
  if (texts.length > 0) return texts.join('\n');
  return typeof result.detailedContent === 'string' ? result.detailedContent : '';
}

/** Copilot CLI's own folders, which name no agent. */
const COPILOT_FOLDERS = new Set(['session-state', '.copilot']);

/** `<session id>/events.jsonl` is named by its folder; an older `<session id>.jsonl` by its file. */
function idFromEventsPath(path: string): string {
  const p = path.replaceAll('\\', '/');
  return posix.basename(p) === 'events.jsonl' ? posix.basename(posix.dirname(p)) : fileStem(p);
}

/** The agent of a log nobody named one for: its folder, unless that is Copilot CLI's own, which names Copilot. */
function copilotAgent(source: LogSource): string {
  if (source.agent) return source.agent;
  const fallback = source.defaultAgent ?? agentFromPath(source.path);
  return COPILOT_FOLDERS.has(fallback) ? 'copilot-cli' : fallback;
}
