/**
 * One dream cycle in a process of its own, so that the peak RSS it reports belongs to this cycle alone:
 *
 *     node --expose-gc dist-bench/bench/perf/cycle-child.js <repoDir> <now ISO>
 *     node dist-bench/bench/perf/cycle-child.js --baseline     # the RSS of such a process before any cycle
 *
 * Prints one JSON line (CycleMeasurement) on stdout. What is timed: `dream({ mode: 'auto' })` from the call to
 * its return, i.e. review (read main's memory and state, list, hash and parse the new sessions), extract +
 * curate (the engine's plan), commit (one commit per action plus the bookkeeping commit, then the branch ref)
 * and approve (fast-forward main, delete the branch). Phase boundaries are the `onPhase` callbacks; the engine
 * reports extract and curate together, when its plan is done, so they are one figure.
 */
import { dream, type PhaseReport } from '../../src/index.js';

export interface CycleMeasurement {
  /** Milliseconds, from the call to `dream` to its return. */
  totalMs: number;
  /** CPU milliseconds (user and system, every thread) the process spent over the same span: less moved by a busy machine than the wall time. */
  cpuMs: number;
  /** Milliseconds per phase, from the previous phase's report (or the call) to this one's. */
  phases: { review: number; plan: number; commit: number; approve: number; rest: number };
  /** Peak resident set size of this process, in MB (`process.resourceUsage().maxRSS`). */
  peakRssMb: number;
  /** RSS of the process before the cycle started (Node, the library loaded), in MB. */
  startRssMb: number;
  /** RSS when each phase ended, in MB: where the peak builds up. */
  phaseRssMb: { review: number; plan: number; commit: number; approve: number };
  heapUsedAfterMb: number;
  outcome: string;
  merged: boolean;
  sessions: number;
  newSessions: number;
  entries: number;
  patterns: number;
  noise: number;
  actions: Record<string, number>;
  commits: number;
  warnings: number;
}

async function main(): Promise<void> {
  const [repoDir, nowText] = process.argv.slice(2);
  if (repoDir === '--baseline') {
    // What a child costs before any cycle: Node with the library loaded.
    const baseline = { rssMb: process.memoryUsage().rss / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024 };
    process.stdout.write(`${JSON.stringify(baseline)}\n`);
    return;
  }
  if (!repoDir || !nowText) throw new Error('usage: cycle-child <repoDir> <now ISO>');
  const startRssMb = process.memoryUsage().rss / 2 ** 20;
  const marks: { phase: PhaseReport['phase']; at: number; rssMb: number }[] = [];
  let commits = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await dream({
    repoDir,
    mode: 'auto',
    now: new Date(nowText),
    onPhase: (report) => {
      marks.push({ phase: report.phase, at: performance.now(), rssMb: process.memoryUsage().rss / 2 ** 20 });
      if (report.phase === 'commit') commits = report.commits;
    },
  });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const at = (phase: PhaseReport['phase']): number | undefined => marks.find((m) => m.phase === phase)?.at;
  const rss = (phase: PhaseReport['phase']): number => marks.find((m) => m.phase === phase)?.rssMb ?? 0;
  const review = at('review') ?? t0;
  const plan = at('curate') ?? review;
  const commit = at('commit') ?? plan;
  const approve = at('approve') ?? commit;
  const actions: Record<string, number> = {};
  for (const a of result.actions) actions[a.type] = (actions[a.type] ?? 0) + 1;
  const measurement: CycleMeasurement = {
    totalMs: t1 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    phases: { review: review - t0, plan: plan - review, commit: commit - plan, approve: approve - commit, rest: t1 - approve },
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    startRssMb,
    phaseRssMb: { review: rss('review'), plan: rss('curate'), commit: rss('commit'), approve: rss('approve') },
    heapUsedAfterMb: process.memoryUsage().heapUsed / 2 ** 20,
    outcome: result.outcome,
    merged: result.merged,
    sessions: result.stats.sessions,
    newSessions: result.stats.new_sessions,
    entries: result.stats.entries,
    patterns: result.stats.patterns,
    noise: result.stats.noise,
    actions,
    commits,
    warnings: result.stats.warnings,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
