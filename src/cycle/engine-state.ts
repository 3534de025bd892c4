/**
 * The engines' state beyond one machine. `.git/reverie/claude` holds a Message Batch submitted and not yet read back,
 * the map results of sessions no cycle has recorded yet (the claude engine), and a dream created and not yet taken in
 * (`dream.json`, the managed engine); a CI runner throws that folder away with the job.
 * So what it holds is also kept on a ref of the memory repository, `refs/reverie/engine` (a tree of `batch.json` and
 * `map/<key>/<hash>.json`), and, when review happens on GitHub, fetched at the start of a run and pushed whenever it
 * changes: above all right after a batch is submitted, before the wait that a job's time limit may cut short. A run
 * on a fresh clone then resumes the batch by id instead of paying for it again, and reuses what a stopped cycle paid
 * to extract.
 *
 * The ref is not under `refs/heads/`: it is no branch, and nothing takes it for a cycle. Each write is a commit of
 * its own, with no parent, so that map results pruned from it (sessions main records as processed) are gone from what
 * a clone fetches too; the push replaces what GitHub has, after checking that it is what this run last saw there
 * (else that is taken in first, and the write made again). A push that fails is a warning, never a lost batch: the
 * folder and the local ref keep everything, and this clone's next run pushes it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BATCH_FILE, exportCache, importCache, type CacheFiles } from '../dream/engines/claude/cache.js';
import { DREAM_FILE } from '../dream/engines/managed/pending.js';
import { isProcessedFile, readState, STATE_DIR } from '../dream/state.js';
import { commitChanges, readEntry, readFilesAt, resolveRef, updateRef } from '../git/index.js';
import { fetchRef, pushRef, remoteRefTip } from '../github/remote.js';
import { mainTip, type RepoContext } from './context.js';
import { transportOf, type GitHubLink } from './publish.js';

/** Where the engine's state is kept in the memory repository, here and on GitHub. */
export const ENGINE_STATE_REF = 'refs/reverie/engine';

/** The claude engine's folder in the git directory, of which the ref is the copy that travels. */
export function engineCacheDir(context: RepoContext): string {
  return path.join(context.repo.gitdir, 'reverie', 'claude');
}

export interface EngineState {
  /**
   * Takes in what the ref holds, here and (with a link) on GitHub, where the folder lacks it. Runs under the
   * repository's lock, before the cycle reads its sessions. A fetch that fails stops the cycle, as a failed fetch of
   * main does: a run that cannot see a pending batch could submit it again.
   */
  restore(link: GitHubLink | undefined): Promise<void>;
  /**
   * Writes the ref when the folder's content changed, and pushes it when GitHub has another (unless `push` is false:
   * a run failing because GitHub does not answer leaves the push to its next run rather than wait on it). Never throws.
   */
  save(options?: { push?: boolean }): Promise<void>;
  /** What went wrong without stopping the cycle, and what a person should know, for the cycle's warnings. */
  readonly warnings: string[];
}

/** How many times a push is tried again when another run wrote the ref on GitHub between this run's look and its push. */
const MOVED_RETRIES = 2;

export function engineState(context: RepoContext, dir = engineCacheDir(context)): EngineState {
  const warnings: string[] = [];
  // Said once, though a run may meet the same thing twice (a save after submitting a batch, and at its end).
  const warn = (message: string) => void (warnings.includes(message) || warnings.push(message));
  let link: GitHubLink | undefined;
  /** What GitHub's ref was when this run last looked (fetched, or pushed itself); null when it had none. */
  let seen: string | null = null;

  /** Imports the tree of each commit, newest first: where two hold another batch, the newer one's is taken. */
  const take = async (tips: string[]): Promise<void> => {
    const dated = await Promise.all(tips.map(async (tip) => ({ tip, at: (await readEntry(context.repo, tip)).timestamp })));
    for (const { tip } of dated.sort((a, b) => b.at - a.at)) {
      const { otherBatch, batch } = await importCache(dir, await readFilesAt(context.repo, tip));
      const kept = batch ?? (await pendingBatchId(dir));
      if (otherBatch) warn(`Message Batch ${otherBatch}, recorded in ${ENGINE_STATE_REF}, was left for ${kept ?? 'the one this clone is waiting for'}: only one batch is followed at a time, so the sessions it holds are sent again unless ${kept ?? 'that one'} has them`);
    }
  };

  const write = async (): Promise<{ tip: string | undefined; files: CacheFiles }> => {
    const { repo, config } = context;
    const files = await exportCache(dir, await processedOnMain(context));
    const tip = await resolveRef(repo, ENGINE_STATE_REF);
    const current = tip ? await readFilesAt(repo, tip) : new Map<string, string>();
    if (sameFiles(files, current) && (tip || seen === null)) return { tip, files };
    const commit = await commitChanges(repo, { parent: undefined, changes: files, message: commitMessage(files), author: config.git.author, allowEmpty: true });
    await updateRef(repo, ENGINE_STATE_REF, commit, { expectedOld: tip ?? null });
    return { tip: commit, files };
  };

  const push = async (tip: string): Promise<void> => {
    if (!link || tip === seen) return;
    const transport = { ...transportOf(link), ref: ENGINE_STATE_REF };
    for (let retry = 0; ; retry++) {
      const there = (await remoteRefTip(context.repo, transport)) ?? null;
      if (there === tip) {
        seen = tip;
        return;
      }
      if (there === seen) {
        await pushRef(context.repo, { ...transport, force: true });
        seen = tip;
        return;
      }
      // Another run wrote it since this one looked: take in what it kept, and write again from both.
      if (retry >= MOVED_RETRIES) throw new Error(`${ENGINE_STATE_REF} on GitHub keeps changing under this run`);
      const fetched = await fetchRef(context.repo, transport);
      if (fetched) await take([fetched]);
      seen = fetched ?? null;
      const again = await write();
      if (!again.tip || again.tip === seen) return;
      tip = again.tip;
    }
  };

  return {
    warnings,
    async restore(connected) {
      link = connected;
      const here = await resolveRef(context.repo, ENGINE_STATE_REF);
      const there = link ? await fetchRef(context.repo, { ...transportOf(link), ref: ENGINE_STATE_REF }) : undefined;
      seen = there ?? null;
      await take([...new Set([there, here].filter((tip): tip is string => tip !== undefined))]);
      // A fresh clone takes GitHub's as its own: unless the run changes something, it writes and pushes nothing.
      if (there && !here) await updateRef(context.repo, ENGINE_STATE_REF, there, { expectedOld: null });
    },
    async save({ push: pushing = true } = {}) {
      let files: CacheFiles = new Map();
      try {
        const result = await write();
        files = result.files;
        if (result.tip && pushing) await push(result.tip);
      } catch (error) {
        const where = link ? ` to ${link.remote.owner}/${link.remote.repo}` : '';
        const warning =
          `the claude engine's state could not be ${link ? 'pushed' : 'written'}${where} (${ENGINE_STATE_REF}): ${error instanceof Error ? error.message : String(error)}; ` +
          `this clone keeps it in .git/reverie/claude and ${link ? 'pushes it on its next run' : 'writes it on its next run'}${pendingNote(files)}`;
        warn(warning);
      }
    },
  };
}

/** Which sessions main's state records as processed: their map results are read by no later cycle. */
async function processedOnMain(context: RepoContext): Promise<(hash: string) => boolean> {
  const main = await mainTip(context);
  if (!main) return () => false;
  const processed = readState(await readFilesAt(context.repo, main, isProcessedFile, { under: [STATE_DIR] })).processed;
  return (hash) => Object.hasOwn(processed, hash);
}

async function pendingBatchId(dir: string): Promise<string | undefined> {
  const text = await readFile(path.join(dir, BATCH_FILE), 'utf8').catch(() => undefined);
  return batchIdOf(text);
}

function batchIdOf(text: string | undefined): string | undefined {
  try {
    const id = text === undefined ? undefined : (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** What a run on another clone would do without the state this one could not push. */
function pendingNote(files: CacheFiles): string {
  const batch = batchIdOf(files.get(BATCH_FILE));
  return batch ? `; until then a run on another clone does not see Message Batch ${batch}, and would submit its sessions again` : '';
}

function sameFiles(a: CacheFiles, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([file, text]) => b.get(file) === text);
}

function commitMessage(files: CacheFiles): string {
  const results = [...files.keys()].filter((file) => file !== BATCH_FILE && file !== DREAM_FILE).length;
  const batch = batchIdOf(files.get(BATCH_FILE));
  const dream = batchIdOf(files.get(DREAM_FILE));
  const what = [`${results} map ${results === 1 ? 'result' : 'results'} of sessions main has not recorded`, ...(batch ? [`Message Batch ${batch} pending`] : []), ...(dream ? [`dream ${dream} pending`] : [])];
  return `reverie: claude engine state\n\n${what.join('; ')}.\n`;
}
