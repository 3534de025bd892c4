/**
 * Where a cycle's time goes outside the engine: an auto-mode cycle run step by step as src/cycle/dream.ts runs it,
 * each step timed on its own (wall and CPU time). A diagnostic, not part of `npm run bench`:
 *
 *     node dist-bench/bench/perf/steps.js --sessions 1000            # a generated repository, every session new
 *     node dist-bench/bench/perf/steps.js --repo <dir>               # a cycle on <dir> itself: it commits and moves main
 *     node --cpu-prof dist-bench/bench/perf/steps.js --repo <dir>
 *
 * The review is split into reading main's memory, state and provenance (readBase) and loading the sessions (with the
 * session hash cache, as a cycle does); the commit into building the branch's commits and writing its ref; the
 * approval into the fast-forward (with the working tree and index) and deleting the branch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { approveBranch } from '../../src/cycle/approve.js';
import { buildCycle } from '../../src/cycle/build.js';
import { mainTip, openContext, readBase, sessionHashCacheFile } from '../../src/cycle/context.js';
import { cycleBranchName, cycleStamp } from '../../src/cycle/history.js';
import { heuristicEngine } from '../../src/dream/engines/heuristic.js';
import { cycleRecord } from '../../src/dream/state.js';
import { acquireLock, deleteBranch, updateBranch } from '../../src/git/index.js';
import { loadSessions } from '../../src/sessions/load.js';
import { createBenchRepo } from './repo.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    entries: { type: 'string', default: '1000' },
    repo: { type: 'string' },
    now: { type: 'string', default: '2026-07-01T00:00:00Z' },
  },
});

async function main(): Promise<void> {
  const scratch = values.repo ? undefined : mkdtempSync(join(os.tmpdir(), 'reverie-bench-steps-'));
  const dir = values.repo ?? join(scratch as string, 'repo');
  if (!values.repo) createBenchRepo(dir, { sessions: Number(values.sessions), entries: Number(values.entries), pack: true });
  const rows: [string, number, number][] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const step = async <T>(name: string | ((result: T) => string), work: () => Promise<T>): Promise<T> => {
    const result = await work();
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    rows.push([typeof name === 'string' ? name : name(result), now - last, (cpu.user + cpu.system) / 1000]);
    last = now;
    lastCpu = process.cpuUsage();
    return result;
  };
  try {
    const now = new Date(values.now);
    const context = await step('open the repository and its config', () => openContext(dir));
    const release = await step('take the cycle lock', () => acquireLock(context.repo, { purpose: 'dream' }));
    try {
      const base = await step('resolve main', () => mainTip(context));
      const { memory, state } = await step('review: readBase (memory, state, provenance)', () => readBase(context, base));
      const skipHashes = new Set(Object.keys(state.processed));
      const loaded = await step(
        (r) => `review: loadSessions (${r.sessions.length} new of ${r.files} logs)`,
        () => loadSessions({ repoDir: context.repo.dir, sources: context.config.sessions, skipHashes, hashCacheFile: sessionHashCacheFile(context) }),
      );
      const cycle = cycleStamp(now);
      const inbox = `${context.config.memory.root}/${context.config.memory.inbox}`;
      const options = { minSessions: context.config.extract.minSessions, inbox, now: now.toISOString() };
      const input = { cycle, sessions: loaded.sessions, totalSessions: loaded.sessions.length + loaded.skipped, memory, state, options };
      const plan = await step((p) => `engine: extract + curate (${p.actions.length} actions)`, () => heuristicEngine.plan(input));
      const branch = cycleBranchName(cycle);
      const record = cycleRecord(plan, { branch, base, mode: 'auto', created: now.toISOString(), warnings: loaded.warnings.length });
      const build = { parent: base, actions: plan.actions, state: plan.state, record, memoryRoot: context.config.memory.root };
      const built = await step('commit: buildCycle', () =>
        buildCycle(context.repo, { ...build, author: context.config.git.author, timestamp: Math.floor(now.getTime() / 1000), stateSubject: `record cycle ${cycle}` }),
      );
      await step('commit: branch ref', () => updateBranch(context.repo, branch, built.tip, { expectedOld: null }));
      const outcome = await step('approve: fast-forward main', () => approveBranch(context, { branch, cycle, now }));
      if (outcome.merged) await step('approve: delete the branch', () => deleteBranch(context.repo, branch));
    } finally {
      release();
    }
    const width = Math.max(...rows.map(([name]) => name.length));
    // CPU time (user + system, this thread and the thread pool) beside wall time: the first says what a step
    // costs on a busy machine, where wall time mostly says how busy it was.
    for (const [name, ms, cpuMs] of rows) console.log(`${name.padEnd(width)}  ${(ms / 1000).toFixed(3)} s  cpu ${(cpuMs / 1000).toFixed(3)} s`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
