/**
 * A session is one past run of an agent, normalised from whatever log format it was read from.
 * Everything in it has already passed through redaction: no reader hands out raw log text.
 */
export interface Session {
  /** Stable id: the id the log itself carries (Claude Code sessionId), else derived from the file path. */
  id: string;
  /** Which agent ran it: from the source's config, else the folder the log sits in. */
  agent: string;
  /** Log format the reader recognised, e.g. `claude-code`, `reverie`. */
  format: string;
  /** Path of the log, relative to the memory repo when inside it (posix separators). */
  source: string;
  /**
   * Decides whether a session is new or changed: sha256 (hex) of the log's bytes when the log holds this one
   * session, else of the session as read (see identity.ts).
   */
  hash: string;
  startedAt?: string;
  endedAt?: string;
  /** Working directory the agent ran in, when the log records it (Claude Code `cwd`). */
  cwd?: string;
  /** Git branch checked out when the session started, when the log records it. */
  gitBranch?: string;
  turns: Turn[];
  outcome: Outcome;
}

export type Role = 'user' | 'assistant' | 'system';

export interface Turn {
  /** Position in the session, 0-based, after normalisation. */
  index: number;
  role: Role;
  timestamp?: string;
  /** Plain text the role wrote (user prompt, assistant reply). Empty when the turn only carries tool traffic. */
  text: string;
  /** Tool calls made in this turn (assistant turns). */
  toolCalls: ToolCall[];
  /** Tool results returned in this turn (user turns, in the Claude message shape). */
  toolResults: ToolResult[];
  /**
   * True when the text was produced by the harness rather than typed by a person (slash-command
   * expansions, caveats, interrupt notices). Such text is never read as a user preference.
   */
  synthetic?: boolean;
  /** True for turns of a subagent (Claude Code sidechain). */
  sidechain?: boolean;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The tool's input, as the log recorded it (redacted). */
  input: Record<string, unknown>;
}

export interface ToolResult {
  toolCallId: string;
  isError: boolean;
  /**
   * True when the person declined or interrupted the call ("The user doesn't want to proceed with this
   * tool use"). Such results are also `isError`, but they say what the user wanted, not that the tool broke.
   */
  rejected?: boolean;
  text: string;
}

export interface Outcome {
  status: 'success' | 'failure' | 'unknown';
  /** True when no explicit outcome record existed and the status was inferred from the turns. */
  inferred: boolean;
  reason?: string;
}

/** A problem met while reading a log: the line was skipped (or the file truncated) and the rest was read. */
export interface ReadWarning {
  file: string;
  /** 1-based line number, when the problem is tied to a line. */
  line?: number;
  message: string;
}

/** One log file as a reader sees it: a path and a streamed sequence of its lines. */
export interface LogSource {
  /** Path used in messages and in Session.source. */
  path: string;
  /** The lines of the file, without line terminators, streamed. */
  lines(): AsyncIterable<string>;
  /**
   * The same lines, when the file was read whole: a reader may take them without a promise per line. Absent for a
   * file that is streamed.
   */
  syncLines?(): Iterable<string>;
  /** Agent id configured for this source, if any. */
  agent?: string;
  /** Agent id to fall back on when neither the config nor the log names one (the log's folder). */
  defaultAgent?: string;
}

/**
 * One reader per log format. `detect` looks at the first non-empty lines only, so that detection
 * stays cheap on large files; `read` streams the whole file.
 */
export interface SessionReader {
  format: string;
  detect(firstLines: string[], path: string): boolean;
  read(source: LogSource): AsyncIterable<ReaderEvent>;
}

/** Readers yield sessions and warnings as they go, so a caller never has to hold a whole file. */
export type ReaderEvent = { kind: 'session'; session: Omit<Session, 'hash' | 'source' | 'format'> } | { kind: 'warning'; warning: ReadWarning };
