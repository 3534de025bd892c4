/**
 * The performance benchmark: full dream cycles at several sizes, an incremental cycle, and commit throughput
 * against native git. Each measurement runs in a fresh child process (cycle-child.ts, commits-child.ts), so
 * that its peak RSS is its own; repositories are generated before the child starts and are not timed.
 *
 *     npm run bench              # 100 and 1,000 sessions, incremental on 1,000, 200 commits
 *     npm run bench -- --full    # 100, 1,000 and 10,000 sessions, incremental on 10,000, 200 commits x 3
 *
 * Options: --sizes 100,1000 (override), --incremental 100 (new sessions), --entries 1000 (memory entries),
 * --commits 200, --rounds N (commit rounds), --out file.json (raw figures), --keep (keep the temp repos).
 *
 * Beside each in-process cycle, the same cycle as a user runs it: `reverie dream --mode auto` on a copy of the
 * repository, timed from the spawn to the exit of its process (Node's start-up and module loading included).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommitMeasurement } from './commits-child.js';
import type { CycleMeasurement } from './cycle-child.js';
import { addSessions, createBenchRepo, type RepoStats } from './repo.js';
import { approveCycle } from '../../src/cycle/approve.js';
import { openContext } from '../../src/cycle/context.js';
import { pendingCycles } from '../../src/cycle/history.js';

/** Approves every cycle waiting for review in `dir`; returns their ids. */
async function approvePending(dir: string): Promise<string[]> {
  const context = await openContext(dir);
  const pending = await pendingCycles(context);
  for (const cycle of pending) await approveCycle(context, cycle.cycle, { now: new Date(NOW + 3600_000) });
  return pending.map((p) => p.cycle);
}

export interface PerfOptions {
  sizes: number[];
  incremental: number;
  entries: number;
  /** Who wrote the memory (see createBenchRepo): a person, or earlier cycles, whose notes a cycle curates freely. */
  writtenBy?: 'person' | 'cycle';
  /** Every this many notes, one duplicates an earlier one (default 90). */
  duplicateEvery?: number;
  /** The whole memory in one file (the inbox), sections for topics. */
  oneFile?: boolean;
  commits: number;
  rounds: number;
  out?: string;
  keep: boolean;
  /** Set by --full: the targets of the issue apply (10,000 sessions in the run). */
  full: boolean;
}

interface CycleRow {
  label: string;
  repo: RepoStats;
  setupMs: number;
  cycle: CycleMeasurement;
  /** The same cycle run by the command line, whole process: milliseconds from spawn to exit. */
  commandMs: number;
}

export interface PerfResults {
  machine: Record<string, string>;
  baseline: { rssMb: number; peakRssMb: number };
  cycles: CycleRow[];
  incremental?: CycleRow & { processedBefore: number };
  commits: CommitMeasurement[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
/** Under tsx the children are TypeScript too and need its loader (whose memory then counts in their RSS). */
const UNDER_TSX = import.meta.url.endsWith('.ts');
const EXT = UNDER_TSX ? 'ts' : 'js';

/** The cycles' clock: a fixed time, so that cycle ids and commits are the same from run to run. */
const NOW = Date.parse('2026-07-01T00:00:00Z');

function child(script: string, args: string[]): string {
  const node = ['--expose-gc', ...(UNDER_TSX ? ['--import', 'tsx'] : []), join(HERE, `${script}.${EXT}`), ...args];
  const run = spawnSync(process.execPath, node, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return run.stdout.trim().split('\n').pop() ?? '';
}

function runCycle(dir: string, now: number): CycleMeasurement {
  return JSON.parse(child('cycle-child', [dir, new Date(now).toISOString()])) as CycleMeasurement;
}

/** Runs the command line, as a user runs it, and returns the wall time of the whole process. */
function runCommand(args: string[]): number {
  const cli = UNDER_TSX ? ['--import', 'tsx', join(HERE, '..', '..', 'src', 'cli', 'main.ts')] : [join(HERE, '..', '..', 'src', 'cli', 'main.js')];
  const started = performance.now();
  const run = spawnSync(process.execPath, [...cli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`reverie ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return ms;
}

/** Runs the cycle in process (on `dir`) and as a command (on a copy of it made first). */
function measureCycle(dir: string, now: number): { cycle: CycleMeasurement; commandMs: number } {
  const copy = `${dir}-command`;
  // Timestamps kept: the cache of log hashes remembers only a log last modified more than two seconds ago, and a copy
  // made now would be a folder of logs modified just now, all of them hashed again.
  cpSync(dir, copy, { recursive: true, preserveTimestamps: true });
  // The clone-local cache of log hashes is keyed by inode and ctime, which a copy changes: when the repository has
  // one, `reverie status` (untimed) builds the copy's own, so that both cycles start alike.
  if (existsSync(join(dir, '.git', 'reverie', 'session-hashes.json'))) runCommand(['status', '--repo', copy]);
  try {
    const cycle = runCycle(dir, now);
    return { cycle, commandMs: runCommand(['dream', '--repo', copy, '--mode', 'auto', '--json']) };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function sh(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): Record<string, string> {
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
    } catch {
      return '';
    }
  })();
  const repoRoot = join(HERE, UNDER_TSX ? '../..' : '../../..');
  const head = sh('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']);
  const status = sh('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no']);
  const dirty = head !== 'unknown' && status !== '';
  return {
    nproc: String(os.availableParallelism()),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${osRelease || os.type()} (${os.type()} ${os.release()})`,
    git: sh('git', ['--version']),
    commit: `${head}${dirty ? ' + uncommitted changes' : ''}`,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const mb = (n: number) => n.toFixed(0);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function cycleRow(row: CycleRow): string[] {
  const c = row.cycle;
  const actions = Object.entries(c.actions)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
  return [
    row.label,
    (row.repo.sessionBytes / 2 ** 20).toFixed(1),
    s(c.totalMs),
    s(row.commandMs),
    s(c.phases.review),
    s(c.phases.plan),
    s(c.phases.commit),
    s(c.phases.approve),
    (c.totalMs / Math.max(1, c.newSessions)).toFixed(2),
    mb(c.peakRssMb),
    `${c.patterns}/${c.noise}`,
    actions || 'none',
    String(c.commits),
  ];
}

const CYCLE_HEAD = ['sessions', 'logs MB', 'in-process s', 'command s', 'review s', 'extract+curate s', 'commit s', 'approve s', 'ms/session', 'peak RSS MB', 'patterns/noise', 'actions', 'commits'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function report(results: PerfResults, options: PerfOptions): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory}, Node ${m.node}, ${m.os}, ${m.git}; reverie ${m.commit}; load average at start ${m.loadAverage}`);
  out.push(`Baseline child (Node + the library loaded, nothing run): RSS ${mb(results.baseline.rssMb)} MB, peak ${mb(results.baseline.peakRssMb)} MB`);
  out.push('');
  const written = options.writtenBy === 'cycle' ? ', written by earlier cycles' : '';
  const duplicates = `${options.duplicateEvery ? `, a duplicate every ${options.duplicateEvery} notes` : ''}${options.oneFile ? ', all in one file' : ''}`;
  out.push(`Full cycle, auto mode, ${options.entries} memory entries${written}${duplicates}, every session new (one fresh process per row):`);
  out.push('in-process s: the call to dream() to its return; command s: `reverie dream --mode auto` on a copy of the repository, spawn to exit (start-up included)');
  out.push(table(CYCLE_HEAD, results.cycles.map(cycleRow)));
  const first = results.cycles[0];
  if (first && results.cycles.length > 1) {
    out.push('');
    out.push('Growth: time per session, and the marginal cost of the sessions added since the previous size');
    out.push('(a cycle also has a cost that does not depend on the sessions: curating the memory, writing the commits):');
    out.push(
      table(
        ['sessions', 'ms/session', 'marginal ms/session', 'marginal review', 'marginal extract+curate', 'marginal commit+approve'],
        results.cycles.map((r, i) => {
          const n = r.cycle.newSessions;
          const prev = results.cycles[i - 1]?.cycle;
          const marginal = (pick: (c: CycleMeasurement) => number) => (prev ? ((pick(r.cycle) - pick(prev)) / (n - prev.newSessions)).toFixed(2) : '');
          return [
            n.toLocaleString('en-US'),
            (r.cycle.totalMs / n).toFixed(2),
            marginal((c) => c.totalMs),
            marginal((c) => c.phases.review),
            marginal((c) => c.phases.plan),
            marginal((c) => c.phases.commit + c.phases.approve),
          ];
        }),
      ),
    );
  }
  if (results.incremental) {
    out.push('');
    out.push(`Incremental cycle: ${results.incremental.cycle.newSessions} new sessions on top of ${results.incremental.processedBefore} processed:`);
    out.push(table(CYCLE_HEAD, [cycleRow(results.incremental)]));
  }
  if (results.commits.length > 0) {
    const rev = median(results.commits.map((c) => c.reverieMs));
    const plumb = median(results.commits.map((c) => c.plumbingMs));
    const fast = median(results.commits.map((c) => c.fastImportMs));
    const n = results.commits[0]?.commits ?? 1;
    const identical = results.commits.every((c) => c.identical);
    out.push('');
    out.push(`Commit per action: ${n} chained commits, one memory file changed each (median of ${results.commits.length} round(s); all three wrote identical commits: ${identical ? 'yes' : 'NO'}):`);
    out.push(
      table(
        ['writer', 'total s', 'ms/commit', 'commits/s', 'reverie is'],
        [
          ['reverie commitChanges (isomorphic-git)', s(rev), (rev / n).toFixed(2), (n / (rev / 1000)).toFixed(0), '1.00x'],
          ['native git plumbing, 4 processes/commit', s(plumb), (plumb / n).toFixed(2), (n / (plumb / 1000)).toFixed(0), `${(plumb / rev).toFixed(2)}x faster`],
          ['native git fast-import, 1 process', s(fast), (fast / n).toFixed(2), (n / (fast / 1000)).toFixed(0), rev <= fast ? `${(fast / rev).toFixed(2)}x faster` : `${(rev / fast).toFixed(2)}x slower`],
        ],
      ),
    );
  }
  if (options.full) {
    const big = results.cycles.find((r) => r.cycle.newSessions >= 10_000);
    const inc = results.incremental;
    const [before, last] = results.cycles.slice(-2).map((r) => r.cycle);
    out.push('');
    out.push('Targets:');
    if (big) {
      out.push(`- 10,000 sessions under 20 s: ${s(big.cycle.totalMs)} s ${big.cycle.totalMs < 20_000 ? 'met' : 'MISSED'}`);
      out.push(`- 10,000 sessions under 500 MB peak RSS: ${mb(big.cycle.peakRssMb)} MB ${big.cycle.peakRssMb < 500 ? 'met' : 'MISSED'}`);
    }
    if (inc) out.push(`- incremental cycle under 2 s: ${s(inc.cycle.totalMs)} s ${inc.cycle.totalMs < 2_000 ? 'met' : 'MISSED'}`);
    if (before && last) {
      const marginal = (last.totalMs - before.totalMs) / (last.newSessions - before.newSessions);
      out.push(
        `- growth: each session from ${before.newSessions.toLocaleString('en-US')} to ${last.newSessions.toLocaleString('en-US')} added ${marginal.toFixed(2)} ms ` +
          `(the whole run: ${(last.totalMs / last.newSessions).toFixed(2)} ms per session, fixed costs included); see the growth table`,
      );
    }
  }
  return out.join('\n');
}

export async function runPerf(options: PerfOptions): Promise<PerfResults> {
  const scratch = mkdtempSync(join(os.tmpdir(), 'reverie-bench-perf-'));
  const log = (text: string) => process.stderr.write(`[perf] ${text}\n`);
  const results: PerfResults = {
    machine: machine(),
    baseline: JSON.parse(child('cycle-child', ['--baseline'])) as PerfResults['baseline'],
    cycles: [],
    commits: [],
  };
  try {
    const largest = Math.max(...options.sizes);
    let incrementalRepo: string | undefined;
    for (const size of options.sizes) {
      const dir = join(scratch, `cycle-${size}`);
      const t = performance.now();
      const memory = { ...(options.duplicateEvery ? { duplicateEvery: options.duplicateEvery } : {}), ...(options.oneFile ? { oneFile: true } : {}) };
      const repo = createBenchRepo(dir, { sessions: size, entries: options.entries, pack: true, writtenBy: options.writtenBy ?? 'person', memory });
      const setupMs = performance.now() - t;
      log(`${size} sessions: repository generated in ${s(setupMs)} s; running the cycle`);
      const { cycle, commandMs } = measureCycle(dir, NOW);
      log(`${size} sessions: ${s(cycle.totalMs)} s in process, ${s(commandMs)} s as a command, peak RSS ${mb(cycle.peakRssMb)} MB`);
      results.cycles.push({ label: size.toLocaleString('en-US'), repo, setupMs, cycle, commandMs });
      if (size === largest && options.incremental > 0) incrementalRepo = dir;
      else if (!options.keep) rmSync(dir, { recursive: true, force: true });
    }
    if (incrementalRepo) {
      // A high-risk note (say, a rule about pushing) waits for a person even in auto mode, and the sessions stay
      // unprocessed until it is decided: approved here, as a reviewer would, so that the next cycle is incremental.
      const approved = await approvePending(incrementalRepo);
      if (approved.length > 0) log(`incremental: approved the waiting part of cycle ${approved.join(', ')} first, as a reviewer would`);
      const t = performance.now();
      const bytes = addSessions(incrementalRepo, largest, options.incremental);
      const setupMs = performance.now() - t;
      log(`incremental: ${options.incremental} new sessions on ${largest}; running the cycle`);
      const { cycle, commandMs } = measureCycle(incrementalRepo, NOW + 24 * 3600_000);
      log(`incremental: ${s(cycle.totalMs)} s in process, ${s(commandMs)} s as a command, peak RSS ${mb(cycle.peakRssMb)} MB`);
      const repo: RepoStats = { sessions: options.incremental, sessionBytes: bytes, memoryEntries: options.entries, memoryBytes: 0 };
      results.incremental = { label: `+${options.incremental} on ${largest.toLocaleString('en-US')}`, repo, setupMs, cycle, commandMs, processedBefore: largest };
      if (!options.keep) rmSync(incrementalRepo, { recursive: true, force: true });
    }
    if (options.commits > 0) {
      const template = join(scratch, 'commits-template');
      createBenchRepo(template, { sessions: 100, entries: options.entries, pack: true });
      for (let round = 1; round <= options.rounds; round++) {
        const copies = ['reverie', 'plumbing', 'fast-import'].map((name) => {
          const dir = join(scratch, `commits-${round}-${name}`);
          cpSync(template, dir, { recursive: true });
          return dir;
        });
        log(`commits: round ${round} of ${options.rounds}, ${options.commits} commits each way`);
        results.commits.push(JSON.parse(child('commits-child', [...copies, String(options.commits)])) as CommitMeasurement);
        if (!options.keep) for (const dir of copies) rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    if (options.keep) log(`repositories kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  if (options.out) writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  return results;
}
