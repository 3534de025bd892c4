/**
 * `.reverie/compiled.json`: what `reverie compile` wrote for each agent, so that the next compile can tell a file it
 * wrote from one a person edited since (by its sha256), and find what the file was made from (the memory commit).
 */
import { createHash } from 'node:crypto';
import { STATE_DIR, stableJson } from '../dream/state.js';
import type { CompileFormat } from './formats.js';

export const COMPILED_RECORD = `${STATE_DIR}/compiled.json`;

export interface RecordedFile {
  /** Relative to the agent's `into`. */
  path: string;
  /** Of the text as written. */
  sha256: string;
  /** The memory commit it was compiled from (main's tip then). */
  memory_commit: string;
  /** The memory files it holds, from the repository root. */
  sources: string[];
}

export interface RecordedAgent {
  format: CompileFormat;
  /** `into` as reverie.yaml gave it. */
  into: string;
  files: RecordedFile[];
  /** sha256 of compiled files as a person edited them, whose edit was rejected: compile overwrites them. */
  rejected_edits?: string[];
}

export interface CompiledRecord {
  agents: Record<string, RecordedAgent>;
}

export function parseCompiledRecord(text: string | undefined): CompiledRecord {
  if (text === undefined) return { agents: {} };
  try {
    const value = JSON.parse(text) as Partial<CompiledRecord>;
    return { agents: value.agents && typeof value.agents === 'object' ? value.agents : {} };
  } catch {
    return { agents: {} };
  }
}

export function compiledRecordText(record: CompiledRecord): string {
  return stableJson(record);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
