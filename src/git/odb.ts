/**
 * Reading objects straight out of the object database, loose or packed, with node:fs and node:zlib.
 *
 * isomorphic-git's reads cost about a millisecond each however small the object: every call looks up the git
 * directory again, tries the loose file first (an exception for every packed object), and inflates with pako;
 * and the first packed object a process asks for makes it read the whole packfile into memory and hash it (70 ms
 * for the 20 MB pack of a 10,000-session repository). Walking history for provenance reads hundreds of objects.
 * Here a pack's index is read once per repository and an object is read alone, from its offset in the pack. Every
 * object is checked against its oid before it is returned.
 *
 * This is an accelerator, not a replacement: an object not found here (the empty tree, an alternate object store,
 * a pack with an index version we do not read) is `undefined`, and the caller asks isomorphic-git.
 */
import { crypto } from '../util/crypto.js';
import { readFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { GitStateError } from '../errors.js';
import type { CommitObject, ReadCommitResult, TreeEntry } from 'isomorphic-git';
import { Lru } from './lru.js';
import { findInPack, inflateOrThrow, loadPacks, offsetAt, readEntry, type EntryContext, type Pack } from './pack.js';
import { parseCommit, parseTree } from './parse.js';
import type { Repo } from './repo.js';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface RawObject {
  type: ObjectType;
  content: Buffer;
}

const OID = /^[0-9a-f]{40}$/;

/** Resolved pack entries kept for delta chains that share a base; in bytes. */
const BASE_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * The object `oid` from the repository's own object database, or undefined when it is not there (or not in a form
 * read here). Throws GitStateError when the object is there but corrupt.
 */
export function readRawObject(repo: Repo, oid: string): Promise<RawObject | undefined> {
  return readObject(repo, oid, 0);
}

/** `depth`: how many deltas deep this object is wanted as a base (see pack.ts). */
async function readObject(repo: Repo, oid: string, depth: number): Promise<RawObject | undefined> {
  if (!OID.test(oid)) return undefined;
  const fromPack = await readPacked(repo, oid, await packs(repo), depth);
  if (fromPack) return fromPack;
  const loose = await readLoose(repo, oid);
  if (loose) return loose;
  // Not loose, not in the packs we know: a `git gc` or fetch may have packed it since; look once more.
  return readPacked(repo, oid, await packs(repo, { rescan: true }), depth);
}

/**
 * A loose object, read synchronously: objects are small and read one after another, and a promise per read (a trip
 * through libuv's thread pool) cost more than the read itself, most of a command's time on a long history.
 */
async function readLoose(repo: Repo, oid: string): Promise<RawObject | undefined> {
  const file = path.join(repo.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  let deflated: Buffer | undefined;
  try {
    deflated = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!deflated) return undefined;
  const wrapped = inflateOrThrow(deflated, () => corrupt(oid, 'it does not inflate'));
  const nul = wrapped.indexOf(0);
  const [type, size] = wrapped.subarray(0, Math.max(0, nul)).toString('latin1').split(' ');
  const content = wrapped.subarray(nul + 1);
  if (!isObjectType(type) || Number(size) !== content.length) throw corrupt(oid, 'its header is broken');
  return checked(oid, { type, content });
}

function isObjectType(type: string | undefined): type is ObjectType {
  return type === 'blob' || type === 'tree' || type === 'commit' || type === 'tag';
}

/** The object, after checking that its content hashes to `oid` as git hashes it. */
function checked(oid: string, object: RawObject): RawObject {
  const hash = crypto().createHash('sha1').update(`${object.type} ${object.content.length}\0`).update(object.content).digest('hex');
  if (hash !== oid) throw corrupt(oid, `its content hashes to ${hash}`);
  return object;
}

function corrupt(oid: string, why: string): GitStateError {
  return new GitStateError(`object ${oid} is corrupt: ${why}`);
}

/**
 * A commit as isomorphic-git's readCommit returns it, or undefined when isomorphic-git should read it (not found
 * here, an annotated tag to peel, a signed or otherwise unusual commit).
 */
export async function readCommitDirect(repo: Repo, oid: string): Promise<ReadCommitResult | undefined> {
  const raw = await readRawObject(repo, oid);
  const parsed = raw?.type === 'commit' ? parseCommit(raw.content) : undefined;
  return parsed ? { oid, ...parsed } : undefined;
}

/**
 * The tree of a commit, or a tree, as isomorphic-git's readTree returns it (the tree's oid and its entries), or
 * undefined when isomorphic-git should read it.
 */
export async function readTreeDirect(repo: Repo, oid: string): Promise<{ oid: string; tree: TreeEntry[] } | undefined> {
  const raw = await readRawObject(repo, oid);
  if (raw?.type === 'commit') {
    const tree = commitTree(raw.content);
    return tree ? readTreeDirect(repo, tree) : undefined;
  }
  const entries = raw?.type === 'tree' ? parseTree(raw.content) : undefined;
  return entries ? { oid, tree: entries } : undefined;
}

function commitTree(content: Buffer): CommitObject['tree'] | undefined {
  return parseCommit(content)?.commit.tree;
}

// --- packs -------------------------------------------------------------------------------------------------

interface PackState {
  packs: Promise<Pack[]>;
  /** Resolved entries by `<pack file>:<offset>`, for delta bases. */
  bases: Lru<RawObject>;
}

// Keyed by the repository's isomorphic-git cache object, so the packs live exactly as long as the Repo.
const packStates = new WeakMap<object, PackState>();

function packState(repo: Repo): PackState {
  let state = packStates.get(repo.cache);
  if (!state) {
    state = { packs: loadPacks(repo.gitdir, []), bases: new Lru<RawObject>(BASE_CACHE_BYTES, (o) => o.content.length) };
    packStates.set(repo.cache, state);
  }
  return state;
}

async function packs(repo: Repo, { rescan = false } = {}): Promise<Pack[]> {
  const state = packState(repo);
  if (rescan) state.packs = loadPacks(repo.gitdir, await state.packs.catch(() => []));
  return state.packs;
}

function entryContext(repo: Repo): EntryContext {
  return { bases: packState(repo).bases, objectNamed: (oid, depth) => readObject(repo, oid, depth) };
}

async function readPacked(repo: Repo, oid: string, list: Pack[], depth: number): Promise<RawObject | undefined> {
  if (list.length === 0) return undefined;
  const name = Buffer.from(oid, 'hex');
  for (const pack of list) {
    const position = findInPack(pack, name);
    if (position < 0) continue;
    // A pack that `git gc` removed since its index was read: the object is in another one now (see readRawObject).
    const file = await openPack(pack.file);
    if (!file) continue;
    try {
      return checked(oid, await readEntry(pack, file.handle, offsetAt(pack, position), entryContext(repo), depth));
    } finally {
      file.release();
    }
  }
  return undefined;
}

// --- open pack files ----------------------------------------------------------------------------------------

/**
 * A pack file stays open while reads follow each other (a history walk reads thousands of objects), and is closed
 * once none has used it for a moment, so that a long-lived process holds no descriptor it does not need and a pack
 * that `git gc` deleted is let go.
 */
const PACK_IDLE_MS = 50;

interface OpenPack {
  handle: Promise<fsp.FileHandle | undefined>;
  users: number;
  idle?: NodeJS.Timeout;
}

const openPacks = new Map<string, OpenPack>();

async function openPack(file: string): Promise<{ handle: fsp.FileHandle; release: () => void } | undefined> {
  let open = openPacks.get(file);
  if (!open) {
    open = { handle: fsp.open(file, 'r').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err))), users: 0 };
    openPacks.set(file, open);
  }
  const entry = open;
  entry.users++;
  clearTimeout(entry.idle);
  const handle = await entry.handle.catch((error: unknown) => {
    release(file, entry);
    throw error;
  });
  if (!handle) {
    release(file, entry);
    return undefined;
  }
  return { handle, release: () => release(file, entry) };
}

function release(file: string, entry: OpenPack): void {
  entry.users--;
  if (entry.users > 0) return;
  entry.idle = setTimeout(() => {
    if (entry.users > 0 || openPacks.get(file) !== entry) return;
    openPacks.delete(file);
    void entry.handle.then((handle) => handle?.close()).catch(() => undefined);
  }, PACK_IDLE_MS);
  entry.idle.unref();
}
