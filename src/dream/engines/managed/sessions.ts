/**
 * Which Managed Agents sessions a dream reads, and what they say (for the evidence of the actions a dream becomes).
 * A dream takes sessions by id, 1 to 100 of them: the ones the configuration lists, or else the workspace's (or one
 * agent's) that have ended, oldest first, with any session a log of the cycle names by such an id. A session an earlier
 * cycle sent is not sent again; past `managed.sessions.max_per_dream`, the newest wait for the next cycle.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ManagedConfig } from '../../../config/types.js';
import { redactText } from '../../../sessions/redact.js';
import type { DreamState } from '../../types.js';
import type { SessionText } from './split.js';

/** How a session sent to a dream is recorded as processed: the API's id, under a key no content hash can take. */
export function processedKey(sessionId: string): string {
  return `managed:${sessionId}`;
}

export const MANAGED_SOURCE = 'managed-agents';

/** A session id of the Managed Agents API. */
export const SESSION_ID = /^sesn_[A-Za-z0-9_-]+$/;

export interface Chosen {
  ids: string[];
  /** Sessions not sent this time: more than one dream reads. */
  waiting: number;
}

/** The ids the next dream reads; `fromLogs` are the ids of logs the cycle read that name a Managed Agents session. */
export async function chooseSessions(client: Anthropic, config: ManagedConfig['sessions'], state: DreamState, fromLogs: readonly string[]): Promise<Chosen> {
  const candidates = config.ids ? [...config.ids] : await endedSessions(client, config.agentId);
  for (const id of fromLogs) if (!candidates.includes(id)) candidates.push(id);
  const fresh = candidates.filter((id) => !Object.hasOwn(state.processed, processedKey(id)));
  return { ids: fresh.slice(0, config.maxPerDream), waiting: Math.max(0, fresh.length - config.maxPerDream) };
}

/** Sessions that have ended (idle or terminated), oldest first: a running one's transcript is not complete yet. */
async function endedSessions(client: Anthropic, agentId: string | undefined): Promise<string[]> {
  const ids: string[] = [];
  for await (const session of client.beta.sessions.list({ order: 'asc', limit: 100, ...(agentId ? { agent_id: agentId } : {}) })) {
    if (session.status === 'idle' || session.status === 'terminated') ids.push(session.id);
  }
  return ids;
}

/** Events read per session for evidence, and characters kept: enough to quote, bounded whatever a session holds. */
const MAX_EVENTS = 2_000;
const MAX_CHARS = 200_000;

/**
 * What each session says, as text: its messages, its tool calls' inputs and results, redacted. A session whose events
 * cannot be read gives no evidence; the dream read it all the same.
 */
export async function sessionTexts(client: Anthropic, ids: readonly string[], warn: (message: string) => void): Promise<SessionText[]> {
  const texts: SessionText[] = [];
  for (const id of ids) {
    try {
      const session = await client.beta.sessions.retrieve(id);
      const parts: string[] = [];
      let events = 0;
      let chars = 0;
      for await (const event of client.beta.sessions.events.list(id, { limit: 100 })) {
        const text = eventText(event as unknown as Record<string, unknown>);
        if (text) {
          parts.push(text);
          chars += text.length;
        }
        if (++events >= MAX_EVENTS || chars >= MAX_CHARS) break;
      }
      texts.push({ id, agent: session.agent.name || session.agent.id, text: redactText(parts.join('\n').slice(0, MAX_CHARS)) });
    } catch (error) {
      warn(`session ${id}: its events could not be read for evidence (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return texts;
}

/** The words of one event: text blocks of a message or tool result, a tool call's input. */
function eventText(event: Record<string, unknown>): string {
  const type = String(event.type ?? '');
  const who = type.split('.')[0] ?? '';
  const blocks = Array.isArray(event.content) ? (event.content as { type?: string; text?: unknown }[]) : [];
  const words = blocks.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
  if (event.input !== undefined && event.input !== null) words.push(JSON.stringify(event.input));
  return words.length > 0 ? `${who}: ${words.join(' ')}` : '';
}
