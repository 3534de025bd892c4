import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { symlinkOnTheWay } from '../util/symlink-path.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as git from 'isomorphic-git';
import { currentBranch, initRepo, openRepo, resolveRef, type Repo } from '../git/index.js';
import { parseConfig } from '../config/parse.js';
import { ConfigError, GitStateError } from '../errors.js';
import { buildSnapshot, isMarkdownPath } from '../memory/snapshot.js';
import { STARTER_TEST_FILE, starterTestFile } from '../memory-tests/starter.js';
import {
  CHECK_WORKFLOW_PATH,
  CONFIG_PATH,
  DEFAULT_HOOK_COMMAND,
  DEFAULT_LAYOUT,
  MEMORY_SECTION_FILE,
  PACKAGE_JSON,
  actionRef,
  codeOwners,
  hookScript,
  memoryRootOf,
  packageJsonFor,
  sizedBudgets,
  skeletonFiles,
  type Layout,
  type LayoutTemplate,
  withAction,
  type PlannedFile,
  type SkeletonOptions,
  type Templates,
} from './skeleton.js';

export interface InitOptions {
  /** The memory skeleton (and the namespaces of reverie.yaml). */
  layout?: Layout;
  /** Also the GitHub workflows (nightly dream, pull request check, pull request review). */
  github?: boolean;
  /** `owner/repo@ref` (or `owner/repo/path@ref`) of the reverie action for the workflows; refused otherwise (UsageError). */
  action?: string;
  /** Teams, users or emails (`@org/team`, `@user`, `a@b.org`) to own the protected namespaces in .github/CODEOWNERS (with `github`); refused otherwise. */
  owners?: string;
  /** Install a pre-commit hook (simple-git-hooks) that runs `hookCommand` before each commit. */
  hooks?: boolean;
  hookCommand?: string;
  /** Replace files that already exist (a package.json keeps its other keys). */
  force?: boolean;
}

export interface InitResult {
  dir: string;
  createdRepo: boolean;
  created: string[];
  overwritten: string[];
  existing: string[];
  /** The pre-commit hook, when asked for: where it is (relative to `dir` when inside it) and what became of it. */
  hook?: { path: string; command: string; status: 'created' | 'overwritten' | 'unchanged' | 'kept' };
  /** What the user should still do or know. */
  notes: string[];
  /** The commit made when the repository had none yet. */
  commit?: string;
}

/**
 * The package's templates folder: beside the nearest package.json above this module that is reverie's (src/cycle/,
 * dist/cycle/, or a chunk of the bundled command line, dist/cli/chunks/).
 */
export function templatesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'templates'))) return path.join(dir, 'templates');
    dir = path.dirname(dir);
  }
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

/**
 * Turns a folder into a memory repo. Idempotent: only missing files are written, and an existing file is never
 * overwritten without `force`. A brand-new repository gets a first commit so that `reverie dream` can start from main.
 */
export async function initMemoryRepo(dir: string, author: { name: string; email: string }, options: InitOptions = {}): Promise<InitResult> {
  // Before anything is created: a value that cannot go into a workflow or CODEOWNERS leaves the folder as it was.
  if (options.action !== undefined) actionRef(options.action);
  if (options.owners !== undefined) codeOwners(options.owners);
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const createdRepo = !existsSync(path.join(root, '.git'));
  const repo = createdRepo ? await initRepo(root, { defaultBranch: 'main' }) : await openRepo(root);
  const hookCommand = options.hookCommand ?? DEFAULT_HOOK_COMMAND;
  const templates = await readTemplates(options.layout ?? DEFAULT_LAYOUT);
  // A team adopting reverie brings its memory: the budgets are sized to the files already there.
  const existing = await markdownUnder(root, memoryRootOf(templates.layout.memorySection));
  const sized = sizedBudgets(templates.layout.memorySection, existing).sized;
  const planned = initFiles(templates, {
    existing,
    main: (await currentBranch(repo)) ?? 'main',
    ...(options.github ? { github: true } : {}),
    ...(options.action ? { action: options.action } : {}),
    ...(options.owners ? { owners: options.owners } : {}),
    ...(options.hooks ? { hooks: { command: hookCommand } } : {}),
  });
  const result: InitResult = { dir: root, createdRepo, created: [], overwritten: [], existing: [], notes: [] };
  for (const file of planned) await writePlanned(root, file, options, result);
  await writeStarterTests(root, result);
  if (options.hooks) result.hook = await installHook(repo, hookCommand, options.force ?? false);
  if (!result.existing.includes('reverie.yaml') || options.force) {
    for (const b of sized) result.notes.push(`budget_tokens of namespace "${b.namespace}" set to ${b.to} (was ${b.from}): the memory files found hold about ${b.tokens} tokens`);
  }
  result.notes.push(...notesFor(options, result));
  const written = [...result.created, ...result.overwritten];
  if (written.length > 0 && !(await hasCommits(repo))) result.commit = await firstCommit(repo, written, author);
  return result;
}

async function writePlanned(root: string, file: PlannedFile, options: InitOptions, result: InitResult): Promise<void> {
  const link = await symlinkOnTheWay(root, file.path);
  if (link !== undefined) {
    result.notes.push(`${file.path} was not written: ${link} is a symbolic link, and reverie never writes through one`);
    return;
  }
  const full = path.join(root, file.path);
  const exists = existsSync(full);
  if (exists && !options.force) {
    result.existing.push(file.path);
    return;
  }
  // A package.json that is already there keeps its own scripts and dependencies; only the hook's keys are added.
  const text = exists && file.path === PACKAGE_JSON ? packageJsonFor(await readFile(full, 'utf8'), options.hookCommand ?? DEFAULT_HOOK_COMMAND) : file.text;
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text);
  (exists ? result.overwritten : result.created).push(file.path);
}

/**
 * The starter memory tests (memory-tests/starter.ts), built from the memory as init leaves it, with the namespaces of
 * the reverie.yaml there. A test file already there is the team's: it stays as it is, whatever `force` says.
 */
async function writeStarterTests(root: string, result: InitResult): Promise<void> {
  const full = path.join(root, STARTER_TEST_FILE);
  if (existsSync(full)) return;
  const link = await symlinkOnTheWay(root, STARTER_TEST_FILE);
  if (link !== undefined) {
    result.notes.push(`${STARTER_TEST_FILE} was not written: ${link} is a symbolic link, and reverie never writes through one`);
    return;
  }
  let config;
  try {
    config = parseConfig(await readFile(path.join(root, CONFIG_PATH), 'utf8'), CONFIG_PATH, root);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    result.notes.push(`${STARTER_TEST_FILE} was not written: ${error.message}`);
    return;
  }
  const memory = buildSnapshot(await markdownUnder(root, config.memory.root), config.memory.root, config.memory.namespaces);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, starterTestFile(memory));
  result.created.push(STARTER_TEST_FILE);
}

function notesFor(options: InitOptions, result: InitResult): string[] {
  const notes: string[] = [];
  if (options.layout && result.existing.includes('reverie.yaml')) {
    notes.push(`reverie.yaml was kept, so its memory section is not the ${options.layout} layout's; --force replaces it`);
  }
  if (options.github && !options.action) {
    notes.push('set `uses:` in .github/workflows/reverie.yml, reverie-check.yml and reverie-review.yml to the reverie action (or pass --action owner/repo@ref)');
  }
  if (options.github && !options.owners) notes.push('--owners @org/team writes .github/CODEOWNERS, which puts the protected namespaces under that team\'s review');
  if (options.hooks && result.existing.includes(PACKAGE_JSON)) notes.push('package.json was kept; --force adds the simple-git-hooks keys to it');
  if (options.hooks && result.hook?.status === 'kept') notes.push('a different pre-commit hook was already installed and was kept; --force replaces it');
  return notes;
}

// ---------------------------------------------------------------------------------------------------------------
// templates

/** The workflow that acts on what a reviewer does on a cycle's pull request: its checkboxes, `/reverie` comments, its closing. */
export const REVIEW_WORKFLOW_PATH = '.github/workflows/reverie-review.yml';

export interface InitTemplates extends Templates {
  reviewWorkflow: string;
}

/** Every file init writes for these options: the skeleton's, with the review workflow after the check workflow. */
export function initFiles(templates: InitTemplates, options: SkeletonOptions): PlannedFile[] {
  const files = skeletonFiles(templates, options);
  if (!options.github) return files;
  const review: PlannedFile = { path: REVIEW_WORKFLOW_PATH, text: withAction(templates.reviewWorkflow, options.action) };
  const check = files.findIndex((file) => file.path === CHECK_WORKFLOW_PATH);
  files.splice(check === -1 ? files.length : check + 1, 0, review);
  return files;
}

async function readTemplates(layout: Layout): Promise<InitTemplates> {
  const dir = templatesDir();
  const read = (file: string) => readFile(path.join(dir, file), 'utf8');
  return {
    config: await read('reverie.yaml'),
    sessionsReadme: await read('sessions/README.md'),
    layout: await readLayout(path.join(dir, 'layouts', layout)),
    dreamWorkflow: await read('workflows/reverie.yml'),
    checkWorkflow: await read('workflows/reverie-check.yml'),
    reviewWorkflow: await read('workflows/reverie-review.yml'),
    codeowners: await read('CODEOWNERS'),
  };
}

async function readLayout(dir: string): Promise<LayoutTemplate> {
  const files = new Map<string, string>();
  for (const relative of await filesUnder(dir)) {
    if (relative !== MEMORY_SECTION_FILE) files.set(relative, await readFile(path.join(dir, relative), 'utf8'));
  }
  return { memorySection: await readFile(path.join(dir, MEMORY_SECTION_FILE), 'utf8'), files };
}

/** The Markdown files under the memory root of a folder, as the repository will hold them (posix paths). */
async function markdownUnder(dir: string, root: string): Promise<{ path: string; text: string }[]> {
  const base = path.join(dir, root);
  if (!existsSync(base) || (root !== '' && (await symlinkOnTheWay(dir, root)) !== undefined)) return [];
  const found = (await filesUnder(base)).filter((file) => isMarkdownPath(file) && !file.split('/').some((part) => part === '.git' || part === 'node_modules'));
  return Promise.all(found.map(async (file) => ({ path: root === '' ? file : `${root}/${file}`, text: await readFile(path.join(base, file), 'utf8') })));
}

/** Regular files under `dir`, as posix paths relative to it. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------------------
// the pre-commit hook

/**
 * Writes the hook where git (and simple-git-hooks) look for it: `core.hooksPath` of the repository's own
 * configuration when set, else `.git/hooks`. An identical hook is left alone; a different one only with `force`.
 */
async function installHook(repo: Repo, command: string, force: boolean): Promise<NonNullable<InitResult['hook']>> {
  const file = path.join(await hooksDir(repo), 'pre-commit');
  const shown = path.relative(repo.dir, file).split(path.sep).join('/');
  const script = hookScript(command);
  const before = existsSync(file) ? await readFile(file, 'utf8') : undefined;
  if (before === script) return { path: shown, command, status: 'unchanged' };
  if (before !== undefined && !force) return { path: shown, command, status: 'kept' };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, script);
  await chmod(file, 0o755);
  return { path: shown, command, status: before === undefined ? 'created' : 'overwritten' };
}

async function hooksDir(repo: Repo): Promise<string> {
  const configured = (await git.getConfig({ fs: repo.fs, gitdir: repo.gitdir, path: 'core.hooksPath' })) as string | undefined;
  if (!configured) return path.join(repo.gitdir, 'hooks');
  return path.resolve(repo.dir, configured);
}

// ---------------------------------------------------------------------------------------------------------------
// the first commit

async function hasCommits(repo: Repo): Promise<boolean> {
  return (await resolveRef(repo, 'HEAD')) !== undefined;
}

async function firstCommit(repo: Repo, files: string[], author: { name: string; email: string }): Promise<string> {
  const branch = await git.currentBranch({ fs: repo.fs, gitdir: repo.gitdir });
  if (!branch) throw new GitStateError(`${repo.dir} has a detached HEAD and no commits; check out a branch first`);
  for (const file of files) await git.add({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, filepath: file });
  return git.commit({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, message: 'chore: initialise reverie memory repo\n', author });
}
