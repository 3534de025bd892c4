/**
 * How fast session logs are read: reverie's loadSessions (detect, parse, normalise, redact, hash) against a plain
 * line-by-line JSON.parse of the same files, in one run, per format.
 *
 *     npx tsx bench/sessions/throughput.ts [--mb 20] [--rounds 5] [--formats claude-code,codex] [--detect]
 *
 * Each corpus is read with its format named, as a `sessions:` entry with `format:` would; `--detect` reads them with
 * `format: auto`, as a cycle does by default, so that detection is measured too.
 *
 * The baseline reads the files as reverie reads a small log: one synchronous read of the whole file, in this thread,
 * one after the other; then it decodes the text and JSON.parses every non-empty line. Both are warmed once, then run
 * in turns `--rounds` times (a machine shared with other work slows one round, not one side); the table gives the
 * median of each side and the median of the per-round ratios. The last column is the ratio of CPU time (user and
 * system, the whole process), steadier than wall time when other work shares the cores; with worker threads it counts
 * their CPU too. reverie itself may spread large inputs over worker threads (REVERIE_READ_THREADS); the threads column
 * says how many it used, the baseline always uses one.
 *
 * Claude Code logs are the generated 10 KB sessions of the performance benchmark; the other formats are the real
 * samples under test/fixtures, copied as many times as it takes to reach about `--mb` megabytes each (a copy is a
 * file of its own, as logs are). A JSON document that is not JSONL is parsed whole by the baseline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSessions } from '../../src/sessions/load.js';
import { readThreadsFor } from '../../src/sessions/read-pool.js';
import { generateSession } from '../perf/sessions.js';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '20' }, rounds: { type: 'string', default: '5' }, formats: { type: 'string', default: '' }, detect: { type: 'boolean', default: false } },
});
const ROUNDS = Math.max(1, Number(values.rounds));
const TARGET_BYTES = Number(values.mb) * 1e6;
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

interface Corpus {
  format: string;
  /** Files to write: name → content. */
  files: Map<string, string>;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))));
  return nested.flat().filter((f) => ['.jsonl', '.json', '.md'].includes(extname(f)) && !f.endsWith('SOURCES.md') && !f.includes('not-'));
}

async function fixtureCorpus(format: string, folder: string): Promise<Corpus> {
  const samples = await filesUnder(join(FIXTURES, folder)).catch(() => []);
  const texts = samples.map((f) => ({ ext: extname(f), text: readFileSync(f, 'utf8') })).filter((s) => s.text.length > 200);
  const files = new Map<string, string>();
  let bytes = 0;
  for (let i = 0; texts.length > 0 && bytes < TARGET_BYTES; i++) {
    const sample = texts[i % texts.length] as { ext: string; text: string };
    // Each copy differs by a trailing blank line count, so each is a log of its own (its own hash).
    const text = sample.text + '\n'.repeat(i % 7);
    files.set(`copy-${String(i).padStart(6, '0')}${sample.ext}`, text);
    bytes += Buffer.byteLength(text);
  }
  return { format, files };
}

function claudeCorpus(): Corpus {
  const files = new Map<string, string>();
  let bytes = 0;
  for (let n = 0; bytes < TARGET_BYTES; n++) {
    const session = generateSession(n);
    files.set(`${session.id}.jsonl`, session.text);
    bytes += Buffer.byteLength(session.text);
  }
  return { format: 'claude-code', files };
}

/** The baseline: every file read whole and every line (or the whole document) JSON.parse'd, nothing else. */
function plainParse(dir: string): number {
  let values = 0;
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    if (name.endsWith('.md')) {
      values += text.split('\n').length;
      continue;
    }
    try {
      JSON.parse(text);
      values++;
    } catch {
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          JSON.parse(line);
          values++;
        } catch {
          /* a line the baseline cannot read counts for nothing */
        }
      }
    }
  }
  return values;
}

/** User and system CPU time of the whole process (worker threads and the garbage collector's helpers included). */
function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function measure(corpus: Corpus): Promise<string> {
  const root = await mkdtemp(join(os.tmpdir(), `reverie-read-${corpus.format}-`));
  try {
    const dir = join(root, 'sessions', 'bench-agent');
    await mkdir(dir, { recursive: true });
    let bytes = 0;
    for (const [name, text] of corpus.files) {
      await writeFile(join(dir, name), text);
      bytes += (await stat(join(dir, name))).size;
    }
    const mb = bytes / 1e6;
    const load = () => loadSessions({ repoDir: root, sources: [{ path: 'sessions', format: values.detect ? 'auto' : corpus.format }] });
    // Warm the file cache and both sides once, so that both find the files in memory and their code compiled.
    plainParse(dir);
    const loaded = await load();
    const plainTimes: number[] = [];
    const reverieTimes: number[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      plainParse(dir);
      const plainCpu = cpuSeconds(process.cpuUsage(c0));
      const plainS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      await load();
      const reverieCpu = cpuSeconds(process.cpuUsage(c1));
      const reverieS = (performance.now() - t1) / 1000;
      plainTimes.push(plainS);
      reverieTimes.push(reverieS);
      ratios.push(plainS / reverieS);
      cpuRatios.push(plainCpu / reverieCpu);
    }
    const turns = loaded.sessions.reduce((n, s) => n + s.turns.length, 0);
    const threads = readThreadsFor(corpus.files.size);
    return `| ${corpus.format} | ${corpus.files.size} | ${mb.toFixed(1)} | ${loaded.sessions.length} sessions, ${turns} turns, ${loaded.warnings.length} warnings | ${threads} | ${(mb / median(reverieTimes)).toFixed(1)} | ${(mb / median(plainTimes)).toFixed(1)} | ${median(ratios).toFixed(2)}x | ${median(cpuRatios).toFixed(2)}x |`;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const corpora = [
    claudeCorpus(),
    await fixtureCorpus('codex', 'codex'),
    await fixtureCorpus('anthropic-messages', 'anthropic-messages'),
    await fixtureCorpus('openai-chat', 'openai-chat'),
    await fixtureCorpus('copilot-cli', 'copilot-cli'),
    await fixtureCorpus('gemini-cli', 'gemini-cli'),
    await fixtureCorpus('aider', 'aider'),
    await fixtureCorpus('specstory', 'specstory'),
  ].filter((c) => c.files.size > 0 && (values.formats === '' || values.formats.split(',').includes(c.format)));
  console.log(`reverie read throughput, about ${values.mb} MB per format (loadSessions: detect, parse, normalise, redact, hash)`);
  console.log(`median of ${ROUNDS} rounds in turns; plain: one thread, readFileSync + JSON.parse of every line\n`);
  console.log('| format | files | MB | read | reverie threads | reverie MB/s | plain JSON.parse MB/s | reverie / plain | CPU: plain / reverie |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const corpus of corpora) console.log(await measure(corpus));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
