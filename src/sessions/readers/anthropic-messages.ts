/**
 * Conversations on Anthropic's Messages API, as teams log them from their own agents and from the Claude Agent SDK:
 * a JSON document (a conversation, or an array of them), JSON Lines of conversations, of request/response pairs, or
 * of Agent SDK messages (see anthropic-shapes.ts). A file may mix them; each conversation becomes a session.
 *
 * The id of a session is the one the log gives it (`id`, `session_id`, ...); else the file's path for a file that
 * is one conversation document, and the path with `#<n>` (the n-th conversation of the file) for any other file, so
 * that appending to a log never renames the conversations already in it.
 */
import { createHash } from 'node:crypto';
import { inferOutcome } from '../outcome.js';
import type { LogSource, Outcome, ReaderEvent, Session, SessionReader, Turn } from '../types.js';
import { type MessageParts, partsOf } from './anthropic-content.js';
import { claims, isConversation, isMessage, isOtherCall, isPair, isSdkRecord, looksLikeAnthropicFragment, requestBody } from './anthropic-shapes.js';
import { messageFromEvents } from './anthropic-stream.js';
import { classifyUserText } from './claude-code.js';
import { agentFromPath, cleanText, firstLine, idFromPath, isRecord, str, newTurn, TimeSpan, WarningLog } from './common.js';
import { jsonValues, parseJson } from './json-input.js';
import { NamedWhenKnown } from './named-when-known.js';
import { IDLE_CHECK_LINES, IDLE_LINES, OpenSessions } from './open-sessions.js';

type Rec = Record<string, unknown>;
type SessionData = Omit<Session, 'hash' | 'source' | 'format'>;

export const anthropicMessagesReader: SessionReader = {
  format: 'anthropic-messages',
  detect,
  read,
};

function detect(firstLines: string[]): boolean {
  const values = firstLines.flatMap((line) => {
    const parsed = parseJson(line);
    return 'value' in parsed && typeof parsed.value === 'object' && parsed.value !== null ? [parsed.value] : [];
  });
  // Whole records settle it; only a document of which no line is whole is judged by the text of its first lines.
  if (values.length === 0) return looksLikeAnthropicFragment(firstLines);
  return values.some(claims) && values.every(isReadable);
}

/** A value this reader reads, though alone it might not prove the format (a plain text message, an SDK result). */
function isReadable(value: unknown): boolean {
  return Array.isArray(value) || isConversation(value) || isPair(value) || isOtherCall(value) || isSdkRecord(value) || isMessage(value);
}

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const file = new FileConversations(source);
  // A one-line `.json` file is a document too: only JSON Lines files hold one record a line.
  const linesAreRecords = /\.(?:jsonl|ndjson)$/i.test(source.path);
  for await (const event of jsonValues(source)) {
    const problems = event.kind === 'value' ? file.add(event.value, event.document || !linesAreRecords, event.line) : [event.message];
    for (const problem of problems) {
      const warning = log.add(problem, event.line);
      if (warning) yield { kind: 'warning', warning };
    }
    for (const session of file.ready(event.line ?? 0)) yield { kind: 'session', session };
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  for (const session of file.end()) yield { kind: 'session', session };
}

/** A conversation read, waiting for its id. */
interface Draft {
  ownId?: string;
  /** The file is this one conversation document: its path is its id. */
  wholeFile?: boolean;
  data: Omit<SessionData, 'id'>;
}

/** A conversation that grows as the file is read (a thread of logged calls, an SDK stream), and its place. */
interface Growing {
  n: number;
  finish: () => Draft | undefined;
}

/**
 * Every conversation of one file, handed out as soon as it is whole: a conversation document at once, a thread of
 * calls or an SDK stream once no line has added to it for IDLE_LINES lines, the rest at the end of the file.
 */
class FileConversations {
  private readonly pairs: PairThreads;
  private readonly streams: SdkStreams;
  private readonly names = new NamedWhenKnown<SessionData>();
  private readonly done: SessionData[] = [];
  private readonly base: string;
  /** The next conversation's number; 0 is the bare messages of the lines. */
  private next = 1;
  /** Bare messages, one per line: together they are the file's conversation. */
  private lineMessages: Rec[] | undefined;
  /** The line at which idle conversations were last looked for. */
  private checked = 0;

  constructor(private readonly source: LogSource) {
    const number = () => this.next++;
    this.pairs = new PairThreads(source, number);
    this.streams = new SdkStreams(source, number);
    this.base = idFromPath(source.path);
  }

  /** Adds a top-level value read at `line`; returns the problems met. */
  add(value: unknown, document: boolean, line: number): string[] {
    if (Array.isArray(value)) return this.addArray(value, line);
    if (isMessage(value)) {
      (this.lineMessages ??= []).push(value);
      return [];
    }
    const problem = this.addItem(value, document, line);
    return problem ? [problem] : [];
  }

  /** The conversations whole by `line`. */
  *ready(line: number): Generator<SessionData> {
    if (line >= this.checked + IDLE_CHECK_LINES) {
      this.checked = line;
      for (const growing of [...this.pairs.idle(line), ...this.streams.idle(line)]) this.settle(growing.n, growing.finish());
    }
    yield* this.done.splice(0);
  }

  /** The file has ended: every conversation left, in the order they began. */
  *end(): Generator<SessionData> {
    const left = [...this.pairs.all(), ...this.streams.all()].sort((a, b) => a.n - b.n);
    this.settle(0, this.bareDraft(this.lineMessages, true));
    for (const growing of left) this.settle(growing.n, growing.finish());
    this.done.push(...this.names.end());
    yield* this.done.splice(0);
  }

  /** Names a whole conversation, `#<n>` counting from 1, slot 0 being the bare messages of the lines. */
  private settle(n: number, draft: Draft | undefined): void {
    if (!draft) return;
    const id = (alone: boolean) => (draft.ownId ? cleanText(draft.ownId) : alone && draft.wholeFile ? this.base : `${this.base}#${n}`);
    this.done.push(...this.names.add((alone) => ({ id: id(alone), ...draft.data })));
  }

  private addArray(values: unknown[], line: number): string[] {
    const messages = values.filter(isMessage);
    if (messages.length > 0) this.settle(this.next++, this.bareDraft(messages, false));
    const problems: string[] = [];
    values.forEach((v, i) => {
      const problem = isMessage(v) ? undefined : this.addItem(v, false, line);
      if (problem) problems.push(`element ${i + 1}: ${problem}`);
    });
    return problems;
  }

  /** Adds one conversation, logged call or SDK message; returns a problem when the value is none of them. */
  private addItem(value: unknown, wholeFile: boolean, line: number): string | undefined {
    if (isConversation(value)) this.addConversation(value, wholeFile);
    else if (isPair(value)) this.pairs.add(value, line);
    else if (isSdkRecord(value)) return this.streams.add(value, line);
    else if (isOtherCall(value)) return undefined;
    else if (isRecord(value) && Array.isArray(value.messages)) return 'a conversation whose messages are not Anthropic Messages API messages (role user or assistant, content)';
    else return 'not an Anthropic Messages conversation, request/response pair or Agent SDK message';
    return undefined;
  }

  private addConversation(doc: Rec, wholeFile: boolean): void {
    const turns = new TurnList();
    for (const message of doc.messages as Rec[]) turns.message(message);
    for (const key of ['created_at', 'started_at', 'timestamp', 'updated_at', 'ended_at']) turns.span.add(timeOf(doc[key]));
    const ownId = str(doc.id) ?? str(doc.session_id) ?? str(doc.sessionId) ?? str(doc.conversation_id);
    const data = turns.data(this.source, { agent: str(doc.agent), cwd: str(doc.cwd), outcome: explicitOutcome(doc) });
    this.settle(this.next++, data ? { ...(ownId ? { ownId } : {}), wholeFile, data } : undefined);
  }

  private bareDraft(messages: Rec[] | undefined, wholeFile: boolean): Draft | undefined {
    if (!messages) return undefined;
    const turns = new TurnList();
    for (const message of messages) turns.message(message);
    const data = turns.data(this.source, {});
    return data ? { wholeFile, data } : undefined;
  }
}

interface SessionExtras {
  agent?: string | undefined;
  cwd?: string | undefined;
  outcome?: Outcome | undefined;
}

/** The turns of one conversation, one per message, in order. */
class TurnList {
  readonly span = new TimeSpan();
  private readonly turns: Turn[] = [];
  /** The assistant turn that later records of the same API message (Agent SDK streams) add blocks to. */
  private open: { messageId: string; turn: Turn } | undefined;

  message(message: Rec, fields: { role?: string | undefined; sidechain?: boolean } = {}): void {
    const role = fields.role ?? str(message.role);
    const timestamp = timeOf(message.timestamp) ?? timeOf(message.created_at);
    this.span.add(timestamp);
    const parts = partsOf(message.content);
    const sidechain = fields.sidechain ?? false;
    if (role === 'user') {
      const { text, synthetic } = classifyUserText(parts.text, false);
      this.push({ role: 'user', text: cleanText(text), toolResults: parts.results, synthetic, sidechain, timestamp });
    } else if (role === 'assistant') this.assistant(message, parts, { sidechain, timestamp });
    // A system message inside the conversation is the harness's instruction (the API's mid-conversation system messages).
    else if (role === 'system') this.push({ role: 'system', text: cleanText(parts.text), synthetic: true, sidechain, timestamp });
  }

  private assistant(message: Rec, parts: MessageParts, fields: { sidechain: boolean; timestamp: string | undefined }): void {
    const text = cleanText(parts.text);
    const messageId = str(message.id);
    const open = this.open;
    if (open && messageId === open.messageId && this.turns[this.turns.length - 1] === open.turn) {
      open.turn.text = [open.turn.text, text].filter((t) => t !== '').join('\n');
      open.turn.toolCalls.push(...parts.calls);
      open.turn.toolResults.push(...parts.results);
      return;
    }
    const turn = this.push({ role: 'assistant', text, toolCalls: parts.calls, toolResults: parts.results, ...fields });
    if (messageId) this.open = { messageId, turn };
  }

  private push(fields: Partial<Turn> & Pick<Turn, 'role' | 'text'>): Turn {
    const turn = newTurn(this.turns.length, fields);
    this.turns.push(turn);
    this.open = undefined;
    return turn;
  }

  /** The session's data, or undefined when no turn carries anything (a conversation of hidden reasoning only). */
  data(source: LogSource, extras: SessionExtras): Omit<SessionData, 'id'> | undefined {
    const kept = this.turns.filter((t) => t.text !== '' || t.toolCalls.length > 0 || t.toolResults.length > 0);
    if (kept.length === 0) return undefined;
    const turns = kept.length === this.turns.length ? kept : kept.map((t, index) => ({ ...t, index }));
    const agent = source.agent ?? (extras.agent ? cleanText(extras.agent) : undefined) ?? source.defaultAgent ?? agentFromPath(source.path);
    return {
      agent,
      ...(this.span.start ? { startedAt: this.span.start } : {}),
      ...(this.span.end ? { endedAt: this.span.end } : {}),
      ...(extras.cwd ? { cwd: cleanText(extras.cwd) } : {}),
      turns,
      outcome: extras.outcome ?? inferOutcome(turns),
    };
  }
}

/**
 * Logged API calls, grouped into the conversations they belong to. Each request repeats the conversation so far, so a
 * call continues the conversation whose messages (and last response) begin its own; the latest call of a
 * conversation holds all of it. Messages are compared by their text and their tool call ids, so that a client that
 * drops earlier thinking blocks or shortens earlier tool results still continues its conversation.
 */
class PairThreads {
  private readonly threads: Thread[] = [];

  constructor(
    private readonly source: LogSource,
    private readonly number: () => number,
  ) {}

  add(pair: Rec, line: number): void {
    const request = requestBody(pair) as Rec;
    const messages = request.messages as Rec[];
    const response = responseMessage(pair.response);
    const prints = messages.map(fingerprint);
    let thread = this.continued(prints);
    if (!thread) {
      thread = { n: this.number(), lastLine: line, prints: [], messages: [], span: new TimeSpan() };
      this.threads.push(thread);
    }
    thread.lastLine = line;
    thread.messages = response ? [...messages, response] : messages;
    thread.prints = response ? [...prints, fingerprint(response)] : prints;
    for (const time of [pair.logged_at, pair.timestamp, isRecord(pair.request) ? pair.request.timestamp : undefined]) thread.span.add(timeOf(time));
  }

  /** Takes out the threads no call has continued since before `line` - IDLE_LINES. */
  idle(line: number): Growing[] {
    return this.takeOut((thread) => thread.lastLine < line - IDLE_LINES);
  }

  all(): Growing[] {
    return this.takeOut(() => true);
  }

  private takeOut(done: (thread: Thread) => boolean): Growing[] {
    const out: Growing[] = [];
    for (let i = this.threads.length - 1; i >= 0; i--) {
      const thread = this.threads[i]!;
      if (!done(thread)) continue;
      this.threads.splice(i, 1);
      out.unshift({ n: thread.n, finish: () => threadDraft(thread, this.source) });
    }
    return out;
  }

  /** The latest conversation this request continues: its messages so far are the request's first ones. */
  private continued(prints: string[]): Thread | undefined {
    for (let i = this.threads.length - 1; i >= 0; i--) {
      const thread = this.threads[i]!;
      if (thread.prints.length <= prints.length && thread.prints.every((p, j) => p === prints[j])) return thread;
    }
    return undefined;
  }
}

interface Thread {
  n: number;
  lastLine: number;
  prints: string[];
  messages: Rec[];
  span: TimeSpan;
}

function threadDraft(thread: Thread, source: LogSource): Draft | undefined {
  const turns = new TurnList();
  for (const message of thread.messages) turns.message(message);
  turns.span.add(thread.span.start);
  turns.span.add(thread.span.end);
  const data = turns.data(source, {});
  return data ? { data } : undefined;
}

/** The assistant message a logged response holds: its body, or the message its streamed events add up to. */
function responseMessage(response: unknown): Rec | undefined {
  if (!isRecord(response)) return undefined;
  const body = isRecord(response.body) ? response.body : response;
  if (Array.isArray(body.content) && body.type !== 'error') return { ...body, role: 'assistant' };
  const raw = typeof response.body_raw === 'string' ? response.body_raw : typeof response.body === 'string' ? response.body : undefined;
  const streamed = raw === undefined ? undefined : messageFromEvents(raw);
  return streamed ? { ...streamed, role: 'assistant' } : undefined;
}

/** What identifies a message across calls: its role, its texts and its tool call ids. */
function fingerprint(message: Rec): string {
  const content = message.content;
  const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content.filter(isRecord) : [];
  const keys = blocks.map((b) => {
    if (b.type === 'text') return `t:${hash(typeof b.text === 'string' ? b.text.trim() : '')}`;
    if (typeof b.tool_use_id === 'string') return `r:${b.tool_use_id}`;
    return typeof b.id === 'string' && /tool_use$/.test(String(b.type)) ? `u:${b.id}` : '';
  });
  return `${String(message.role)}|${keys.filter((k) => k !== '').join(',')}`;
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/**
 * Agent SDK messages, one stream per `session_id`; a message without one joins the stream before it. A stream that
 * goes on after it was handed out as idle is read as a part of its own, `<id>#2`.
 */
class SdkStreams {
  private readonly open: OpenSessions<Stream>;
  /** The stream a message without a session id joins: the one before it, while it is still open. */
  private current: Stream | undefined;
  private anonymous = 0;

  constructor(
    private readonly source: LogSource,
    number: () => number,
  ) {
    this.open = new OpenSessions((id, base) => ({ key: base, n: number(), id: base.startsWith('#') ? undefined : id, turns: new TurnList() }));
  }

  /** Adds one SDK message; returns a problem to warn about when its stream resumes after it was handed out. */
  add(record: Rec, line: number): string | undefined {
    const id = str(record.session_id);
    const key = id ?? (this.current && this.open.has(this.current.key) ? this.current.key : `#${++this.anonymous}`);
    const { builder: stream, resumed } = this.open.at(key, line);
    this.current = stream;
    addSdkRecord(stream, record);
    return resumed;
  }

  /** Takes out the streams no message has added to for IDLE_LINES lines. */
  idle(line: number): Growing[] {
    return [...this.open.idle(line)].map((stream) => this.growing(stream));
  }

  all(): Growing[] {
    return [...this.open.all()].map((stream) => this.growing(stream));
  }

  private growing(stream: Stream): Growing {
    return { n: stream.n, finish: () => streamDraft(stream, this.source) };
  }
}

interface Stream {
  /** `session_id`, or `#<k>` for a stream without one. */
  key: string;
  n: number;
  /** The id the session gets: its `session_id`, or `<session_id>#2` for a part read after a pause. */
  id: string | undefined;
  turns: TurnList;
  cwd?: string;
  outcome?: Outcome;
}

function addSdkRecord(stream: Stream, record: Rec): void {
  if (record.type === 'system' && record.subtype === 'init') stream.cwd ??= str(record.cwd);
  else if ((record.type === 'assistant' || record.type === 'user') && isRecord(record.message)) {
    // A message with a parent tool call is a sub-agent's, run by that call.
    const sidechain = typeof record.parent_tool_use_id === 'string';
    stream.turns.message(record.message, { role: record.type, sidechain });
  } else if (record.type === 'result') stream.outcome = resultOutcome(record) ?? stream.outcome;
}

function streamDraft(stream: Stream, source: LogSource): Draft | undefined {
  const data = stream.turns.data(source, { cwd: stream.cwd, outcome: stream.outcome });
  return data ? { ...(stream.id ? { ownId: stream.id } : {}), data } : undefined;
}

/** An outcome the log states: `outcome` (a status, or `{status, reason}`), an SDK `result`, or `is_error`. */
function explicitOutcome(doc: Rec): Outcome | undefined {
  const outcome = doc.outcome;
  if (typeof outcome === 'string') return statusOutcome(outcome);
  if (isRecord(outcome)) return statusOutcome(str(outcome.status) ?? '', str(outcome.reason) ?? str(outcome.message));
  if (isRecord(doc.result)) return resultOutcome(doc.result);
  // A string `result` is usually the agent's final answer; only a status word states an outcome.
  if (typeof doc.result === 'string') return statusOutcome(doc.result);
  if (typeof doc.is_error === 'boolean') return { status: doc.is_error ? 'failure' : 'success', inferred: false };
  return undefined;
}

const SUCCESS = /^(?:success|succeeded|successful|completed?|done|ok|pass(?:ed)?|resolved)$/i;
const FAILURE = /^(?:failure|failed|fail|error|errored|aborted|cancell?ed|timeout|timed[_ -]out)$/i;

function statusOutcome(status: string, reason?: string): Outcome | undefined {
  const word = status.trim();
  const kind = SUCCESS.test(word) ? 'success' : FAILURE.test(word) ? 'failure' : /^unknown$/i.test(word) ? 'unknown' : undefined;
  if (!kind) return undefined;
  return { status: kind, inferred: false, ...(reason ? { reason: cleanText(reason) } : {}) };
}

/** The Agent SDK's result message: `is_error`, and a subtype such as `success` or `error_max_turns`. */
function resultOutcome(result: Rec): Outcome | undefined {
  const subtype = str(result.subtype);
  const failed = typeof result.is_error === 'boolean' ? result.is_error : subtype === undefined ? undefined : subtype !== 'success';
  if (failed === undefined) return undefined;
  if (!failed) return { status: 'success', inferred: false };
  const said = typeof result.result === 'string' ? firstLine(result.result, 120) : undefined;
  const reason = [subtype, said].filter((p) => p).join(': ');
  return { status: 'failure', inferred: false, ...(reason ? { reason: cleanText(reason) } : {}) };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO timestamp as logged; any other date a log gives (a date string in another form, epoch seconds or
 * milliseconds) in ISO form, so that no text of the log passes through unredacted as a timestamp.
 */
function timeOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ISO_TIME.test(value) ? value : new Date(ms).toISOString();
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  const date = new Date(value < 1e12 ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
