/**
 * What the memory costs the agents that load it: for each target, the files it loads at the start of a session, in
 * estimated tokens (tokens.ts, the count that budgets use), lines and bytes, against the target's limits. Pure: a
 * snapshot in, rows out, so a change is measured by comparing the rows of its base and of its head.
 *
 * The targets are what reverie knows about who reads the memory:
 * - each agent of `agents:` in reverie.yaml: the memory files it loads (globs under the memory root), held to its
 *   own `max_tokens`, `max_lines` and `max_bytes`;
 * - each namespace, loaded whole, held to its `budget_tokens` (reverie.yaml);
 * - with `lint.harness: claude-code`, each `MEMORY.md`, of which Claude Code loads the first 200 lines or 25,000
 *   bytes (CLAUDE_CODE_MEMORY_INDEX in harness.ts, from Claude Code's memory documentation);
 * - with `lint.harness: managed-agents`, each file over the 100,000 bytes a memory store entry holds
 *   (MANAGED_AGENTS_MEMORY in harness.ts); files under it are not listed, there would be one row per file.
 */
import path from 'node:path';
import { CLAUDE_CODE_MEMORY_INDEX, lineCount, MANAGED_AGENTS_MEMORY, type Harness } from './harness.js';
import { pathMatcher } from './namespaces.js';
import { estimateTokens } from './tokens.js';
import type { MemoryFile, MemorySnapshot } from './types.js';

export interface CostLimits {
  tokens?: number;
  lines?: number;
  bytes?: number;
}

/** An agent that loads part of the memory at the start of each session (`agents:` in reverie.yaml). */
export interface AgentLoad {
  name: string;
  /** Globs relative to the memory root, as namespace paths are. */
  loads: string[];
  limits: CostLimits;
}

/** What one target loads: the files' sizes summed. */
export interface LoadSize {
  tokens: number;
  lines: number;
  bytes: number;
}

export interface ContextCost {
  /** Who loads it, and what: `namespace notes`, `Claude Code memory/MEMORY.md`. */
  target: string;
  /** Where the limits come from, for a reader who wants to change them. */
  limitSource?: string;
  limits: CostLimits;
  before: LoadSize;
  after: LoadSize;
  /** The limits the load exceeds, before and after (`tokens`, `lines`, `bytes`). */
  overBefore: (keyof CostLimits)[];
  overAfter: (keyof CostLimits)[];
}

interface Target {
  target: string;
  limitSource?: string;
  limits: CostLimits;
  loads: (file: MemoryFile) => boolean;
}

/** The cost of each target, before and after a change; both snapshots are read with the same namespaces. */
export function contextCosts(before: MemorySnapshot, after: MemorySnapshot, harness: Harness, agents: readonly AgentLoad[] = []): ContextCost[] {
  return [...agents.map((agent) => agentTarget(agent, after.root)), ...targetsOf(before, after, harness)].map((t) => {
    const sizeBefore = loadSize(before.files.filter(t.loads));
    const sizeAfter = loadSize(after.files.filter(t.loads));
    return {
      target: t.target,
      ...(t.limitSource ? { limitSource: t.limitSource } : {}),
      limits: t.limits,
      before: sizeBefore,
      after: sizeAfter,
      overBefore: overLimits(sizeBefore, t.limits),
      overAfter: overLimits(sizeAfter, t.limits),
    };
  });
}

/**
 * A limit the change takes the target over, or a target already over a limit that the change makes bigger still on
 * that measure: what should not be merged without a person. A target over its limit before, that the change leaves
 * as it was or shrinks, is not the change's doing.
 */
export function costOverrun(cost: ContextCost): (keyof CostLimits)[] {
  return cost.overAfter.filter((limit) => !cost.overBefore.includes(limit) || cost.after[limit] > cost.before[limit]);
}

function agentTarget(agent: AgentLoad, root: string): Target {
  const loads = pathMatcher(root, agent.loads);
  const limited = Object.keys(agent.limits).length > 0;
  return { target: `agent ${agent.name}`, ...(limited ? { limitSource: `agents: ${agent.name} in reverie.yaml` } : {}), limits: agent.limits, loads: (file) => loads(file.path) };
}

function targetsOf(before: MemorySnapshot, after: MemorySnapshot, harness: Harness): Target[] {
  const namespaces = after.namespaces.map((ns) => ({
    target: `namespace ${ns.name}`,
    ...(ns.budgetTokens !== undefined ? { limitSource: `budget_tokens of namespace ${ns.name}` } : {}),
    limits: ns.budgetTokens !== undefined ? { tokens: ns.budgetTokens } : {},
    loads: (file: MemoryFile) => file.namespace === ns.name,
  }));
  const paths = [...new Set([...before.files, ...after.files].map((f) => f.path))].sort();
  const byPath = (p: string) => (file: MemoryFile) => file.path === p;
  if (harness === 'claude-code') {
    const { maxLines, maxBytes } = CLAUDE_CODE_MEMORY_INDEX;
    const indexes = paths.filter((p) => path.posix.basename(p) === CLAUDE_CODE_MEMORY_INDEX.file);
    return [...namespaces, ...indexes.map((p) => ({ target: `Claude Code ${p}`, limitSource: 'Claude Code loads the first 200 lines or 25 KB of MEMORY.md', limits: { lines: maxLines, bytes: maxBytes }, loads: byPath(p) }))];
  }
  if (harness === 'managed-agents') {
    const { maxBytes } = MANAGED_AGENTS_MEMORY;
    const sizeOf = (snapshot: MemorySnapshot, p: string) => Buffer.byteLength(snapshot.files.find((f) => f.path === p)?.document.text ?? '', 'utf8');
    const large = paths.filter((p) => sizeOf(before, p) > maxBytes || sizeOf(after, p) > maxBytes);
    return [...namespaces, ...large.map((p) => ({ target: `Managed Agents ${p}`, limitSource: 'a memory store entry holds at most 100 KB', limits: { bytes: maxBytes }, loads: byPath(p) }))];
  }
  return namespaces;
}

/** Whole files, headings and blank lines included: what the agent loads (snapshot.ts tokensOf counts the same way). */
function loadSize(files: readonly MemoryFile[]): LoadSize {
  return files.reduce(
    (size, file) => ({
      tokens: size.tokens + estimateTokens(file.document.text),
      lines: size.lines + lineCount(file.document.text),
      bytes: size.bytes + Buffer.byteLength(file.document.text, 'utf8'),
    }),
    { tokens: 0, lines: 0, bytes: 0 },
  );
}

function overLimits(size: LoadSize, limits: CostLimits): (keyof CostLimits)[] {
  return (['tokens', 'lines', 'bytes'] as const).filter((limit) => limits[limit] !== undefined && size[limit] > limits[limit]!);
}
