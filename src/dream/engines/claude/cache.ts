/**
 * What the claude engine keeps between cycles, in the repository's git directory: each session's map result, so that a
 * cycle that stopped (budget, crash, a batch still running) pays for no session twice, and the id of a Message Batch
 * submitted and not yet read back. Files are written whole and renamed into place, so a crash leaves the old file or
 * the new one, never half of one.
 *
 * The folder is this machine's copy. What must outlive the machine (a CI runner is thrown away after each job) is
 * handed to the cycle's shell as files (`exportCache`), which keeps them on a ref of the memory repository and takes
 * them back on another clone (`importCache`); see cycle/engine-state.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { redactTextValue } from '../../../sessions/redact.js';
import { shortHash } from '../../../util/hash.js';
import { PROMPT_VERSION } from './prompts.js';
import type { MapObservation } from './schemas.js';
import { DREAM_FILE, pendingDreamOf } from '../managed/pending.js';

export interface MapResult {
  session: string;
  hash: string;
  model: string;
  observations: MapObservation[];
  /** Observations the checks dropped, and why. */
  dropped: string[];
}

/** A batch submitted and not yet read back: custom_id → session hash. */
export interface PendingBatch {
  id: string;
  key: string;
  model: string;
  submitted: string;
  requests: Record<string, string>;
}

/**
 * A map result depends on the session, the model, the prompt and the owner's instructions, not on the memory it was
 * shown beside: memory only helps the model leave out what is known, and the curate step sees memory anyway.
 */
export function mapKey(model: string, instructions: string | undefined): string {
  return shortHash(`${model}\u0000${PROMPT_VERSION}\u0000${instructions ?? ''}`, 12);
}

export class ClaudeCache {
  constructor(
    readonly dir: string,
    readonly key: string,
  ) {}

  private mapFile(hash: string): string {
    return path.join(this.dir, mapPath(this.key, hash));
  }

  private get batchFile(): string {
    return path.join(this.dir, BATCH_FILE);
  }

  /** Synchronous, for `observe`, which decides while the logs stream whether a session's transcript is needed. */
  hasMap(hash: string): boolean {
    return existsSync(this.mapFile(hash));
  }

  async readMap(hash: string): Promise<MapResult | undefined> {
    return readJson<MapResult>(this.mapFile(hash));
  }

  /** Writes the result as it is kept (bounded), and gives that back: what this cycle uses is what the next one reads. */
  async writeMap(result: MapResult): Promise<MapResult> {
    const kept = boundedMapResult(result);
    await writeAtomically(this.mapFile(result.hash), JSON.stringify(kept));
    return kept;
  }

  async readPendingBatch(): Promise<PendingBatch | undefined> {
    return readJson<PendingBatch>(this.batchFile);
  }

  async writePendingBatch(batch: PendingBatch): Promise<void> {
    await writeAtomically(this.batchFile, `${JSON.stringify(batch, null, 2)}\n`);
  }

  async clearPendingBatch(): Promise<void> {
    await rm(this.batchFile, { force: true });
  }
}

/**
 * The most one session's map result may take on disk. Observations are capped per session and their fields clipped
 * before they get here (map.ts, ground.ts), which keeps a result to a few kilobytes; this bounds what is left (the
 * reasons for what was dropped, text of many bytes per character) so that no answer leaves a large file behind.
 */
export const MAX_MAP_FILE_BYTES = 64 * 1024;
/** Reasons kept for what the checks dropped; the rest are counted. */
const MAX_DROPPED_REASONS = 20;

/** The result as it is cached: the first reasons for what was dropped, and as many observations as fit the bound. Pure. */
export function boundedMapResult(result: MapResult, maxBytes = MAX_MAP_FILE_BYTES): MapResult {
  const more = result.dropped.length - MAX_DROPPED_REASONS;
  const dropped = more > 0 ? [...result.dropped.slice(0, MAX_DROPPED_REASONS), `and ${more} more`] : result.dropped;
  const bounded = { ...result, dropped };
  while (bounded.observations.length > 0 && Buffer.byteLength(JSON.stringify(bounded)) > maxBytes) bounded.observations = bounded.observations.slice(0, -1);
  return bounded;
}

/** The pending batch's file, relative to the cache's folder. */
export const BATCH_FILE = 'batch.json';

/** A map result's file, relative to the cache's folder: `map/<key>/<hash>.json`. */
export function mapPath(key: string, hash: string): string {
  return `map/${key}/${fileName(hash)}.json`;
}

function fileName(hash: string): string {
  return hash.replace(/[^A-Za-z0-9_-]/g, '_');
}

const MAP_PATH = /^map\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\.json$/;

/** The cache's files that outlive a machine, by path relative to its folder (`batch.json`, `map/<key>/<hash>.json`). */
export type CacheFiles = Map<string, string>;

/**
 * What of the cache must outlive this machine, as files: the pending batch, and the map results of sessions that
 * `processed` says no cycle will read again (main records them as processed) left out. Those are deleted from the
 * folder too, so that it holds what the files hold, and stays as small. Each result goes out redacted once more, by
 * both passes: its text was read from redacted transcripts, but it is about to be committed and pushed.
 */
export async function exportCache(dir: string, processed: (hash: string) => boolean): Promise<CacheFiles> {
  const files: CacheFiles = new Map();
  const batch = await readFile(path.join(dir, BATCH_FILE), 'utf8').catch(() => undefined);
  if (batch !== undefined && pendingBatchOf(batch)) files.set(BATCH_FILE, batch);
  // The managed engine's pending dream travels the same way (managed/pending.ts).
  const dream = await readFile(path.join(dir, DREAM_FILE), 'utf8').catch(() => undefined);
  if (dream !== undefined && pendingDreamOf(dream)) files.set(DREAM_FILE, dream);
  for (const key of await folders(path.join(dir, 'map'))) {
    for (const name of (await readdir(path.join(dir, 'map', key)).catch(() => [])).sort()) {
      const relative = `map/${key}/${name}`;
      if (!MAP_PATH.test(relative)) continue;
      const result = mapResultOf(await readFile(path.join(dir, relative), 'utf8').catch(() => ''), name);
      if (result && processed(result.hash)) await rm(path.join(dir, relative), { force: true });
      else if (result) files.set(relative, JSON.stringify({ ...result, ...redactTextValue({ observations: result.observations, dropped: result.dropped }) }));
    }
  }
  return files;
}

/**
 * Writes into the cache what `files` holds and the cache lacks: the map result of a session it has none for, the
 * pending batch when it has none. What the cache has stays: it is this machine's newer copy, or the same. A file that
 * is not a well-formed result or batch of its name is skipped, never trusted. Says what it wrote, and the id of a
 * pending batch it left aside because the cache has another.
 */
export async function importCache(dir: string, files: CacheFiles): Promise<{ restored: number; batch?: string; otherBatch?: string }> {
  let restored = 0;
  const outcome: { batch?: string; otherBatch?: string } = {};
  for (const [relative, text] of files) {
    const file = path.join(dir, relative);
    if (relative === DREAM_FILE) {
      // This machine's pending dream is its newest word; a clone without one takes the one kept.
      if (!pendingDreamOf(text) || existsSync(file)) continue;
    } else if (relative === BATCH_FILE) {
      const batch = pendingBatchOf(text);
      if (!batch) continue;
      const here = pendingBatchOf((await readFile(file, 'utf8').catch(() => undefined)) ?? '');
      if (here && here.id !== batch.id) outcome.otherBatch = batch.id;
      if (here) continue;
      outcome.batch = batch.id;
    } else {
      const name = MAP_PATH.exec(relative)?.[2];
      if (!name || !mapResultOf(text, `${name}.json`) || existsSync(file)) continue;
    }
    await writeAtomically(file, text);
    restored++;
  }
  return { restored, ...outcome };
}

/** A pending batch as its file holds it, or undefined for anything else. */
function pendingBatchOf(text: string): PendingBatch | undefined {
  const batch = parseJson(text) as Partial<PendingBatch> | undefined;
  const requests = batch?.requests;
  const ok =
    typeof batch?.id === 'string' &&
    typeof batch.key === 'string' &&
    typeof requests === 'object' &&
    requests !== null &&
    Object.values(requests).every((hash) => typeof hash === 'string');
  return ok ? (batch as PendingBatch) : undefined;
}

/** A map result as its file `name` holds it (its hash is the name's), or undefined for anything else. */
function mapResultOf(text: string, name: string): MapResult | undefined {
  const result = parseJson(text) as Partial<MapResult> | undefined;
  const ok =
    typeof result?.hash === 'string' &&
    `${fileName(result.hash)}.json` === name &&
    typeof result.session === 'string' &&
    Array.isArray(result.observations) &&
    Array.isArray(result.dropped);
  return ok ? (result as MapResult) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function folders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    // Missing, or damaged by something other than us: either way the work is done again, never trusted.
    return undefined;
  }
}

/** Written whole and renamed into place: a crash leaves the old file or the new one, never half of one. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
