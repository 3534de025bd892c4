/**
 * `reverie lint` as a shell around memory/lint.ts: read the memory (the working tree, or a commit), the repository's
 * file list and the dream commits of its history, and hand them to the pure rules.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE, loadConfig, parseConfig, type Config } from '../config/index.js';
import { ConfigError, ReverieError, UsageError } from '../errors.js';
import { changedPaths, listFilesAt, openRepo, readEntry, readFileAt, readFilesAt, resolveRef, type Repo } from '../git/index.js';
import type { Harness } from '../memory/harness.js';
import { buildSnapshot, isMarkdownPath, type SourceFile } from '../memory/index.js';
import { countBySeverity, lintMemory, type DreamCommit, type Finding } from '../memory/lint.js';
import type { MemorySnapshot } from '../memory/types.js';
import { actionMarks } from './trailers.js';

/** The memory under check, with what the rules need around it. */
export interface MemoryView {
  config: Config;
  /** Absent when the folder is not a git repository (lint still checks the files, without history). */
  repo?: Repo;
  /** The commit read, or undefined for the working tree. */
  commit?: string;
  /** Where history is walked from: the commit read, else HEAD (undefined before the first commit). */
  tip?: string;
  snapshot: MemorySnapshot;
  repositoryPaths: Set<string>;
}

export interface ViewOptions {
  repoDir: string;
  configFile?: string;
  /** A branch, tag or commit to read instead of the working tree. */
  ref?: string;
}

export interface LintOptions extends ViewOptions {
  harness?: Harness;
  /** Only dream commits that this commit does not already have count for `protected/dream-commit`. */
  since?: string;
}

export interface LintReport {
  /** The commit linted, or null for the working tree. */
  commit: string | null;
  harness: Harness;
  files: number;
  errors: number;
  warnings: number;
  findings: Finding[];
}

/** Findings that fail the command: errors, or with `--strict` warnings too. Exit code 1, as documented. */
export class FindingsError extends ReverieError {
  override readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'FindingsError';
  }
}

export async function lint(options: LintOptions): Promise<LintReport> {
  const view = await readMemoryView(options);
  // The flags win; reverie.yaml's lint section says what a plain `reverie lint` (the pre-commit hook) applies.
  const sinceRef = options.since ?? view.config.lint.since;
  const since = sinceRef === undefined || !view.repo ? undefined : await resolveOrFail(view.repo, sinceRef);
  return lintView(view, options.harness ?? view.config.lint.harness, await viewDreamCommits(view, since));
}

/** The dream commits of the view's history that `since` does not have; none without a repository or a commit. */
export async function viewDreamCommits(view: MemoryView, since?: string): Promise<DreamCommit[]> {
  return view.repo && view.tip ? dreamCommitsOf(view.repo, view.tip, since) : [];
}

export function lintView(view: MemoryView, harness: Harness, dreamCommits: readonly DreamCommit[]): LintReport {
  const findings = lintMemory({ snapshot: view.snapshot, repositoryPaths: view.repositoryPaths, harness, dreamCommits });
  return { commit: view.commit ?? null, harness, files: view.snapshot.files.length, ...countBySeverity(findings), findings };
}

/** Whether a report fails the command. */
export function fails(report: Pick<LintReport, 'errors' | 'warnings'>, strict: boolean): boolean {
  return report.errors > 0 || (strict && report.warnings > 0);
}

export async function readMemoryView(options: ViewOptions): Promise<MemoryView> {
  return options.ref === undefined ? readWorkingTree(options) : readCommitView(options, options.ref);
}

/** A branch, tag or commit, with git's `~n` and `^n` suffixes (`HEAD~3`, `main^2`), as a commit oid. */
export async function resolveOrFail(repo: Repo, ref: string): Promise<string> {
  const [, name = ref, suffixes = ''] = /^(.*?)((?:[~^]\d*)*)$/.exec(ref) ?? [];
  let oid = await resolveRef(repo, name);
  for (const [, kind, digits] of suffixes.matchAll(/([~^])(\d*)/g)) {
    const n = digits === '' ? 1 : Number(digits);
    if (!oid) break;
    if (kind === '^') oid = n === 0 ? oid : (await readEntry(repo, oid)).parents[n - 1];
    else for (let i = 0; i < n && oid; i++) oid = (await readEntry(repo, oid)).parents[0];
  }
  if (!oid) throw new UsageError(`no branch, tag or commit named "${ref}"`);
  return oid;
}

// ---------------------------------------------------------------------------------------------------------------
// reading memory

async function readCommitView(options: ViewOptions, ref: string): Promise<MemoryView> {
  const repo = await openRepo(options.repoDir);
  const commit = await resolveOrFail(repo, ref);
  const configPath = path.posix.normalize((options.configFile ?? CONFIG_FILE).split(path.sep).join('/'));
  const text = await readFileAt(repo, commit, configPath);
  if (text === undefined) throw new ConfigError(`not found at ${ref}`, configPath);
  const config = parseConfig(text, `${ref}:${configPath}`, repo.dir);
  const root = config.memory.root;
  const files = await readFilesAt(repo, commit, (p) => isMemoryPath(p, root), { under: [root] });
  const repositoryPaths = new Set((await listFilesAt(repo, commit)).map((file) => file.path));
  const snapshot = buildSnapshot([...files].map(([p, t]) => ({ path: p, text: t })), root, config.memory.namespaces);
  return { config, repo, commit, tip: commit, snapshot, repositoryPaths };
}

async function readWorkingTree(options: ViewOptions): Promise<MemoryView> {
  const dir = path.resolve(options.repoDir);
  const repo = existsSync(path.join(dir, '.git')) ? await openRepo(dir) : undefined;
  const config = await loadConfig(dir, options.configFile);
  const root = config.memory.root;
  const repositoryPaths = new Set(await workingTreePaths(dir));
  const files: SourceFile[] = [];
  for (const file of [...repositoryPaths].filter((p) => isMemoryPath(p, root)).sort()) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => undefined);
    if (text !== undefined) files.push({ path: file, text });
  }
  const tip = repo ? await resolveRef(repo, 'HEAD') : undefined;
  return { config, ...(repo ? { repo } : {}), ...(tip ? { tip } : {}), snapshot: buildSnapshot(files, root, config.memory.namespaces), repositoryPaths };
}

/** A Markdown file under the memory root: what a snapshot is built from. */
export function isMemoryPath(file: string, root: string): boolean {
  return (root === '' || file.startsWith(`${root}/`)) && isMarkdownPath(file);
}

/** What git would see: every file but those in .git and node_modules (a hook installs one), symlinks included. */
async function workingTreePaths(dir: string, prefix = ''): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== '.git' && entry.name !== 'node_modules') paths.push(...(await workingTreePaths(dir, relative)));
    } else if (entry.isFile() || entry.isSymbolicLink()) paths.push(relative);
  }
  return paths;
}

// ---------------------------------------------------------------------------------------------------------------
// dream commits in history

/** Trailers that are not curation: a cycle's bookkeeping, and reverts (which may rightly touch anything they undo). */
const NOT_CURATION = new Set(['state', 'revert']);

/**
 * The commits of `tip`'s history (every parent, so that commits merged from a cycle's branch count) that `since`
 * does not have, whose trailers name a curation action, with the paths each changed against its first parent.
 */
export async function dreamCommitsOf(repo: Repo, tip: string, since?: string): Promise<DreamCommit[]> {
  const known = since ? await ancestorsOf(repo, since) : new Set<string>();
  const commits: DreamCommit[] = [];
  for (const oid of await ancestorsOf(repo, tip, known)) {
    const entry = await readEntry(repo, oid);
    const marks = actionMarks(entry.message).filter((mark) => !NOT_CURATION.has(mark.action));
    if (marks.length === 0) continue;
    commits.push({
      oid,
      ...(entry.parents[0] ? { parent: entry.parents[0] } : {}),
      cycle: unique(marks.map((m) => m.cycle)).join(', '),
      actions: unique(marks.map((m) => m.action)),
      changedPaths: await changedPaths(repo, entry.parents[0], oid),
    });
  }
  return commits;
}

/** `start` and every commit it descends from, except those in `stop` (and theirs). */
async function ancestorsOf(repo: Repo, start: string, stop: ReadonlySet<string> = new Set()): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [start];
  for (let oid = queue.pop(); oid !== undefined; oid = queue.pop()) {
    if (seen.has(oid) || stop.has(oid)) continue;
    seen.add(oid);
    queue.push(...(await readEntry(repo, oid)).parents);
  }
  return seen;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
