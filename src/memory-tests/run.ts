/**
 * `reverie test` as a shell around the reader: the memory and the test files at a revision, read from git, handed to
 * answerCases. The memory is read as `reverie lint --ref` reads it, with the configuration of that same revision.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { openContext } from '../cycle/repo-context.js';
import { UsageError } from '../errors.js';
import { readMemoryView } from '../cycle/lint.js';
import { readFilesAt } from '../git/tree.js';
import type { Repo } from '../git/index.js';
import { isTestFile, TESTS_DIR, type MemoryTestCase } from './cases.js';
import type { ClaudeReaderOptions, ClaudeReaderRun } from './claude-reader.js';
import type { MemoryTestReport } from './reader.js';

/** `offline`: retrieval by relevance, deterministic (reader.ts); `claude`: a model given the memory alone (claude-reader.ts). */
export type ReaderName = 'offline' | 'claude';

export const READERS: readonly ReaderName[] = ['offline', 'claude'];

export interface TestRunOptions {
  repoDir: string;
  configFile?: string;
  /** A branch, tag or commit (`HEAD~1` too); main (git.main in reverie.yaml) when absent. */
  ref?: string;
  /** `offline` when absent. */
  reader?: ReaderName;
  /** For the claude reader: the model instead of `claude.curate.model`, the key (else ANTHROPIC_API_KEY), the transport. */
  claude?: Partial<Pick<ClaudeReaderOptions, 'model' | 'apiKey' | 'connection'>>;
}

export interface TestRun extends MemoryTestReport {
  ref: string;
  commit: string;
  /** The test files read, repository-relative. */
  files: string[];
  reader: ReaderName;
  /** What the claude reader asked and spent; absent for the offline reader. */
  claude?: ClaudeReaderRun;
}

export async function runMemoryTests(options: TestRunOptions): Promise<TestRun> {
  const reader = options.reader ?? 'offline';
  if (!READERS.includes(reader)) throw new UsageError(`unknown reader "${reader}"; available: ${READERS.join(', ')}`);
  const apiKey = options.claude?.apiKey ?? process.env.ANTHROPIC_API_KEY;
  // Before anything is read: a run that cannot ask stops at once.
  if (reader === 'claude' && !apiKey) throw new UsageError('the claude reader needs an API key: set ANTHROPIC_API_KEY (or run `reverie test` with the offline reader)');
  const ref = options.ref ?? (await openContext(options.repoDir, options.configFile)).config.git.main;
  const view = await readMemoryView({ repoDir: options.repoDir, ...(options.configFile ? { configFile: options.configFile } : {}), ref });
  const { repo, commit } = view;
  // Never so: given a ref, readMemoryView reads that commit of a repository or refuses.
  if (!repo || !commit) throw new Error(`no commit read for ${ref}`);
  // The cases of the same revision as the memory: a change that edits both is tested as it will be merged.
  const { files, cases } = await testCasesAt(repo, commit);
  if (reader === 'offline' || cases.length === 0) {
    // Loaded here, not with this module: a cycle reads the test files through it, and most repositories have none.
    const { answerCases } = await import('./reader.js');
    return { ref, commit, files, reader, ...answerCases(view.snapshot, cases) };
  }
  // Loaded only here: the SDK is most of what `reverie test` would otherwise spend starting.
  const { answerCasesWithClaude } = await import('./claude-reader.js');
  const answered = await answerCasesWithClaude(view.snapshot, cases, {
    config: view.config.claude,
    apiKey: apiKey as string,
    // Beside the claude engine's folder, and like its map results kept on this machine only.
    cacheDir: path.join(repo.gitdir, 'reverie', 'claude', 'tests'),
    ...(options.claude?.model ? { model: options.claude.model } : {}),
    ...(options.claude?.connection ? { connection: options.claude.connection } : {}),
  });
  return { ref, commit, files, reader, ...answered };
}

/** The test files at a commit, repository-relative and sorted, and their cases (a ConfigError for a bad file). */
export async function testCasesAt(repo: Repo, commit: string): Promise<{ files: string[]; cases: MemoryTestCase[] }> {
  const texts = await readFilesAt(repo, commit, isTestFile, { under: [TESTS_DIR] });
  const files = [...texts].map(([file, text]) => ({ path: file, text }));
  return { files: files.map((f) => f.path).sort(), cases: await casesOf(files) };
}

/** The test files of a working tree, as testCasesAt reads them from a commit. */
export async function workingTreeTestCases(repoDir: string): Promise<{ files: string[]; cases: MemoryTestCase[] }> {
  const names = await readdir(path.join(repoDir, TESTS_DIR), { withFileTypes: true }).catch(() => []);
  const paths = names.filter((entry) => entry.isFile() && isTestFile(`${TESTS_DIR}/${entry.name}`)).map((entry) => `${TESTS_DIR}/${entry.name}`);
  const files = await Promise.all(paths.map(async (file) => ({ path: file, text: await readFile(path.join(repoDir, file), 'utf8') })));
  return { files: files.map((f) => f.path).sort(), cases: await casesOf(files) };
}

/** The cases of the test files; the YAML parser is loaded only when there is one to read (most cycles have none). */
async function casesOf(files: readonly { path: string; text: string }[]): Promise<MemoryTestCase[]> {
  return files.length === 0 ? [] : (await import('./case-file.js')).parseTestFiles(files);
}
