import { SessionFormatError } from '../../errors.js';
import type { SessionReader } from '../types.js';
import { aiderReader } from './aider.js';
import { anthropicMessagesReader } from './anthropic-messages.js';
import { claudeCodeReader } from './claude-code.js';
import { codexReader } from './codex.js';
import { copilotCliReader } from './copilot-cli.js';
import { geminiCliReader } from './gemini-cli.js';
import { managedAgentsReader } from './managed-agents.js';
import { notALog } from './not-logs.js';
import { openaiChatReader } from './openai-chat.js';
import { reverieJsonlReader } from './reverie-jsonl.js';
import { specstoryReader } from './specstory.js';

/**
 * Every format reverie reads, in detection order: the format with an explicit header first; a plain Chat
 * Completions conversation last, since an Anthropic request with text-only messages has the same shape.
 */
export const READERS: readonly SessionReader[] = [
  reverieJsonlReader,
  managedAgentsReader,
  claudeCodeReader,
  codexReader,
  copilotCliReader,
  geminiCliReader,
  aiderReader,
  specstoryReader,
  anthropicMessagesReader,
  openaiChatReader,
];

export const FORMATS: readonly string[] = READERS.map((r) => r.format);

/** How many non-empty lines detection looks at. */
export const DETECT_LINES = 5;

/** The reader for a format named in reverie.yaml (`format: claude-code`). */
export function readerFor(format: string, file: string): SessionReader {
  const reader = READERS.find((r) => r.format === format);
  if (!reader) throw new SessionFormatError(`unknown session format "${format}" (known: ${FORMATS.join(', ')})`, file);
  return reader;
}

/** The reader that recognises a log from its first non-empty lines; throws, saying what the file is, when none does. */
export function detectFormat(firstLines: string[], path: string): SessionReader {
  const lines = firstLines.filter((l) => l.trim() !== '').slice(0, DETECT_LINES);
  const reader = READERS.find((r) => r.detect(lines, path));
  if (!reader) throw new SessionFormatError(notALog(lines, path, FORMATS), path);
  return reader;
}

export { aiderReader, anthropicMessagesReader, claudeCodeReader, codexReader, copilotCliReader, geminiCliReader, managedAgentsReader, openaiChatReader, reverieJsonlReader, specstoryReader };
