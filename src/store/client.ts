/**
 * The Managed Agents endpoints a store sync uses, through the SDK. The key comes from ANTHROPIC_API_KEY only; the
 * endpoint from `store.base_url`, else ANTHROPIC_BASE_URL (the SDK reads it), else Anthropic's.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { APIError } from '@anthropic-ai/sdk';
import type { BetaManagedAgentsMemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import type { StoreConfig } from '../config/types.js';
import { connect } from '../dream/engines/claude/client.js';
import { ModelApiError, UsageError } from '../errors.js';
import type { ListedMemory } from './plan.js';

export interface StoreConnection {
  apiKey?: string;
  baseURL?: string;
  /** Retries of what the API asks to be retried (429, 5xx); 4 by default. */
  maxRetries?: number;
}

export function storeClient(config: StoreConfig, connection: StoreConnection = {}): Anthropic {
  const apiKey = connection.apiKey ?? process.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError('reverie store needs an API key in ANTHROPIC_API_KEY');
  const baseURL = connection.baseURL ?? config.baseUrl;
  return connect({ apiKey, ...(baseURL ? { baseURL } : {}), ...(connection.maxRetries !== undefined ? { maxRetries: connection.maxRetries } : {}), timeoutMs: 60_000 });
}

/** Every memory of the store under `prefix`, without content: its path, id and sha256. */
export async function listMemories(client: Anthropic, storeId: string, prefix: string): Promise<Map<string, ListedMemory>> {
  const listed = new Map<string, ListedMemory>();
  const params = prefix === '/' ? { limit: 100 } : { limit: 100, path_prefix: prefix };
  for await (const item of client.beta.memoryStores.memories.list(storeId, params)) {
    if (item.type === 'memory') listed.set(item.path, { id: item.id, path: item.path, sha256: item.content_sha256 });
  }
  return listed;
}

/** The store's versions written at or after `since`, with their content (a page holds 20 with content). */
export async function listVersions(client: Anthropic, storeId: string, since: string | undefined): Promise<BetaManagedAgentsMemoryVersion[]> {
  const versions: BetaManagedAgentsMemoryVersion[] = [];
  const params = { view: 'full' as const, limit: 20, ...(since ? { 'created_at[gte]': since } : {}) };
  for await (const version of client.beta.memoryStores.memoryVersions.list(storeId, params)) versions.push(version);
  return versions;
}

/** A 409 that says the store changed under the request: a failed precondition, or a path another memory holds. */
export function isStoreConflict(error: unknown): boolean {
  if (!(error instanceof APIError) || error.status !== 409) return false;
  const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
  return type === 'memory_precondition_failed_error' || type === 'memory_path_conflict_error';
}

/** What the API said, as a reverie error that names the request. */
export function storeApiError(error: unknown, what: string): ModelApiError {
  if (error instanceof APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type;
    return new ModelApiError(`${what}: the Managed Agents API answered ${error.status ?? 'an error'}${type ? ` ${type}` : ''}: ${body?.error?.message ?? error.message}`, error.status);
  }
  return new ModelApiError(`${what}: ${(error as Error)?.message ?? String(error)}`);
}
