import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as git from 'isomorphic-git';
import { CONFIG_FILE } from '../config/index.js';
import { currentBranch, initRepo, openRepo, resolveRef, type Repo } from '../git/index.js';
import { GitStateError } from '../errors.js';

/** The files `reverie init` writes, from templates/ (repository path → template path). */
const SKELETON: [target: string, template: string][] = [
  [CONFIG_FILE, 'reverie.yaml'],
  ['memory/instructions/instructions.md', 'memory/instructions/instructions.md'],
  ['memory/notes.md', 'memory/notes.md'],
  ['sessions/README.md', 'sessions/README.md'],
];

export interface InitResult {
  dir: string;
  createdRepo: boolean;
  created: string[];
  existing: string[];
  /** The commit made when the repository had none yet. */
  commit?: string;
}

export function templatesDir(): string {
  // dist/cycle/init.js and src/cycle/init.ts both sit two levels below the package root.
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

/**
 * Turns a folder into a memory repo. Idempotent: only missing files are written, and an existing file is
 * never overwritten. A brand-new repository gets a first commit so that `reverie dream` can start from main.
 */
export async function initMemoryRepo(dir: string, author: { name: string; email: string }): Promise<InitResult> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const createdRepo = !existsSync(path.join(root, '.git'));
  const repo = createdRepo ? await initRepo(root, { defaultBranch: 'main' }) : await openRepo(root);
  const created: string[] = [];
  const existing: string[] = [];
  for (const [target, template] of SKELETON) {
    const file = path.join(root, target);
    if (existsSync(file)) {
      existing.push(target);
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    let text = await readFile(path.join(templatesDir(), template), 'utf8');
    // An existing repository may call its main branch something else; cycles must start from that one.
    if (target === CONFIG_FILE) text = text.replace(/^  main: main$/m, `  main: ${(await currentBranch(repo)) ?? 'main'}`);
    await writeFile(file, text);
    created.push(target);
  }
  const result: InitResult = { dir: root, createdRepo, created, existing };
  if (created.length > 0 && !(await hasCommits(repo))) result.commit = await firstCommit(repo, created, author);
  return result;
}

async function hasCommits(repo: Repo): Promise<boolean> {
  return (await resolveRef(repo, 'HEAD')) !== undefined;
}

async function firstCommit(repo: Repo, files: string[], author: { name: string; email: string }): Promise<string> {
  const branch = await git.currentBranch({ fs: repo.fs, gitdir: repo.gitdir });
  if (!branch) throw new GitStateError(`${repo.dir} has a detached HEAD and no commits; check out a branch first`);
  for (const file of files) await git.add({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, filepath: file });
  return git.commit({ fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, message: 'chore: initialise reverie memory repo\n', author });
}
