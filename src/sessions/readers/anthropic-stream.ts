/**
 * A streamed Messages API response, as proxies and tracers log it (claude-trace keeps it as `body_raw`): the
 * server-sent events `message_start`, `content_block_start`, `content_block_delta`, `message_delta`, put back together
 * into the message they stream (platform.claude.com/docs/en/build-with-claude/streaming).
 */
import { isRecord } from './common.js';
import { parseJson } from './json-input.js';

type Rec = Record<string, unknown>;

/** The message the events add up to, or undefined when the text holds no message events. */
export function messageFromEvents(raw: string): Rec | undefined {
  let message: Rec | undefined;
  const blocks: Rec[] = [];
  const inputs = new Map<number, string>();
  for (const event of events(raw)) {
    if (event.type === 'message_start' && isRecord(event.message)) message = { ...event.message };
    else if (event.type === 'content_block_start' && isRecord(event.content_block)) blocks[index(event)] = { ...event.content_block };
    else if (event.type === 'content_block_delta') addDelta(blocks[index(event)], event.delta, inputs, index(event));
    else if (event.type === 'message_delta' && message && isRecord(event.delta)) Object.assign(message, event.delta);
  }
  if (!message) return undefined;
  for (const [i, json] of inputs) {
    const parsed = parseJson(json);
    if (blocks[i]) blocks[i].input = 'value' in parsed ? parsed.value : json;
  }
  return { ...message, content: blocks.filter((b) => b !== undefined) };
}

function* events(raw: string): Generator<Rec> {
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const parsed = parseJson(line.slice(5).trim());
    if ('value' in parsed && isRecord(parsed.value)) yield parsed.value;
  }
}

function index(event: Rec): number {
  return typeof event.index === 'number' ? event.index : 0;
}

/** Text arrives in pieces, and a tool's input as pieces of JSON text, parsed once the message is whole. */
function addDelta(block: Rec | undefined, delta: unknown, inputs: Map<number, string>, at: number): void {
  if (!block || !isRecord(delta)) return;
  if (delta.type === 'text_delta' && typeof delta.text === 'string') block.text = `${typeof block.text === 'string' ? block.text : ''}${delta.text}`;
  else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') inputs.set(at, (inputs.get(at) ?? '') + delta.partial_json);
}
