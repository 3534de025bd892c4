/**
 * What the claude engine keeps between cycles on this machine, in the repository's git directory (never committed,
 * like the session hash cache): each session's map result, so that a cycle that stopped (budget, crash, a batch
 * still running) pays for no session twice, and the id of a Message Batch submitted and not yet read back.
 * Files are written whole and renamed into place, so a crash leaves the old file or the new one, never half of one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { shortHash } from '../../../util/hash.js';
import { PROMPT_VERSION } from './prompts.js';
import type { MapObservation } from './schemas.js';

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
    return path.join(this.dir, 'map', this.key, `${hash.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }

  private get batchFile(): string {
    return path.join(this.dir, 'batch.json');
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

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    // Missing, or damaged by something other than us: either way the work is done again, never trusted.
    return undefined;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
