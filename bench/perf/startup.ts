/**
 * How long the commands a person runs most take, as a user runs them: the whole process, from spawn to exit, Node's
 * start-up included, beside a bare `node -e 0` on the same machine in the same run. On a small repository (one cycle)
 * and on one with 100 cycles (each from one new session, in auto mode); `reverie dream` is a night with nothing new.
 *
 *     npx tsx bench/perf/startup.ts [--runs 7] [--cycles 100] [--keep] [--cold] [--cli path/to/main.js ...]
 *
 * The command line is the built one (`npm run build` first): dist/cli/main.js; `--cli` (more than once) times others
 * beside it in the same run, such as an older build, so that the figures compare on one machine at one time.
 * The reporting commands keep answers between runs in `.git/reverie/cache` (src/util/read-cache.ts): by default the
 * first run of each fills it and the median is of warm runs; `--cold` empties it before every run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Median and spread of `RUNS` whole-process runs, in milliseconds. */
function timeCommand(command: string, argv: string[], cwd: string): { median: number; min: number; max: number; code: number } {
  const times: number[] = [];
  let code = 0;
  for (let i = 0; i < RUNS; i++) {
    if (COLD) rmSync(path.join(cwd, '.git', 'reverie', 'cache'), { recursive: true, force: true });
    const started = process.hrtime.bigint();
    const run = spawnSync(command, argv, { cwd, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    code = run.status ?? -1;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, max: times.at(-1)!, code };
}

async function main(): Promise<void> {
  for (const cli of CLIS) if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'reverie-startup-'));
  const small = await repoWithCycles(1);
  const large = await repoWithCycles(CYCLES);
  const cycles = Number(git(large.dir, ['ls-tree', '--name-only', 'main', '.reverie/cycles/']).split('\n').filter(Boolean).length);
  const commands: [string, string[]][] = [
    ['--version', ['--version']],
    ['log', ['log']],
    ['status', ['status']],
    ['stats', ['stats']],
    ['why', ['why', 'memory/notes.md:5']],
    // A night with nothing new: the first run records it (cycle/quiet.ts), the rest answer from the record.
    ['dream', ['dream']],
  ];
  const baseline = timeCommand(process.execPath, ['-e', '0'], scratch);
  const rows = [`| command | build | 1 cycle: median ms (min-max) | ${cycles} cycles: median ms (min-max) | exit |`, '| --- | --- | --- | --- | --- |'];
  rows.push(`| \`node -e 0\` (Node's own start-up) | | ${format(baseline)} | | ${baseline.code} |`);
  for (const [, argv] of commands) {
    for (const cli of CLIS) {
      const a = timeCommand(process.execPath, [cli, ...argv], small.dir);
      const b = timeCommand(process.execPath, [cli, ...argv], large.dir);
      rows.push(`| \`reverie ${argv.join(' ')}\` | ${path.relative(ROOT, cli) || cli} | ${format(a)} | ${format(b)} | ${a.code}/${b.code} |`);
    }
  }
  process.stdout.write(`Whole-process times, ${RUNS} runs each${COLD ? ', read cache emptied before each' : ''}, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}):\n${rows.join('\n')}\n`);
  if (KEEP) process.stdout.write(`kept: ${small.dir} ${large.dir}\n`);
  else await Promise.all([small.cleanup(), large.cleanup()]);
  rmSync(scratch, { recursive: true, force: true });
}

function format(t: { median: number; min: number; max: number }): string {
  return `${t.median.toFixed(0)} (${t.min.toFixed(0)}-${t.max.toFixed(0)})`;
}

await main();
