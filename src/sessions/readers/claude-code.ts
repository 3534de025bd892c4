/**
 * Claude Code transcripts: `~/.claude/projects/<project>/<session>.jsonl`, one record per line.
 * The format is undocumented and changes between releases, so everything here is lenient: unknown
 * record types and block types are skipped, a corrupt line is a warning, and the rest is read.
 */
import { inferOutcome } from '../outcome.js';
import type { LogSource, Outcome, ReaderEvent, Session, SessionReader, ToolCall, ToolResult, Turn } from '../types.js';
import { IDLE_CHECK_LINES, OpenSessions } from './open-sessions.js';
import { agentFromPath, cleanInput, cleanText, fileStem, isRecord, parseRecord, str, newTurn, TimeSpan, WarningLog } from './common.js';

type Rec = Record<string, unknown>;
type SessionData = Omit<Session, 'hash' | 'source' | 'format'>;

/** Record types that carry conversation; all others (snapshots, queue operations, summaries of other sessions) are skipped. */
const TURN_TYPES = new Set(['user', 'assistant', 'system']);

export const claudeCodeReader: SessionReader = {
  format: 'claude-code',
  detect: (firstLines) => firstLines.some(isClaudeLine),
  read,
};

function isClaudeLine(line: string): boolean {
  const parsed = parseRecord(line);
  if (!('record' in parsed)) return false;
  const r = parsed.record;
  switch (r.type) {
    case 'user':
    case 'assistant':
      return isRecord(r.message) && typeof r.sessionId === 'string';
    case 'summary':
      return typeof r.summary === 'string' && typeof r.leafUuid === 'string';
    case 'file-history-snapshot':
      return typeof r.messageId === 'string' && 'snapshot' in r;
    default:
      return typeof r.type === 'string' && typeof r.sessionId === 'string' && (typeof r.uuid === 'string' || typeof r.timestamp === 'string');
  }
}

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const open = new OpenSessions((id) => new SessionBuilder(id));
  let number = 0;
  /** What reading a line gave to hand on; most lines give nothing. */
  const events: ReaderEvent[] = [];
  const take = (text: string): void => {
    number++;
    if (text.trim() === '') return;
    if (!isIgnoredRecord(text)) {
      const parsed = parseRecord(text);
      const problem = 'error' in parsed ? parsed.error : addRecord(open, parsed.record, source.path, number);
      const warning = problem === undefined ? undefined : log.add(problem, number);
      if (warning) events.push({ kind: 'warning', warning });
    }
    if (number % IDLE_CHECK_LINES === 0) for (const event of handOut(open.idle(number), source)) events.push(event);
  };
  // A log read whole is gone through without a promise per line; a large one is streamed.
  const whole = source.syncLines?.();
  if (whole) {
    for (const text of whole) {
      take(text);
      if (events.length > 0) yield* events.splice(0);
    }
  } else {
    for await (const text of source.lines()) {
      take(text);
      if (events.length > 0) yield* events.splice(0);
    }
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  yield* handOut(open.all(), source);
}

function* handOut(builders: Iterable<SessionBuilder>, source: LogSource): Generator<ReaderEvent> {
  for (const builder of builders) {
    const session = builder.finish(source);
    if (session) yield { kind: 'session', session };
  }
}

/** `{"type":"` at the start of a line: how Claude Code writes the records it keeps beside the conversation. */
const TYPE_FIRST = '{"type":"';

/**
 * A record of a type the reader skips anyway (a file-history snapshot, a queue operation, a summary), told from the
 * start of its line without parsing it: Claude Code writes these with `type` as their first key, where the records
 * of a conversation start with `parentUuid`. A line is parsed as any other when it could be read otherwise: another
 * key ending in `type` (JSON.parse keeps the last of two `type` keys), a `\u` escape (`"\u0074ype"` is a `type` key,
 * `"\u0075ser"` the type `user`), or an end that is not an object's (a line cut short is reported as one). A record
 * so skipped is never read, so nothing of it can reach a session.
 */
function isIgnoredRecord(text: string): boolean {
  if (!text.startsWith(TYPE_FIRST)) return false;
  const end = text.indexOf('"', TYPE_FIRST.length);
  if (end < 0) return false;
  const type = text.slice(TYPE_FIRST.length, end);
  if (TURN_TYPES.has(type) || type.includes('\\') || text.includes('type"', end) || text.includes('\\u')) return false;
  return text.trimEnd().endsWith('}');
}

/** Adds one record to its session; returns a problem to warn about, if any. */
function addRecord(open: OpenSessions<SessionBuilder>, r: Rec, path: string, line: number): string | undefined {
  const type = typeof r.type === 'string' ? r.type : undefined;
  const sessionId = str(r.sessionId);
  if (!type || !TURN_TYPES.has(type)) return undefined;
  // A turn without a session id still belongs to this file's conversation, or to the one whose sub-agent it ran.
  const base = sessionId ?? parentSessionOf(path) ?? fileStem(path);
  const { builder, resumed } = open.at(base, line);
  return builder.add(type, r) ?? resumed;
}

/** The session a sub-agent's own log belongs to, from its place: `<project>/<session>/subagents/agent-<id>.jsonl`. */
function parentSessionOf(path: string): string | undefined {
  const folders = path.replaceAll('\\', '/').split('/').slice(0, -1);
  return folders.at(-1) === 'subagents' ? folders.at(-2) || undefined : undefined;
}

class SessionBuilder {
  private readonly turns: Turn[] = [];
  private readonly span = new TimeSpan();
  private cwd: string | undefined;
  private gitBranch: string | undefined;
  private subAgentId: string | undefined;
  /** The assistant turn still open for more blocks of the same API message. */
  private open: { messageId: string; turn: Turn } | undefined;

  constructor(private readonly id: string) {}

  add(type: string, r: Rec): string | undefined {
    const timestamp = str(r.timestamp);
    this.span.add(timestamp);
    this.cwd ??= str(r.cwd);
    this.gitBranch ??= str(r.gitBranch);
    this.subAgentId ??= str(r.agentId);
    if (type === 'system') return this.addSystem(r, timestamp);
    if (!isRecord(r.message)) return `${type} record without a message`;
    return type === 'user' ? this.addUser(r, r.message, timestamp) : this.addAssistant(r, r.message, timestamp);
  }

  private addUser(r: Rec, message: Rec, timestamp: string | undefined): undefined {
    const { text: raw, results } = userContent(message.content);
    const sidechain = r.isSidechain === true;
    // A sub-agent's "user" is the main agent handing it a task: no person typed that either.
    const harness = r.isMeta === true || r.isCompactSummary === true || sidechain || !typedByPerson(r.origin);
    const { text, synthetic } = classifyUserText(raw, harness);
    if (text.trim() === '' && results.length === 0) return;
    const previous = this.turns[this.turns.length - 1];
    // Results of parallel tool calls arrive as one record each; together they answer one assistant turn.
    if (text === '' && previous && isResultsOnly(previous) && (previous.sidechain ?? false) === sidechain) {
      previous.toolResults.push(...results);
      return;
    }
    this.push({ role: 'user', text: cleanText(text), toolResults: results, synthetic, sidechain, timestamp });
  }

  private addAssistant(r: Rec, message: Rec, timestamp: string | undefined): undefined {
    const { texts, calls } = assistantContent(message.content);
    const messageId = str(message.id);
    const sidechain = r.isSidechain === true;
    const open = this.open;
    if (open && messageId === open.messageId && (open.turn.sidechain ?? false) === sidechain && this.isLast(open.turn)) {
      open.turn.text = [open.turn.text, ...texts].filter((t) => t !== '').join('\n\n');
      open.turn.toolCalls.push(...calls);
      return;
    }
    const synthetic = r.isApiErrorMessage === true || message.model === '<synthetic>';
    const turn = this.push({ role: 'assistant', text: texts.join('\n\n'), toolCalls: calls, synthetic, sidechain, timestamp });
    if (messageId) this.open = { messageId, turn };
  }

  private addSystem(r: Rec, timestamp: string | undefined): undefined {
    const text = str(r.content);
    if (text) this.push({ role: 'system', text: cleanText(text), synthetic: true, sidechain: r.isSidechain === true, timestamp });
  }

  private push(fields: Partial<Turn> & Pick<Turn, 'role' | 'text'>): Turn {
    const turn = newTurn(this.turns.length, fields);
    this.turns.push(turn);
    this.open = undefined;
    return turn;
  }

  private isLast(turn: Turn): boolean {
    return this.turns[this.turns.length - 1] === turn;
  }

  finish(source: LogSource): SessionData | undefined {
    // A message that only carried hidden reasoning leaves an empty turn behind.
    const kept = this.turns.filter((t) => t.text !== '' || t.toolCalls.length > 0 || t.toolResults.length > 0);
    // Renumbered only when a turn went: each turn was given its place in `this.turns` as its index.
    const turns = kept.length === this.turns.length ? kept : kept.map((t, index) => ({ ...t, index }));
    if (turns.length === 0 || this.isHarnessAgent(turns, source.path)) return undefined;
    return {
      id: this.sessionId(turns, source.path),
      agent: source.agent ?? source.defaultAgent ?? agentFromPath(source.path),
      ...(this.span.start ? { startedAt: this.span.start } : {}),
      ...(this.span.end ? { endedAt: this.span.end } : {}),
      ...(this.cwd ? { cwd: cleanText(this.cwd) } : {}),
      ...(this.gitBranch ? { gitBranch: cleanText(this.gitBranch) } : {}),
      turns,
      outcome: outcomeOf(turns),
    };
  }

  /**
   * A sub-agent Claude Code runs for itself, not for the task: the compaction agent (`agent-acompact-*`, which
   * re-sends the whole conversation to summarise it), prompt suggestions, side questions, and the "Warmup" agents of
   * 2.0.x that only prime the prompt cache. Read as sessions, they would repeat the conversation's lessons.
   */
  private isHarnessAgent(turns: Turn[], path: string): boolean {
    if (!turns.every((t) => t.sidechain)) return false;
    const agent = this.subAgentId ? `agent-${this.subAgentId}` : fileStem(path);
    return HARNESS_AGENT.test(agent) || (turns[0]?.role === 'user' && turns[0].text === 'Warmup');
  }

  /**
   * A sub-agent's own log (Claude Code 2.x `agent-<id>.jsonl`) repeats its parent's sessionId; it is
   * a session of its own, so it gets an id of its own.
   */
  private sessionId(turns: Turn[], path: string): string {
    if (!turns.every((t) => t.sidechain)) return this.id;
    return `${this.id}:${this.subAgentId ? `agent-${this.subAgentId}` : fileStem(path)}`;
  }
}

/** File names (and `agentId`s) of the sub-agents Claude Code starts on its own. */
export const HARNESS_AGENT = /^agent-a(?:compact|prompt_suggestion|side_question)-/;

/**
 * The outcome inferred from the conversation: without the harness's system records (a compaction boundary, a
 * command's output after the last reply), and for a sub-agent's own log from the sub-agent's turns, which are all
 * it has.
 */
function outcomeOf(turns: Turn[]): Outcome {
  const conversation = turns.filter((t) => t.role !== 'system');
  const ownLog = conversation.length > 0 && conversation.every((t) => t.sidechain);
  return inferOutcome(ownLog ? conversation.map((t) => ({ ...t, sidechain: false })) : conversation);
}

/** Claude Code 2.1 says where a user record came from; anything but `human` (a task notification, a hook) is the harness. */
function typedByPerson(origin: unknown): boolean {
  return !isRecord(origin) || typeof origin.kind !== 'string' || origin.kind === 'human';
}

function isResultsOnly(turn: Turn): boolean {
  return turn.role === 'user' && turn.text === '' && turn.toolResults.length > 0;
}

function userContent(content: unknown): { text: string; results: ToolResult[] } {
  if (typeof content === 'string') return { text: content, results: [] };
  const texts: string[] = [];
  const results: ToolResult[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    if (!isRecord(block)) continue;
    if (block.type === 'tool_result') results.push(toolResult(block));
    else {
      const text = blockText(block);
      if (text) texts.push(text);
    }
  }
  return { text: texts.join('\n'), results };
}

function assistantContent(content: unknown): { texts: string[]; calls: ToolCall[] } {
  if (typeof content === 'string') return { texts: content ? [cleanText(content)] : [], calls: [] };
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    if (!isRecord(block)) continue;
    if (block.type === 'tool_use') calls.push({ id: str(block.id) ?? '', name: str(block.name) ?? 'unknown', input: cleanInput(block.input ?? {}) });
    // Thinking stays out: it is the model's scratch work, not something it said or did.
    else if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') texts.push(cleanText(block.text));
  }
  return { texts, calls };
}

/** Text of a user or tool-result block; attachments are named, never inlined. */
function blockText(block: Rec): string | undefined {
  if (block.type === 'text') return typeof block.text === 'string' ? block.text : undefined;
  if (block.type === 'image') return '[image]';
  if (block.type === 'document') return '[document]';
  return undefined;
}

/** The user declined or interrupted the call; Claude Code reports it as an error result. */
const REJECTION = /^(?:Error: )?(?:The user doesn't want to (?:proceed with this tool use|take this action)|\[Request interrupted by user)/;

function toolResult(block: Rec): ToolResult {
  // Claude Code appends its reminders to what a tool returned (after every file read, for one): not the tool's output.
  const raw = (typeof block.content === 'string' ? block.content : contentText(block.content)).replace(REMINDER, '').trimEnd();
  const rejected = REJECTION.test(raw.trimStart());
  return {
    toolCallId: str(block.tool_use_id) ?? '',
    isError: block.is_error === true || rejected,
    ...(rejected ? { rejected: true } : {}),
    text: cleanText(raw),
  };
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => (isRecord(b) ? blockText(b) : undefined))
    .filter((t): t is string => t !== undefined)
    .join('\n');
}

/** Text the harness writes into the user's side of the conversation. */
const SYNTHETIC_TEXT = [
  /^<command-(?:name|message|args)>/,
  /^<local-command-(?:stdout|stderr|caveat)>/,
  /^<bash-(?:stdout|stderr)>/,
  /^Caveat: The messages below were generated by the user while running local commands/,
  /^\[Request interrupted by user/,
  /^This session is being continued from a previous conversation/,
  /^<(?:user-prompt-submit-hook|task-notification)>/,
];
const REMINDER = /<system-reminder>[\s\S]*?<\/system-reminder>/g;

/**
 * Marks harness text as synthetic, and takes the harness's reminders out of text a person typed, so
 * that nothing the harness said is ever read as the person's preference.
 */
export function classifyUserText(text: string, meta: boolean): { text: string; synthetic: boolean } {
  const trimmed = text.trim();
  if (trimmed === '') return { text: '', synthetic: false };
  if (meta || SYNTHETIC_TEXT.some((re) => re.test(trimmed))) return { text: trimmed, synthetic: true };
  const typed = trimmed.replace(REMINDER, '').trim();
  if (typed === '' && trimmed !== '') return { text: trimmed, synthetic: true };
  return { text: typed, synthetic: false };
}
