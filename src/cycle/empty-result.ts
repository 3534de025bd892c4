import type { Mode } from '../config/types.js';
import { memoryImpact } from '../dream/impact.js';
import type { UnreadFile } from '../sessions/list.js';
import type { ReadWarning } from '../sessions/types.js';
import type { DreamResult } from './dream.js';
import type { PendingCycle } from './history.js';

/** What a cycle reports when it did nothing: the counts it read, and every list empty. */
export function emptyResult(base: string, mode: Mode, pending: PendingCycle[], warnings: ReadWarning[], sessions: number, unread: UnreadFile[] = []): DreamResult {
  return {
    cycle: null,
    branch: null,
    base,
    mode,
    merged: false,
    actions: [],
    stats: { sessions, new_sessions: 0, patterns: 0, noise: 0, entries: 0, tokens_before: 0, tokens_after: 0, warnings: warnings.length, unread_files: unread.length },
    outcome: 'nothing-new',
    approval: 'nothing new',
    dropped: [],
    notices: [],
    impact: memoryImpact({ sessions, new_sessions: 0, patterns: 0, noise: 0, entries: 0, tokens_before: 0, tokens_after: 0 }, []),
    warnings,
    unread,
    pending,
  };
}
