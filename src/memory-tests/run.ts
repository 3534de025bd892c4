/**
 * `reverie test` as a shell around the reader: the memory and the test files at a revision, read from git, handed to
 * answerCases. The memory is read as `reverie lint --ref` reads it, with the configuration of that same revision.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { openContext } from '../cycle/repo-context.js';
import { readMemoryView } from '../cycle/lint.js';
import { readFilesAt } from '../git/tree.js';
import type { Repo } from '../git/index.js';
import { isTestFile, parseTestFiles, TESTS_DIR, type MemoryTestCase } from './cases.js';
import { answerCases, type MemoryTestReport } from './reader.js';

export interface TestRunOptions {
  repoDir: string;
  configFile?: string;
  /** A branch, tag or commit (`HEAD~1` too); main (git.main in reverie.yaml) when absent. */
  ref?: string;
}

export interface TestRun extends MemoryTestReport {
  ref: string;
  commit: string;
  /** The test files read, repository-relative. */
  files: string[];
}

export async function runMemoryTests(options: TestRunOptions): Promise<TestRun> {
  const ref = options.ref ?? (await openContext(options.repoDir, options.configFile)).config.git.main;
  const view = await readMemoryView({ repoDir: options.repoDir, ...(options.configFile ? { configFile: options.configFile } : {}), ref });
  const { repo, commit } = view;
  // Never so: given a ref, readMemoryView reads that commit of a repository or refuses.
  if (!repo || !commit) throw new Error(`no commit read for ${ref}`);
  // The cases of the same revision as the memory: a change that edits both is tested as it will be merged.
  const { files, cases } = await testCasesAt(repo, commit);
  return { ref, commit, files, ...answerCases(view.snapshot, cases) };
}

/** The test files at a commit, repository-relative and sorted, and their cases (a ConfigError for a bad file). */
export async function testCasesAt(repo: Repo, commit: string): Promise<{ files: string[]; cases: MemoryTestCase[] }> {
  const texts = await readFilesAt(repo, commit, isTestFile, { under: [TESTS_DIR] });
  const files = [...texts].map(([file, text]) => ({ path: file, text }));
  return { files: files.map((f) => f.path).sort(), cases: parseTestFiles(files) };
}

/** The test files of a working tree, as testCasesAt reads them from a commit. */
export async function workingTreeTestCases(repoDir: string): Promise<{ files: string[]; cases: MemoryTestCase[] }> {
  const names = await readdir(path.join(repoDir, TESTS_DIR), { withFileTypes: true }).catch(() => []);
  const paths = names.filter((entry) => entry.isFile() && isTestFile(`${TESTS_DIR}/${entry.name}`)).map((entry) => `${TESTS_DIR}/${entry.name}`);
  const files = await Promise.all(paths.map(async (file) => ({ path: file, text: await readFile(path.join(repoDir, file), 'utf8') })));
  return { files: files.map((f) => f.path).sort(), cases: parseTestFiles(files) };
}
