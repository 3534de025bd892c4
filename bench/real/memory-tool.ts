/**
 * The memory tool on a repository: what one write costs (in-process: the handler call, from the command to the moved
 * branch, repository lock included), what a view costs, and what the session branches add to `reverie status`
 * (whole-process: the built CLI, start-up included), before and after, run alternately.
 *
 *   npx tsx bench/real/memory-tool.ts [--writes 200] [--runs 7] [--before <checkout with dist/ built>]
 *
 * The repository is examples/memory-repo (its memory and 28 session logs), committed fresh in a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { repositoryMemory } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({ options: { writes: { type: 'string', default: '200' }, runs: { type: 'string', default: '7' }, before: { type: 'string' } } });
const WRITES = Number(values.writes);
const RUNS = Number(values.runs);

const git = (dir: string, args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

function freshRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reverie-memory-tool-'));
  cpSync(path.join(ROOT, 'examples/memory-repo'), dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'memory']);
  return dir;
}

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${median.toFixed(1)} (${sorted[0]!.toFixed(1)}-${sorted.at(-1)!.toFixed(1)})`;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function writes(): Promise<string> {
  const dir = freshRepo();
  try {
    const memory = await repositoryMemory({ repoDir: dir, session: 'bench' });
    const create: number[] = [];
    const insert: number[] = [];
    const replace: number[] = [];
    const view: number[] = [];
    const list: number[] = [];
    create.push(await timed(() => memory.create({ command: 'create', path: '/memories/agent.md', file_text: '# Agent notes\n' })));
    for (let i = 0; i < WRITES; i++) {
      if (i % 3 === 0) create.push(await timed(() => memory.create({ command: 'create', path: `/memories/agent/n${i}.md`, file_text: `# Note ${i}\n\n- token ghp_${'x'.repeat(4)}${i}\n` })));
      else if (i % 3 === 1) insert.push(await timed(() => memory.insert({ command: 'insert', path: '/memories/agent.md', insert_line: 1, insert_text: `- learned ${i}: run \`pnpm -r build\` before tests` })));
      else replace.push(await timed(() => memory.str_replace({ command: 'str_replace', path: '/memories/agent.md', old_str: `learned ${i - 1}:`, new_str: `learned ${i - 1} (checked):` })));
      if (i % 10 === 0) {
        view.push(await timed(() => memory.view({ command: 'view', path: '/memories/notes.md' })));
        list.push(await timed(() => memory.view({ command: 'view', path: '/memories' })));
      }
    }
    const commits = git(dir, ['rev-list', '--count', `main..${memory.branch}`]);
    return [
      `writes: ${WRITES + 1} on one session branch (${commits} commits), examples/memory-repo; in-process, ms per call: median (range)`,
      `  create       ${stats(create)}  n=${create.length}`,
      `  insert       ${stats(insert)}  n=${insert.length}`,
      `  str_replace  ${stats(replace)}  n=${replace.length}`,
      `  view file    ${stats(view)}  n=${view.length}`,
      `  view /memories ${stats(list)}  n=${list.length}`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cli(checkout: string, dir: string, args: string[]): number {
  const start = performance.now();
  execFileSync(process.execPath, [path.join(checkout, 'dist/cli/main.js'), ...args], { cwd: dir, stdio: 'ignore' });
  return performance.now() - start;
}

async function status(): Promise<string> {
  const dir = freshRepo();
  try {
    const lines = [`reverie status on examples/memory-repo, whole-process ms: median (range) of ${RUNS}, alternating`];
    const before: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (values.before) before.push(cli(values.before, dir, ['status']));
      after.push(cli(ROOT, dir, ['status']));
    }
    if (values.before) lines.push(`  no session branch, before  ${stats(before)}`);
    lines.push(`  no session branch, after   ${stats(after)}`);
    const memory = await repositoryMemory({ repoDir: dir, session: 'bench' });
    await memory.create({ command: 'create', path: '/memories/agent.md', file_text: '# Agent notes\n' });
    for (let i = 0; i < WRITES; i++) await memory.insert({ command: 'insert', path: '/memories/agent.md', insert_line: 1, insert_text: `- note ${i}` });
    const waiting: number[] = [];
    for (let i = 0; i < RUNS; i++) waiting.push(cli(ROOT, dir, ['status']));
    lines.push(`  one session branch of ${WRITES + 1} commits, after ${stats(waiting)}`);
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(await writes());
console.log(await status());
