/**
 * The files each agent reads its instructions from, as `reverie compile` writes them: where they usually live, whether
 * they are one file or one per memory file, and the limits of what the agent reads that its makers document.
 */
import path from 'node:path';
import { CLAUDE_CODE_MEMORY_INDEX } from '../memory/harness.js';

export type CompileFormat = 'claude-md' | 'agents-md' | 'gemini-md' | 'copilot' | 'cursor' | 'claude-rules';
export const COMPILE_FORMATS: readonly CompileFormat[] = ['claude-md', 'agents-md', 'gemini-md', 'copilot', 'cursor', 'claude-rules'];

/** Where and how one agent's part of the memory is written (`compile:` of an agent in reverie.yaml). */
export interface CompileTarget {
  format: CompileFormat;
  /** The file (or, for a format of one file per memory file, the folder), `/`-separated, relative to `into`. */
  path: string;
  /** The folder written into, as reverie.yaml gives it: `.` (the memory repository), `../app`, or an absolute path. */
  into: string;
  /** cursor: the rule's `globs`; claude-rules: its `paths`. None: the rule applies to every file. */
  globs?: string[];
  /** cursor: `alwaysApply` (default: true without globs, false with them). */
  alwaysApply?: boolean;
  /** cursor: the rule's `description` (default: the memory file's first heading, else its name). */
  description?: string;
}

/** A limit of what the agent reads, with where it is documented. */
export interface FormatLimit {
  limits: { lines?: number; bytes?: number };
  source: string;
}

interface FormatSpec {
  /** The program that reads it, for messages. */
  reader: string;
  defaultPath: string;
  /** One file per memory file, with this extension, in the folder `path` names. */
  perFile?: '.mdc' | '.md';
  /** The limit the reader puts on the file at `file` (its path relative to `into`), if one is documented. */
  limit?: (file: string) => FormatLimit | undefined;
  /** What the reader does with part of the file only, worth a warning rather than a refusal. */
  warn?: { chars: number; message: string };
}

/**
 * Codex concatenates the AGENTS.md files it finds and stops at `project_doc_max_bytes`, 32 KiB unless configured
 * otherwise (Codex's configuration reference). Claude Code reads CLAUDE.md whole and the first 200 lines or 25 KB of
 * MEMORY.md (harness.ts). Copilot code review reads the first 4,000 characters of a custom instructions file (GitHub's
 * docs on custom instructions); chat reads all of it, so that is a warning, not a refusal.
 */
export const CODEX_PROJECT_DOC_MAX_BYTES = 32_768;

const FORMATS: Record<CompileFormat, FormatSpec> = {
  'claude-md': {
    reader: 'Claude Code',
    defaultPath: 'CLAUDE.md',
    limit: (file) =>
      path.posix.basename(file) === CLAUDE_CODE_MEMORY_INDEX.file
        ? { limits: { lines: CLAUDE_CODE_MEMORY_INDEX.maxLines, bytes: CLAUDE_CODE_MEMORY_INDEX.maxBytes }, source: 'Claude Code loads the first 200 lines or 25 KB of MEMORY.md' }
        : undefined,
  },
  'agents-md': {
    reader: 'Codex',
    defaultPath: 'AGENTS.md',
    limit: () => ({ limits: { bytes: CODEX_PROJECT_DOC_MAX_BYTES }, source: 'Codex reads at most 32 KiB of AGENTS.md by default (project_doc_max_bytes)' }),
  },
  'gemini-md': { reader: 'Gemini CLI', defaultPath: 'GEMINI.md' },
  copilot: {
    reader: 'GitHub Copilot',
    defaultPath: '.github/copilot-instructions.md',
    warn: { chars: 4000, message: 'Copilot code review reads only the first 4,000 characters of custom instructions (chat reads them all)' },
  },
  cursor: { reader: 'Cursor', defaultPath: '.cursor/rules', perFile: '.mdc' },
  'claude-rules': { reader: 'Claude Code', defaultPath: '.claude/rules', perFile: '.md' },
};

export function formatSpec(format: CompileFormat): FormatSpec {
  return FORMATS[format];
}

/** Formats that write one file per memory file into a folder (`path` is the folder). */
export function isPerFile(format: CompileFormat): boolean {
  return FORMATS[format].perFile !== undefined;
}
