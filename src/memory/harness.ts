/**
 * What the program that reads the memory (its harness) can take in. Memory past these limits is not an error on
 * disk, but the agent never sees it, which is worse: nothing says so. Sizes are in bytes of UTF-8, and a
 * documented "KB" is read as 1,000 bytes, so that the check warns before the harness cuts, never after.
 */
import path from 'node:path';

export type Harness = 'claude-code' | 'managed-agents' | 'none';
export const HARNESSES: readonly Harness[] = ['claude-code', 'managed-agents', 'none'];

/**
 * Claude Code's auto memory: "The first 200 lines of MEMORY.md, or the first 25KB, whichever comes first, are loaded
 * at the start of every conversation", and "This limit applies only to MEMORY.md. CLAUDE.md files are loaded in
 * full regardless of length" (https://code.claude.com/docs/en/memory, section "Auto memory").
 */
export const CLAUDE_CODE_MEMORY_INDEX = { file: 'MEMORY.md', maxLines: 200, maxBytes: 25_000 } as const;

/**
 * Claude Managed Agents memory stores: each memory (one file of the mounted store) is capped at 100KB, about 25K
 * tokens (https://platform.claude.com/docs/en/managed-agents/memory).
 */
export const MANAGED_AGENTS_MEMORY = { maxBytes: 100_000 } as const;

/** Where a file stops being read: the first line the harness drops, and why. */
export interface Cutoff {
  line: number;
  reason: string;
}

/** The cut the harness makes in a memory file, or undefined when it reads the whole file. */
export function harnessCutoff(harness: Harness, filePath: string, text: string): Cutoff | undefined {
  if (harness === 'claude-code' && path.posix.basename(filePath) === CLAUDE_CODE_MEMORY_INDEX.file) return claudeCodeIndexCutoff(text);
  if (harness === 'managed-agents') return byteCutoff(text, MANAGED_AGENTS_MEMORY.maxBytes, 'a memory store entry holds at most 100 KB');
  return undefined;
}

function claudeCodeIndexCutoff(text: string): Cutoff | undefined {
  const { maxLines, maxBytes } = CLAUDE_CODE_MEMORY_INDEX;
  const lines = lineCount(text);
  const byBytes = byteCutoff(text, maxBytes, `Claude Code loads only the first ${maxBytes.toLocaleString('en-US')} bytes of MEMORY.md`);
  const byLines = lines > maxLines ? { line: maxLines + 1, reason: `Claude Code loads only the first ${maxLines} lines of MEMORY.md` } : undefined;
  if (byBytes && byLines) return byBytes.line <= byLines.line ? byBytes : byLines;
  return byBytes ?? byLines;
}

/** Lines as an editor counts them: a final line break does not start another line. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The line holding the first byte past `maxBytes`, or undefined when the text fits. */
function byteCutoff(text: string, maxBytes: number, reason: string): Cutoff | undefined {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return undefined;
  let bytes = 0;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    bytes += Buffer.byteLength(line, 'utf8') + (index < lines.length - 1 ? 1 : 0);
    if (bytes > maxBytes) return { line: index + 1, reason };
  }
  return { line: lines.length, reason };
}
