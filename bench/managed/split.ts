/**
 * How long taking a dream apart takes, and whether its actions give back what it wrote:
 *
 *     npx tsx bench/managed/split.ts [--entries 5000] [--files 50] [--seed 1] [--json]
 *
 * A memory of `--entries` notes over `--files` files, and a dream's output of it with a tenth of the notes reworded,
 * a tenth removed, a twentieth pairs folded into one, and a tenth new: splitDream turns the output into actions, in
 * process, timed by CPU; then the actions are applied to the memory and its entries compared with the dream's, by
 * file, section and words. Prints the CPU time of the split, the process's peak RSS, the actions by type, and the
 * share of the dream's entries the actions reproduce.
 */
import { parseArgs } from 'node:util';
import { applyActions } from '../../src/dream/apply.js';
import { comparableText } from '../../src/dream/curate/effects.js';
import { splitDream } from '../../src/dream/engines/managed/split.js';
import { buildSnapshot, entriesOf, parseDocument, type Namespace } from '../../src/memory/index.js';

const WORDS = ['deploy', 'cache', 'lint', 'billing', 'gateway', 'schema', 'docker', 'queue', 'webhook', 'ledger', 'invoice', 'router', 'token', 'bucket', 'cron', 'kafka', 'redis', 'pytest', 'vitest', 'terraform', 'helm', 'nginx', 'grafana', 'sentry'];

/** A small deterministic generator (mulberry32), so that a seed gives the same memory on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SplitBench {
  entries: number;
  files: number;
  cpuMs: number;
  peakRssMb: number;
  actions: Record<string, number>;
  written: number;
  reproduced: number;
}

export function runSplitBench(entries: number, fileCount: number, seed: number): SplitBench {
  const next = random(seed);
  const pick = () => WORDS[Math.floor(next() * WORDS.length)] as string;
  const note = (i: number) => `Note ${i}: the ${pick()} ${pick()} uses \`${pick()}-${i}\` with ${pick()} and ${pick()}.`;
  const input = new Map<string, string>();
  const output = new Map<string, string>();
  const perFile = Math.ceil(entries / fileCount);
  for (let f = 0; f < fileCount; f++) {
    const path = `memory/topic-${f}.md`;
    const before: string[] = [];
    const after: string[] = [];
    for (let i = f * perFile; i < Math.min(entries, (f + 1) * perFile); i++) {
      const text = note(i);
      before.push(text);
      const roll = next();
      if (roll < 0.1) after.push(`${text.slice(0, -1)}, checked weekly.`);
      else if (roll < 0.2) continue;
      else if (roll < 0.25 && before.length > 1) {
        const previous = before[before.length - 2] as string;
        const at = after.indexOf(previous);
        if (at >= 0) after.splice(at, 1, `${previous.slice(0, -1)}; ${text}`);
        else after.push(text);
      } else after.push(text);
      if (next() < 0.1) after.push(`New ${i}: the ${pick()} ${pick()} now runs on \`${pick()}\`.`);
    }
    input.set(path, `# Topic ${f}\n\n${before.map((t) => `- ${t}\n`).join('')}`);
    output.set(path, `# Topic ${f}\n\n${after.map((t) => `- ${t}\n`).join('')}`);
  }
  const namespaces: Namespace[] = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream' }];
  const memory = buildSnapshot([...input].map(([path, text]) => ({ path, text })), 'memory', namespaces);

  const start = process.cpuUsage();
  const { actions } = splitDream(memory, output, { dream: 'drm_bench' });
  const used = process.cpuUsage(start);

  const applied = applyActions(input, actions);
  const keys = (files: ReadonlyMap<string, string>) => [...files].flatMap(([path, text]) => entriesOf(parseDocument(path, text), 'notes', 'dream').map((e) => `${path}\u0000${e.section.join('/')}\u0000${comparableText(e.text)}`));
  const have = new Map<string, number>();
  for (const key of keys(applied)) have.set(key, (have.get(key) ?? 0) + 1);
  let written = 0;
  let reproduced = 0;
  for (const key of keys(output)) {
    written++;
    const left = have.get(key) ?? 0;
    if (left > 0) {
      reproduced++;
      have.set(key, left - 1);
    }
  }
  const byType: Record<string, number> = {};
  for (const action of actions) byType[action.type] = (byType[action.type] ?? 0) + 1;
  return { entries, files: fileCount, cpuMs: Math.round((used.user + used.system) / 1000), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), actions: byType, written, reproduced };
}

function main(): void {
  const { values } = parseArgs({ options: { entries: { type: 'string', default: '5000' }, files: { type: 'string', default: '50' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
  const result = runSplitBench(Number(values.entries), Number(values.files), Number(values.seed));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const types = Object.entries(result.actions).map(([type, n]) => `${n} ${type}`).join(', ');
  process.stdout.write(
    [
      `splitDream: ${result.entries} entries in ${result.files} files`,
      `split, in process: ${result.cpuMs} ms CPU; peak RSS of the process ${result.peakRssMb} MB`,
      `actions: ${types}`,
      `the dream's entries the actions reproduce: ${result.reproduced} of ${result.written}`,
    ].join('\n') + '\n',
  );
}

main();
