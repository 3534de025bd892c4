/**
 * `npm run bench`: the performance benchmark, then the quality benchmark.
 *
 *     npm run bench              # quick: 100 and 1,000 sessions (a few minutes with the quality bench)
 *     npm run bench -- --full    # 100, 1,000 and 10,000 sessions, incremental on 10,000
 *
 * Perf options (see bench/perf/run.ts): --sizes, --incremental, --entries, --written-by person|cycle,
 * --duplicate-every N, --one-file, --commits, --rounds, --out, --keep;
 * --skip-perf and --skip-quality leave one part out. The quality benchmark runs under tsx: one corpus with the
 * baselines (bench/quality/run.ts), then the engine over seeds 1-10 (1-20 with --full, bench/quality/sweep.ts).
 */
import { spawnSync } from 'node:child_process';
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
    'written-by': { type: 'string', default: 'person' },
    'duplicate-every': { type: 'string' },
    'one-file': { type: 'boolean', default: false },
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

function writtenBy(text: string | undefined): 'person' | 'cycle' {
  if (text === 'person' || text === 'cycle') return text;
  console.error(`--written-by must be person or cycle, not "${text}"`);
  process.exit(2);
}

if (!values['skip-perf']) {
  const sizes = values.sizes ? values.sizes.split(',').map((n) => count('sizes', n.trim())) : values.full ? [100, 1000, 10_000] : [100, 1000];
  const options: PerfOptions = {
    sizes,
    incremental: count('incremental', values.incremental),
    entries: count('entries', values.entries),
    writtenBy: writtenBy(values['written-by']),
    ...(values['one-file'] ? { oneFile: true } : {}),
    ...(values['duplicate-every'] ? { duplicateEvery: count('duplicate-every', values['duplicate-every']) } : {}),
    commits: count('commits', values.commits),
    rounds: count('rounds', values.rounds ?? (values.full ? '3' : '1')),
    keep: values.keep,
    full: values.full,
    ...(values.out ? { out: values.out } : {}),
  };
  console.log('## Performance\n');
  console.log(report(await runPerf(options), options));
}

if (!values['skip-quality']) {
  // Under tsx: the quality benchmark generates corpora from TypeScript modules of its own.
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  console.log('\n## Quality\n');
  const single = spawnSync(tsx, [join(root, 'bench', 'quality', 'run.ts')], { cwd: root, stdio: 'inherit' });
  if (single.status !== 0) process.exitCode = single.status ?? 1;
  console.log('');
  const sweep = spawnSync(tsx, [join(root, 'bench', 'quality', 'sweep.ts'), '--seeds', values.full ? '1-20' : '1-10'], { cwd: root, stdio: 'inherit' });
  if (sweep.status !== 0) process.exitCode = sweep.status ?? 1;
  console.log('\n## Redaction\n');
  const redaction = spawnSync(tsx, [join(root, 'bench', 'redaction', 'run.ts'), '--per-kind', values.full ? '200' : '50'], { cwd: root, stdio: 'inherit' });
  if (redaction.status !== 0) process.exitCode = redaction.status ?? 1;
  console.log('\n## Reading session logs\n');
  const reading = spawnSync(tsx, [join(root, 'bench', 'sessions', 'throughput.ts'), '--mb', values.full ? '50' : '10'], { cwd: root, stdio: 'inherit' });
  if (reading.status !== 0) process.exitCode = reading.status ?? 1;
  console.log('\n## Line provenance and cycle history\n');
  const provenance = spawnSync(tsx, [join(root, 'bench', 'provenance', 'history.ts'), '--commits', values.full ? '3000' : '1000'], { cwd: root, stdio: 'inherit' });
  if (provenance.status !== 0) process.exitCode = provenance.status ?? 1;
}
