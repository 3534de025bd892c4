/**
 * reverie's own session log format, for agents that have none reverie can read: a header line, then
 * one record per line. Documented with an example in docs/session-format.md.
 */
import { inferOutcome } from '../outcome.js';
import type { LogSource, Outcome, ReaderEvent, Role, Session, SessionReader, Turn } from '../types.js';
import { IDLE_CHECK_LINES, OpenSessions } from './open-sessions.js';
import { agentFromPath, cleanInput, cleanText, idFromPath, parseRecord, str, newTurn, TimeSpan, WarningLog } from './common.js';

type Rec = Record<string, unknown>;
type SessionData = Omit<Session, 'hash' | 'source' | 'format'>;

export const REVERIE_FORMAT_VERSION = 'session/v1';

export const reverieJsonlReader: SessionReader = {
  format: 'reverie',
  detect: (firstLines) => headerOf(firstLines[0] ?? '') !== undefined,
  read,
};

function headerOf(line: string): Rec | undefined {
  const parsed = parseRecord(line);
  const version = 'record' in parsed ? parsed.record.reverie : undefined;
  return typeof version === 'string' && version.startsWith('session/') ? (parsed as { record: Rec }).record : undefined;
}

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const state: ReadState = { sessions: new OpenSessions((id) => new SessionBuilder(id)), defaultId: idFromPath(source.path) };
  let number = 0;
  for await (const text of source.lines()) {
    number++;
    if (text.trim() === '') continue;
    const parsed = parseRecord(text);
    const problem = 'error' in parsed ? parsed.error : addRecord(state, parsed.record, number);
    const warning = problem === undefined ? undefined : log.add(problem, number);
    if (warning) yield { kind: 'warning', warning };
    if (number % IDLE_CHECK_LINES === 0) yield* handOut(state.sessions.idle(number), source, state);
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  yield* handOut(state.sessions.all(), source, state);
}

function* handOut(builders: Iterable<SessionBuilder>, source: LogSource, state: ReadState): Generator<ReaderEvent> {
  for (const builder of builders) {
    const session = builder.finish(source, state.headerAgent);
    if (session) yield { kind: 'session', session };
  }
}

interface ReadState {
  sessions: OpenSessions<SessionBuilder>;
  defaultId: string;
  headerAgent?: string;
  sawHeader?: boolean;
}

function addRecord(state: ReadState, r: Rec, line: number): string | undefined {
  if ('reverie' in r) return header(state, r);
  const { builder, resumed } = state.sessions.at(str(r.session) ?? state.defaultId, line);
  return builder.add(r) ?? resumed;
}

function header(state: ReadState, r: Rec): string | undefined {
  const repeated = state.sawHeader;
  state.sawHeader = true;
  state.headerAgent ??= str(r.agent);
  if (repeated) return undefined;
  return r.reverie === REVERIE_FORMAT_VERSION ? undefined : `unsupported version ${JSON.stringify(r.reverie)}; read as ${REVERIE_FORMAT_VERSION}`;
}

const ROLES = new Set<Role>(['user', 'assistant', 'system']);
const STATUSES = new Set<Outcome['status']>(['success', 'failure', 'unknown']);

class SessionBuilder {
  private readonly turns: Turn[] = [];
  private readonly span = new TimeSpan();
  private agent: string | undefined;
  private outcome: Outcome | undefined;

  constructor(private readonly id: string) {}

  add(r: Rec): string | undefined {
    const ts = str(r.ts);
    this.span.add(ts);
    this.agent ??= str(r.agent);
    const type = r.type ?? 'message';
    if (type === 'message') return this.message(r, ts);
    if (type === 'tool_call') return this.toolCall(r, ts);
    if (type === 'tool_result') return this.toolResult(r, ts);
    if (type === 'outcome') return this.setOutcome(r);
    // Unknown types are left for later versions of the format to define.
    return undefined;
  }

  private message(r: Rec, ts: string | undefined): string | undefined {
    const role = r.role as Role;
    if (!ROLES.has(role)) return 'message needs "role": "user", "assistant" or "system"';
    if (typeof r.text !== 'string') return 'message needs a string "text"';
    this.push(role, ts, cleanText(r.text), r.synthetic === true, r.sidechain === true);
    return undefined;
  }

  private toolCall(r: Rec, ts: string | undefined): string | undefined {
    const id = str(r.id);
    const name = str(r.name);
    if (!id || !name) return 'tool_call needs string "id" and "name"';
    const last = this.turns[this.turns.length - 1];
    const turn = last?.role === 'assistant' ? last : this.push('assistant', ts, '', false, r.sidechain === true);
    turn.toolCalls.push({ id, name, input: cleanInput(r.input ?? {}) });
    return undefined;
  }

  private toolResult(r: Rec, ts: string | undefined): string | undefined {
    const call = str(r.call);
    if (!call) return 'tool_result needs a string "call" (the id of its tool_call)';
    const last = this.turns[this.turns.length - 1];
    const turn = last?.role === 'user' && last.text === '' ? last : this.push('user', ts, '', false, r.sidechain === true);
    const rejected = r.rejected === true;
    turn.toolResults.push({
      toolCallId: call,
      isError: r.error === true || rejected,
      ...(rejected ? { rejected } : {}),
      text: typeof r.text === 'string' ? cleanText(r.text) : '',
    });
    return undefined;
  }

  private setOutcome(r: Rec): string | undefined {
    const status = r.status as Outcome['status'];
    if (!STATUSES.has(status)) return 'outcome needs "status": "success", "failure" or "unknown"';
    const reason = str(r.reason);
    this.outcome = { status, inferred: false, ...(reason ? { reason: cleanText(reason) } : {}) };
    return undefined;
  }

  private push(role: Role, timestamp: string | undefined, text: string, synthetic: boolean, sidechain: boolean): Turn {
    const turn = newTurn(this.turns.length, { role, timestamp, text, synthetic, sidechain });
    this.turns.push(turn);
    return turn;
  }

  finish(source: LogSource, headerAgent: string | undefined): SessionData | undefined {
    if (this.turns.length === 0) return undefined;
    return {
      id: this.id,
      agent: source.agent ?? this.agent ?? headerAgent ?? source.defaultAgent ?? agentFromPath(source.path),
      ...(this.span.start ? { startedAt: this.span.start } : {}),
      ...(this.span.end ? { endedAt: this.span.end } : {}),
      turns: this.turns,
      outcome: this.outcome ?? inferOutcome(this.turns),
    };
  }
}
