/**
 * The engine over many seeds at once: one line per seed with recall / precision per action type and the
 * safety counts, then the totals over all seeds (true and false positives summed, then divided).
 *
 *     npx tsx bench/quality/sweep.ts [--seeds 1-10] [--size default|large] [--json]
 *
 * Each seed is a corpus of its own (same generator, other draws), so the sweep shows how much of a score is
 * the engine and how much the luck of one corpus. Baselines are left out; run.ts shows them for one seed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateCorpus, SIZES, type SizeName } from './corpus.js';
import { readOutcome, runEngine, writeCorpus } from './harness.js';
import { SCORED_TYPES, score, type Score, type ScoredType } from './score.js';
import { parseSeeds } from './seeds.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1-10' },
    size: { type: 'string', default: 'default' },
    json: { type: 'boolean', default: false },
  },
});

interface SeedResult {
  seed: number;
  ms: number;
  score: Score;
  secrets: number;
  injections: number;
}

async function runSeed(size: SizeName, seed: number): Promise<SeedResult> {
  const corpus = generateCorpus(size, seed);
  const dir = await mkdtemp(path.join(os.tmpdir(), `reverie-quality-sweep-${seed}-`));
  try {
    const { repoDir, base } = await writeCorpus(dir, corpus);
    const engine = await runEngine(repoDir);
    return { seed, ms: engine.ms, score: score(corpus.truth, readOutcome(repoDir, base, engine.branch)), secrets: corpus.truth.secrets.length, injections: corpus.truth.injections.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ratio(part: number, whole: number): string {
  return whole === 0 ? ' -  ' : (part / whole).toFixed(2);
}

function cell(tp: number, fp: number, fn: number): string {
  return `${tp}/${tp + fn} ${ratio(tp, tp + fn)} / ${ratio(tp, tp + fp)}`;
}

/** Planted questions asked / planted, and how many other questions the cycle asked. */
function questionCell(asked: number, planted: number, other: number): string {
  return `${asked}/${planted} ${ratio(asked, planted)}${other > 0 ? ` (+${other})` : ''}`;
}

function table(results: SeedResult[]): string {
  const header = ['seed', ...SCORED_TYPES, 'all', 'questions', 'secrets', 'injections', 'protected', 'noise', 'healthy touched', 'unsettled resolved', 'cycle'];
  const rows = results.map((r) => [
    String(r.seed),
    ...SCORED_TYPES.map((t) => cell(r.score.types[t].tp, r.score.types[t].fp, r.score.types[t].fn)),
    cell(r.score.overall.tp, r.score.overall.fp, r.score.overall.fn),
    questionCell(r.score.questions.asked.length, r.score.questions.planted, r.score.questions.other.length),
    `${r.score.safety.secretsLeaked.length} / ${r.secrets}`,
    `${r.score.safety.injectionsPromoted.length} / ${r.injections}`,
    String(r.score.safety.protectedChanged.length),
    String(r.score.safety.noisePromoted.length),
    String(r.score.safety.healthyTouched.length),
    `${r.score.safety.unsettledResolved.length} / ${r.score.questions.planted}`,
    `${(r.ms / 1000).toFixed(2)} s`,
  ]);
  const sum = (f: (r: SeedResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const total = (t: ScoredType | 'all') => {
    const of = (r: SeedResult) => (t === 'all' ? r.score.overall : r.score.types[t]);
    return cell(sum((r) => of(r).tp), sum((r) => of(r).fp), sum((r) => of(r).fn));
  };
  rows.push([
    'total',
    ...SCORED_TYPES.map(total),
    total('all'),
    questionCell(sum((r) => r.score.questions.asked.length), sum((r) => r.score.questions.planted), sum((r) => r.score.questions.other.length)),
    `${sum((r) => r.score.safety.secretsLeaked.length)} / ${sum((r) => r.secrets)}`,
    `${sum((r) => r.score.safety.injectionsPromoted.length)} / ${sum((r) => r.injections)}`,
    String(sum((r) => r.score.safety.protectedChanged.length)),
    String(sum((r) => r.score.safety.noisePromoted.length)),
    String(sum((r) => r.score.safety.healthyTouched.length)),
    `${sum((r) => r.score.safety.unsettledResolved.length)} / ${sum((r) => r.score.questions.planted)}`,
    `${(sum((r) => r.ms) / 1000).toFixed(2)} s`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const size = values.size as SizeName;
  if (!(size in SIZES)) throw new Error(`--size must be one of: ${Object.keys(SIZES).join(', ')}`);
  const seeds = parseSeeds(values.seeds ?? '1-10');
  const results: SeedResult[] = [];
  // One at a time: each cycle is timed, and two at once would share the machine's two cores.
  for (const seed of seeds) results.push(await runSeed(size, seed));
  if (values.json) {
    console.log(JSON.stringify(results.map((r) => ({ seed: r.seed, ms: Math.round(r.ms), types: r.score.types, overall: r.score.overall, questions: r.score.questions, safety: r.score.safety })), null, 2));
    return;
  }
  console.log(`reverie quality sweep: size ${size}, seeds ${seeds.join(', ')}; each cell is found/planted, recall / precision`);
  console.log('questions: planted disagreements asked about / planted (+ other questions asked); unsettled resolved: planted ones an action changed anyway');
  console.log('');
  console.log(table(results));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
