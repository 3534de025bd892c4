/**
 * `npm run bench`: the performance benchmark, then the quality benchmark.
 *
 *     npm run bench              # quick: 100 and 1,000 sessions (a few minutes with the quality bench)
 *     npm run bench -- --full    # 100, 1,000 and 10,000 sessions, incremental on 10,000
 *
 * Perf options (see bench/perf/run.ts): --sizes, --incremental, --entries, --commits, --rounds, --out, --keep;
 * --skip-perf and --skip-quality leave one part out. The quality benchmark (bench/quality/run.ts, another
 * part of the project) runs with its own defaults, under tsx, when it is there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { report, runPerf, type PerfOptions } from './perf/run.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root: bench/.. when run from source, dist-bench/bench/../.. when compiled. */
const root = import.meta.url.endsWith('.ts') ? join(here, '..') : join(here, '..', '..');

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    incremental: { type: 'string', default: '100' },
    entries: { type: 'string', default: '1000' },
    commits: { type: 'string', default: '200' },
    rounds: { type: 'string' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'skip-perf': { type: 'boolean', default: false },
    'skip-quality': { type: 'boolean', default: false },
  },
});

function count(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number, not "${text}"`);
    process.exit(2);
  }
  return n;
}

if (!values['skip-perf']) {
  const sizes = values.sizes ? values.sizes.split(',').map((n) => count('sizes', n.trim())) : values.full ? [100, 1000, 10_000] : [100, 1000];
  const options: PerfOptions = {
    sizes,
    incremental: count('incremental', values.incremental),
    entries: count('entries', values.entries),
    commits: count('commits', values.commits),
    rounds: count('rounds', values.rounds ?? (values.full ? '3' : '1')),
    keep: values.keep,
    full: values.full,
    ...(values.out ? { out: values.out } : {}),
  };
  console.log('## Performance\n');
  console.log(report(runPerf(options), options));
}

if (!values['skip-quality']) {
  const quality = join(root, 'bench', 'quality', 'run.ts');
  console.log('\n## Quality\n');
  if (!existsSync(quality)) {
    console.log('bench/quality/run.ts is not there yet: skipped.');
  } else {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, [quality], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) process.exitCode = run.status ?? 1;
  }
}
