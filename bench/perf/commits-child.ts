/**
 * Commit-per-action throughput, in a process of its own: the same chain of commits written three ways, each
 * into its own copy of a benchmark repository, and checked to come out as the very same commits.
 *
 *     node dist-bench/bench/perf/commits-child.js <repo copy for reverie> <copy for plumbing> <copy for fast-import> <commits>
 *
 * - reverie: `commitChanges` (src/git/commit.ts, isomorphic-git): the tree of the parent with one file changed,
 *   written straight into the object database, as a dream cycle writes each action.
 * - native plumbing: what a shell script would do to commit without a checkout, with a temporary index
 *   (`GIT_INDEX_FILE`), read once from the base commit: per commit `git hash-object -w --stdin`,
 *   `git update-index --cacheinfo`, `git write-tree`, `git commit-tree`: four processes.
 * - native fast-import: every commit streamed into one `git fast-import` process (git's bulk path; it writes
 *   a pack rather than loose objects).
 *
 * Each commit appends a note to one memory file (in turn memory/notes.md and the topic files), with a commit
 * message of the size and shape of a cycle's action (subject, rationale, evidence, trailers). Prints one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitChanges, openRepo, readFilesAt } from '../../src/git/index.js';

export interface CommitMeasurement {
  commits: number;
  /** Milliseconds for the whole chain. */
  reverieMs: number;
  plumbingMs: number;
  fastImportMs: number;
  /** The three chains ended on the same commit (same trees, messages, authors and times). */
  identical: boolean;
  tip: string;
}

const AUTHOR = { name: 'reverie', email: 'reverie@users.noreply.github.com' };
const TIMESTAMP = 1_782_864_000; // 2026-07-01T00:00:00Z

interface Step {
  path: string;
  text: string;
  message: string;
}

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: AUTHOR.name,
    GIT_AUTHOR_EMAIL: AUTHOR.email,
    GIT_COMMITTER_NAME: AUTHOR.name,
    GIT_COMMITTER_EMAIL: AUTHOR.email,
    GIT_AUTHOR_DATE: `@${TIMESTAMP} +0000`,
    GIT_COMMITTER_DATE: `@${TIMESTAMP} +0000`,
    ...extra,
  };
}

function git(dir: string, args: string[], input?: string, env: Record<string, string> = {}): string {
  return execFileSync('git', ['-c', 'gc.auto=0', ...args], { cwd: dir, input, encoding: 'utf8', env: gitEnv(env), maxBuffer: 256 * 1024 * 1024 }).trim();
}

/** The chain of changes: file texts as they grow, and messages like an action's. */
async function plan(repoDir: string, base: string, commits: number): Promise<Step[]> {
  const repo = await openRepo(repoDir);
  const files = await readFilesAt(repo, base, (p) => p.startsWith('memory/') && !p.startsWith('memory/instructions/'));
  const paths = [...files.keys()].sort();
  const steps: Step[] = [];
  for (let i = 0; i < commits; i++) {
    const path = paths[i % paths.length] as string;
    const text = `${files.get(path) ?? ''}- Benchmark note ${i}: run \`pnpm --filter @acme/bench-${i} test\` before changing the bench ${i} module.\n`;
    files.set(path, text);
    const message =
      `add(${path}): mistake: \`pnpm test\` fails with \`Cannot find module\` (${i})\n\n` +
      `Seen in ${2 + (i % 5)} sessions of 2 agents; not in memory yet.\n\n` +
      `Evidence:\n- 7c0f${String(i).padStart(4, '0')} (coding-agent): "Error: Cannot find module 'vitest'"\n\n` +
      `Reverie-Cycle: 20260701-000000\nReverie-Action: add\nReverie-Action-Id: ${String(i).padStart(8, '0')}\nReverie-Evidence: 7c0f${String(i).padStart(4, '0')}\nReverie-Engine: heuristic\n`;
    steps.push({ path, text, message });
  }
  return steps;
}

async function withReverie(repoDir: string, base: string, steps: Step[]): Promise<string> {
  const repo = await openRepo(repoDir);
  let parent = base;
  for (const step of steps) {
    parent = await commitChanges(repo, { parent, changes: new Map([[step.path, step.text]]), message: step.message, author: AUTHOR, timestamp: TIMESTAMP });
  }
  return parent;
}

function withPlumbing(repoDir: string, base: string, steps: Step[]): string {
  const scratch = mkdtempSync(join(tmpdir(), 'reverie-bench-index-'));
  const index = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    git(repoDir, ['read-tree', base], undefined, index);
    let parent = base;
    for (const step of steps) {
      const blob = git(repoDir, ['hash-object', '-w', '--stdin'], step.text);
      git(repoDir, ['update-index', '--cacheinfo', `100644,${blob},${step.path}`], undefined, index);
      const tree = git(repoDir, ['write-tree'], undefined, index);
      parent = git(repoDir, ['commit-tree', tree, '-p', parent, '-F', '-'], step.message);
    }
    return parent;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function withFastImport(repoDir: string, base: string, steps: Step[]): string {
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  let stream = '';
  steps.forEach((step, i) => {
    const who = `${AUTHOR.name} <${AUTHOR.email}> ${TIMESTAMP} +0000`;
    stream += `commit refs/heads/bench-fast-import\nauthor ${who}\ncommitter ${who}\n${data(step.message)}`;
    if (i === 0) stream += `from ${base}\n`;
    stream += `M 100644 inline ${step.path}\n${data(step.text)}\n`;
  });
  git(repoDir, ['fast-import', '--quiet'], stream);
  return git(repoDir, ['rev-parse', 'refs/heads/bench-fast-import']);
}

async function main(): Promise<void> {
  const [reverieRepo, plumbingRepo, fastImportRepo, count] = process.argv.slice(2);
  if (!reverieRepo || !plumbingRepo || !fastImportRepo || !count) throw new Error('usage: commits-child <repo> <repo> <repo> <commits>');
  const base = git(reverieRepo, ['rev-parse', 'main']);
  const steps = await plan(reverieRepo, base, Number(count));
  // Normalised as commitChanges normalises it, so that all three write the same bytes.
  for (const step of steps) step.message = step.message.replace(/\s*$/, '\n');

  let t = performance.now();
  const reverieTip = await withReverie(reverieRepo, base, steps);
  const reverieMs = performance.now() - t;
  t = performance.now();
  const plumbingTip = withPlumbing(plumbingRepo, base, steps);
  const plumbingMs = performance.now() - t;
  t = performance.now();
  const fastImportTip = withFastImport(fastImportRepo, base, steps);
  const fastImportMs = performance.now() - t;

  // The last file as reverie committed it, read back by native git: the chains must agree byte for byte.
  const last = steps[steps.length - 1];
  const readBack = last ? git(reverieRepo, ['cat-file', 'blob', `${reverieTip}:${last.path}`]) : '';
  const identical = reverieTip === plumbingTip && reverieTip === fastImportTip && readBack === last?.text.trim();
  const measurement: CommitMeasurement = { commits: steps.length, reverieMs, plumbingMs, fastImportMs, identical, tip: reverieTip };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
