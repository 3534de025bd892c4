/**
 * `reverie store push` and `reverie store pull`: the memory repository and a Managed Agents memory store kept as
 * mirrors. A pull brings every version the store's agents wrote since the last sync back as one commit each, with its
 * actor, on a branch reviewed like a cycle (`reverie/store-<stamp>`; in auto mode main moves to it). A push sends
 * main's memory up with `content_sha256` preconditions, so a write it has not seen is never overwritten: a conflict
 * brings the store's version back as such a branch instead. Where both last agreed is `.reverie/store.json` on main,
 * in a commit that touches nothing else. The caller holds the repository lock.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { mergeFile } from '../compile/branches.js';
import { cycleStamp } from '../cycle/history.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { UsageError } from '../errors.js';
import { commitChanges, updateBranch } from '../git/commit.js';
import { walkFirstParent } from '../git/log.js';
import { formatCommitMessage } from '../git/message.js';
import { resolveRef, type Repo } from '../git/repo.js';
import { readFileAt, readFilesAt } from '../git/tree.js';
import { fastForward } from '../git/worktree.js';
import type { StoreConfig } from '../config/types.js';
import { STORE_PREFIX, STORE_TRAILER, waitingStoreBranches } from './branch.js';
import { isStoreConflict, listMemories, listVersions, storeApiError, storeClient, type StoreConnection } from './client.js';
import { storeMapping } from './paths.js';
import { actorOf, advanceSince, newVersions, planPull, planPush, sha256, type PulledVersion, type PushStep } from './plan.js';
import { parseStoreRecord, STORE_RECORD, storeRecordText, type StoreRecord } from './state.js';

export interface StoreSyncOptions {
  now: Date;
  /** auto: main moves to what a pull brings; review: it waits on a branch. Default: `mode` of reverie.yaml. */
  mode?: 'auto' | 'review';
  /** Work out what would be sent or committed, and change nothing (the store is still read). */
  dryRun?: boolean;
  connection?: StoreConnection;
  /** A client to use instead of one made from the connection (a test's, a proxy's). */
  client?: Anthropic;
}

export interface PulledCommit {
  commit: string;
  version: string;
  operation: string;
  files: string[];
  actor: string;
  /** Set when main changed the file since the last sync: `merged` (both kept) or `replaces` (the store's wins if approved). */
  against_main?: 'merged' | 'replaces';
  redacted: boolean;
}

export interface PullReport {
  store: string;
  dry_run: boolean;
  /** The branch the commits wait on (review), or main (auto); null when there was nothing to commit. */
  branch: string | null;
  merged: boolean;
  commits: PulledCommit[];
  /** Versions not taken, and why (a protected file, a path outside the mirror, a redacted version). */
  skipped: { version: string; path: string | null; reason: string }[];
  /** Versions seen that change nothing here (the repository's own writes, or text main has already). */
  unchanged: number;
  record_commit: string | null;
  main: string;
}

export interface PushedFile {
  file: string;
  path: string;
  action: 'created' | 'updated' | 'deleted' | 'in-sync' | 'forgotten' | 'too-large' | 'waiting' | 'conflict';
  /** What it means, for the ones that were not sent. */
  reason?: string;
  bytes?: number;
}

export interface PushReport {
  store: string;
  dry_run: boolean;
  main: string;
  files: PushedFile[];
  sent: number;
  conflicts: number;
  /** A conflict brings the store's versions back: the pull that did. */
  pull: PullReport | null;
  record_commit: string | null;
}

function storeOf(context: RepoContext): StoreConfig {
  const store = context.config.store;
  if (!store) throw new UsageError(`no store: section in ${context.config.file}; add one naming the memory store (store: { id: memstore_... })`);
  return store;
}

function modeOf(context: RepoContext, options: StoreSyncOptions): { mode: 'auto' | 'review'; dryRun: boolean } {
  const configured = context.config.mode;
  return { mode: options.mode ?? (configured === 'auto' ? 'auto' : 'review'), dryRun: options.dryRun === true || (options.mode === undefined && configured === 'dry-run') };
}

// ---- pull ----

export async function pullStore(context: RepoContext, options: StoreSyncOptions): Promise<PullReport> {
  const store = storeOf(context);
  const { mode, dryRun } = modeOf(context, options);
  const client = options.client ?? storeClient(store, options.connection);
  const mapping = storeMapping({ memory: context.config.memory, store });
  const main = await mainTip(context);
  const record = parseStoreRecord(await readFileAt(context.repo, main, STORE_RECORD), store.id);
  const waiting = await waitingStoreBranches(context.repo, main);
  const listed = await listVersions(client, store.id, record.since?.at).catch((error: unknown) => {
    throw storeApiError(error, `listing the versions of ${store.id}`);
  });
  const fresh = newVersions(listed, record, new Set(waiting.flatMap((w) => w.versions)));
  const planned = planPull(fresh, record, mapping);
  const next = advanceSince(planned.record, listed);
  const report: PullReport = { store: store.id, dry_run: dryRun, branch: null, merged: false, commits: [], skipped: [], unchanged: 0, record_commit: null, main };
  for (const entry of planned.pulled) {
    if (entry.skipped) report.skipped.push({ version: entry.version.id, path: entry.version.path ?? null, reason: entry.skipped });
  }
  const recordText = storeRecordText(next);
  const recordChanged = recordText !== (await readFileAt(context.repo, main, STORE_RECORD));
  // The record goes first, on main, and the versions on top of it: approving the branch is then a fast-forward that
  // keeps each version's author. The branch is written before main moves, so a run stopped in between loses nothing
  // (the next pull skips the versions a waiting branch holds).
  let base = main;
  if (recordChanged && !dryRun) {
    base = await commitChanges(context.repo, { parent: main, changes: new Map([[STORE_RECORD, recordText]]), message: recordMessage('pull', store.id), author: context.config.git.author, timestamp: seconds(options.now) });
  }
  let tip = base;
  const touched = new Set<string>();
  for (const entry of planned.pulled as PulledChange[]) {
    if (entry.skipped || entry.changes.size === 0) continue;
    const changes = await againstTip(context, tip, entry, record, touched);
    for (const file of entry.changes.keys()) touched.add(file);
    if (changes.size === 0) {
      report.unchanged++;
      continue;
    }
    const files = [...changes.keys()];
    const actor = actorOf(entry.version.created_by);
    const commit: PulledCommit = { commit: '', version: entry.version.id, operation: entry.version.operation, files, actor: actor.label, redacted: entry.redacted, ...(entry.against ? { against_main: entry.against } : {}) };
    if (!dryRun) {
      tip = await commitChanges(context.repo, { parent: tip, changes, message: versionMessage(entry, store.id, files, actor), author: authorOf(actor), timestamp: Math.floor(Date.parse(entry.version.created_at) / 1000) || seconds(options.now) });
      commit.commit = tip;
    }
    report.commits.push(commit);
  }
  if (dryRun) return report;
  if (report.commits.length > 0) {
    // A version that would replace a change main made since the last sync is a person's decision, whatever the mode.
    if (mode === 'auto' && !report.commits.some((c) => c.against_main === 'replaces')) {
      await fastForward(context.repo, { branch: context.config.git.main, to: tip, expectedOld: main });
      report.branch = context.config.git.main;
      report.merged = true;
      report.main = tip;
    } else {
      report.branch = await freeBranchName(context.repo, `${STORE_PREFIX}${cycleStamp(options.now)}`);
      await updateBranch(context.repo, report.branch, tip, { expectedOld: null });
    }
  }
  if (base !== main && !report.merged) {
    await fastForward(context.repo, { branch: context.config.git.main, to: base, expectedOld: main });
    report.main = base;
  }
  if (base !== main) report.record_commit = base;
  return report;
}

interface PulledChange extends PulledVersion {
  against?: 'merged' | 'replaces';
}

/**
 * A version's changes as they apply to the branch: a file main changed since the last sync is merged three ways with
 * the text both last agreed on (found in main's history), and where that cannot be done, the store's text replaces
 * main's, which the commit says; a change that leaves a file as it is drops out.
 */
async function againstTip(context: RepoContext, tip: string, entry: PulledChange, record: StoreRecord, touched: ReadonlySet<string>): Promise<Map<string, string | null>> {
  const changes = new Map<string, string | null>();
  for (const [file, text] of entry.changes) {
    const current = await readFileAt(context.repo, tip, file);
    if ((current ?? null) === text) continue;
    // A file an earlier version of this pull wrote holds the store's text already: nothing of main's to keep.
    const agreed = entry.version.path && !touched.has(file) ? record.memories[entry.version.path]?.sha256 : undefined;
    if (text !== null && current !== undefined && agreed !== undefined && sha256(current) !== agreed) {
      const base = await textWithHash(context.repo, tip, file, agreed);
      const merged = base === undefined ? 'conflict' : mergeFile(base, current, text);
      if (merged !== 'conflict') {
        entry.against = 'merged';
        if (merged !== current) changes.set(file, merged ?? null);
        continue;
      }
      entry.against = 'replaces';
    }
    changes.set(file, text);
  }
  return changes;
}

/** The text `file` had on main's first-parent history when its sha256 was `hash` (the last 500 commits are looked at). */
async function textWithHash(repo: Repo, tip: string, file: string, hash: string): Promise<string | undefined> {
  let looked = 0;
  for await (const commit of walkFirstParent(repo, tip)) {
    if (++looked > 500) return undefined;
    const text = await readFileAt(repo, commit.oid, file);
    if (text !== undefined && sha256(text) === hash) return text;
  }
  return undefined;
}

function versionMessage(entry: PulledChange, store: string, files: string[], actor: ReturnType<typeof actorOf>): string {
  const version = entry.version;
  const body = [
    `Version ${version.id} of memory ${version.memory_id} in memory store ${store}: ${version.operation} ${version.path ?? ''} at ${version.created_at} by ${actor.label}.`,
    entry.redacted ? 'Secrets in the text were redacted here; the next push sends the redacted text to the store.' : '',
    entry.against === 'merged' ? "main changed this file since the last sync: the store's change is merged with main's." : '',
    entry.against === 'replaces'
      ? "main changed this file since the last sync, and the two do not merge: approving takes the store's text over main's change; rejecting keeps main's, and the next push sends it to the store."
      : '',
  ].filter(Boolean);
  const trailers: [string, string][] = [
    [STORE_TRAILER.store, store],
    [STORE_TRAILER.version, version.id],
    [STORE_TRAILER.memory, version.memory_id],
    [STORE_TRAILER.operation, version.operation],
    [STORE_TRAILER.actor, `${actor.kind} ${actor.id}`],
  ];
  for (const path of new Set(files.map(() => version.path ?? ''))) if (path) trailers.push([STORE_TRAILER.path, path]);
  // An agent's write in a session reads as the memory tool's writes do: `reverie why` names the session, and
  // `reverie revert session-<id>` undoes what it wrote.
  if (actor.kind === 'session_actor') trailers.push(['Reverie-Session', actor.id], ['Reverie-Tool', 'memory store'], ['Reverie-Tool-Command', version.operation]);
  return formatCommitMessage({ subject: `store(${files.join(', ')}): ${version.operation} by ${actor.label}`, body: body.join('\n\n'), trailers });
}

/** The actor as a commit author: ids are letters, digits and `_`, so they make a valid name and email. */
function authorOf(actor: ReturnType<typeof actorOf>): { name: string; email: string } {
  const id = actor.id.replace(/[^A-Za-z0-9_.-]/g, '-');
  return { name: actor.label.replace(/[<>\n]/g, ''), email: `${id}@${actor.kind.replace(/_/g, '-')}.managed-agents.invalid` };
}

// ---- push ----

export async function pushStore(context: RepoContext, options: StoreSyncOptions): Promise<PushReport> {
  const store = storeOf(context);
  const { dryRun } = modeOf(context, options);
  const client = options.client ?? storeClient(store, options.connection);
  const mapping = storeMapping({ memory: context.config.memory, store });
  const main = await mainTip(context);
  const recordText = await readFileAt(context.repo, main, STORE_RECORD);
  const record = parseStoreRecord(recordText, store.id);
  const root = context.config.memory.root;
  const files = await readFilesAt(context.repo, main, (file) => mapping.storePathOf(file) !== undefined, { under: [root] });
  const listing = await listMemories(client, store.id, store.path).catch((error: unknown) => {
    throw storeApiError(error, `listing the memories of ${store.id}`);
  });
  const waiting = new Map<string, string>();
  for (const branch of await waitingStoreBranches(context.repo, main)) for (const path of branch.paths) waiting.set(path, branch.branch);
  const steps = planPush({ files, mapping, record, store: listing, waiting });
  const next: StoreRecord = structuredClone(record);
  const report: PushReport = { store: store.id, dry_run: dryRun, main, files: [], sent: 0, conflicts: 0, pull: null, record_commit: null };
  let failure: unknown;
  for (const step of steps) {
    try {
      report.files.push(dryRun ? planned(step) : await send(client, store.id, step, next));
    } catch (error) {
      failure = storeApiError(error, `sending ${step.file} to ${store.id}`);
      break;
    }
  }
  report.sent = report.files.filter((f) => f.action === 'created' || f.action === 'updated' || f.action === 'deleted').length;
  report.conflicts = report.files.filter((f) => f.action === 'conflict').length;
  if (dryRun) return report;
  // What was sent is recorded even when a later request failed: the next push starts from there.
  const text = storeRecordText(next);
  if (text !== recordText) {
    report.record_commit = await commitChanges(context.repo, { parent: main, changes: new Map([[STORE_RECORD, text]]), message: recordMessage('push', store.id), author: context.config.git.author, timestamp: seconds(options.now) });
    await fastForward(context.repo, { branch: context.config.git.main, to: report.record_commit, expectedOld: main });
    report.main = report.record_commit;
  }
  if (failure) throw failure;
  if (report.conflicts > 0) {
    report.pull = await pullStore(context, { ...options, client, mode: 'review' });
    report.main = report.pull.main;
  }
  return report;
}

/** One step done against the store; the record learns what the store now holds. */
async function send(client: Anthropic, storeId: string, step: PushStep, record: StoreRecord): Promise<PushedFile> {
  const done = (action: PushedFile['action'], extra: Partial<PushedFile> = {}): PushedFile => ({ file: step.file, path: step.path, action, ...extra });
  const conflict = (reason: string) => done('conflict', { reason });
  const memories = client.beta.memoryStores.memories;
  try {
    switch (step.kind) {
      case 'create': {
        const created = await memories.create(storeId, { path: step.path, content: step.text });
        record.memories[step.path] = { id: created.id, sha256: created.content_sha256 };
        record.own_versions.push(created.memory_version_id);
        return done('created', { bytes: created.content_size_bytes });
      }
      case 'update': {
        const updated = await memories.update(step.id, { memory_store_id: storeId, content: step.text, precondition: { type: 'content_sha256', content_sha256: step.expected } });
        record.memories[step.path] = { id: updated.id, sha256: updated.content_sha256 };
        record.own_versions.push(updated.memory_version_id);
        return done('updated', { bytes: updated.content_size_bytes });
      }
      case 'delete':
        await memories.delete(step.id, { memory_store_id: storeId, expected_content_sha256: step.expected });
        delete record.memories[step.path];
        return done('deleted');
      case 'in-sync':
        record.memories[step.path] = { id: step.id, sha256: step.sha256 };
        return done('in-sync');
      case 'forget':
        delete record.memories[step.path];
        return done('forgotten');
      default:
        return planned(step);
    }
  } catch (error) {
    if (isStoreConflict(error)) return conflict('written in the store while this push ran');
    throw error;
  }
}

/** A step as a report says it before (or without) sending it. */
function planned(step: PushStep): PushedFile {
  const base = { file: step.file, path: step.path };
  switch (step.kind) {
    case 'create':
      return { ...base, action: 'created', bytes: Buffer.byteLength(step.text) };
    case 'update':
      return { ...base, action: 'updated', bytes: Buffer.byteLength(step.text) };
    case 'delete':
      return { ...base, action: 'deleted' };
    case 'in-sync':
      return { ...base, action: 'in-sync' };
    case 'forget':
      return { ...base, action: 'forgotten' };
    case 'too-large':
      return { ...base, action: 'too-large', bytes: step.bytes, reason: `${step.bytes.toLocaleString('en-US')} bytes; a store memory is at most 102,400 bytes (100 kB): not sent` };
    case 'waiting':
      return { ...base, action: 'waiting', reason: `the store's changes to it wait for review on ${step.branch}` };
    case 'conflict':
      return { ...base, action: 'conflict', reason: step.reason };
  }
}

// ---- shared ----

function recordMessage(command: 'push' | 'pull', store: string): string {
  return formatCommitMessage({
    subject: `store(${STORE_RECORD}): record the ${command} of ${store}`,
    body: `Where the memory and memory store ${store} last agreed: each memory's id and sha256 in the store, and the newest version pulled.`,
    trailers: [[STORE_TRAILER.store, store]],
  });
}

async function freeBranchName(repo: Repo, name: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`;
    if ((await resolveRef(repo, `refs/heads/${candidate}`)) === undefined) return candidate;
  }
}

function seconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

