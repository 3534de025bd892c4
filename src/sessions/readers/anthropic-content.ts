/**
 * Content blocks of Anthropic's Messages API (platform.claude.com/docs/en/api/messages) as turn parts: what was said,
 * the tools called and what they returned. Everything handed out is redacted and clipped.
 *
 * Left out on purpose: `thinking` and `redacted_thinking` (the model's scratch work, not something the agent said or
 * did), `compaction` (a summary of earlier turns, which are read themselves when the log holds them) and the bytes of
 * images and documents, which are named instead.
 */
import type { ToolCall, ToolResult } from '../types.js';
import { cleanInput, cleanText, isRecord, str } from './common.js';

type Rec = Record<string, unknown>;

export interface MessageParts {
  /** Raw text, not cleaned yet: the caller classifies it (harness text or a person's) before cleaning it. */
  text: string;
  calls: ToolCall[];
  results: ToolResult[];
}

/** Blocks in which the model calls a tool: its own tools, Anthropic's server tools, an MCP server's tools. */
const CALL_TYPES = new Set(['tool_use', 'server_tool_use', 'mcp_tool_use']);

/** Result blocks: `tool_result` on the user's side; `web_search_tool_result`, `mcp_tool_result`, ... in the response. */
const RESULT_TYPE = /^(?:tool_result|\w+_tool_result)$/;

export function partsOf(content: unknown): MessageParts {
  if (typeof content === 'string') return { text: content, calls: [], results: [] };
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  const results: ToolResult[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    if (!isRecord(block) || typeof block.type !== 'string') continue;
    if (CALL_TYPES.has(block.type)) calls.push(toolCall(block));
    else if (RESULT_TYPE.test(block.type)) results.push(toolResult(block));
    else {
      const text = blockText(block);
      if (text) texts.push(text);
    }
  }
  return { text: texts.join('\n'), calls, results };
}

/** Text of a text block; attachments are named, never inlined; hidden reasoning is left out. */
function blockText(block: Rec): string | undefined {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text : undefined;
    case 'image':
      return '[image]';
    case 'document':
      return named('document', block.title);
    case 'search_result':
      return named('search result', block.title);
    case 'container_upload':
      return '[file]';
    default:
      return undefined;
  }
}

function named(kind: string, title: unknown): string {
  return typeof title === 'string' && title.trim() !== '' ? `[${kind}: ${title.trim()}]` : `[${kind}]`;
}

function toolCall(block: Rec): ToolCall {
  const name = str(block.name) ?? 'unknown';
  return { id: cleanText(str(block.id) ?? ''), name: cleanText(name), input: withShellCommand(name, cleanInput(block.input ?? {})) };
}

/** Tools whose input may name its shell command `script` or `code` rather than `command`. */
const SHELL_TOOL = /bash|shell|terminal/i;

/**
 * The input, with a shell command the tool was given under another name (`cmd`, or `script` for a bash tool) also
 * under `command`, as a string, which is where the engine looks for commands.
 */
export function withShellCommand(name: string, input: Record<string, unknown>): Record<string, unknown> {
  const given = input.command ?? input.cmd ?? (SHELL_TOOL.test(name) ? (input.script ?? input.code) : undefined);
  const command = commandText(given);
  return command === undefined || input.command === command ? input : { ...input, command };
}

/** A command as one line: `["bash", "-lc", "make test"]` is `make test`, other argv arrays are joined. */
function commandText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) return undefined;
  const argv = value as string[];
  if (argv.length === 3 && /(?:^|\/)(?:ba|z|da|k)?sh$/.test(argv[0]!) && /^-l?c$/.test(argv[1]!)) return argv[2];
  return argv.map((arg) => (/[\s'"]/.test(arg) ? `'${arg.replaceAll("'", `'\\''`)}'` : arg)).join(' ');
}

function toolResult(block: Rec): ToolResult {
  const content = block.content;
  return {
    toolCallId: cleanText(str(block.tool_use_id) ?? ''),
    isError: block.is_error === true || isServerToolError(content),
    text: cleanText(resultText(content)),
  };
}

/** A server tool reports failure in its content: `{type: "..._error", error_code}`, or a command's exit code. */
function isServerToolError(content: unknown): boolean {
  if (!isRecord(content)) return false;
  if (typeof content.type === 'string' && content.type.endsWith('_error')) return true;
  return typeof content.return_code === 'number' && content.return_code !== 0;
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (isRecord(b) ? (blockText(b) ?? linkText(b)) : undefined)).filter((t) => t).join('\n');
  if (!isRecord(content)) return '';
  // A server tool's output: a command's streams, the code of the error it met, or the page it fetched.
  const parts = [content.stdout, content.stderr, content.error_code, content.content, linkText(content)].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.join('\n');
}

/** A web search or fetch result: its title and address. */
function linkText(block: Rec): string | undefined {
  const parts = [block.title, block.url].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(' ') : undefined;
}
