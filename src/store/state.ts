/**
 * `.reverie/store.json`: where the repository and its memory store last agreed. Kept in the repository, as the rest
 * of reverie's state, so that any clone or runner syncs from the same point. Pure.
 */
import { STATE_DIR, stableJson } from '../dream/state.js';

export const STORE_RECORD = `${STATE_DIR}/store.json`;

export interface StoreRecord {
  /** The store the record is about: another store in reverie.yaml starts from nothing. */
  store: string;
  /** Each mirrored memory by store path: its id, and the sha256 of its content in the store when last synced. */
  memories: Record<string, { id: string; sha256: string }>;
  /** The newest version pulled: its time, and the ids written at that time (a list at `created_at[gte]` repeats them). */
  since: { at: string; ids: string[] } | null;
  /** Versions `push` wrote that no pull has seen yet: a pull skips them, they are the repository's own. */
  own_versions: string[];
}

export function emptyStoreRecord(store: string): StoreRecord {
  return { store, memories: {}, since: null, own_versions: [] };
}

/** The record for `store`, or an empty one when there is none, it is unreadable, or it is about another store. */
export function parseStoreRecord(text: string | undefined, store: string): StoreRecord {
  if (text === undefined) return emptyStoreRecord(store);
  try {
    const value = JSON.parse(text) as Partial<StoreRecord>;
    if (value.store !== store || typeof value.memories !== 'object' || value.memories === null) return emptyStoreRecord(store);
    return {
      store,
      memories: value.memories,
      since: value.since && typeof value.since.at === 'string' && Array.isArray(value.since.ids) ? value.since : null,
      own_versions: Array.isArray(value.own_versions) ? value.own_versions.filter((id) => typeof id === 'string') : [],
    };
  } catch {
    return emptyStoreRecord(store);
  }
}

export function storeRecordText(record: StoreRecord): string {
  return stableJson(record);
}
