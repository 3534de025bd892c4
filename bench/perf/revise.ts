/**
 * What a reviewer's drop costs, as a user runs it: `reverie drop <cycle> <id>` then `reverie keep <cycle> <id>` on a
 * cycle waiting for review, each a whole process (Node's start-up included), wall and CPU time (user + system of the
 * child). The repository: a generated memory of 1,000 entries in 25 files, two sessions that make a cycle of two
 * actions (an update and a merge), and 20 memory tests; `--no-tests` leaves the tests out.
 *
 *     npx tsx bench/perf/revise.ts [--runs 12] [--no-tests] [--cli path/to/main.js ...]
 *
 * The command line is the built one (`npm run build` first); `--cli` times others beside it, alternately, in the same
 * run, such as an older build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_CONFIG } from '../../test/helpers/config.js';
import { makeMemoryRepo } from '../../test/helpers/git.js';
import { npmMistakeSession } from '../../test/helpers/transcript.js';
import { generateMemory } from './memory.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const CLIS = [path.join(ROOT, 'dist/cli/main.js'), ...args.flatMap((a, i) => (a === '--cli' && args[i + 1] ? [path.resolve(args[i + 1]!)] : []))];
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 12;
const TESTS = !args.includes('--no-tests');

const scratch = mkdtempSync(path.join(os.tmpdir(), 'reverie-bench-revise-'));
/** Preloaded into each command: its own CPU time, written where the bench reads it, as the process exits. */
const USAGE_HOOK = path.join(scratch, 'usage-hook.mjs');
writeFileSync(
  USAGE_HOOK,
  "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.REVERIE_BENCH_USAGE, JSON.stringify(process.resourceUsage())));\n",
);

const NOTES = '# Notes\n\n## Tools\n\n- Install dependencies with `npm install`.\n- The pricing service listens on port 8081.\n- Pricing svc port is 8081 (local dev).\n\n## Preferences\n';

function cases(): string {
  const lines = ['cases:', '  - name: pricing port', '    question: Which port does the pricing service listen on?', '    expect: pricing service listens'];
  lines.push('  - name: installs', '    question: How do I install dependencies?', '    expect: pnpm install');
  for (let i = 0; i < 18; i++) lines.push(`  - name: port ${i}`, `    question: Which service listens on port ${8000 + i}?`, '    expect: port');
  return `${lines.join('\n')}\n`;
}

interface Timed {
  wall: number;
  cpu: number;
}

/**
 * One command as a child process: the wall time from spawn to exit, and the child's CPU time (user + system), which
 * a module preloaded into it writes out as it exits.
 */
function run(cli: string, argv: string[]): Timed {
  const file = path.join(scratch, 'usage.json');
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', USAGE_HOOK, cli, ...argv], { stdio: 'ignore', env: { ...process.env, REVERIE_BENCH_USAGE: file } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) throw new Error(`${argv.join(' ')} exited ${child.status}`);
  const usage = JSON.parse(readFileSync(file, 'utf8')) as { userCPUTime: number; systemCPUTime: number };
  return { wall, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1e6 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const memory = generateMemory(1000);
const repo = await makeMemoryRepo({
  'reverie.yaml': TEST_CONFIG.replace('mode: auto', 'mode: review'),
  ...Object.fromEntries(memory.files),
  'memory/notes.md': NOTES,
  ...(TESTS ? { '.reverie/tests/memory.yaml': cases() } : {}),
  'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
  'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
});
try {
  const made = spawnSync(process.execPath, [CLIS[0]!, 'dream', '--json', '--repo', repo.dir], { encoding: 'utf8' });
  const cycle = JSON.parse(made.stdout) as { cycle: string; actions: { id: string; type: string }[] };
  const merge = cycle.actions.find((a) => a.type === 'merge');
  if (!merge) throw new Error('the cycle has no merge to drop');
  const times = new Map<string, Timed[]>();
  for (let i = 0; i < RUNS; i++) {
    for (const cli of CLIS) {
      for (const verb of ['drop', 'keep']) {
        const key = `${path.relative(process.cwd(), cli)} ${verb}`;
        const t = run(cli, [verb, cycle.cycle, merge.id, '--repo', repo.dir]);
        times.set(key, [...(times.get(key) ?? []), t]);
      }
    }
  }
  console.log(`1,000 entries, ${TESTS ? '20 memory tests' : 'no memory tests'}, ${RUNS} runs each, alternating; seconds, median (range)`);
  console.log('| command | wall | CPU |');
  console.log('| --- | --- | --- |');
  for (const [key, list] of times) {
    const wall = list.map((t) => t.wall);
    const cpu = list.map((t) => t.cpu);
    const cell = (v: number[]) => `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)})`;
    console.log(`| ${key} | ${cell(wall)} | ${cell(cpu)} |`);
  }
} finally {
  await repo.cleanup();
  rmSync(scratch, { recursive: true, force: true });
}
