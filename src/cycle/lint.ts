/**
 * `reverie lint` as a shell around memory/lint.ts: read the memory (the working tree, or a commit), the repository's
 * file list and the dream commits of its history, and hand them to the pure rules.
 */
import { constants as fsConstants, existsSync } from 'node:fs';
import { open, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE, loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import { ConfigError, ReverieError, UsageError } from '../errors.js';
import { changedPaths, listFilesAt, openRepo, readEntry, readFileAt, readFilesAt, resolveRef, type Repo } from '../git/index.js';
import type { Harness } from '../memory/harness.js';
import { buildSnapshot, isMarkdownPath, type SourceFile } from '../memory/index.js';
import { countBySeverity, lintMemory, type DreamCommit, type Finding, type UnreadableFile } from '../memory/lint.js';
import type { MemorySymlink } from '../memory/symlinks.js';
import type { MemorySnapshot } from '../memory/types.js';
import { notUtf8At, symlinksAt } from './memory-files.js';
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
  /** Symbolic links at or under the memory root: never followed, each a finding. */
  symlinks: MemorySymlink[];
  /** Memory files the working tree has but that could not be read, with why. */
  unreadable: UnreadableFile[];
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
  const { snapshot, repositoryPaths, symlinks, unreadable } = view;
  const findings = lintMemory({ snapshot, repositoryPaths, harness, dreamCommits, symlinks, unreadable });
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
  // As loadConfig does for the working tree's file: read with U+FFFD for its bytes, it would configure something else.
  const [notText] = await notUtf8At(repo, commit, [{ path: configPath, text }]);
  if (notText) throw new ConfigError('not UTF-8 text; save the file as UTF-8', `${ref}:${configPath}`, notText.line);
  // The YAML parser is loaded here, not with this module: a cycle loads it for its memory tests and never reads this.
  const { parseConfig } = await import('../config/parse.js');
  const config = parseConfig(text, `${ref}:${configPath}`, repo.dir);
  const root = config.memory.root;
  const files = await readFilesAt(repo, commit, (p) => isMemoryPath(p, root), { under: [root] });
  const repositoryPaths = new Set((await listFilesAt(repo, commit)).map((file) => file.path));
  const snapshot = buildSnapshot([...files].map(([p, t]) => ({ path: p, text: t })), root, config.memory.namespaces);
  return { config, repo, commit, tip: commit, snapshot, repositoryPaths, symlinks: await symlinksAt(repo, commit, root), unreadable: [] };
}

async function readWorkingTree(options: ViewOptions): Promise<MemoryView> {
  const dir = path.resolve(options.repoDir);
  const repo = existsSync(path.join(dir, '.git')) ? await openRepo(dir) : undefined;
  const config = await loadConfig(dir, options.configFile);
  const root = config.memory.root;
  const found = await workingTreePaths(dir);
  const repositoryPaths = new Set(found.map((entry) => entry.path));
  const files: SourceFile[] = [];
  const unreadable: UnreadableFile[] = [];
  for (const { path: file } of found.filter((entry) => !entry.symlink && isMemoryPath(entry.path, root)).sort(byPath)) {
    const read = await readNoFollow(path.join(dir, file));
    if (typeof read === 'string') files.push({ path: file, text: read });
    else unreadable.push({ path: file, reason: read.reason });
  }
  const symlinks: MemorySymlink[] = [];
  for (const { path: link } of found.filter((entry) => entry.symlink && atOrUnder(entry.path, root)).sort(byPath)) {
    symlinks.push({ path: link, target: await readlink(path.join(dir, link)).catch((error: NodeJS.ErrnoException) => `(unreadable: ${error.code ?? error.message})`) });
  }
  const tip = repo ? await resolveRef(repo, 'HEAD') : undefined;
  const snapshot = buildSnapshot(files, root, config.memory.namespaces);
  return { config, ...(repo ? { repo } : {}), ...(tip ? { tip } : {}), snapshot, repositoryPaths, symlinks, unreadable };
}

/**
 * A file's text, refusing to open it through a symbolic link (O_NOFOLLOW), so that a file swapped for a link after
 * the folder was listed is not followed either; or why it could not be read.
 */
async function readNoFollow(file: string): Promise<string | { reason: string }> {
  try {
    const handle = await open(file, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
    try {
      return (await handle.readFile()).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'ELOOP' ? 'it became a symbolic link while being read' : `cannot be read (${code ?? (error as Error).message})` };
  }
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** A Markdown file under the memory root: what a snapshot is built from. */
export function isMemoryPath(file: string, root: string): boolean {
  return (root === '' || file.startsWith(`${root}/`)) && isMarkdownPath(file);
}

/** `file` is inside the memory root, or is the root itself or a folder on the way to it (either could be a link). */
function atOrUnder(file: string, root: string): boolean {
  return root === '' || file === root || file.startsWith(`${root}/`) || root.startsWith(`${file}/`);
}

/**
 * What git would see: every file but those in .git and node_modules (a hook installs one), symlinks included but
 * never followed (a linked folder is not entered).
 */
async function workingTreePaths(dir: string, prefix = ''): Promise<{ path: string; symlink: boolean }[]> {
  const paths: { path: string; symlink: boolean }[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== '.git' && entry.name !== 'node_modules') paths.push(...(await workingTreePaths(dir, relative)));
    } else if (entry.isFile() || entry.isSymbolicLink()) paths.push({ path: relative, symlink: entry.isSymbolicLink() });
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
