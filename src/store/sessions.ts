/**
 * `reverie store sessions`: the Managed Agents sessions that used the store, saved as logs in the repository's
 * sessions folder (`store.sessions.into`), one file per session: the session object, then its events, one per line
 * (the `managed-agents` format, sessions/readers/managed-agents.ts). They go through `sessions import`, so each is
 * redacted as it is written, a session already there is not written again, and one that grew replaces its copy; the
 * cycles and `reverie sessions` then read them as any other log.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import type { StoreConfig } from '../config/types.js';
import { importLogs, type ImportResult, type LogToImport } from '../sessions/import.js';
import { storeApiError, storeClient, type StoreConnection } from './client.js';

export interface FetchSessionsOptions {
  repoDir: string;
  store: StoreConfig;
  /** Every session of the workspace, not only those the store was attached to. */
  all?: boolean;
  /** Only sessions created at or after this time (RFC 3339). */
  since?: string;
  dryRun?: boolean;
  connection?: StoreConnection;
  client?: Anthropic;
}

export interface FetchSessionsResult extends ImportResult {
  /** Sessions listed by the API. */
  listed: number;
}

/** An agent's name as a folder name: what a file system or git reads specially becomes a dash. */
function folderName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.@+-]+/g, '-').replace(/^[.-]+/, '').replace(/\.{2,}/g, '-').slice(0, 100) || 'agent';
}

export async function fetchStoreSessions(options: FetchSessionsOptions): Promise<FetchSessionsResult> {
  const client = options.client ?? storeClient(options.store, options.connection);
  const temp = await mkdtemp(path.join(os.tmpdir(), 'reverie-sessions-'));
  try {
    const logs: LogToImport[] = [];
    const params = { limit: 100, order: 'asc' as const, ...(options.all ? {} : { memory_store_id: options.store.id }), ...(options.since ? { 'created_at[gte]': options.since } : {}) };
    let listed = 0;
    try {
      for await (const session of client.beta.sessions.list(params)) {
        listed++;
        const lines = [JSON.stringify(session)];
        for await (const event of client.beta.sessions.events.list(session.id, { limit: 100 })) lines.push(JSON.stringify(event));
        const name = `${session.id.replace(/[^A-Za-z0-9_-]/g, '-')}.jsonl`;
        const file = path.join(temp, name);
        await writeFile(file, `${lines.join('\n')}\n`);
        logs.push({ path: file, agent: folderName(session.agent.name), name });
      }
    } catch (error) {
      throw storeApiError(error, 'reading the sessions of the Managed Agents API');
    }
    const result = await importLogs({ repoDir: options.repoDir, folder: options.store.sessionsInto, logs, ...(options.dryRun ? { dryRun: true } : {}) });
    // The temporary copies are no one's business: say where each session came from instead.
    for (const entry of [...result.copied, ...result.skipped]) entry.from = `session ${path.basename(entry.from, '.jsonl')}`;
    return { ...result, listed };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

