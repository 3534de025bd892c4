/**
 * What a claude-engine cycle of 100 and of 1,000 new sessions would cost, per choice of models, as `reverie dream
 * --dry-run` estimates it: its prompts counted by count_tokens, output guessed (500 tokens per session, 1,500 for
 * curate), priced at the list prices of src/dream/engines/claude/pricing.ts, one by one and as a Message Batch.
 *
 *     npx tsx bench/claude/cost.ts [--sizes 100,1000] [--entries 200] [--json]
 *
 * count_tokens is answered by the fake Messages API of the tests (test/helpers/fake-anthropic.ts), which counts
 * four characters as a token: a real tokenizer counts differently, so the figures are estimates of an estimate.
 * Nothing is sent but token counts, and no key is needed. The sessions are the performance benchmark's
 * (bench/perf/sessions.ts, about 10 KB of Claude Code transcript each) and so is the memory (`--entries` entries).
 * The last column is the forecast of the dry run: about the smallest `claude.budget.usd` under which the cycle
 * finishes, which is its cost plus room for the curate request's reservation (all of its max_tokens).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { dream } from '../../src/cycle/dream.js';
import type { CostEstimate } from '../../src/dream/types.js';
import { startFakeAnthropic } from '../../test/helpers/fake-anthropic.js';
import { createBenchRepo, git } from '../perf/repo.js';

export interface ModelChoice {
  map: string;
  curate: string;
}

/** The defaults first, then one model for both phases at three prices, then a strong map. */
export const CHOICES: ModelChoice[] = [
  { map: 'claude-haiku-5-5', curate: 'claude-opus-5-5' },
  { map: 'claude-haiku-5-5', curate: 'claude-haiku-5-5' },
  { map: 'claude-sonnet-5-5', curate: 'claude-sonnet-5-5' },
  { map: 'claude-sonnet-5-5', curate: 'claude-opus-5-5' },
  { map: 'claude-opus-5-5', curate: 'claude-opus-5-5' },
];

export interface CostRow {
  sessions: number;
  choice: ModelChoice;
  oneByOne: CostEstimate;
  batch: CostEstimate;
}

const API_KEY = 'sk-ant-bench-count-tokens-only';
/** A budget no cycle here reaches: only for the forecast's `needed`. */
const AMPLE_USD = 1_000_000;

export async function estimateCosts(sizes: number[], entries: number): Promise<CostRow[]> {
  const fake = await startFakeAnthropic({ apiKey: API_KEY });
  const rows: CostRow[] = [];
  try {
    for (const sessions of sizes) {
      const dir = await mkdtemp(path.join(os.tmpdir(), `reverie-cost-${sessions}-`));
      try {
        createBenchRepo(dir, { sessions, entries, pack: false });
        const base = await readFile(path.join(dir, 'reverie.yaml'), 'utf8');
        for (const choice of CHOICES) {
          await writeFile(path.join(dir, 'reverie.yaml'), `${base}claude:\n  map:\n    model: ${choice.map}\n  curate:\n    model: ${choice.curate}\n  budget:\n    usd: ${AMPLE_USD}\n`);
          git(dir, ['commit', '-q', '-am', `claude: ${choice.map} and ${choice.curate}`]);
          const estimate = async (batch: boolean) => {
            const result = await dream({ repoDir: dir, mode: 'dry-run', engine: 'claude', batch, claude: { apiKey: API_KEY, baseURL: fake.url } });
            const found = result.run?.estimate;
            if (!found || found.method !== 'count_tokens') throw new Error(`no count_tokens estimate for ${sessions} sessions on ${choice.map} and ${choice.curate}: ${result.run?.warnings.join('; ')}`);
            return found;
          };
          rows.push({ sessions, choice, oneByOne: await estimate(false), batch: await estimate(true) });
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await fake.close();
  }
  return rows;
}

/** Cents, and a tenth of a cent under a dollar, where the cheap models' figures are. */
const dollars = (usd: number | null | undefined) => (usd === null || usd === undefined ? 'unknown' : `$${usd.toFixed(usd < 1 ? 3 : 2)}`);
const tokens = (n: number) => `${(n / 1_000_000).toFixed(2)} M`;
const short = (model: string) => model.replace(/^claude-/, '');

/** The table as it goes in BENCHMARKS.md. */
export function costTable(rows: CostRow[]): string {
  const lines = [
    '| sessions | map model | curate model | prompt tokens (map + curate) | map | curate | cycle | cycle, map as a batch | budget that finishes it |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { sessions, choice, oneByOne, batch } of rows) {
    const { map, curate } = oneByOne.phases;
    lines.push(
      `| ${sessions.toLocaleString('en-US')} | ${short(choice.map)} | ${short(choice.curate)} | ${tokens(map.inputTokens)} + ${tokens(curate.inputTokens)} | ${dollars(map.costUsd)} | ${dollars(curate.costUsd)} | ${dollars(oneByOne.costUsd)} | ${dollars(batch.costUsd)} | ${dollars(oneByOne.budget?.needed.usd)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,1000' }, entries: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
  const sizes = (values.sizes as string).split(',').map(Number);
  const entries = Number(values.entries);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(entries) || entries < 1) {
    console.error('--sizes takes whole numbers separated by commas, --entries a whole number');
    process.exit(2);
  }
  const rows = await estimateCosts(sizes, entries);
  console.log(values.json ? JSON.stringify(rows, null, 2) : costTable(rows));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
