/**
 * What a file is when no reader claims it, or when the reader that claims it finds no conversation in it: said in the
 * warning that names the file, so that a person sees why a file taught nothing rather than a bare "unrecognised".
 * Three kinds: a known agent's file that is not a session (a prompt history, checkpoint metadata, summaries), a known
 * agent's log in a layout reverie does not read, and no log at all (described by its shape).
 */
import { HARNESS_AGENT } from './claude-code.js';
import { cleanText, fileStem, firstLine, isRecord, parseRecord } from './common.js';

type Rec = Record<string, unknown>;

interface Known {
  /** True when the file's first record (or the keys of its first lines, for a pretty-printed document) is this. */
  test: (record: Rec | undefined, keys: ReadonlySet<string>, path: string) => boolean;
  what: string;
}

const has = (r: Rec | undefined, ...keys: string[]) => r !== undefined && keys.every((k) => k in r);

/** Files agents keep beside their sessions, and sessions in layouts reverie does not read. */
const KNOWN: Known[] = [
  {
    test: (r, keys) => (has(r, 'checkpoint_id', 'strategy') && (has(r, 'session_id') || has(r, 'sessions'))) || (keys.has('checkpoint_id') && keys.has('strategy')),
    what: "an Entire CLI checkpoint's metadata (ids, branch, files touched, token counts), not a conversation: the session's transcript is the full.jsonl beside it",
  },
  {
    test: (r) => has(r, 'display', 'timestamp') && (has(r, 'project') || has(r, 'pastedContents')),
    what: "Claude Code's prompt history (what was typed, without replies or tool calls), not a session log: the sessions are ~/.claude/projects/<project>/*.jsonl",
  },
  {
    test: (r) => has(r, 'session_id', 'ts', 'text') && Object.keys(r ?? {}).length <= 4,
    what: "Codex's prompt history (what was typed, without replies or tool calls), not a session log: the sessions are ~/.codex/sessions/**/rollout-*.jsonl",
  },
  {
    test: (r, keys) => (has(r, 'sessionId', 'messageId', 'message') && r?.type === 'user') || (keys.has('sessionId') && keys.has('messageId')),
    what: "Gemini CLI's message log (logs.json, kept for the prompt history: messages without tool calls or results), not a session log: the conversations are chats/session-*.json beside it",
  },
  {
    test: (r, keys, path) => has(r, 'sessionId', 'chatMessages') || has(r, 'sessionId', 'timeline') || ((keys.has('chatMessages') || keys.has('timeline')) && (keys.has('sessionId') || /history-session-state/.test(path))),
    what: 'a GitHub Copilot CLI session in the older history-session-state layout (one JSON document with chatMessages and a timeline), which reverie does not read: Copilot CLI has written session-state/<id>/events.jsonl since, which it does',
  },
  {
    test: (r, keys) => has(r, 'requesterUsername', 'requests') || (keys.has('requesterUsername') && keys.has('responderUsername')),
    what: 'a VS Code Copilot Chat session (workspaceStorage/<id>/chatSessions), a format reverie does not read yet',
  },
  {
    test: (r) => has(r, 'id', 'sessionID', 'messageID', 'type'),
    what: 'an OpenCode message part (storage/part/<message>/<part>.json), one piece of a session OpenCode keeps across many files, a format reverie does not read yet',
  },
  {
    test: (r) => has(r, 'id', 'sessionID', 'role', 'time'),
    what: 'an OpenCode message (storage/message/<session>/<message>.json, its text in separate part files), a format reverie does not read yet',
  },
  {
    test: (r) => has(r, 'id', 'projectID') && (has(r, 'directory') || has(r, 'slug')),
    what: "an OpenCode session's metadata (storage/session/<project>/<session>.json), a format reverie does not read yet",
  },
  {
    test: (r) => has(r, 'ts', 'type') && (r?.type === 'say' || r?.type === 'ask'),
    what: "Cline's (or Roo Code's) ui_messages.json, what its panel showed, a format reverie does not read yet",
  },
];

/**
 * Why a file that no reader claims is not read. `lines` are its first non-empty lines, as detection saw them.
 * `formats` names the formats reverie reads, for the message about a file that is no log at all.
 */
export function notALog(lines: readonly string[], path: string, formats: readonly string[]): string {
  if (lines.length === 0) return 'unrecognised session log format (the file is empty); see docs/session-format.md';
  const first = firstRecord(lines);
  const keys = documentKeys(lines);
  // A pretty-printed document shows its first keys, not their values: those keys stand in for its first record.
  const record = first ?? (keys.size > 0 ? Object.fromEntries([...keys].map((k) => [k, undefined])) : undefined);
  const known = KNOWN.find((k) => k.test(record, keys, path));
  if (known) return known.what;
  return `unrecognised session log format (${shapeOf(lines, first, keys)}; not one of: ${formats.join(', ')}); see docs/session-format.md`;
}

/** The first line as a JSON object, or the first object of a JSON array written on one line. */
function firstRecord(lines: readonly string[]): Rec | undefined {
  const line = lines[0]?.trim() ?? '';
  if (!line.startsWith('{') && !line.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    const parsed = parseRecord(line);
    return 'record' in parsed ? parsed.record : undefined;
  }
  if (Array.isArray(value)) value = value.find(isRecord);
  return isRecord(value) ? value : undefined;
}

/** Keys of a pretty-printed JSON document among the first lines (`  "sessionId": ...`). */
function documentKeys(lines: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const line of lines) {
    const key = /^\s*"([^"\\]{1,64})"\s*:/.exec(line)?.[1];
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

/** What the file looks like, in a few words: its keys when it is JSON, its first line otherwise (redacted). */
function shapeOf(lines: readonly string[], first: Rec | undefined, keys: ReadonlySet<string>): string {
  const head = lines[0]?.trim() ?? '';
  const named = (list: readonly string[]) => list.slice(0, 6).map((k) => `"${cleanText(firstLine(k, 40))}"`).join(', ') + (list.length > 6 ? ', ...' : '');
  if (first) {
    const list = Object.keys(first);
    const kind = head.startsWith('[') ? 'a JSON array of objects' : lines.length > 1 && lines.slice(1).every((l) => l.trim().startsWith('{')) ? 'JSON Lines' : 'a JSON object';
    return list.length === 0 ? `${kind} with no keys` : `${kind} with keys ${named(list)}`;
  }
  if ((head === '{' || head === '[') && keys.size > 0) return `a JSON document with keys ${named([...keys])}`;
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON that does not parse';
  const text = cleanText(firstLine(head, 60));
  return /^#{1,6}\s/.test(head) ? `Markdown beginning "${text}"` : `text beginning "${text}"`;
}

/**
 * Why a file a reader claimed gave no session: what the file is, where its format says (from the first lines detection
 * saw, none when the source named its format), else what holds for every format.
 */
export function noConversation(format: string, lines: readonly string[], path: string): string {
  const records = lines.map((l) => parseRecord(l)).map((p) => ('record' in p ? p.record : undefined));
  if (format === 'claude-code') {
    if (records.length > 0 && records.every((r) => r?.type === 'summary' || r?.type === 'file-history-snapshot')) {
      return 'Claude Code summaries (the titles of sessions kept in other files), not a conversation; nothing to learn from';
    }
    if (HARNESS_AGENT.test(fileStem(path))) return 'a sub-agent Claude Code runs for itself (compaction, a prompt suggestion, a side question), which repeats the conversation; left out';
    const first = records[0];
    if (first?.isSidechain === true && isRecord(first.message) && first.message.content === 'Warmup') return 'a "Warmup" sub-agent of Claude Code, which only primes the prompt cache; left out';
  }
  if (format === 'specstory') return 'a SpecStory export without a message in it (the chat was empty when exported); nothing to learn from';
  return `read as ${format}, but no one spoke in it: nothing a person typed, no reply, no tool call; nothing to learn from`;
}
