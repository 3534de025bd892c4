/**
 * Requests as the Messages API takes them, and answers read back into checked values. Pure: building a request
 * redacts everything in it that came from logs or memory once more (the last step before it leaves the machine),
 * and reading an answer never trusts it: cut, refused, not JSON, or off the schema, it is a list of problems.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { estimateTokens } from '../../../memory/tokens.js';
import { redactTextValue } from '../../../sessions/redact.js';
import type { Effort } from '../../../config/types.js';
import { validate, type JsonSchema } from './json-schema.js';
import { rejectionNote, type SystemBlock } from './prompts.js';

export interface StructuredRequest {
  model: string;
  system: SystemBlock[];
  user: string;
  schema: JsonSchema;
  maxTokens: number;
  effort?: Effort;
}

export type MessageParams = Anthropic.MessageCreateParamsNonStreaming;

/** A retry may take this many more tokens than the first answer had, once: an answer cut short gets room. */
const RETRY_GROWTH = 2;
/** Within what every current model writes. */
const MAX_RETRY_TOKENS = 64_000;

/** The request; with `problems`, the retry that says why the first answer was refused. */
export function messageParams(request: StructuredRequest, problems: string[] = []): MessageParams {
  const truncated = problems.some((p) => p.includes('max_tokens'));
  const maxTokens = truncated ? Math.min(MAX_RETRY_TOKENS, Math.max(request.maxTokens, request.maxTokens * RETRY_GROWTH)) : request.maxTokens;
  const user = problems.length ? request.user + rejectionNote(problems) : request.user;
  return {
    model: request.model,
    max_tokens: maxTokens,
    // Readers redact every log with our table, and memory was written by people: this pass, the table and then
    // secretlint's preset, is the one before it leaves the machine.
    system: redactTextValue(request.system),
    messages: [{ role: 'user', content: redactTextValue(user) }],
    output_config: { format: { type: 'json_schema', schema: request.schema as unknown as Record<string, unknown> }, ...(request.effort ? { effort: request.effort } : {}) },
  };
}

/** The same request as count_tokens takes it (no max_tokens). */
export function countParams(params: MessageParams): Anthropic.MessageCountTokensParams {
  const { max_tokens: _maxTokens, ...rest } = params;
  return rest as Anthropic.MessageCountTokensParams;
}

/**
 * The request cut to the prefix its phase's requests share: the system blocks, the last of which carries the
 * cache breakpoint, and a one-character question, which the API needs to count anything.
 */
export function prefixProbe(params: MessageParams): MessageParams {
  return { model: params.model, max_tokens: params.max_tokens, system: params.system ?? [], messages: [{ role: 'user', content: '.' }] };
}

/** An offline estimate of a request's prompt tokens, for budget reservations and a dry run without the API. */
export function localPromptTokens(params: MessageParams | Anthropic.MessageCountTokensParams): number {
  const system = JSON.stringify(params.system ?? '');
  const messages = JSON.stringify(params.messages);
  const format = JSON.stringify(params.output_config ?? '');
  return estimateTokens(system) + estimateTokens(messages) + estimateTokens(format);
}

/** The TTL a request's prefix is cached with: the 1-hour one when any breakpoint asks for it. */
export function cacheTtlOf(params: MessageParams): '5m' | '1h' {
  const system = Array.isArray(params.system) ? params.system : [];
  return system.some((block) => block.cache_control?.ttl === '1h') ? '1h' : '5m';
}

export type Reading<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** What an answer says, if it says it in the schema; else the problems, worded for the retry. */
export function readAnswer<T>(message: Pick<Anthropic.Message, 'content' | 'stop_reason'>, schema: JsonSchema, maxTokens: number): Reading<T> {
  if (message.stop_reason === 'max_tokens') return { ok: false, problems: [`the answer was cut off at max_tokens (${maxTokens}); it must be complete JSON`] };
  if (message.stop_reason === 'refusal') return { ok: false, problems: ['the model declined to answer'] };
  const text = message.content
    .filter((block): block is Anthropic.TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('')
    .trim();
  if (text === '') return { ok: false, problems: ['the answer holds no text; it must be one JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`the answer is not valid JSON (${(error as Error).message})`] };
  }
  const problems = validate(value, schema);
  return problems.length ? { ok: false, problems } : { ok: true, value: value as T };
}
