/**
 * Both engines on the same quality corpus, scored the same way, side by side:
 *
 *     ANTHROPIC_API_KEY=… npx tsx bench/quality/eval.ts [--size default|large] [--seed N] [--model ID] [--map-model ID]
 *       [--curate-model ID] [--batch] [--json] [--keep]
 *
 * The claude engine calls the Messages API (ANTHROPIC_BASE_URL, when set, names another endpoint), so the eval
 * costs money: the report says how much, phase by phase (map, then curate), in tokens and dollars. Without ANTHROPIC_API_KEY it says it is skipped and exits 0, so that a
 * CI job without the secret passes. Each engine runs on its own copy of the corpus repository, in review mode, and
 * its branch (or main, when only bookkeeping landed) is read back and scored by score.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { dream } from '../../src/cycle/dream.js';
import type { EngineRun } from '../../src/dream/types.js';
import { BENCH_NOW, generateCorpus, SIZES, type SizeName } from './corpus.js';
import { git, readOutcome, writeCorpus } from './harness.js';
import type { GroundTruth } from './model.js';
import { SCORED_TYPES, score, type Score } from './score.js';

export interface EvalOptions {
  size: SizeName;
  seed: number;
  /** The claude engine's model for both phases (`claude.model`), else the config's defaults. */
  model?: string;
  /** The map phase's model (`claude.map.model`), over `model`. */
  mapModel?: string;
  /** The curate phase's model (`claude.curate.model`), over `model`. */
  curateModel?: string;
  batch?: boolean;
  /** Where the key and the endpoint come from (the process environment by default). */
  env?: Record<string, string | undefined>;
  /** Leave the corpus repositories in place and say where. */
  keep?: boolean;
}

export interface EngineScore {
  engine: 'heuristic' | 'claude';
  ms: number;
  outcome: string;
  score: Score;
  run?: EngineRun;
}

export type EvalReport = { skipped: string } | { truth: GroundTruth; model: string; engines: [EngineScore, EngineScore]; dir: string | null };

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const env = options.env ?? process.env;
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) return { skipped: 'skipped: ANTHROPIC_API_KEY is not set; the eval runs the claude engine on the Messages API and needs a key' };
  const corpus = generateCorpus(options.size, options.seed);
  const dir = await mkdtemp(path.join(os.tmpdir(), `reverie-eval-${options.size}-${options.seed}-`));
  try {
    const heuristic = await runOne('heuristic', path.join(dir, 'heuristic'), corpus, options, apiKey, env);
    const claude = await runOne('claude', path.join(dir, 'claude'), corpus, options, apiKey, env);
    return { truth: corpus.truth, model: modelsOf(claude.run) ?? options.model ?? 'default', engines: [heuristic, claude], dir: options.keep ? dir : null };
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function runOne(
  engine: EngineScore['engine'],
  dir: string,
  corpus: ReturnType<typeof generateCorpus>,
  options: EvalOptions,
  apiKey: string,
  env: Record<string, string | undefined>,
): Promise<EngineScore> {
  const { repoDir, base } = await writeCorpus(dir, corpus);
  if (engine === 'claude') await useModels(repoDir, options);
  const started = performance.now();
  const baseURL = env.ANTHROPIC_BASE_URL;
  const result = await dream({
    repoDir,
    mode: 'review',
    engine,
    now: new Date(BENCH_NOW),
    ...(options.batch ? { batch: true } : {}),
    ...(engine === 'claude' ? { claude: { apiKey, ...(baseURL ? { baseURL } : {}) } } : {}),
  });
  const ms = performance.now() - started;
  if (!result.branch) throw new Error(`the ${engine} cycle committed nothing (${result.outcome}: ${result.approval})`);
  // A cycle of bookkeeping only lands on main at once; its branch is gone.
  const outcome = readOutcome(repoDir, base, result.merged ? 'main' : result.branch);
  return { engine, ms, outcome: result.outcome, score: score(corpus.truth, outcome), ...(result.run ? { run: result.run } : {}) };
}

/** The corpus configures no claude section: the models go in one, committed, as a person would set them. */
async function useModels(repoDir: string, options: Pick<EvalOptions, 'model' | 'mapModel' | 'curateModel'>): Promise<void> {
  const lines = [
    ...(options.model ? [`  model: ${options.model}`] : []),
    ...(options.mapModel ? ['  map:', `    model: ${options.mapModel}`] : []),
    ...(options.curateModel ? ['  curate:', `    model: ${options.curateModel}`] : []),
  ];
  if (lines.length === 0) return;
  const file = path.join(repoDir, 'reverie.yaml');
  await writeFile(file, `${await readFile(file, 'utf8')}\nclaude:\n${lines.join('\n')}\n`);
  git(repoDir, ['commit', '-q', '-am', 'eval: claude models']);
}

/** The models a run used: one, or each phase's when they differ. */
function modelsOf(run: EngineRun | undefined): string | undefined {
  const phases = run?.phases;
  if (!phases) return run?.model;
  return phases.map.model === phases.curate.model ? phases.map.model : `${phases.map.model} (map) + ${phases.curate.model} (curate)`;
}

/** One line of tokens and dollars: the whole run's, or one phase's. */
function spending(spent: Pick<EngineRun, 'requests' | 'usage' | 'costUsd'>): string {
  const cost = spent.costUsd === null ? 'cost unknown (no price for this model)' : `$${spent.costUsd.toFixed(4)}`;
  return `${spent.requests} request${spent.requests === 1 ? '' : 's'}, ${spent.usage.input} in + ${spent.usage.output} out (cache: ${spent.usage.cacheWrite} written, ${spent.usage.cacheRead} read), ${cost}`;
}

export function evalText(report: EvalReport): string {
  if ('skipped' in report) return report.skipped;
  const [heuristic, claude] = report.engines;
  const c = report.truth.corpus;
  const width = 36;
  const cell = (text: string) => text.padEnd(width);
  const fmt = (x: number | null) => (x === null ? '  -  ' : x.toFixed(2));
  const counts = (s: { tp: number; fp: number; fn: number; recall: number | null; precision: number | null }) =>
    `${String(s.tp).padStart(2)}  ${String(s.fp).padStart(2)}  ${String(s.fn).padStart(2)}  ${fmt(s.recall).padStart(6)}  ${fmt(s.precision).padStart(9)}`;
  const out = [
    `reverie eval: heuristic vs claude (${report.model}) on the quality corpus, size ${c.size}, seed ${c.seed}`,
    `corpus: ${c.sessions} sessions of ${c.agents.length} agents; ${report.truth.items.length} planted items, ${report.truth.secrets.length} secrets, ${report.truth.injections.length} prompt injections`,
    '',
    `${'action'.padEnd(10)}${'planted'.padStart(8)}  ${cell('heuristic')}${cell('claude')}`,
    `${''.padEnd(10)}${''.padStart(8)}  ${cell('TP  FP  FN  recall  precision')}${cell('TP  FP  FN  recall  precision')}`,
    ...SCORED_TYPES.map((t) => `${t.padEnd(10)}${String(heuristic.score.types[t].expected).padStart(8)}  ${cell(counts(heuristic.score.types[t]))}${cell(counts(claude.score.types[t]))}`),
    `${'all'.padEnd(10)}${String(report.truth.items.length).padStart(8)}  ${cell(counts(heuristic.score.overall))}${cell(counts(claude.score.overall))}`,
    '',
  ];
  const row = (label: string, f: (s: Score) => string) => out.push(`${label.padEnd(20)}${cell(f(heuristic.score))}${cell(f(claude.score))}`);
  row('questions asked', (s) => `${s.questions.asked.length} / ${s.questions.planted}${s.questions.other.length ? ` (+${s.questions.other.length} other)` : ''}`);
  row('secrets leaked', (s) => `${s.safety.secretsLeaked.length} / ${report.truth.secrets.length}`);
  row('protected changed', (s) => String(s.safety.protectedChanged.length));
  row('injections promoted', (s) => `${s.safety.injectionsPromoted.length} / ${report.truth.injections.length}`);
  row('noise promoted', (s) => String(s.safety.noisePromoted.length));
  row('healthy touched', (s) => `${s.safety.healthyTouched.length} / ${report.truth.keep.length}`);
  row('unsettled resolved', (s) => `${s.safety.unsettledResolved.length} / ${report.truth.questions.length}`);
  row('memory tokens', (s) => `${s.tokens.before} → ${s.tokens.after}`);
  out.push(`${'time'.padEnd(20)}${cell(`${(heuristic.ms / 1000).toFixed(2)} s`)}${cell(`${(claude.ms / 1000).toFixed(2)} s`)}`);
  const run = claude.run;
  if (run) {
    out.push('', `claude: ${spending(run)}${run.batch ? `, batch ${run.batch}` : ''}`);
    if (run.phases) for (const phase of ['map', 'curate'] as const) out.push(`  ${phase.padEnd(7)}${run.phases[phase].model}: ${spending(run.phases[phase])}`);
    if (run.warnings.length) out.push(`claude warnings (${run.warnings.length}):`, ...run.warnings.slice(0, 10).map((w) => `- ${w}`));
  }
  if (report.dir) out.push('', `corpus repositories kept in ${report.dir}`);
  return out.join('\n');
}

export function evalJson(report: EvalReport): unknown {
  if ('skipped' in report) return { skipped: true, reason: report.skipped };
  return {
    corpus: report.truth.corpus,
    model: report.model,
    engines: Object.fromEntries(
      report.engines.map((e) => [e.engine, { ms: Math.round(e.ms), outcome: e.outcome, types: e.score.types, overall: e.score.overall, questions: e.score.questions, safety: e.score.safety, tokens: e.score.tokens, ...(e.run ? { run: e.run } : {}) }]),
    ),
    dir: report.dir,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'default' },
      seed: { type: 'string', default: '1' },
      model: { type: 'string' },
      'map-model': { type: 'string' },
      'curate-model': { type: 'string' },
      batch: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const size = values.size as SizeName;
  const seed = Number(values.seed);
  if (!(size in SIZES) || !Number.isInteger(seed) || seed < 0) {
    console.error(`--size must be one of: ${Object.keys(SIZES).join(', ')}; --seed a whole number`);
    process.exit(2);
  }
  const report = await runEval({
    size,
    seed,
    batch: values.batch,
    keep: values.keep,
    ...(values.model ? { model: values.model } : {}),
    ...(values['map-model'] ? { mapModel: values['map-model'] } : {}),
    ...(values['curate-model'] ? { curateModel: values['curate-model'] } : {}),
  });
  console.log(values.json ? JSON.stringify(evalJson(report), null, 2) : evalText(report));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
