import { emptyState } from '../../../src/dream/plan.js';
import type { DreamState, PlanInput } from '../../../src/dream/types.js';
import { buildSnapshot, type MemorySnapshot, type Namespace, type SourceFile } from '../../../src/memory/index.js';

/** The layout of the design sketch: hand-written instructions that cycles never write, and curated notes. */
export const NAMESPACES: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'notes', paths: ['**/*.md'], policy: 'dream' },
];

export const ROOT = 'memory';
export const INBOX = 'memory/notes.md';

/**
 * Who wrote the entries of a snapshot: the shell reads it from the commits' trailers. Entries of the curated
 * namespaces are a person's by default (what a cycle cannot prove it wrote, a person did); `reverie` makes them a
 * cycle's, as notes an earlier cycle added.
 */
export type WrittenBy = 'person' | 'reverie';

export function snapshotOf(files: SourceFile[], namespaces: Namespace[] = NAMESPACES, writtenBy?: WrittenBy): MemorySnapshot {
  const snapshot = buildSnapshot(files, ROOT, namespaces);
  if (writtenBy) for (const file of snapshot.files) for (const entry of file.entries) if (file.policy === 'dream') entry.writtenBy = writtenBy;
  return snapshot;
}

export interface InputOptions {
  files: SourceFile[];
  sessions?: PlanInput['sessions'];
  state?: DreamState;
  namespaces?: Namespace[];
  minSessions?: number;
  cycle?: string;
  totalSessions?: number;
  writtenBy?: WrittenBy;
  maxRemovedShare?: number;
}

export function planInput(options: InputOptions): PlanInput {
  const sessions = options.sessions ?? [];
  return {
    cycle: options.cycle ?? '20261201-000000',
    sessions,
    totalSessions: options.totalSessions ?? sessions.length,
    memory: snapshotOf(options.files, options.namespaces, options.writtenBy),
    state: options.state ?? emptyState(),
    options: {
      minSessions: options.minSessions ?? 2,
      inbox: INBOX,
      now: '2026-12-01T00:00:00.000Z',
      ...(options.maxRemovedShare !== undefined ? { maxRemovedShare: options.maxRemovedShare } : {}),
    },
  };
}

/** The files of a snapshot as the shell hands them to `applyActions`. */
export function filesOf(files: SourceFile[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.text]));
}
