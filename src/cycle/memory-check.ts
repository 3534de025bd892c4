/**
 * The memory tests of a cycle, before it is written: the cases at main answered from main's memory and from the
 * memory as the cycle's actions leave it, and what each target agent would load. A cycle that breaks a case or takes
 * a target over a limit waits for a person in auto mode; in review mode the report heads its pull request.
 */
import type { Action } from '../dream/types.js';
import { buildSnapshot } from '../memory/index.js';
import type { MemorySnapshot } from '../memory/types.js';
import { checkMemory, type MemoryCheck } from '../memory-tests/compare.js';
import { testCasesAt } from '../memory-tests/run.js';
import type { MemoryTestCase } from '../memory-tests/cases.js';
import { previewBuild } from './build.js';
import type { RepoContext } from './context.js';

/**
 * The check of a cycle on `base`: the cases of main's test files and those its held-out sessions gave
 * (`fromSessions`), and the cost of each target. Undefined when there are no cases and no `agents:` to measure, so
 * such a cycle runs exactly as before.
 */
export async function cycleMemoryCheck(context: RepoContext, base: string, memory: MemorySnapshot, actions: Action[], fromSessions: readonly MemoryTestCase[] = []): Promise<MemoryCheck | undefined> {
  const { repo, config } = context;
  const tests = await testCasesAt(repo, base);
  if (tests.files.length === 0 && fromSessions.length === 0 && config.agents.length === 0) return undefined;
  // The same replay the cycle's commits are written from: what is measured is what would land.
  const replay = await previewBuild(repo, { parent: base, actions, memoryRoot: config.memory.root });
  const files = new Map(memory.files.map((f) => [f.path, f.document.text]));
  for (const { changes } of replay.applied) for (const [path, text] of changes) files.set(path, text);
  const after = buildSnapshot([...files].map(([path, text]) => ({ path, text })), config.memory.root, config.memory.namespaces);
  return checkMemory(memory, after, [...tests.cases, ...fromSessions], config.lint.harness, config.agents);
}
