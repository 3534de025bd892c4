/**
 * OpenAI Chat Completions conversations, as agent frameworks and benchmarks save them: a JSON file holding one
 * conversation (an object with a `messages` array, or the bare array of messages), a JSON array of conversations, or
 * JSON Lines with one conversation per line. tau-bench's trajectories (`traj` instead of `messages`, and a `reward`)
 * are read too.
 *
 * A JSON document spread over many lines is gathered whole before it is parsed, up to a cap (json-input.ts); JSON
 * Lines are read one line at a time, each conversation handed out as it is read. A conversation that cannot be read is a warning, and the rest of the file is read.
 */
import { inferOutcome } from '../outcome.js';
import type { LogSource, Outcome, ReaderEvent, Role, Session, SessionReader, ToolCall, ToolResult, Turn } from '../types.js';
import { agentFromPath, cleanInput, cleanText, firstLine, idFromPath, isRecord, str, newTurn, TimeSpan, WarningLog } from './common.js';
import { jsonValues, parseJson } from './json-input.js';
import { NamedWhenKnown } from './named-when-known.js';

type Rec = Record<string, unknown>;
type SessionData = Omit<Session, 'hash' | 'source' | 'format'>;

/** The roles of the Chat Completions API, `function` being the legacy form of `tool`. */
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** Keys that hold a conversation's messages: the API's own, and tau-bench's trajectories. */
const MESSAGE_KEYS = ['messages', 'traj'] as const;

export const openaiChatReader: SessionReader = {
  format: 'openai-chat',
  detect: detectChat,
  read,
};

// ---------------------------------------------------------------------------------------------------------------
// Detection

/** Content block types of Anthropic's Messages API, which shares `messages` and `role` with this format. */
const ANTHROPIC_BLOCKS = new Set(['tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'server_tool_use']);

function detectChat(firstLines: string[]): boolean {
  const [first = ''] = firstLines;
  const value = parseJson(first);
  if ('value' in value) return isChatValue(value.value);
  // A pretty-printed document: its first lines hold its opening keys, not a whole value.
  return opensDocument(first) && looksLikeChatText(firstLines.join('\n'));
}

function isChatValue(value: unknown): boolean {
  if (Array.isArray(value)) return isMessage(value[0]) ? isMessageList(value) : isRecord(value[0]) && isConversation(value[0]);
  return isRecord(value) && isConversation(value);
}

function isConversation(r: Rec): boolean {
  const messages = messagesOf(r);
  // Gemini CLI names its sessions and keys its messages by `type`; an Anthropic API response is a `message`.
  if (messages === undefined || 'projectHash' in r || 'anthropic_version' in r || 'stop_reason' in r || r.type === 'message') return false;
  return isMessageList(messages);
}

function isMessageList(messages: unknown[]): boolean {
  const sample = messages.slice(0, 20);
  return sample.length > 0 && sample.every(isMessage) && !sample.some(isForeignMessage);
}

function isMessage(value: unknown): value is Rec {
  return isRecord(value) && typeof value.role === 'string' && ROLES.has(value.role);
}

/** An Anthropic message (tool blocks, or a whole API response) or a Responses API item: `role`, but not this format. */
function isForeignMessage(message: Rec): boolean {
  if (message.type === 'message') return true;
  return Array.isArray(message.content) && message.content.some((b) => isRecord(b) && typeof b.type === 'string' && ANTHROPIC_BLOCKS.has(b.type));
}

/** The first line of a pretty-printed JSON document opens an object or an array and leaves it open. */
function opensDocument(line: string): boolean {
  const text = line.trim();
  return /^[[{]/.test(text) && /[[{,]$/.test(text);
}

const MESSAGES_KEY = /"(?:messages|traj)"\s*:\s*\[/;
const ROLE_VALUE = /"role"\s*:\s*"([^"\\]*)"/g;
const FOREIGN_TEXT = /"type"\s*:\s*"(?:tool_use|tool_result|thinking|redacted_thinking|message)"|"(?:projectHash|anthropic_version|stop_reason)"\s*:/;

/** For a document whose first lines are not a whole value: a messages array with chat roles, and nothing foreign. */
function looksLikeChatText(text: string): boolean {
  if (!MESSAGES_KEY.test(text) || FOREIGN_TEXT.test(text)) return false;
  const roles = [...text.matchAll(ROLE_VALUE)].map((m) => m[1] ?? '');
  return roles.length > 0 && roles.every((role) => ROLES.has(role));
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const file = new ChatFile(source);
  for await (const event of jsonValues(source)) {
    // Inside a multi-line document a line number would name where the document starts, not the conversation.
    if (event.kind === 'value') file.addValue(event.value, event.document ? undefined : event.line);
    else file.warn(event.message, event.line);
    yield* file.ready();
  }
  yield* file.finish();
}

function messagesOf(r: Rec): unknown[] | undefined {
  for (const key of MESSAGE_KEYS) if (Array.isArray(r[key])) return r[key];
  return undefined;
}

/** The conversations of one file, each handed out once read, and the warnings met reading them. */
class ChatFile {
  private readonly log: WarningLog;
  private readonly events: ReaderEvent[] = [];
  private readonly names = new NamedWhenKnown<ReaderEvent>();
  /** Ids given so far: a conversation whose own id was taken already is numbered instead. */
  private readonly used = new Set<string>();
  private readonly base: string;
  private count = 0;

  constructor(private readonly source: LogSource) {
    this.log = new WarningLog(source.path);
    this.base = idFromPath(source.path);
  }

  warn(message: string, line?: number): void {
    const warning = this.log.add(message, line);
    if (warning) this.events.push({ kind: 'warning', warning });
  }

  /** One JSON value: a conversation, an array of conversations, or an array of messages. */
  addValue(value: unknown, line: number | undefined): void {
    if (Array.isArray(value) && isMessage(value[0])) return this.addConversation({ messages: value }, line, '');
    if (!Array.isArray(value)) return this.addConversation(value, line, '');
    value.forEach((item, i) => this.addConversation(item, line, `conversation ${i}: `));
  }

  private addConversation(value: unknown, line: number | undefined, where: string): void {
    const messages = isRecord(value) ? messagesOf(value) : undefined;
    if (!isRecord(value) || messages === undefined) return this.warn(`${where}not a conversation (no "messages" array)`, line);
    const builder = new ChatBuilder((problem) => this.warn(`${where}${problem}`, line));
    messages.forEach((message, i) => builder.add(message, i));
    const data = builder.finish(value, this.source);
    if (!data) return;
    const ownId = ownIdOf(value);
    const n = this.count++;
    // A file's only conversation is named after the file; the others by their own id, else by their place.
    this.events.push(...this.names.add((alone) => ({ kind: 'session', session: { id: this.name(ownId, alone, n), ...data } })));
  }

  private name(ownId: string | undefined, alone: boolean, n: number): string {
    const named = ownId !== undefined && !this.used.has(ownId) ? ownId : alone ? this.base : `${this.base}#${n}`;
    this.used.add(named);
    return named;
  }

  /** The warnings and the conversations read so far, handed out. */
  *ready(): Generator<ReaderEvent> {
    yield* this.events.splice(0);
  }

  *finish(): Generator<ReaderEvent> {
    const hidden = this.log.summary();
    if (hidden) this.events.push({ kind: 'warning', warning: hidden });
    this.events.push(...this.names.end());
    yield* this.events.splice(0);
  }
}

/** The id a conversation carries itself, if any. */
function ownIdOf(r: Rec): string | undefined {
  for (const key of ['id', 'conversation_id', 'session_id']) {
    const value = r[key];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/** Turns a conversation's messages into turns, in Claude Code's shape: tool results in the user turn after the call. */
class ChatBuilder {
  private readonly turns: Turn[] = [];
  private readonly span = new TimeSpan();
  /** Legacy `function_call`s have no id; their `function` answers are paired by name, oldest first. */
  private readonly unanswered = new Map<string, string[]>();
  private generatedIds = 0;

  constructor(private readonly warn: (problem: string) => void) {}

  add(message: unknown, i: number): void {
    if (!isRecord(message)) return this.warn(`message ${i} is not an object`);
    const timestamp = timeOf(message.timestamp ?? message.created_at);
    this.span.add(timestamp);
    switch (message.role) {
      case 'system':
      case 'developer':
        // Instructions the application gave the model: no person typed them into the conversation.
        return this.addText('system', textOf(message.content), timestamp, true);
      case 'user':
        return this.addText('user', textOf(message.content), timestamp, false);
      case 'assistant':
        return this.addAssistant(message, i, timestamp);
      case 'tool':
      case 'function':
        return this.addResult(message, i, timestamp);
      default:
        return this.warn(`message ${i} has unknown role ${JSON.stringify(firstLine(String(message.role), 40))}`);
    }
  }

  private addText(role: Role, text: string, timestamp: string | undefined, synthetic: boolean): void {
    if (text.trim() !== '') this.push(role, cleanText(text), timestamp, synthetic);
  }

  private addAssistant(message: Rec, i: number, timestamp: string | undefined): void {
    const text = textOf(message.content) || (str(message.refusal) ?? '');
    const calls = this.callsOf(message, i);
    if (text.trim() === '' && calls.length === 0) return;
    this.push('assistant', cleanText(text), timestamp, false).toolCalls.push(...calls);
  }

  private callsOf(message: Rec, i: number): ToolCall[] {
    const calls: ToolCall[] = [];
    const items = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const item of items) {
      const call = isRecord(item) ? toolCallOf(item, () => this.nextId('call')) : undefined;
      if (call) calls.push(call);
    }
    if (calls.length < items.length) this.warn(`message ${i}: ${items.length - calls.length} tool calls without a function name`);
    const legacy = isRecord(message.function_call) ? this.legacyCall(message.function_call) : undefined;
    return legacy ? [...calls, legacy] : calls;
  }

  private legacyCall(fn: Rec): ToolCall | undefined {
    const name = str(fn.name);
    if (!name) return undefined;
    const id = this.nextId('function_call');
    this.unanswered.set(name, [...(this.unanswered.get(name) ?? []), id]);
    return { id, name: cleanText(name), input: cleanInput(argumentsOf(fn.arguments)) };
  }

  private addResult(message: Rec, i: number, timestamp: string | undefined): void {
    const id = message.role === 'tool' ? str(message.tool_call_id) : this.answered(str(message.name));
    if (!id) return this.warn(`message ${i}: tool message without a tool_call_id`);
    const last = this.turns[this.turns.length - 1];
    // Results of parallel calls answer one assistant turn together.
    const turn = last && last.role === 'user' && last.text === '' && last.toolResults.length > 0 ? last : this.push('user', '', timestamp, false);
    turn.toolResults.push(resultOf(id, textOf(message.content)));
  }

  /** The id of the oldest unanswered legacy call of that name; an answer to no known call still gets one of its own. */
  private answered(name: string | undefined): string {
    const ids = name === undefined ? undefined : this.unanswered.get(name);
    return ids?.shift() ?? this.nextId('function');
  }

  private nextId(kind: string): string {
    return `${kind}-${++this.generatedIds}`;
  }

  private push(role: Role, text: string, timestamp: string | undefined, synthetic: boolean): Turn {
    const turn = newTurn(this.turns.length, { role, text, timestamp, synthetic });
    this.turns.push(turn);
    return turn;
  }

  finish(conversation: Rec, source: LogSource): Omit<SessionData, 'id'> | undefined {
    if (this.turns.length === 0) return undefined;
    this.span.add(timeOf(conversation.created_at ?? conversation.created ?? conversation.timestamp));
    return {
      agent: source.agent ?? source.defaultAgent ?? agentFromPath(source.path),
      ...(this.span.start ? { startedAt: this.span.start } : {}),
      ...(this.span.end ? { endedAt: this.span.end } : {}),
      turns: this.turns,
      outcome: recordedOutcome(conversation) ?? inferOutcome(this.turns),
    };
  }
}

/** A timestamp worth keeping: an ISO string that parses, or Unix seconds (the API's `created`). */
function timeOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 1e11) return new Date(value * 1000).toISOString();
  const text = str(value);
  return text !== undefined && !Number.isNaN(Date.parse(text)) ? text : undefined;
}

/** A message's text: a string, or the text of its content parts; attachments are named, never inlined. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) ? partText(part) : undefined))
    .filter((t): t is string => t !== undefined && t !== '')
    .join('\n');
}

function partText(part: Rec): string | undefined {
  if (typeof part.text === 'string') return part.text;
  if (typeof part.refusal === 'string') return part.refusal;
  if (part.type === 'image_url' || part.type === 'input_image' || part.type === 'image') return '[image]';
  if (part.type === 'input_audio') return '[audio]';
  if (part.type === 'file' || part.type === 'input_file') return '[file]';
  return undefined;
}

/** `{id, type: 'function', function: {name, arguments}}`, or a custom tool's `{custom: {name, input}}`. */
function toolCallOf(item: Rec, generateId: () => string): ToolCall | undefined {
  const fn = isRecord(item.function) ? item.function : isRecord(item.custom) ? item.custom : undefined;
  const name = fn ? str(fn.name) : undefined;
  if (!fn || !name) return undefined;
  const input = 'arguments' in fn ? argumentsOf(fn.arguments) : typeof fn.input === 'string' ? { input: fn.input } : {};
  return { id: str(item.id) ?? generateId(), name: cleanText(name), input: cleanInput(input) };
}

/** Arguments arrive as a JSON string; ones that are not a JSON object are kept as they are. */
function argumentsOf(value: unknown): Rec {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return {};
  const parsed = parseJson(value);
  return 'value' in parsed && isRecord(parsed.value) ? parsed.value : { arguments: value };
}

/** The API has no error flag for tool results: an error is what the tool's text says it is. */
const ERROR_TEXT = /^\s*(?:error\b|exception\b|traceback \(most recent call last\))/i;

function resultOf(toolCallId: string, text: string): ToolResult {
  return { toolCallId, isError: ERROR_TEXT.test(text) || isErrorObject(text), text: cleanText(text) };
}

/** `{"error": …}`: how many tools report a failure in JSON. */
function isErrorObject(text: string): boolean {
  if (!/^\s*\{\s*"error"\s*:/.test(text)) return false;
  const parsed = parseJson(text);
  return 'value' in parsed && isRecord(parsed.value) && parsed.value.error !== null && parsed.value.error !== undefined;
}

/** How the conversation ended when its log says: a benchmark's `reward`, or a `success` flag. */
function recordedOutcome(conversation: Rec): Outcome | undefined {
  const { reward, success } = conversation;
  if (typeof reward === 'number' && Number.isFinite(reward)) {
    const status = reward >= 1 ? 'success' : reward <= 0 ? 'failure' : 'unknown';
    return { status, inferred: false, reason: `reward ${reward}` };
  }
  if (typeof success === 'boolean') return { status: success ? 'success' : 'failure', inferred: false, reason: `success: ${success}` };
  return undefined;
}
