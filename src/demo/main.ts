/**
 * `npm run demo`: a real dream cycle on the bundled example (examples/memory-repo) in a temporary copy,
 * with the offline engine. Runs the CLI as a user would, then shows the branch, its commits and the diff.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unifiedDiff } from '../cycle/diff.js';
import { commitExample } from './example.js';
import { listBranches, openRepo, readFilesAt, readLog, resolveRef } from '../git/index.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const cli = path.join(packageRoot, 'dist/cli/main.js');

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-demo-'));
  await cp(path.join(packageRoot, 'examples/memory-repo'), dir, { recursive: true });
  await commitExample(dir);
  heading(`a memory repo with ${await countSessions(dir)} session logs from two agents, in ${dir}`);

  heading('reverie dream --mode review');
  reverie(dir, ['dream', '--mode', 'review']);

  const repo = await openRepo(dir);
  const [branch] = await listBranches(repo, 'reverie/dream-');
  if (!branch) throw new Error('the cycle made no branch');
  const main = (await resolveRef(repo, 'refs/heads/main')) as string;
  const tip = (await resolveRef(repo, `refs/heads/${branch}`)) as string;

  heading(`branch ${branch}: one commit per action`);
  for (const entry of (await readLog(repo, tip, { since: main })).reverse()) {
    console.log(`\n${entry.oid.slice(0, 7)} ${entry.subject}`);
    for (const [key, values] of Object.entries(entry.trailers)) console.log(`        ${key}: ${values.join(', ')}`);
  }

  heading(`diff main..${branch} (memory/)`);
  const inMemory = (p: string) => p.startsWith('memory/');
  console.log(unifiedDiff(await readFilesAt(repo, main, inMemory), await readFilesAt(repo, tip, inMemory)));

  const cycle = branch.replace('reverie/dream-', '');
  heading(`reverie approve ${cycle}`);
  reverie(dir, ['approve', cycle]);

  heading('reverie dream (again, same sessions)');
  reverie(dir, ['dream', '--mode', 'review']);

  heading('reverie log');
  reverie(dir, ['log']);

  heading('reverie why memory/tools.md:3 (where a line of memory came from)');
  reverie(dir, ['why', 'memory/tools.md:3']);
  console.log(`\nThe repository stays in ${dir} for you to explore (git log --stat, reverie status --repo ${dir}).`);
}

function reverie(dir: string, args: string[]): void {
  const run = spawnSync(process.execPath, [cli, ...args, '--repo', dir], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`reverie ${args.join(' ')} exited with ${run.status}`);
}

function heading(text: string): void {
  console.log(`\n\x1b[1m== ${text}\x1b[0m`);
}

async function countSessions(dir: string): Promise<number> {
  const files = await readFilesAt(await openRepo(dir), (await resolveRef(await openRepo(dir), 'HEAD')) as string, (p) => p.endsWith('.jsonl'));
  return files.size;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
