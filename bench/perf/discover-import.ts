/**
 * Finding and importing agents' logs on a machine with many of them: a home folder in a temp dir holding `--logs`
 * logs (copies of the real fixtures, each made distinct by one added record), spread over Claude Code, Codex, Gemini
 * CLI and Copilot CLI in their own layouts. Times, in-process, `discoverLogs` (`--runs` times), a first import into
 * an empty sessions folder (everything copied, redacted) and a second one (everything already there); then, when the
 * command line is built (`npm run build`), `reverie sessions --discover --json` as a whole process, start-up included:
 *
 *     npx tsx bench/perf/discover-import.ts [--logs 2000] [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { discoverLogs, placeOf } from '../../src/sessions/discover.js';
import { importLogs } from '../../src/sessions/import.js';

const { values } = parseArgs({ options: { logs: { type: 'string', default: '2000' }, runs: { type: 'string', default: '5' } } });
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

/** Where each agent writes its `i`-th log, the fixture it copies, and how a record is added to make it distinct. */
const KINDS = [
  { fixture: 'claude-code/-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl', at: (i: number) => `.claude/projects/-Users-chip-dev-p${i % 20}/s${i}.jsonl` },
  { fixture: 'codex/agentcmd/rollout-2025-09-24T19-22-20-01997e76-d124-7592-9cac-2ec05abbca08.first189.jsonl', at: (i: number) => `.codex/sessions/2025/09/${10 + (i % 20)}/rollout-2025-09-24T19-22-20-${i}.jsonl` },
  { fixture: 'gemini-cli/session-2025-10-27T19-55-981c87cb.json', at: (i: number) => `.gemini/tmp/h${i % 20}/chats/session-2025-10-27T19-55-${i}.json` },
  { fixture: 'copilot-cli/agentv/325365b92c-0.jsonl', at: (i: number) => `.copilot/session-state/s${i}/events.jsonl` },
];

function distinct(text: string, fixture: string, i: number): string {
  // A JSON document gets a key, a JSON Lines log a record no reader minds.
  if (fixture.endsWith('.json')) return text.replace('{', `{\n  "benchCopy": ${i},`);
  return `${text.trimEnd()}\n{"type":"bench.copy","n":${i}}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const count = Number(values.logs);
  const root = path.join(tmpdir(), `reverie-bench-discover-${process.pid}`);
  const home = path.join(root, 'home');
  const repo = path.join(root, 'repo');
  try {
    const texts = await Promise.all(KINDS.map((k) => readFile(path.join(FIXTURES, k.fixture), 'utf8')));
    for (let i = 0; i < count; i++) {
      const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
      const file = path.join(home, kind.at(i));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, distinct(texts[i % KINDS.length] ?? '', kind.fixture, i));
    }
    await mkdir(repo, { recursive: true });
    const times: number[] = [];
    let found = 0;
    let bytes = 0;
    for (let run = 0; run < Number(values.runs); run++) {
      const start = performance.now();
      const agents = await discoverLogs({ home, env: {} });
      times.push(performance.now() - start);
      found = agents.reduce((n, a) => n + a.logs.length, 0);
      bytes = agents.reduce((n, a) => n + a.bytes, 0);
    }
    const agents = await discoverLogs({ home, env: {} });
    const logs = agents.flatMap((a) => a.logs.map((l) => ({ path: l.path, agent: a.agent, name: placeOf(a.agent)?.importName(l.relative, a.folder) ?? '' })));
    const first = performance.now();
    const imported = await importLogs({ repoDir: repo, folder: 'sessions', logs });
    const firstMs = performance.now() - first;
    const second = performance.now();
    const again = await importLogs({ repoDir: repo, folder: 'sessions', logs });
    const secondMs = performance.now() - second;
    const ms = (n: number) => `${Math.round(n)} ms`;
    console.log(`${found} logs, ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    console.log(`discover: median ${ms(median(times))} (range ${ms(Math.min(...times))}-${ms(Math.max(...times))}, ${times.length} runs)`);
    console.log(`first import: ${ms(firstMs)}, ${imported.copied.length} copied (${imported.copied.filter((c) => c.redacted > 0).length} with lines redacted), ${imported.skipped.length} skipped`);
    console.log(`second import: ${ms(secondMs)}, ${again.copied.length} copied, ${again.skipped.length} skipped`);
    const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    if (existsSync(cli)) {
      const whole: number[] = [];
      for (let run = 0; run < Number(values.runs); run++) {
        const start = performance.now();
        const child = spawnSync(process.execPath, [cli, 'sessions', '--discover', '--json'], { env: { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', GEMINI_CLI_HOME: '', COPILOT_HOME: '' }, maxBuffer: 1 << 28 });
        whole.push(performance.now() - start);
        if (child.status !== 0) throw new Error(`reverie sessions --discover exited ${child.status}: ${String(child.stderr)}`);
      }
      console.log(`reverie sessions --discover --json (whole process): median ${ms(median(whole))} (range ${ms(Math.min(...whole))}-${ms(Math.max(...whole))}, ${whole.length} runs)`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
