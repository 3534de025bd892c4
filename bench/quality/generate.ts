/**
 * Writes a corpus to a folder without scoring anything: `<out>/repo` (a git repository: reverie.yaml, memory
 * with its history, session logs) and `<out>/truth.json` (the planted ground truth).
 *
 *     npx tsx bench/quality/generate.ts --size default --seed 1 --out /tmp/reverie-corpus
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateCorpus, SIZES, type SizeName } from './corpus.js';
import { writeCorpus } from './harness.js';
import { validateTruth } from './plans.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: 'default' }, seed: { type: 'string', default: '1' }, out: { type: 'string' } } });
const size = values.size as SizeName;
if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
if (!values.out) throw new Error('--out <folder> is required');
if (existsSync(values.out)) throw new Error(`${values.out} exists; choose a new folder`);
const corpus = generateCorpus(size, Number(values.seed));
const problems = validateTruth(corpus);
if (problems.length) throw new Error(`the ground truth names entries that are not in memory:\n${problems.join('\n')}`);
const { repoDir } = await writeCorpus(values.out, corpus);
console.log(`${corpus.truth.corpus.sessions} sessions, ${corpus.truth.items.length} planted items: ${repoDir} (truth: ${values.out}/truth.json)`);
