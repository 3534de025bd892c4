/**
 * A real dream cycle (library, auto mode, offline engine) over a very large sessions folder, in a child process of
 * its own, with its time and peak RSS: one 1 GB Claude Code log (about 90,000 generated sessions) by default, or the
 * same sessions spread over several logs.
 *
 *     npx tsc -p tsconfig.bench.json
 *     node dist-bench/bench/perf/big-cycle.js [--mb 1000 | --sessions 100000] [--files 1] [--entries 1000]
 *          [--dir <folder>] [--keep] [--node-arg --max-old-space-size=250] [--node-arg --heap-prof]
 *          [--child dist-bench/bench/perf/cycle-child.js]
 *
 * The repository (reverie.yaml and a generated memory committed on main; the logs in `sessions/`, ignored by git, as
 * a folder of logs too big to commit would be) is written once into `--dir` and kept there with `--keep`: a later run
 * on the same `--dir` resets main to the commit it was generated at and runs the cycle again on the same input, so
 * that two builds (`--child` of each) can be compared on the same logs. The cycle's actions and pattern records are
 * written next to the repository (`<dir>.result-<n>.json`) for such a comparison.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CycleMeasurement } from './cycle-child.js';
import { generateMemory } from './memory.js';
import { CONFIG, git } from './repo.js';
import { generateSession } from './sessions.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string' },
    sessions: { type: 'string' },
    files: { type: 'string', default: '1' },
    entries: { type: 'string', default: '1000' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true, default: [] },
    child: { type: 'string' },
    'write-to': { type: 'string' },
    from: { type: 'string' },
    count: { type: 'string' },
  },
});

const HERE = dirname(fileURLToPath(import.meta.url));
const NOW = '2026-07-01T00:00:00Z';
const MARKER = '.big-cycle.json';

interface Generated {
  base: string;
  sessions: number;
  files: number;
  bytes: number;
  entries: number;
  seconds: number;
}

/** Writes sessions `from` … `from+count-1` (or until `mb` megabytes) into one log; prints how many and how big. */
async function writeLog(path: string, from: number, count: number, maxBytes: number): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const write = (text: string) => new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  let bytes = 0;
  let n = from;
  for (; n < from + count && bytes < maxBytes; n++) {
    const text = generateSession(n).text;
    await write(text);
    bytes += Buffer.byteLength(text);
  }
  await new Promise<void>((resolve) => out.end(resolve));
  process.stdout.write(`${JSON.stringify({ sessions: n - from, bytes })}\n`);
}

/** One child per log, two at a time: generation is most of the setup (about 1 ms a session). */
async function generateAll(dir: string): Promise<Generated> {
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'reverie.yaml'), CONFIG);
  writeFileSync(join(dir, '.gitignore'), 'sessions/\n');
  const entries = Number(values.entries);
  for (const [path, text] of generateMemory(entries).files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `memory of ${entries} entries`]);
  const base = git(dir, ['rev-parse', 'HEAD']);
  const files = Number(values.files);
  // Sessions are about 11 KB: by size, each log gets its share of the bytes and enough session numbers to fill it.
  const bySize = values.sessions === undefined;
  const total = bySize ? Math.ceil((Number(values.mb ?? '1000') * 1e6) / 9_000) : Number(values.sessions);
  const maxBytes = bySize ? (Number(values.mb ?? '1000') * 1e6) / files : Number.POSITIVE_INFINITY;
  const per = Math.ceil(total / files);
  const { execFile } = await import('node:child_process');
  const one = (i: number) =>
    new Promise<{ sessions: number; bytes: number }>((resolve, reject) => {
      const path = join(dir, 'sessions', 'bench-agent', `log-${String(i).padStart(4, '0')}.jsonl`);
      const args = [...process.execArgv, fileURLToPath(import.meta.url), '--write-to', path, '--from', String(i * per), '--count', String(Math.min(per, total - i * per)), '--mb', String(maxBytes / 1e6)];
      execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim()) as { sessions: number; bytes: number })));
    });
  let sessions = 0;
  let bytes = 0;
  for (let i = 0; i < files; i += 2) {
    for (const written of await Promise.all([i, i + 1].filter((j) => j < files).map(one))) {
      sessions += written.sessions;
      bytes += written.bytes;
    }
  }
  const generated: Generated = { base, sessions, files, bytes, entries, seconds: (performance.now() - t0) / 1000 };
  writeFileSync(join(dir, '.git', MARKER), JSON.stringify(generated));
  return generated;
}

/** main back to where it was generated, the cycles' branches and the working tree's memory with it. */
function reset(dir: string, base: string): void {
  git(dir, ['reset', '-q', '--hard', base]);
  const branches = git(dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/reverie/']);
  for (const ref of branches.split('\n').filter(Boolean)) git(dir, ['update-ref', '-d', ref]);
  rmSync(join(dir, '.reverie'), { recursive: true, force: true });
  rmSync(join(dir, '.git', 'reverie', 'lock'), { recursive: true, force: true });
}

async function main(): Promise<void> {
  const dir = values.dir ?? join('/tmp', `reverie-big-cycle-${values.sessions ?? `${values.mb ?? '1000'}mb`}-${values.files}`);
  const marker = join(dir, '.git', MARKER);
  let generated: Generated;
  if (existsSync(marker)) {
    generated = JSON.parse(readFileSync(marker, 'utf8')) as Generated;
    reset(dir, generated.base);
    console.error(`[big-cycle] reusing ${dir}: ${generated.sessions} sessions in ${generated.files} logs, ${(generated.bytes / 1e6).toFixed(0)} MB`);
  } else {
    console.error(`[big-cycle] generating ${dir}`);
    generated = await generateAll(dir);
    console.error(`[big-cycle] ${generated.sessions} sessions in ${generated.files} logs, ${(generated.bytes / 1e6).toFixed(0)} MB, in ${generated.seconds.toFixed(0)} s`);
  }
  const child = values.child ?? join(HERE, 'cycle-child.js');
  const args = [...(values['node-arg'] ?? []), child, dir, NOW];
  console.error(`[big-cycle] node ${args.join(' ')}`);
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`the cycle failed (${run.status ?? run.signal})`);
  const cycle = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as CycleMeasurement;
  const logs = generated.files === 1 ? 'one file' : `${generated.files} files`;
  console.log('| log | sessions | new | patterns | noise | actions | time | review | plan | commit | peak RSS |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const actions = Object.entries(cycle.actions).map(([type, n]) => `${n} ${type}`).join(', ') || 'none';
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `| ${(generated.bytes / 1e6).toFixed(0)} MB, ${logs} | ${cycle.sessions} | ${cycle.newSessions} | ${cycle.patterns} | ${cycle.noise} | ${actions} | ${s(cycle.totalMs)} | ${s(cycle.phases.review)} | ${s(cycle.phases.plan)} | ${s(cycle.phases.commit + cycle.phases.approve)} | ${cycle.peakRssMb.toFixed(0)} MB |`,
  );
  console.log(JSON.stringify(cycle));
  // What the cycle decided, for comparing two builds on the same logs: the tree of its last commit (memory and
  // bookkeeping, byte for byte) and its commits' messages. A cycle with an action for review keeps its branch.
  const branch = git(dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/reverie/']).split('\n').find(Boolean);
  const tip = branch ?? 'main';
  const outcome = {
    tip,
    tree: git(dir, ['rev-parse', `${tip}^{tree}`]),
    messages: git(dir, ['log', '--format=%B', `${generated.base}..${tip}`]),
    // The actions' commits and the memory, which two builds must write alike whatever the layout of their state.
    actionCommits: git(dir, ['rev-list', `${generated.base}..${tip}~1`]),
    memoryTree: git(dir, ['rev-parse', `${tip}:memory`]),
    ...stateBytes(dir, tip),
  };
  let n = 1;
  while (existsSync(`${dir}.result-${n}.json`)) n++;
  writeFileSync(`${dir}.result-${n}.json`, JSON.stringify(outcome));
  console.error(`[big-cycle] outcome in ${dir}.result-${n}.json`);
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}

/** Bytes of the state's files at `tip` (not the cycles' records): the sessions processed, and the patterns. */
function stateBytes(dir: string, tip: string): { processedBytes: number; patternsBytes: number } {
  const sizes = git(dir, ['ls-tree', '-r', '-l', tip, '.reverie'])
    .split('\n')
    .map((line) => line.split(/\s+/))
    .map(([, , , size, path]) => ({ path: path ?? '', size: Number(size) }));
  const sum = (test: (path: string) => boolean) => sizes.filter((f) => test(f.path)).reduce((total, f) => total + f.size, 0);
  return { processedBytes: sum((p) => p.startsWith('.reverie/processed')), patternsBytes: sum((p) => p.startsWith('.reverie/patterns')) };
}

const work = values['write-to'] ? writeLog(values['write-to'], Number(values.from), Number(values.count), Number(values.mb) * 1e6) : main();
work.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
