/**
 * A dream created and not yet taken into a cycle, by id: written the moment the API answers the create, and kept
 * beyond this machine (cycle/engine-state.ts) before the cycle waits, so that a cycle stopped while the dream runs
 * (a CI job's time limit, a crash, a wait that ran out) is resumed by the next one, here or on a fresh runner, and
 * never dreamt and paid for twice.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomically } from '../claude/cache.js';

/** Beside the claude engine's pending batch, in the engine's folder of the git directory. */
export const DREAM_FILE = 'dream.json';

export interface PendingDream {
  /** `drm_…` */
  id: string;
  /** The store the dream reads, holding the memory as the cycle that created it read it. */
  store: string;
  /** A hash of that memory (paths and texts): a later cycle whose memory differs reads the input back from the store. */
  memory: string;
  /** The Managed Agents sessions sent (`sesn_…`). */
  sessions: string[];
  /** Of those, the ones a cycle read from a log too: the log's content hash → its id and source, to record as processed. */
  logs: Record<string, { id: string; source: string }>;
  created: string;
}

export async function readPendingDream(dir: string): Promise<PendingDream | undefined> {
  return pendingDreamOf(await readFile(path.join(dir, DREAM_FILE), 'utf8').catch(() => ''));
}

export async function writePendingDream(dir: string, dream: PendingDream): Promise<void> {
  await writeAtomically(path.join(dir, DREAM_FILE), `${JSON.stringify(dream, null, 2)}\n`);
}

export async function clearPendingDream(dir: string): Promise<void> {
  await rm(path.join(dir, DREAM_FILE), { force: true });
}

/** A pending dream as its file holds it, or undefined for anything else: a file in another shape is never trusted. */
export function pendingDreamOf(text: string): PendingDream | undefined {
  let value: Partial<PendingDream> | undefined;
  try {
    value = JSON.parse(text) as Partial<PendingDream>;
  } catch {
    return undefined;
  }
  const ids = (list: unknown, prefix: string) => Array.isArray(list) && list.every((id) => typeof id === 'string' && id.startsWith(prefix));
  const logs = value?.logs;
  const ok =
    typeof value?.id === 'string' &&
    value.id.startsWith('drm_') &&
    typeof value.store === 'string' &&
    typeof value.memory === 'string' &&
    typeof value.created === 'string' &&
    ids(value.sessions, 'sesn_') &&
    typeof logs === 'object' &&
    logs !== null &&
    Object.values(logs).every((log) => typeof log?.id === 'string' && typeof log.source === 'string');
  return ok ? (value as PendingDream) : undefined;
}
