/**
 * Crash safety, measured: `reverie dream`, `approve` and `revert` are killed with SIGKILL at random moments on
 * generated memory repositories, then the same command runs again, as a person would run it. After each trial:
 *
 * - `git fsck --full` is clean (no empty, truncated or missing object; every ref valid);
 * - main is a valid commit and the working tree and index match it (`git status --porcelain` is empty);
 * - the memory converged: main's files (the cycle's own bookkeeping in `.reverie/` aside) are those of an
 *   uninterrupted run of the same commands, and the same sessions are recorded as processed (nothing lost);
 * - no lock file is left behind.
 *
 *     npm run build && npx tsx bench/chaos/run.ts [--trials 200] [--sizes 300,2000] [--commands dream,approve,revert] [--seed 1]
 *
 * Trials are spread over the sizes and commands; the kill moment is drawn uniformly over the time the command
 * takes when uninterrupted (measured first), so that every phase (reading, planning, committing, fast-forwarding
 * main and the working tree) is hit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createBenchRepo } from '../perf/repo.js';
import { isProcessedFile, readState } from '../../src/dream/state.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    sizes: { type: 'string', default: '300,2000' },
    commands: { type: 'string', default: 'dream,approve,revert' },
    seed: { type: 'string', default: '1' },
    entries: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
});

type Command = 'dream' | 'approve' | 'revert';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
if (!existsSync(CLI)) {
  console.error(`no built command line at ${path.relative(process.cwd(), CLI)}: run \`npm run build\` first`);
  process.exit(2);
}

/** A small seeded generator (mulberry32), so a run can be repeated kill for kill. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function reverie(dir: string, args: string[]): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args, '--repo', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the command and kills it with SIGKILL after `ms`; resolves once it is gone. */
function killAfter(dir: string, args: string[], ms: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--repo', dir], { stdio: 'ignore' });
    let finished = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      finished = signal === null;
      resolve(finished ? 'finished' : 'killed');
    });
  });
}

/**
 * main's files but the cycle records, whose ids and times differ from run to run; plus the processed sessions, read
 * from main, or from the cycle waiting for review when main took only its safe part (the bookkeeping waits with it).
 */
/** The files of processed sessions at `ref`, in whichever layout the state has there. */
function processedFilesAt(dir: string, ref: string): Map<string, string> {
  const paths = git(dir, ['ls-tree', '-r', '--name-only', ref, '.reverie']).split('\n').filter(isProcessedFile);
  return new Map(paths.map((p) => [p, git(dir, ['show', `${ref}:${p}`])]));
}

function memoryOf(dir: string): { files: string; processed: number } {
  const files = git(dir, ['ls-tree', '-r', 'main'])
    .split('\n')
    .filter((line) => !line.includes('\t.reverie/'))
    .join('\n');
  const waiting = git(dir, ['branch', '--list', 'reverie/dream-*', '--format=%(refname:short)']).split('\n').filter(Boolean).at(-1);
  const onMain = git(dir, ['ls-tree', '-r', '--name-only', 'main', '.reverie']).split('\n').some(isProcessedFile);
  const processed = Object.keys(readState(processedFilesAt(dir, onMain ? 'main' : (waiting ?? 'main'))).processed).length;
  return { files, processed };
}

interface Scenario {
  size: number;
  command: Command;
  /** A repository ready for the command (copied for each trial). */
  template: string;
  args: string[];
  /** What to run after the killed command (the same command, or what a person runs next). */
  rerun: string[][];
  expected: { files: string; processed: number };
  uninterruptedMs: number;
}

function cycleOf(dir: string): string {
  const branches = git(dir, ['branch', '--list', 'reverie/dream-*', '--format=%(refname:short)']).split('\n').filter(Boolean);
  const branch = branches.at(-1);
  if (!branch) throw new Error(`no cycle branch in ${dir}`);
  return branch.replace('reverie/dream-', '');
}

function lastApprovedCycle(dir: string): string {
  const cycles = readdirSync(path.join(dir, '.reverie', 'cycles')).filter((f) => f.endsWith('.json')).sort();
  return (cycles.at(-1) as string).replace(/\.json$/, '');
}

async function prepare(scratch: string, size: number, command: Command): Promise<Scenario> {
  const base = path.join(scratch, `base-${size}`);
  if (!existsSync(base)) createBenchRepo(base, { sessions: size, entries: Number(values.entries), pack: true });
  const template = path.join(scratch, `template-${size}-${command}`);
  cpSync(base, template, { recursive: true });
  let args: string[];
  let rerun: string[][];
  if (command === 'dream') {
    args = ['dream', '--mode', 'auto'];
    rerun = [['dream', '--mode', 'auto']];
  } else if (command === 'approve') {
    must(reverie(template, ['dream', '--mode', 'review']));
    const cycle = cycleOf(template);
    args = ['approve', cycle];
    // Run again: it finishes the approval, or says the cycle is approved already.
    rerun = [['approve', cycle]];
  } else {
    must(reverie(template, ['dream', '--mode', 'auto']));
    const cycle = lastApprovedCycle(template);
    args = ['revert', cycle, '--mode', 'auto'];
    rerun = [['revert', cycle, '--mode', 'auto']];
  }
  const reference = path.join(scratch, `reference-${size}-${command}`);
  cpSync(template, reference, { recursive: true });
  const started = performance.now();
  must(reverie(reference, args));
  const uninterruptedMs = performance.now() - started;
  return { size, command, template, args, rerun, expected: memoryOf(reference), uninterruptedMs };
}

function must(result: { status: number; stderr: string }): void {
  if (result.status !== 0) throw new Error(`reverie failed (${result.status}): ${result.stderr}`);
}

interface Trial {
  size: number;
  command: Command;
  killAtMs: number;
  killed: boolean;
  fsckClean: boolean;
  treeClean: boolean;
  converged: boolean;
  sessionsKept: boolean;
  locksLeft: number;
  rerunExit: number[];
  problem?: string;
}

async function trial(scenario: Scenario, dir: string, killAtMs: number): Promise<Trial> {
  cpSync(scenario.template, dir, { recursive: true });
  const killed = (await killAfter(dir, scenario.args, killAtMs)) === 'killed';
  const rerunExit: number[] = [];
  let problem: string | undefined;
  for (const args of scenario.rerun) {
    const result = reverie(dir, args);
    rerunExit.push(result.status);
    // Approving or reverting what the killed run already finished is refused, and that is the right answer.
    if (result.status !== 0 && !/already|nothing to|no pending cycle|not pending|is approved|was reverted/i.test(result.stderr)) problem = result.stderr.trim().split('\n')[0];
  }
  let fsckClean = true;
  try {
    git(dir, ['fsck', '--full', '--no-dangling']);
  } catch (error) {
    fsckClean = false;
    problem ??= `fsck: ${String((error as { stderr?: string }).stderr ?? error).trim().split('\n')[0]}`;
  }
  let converged = false;
  let sessionsKept = false;
  let treeClean = false;
  try {
    const memory = memoryOf(dir);
    converged = memory.files === scenario.expected.files;
    sessionsKept = memory.processed === scenario.expected.processed;
    treeClean = git(dir, ['status', '--porcelain']) === '';
  } catch (error) {
    problem ??= String(error).split('\n')[0];
  }
  const locksLeft = git(dir, ['for-each-ref', '--format=%(refname)']).length >= 0 ? countLocks(path.join(dir, '.git')) : 0;
  return { size: scenario.size, command: scenario.command, killAtMs, killed, fsckClean, treeClean, converged, sessionsKept, locksLeft, rerunExit, ...(problem ? { problem } : {}) };
}

function countLocks(gitdir: string): number {
  let n = 0;
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(folder, entry.name));
      else if (entry.name.endsWith('.lock')) n++;
    }
  };
  walk(path.join(gitdir, 'refs'));
  if (existsSync(path.join(gitdir, 'reverie.lock'))) n++;
  if (existsSync(path.join(gitdir, 'index.lock'))) n++;
  return n;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'reverie-chaos-'));
  const sizes = values.sizes.split(',').map(Number);
  const commands = values.commands.split(',') as Command[];
  const next = random(Number(values.seed));
  const started = performance.now();
  try {
    const scenarios: Scenario[] = [];
    for (const size of sizes) for (const command of commands) scenarios.push(await prepare(scratch, size, command));
    for (const s of scenarios) console.error(`[chaos] ${s.command} on ${s.size} sessions: ${(s.uninterruptedMs / 1000).toFixed(2)} s uninterrupted`);
    const trials: Trial[] = [];
    const total = Number(values.trials);
    for (let i = 0; i < total; i++) {
      const scenario = scenarios[i % scenarios.length] as Scenario;
      const killAtMs = Math.round(next() * scenario.uninterruptedMs);
      const dir = path.join(scratch, `trial-${i}`);
      const result = await trial(scenario, dir, killAtMs);
      trials.push(result);
      if (result.problem || !result.fsckClean || !result.converged || !result.treeClean) console.error(`[chaos] trial ${i} (${scenario.command}, ${scenario.size}, kill at ${killAtMs} ms): ${JSON.stringify(result)}`);
      rmSync(dir, { recursive: true, force: true });
    }
    report(trials, (performance.now() - started) / 1000);
  } finally {
    if (values.keep) console.error(`[chaos] kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

function report(trials: Trial[], seconds: number): void {
  console.log(`Crash safety: ${trials.length} trials, ${seconds.toFixed(0)} s (seed ${values.seed})`);
  console.log('');
  console.log('| command | sessions | trials | killed mid-run | fsck clean | tree clean | converged | sessions kept | locks left | other problems |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const groups = new Map<string, Trial[]>();
  for (const t of trials) groups.set(`${t.command}|${t.size}`, [...(groups.get(`${t.command}|${t.size}`) ?? []), t]);
  for (const [key, group] of groups) {
    const [command, size] = key.split('|');
    const count = (f: (t: Trial) => boolean) => group.filter(f).length;
    console.log(
      `| ${command} | ${Number(size).toLocaleString('en-US')} | ${group.length} | ${count((t) => t.killed)} | ${count((t) => t.fsckClean)} | ${count((t) => t.treeClean)} | ${count((t) => t.converged)} | ${count((t) => t.sessionsKept)} | ${group.reduce((n, t) => n + t.locksLeft, 0)} | ${count((t) => t.problem !== undefined)} |`,
    );
  }
  const bad = trials.filter((t) => !t.fsckClean || !t.treeClean || !t.converged || !t.sessionsKept || t.locksLeft > 0 || t.problem);
  process.exitCode = bad.length > 0 ? 1 : 0;
}

await main();
