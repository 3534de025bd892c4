/**
 * The claude reader: each memory test case asked of a model that is given the memory alone, through the claude
 * engine's shell (the SDK client with its retries, the budget meter, the redaction before anything leaves). Answers
 * are kept in the git directory by their key (claude-prompt.ts), so a run on a memory and cases already answered
 * sends nothing, and a changed memory or question is asked again.
 *
 * The first case that is not kept is asked alone: it writes the cached prefix (the memory) that the others then read,
 * and a failure that would meet every case (a refused key, a request the API rejects) stops the run before the rest
 * are sent. Loaded only for `reverie test --reader claude`: it brings the SDK.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClaudeConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { writeAtomically } from '../dream/engines/claude/cache.js';
import { askStructured, BudgetExhausted, connect, describeApiError, isApiError, toEngineError, willNotHeal, type Connection } from '../dream/engines/claude/client.js';
import { eachLimited } from '../util/limited.js';
import { Meter, unpricedBudget } from '../dream/engines/claude/meter.js';
import type { TokenUsage } from '../dream/types.js';
import type { MemorySnapshot } from '../memory/types.js';
import { plural } from '../util/plural.js';
import type { MemoryTestCase } from './cases.js';
import { answerKey, caseRequest, judgeAnswer, readerPrompt, unansweredCase, type ReaderAnswer } from './claude-prompt.js';
import type { CaseResult, MemoryTestReport } from './reader.js';

export interface ClaudeReaderOptions {
  /** The `claude` section of reverie.yaml at the revision tested: the curate model and length, budget, base URL. */
  config: ClaudeConfig;
  /** Instead of `claude.curate.model` (`--model`). */
  model?: string;
  /** From ANTHROPIC_API_KEY; never printed, never written. */
  apiKey: string;
  /** Where answers are kept: `<gitdir>/reverie/claude/tests`. */
  cacheDir: string;
  /** Transport settings, for proxies and tests; the base URL is else `claude.base_url`, else ANTHROPIC_BASE_URL. */
  connection?: Partial<Omit<Connection, 'apiKey'>>;
}

/** What a run of the claude reader asked, and what it cost. */
export interface ClaudeReaderRun {
  model: string;
  /** Cases answered from the cache, and asked of the model. */
  cached: number;
  asked: number;
  requests: number;
  usage: TokenUsage;
  /** Null for a model whose price reverie does not know. */
  costUsd: number | null;
}

export async function answerCasesWithClaude(memory: MemorySnapshot, cases: readonly MemoryTestCase[], options: ClaudeReaderOptions): Promise<MemoryTestReport & { claude: ClaudeReaderRun }> {
  const { config } = options;
  const model = { model: options.model ?? config.curate.model, maxTokens: config.curate.maxTokens, ...(config.effort ? { effort: config.effort } : {}) };
  const unpriced = unpricedBudget(model.model, config.budget);
  if (unpriced) throw new UsageError(unpriced);
  const prompt = readerPrompt(memory);
  const meter = new Meter(model.model, config.budget);
  const results = new Map<string, CaseResult>();
  // Cases of one question share one answer: asked once.
  const misses = new Map<string, MemoryTestCase[]>();
  for (const testCase of cases) {
    const key = answerKey(caseRequest(prompt, testCase, model));
    const kept = await readKept(options.cacheDir, key);
    if (kept) results.set(testCase.id, judgeAnswer(testCase, kept, prompt));
    else misses.set(key, [...(misses.get(key) ?? []), testCase]);
  }
  const cached = results.size;

  if (misses.size > 0) {
    const baseURL = options.connection?.baseURL ?? config.baseUrl;
    const client = connect({ ...options.connection, apiKey: options.apiKey, ...(baseURL ? { baseURL } : {}) });
    let spent: string | undefined;
    let kept = 0;
    // Set when a request failed in a way the others would too: the workers still running send nothing more.
    let stopped = false;
    const fail = (group: readonly MemoryTestCase[], reason: string) => group.forEach((c) => results.set(c.id, unansweredCase(c, reason)));
    const ask = async ([key, group]: [string, MemoryTestCase[]]): Promise<void> => {
      const testCase = group[0] as MemoryTestCase;
      if (stopped) return;
      if (spent) return fail(group, `not asked: ${spent}`);
      try {
        const reading = await askStructured<ReaderAnswer>(client, meter, caseRequest(prompt, testCase, model));
        if (!reading.ok) return fail(group, `the answer was off its schema twice (${reading.problems.slice(0, 3).join('; ')})`);
        const answer = { answer: reading.value.answer, entries: reading.value.entries };
        await writeAtomically(path.join(options.cacheDir, `${key}.json`), `${JSON.stringify({ model: model.model, ...answer })}\n`);
        kept++;
        for (const c of group) results.set(c.id, judgeAnswer(c, answer, prompt));
      } catch (error) {
        if (error instanceof BudgetExhausted) {
          spent = `the budget is spent: ${error.message}`;
          return fail(group, `not asked: ${spent}`);
        }
        if (!isApiError(error)) throw error;
        if (willNotHeal(error)) {
          stopped = true;
          throw toEngineError(error, stoppedNote(kept));
        }
        // A rate limit or a timeout that lasted through every retry: this case fails, not the run.
        fail(group, describeApiError(error));
      }
    };
    const [first, ...rest] = misses;
    if (first) await ask(first);
    await eachLimited(rest, config.concurrency, ask);
  }

  const answered = cases.map((c) => results.get(c.id) as CaseResult);
  const passed = answered.filter((r) => r.passed).length;
  const { usage, costUsd, requests } = meter.report();
  return {
    cases: answered,
    passed,
    failed: answered.length - passed,
    claude: { model: model.model, cached, asked: answered.length - cached, requests, usage, costUsd },
  };
}

/** What a run that stopped on the API's refusal did with the answers it had. */
function stoppedNote(kept: number): string {
  return `the memory tests stopped${kept > 0 ? `; the ${plural(kept, 'answer')} received ${kept === 1 ? 'is' : 'are'} kept for the next run` : ''}`;
}

async function readKept(dir: string, key: string): Promise<ReaderAnswer | undefined> {
  try {
    const kept = JSON.parse(await readFile(path.join(dir, `${key}.json`), 'utf8')) as Partial<ReaderAnswer>;
    const ok = typeof kept.answer === 'string' && Array.isArray(kept.entries) && kept.entries.every((n) => Number.isInteger(n));
    return ok ? { answer: kept.answer as string, entries: kept.entries as number[] } : undefined;
  } catch {
    // Missing, or damaged by something other than us: asked again, never trusted.
    return undefined;
  }
}
