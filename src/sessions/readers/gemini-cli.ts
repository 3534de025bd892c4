/**
 * Gemini CLI chat recordings, `~/.gemini/tmp/<project>/chats/session-*.json(l)`. Two layouts, both written by
 * Gemini CLI's ChatRecordingService:
 *   - up to late 2025, one JSON document per session (JSON.stringify(conversation, null, 2)), rewritten whole
 *     at every message: { sessionId, projectHash, startTime, lastUpdated, messages: [...] };
 *   - later releases, JSON Lines: a metadata line, then message records (a message re-appended when it changes:
 *     the last copy wins), `{"$set": {...}}` metadata patches and `{"$rewindTo": id}` rewinds.
 * A message is `user`, `gemini` (with toolCalls, thoughts, tokens), `info`, `warning` or `error`.
 */
import type { LogSource, ReaderEvent, SessionReader, ToolCall, ToolResult } from '../types.js';
import { cleanInput, cleanText, firstLine, idFromPath, isRecord, parseRecord, str, WarningLog } from './common.js';
import { agentOf, sessionOf, timeOf, TurnBuilder, type SessionData, type TurnFields } from './turns.js';

type Rec = Record<string, unknown>;

/** Most a whole-file JSON document may gather; past it the file is read as far as the cap allows. */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/** Folders of Gemini CLI's own layout; the agent is the project folder above them. */
const TOOL_FOLDERS = ['chats', 'tmp', '.gemini'];

/** The reader, with the cap on a whole-file document lowered for tests. */
export function createGeminiCliReader(maxDocumentChars = MAX_DOCUMENT_CHARS): SessionReader {
  return {
    format: 'gemini-cli',
    detect: (firstLines) => isDocumentStart(firstLines) || firstLines.some(isMetadataLine),
    read: (source) => read(source, maxDocumentChars),
  };
}

export const geminiCliReader: SessionReader = createGeminiCliReader();

/** `{` then the recording's first keys, as JSON.stringify(conversation, null, 2) writes them. */
function isDocumentStart(lines: string[]): boolean {
  if (lines[0]?.trim() !== '{') return false;
  const head = lines.slice(1);
  return head.some((l) => /^\s*"sessionId"\s*:\s*"/.test(l)) && head.some((l) => /^\s*"projectHash"\s*:\s*"/.test(l));
}

/** The metadata line of a JSONL recording (its first), or a whole recording written on one line. */
function isMetadataLine(line: string): boolean {
  if (!line.includes('"projectHash"')) return false;
  const parsed = parseRecord(line);
  return 'record' in parsed && isMetadata(parsed.record);
}

function isMetadata(r: Rec): boolean {
  return typeof r.sessionId === 'string' && typeof r.projectHash === 'string' && typeof r.id !== 'string';
}

async function* read(source: LogSource, maxDocumentChars: number): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const conversation = new Conversation();
  const lines = source.lines()[Symbol.asyncIterator]();
  const first = await nextContent(lines);
  if (first === undefined) return;
  const problems =
    'record' in parseRecord(first.text) ? readJsonLines(conversation, first, lines) : readDocument(conversation, first, lines, maxDocumentChars);
  for await (const problem of problems) {
    const warning = log.add(problem.message, problem.line);
    if (warning) yield { kind: 'warning', warning };
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  const session = conversation.finish(source);
  if (session) yield { kind: 'session', session };
}

interface NumberedLine {
  text: string;
  number: number;
}

interface Problem {
  message: string;
  line?: number;
}

/** The first non-empty line and its number; later lines keep counting from it. */
async function nextContent(lines: AsyncIterator<string>): Promise<NumberedLine | undefined> {
  let number = 0;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    number++;
    if (next.value.trim() !== '') return { text: next.value, number };
  }
  return undefined;
}

/** JSON Lines: every line a record; a corrupt one is skipped and named. */
async function* readJsonLines(conversation: Conversation, first: NumberedLine, lines: AsyncIterator<string>): AsyncGenerator<Problem> {
  let number = first.number;
  for (let text = first.text; ; number++) {
    const problem = addJsonLine(conversation, text, number);
    if (problem) yield problem;
    const next = await lines.next();
    if (next.done) return;
    text = next.value;
  }
}

function addJsonLine(conversation: Conversation, text: string, number: number): Problem | undefined {
  if (text.trim() === '') return undefined;
  const parsed = parseRecord(text);
  const problem = 'error' in parsed ? parsed.error : conversation.addRecord(parsed.record);
  return problem ? { message: problem, line: number } : undefined;
}

/** Records of the JSON Lines layout after a first line that does not parse: a copy cut at its start. */
function isJsonLines(lines: readonly string[]): boolean {
  return lines.slice(1).some((l) => {
    const parsed = l.trim().startsWith('{') ? parseRecord(l) : undefined;
    return parsed !== undefined && 'record' in parsed && (typeof parsed.record.id === 'string' || isMetadata(parsed.record) || '$set' in parsed.record);
  });
}

/**
 * A whole-file JSON document, gathered up to `max` characters. A document that does not parse (a truncated copy,
 * a damaged line) is read message by message from its indentation, so one bad message costs only itself.
 */
async function* readDocument(conversation: Conversation, first: NumberedLine, lines: AsyncIterator<string>, max: number): AsyncGenerator<Problem> {
  // Index i holds line number i + 1, so that warnings name the line the user sees.
  const gathered: string[] = [...Array<string>(first.number - 1).fill(''), first.text];
  let chars = first.text.length;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    chars += next.value.length + 1;
    if (chars > max) {
      yield { message: `session file larger than ${formatChars(max)}; only its beginning was read` };
      yield* recoverDocument(conversation, gathered);
      return;
    }
    gathered.push(next.value);
  }
  const text = gathered.join('\n');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (isJsonLines(gathered)) {
      for (const [i, line] of gathered.entries()) {
        const problem = addJsonLine(conversation, line, i + 1);
        if (problem) yield problem;
      }
      return;
    }
    const at = jsonErrorLine(err as Error, text);
    yield { message: `not valid JSON (${firstLine((err as Error).message, 80)}); read message by message`, ...(at ? { line: at } : {}) };
    yield* recoverDocument(conversation, gathered);
    return;
  }
  if (!isRecord(value)) {
    yield { message: 'not a JSON object', line: first.number };
    return;
  }
  yield* conversation.addDocument(value);
}

function formatChars(chars: number): string {
  return chars >= 1024 * 1024 ? `${Math.round(chars / 1024 / 1024)} MiB` : `${chars} characters`;
}

/** The line a JSON.parse error points at: Node names a position (`at position 812`) or a line (`line 9 column 3`). */
function jsonErrorLine(err: Error, text: string): number | undefined {
  const line = /\bline (\d+)/.exec(err.message)?.[1];
  if (line !== undefined) return Number(line);
  const position = /\bposition (\d+)/.exec(err.message)?.[1];
  if (position === undefined) return undefined;
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < Number(position); i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Top-level fields of a pretty-printed recording, one per line at two spaces. */
const TOP_FIELD = /^ {2}"(sessionId|projectHash|startTime|lastUpdated|kind)": ("(?:[^"\\]|\\.)*")/;
const MESSAGE_OPEN = /^ {4}\{\s*$/;
const MESSAGE_CLOSE = /^ {4}\},?\s*$/;

function* recoverDocument(conversation: Conversation, lines: readonly string[]): Generator<Problem> {
  let open: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const field = TOP_FIELD.exec(line);
    if (field && open === undefined) conversation.setMetadata({ [field[1]!]: JSON.parse(field[2]!) as unknown });
    else if (MESSAGE_OPEN.test(line) && open === undefined) open = i;
    else if (MESSAGE_CLOSE.test(line) && open !== undefined) {
      const parsed = parseRecord(lines.slice(open, i + 1).join('\n').replace(/,\s*$/, ''));
      const problem = 'error' in parsed ? `message ${parsed.error}; skipped` : conversation.addMessage(parsed.record);
      if (problem) yield { message: problem, line: open + 1 };
      open = undefined;
    }
  }
  if (open !== undefined) yield { message: 'message cut off where reading stopped; skipped', line: open + 1 };
}

/** One recording: its metadata and its messages in order, each already turned into turns. */
class Conversation {
  private sessionId: string | undefined;
  private startTime: string | undefined;
  private lastUpdated: string | undefined;
  private subagent = false;
  /** By message id, in first-seen order: a re-appended message replaces its copy in place. */
  private readonly messages = new Map<string, MessageTurns>();

  addRecord(r: Rec): string | undefined {
    if (typeof r.$rewindTo === 'string') return this.rewind(r.$rewindTo);
    if (typeof r.id === 'string') return this.addMessage(r);
    if (isRecord(r.$set)) return this.setMetadata(r.$set);
    if (isMetadata(r)) return this.setMetadata(r);
    // Record kinds of later releases are left alone.
    return undefined;
  }

  *addDocument(doc: Rec): Generator<Problem> {
    this.setMetadata(doc);
    if (!Array.isArray(doc.messages)) {
      if (doc.messages !== undefined) yield { message: '"messages" is not an array' };
      return;
    }
    for (const [i, message] of doc.messages.entries()) {
      const problem = isRecord(message) ? this.addMessage(message, `#${i + 1}`) : `message ${i + 1} is not an object; skipped`;
      if (problem) yield { message: problem };
    }
  }

  setMetadata(r: Rec): undefined {
    this.sessionId = str(r.sessionId) ?? this.sessionId;
    this.startTime = timeOf(r.startTime) ?? this.startTime;
    this.lastUpdated = timeOf(r.lastUpdated) ?? this.lastUpdated;
    if (r.kind !== undefined) this.subagent = r.kind === 'subagent';
    // `$set: {messages}` replaces the whole list (the CLI rewrote its history, e.g. masking old tool output).
    if (Array.isArray(r.messages)) {
      this.messages.clear();
      for (const [i, message] of r.messages.entries()) if (isRecord(message)) this.addMessage(message, `#${i + 1}`);
    }
    return undefined;
  }

  addMessage(r: Rec, fallbackId?: string): string | undefined {
    const id = str(r.id) ?? fallbackId;
    if (id === undefined) return 'message without an "id"; skipped';
    const converted = messageTurns(r, id);
    if (typeof converted === 'string') return converted;
    // Message types of later releases are left alone.
    if (converted) this.messages.set(id, converted);
    return undefined;
  }

  /** Drops the message named and all after it, as the CLI does; an unknown id empties the conversation. */
  private rewind(id: string): undefined {
    let found = false;
    for (const key of [...this.messages.keys()]) {
      found ||= key === id;
      if (found) this.messages.delete(key);
    }
    if (!found) this.messages.clear();
    return undefined;
  }

  finish(source: LogSource): SessionData | undefined {
    const builder = new TurnBuilder();
    builder.span.add(this.startTime);
    builder.span.add(this.lastUpdated);
    const sidechain = this.subagent;
    for (const message of this.messages.values()) emit(builder, message, sidechain);
    return sessionOf(this.sessionId ? cleanText(this.sessionId) : idFromPath(source.path), agentOf(source, TOOL_FOLDERS), builder);
  }
}

/** What one message contributes: a turn, and for a gemini message its calls and their results. */
interface MessageTurns {
  role: 'user' | 'assistant' | 'system';
  text: string;
  timestamp: string | undefined;
  synthetic: boolean;
  calls: ToolCall[];
  results: { result: ToolResult; timestamp: string | undefined }[];
}

function emit(builder: TurnBuilder, m: MessageTurns, sidechain: boolean): void {
  // A sub-agent's "user" is the main agent handing it a task: no person typed that.
  const fields: TurnFields = { timestamp: m.timestamp, synthetic: m.synthetic || (sidechain && m.role === 'user'), sidechain };
  builder.add(m.role, m.text, fields, [...m.calls]);
  for (const { result, timestamp } of m.results) builder.result(result, { timestamp, sidechain });
}

const SYSTEM_TYPES = new Set(['info', 'warning', 'error']);

function messageTurns(r: Rec, id: string): MessageTurns | string | undefined {
  if (typeof r.type !== 'string') return 'message without a "type"; skipped';
  const timestamp = timeOf(r.timestamp);
  const base = { timestamp, calls: [], results: [] };
  if (r.type === 'user') return { ...base, role: 'user', ...userText(r) };
  if (r.type === 'gemini') return geminiTurns(r, id, timestamp);
  // Notices the CLI shows the person (API errors, cancellations, memory refreshes): the harness speaking.
  if (SYSTEM_TYPES.has(r.type)) return { ...base, role: 'system', text: cleanText(partsText(r.content).trim()), synthetic: true };
  return undefined;
}

/** Where the CLI appends the files a person referenced with @path: not their words. */
const REFERENCED_FILES = /\n?--- Content from referenced files ---[\s\S]*?(?:--- End of content ---|$)/g;

function userText(r: Rec): { text: string; synthetic: boolean } {
  // displayContent is what the person typed, content what was sent (with expansions).
  const raw = partsText(r.displayContent) || partsText(r.content);
  const typed = raw.replace(REFERENCED_FILES, '').trim();
  if (typed === '' && raw.trim() !== '') return { text: cleanText(raw.trim()), synthetic: true };
  return { text: cleanText(typed), synthetic: false };
}

function geminiTurns(r: Rec, id: string, timestamp: string | undefined): MessageTurns {
  const calls: ToolCall[] = [];
  const results: MessageTurns['results'] = [];
  for (const [i, record] of (Array.isArray(r.toolCalls) ? r.toolCalls : []).entries()) {
    if (!isRecord(record)) continue;
    const call = toolCall(record, `${id}:${i}`);
    calls.push(call);
    const result = toolResult(record, call);
    if (result) results.push({ result, timestamp: timeOf(record.timestamp) ?? timestamp });
  }
  // Thoughts stay out: the model's scratch work, not something it said or did.
  return { role: 'assistant', text: cleanText(partsText(r.content).trim()), timestamp, synthetic: false, calls, results };
}

function toolCall(r: Rec, fallbackId: string): ToolCall {
  return { id: cleanText(str(r.id) ?? fallbackId), name: cleanText(str(r.name) ?? 'unknown'), input: cleanInput(isRecord(r.args) ? r.args : {}) };
}

/** Statuses a call ends in; calls still scheduled or running when the file was written have no result yet. */
const FINAL_STATUSES = new Set(['success', 'error', 'cancelled']);

function toolResult(r: Rec, call: ToolCall): ToolResult | undefined {
  const status = str(r.status);
  if (!(status !== undefined && FINAL_STATUSES.has(status)) && r.result == null) return undefined;
  const { text, error } = resultText(r.result, r.resultDisplay);
  // Cancelled: the person declined the call or pressed Esc while it ran.
  const rejected = status === 'cancelled';
  const failed = status === 'error' || error || (isShell(call.name) && nonZeroExit(text));
  return { toolCallId: call.id, isError: failed || rejected, ...(rejected ? { rejected: true } : {}), text: cleanText(text) };
}

function isShell(name: string): boolean {
  return name === 'run_shell_command' || name === 'shell';
}

/** run_shell_command reports a failed command as a successful call whose output says `Exit Code: 127`. */
function nonZeroExit(text: string): boolean {
  const code = /^Exit Code: (\d+)/m.exec(text)?.[1];
  return code !== undefined && code !== '0';
}

/** The text the model got back: functionResponse output or error, text parts; else what the CLI displayed. */
function resultText(result: unknown, display: unknown): { text: string; error: boolean } {
  const texts: string[] = [];
  let error = false;
  for (const part of Array.isArray(result) ? result : result == null ? [] : [result]) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part) && isRecord(part.functionResponse)) {
      const response = part.functionResponse.response;
      if (isRecord(response) && response.error !== undefined) error = true;
      texts.push(responseText(response));
    } else if (isRecord(part)) texts.push(partText(part));
  }
  const text = texts.filter((t) => t !== '').join('\n');
  return { text: text === '' && typeof display === 'string' ? display : text, error };
}

function responseText(response: unknown): string {
  if (!isRecord(response)) return typeof response === 'string' ? response : '';
  for (const key of ['output', 'error', 'content', 'llmContent']) {
    const value = response[key];
    if (typeof value === 'string') return value;
  }
  return Object.keys(response).length === 0 ? '' : JSON.stringify(response);
}

/** Text of a PartListUnion: a string, one part or an array of parts. */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts = Array.isArray(content) ? content : isRecord(content) ? [content] : [];
  return parts
    .map((p) => (typeof p === 'string' ? p : isRecord(p) ? partText(p) : ''))
    .filter((t) => t !== '')
    .join('');
}

function partText(part: Rec): string {
  if (part.thought === true) return '';
  if (typeof part.text === 'string') return part.text;
  if (isRecord(part.inlineData) || isRecord(part.fileData)) return '[attachment]';
  // functionCall and functionResponse parts repeat what toolCalls records.
  return '';
}
