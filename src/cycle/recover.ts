/**
 * What a run killed halfway (kill -9, a crash, a full disk) leaves behind, found and repaired: a ref lock of ours
 * whose process is gone, a fast-forward whose files did not follow the branch, temporary files of writes that never
 * finished, a cycle branch already merged into main. Every writing command runs this first, under the repository
 * lock; `reverie doctor` runs it on demand, and also checks every loose object. Nothing is deleted that holds work:
 * a broken object is moved aside, not removed, and a file someone changed since is left as it is.
 */
import { createHash } from 'node:crypto';
import { readdirSync, type Dirent } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isTemporaryName, writeFileDurably } from '../git/durable.js';
import { entryStat, readIndex } from '../git/index-file.js';
import { acquireLock } from '../git/lock.js';
import { staleRefLocks } from '../git/lock.js';
import { finishCheckout, readCheckoutJournal } from '../git/worktree.js';
import { looseObjectState } from '../git/objects.js';
import { zlib } from '../git/zlib.js';
import { currentBranch, deleteBranch, isAncestor, listBranches, resolveRef, type Repo } from '../git/repo.js';
import type { RepoContext } from './repo-context.js';

export { pendingRepairs } from './pending-repairs.js';

/** What was repaired (or, for a look only, what needs to be), one line each, for a person. */
export interface Repairs {
  lines: string[];
}

/** The prefix of the branches a cycle writes. */
const CYCLE_BRANCHES = 'reverie/';

/** Takes the repository lock, then repairs what an interrupted run left; `release` frees the lock. */
export async function lockAndRecover(context: RepoContext, purpose: string): Promise<{ release: () => void; repairs: Repairs }> {
  const release = await acquireLock(context.repo, { purpose });
  try {
    return { release, repairs: await recoverInterrupted(context.repo, context.config.git.main) };
  } catch (error) {
    release();
    throw error;
  }
}

/** Repairs what an interrupted run left; call it while holding the repository lock. */
export async function recoverInterrupted(repo: Repo, main: string): Promise<Repairs> {
  const lines: string[] = [];
  for (const file of await staleRefLocks(repo)) {
    await fsp.rm(file, { force: true });
    lines.push(`removed ${path.relative(repo.gitdir, file)}, left by a reverie process that is gone`);
  }
  const journal = await readCheckoutJournal(repo);
  if (journal) {
    const done = await finishCheckout(repo, journal);
    if (!done.stale) {
      lines.push(`brought ${done.updated.length} file(s) of the working tree up to ${journal.ref.replace('refs/heads/', '')} (${journal.to.slice(0, 7)}), which an interrupted run had moved`);
      if (done.leftAlone.length > 0) lines.push(`left as they are, since they were changed meanwhile: ${done.leftAlone.join(', ')}`);
    }
  }
  const temporary = await deadTemporaryFiles(repo.gitdir);
  for (const file of temporary) await fsp.rm(file, { force: true });
  if (temporary.length > 0) lines.push(`removed ${temporary.length} temporary file(s) of writes an interrupted run did not finish`);
  const merged = await mergedCycleBranches(repo, main);
  for (const branch of merged) await deleteBranch(repo, branch);
  if (merged.length > 0) lines.push(`deleted ${merged.join(', ')}: already merged into ${main}`);
  return { lines };
}

/**
 * Whether recoverInterrupted would find anything to repair, without repairing it: a run that would answer from a record
 * (a quiet night, see quiet.ts) takes the long way whenever this says yes, so that the repairs and their report happen.
 */
export async function needsRecovery(repo: Repo, main: string): Promise<boolean> {
  if ((await staleRefLocks(repo)).length > 0 || (await readCheckoutJournal(repo))) return true;
  return (await deadTemporaryFiles(repo.gitdir)).length > 0 || (await mergedCycleBranches(repo, main)).length > 0;
}

/** Cycle branches whose every commit is on main: an approval stopped before it deleted them. */
async function mergedCycleBranches(repo: Repo, main: string): Promise<string[]> {
  const tip = await resolveRef(repo, main);
  if (!tip) return [];
  const branches = await listBranches(repo, CYCLE_BRANCHES);
  // Most runs find none, and then never ask which branch is checked out (that loads isomorphic-git).
  if (branches.length === 0) return [];
  const checkedOut = await currentBranch(repo);
  const merged: string[] = [];
  for (const branch of branches) {
    if (branch === checkedOut) continue;
    const oid = await resolveRef(repo, branch);
    if (oid && (await isAncestor(repo, oid, tip).catch(() => false))) merged.push(branch);
  }
  return merged;
}

/** Temporary files of durable writes (`tmp_reverie_<pid>_…`, a cycle's pack among them) whose process is no longer running. */
async function deadTemporaryFiles(gitdir: string): Promise<string[]> {
  const found: string[] = [];
  const folders = [path.join(gitdir, 'refs'), path.join(gitdir, 'reverie'), path.join(gitdir, 'objects')];
  // Listed one folder after another without a promise each: the objects folder alone may hold 256 of them, and every
  // run that writes (a quiet night's too) looks here first.
  const walk = (folder: string, depth: number): void => {
    for (const entry of listFolder(folder)) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && depth < 4) walk(full, depth + 1);
      else if (entry.isFile() && isTemporaryName(entry.name) && !isRunning(pidOf(entry.name))) found.push(full);
    }
  };
  for (const folder of folders) walk(folder, 0);
  // The index is written beside itself, in the git directory's root.
  for (const entry of listFolder(gitdir)) {
    if (entry.isFile() && isTemporaryName(entry.name) && !isRunning(pidOf(entry.name))) found.push(path.join(gitdir, entry.name));
  }
  return found.sort();
}

/** A folder's entries, or none when it cannot be listed (it may not exist yet). */
function listFolder(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

function pidOf(name: string): number {
  return Number.parseInt(name.split('_')[2] ?? '', 10);
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A loose object that is not what its name says, and where it was moved. */
export interface BrokenObject {
  oid: string;
  movedTo?: string;
  /** The file of the working tree whose content is this object, from which it was written again. */
  restoredFrom?: string;
}

/** Blob oid → path, for the files the index tracks: where a broken blob's content may still be on disk. */
async function stagedFiles(gitdir: string): Promise<Map<string, string>> {
  const index = await readIndex(gitdir);
  const byOid = new Map<string, string>();
  for (const entry of index?.entries ?? []) {
    const oid = entryStat(entry)?.oid;
    if (oid && entry.stage === 0) byOid.set(oid, entry.path);
  }
  return byOid;
}

/** Writes the blob again from a file whose content hashes to it; false when the file no longer holds it. */
async function restoreBlob(gitdir: string, oid: string, file: string): Promise<boolean> {
  const content = await fsp.readFile(file).catch(() => undefined);
  if (!content) return false;
  const wrapped = Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]);
  if (createHash('sha1').update(wrapped).digest('hex') !== oid) return false;
  await writeFileDurably(path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), zlib().deflateSync(wrapped, { level: 1 }), { mode: 0o444 });
  return true;
}

/**
 * Every loose object, checked: one that does not inflate or does not hash to its name (an empty file left by a
 * killed write of an older version) is moved into `<gitdir>/reverie/broken-objects/`, so that the next write of the
 * same content stores it afresh and git stops reporting it. A blob whose content a tracked file of the working tree
 * still holds is written again from it at once. With `repair` false, only listed.
 */
export async function checkLooseObjects(gitdir: string, { repair, workTree }: { repair: boolean; workTree?: string }): Promise<BrokenObject[]> {
  const broken: BrokenObject[] = [];
  const staged = workTree ? await stagedFiles(gitdir) : new Map<string, string>();
  const root = path.join(gitdir, 'objects');
  for (const prefix of await fsp.readdir(root).catch(() => [])) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    for (const rest of await fsp.readdir(path.join(root, prefix)).catch(() => [])) {
      if (!/^[0-9a-f]{38}$/.test(rest)) continue;
      const oid = prefix + rest;
      const file = path.join(root, prefix, rest);
      if ((await looseObjectState(file, oid)) !== 'corrupt') continue;
      if (!repair) {
        broken.push({ oid });
        continue;
      }
      const aside = path.join(gitdir, 'reverie', 'broken-objects', oid);
      await fsp.mkdir(path.dirname(aside), { recursive: true });
      await fsp.rename(file, aside);
      const source = staged.get(oid);
      const restored = workTree && source ? await restoreBlob(gitdir, oid, path.join(workTree, source)) : false;
      broken.push({ oid, movedTo: aside, ...(restored ? { restoredFrom: source } : {}) });
    }
  }
  return broken;
}

/** Refs that name a commit the repository does not have (or has broken): no command can work from them. */
export async function danglingRefs(repo: Repo, refs: string[]): Promise<string[]> {
  const dangling: string[] = [];
  for (const ref of refs) {
    const oid = await resolveRef(repo, ref).catch(() => undefined);
    if (!oid) continue;
    const state = await looseObjectState(path.join(repo.gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), oid);
    if (state === 'corrupt') dangling.push(ref);
  }
  return dangling;
}

