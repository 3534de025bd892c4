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

export function snapshotOf(files: SourceFile[], namespaces: Namespace[] = NAMESPACES): MemorySnapshot {
  return buildSnapshot(files, ROOT, namespaces);
}

export interface InputOptions {
  files: SourceFile[];
  sessions?: PlanInput['sessions'];
  state?: DreamState;
  namespaces?: Namespace[];
  minSessions?: number;
  cycle?: string;
  totalSessions?: number;
}

export function planInput(options: InputOptions): PlanInput {
  const sessions = options.sessions ?? [];
  return {
    cycle: options.cycle ?? '20261201-000000',
    sessions,
    totalSessions: options.totalSessions ?? sessions.length,
    memory: snapshotOf(options.files, options.namespaces),
    state: options.state ?? emptyState(),
    options: { minSessions: options.minSessions ?? 2, inbox: INBOX, now: '2026-12-01T00:00:00.000Z' },
  };
}

/** The files of a snapshot as the shell hands them to `applyActions`. */
export function filesOf(files: SourceFile[]): Map<string, string> {
  return new Map(files.map((f) => [f.path, f.text]));
}
