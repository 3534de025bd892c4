/**
 * A real dream, through reverie: how much of what Anthropic's Dreams decide reaches review, and what the guards keep
 * out.
 *
 *     ANTHROPIC_API_KEY=… npx tsx bench/managed/eval.ts [--agent agent_…] [--sessions N] [--memory <folder>]
 *       [--model ID] [--wait-minutes M] [--json] [--keep]
 *
 * It runs one managed cycle in review mode on a memory repository made for it (the Markdown files of `--memory`, or
 * a small built-in memory with a duplicate and a stale note), against the newest ended Managed Agents sessions of the
 * workspace (or of `--agent`), at most `--sessions` (5 by default). Then it compares the dream's output store with the
 * cycle's branch, entry by entry: the share of the dream's entries the proposed actions reach, and each change the
 * guards kept out, with the reason. It creates a memory store and a dream, so it costs what the dream costs; the report
 * says how much. ANTHROPIC_BASE_URL, when set, names another endpoint. Without ANTHROPIC_API_KEY it says it is skipped
 * and exits 0, so that a CI job without the secret passes.
 */
import Anthropic from '@anthropic-ai/sdk';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { dream, type DreamResult } from '../../src/cycle/dream.js';
import { comparableText } from '../../src/dream/curate/effects.js';
import { readStore } from '../../src/dream/engines/managed/store.js';
import { entriesOf, parseDocument } from '../../src/memory/index.js';
import { git } from '../quality/harness.js';

export interface ManagedEvalOptions {
  agent?: string;
  sessions?: number;
  /** A folder of Markdown files to use as the memory, else the built-in one. */
  memory?: string;
  model?: string;
  waitMinutes?: number;
  env?: Record<string, string | undefined>;
  keep?: boolean;
}

export type ManagedEvalReport =
  | { skipped: string }
  | {
      outcome: DreamResult['outcome'];
      approval: string;
      run: DreamResult['run'];
      actions: { type: string; summary: string; evidence: number }[];
      dropped: { type: string; summary: string; reason: string }[];
      /** Entries of the dream's output store, and how many of them the cycle's branch holds. */
      fidelity: { written: number; reached: number; missed: string[] };
      dir: string | null;
    };

/** A memory with work in it for a dream: a duplicate, a stale command, notes a person wrote. */
const BUILT_IN: Record<string, string> = {
  'memory/notes.md': `# Notes

## Tools

- Install dependencies with \`npm install\`.
- Install the dependencies with \`npm install\` before running tests.
- Run the tests with \`npm test\`.
- The API server listens on port 8080 locally.

## Conventions

- Keep pull requests small and focused.
`,
  'memory/instructions/CLAUDE.md': '# Instructions\n\n- Never push to main directly; open a pull request.\n',
};

const CONFIG = (model: string | undefined, sessions: number, waitMinutes: number, agent: string | undefined) => `mode: review
engine: managed
memory:
  root: memory
  namespaces:
    - name: instructions
      paths: ["instructions/**"]
      policy: protected
    - name: notes
      paths: ["**/*.md"]
      policy: dream
sessions: []
managed:
${model ? `  model: ${model}\n` : ''}  sessions:
    max_per_dream: ${sessions}
${agent ? `    agent_id: ${agent}\n` : ''}  wait_minutes: ${waitMinutes}
`;

export async function runManagedEval(options: ManagedEvalOptions = {}): Promise<ManagedEvalReport> {
  const env = options.env ?? process.env;
  const apiKey = env.ANTHROPIC_API_KEY;
  if (!apiKey) return { skipped: 'skipped: ANTHROPIC_API_KEY is not set; the eval creates a dream on the Dreams API and needs a key' };
  const baseURL = env.ANTHROPIC_BASE_URL;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-managed-eval-'));
  try {
    const memory = options.memory ? await markdownFiles(options.memory) : BUILT_IN;
    const files = { ...memory, 'reverie.yaml': CONFIG(options.model, options.sessions ?? 5, options.waitMinutes ?? 30, options.agent) };
    git(dir, ['init', '-q', '-b', 'main']);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'user.name=eval', '-c', 'user.email=eval@example.com', 'commit', '-q', '-m', 'memory']);
    const result = await dream({ repoDir: dir, managed: { apiKey, ...(baseURL ? { baseURL } : {}) } });
    const fidelity = await fidelityOf(dir, result, new Anthropic({ apiKey, ...(baseURL ? { baseURL } : {}) }));
    return {
      outcome: result.outcome,
      approval: result.approval,
      run: result.run,
      actions: result.actions.map((a) => ({ type: a.type, summary: a.summary, evidence: a.evidence.length })),
      dropped: result.dropped.map((d) => ({ type: d.type, summary: d.summary, reason: d.reason })),
      fidelity,
      dir: options.keep ? dir : null,
    };
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

/** The dream's entries, by file and words, and which of them the cycle's branch holds. */
async function fidelityOf(dir: string, result: DreamResult, client: Anthropic): Promise<{ written: number; reached: number; missed: string[] }> {
  const store = result.run?.dream?.outputStore;
  if (!store || result.outcome !== 'committed') return { written: 0, reached: 0, missed: [] };
  const { files: output } = await readStore(client, store, 'memory');
  const tip = result.branch && git(dir, ['branch', '--list', result.branch]).trim() !== '' ? result.branch : 'main';
  const listed = git(dir, ['ls-tree', '-r', '--name-only', tip, 'memory']).trim();
  const branch = new Map((listed === '' ? [] : listed.split('\n')).map((file) => [file, git(dir, ['show', `${tip}:${file}`])]));
  const have = new Map<string, number>();
  for (const key of keysOf(branch)) have.set(key, (have.get(key) ?? 0) + 1);
  const missed: string[] = [];
  let written = 0;
  for (const key of keysOf(output)) {
    written++;
    const left = have.get(key) ?? 0;
    if (left > 0) have.set(key, left - 1);
    else missed.push(key.replace('\u0000', ': '));
  }
  return { written, reached: written - missed.length, missed };
}

function keysOf(files: ReadonlyMap<string, string>): string[] {
  return [...files].filter(([file]) => file.endsWith('.md')).flatMap(([file, text]) => entriesOf(parseDocument(file, text), 'memory', 'dream').map((e) => `${file}\u0000${comparableText(e.text)}`));
}

async function markdownFiles(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.md')) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.posix.join('memory', path.relative(folder, full).split(path.sep).join('/'))] = await readFile(full, 'utf8');
  }
  return files;
}

export function managedEvalText(report: ManagedEvalReport): string {
  if ('skipped' in report) return report.skipped;
  const out = [`reverie eval: a dream through the managed engine: ${report.outcome} (${report.approval})`];
  const dreamt = report.run?.dream;
  if (dreamt) out.push(`dream ${dreamt.id}: ${dreamt.status}, ${dreamt.sessions} session${dreamt.sessions === 1 ? '' : 's'}, model ${report.run?.model}`);
  if (report.run) {
    const { usage, costUsd } = report.run;
    out.push(`tokens: ${usage.input} in + ${usage.output} out (cache: ${usage.cacheWrite} written, ${usage.cacheRead} read), ${costUsd === null ? 'cost unknown (no price for this model)' : `$${costUsd.toFixed(4)}`}`);
  }
  const { written, reached, missed } = report.fidelity;
  out.push('', `the dream's entries the proposed actions reach: ${reached} of ${written}`);
  out.push('', `actions (${report.actions.length}):`, ...report.actions.map((a) => `- ${a.type}: ${a.summary} (${a.evidence} session${a.evidence === 1 ? '' : 's'} as evidence)`));
  out.push('', `kept out by the guards (${report.dropped.length}):`, ...report.dropped.map((d) => `- ${d.type}: ${d.summary}: ${d.reason}`));
  if (missed.length > 0) out.push('', 'entries of the dream not on the branch:', ...missed.slice(0, 20).map((m) => `- ${m}`));
  const warnings = report.run?.warnings ?? [];
  if (warnings.length > 0) out.push('', `warnings (${warnings.length}):`, ...warnings.slice(0, 10).map((w) => `- ${w}`));
  if (report.dir) out.push('', `repository kept in ${report.dir}`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      agent: { type: 'string' },
      sessions: { type: 'string', default: '5' },
      memory: { type: 'string' },
      model: { type: 'string' },
      'wait-minutes': { type: 'string', default: '30' },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const report = await runManagedEval({
    sessions: Number(values.sessions),
    waitMinutes: Number(values['wait-minutes']),
    keep: values.keep,
    ...(values.agent ? { agent: values.agent } : {}),
    ...(values.memory ? { memory: values.memory } : {}),
    ...(values.model ? { model: values.model } : {}),
  });
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : managedEvalText(report)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
