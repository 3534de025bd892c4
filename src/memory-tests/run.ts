/**
 * `reverie test` as a shell around the reader: the memory and the test files at a revision, read from git, handed to
 * answerCases. The memory is read as `reverie lint --ref` reads it, with the configuration of that same revision.
 */
import { openContext } from '../cycle/repo-context.js';
import { readMemoryView } from '../cycle/lint.js';
import { readFilesAt } from '../git/tree.js';
import { isTestFile, parseTestFiles, TESTS_DIR } from './cases.js';
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
  const texts = await readFilesAt(repo, commit, isTestFile, { under: [TESTS_DIR] });
  const files = [...texts].map(([path, text]) => ({ path, text }));
  const cases = parseTestFiles(files);
  return { ref, commit, files: files.map((f) => f.path).sort(), ...answerCases(view.snapshot, cases) };
}
