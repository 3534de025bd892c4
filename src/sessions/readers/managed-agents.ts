/**
 * A Managed Agents session as `reverie store sessions` saves it: the session object first (as Retrieve a session
 * returns it), then its events one per line (as List session events returns them, oldest first). A file of events
 * alone is read too. User and agent messages become turns; the agent's tool uses (built-in, MCP, custom) become calls,
 * joined to their results by the use's event id; thinking, status and span events carry no lesson and are passed over.
 * A session that ends on an error the API gave up on (`retry_status: terminal`) failed.
 */
import type { LogSource, ReaderEvent, SessionReader } from '../types.js';
import { cleanInput, cleanText, idFromPath, isRecord, parseRecord, str, WarningLog } from './common.js';
import { agentOf, sessionOf, TurnBuilder, timeOf } from './turns.js';

type Rec = Record<string, unknown>;

export const managedAgentsReader: SessionReader = {
  format: 'managed-agents',
  detect: (firstLines) => {
    const parsed = parseRecord(firstLines[0] ?? '');
    if (!('record' in parsed)) return false;
    const first = parsed.record;
    if (first.type === 'session') return str(first.id)?.startsWith('sesn_') === true && isRecord(first.agent);
    return typeof first.type === 'string' && /^(?:user|agent|session|span|system)\./.test(first.type) && typeof first.processed_at === 'string' && str(first.id)?.startsWith('sevt_') === true;
  },
  read,
};

const CALLS: Record<string, string> = { 'agent.tool_use': 'name', 'agent.mcp_tool_use': 'name', 'agent.custom_tool_use': 'name' };
const RESULTS: Record<string, string> = { 'agent.tool_result': 'tool_use_id', 'agent.mcp_tool_result': 'mcp_tool_use_id', 'user.custom_tool_result': 'custom_tool_use_id', 'user.tool_result': 'tool_use_id' };

async function* read(source: LogSource): AsyncGenerator<ReaderEvent> {
  const log = new WarningLog(source.path);
  const builder = new TurnBuilder();
  let header: Rec | undefined;
  let terminalError: string | undefined;
  let number = 0;
  for await (const text of source.lines()) {
    number++;
    if (text.trim() === '') continue;
    const parsed = parseRecord(text);
    if ('error' in parsed) {
      const warning = log.add(parsed.error, number);
      if (warning) yield { kind: 'warning', warning };
      continue;
    }
    const event = parsed.record;
    if (number === 1 && event.type === 'session') {
      header = event;
      continue;
    }
    const timestamp = timeOf(event.processed_at);
    const type = str(event.type) ?? '';
    if (type === 'user.message') builder.add('user', blocksText(event.content), { timestamp });
    else if (type === 'system.message') builder.add('system', blocksText(event.content), { timestamp, synthetic: true });
    else if (type === 'agent.message') builder.add('assistant', blocksText(event.content), { timestamp });
    else if (CALLS[type]) {
      const server = str(event.mcp_server_name);
      const name = str(event.name) ?? 'tool';
      builder.call({ id: str(event.id) ?? `call-${number}`, name: server ? `${server}.${name}` : name, input: cleanInput(isRecord(event.input) ? event.input : {}) }, { timestamp });
    } else if (RESULTS[type]) {
      const call = str(event[RESULTS[type]!]);
      if (!call) {
        const warning = log.add(`${type} without ${RESULTS[type]}`, number);
        if (warning) yield { kind: 'warning', warning };
        continue;
      }
      builder.result({ toolCallId: call, isError: event.is_error === true, text: blocksText(event.content) }, { timestamp });
    } else if (type === 'session.error' && isRecord(event.error)) {
      const retry = isRecord(event.error.retry_status) ? event.error.retry_status.type : undefined;
      terminalError = retry === 'terminal' || retry === 'exhausted' ? cleanText(str(event.error.message) ?? str(event.error.type) ?? 'error') : undefined;
    } else if (type === 'session.status_running' || type === 'user.message') terminalError = undefined;
  }
  const hidden = log.summary();
  if (hidden) yield { kind: 'warning', warning: hidden };
  const agent = isRecord(header?.agent) ? str(header.agent.name) : undefined;
  const id = str(header?.id) ?? idFromPath(source.path);
  const session = sessionOf(id, source.agent ?? agent ?? agentOf(source, ['managed-agents']), builder);
  if (!session) return;
  if (terminalError) session.outcome = { status: 'failure', inferred: false, reason: `the session stopped on an error: ${terminalError}` };
  yield { kind: 'session', session };
}

/** The text blocks of an event's content, redacted and clipped; images and documents are left out. */
function blocksText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  const texts = content.filter((b): b is Rec => isRecord(b) && b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
  return cleanText(texts.join('\n'));
}
