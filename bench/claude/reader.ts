/**
 * What `reverie test --reader claude` sends and costs, and what its cache spares: the built command line on the
 * performance benchmark's memory (`--entries` entries, bench/perf/memory.ts) with `--cases` cases, each asking about
 * one entry by its own words and expecting another of them. The model is the fake Messages API of the tests
 * (test/helpers/fake-anthropic.ts), scripted as a reader that cites the entry sharing most words with the question;
 * it counts four characters as a token, so tokens and dollars are estimates of an estimate, priced at the list prices
 * of src/dream/engines/claude/pricing.ts for the model reverie.yaml names (claude.curate.model).
 *
 *     npx tsx bench/claude/reader.ts [--entries 200] [--cases 20] [--runs 7] [--cli <older build>/dist/cli/main.js]
 *
 * Whole-process times (spawn to exit, Node's start-up included) of the offline reader, of the claude reader asking
 * every case (the fake answers on 127.0.0.1 at once: this is reverie's own time, not a model's), and of the claude
 * reader answered from the cache; with `--cli`, the offline reader of that build too, run alternately with this one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reply, startFakeAnthropic, type MessageBody } from '../../test/helpers/fake-anthropic.js';
import { systemText, userText } from '../../test/helpers/claude-model.js';
import { generateMemory } from '../perf/memory.js';
import { createBenchRepo, git } from '../perf/repo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({ options: { entries: { type: 'string', default: '200' }, cases: { type: 'string', default: '20' }, runs: { type: 'string', default: '7' }, cli: { type: 'string' } } });
const ENTRIES = Number(values.entries);
const CASES = Number(values.cases);
const RUNS = Number(values.runs);
const CLI = path.join(ROOT, 'dist/cli/main.js');
const BEFORE = values.cli ? path.resolve(values.cli) : undefined;
const API_KEY = 'sk-ant-bench-reader-only';

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z][a-z0-9]{5,}/g) ?? [];
}

/** Cases spread over the memory: the question names two of an entry's words, the case expects a third. */
function casesFor(entries: readonly string[]): string {
  const step = Math.max(1, Math.floor(entries.length / CASES));
  const cases: string[] = [];
  for (let i = 0; i < entries.length && cases.length < CASES; i += step) {
    const own = [...new Set(words(entries[i] as string))];
    if (own.length < 3) continue;
    cases.push(`  - name: entry ${i}\n    question: What should I know about the ${own[0]} ${own[1]}?\n    expect: ${own[2]}\n`);
  }
  return `cases:\n${cases.join('')}`;
}

/** The reader the fake plays: it cites the entry sharing most words with the question, and quotes its start. */
function answer(body: MessageBody) {
  const asked = new Set(words(userText(body)));
  const blocks = systemText(body).split(/\n\n(?=\[\d+\] )/);
  let best = { n: 0, score: 0, text: '' };
  for (const block of blocks) {
    const n = Number(/^\[(\d+)\] /.exec(block)?.[1] ?? 0);
    const score = words(block).filter((w) => asked.has(w)).length;
    if (n > 0 && score > best.score) best = { n, score, text: block.split('\n').slice(1).join(' ') };
  }
  return best.n ? reply.json({ answer: best.text.slice(0, 300), entries: [best.n] }) : reply.json({ answer: 'My memory does not say.', entries: [] });
}

function run(cli: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ ms: number; code: number; stdout: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code: code ?? -1, stdout }));
  });
}

function summary(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `${Math.round(sorted[Math.floor(sorted.length / 2)] as number)} ms (${Math.round(sorted[0] as number)}-${Math.round(sorted.at(-1) as number)})`;
}

async function main(): Promise<void> {
  for (const cli of [CLI, BEFORE]) if (cli && !existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const fake = await startFakeAnthropic({ apiKey: API_KEY, respond: answer, minimumCacheableTokens: 512 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-reader-'));
  try {
    createBenchRepo(dir, { sessions: 0, entries: ENTRIES, pack: false });
    const memory = generateMemory(ENTRIES);
    const entryTexts = [...memory.files.values()].flatMap((text) => text.split('\n').filter((line) => line.startsWith('- ')));
    const testsDir = path.join(dir, '.reverie', 'tests');
    await mkdir(testsDir, { recursive: true });
    await writeFile(path.join(testsDir, 'bench.yaml'), casesFor(entryTexts));
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'memory tests']);
    const env = { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url };
    const cacheDir = path.join(dir, '.git', 'reverie', 'claude', 'tests');

    const offline: number[] = [];
    const before: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    let report: { claude: { model: string; requests: number; usage: Record<string, number>; cost_usd: number | null }; passed: number; failed: number } | undefined;
    for (let i = 0; i < RUNS; i++) {
      offline.push((await run(CLI, ['test'], dir, {})).ms);
      if (BEFORE) before.push((await run(BEFORE, ['test'], dir, {})).ms);
      await rm(cacheDir, { recursive: true, force: true });
      const asked = await run(CLI, ['test', '--reader', 'claude', '--json'], dir, env);
      cold.push(asked.ms);
      report ??= JSON.parse(asked.stdout);
      const kept = await run(CLI, ['test', '--reader', 'claude', '--json'], dir, env);
      if (JSON.parse(kept.stdout).claude.requests !== 0) throw new Error('the second run sent requests');
      warm.push(kept.ms);
    }
    const prompt = fake.requests.find((r) => r.path.startsWith('/v1/messages'))?.body as MessageBody;
    console.log(`memory: ${ENTRIES} entries (${Math.round(systemText(prompt).length / 1024)} KB of prompt prefix); ${report?.passed} of ${(report?.passed ?? 0) + (report?.failed ?? 0)} cases passed`);
    console.log(`one run asking every case: ${report?.claude.requests} requests to ${report?.claude.model}, usage ${JSON.stringify(report?.claude.usage)}, $${report?.claude.cost_usd}`);
    console.log(`whole process, ${RUNS} runs each (median, range):`);
    console.log(`  reverie test (offline)                      ${summary(offline)}`);
    if (BEFORE) console.log(`  reverie test (offline), --cli build         ${summary(before)}`);
    console.log(`  reverie test --reader claude, every case    ${summary(cold)}`);
    console.log(`  reverie test --reader claude, from cache    ${summary(warm)}`);
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
