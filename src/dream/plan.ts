import { estimateTokens, isMarkdownPath, namespaceFor } from '../memory/index.js';
import type { MemorySnapshot } from '../memory/types.js';
import { curate } from './curate/index.js';
import { effectKeys } from './curate/effects.js';
import type { Guard } from './curate/workspace.js';
import { extractPatterns } from './extract/index.js';
import { shortHash } from './text.js';
import type { Action, DreamState, Plan, PlanInput } from './types.js';

/**
 * sessions + memory + state → plan. Pure and deterministic: no clock, no files, no network; the shell
 * reads the inputs and applies the result. Modeled on assembling a release plan before applying it.
 */
export function planCycle(input: PlanInput, engine = 'heuristic'): Plan {
  const { memory, state, options } = input;
  const extraction = extractPatterns(input.sessions, state.patterns, options.minSessions);
  const unwritten = extraction.signal.filter((p) => !extraction.records[p.key]?.written);
  const { actions, dropped, notices, memoryAfter } = curate({
    memory,
    signal: unwritten,
    records: extraction.records,
    minSessions: options.minSessions,
    inbox: options.inbox,
    guard: guardFor(memory, state),
    ...(options.maxRemovedShare !== undefined ? { maxRemovedShare: options.maxRemovedShare } : {}),
    ...(options.maxActions !== undefined ? { maxActions: options.maxActions } : {}),
  });
  return {
    cycle: input.cycle,
    engine,
    actions: distinctIds(actions),
    patterns: extraction.signal,
    noise: extraction.noise,
    dropped,
    notices,
    stats: {
      sessions: input.totalSessions,
      new_sessions: input.sessions.length,
      patterns: extraction.signal.length,
      noise: extraction.noise.length,
      entries: memory.files.reduce((n, f) => n + f.entries.length, 0),
      entries_after: memoryAfter.files.reduce((n, f) => n + f.entries.length, 0),
      tokens_before: memoryTokens(memory),
      tokens_after: memoryTokens(memoryAfter),
    },
    state: nextState(input, extraction.records, actions),
  };
}

/**
 * What no engine may do, whatever it proposes: write a protected namespace, write outside the memory
 * root, or propose again what a person rejected, as the same action or as another with the same effect
 * (the entry a rejected prune would have removed, the text a rejected add would have written).
 */
export function guardFor(memory: MemorySnapshot, state: DreamState): Guard {
  return (action: Action) => {
    const rejected = state.rejected[action.fingerprint];
    if (rejected) return `rejected in cycle ${rejected.cycle}${rejected.reason ? ` (${rejected.reason})` : ''}`;
    for (const key of effectKeys(action)) {
      const earlier = state.rejected[key];
      if (earlier) return `${key.startsWith('effect:added') ? 'its text' : 'the entry it removes'} was rejected in cycle ${earlier.cycle} (${earlier.summary})`;
    }
    for (const path of action.paths) {
      const inside = memory.root === '' || path.startsWith(`${memory.root}/`);
      if (!inside || path.split('/').includes('..')) return `${path} is outside the memory root "${memory.root}"`;
      const namespace = namespaceFor(path, memory.root, memory.namespaces);
      if (!namespace) return `${path} is in no namespace of the configuration`;
      if (namespace.policy === 'protected') return `${path} is in the protected namespace "${namespace.name}"`;
      if (!isMarkdownPath(path)) return `${path} is not a Markdown file`;
    }
    return undefined;
  };
}

/**
 * Two actions on the same words in the same file (a note written twice, pruned twice) would share an id:
 * the later ones get an occurrence number, so each commit and each decision names exactly one action.
 */
export function distinctIds(actions: Action[]): Action[] {
  const seen = new Map<string, number>();
  return actions.map((action) => {
    const count = (seen.get(action.fingerprint) ?? 0) + 1;
    seen.set(action.fingerprint, count);
    if (count === 1) return action;
    const fingerprint = `${action.fingerprint}#${count}`;
    return { ...action, fingerprint, id: shortHash(fingerprint) };
  });
}

/** The state a cycle records: its sessions processed, the pattern records, and which patterns its actions wrote. */
export function nextState(input: Pick<PlanInput, 'cycle' | 'sessions' | 'state'>, records: DreamState['patterns'], actions: Action[]): DreamState {
  const processed = { ...input.state.processed };
  for (const session of input.sessions) processed[session.hash] = { id: session.id, source: session.source, cycle: input.cycle };
  // The records are shared with the extraction's, not copied (tens of megabytes at 100,000 sessions): those this
  // cycle's actions write are copied before they are marked, so the extraction's stay as they were.
  const patterns = { ...records };
  for (const action of actions) {
    if (action.type !== 'add' && action.type !== 'update') continue;
    for (const key of action.patterns) {
      const record = patterns[key];
      if (record) patterns[key] = { ...record, written: input.cycle };
    }
  }
  return { processed, patterns, rejected: { ...input.state.rejected } };
}

export function memoryTokens(memory: MemorySnapshot): number {
  return memory.files.reduce((sum, f) => sum + estimateTokens(f.document.text), 0);
}

export function emptyState(): DreamState {
  return { processed: {}, patterns: {}, rejected: {} };
}
