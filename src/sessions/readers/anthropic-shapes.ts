/**
 * The shapes in which conversations on Anthropic's Messages API are logged, told apart from each other and from the
 * other formats reverie reads (Claude Code and Codex JSONL, OpenAI Chat Completions, Gemini CLI):
 *   - a conversation: `{messages: [...], system?, model?, id?, ...}`, the request body of the Messages API;
 *   - a request/response pair: `{request: {messages, ...}, response: {content, stop_reason, ...}}`, as proxies and
 *     tracers log each API call (claude-trace nests both under `body`, a streamed response under `body_raw`);
 *   - a Claude Agent SDK message: `{type: "system" | "assistant" | "user" | "result", message?, session_id}`, as
 *     `claude -p --output-format stream-json` and the SDKs' message streams hand them out;
 *   - a bare message `{role, content}`, when a log keeps one per line or an array of them.
 */
import { isRecord } from './common.js';

type Rec = Record<string, unknown>;

const ROLES = new Set(['user', 'assistant', 'system']);

/** Block types of the OpenAI APIs (Chat Completions, Responses): a message holding one is not Anthropic's. */
const FOREIGN_BLOCKS = new Set(['image_url', 'input_text', 'output_text', 'input_image', 'input_audio', 'input_file', 'refusal']);

/** Block types only Anthropic's API has: they settle a plain `{role, content}` message as Anthropic's. */
const ANTHROPIC_BLOCKS = new Set(['tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result']);

const SDK_TYPES = new Set(['system', 'assistant', 'user', 'result', 'stream_event']);

export function isMessage(value: unknown): value is Rec {
  if (!isRecord(value) || typeof value.role !== 'string' || !ROLES.has(value.role)) return false;
  if (typeof value.content !== 'string' && !Array.isArray(value.content)) return false;
  // OpenAI's assistant messages carry `tool_calls`, its tool messages `tool_call_id`.
  if ('tool_calls' in value || 'function_call' in value || 'tool_call_id' in value) return false;
  return !blocksOf(value).some((b) => FOREIGN_BLOCKS.has(String(b.type)));
}

export function hasAnthropicBlock(messages: readonly unknown[]): boolean {
  return messages.some((m) => isRecord(m) && blocksOf(m).some((b) => ANTHROPIC_BLOCKS.has(String(b.type))));
}

function blocksOf(message: Rec): Rec[] {
  return Array.isArray(message.content) ? message.content.filter(isRecord) : [];
}

/** A list of messages as the Messages API takes it; a system prompt leads OpenAI's lists, never Anthropic's. */
export function isMessageList(messages: unknown): messages is Rec[] {
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isMessage)) return false;
  return (messages[0] as Rec).role !== 'system' || hasAnthropicBlock(messages);
}

export function isConversation(value: unknown): value is Rec {
  return isRecord(value) && !('choices' in value) && isMessageList(value.messages);
}

/** The request body of a logged API call: the request itself, or its `body`. */
export function requestBody(pair: Rec): Rec | undefined {
  const request = pair.request;
  if (!isRecord(request)) return undefined;
  return isRecord(request.body) && 'messages' in request.body ? request.body : request;
}

export function isPair(value: unknown): value is Rec {
  return isRecord(value) && isAnthropicResponse(value.response) && isConversation(requestBody(value));
}

/** A response of the Messages API: a message, an error, or the events of a stream (never OpenAI's `choices`). */
function isAnthropicResponse(response: unknown): boolean {
  if (!isRecord(response)) return false;
  const body = isRecord(response.body) ? response.body : response;
  if ('choices' in body) return false;
  if (Array.isArray(body.content) || body.type === 'message' || body.type === 'error' || 'stop_reason' in body) return true;
  const raw = typeof response.body_raw === 'string' ? response.body_raw : typeof response.body === 'string' ? response.body : '';
  return /"type"\s*:\s*"(?:message_start|content_block_start)"/.test(raw);
}

/** A logged call of another endpoint (token counting, a quota check), which a tracer's log holds beside the messages. */
export function isOtherCall(value: unknown): boolean {
  return isRecord(value) && isRecord(value.request) && 'response' in value && !isPair(value);
}

/**
 * A message of the Claude Agent SDK's stream. Claude Code's own transcript records, alike in shape, say `sessionId`
 * and `parentUuid`, never `session_id`.
 */
export function isSdkRecord(value: unknown): value is Rec {
  if (!isRecord(value) || typeof value.type !== 'string' || !SDK_TYPES.has(value.type)) return false;
  if ('sessionId' in value || 'parentUuid' in value) return false;
  return (value.type !== 'assistant' && value.type !== 'user') || isRecord(value.message);
}

/** An SDK message that says it is one: it names its session or its parent tool call, as the SDK's messages do. */
function isMarkedSdkRecord(value: unknown): value is Rec {
  return isSdkRecord(value) && ('session_id' in value || 'parent_tool_use_id' in value);
}

/**
 * Whether a parsed value is certainly Anthropic's. Stricter than reading: an SDK `result` record alone could be
 * another CLI's, and a plain text message could be OpenAI's.
 */
export function claims(value: unknown): boolean {
  if (Array.isArray(value)) return claimsArray(value);
  if (isConversation(value) || isPair(value)) return true;
  if (isMarkedSdkRecord(value)) return value.type === 'assistant' || value.type === 'user' || (value.type === 'system' && value.subtype === 'init');
  return isMessage(value) && hasAnthropicBlock([value]);
}

function claimsArray(values: unknown[]): boolean {
  const sample = values.slice(0, 20);
  if (sample.some((v) => isConversation(v) || isPair(v) || (isMarkedSdkRecord(v) && v.type !== 'result'))) return true;
  return isMessageList(values) && hasAnthropicBlock(sample);
}

/**
 * Keys and values only Anthropic's logs have, for a pretty-printed document of which detection sees a few lines. A
 * system prompt beside the messages, at the top of the document, is one: OpenAI's goes into the messages.
 */
const STRONG_FRAGMENT =
  /"(?:tool_use_id|stop_reason|anthropic_version|cache_creation_input_tokens|cache_read_input_tokens|parent_tool_use_id)"\s*:|"type"\s*:\s*"(?:tool_use|tool_result|thinking|redacted_thinking|server_tool_use)"|"subtype"\s*:\s*"init"|^ {1,4}"system"\s*:\s*["[]/m;

/** Keys and values of the formats it must not be taken for (OpenAI, Gemini CLI, Claude Code, Codex). */
const FOREIGN_FRAGMENT =
  /"(?:tool_calls|tool_call_id|function_call|choices|sessionId|projectHash|parentUuid|payload|image_url|input_text|output_text)"\s*:|"role"\s*:\s*"(?:tool|function|developer)"|"type"\s*:\s*"(?:gemini|function_call|function_call_output)"/;

/** A few lines of a pretty-printed document that show Anthropic's shape and nothing of another format's. */
export function looksLikeAnthropicFragment(lines: readonly string[]): boolean {
  const text = lines.join('\n');
  return /^\s*[[{]/.test(text) && STRONG_FRAGMENT.test(text) && !FOREIGN_FRAGMENT.test(text);
}
