/**
 * Builds the memory repositories the benchmark runs cycles on, with native git (setup is not what is
 * measured, and native git is the fastest way to commit 10,000 files): reverie.yaml, the generated memory,
 * the generated sessions, all committed on main.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateMemory, type MemoryOptions } from './memory.js';
import { generateSession } from './sessions.js';

export const CONFIG = `# reverie configuration of the performance benchmark's repository.
mode: auto
engine: heuristic
memory:
  root: memory
  inbox: notes.md
  namespaces:
    - name: instructions
      paths: ["instructions/**"]
      policy: protected
    - name: notes
      paths: ["**/*.md"]
      policy: dream
      budget_tokens: 60000
sessions:
  - path: sessions/**
    format: auto
extract:
  min_sessions: 2
approval:
  max_prune_ratio: 0.2
`;

/** Native git with no user or system configuration, a fixed identity, and automatic gc off (it would run in the background of a measurement). */
export function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-c', 'gc.auto=0', ...args], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'Bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
      GIT_AUTHOR_DATE: '2026-06-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-06-01T00:00:00Z',
    },
  }).trim();
}

function writeFile(dir: string, path: string, text: string): number {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return Buffer.byteLength(text);
}

export interface RepoStats {
  sessions: number;
  sessionBytes: number;
  memoryEntries: number;
  memoryBytes: number;
}

export interface BenchRepoOptions {
  sessions: number;
  entries: number;
  pack: boolean;
  /**
   * Who wrote the memory: a person (the default; a cycle changes a person's note only on evidence, so it mostly
   * adds), or earlier cycles, whose notes a cycle merges, resolves and prunes on its own judgement.
   */
  writtenBy?: 'person' | 'cycle';
  memory?: MemoryOptions;
}

/** The message of a squash-merged cycle that wrote the memory: its trailers mark every line it brought as a cycle's. */
const CYCLE_MESSAGE = ['reverie: dream cycle 20260501-000000 (#1)', '', '* add(memory): the notes of earlier cycles', '', 'Reverie-Cycle: 20260501-000000', 'Reverie-Action: add', 'Reverie-Action-Id: 00000001', 'Reverie-Evidence: none', 'Reverie-Engine: heuristic'].join('\n');

/**
 * A repository at `dir` with `sessions` sessions (numbers 0 … sessions-1) and `entries` memory entries, committed
 * on main. `pack` runs `git gc` afterwards, as git's automatic gc would have done long before 10,000 sessions.
 */
export function createBenchRepo(dir: string, options: BenchRepoOptions): RepoStats {
  mkdirSync(dir, { recursive: true });
  // Notes earlier cycles wrote are curated in bulk: the cycle may take as many actions as it finds.
  writeFile(dir, 'reverie.yaml', options.writtenBy === 'cycle' ? `${CONFIG}curate:\n  max_actions: 2000\n` : CONFIG);
  git(dir, ['init', '-q', '-b', 'main']);
  let memoryBytes = 0;
  for (const [path, text] of generateMemory(options.entries, undefined, options.memory).files) memoryBytes += writeFile(dir, path, text);
  if (options.writtenBy === 'cycle') {
    // The protected instructions are a person's whatever wrote the rest.
    git(dir, ['add', 'reverie.yaml', 'memory/instructions']);
    git(dir, ['commit', '-q', '-m', 'memory: instructions']);
    git(dir, ['add', 'memory']);
    git(dir, ['commit', '-q', '-m', CYCLE_MESSAGE]);
  }
  const sessionBytes = writeSessions(dir, 0, options.sessions);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `memory and ${options.sessions} sessions`]);
  if (options.pack) git(dir, ['gc', '-q']);
  return { sessions: options.sessions, sessionBytes, memoryEntries: options.entries, memoryBytes };
}

/** Writes sessions `from` … `from+count-1` into the repository and commits them; returns their bytes. */
export function addSessions(dir: string, from: number, count: number): number {
  const bytes = writeSessions(dir, from, count);
  git(dir, ['add', '-A', 'sessions']);
  git(dir, ['commit', '-q', '-m', `${count} more sessions`]);
  return bytes;
}

function writeSessions(dir: string, from: number, count: number): number {
  let bytes = 0;
  for (let n = from; n < from + count; n++) {
    const session = generateSession(n);
    bytes += writeFile(dir, session.path, session.text);
  }
  return bytes;
}
