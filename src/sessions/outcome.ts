import { firstLine } from './readers/common.js';
import type { Outcome, ToolResult, Turn } from './types.js';

/**
 * Tools that track the agent's own work (plans, todo lists, questions) rather than do it: their
 * results say nothing about whether the task succeeded.
 */
const BOOKKEEPING_TOOLS = new Set(['TodoWrite', 'TodoRead', 'ExitPlanMode', 'EnterPlanMode', 'AskUserQuestion', 'update_plan']);

/** What a person types when the agent's work did not do what they wanted. */
const COMPLAINT =
  /\b(?:(?:does|did|is|was|still|do|are)(?:n'?t| not)|not|never) work(?:s|ing|ed)?\b|\b(?:it|that|this|still|build|tests?) (?:is |are |was )?(?:failed|fails|failing|broken|crash(?:es|ed|ing)?)\b|\bstill (?:broken|wrong|the same error)\b|\b(?:that's|that is|it's|it is) (?:wrong|not right)\b|\bsame error\b/i;

/**
 * Infers how a session ended when the log does not say. Only the main thread counts: a sub-agent's
 * errors are its own business, and the harness's synthetic text is not the person speaking.
 *   failure: the last real tool result is an error nobody recovered from, or the person's last
 *            words, after the agent had worked, say it does not work;
 *   success: the agent had the last word after tool calls that succeeded;
 *   unknown: anything else (a chat without tools, an interrupted run, a log cut short).
 */
export function inferOutcome(turns: readonly Turn[]): Outcome {
  const main = turns.filter((t) => !t.sidechain);
  const last = lastWorkResult(main);
  if (last?.result.isError) return failure(describeError(last.name, last.result));
  const complaint = lastComplaint(main);
  if (complaint !== undefined) return failure(`the user said: "${firstLine(complaint, 120)}"`);
  const end = main[main.length - 1];
  if (end?.role === 'assistant' && !end.synthetic && end.text.trim() !== '' && last !== undefined) {
    return { status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' };
  }
  const interrupted = end?.synthetic && /^\[Request interrupted by user/.test(end.text);
  return interrupted ? { status: 'unknown', inferred: true, reason: 'interrupted by the user' } : { status: 'unknown', inferred: true };
}

function failure(reason: string): Outcome {
  return { status: 'failure', inferred: true, reason };
}

function lastWorkResult(turns: readonly Turn[]): { name: string; result: ToolResult } | undefined {
  const names = new Map(turns.flatMap((t) => t.toolCalls.map((c) => [c.id, c.name] as const)));
  for (let i = turns.length - 1; i >= 0; i--) {
    const results = turns[i]?.toolResults ?? [];
    for (let j = results.length - 1; j >= 0; j--) {
      const result = results[j]!;
      const name = names.get(result.toolCallId) ?? 'tool';
      if (!BOOKKEEPING_TOOLS.has(name)) return { name, result };
    }
  }
  return undefined;
}

function describeError(name: string, result: ToolResult): string {
  if (result.rejected) return `the user rejected the last ${name} call`;
  return `the last ${name} call failed: ${firstLine(result.text, 120)}`;
}

/** The person's last message, if it complains and came after the agent had done something. */
function lastComplaint(turns: readonly Turn[]): string | undefined {
  const at = findLastIndex(turns, (t) => t.role === 'user' && !t.synthetic && t.text.trim() !== '');
  const message = turns[at];
  if (!message || !turns.slice(0, at).some((t) => t.role === 'assistant')) return undefined;
  return COMPLAINT.test(message.text) ? message.text : undefined;
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}
