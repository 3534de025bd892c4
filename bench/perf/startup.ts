/**
 * How long the commands a person runs most take, as a user runs them: the whole process, from spawn to exit, Node's
 * start-up included, beside a bare `node -e 0` on the same machine in the same run. On a small repository (one cycle)
 * and on one with 100 cycles (each from one new session, in auto mode); `reverie dream` is a night with nothing new.
 *
 *     npx tsx bench/perf/startup.ts [--runs 7] [--cycles 100] [--keep] [--cold] [--cpu] [--cli path/to/main.js ...]
 *
 * The command line is the built one (`npm run build` first): dist/cli/main.js; `--cli` (more than once) times others
 * beside it in the same run, such as an older build, so that the figures compare on one machine at one time: the
 * builds take turns, run by run, each in its own copy of the repositories.
 * The reporting commands keep answers between runs in `.git/reverie/cache` (src/util/read-cache.ts): by default an
 * untimed first run of each fills it and the median is of warm runs; `--cold` empties it before every run. `--cpu`
 * adds the mean CPU time of the process (user + system, from GNU time), steadier than the wall time on a busy machine.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dream } from '../../src/cycle/dream.js';
import { commitFiles, git, makeMemoryRepo } from '../../test/helpers/git.js';
import { TEST_CONFIG } from '../../test/helpers/config.js';
import { transcript } from '../../test/helpers/transcript.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const CLIS = [path.join(ROOT, 'dist/cli/main.js'), ...args.flatMap((a, i) => (a === '--cli' && args[i + 1] ? [path.resolve(args[i + 1]!)] : []))];
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = option('runs', 7);
const CYCLES = option('cycles', 100);
const KEEP = args.includes('--keep');
const COLD = args.includes('--cold');
const CPU = args.includes('--cpu');
const TIME = '/usr/bin/time';

/** A session in which a person states a preference of their own: each makes a cycle with one add. */
function preferenceSession(n: number): string {
  const start = new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();
  return transcript({ sessionId: `pref-${n}`, start }, [
    { user: `Draft the changelog for release ${n}.` },
    { assistant: 'Here is a draft.' },
    { user: `Always put the ticket number T-${1000 + n} first in changelog entries for component ${n}.` },
    { assistant: 'Understood.' },
  ]);
}

async function repoWithCycles(cycles: number): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const repo = await makeMemoryRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': '# Notes\n\n## Preferences\n\n- Write in plain English.\n' });
  for (let n = 0; n < cycles; n++) {
    await commitFiles(repo.dir, { [`sessions/agent/s${n}.jsonl`]: preferenceSession(n) }, `session ${n}`);
    await dream({ repoDir: repo.dir, mode: 'auto', now: new Date(Date.UTC(2026, 1, 1) + n * 60_000) });
  }
  return repo;
}

interface Timing {
  median: number;
  min: number;
  max: number;
  /** Mean CPU time of the process (user + system), with `--cpu`: GNU time counts in steps of 10 ms, a mean of many runs is finer. */
  cpu?: number;
  code: number;
}

/**
 * `RUNS` whole-process runs of each of `runs` (a command and the folder it runs in), taken in turns: run 1 of each,
 * then run 2 of each, so that a machine that gets busier or quieter during the bench weighs on every build alike.
 */
function timeInTurns(runs: { command: string; argv: string[]; cwd: string }[]): Timing[] {
  const walls = runs.map((): number[] => []);
  const cpus = runs.map((): number[] => []);
  const codes = runs.map(() => 0);
  for (let i = 0; i < RUNS; i++) {
    runs.forEach(({ command, argv, cwd }, k) => {
      if (COLD) rmSync(path.join(cwd, '.git', 'reverie', 'cache'), { recursive: true, force: true });
      // GNU time prints the process's own CPU seconds as its last line on stderr.
      const [file, args] = CPU ? [TIME, ['-f', '%U %S', command, ...argv]] : [command, argv];
      const started = process.hrtime.bigint();
      const run = spawnSync(file, args, { cwd, encoding: 'utf8' });
      walls[k]!.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (CPU) cpus[k]!.push(run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number).reduce((a, b) => a + b, 0) * 1000);
      codes[k] = run.status ?? -1;
    });
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return runs.map((_, k) => ({
    median: median(walls[k]!),
    min: Math.min(...walls[k]!),
    max: Math.max(...walls[k]!),
    ...(CPU ? { cpu: cpus[k]!.reduce((a, b) => a + b, 0) / cpus[k]!.length } : {}),
    code: codes[k]!,
  }));
}

async function main(): Promise<void> {
  for (const cli of CLIS) if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  if (CPU && !existsSync(TIME)) throw new Error(`--cpu needs GNU time at ${TIME}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'reverie-startup-'));
  const small = await repoWithCycles(1);
  const large = await repoWithCycles(CYCLES);
  const cycles = Number(git(large.dir, ['ls-tree', '--name-only', 'main', '.reverie/cycles/']).split('\n').filter(Boolean).length);
  // Each build answers in its own copy of the repositories: the read cache keeps one answer per name, keyed by the
  // build, so builds taking turns in one repository would each find the other's answer and miss every time.
  const copies = CLIS.map((_, k) =>
    [small.dir, large.dir].map((dir) => {
      if (k === 0) return dir;
      const copy = path.join(scratch, `${k}-${path.basename(dir)}`);
      cpSync(dir, copy, { recursive: true });
      return copy;
    }),
  );
  const commands: [string, string[]][] = [
    ['--version', ['--version']],
    ['log', ['log']],
    ['status', ['status']],
    ['stats', ['stats']],
    ['why', ['why', 'memory/notes.md:5']],
    // A night with nothing new: the first run records it (cycle/quiet.ts), the rest answer from the record.
    ['dream', ['dream']],
  ];
  const [baseline] = timeInTurns([{ command: process.execPath, argv: ['-e', '0'], cwd: scratch }]) as [Timing];
  const rows = [`| command | build | 1 cycle: median ms (min-max) | ${cycles} cycles: median ms (min-max) | exit |`, '| --- | --- | --- | --- | --- |'];
  rows.push(`| \`node -e 0\` (Node's own start-up) | | ${format(baseline)} | | ${baseline.code} |`);
  for (const [, argv] of commands) {
    // Not timed: a first run of each build fills its read cache (without --cold), as a user's earlier command did.
    if (!COLD) for (const [k, cli] of CLIS.entries()) for (const dir of copies[k]!) spawnSync(process.execPath, [cli, ...argv], { cwd: dir });
    const timings = timeInTurns(CLIS.flatMap((cli, k) => copies[k]!.map((cwd) => ({ command: process.execPath, argv: [cli, ...argv], cwd }))));
    CLIS.forEach((cli, k) => {
      const [a, b] = [timings[2 * k]!, timings[2 * k + 1]!];
      rows.push(`| \`reverie ${argv.join(' ')}\` | ${path.relative(ROOT, cli) || cli} | ${format(a)} | ${format(b)} | ${a.code}/${b.code} |`);
    });
  }
  const how = [`${RUNS} runs each, builds in turns`, ...(COLD ? ['read cache emptied before each'] : []), ...(CPU ? ['[mean CPU ms of the process]'] : [])].join(', ');
  process.stdout.write(`Whole-process times, ${how}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}):\n${rows.join('\n')}\n`);
  if (KEEP) process.stdout.write(`kept: ${small.dir} ${large.dir}\n`);
  else await Promise.all([small.cleanup(), large.cleanup()]);
  rmSync(scratch, { recursive: true, force: true });
}

function format(t: Timing): string {
  return `${t.median.toFixed(0)} (${t.min.toFixed(0)}-${t.max.toFixed(0)})${t.cpu === undefined ? '' : ` [${t.cpu.toFixed(0)}]`}`;
}

await main();
