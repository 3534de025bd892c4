/**
 * Writing the objects of a commit. isomorphic-git's own writeBlob/writeTree/writeCommit compress each object
 * with the web CompressionStream, which costs about a millisecond per object however small it is: most of the
 * time of a commit, which writes a blob and one tree per folder on the path to it. Here each object is
 * serialised exactly as isomorphic-git serialises it (git's canonical format), hashed and compressed with
 * node:crypto and node:zlib, and stored as a loose object the way git stores one: through a temporary file,
 * flushed and renamed into place, so that a process killed halfway leaves no empty or truncated object behind.
 * An object already there is checked before it is trusted; a broken one (left by an older version, a full disk)
 * is replaced.
 *
 * Reading a blob is the same the other way round: isomorphic-git finds the object, loose or packed, and a
 * loose one is inflated here with node:zlib rather than with pako (ten times slower on the megabytes of
 * `.reverie/*.json` a large memory repo records), and checked against its oid as isomorphic-git checks it.
 */
import { crypto } from '../util/crypto.js';
import { readFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { isoGit } from './iso.js';
import type { TreeEntry } from 'isomorphic-git';
import { GitStateError } from '../errors.js';
import { writeFileDurablySync } from './durable.js';
import { readRawObject } from './odb.js';
import type { PackBuilder } from './pack-write.js';
import { utf8Bytes } from '../util/spliced.js';
import type { Repo } from './repo.js';
import { zlib } from './zlib.js';


type ObjectType = 'blob' | 'tree' | 'commit';

/** Modes a tree entry may have, as isomorphic-git normalises them. */
const MODES = new Set(['040000', '100644', '100755', '120000', '160000']);

export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch; the time zone is always UTC (+0000). */
  timestamp: number;
}

export interface CommitContent {
  tree: string;
  parent: string[];
  author: Signature;
  committer: Signature;
  message: string;
}

/**
 * Collects the objects of one commit: `blob`, `tree` and `commit` return the oid and store the object; `flush` fails
 * if one could not be stored, with the first failure. Each object is compressed and written there and then, without
 * a promise per step: the steps are small, and handing each to the thread pool cost more than doing it (a cycle of
 * 500 actions writes 2,500 objects).
 */
export class ObjectWriter {
  private readonly writes = new Map<string, Promise<void>>();

  /** With `pack`, the objects go into it (written when it is) rather than each into a loose file of its own. */
  constructor(
    private readonly repo: Repo,
    private readonly pack?: PackBuilder,
  ) {}

  /**
   * A text, or its UTF-8 bytes. `path` is the file the blob is a version of: in a pack, versions of one path are stored
   * as deltas. `last`: the pack gets no later version of it (PackBuilder.add).
   */
  blob(text: string | Buffer, path?: string, options?: { last?: boolean }): string {
    // From the pieces of a spliced text, when it is one: the text is not joined into one string first.
    return this.add('blob', typeof text === 'string' ? utf8Bytes(text) : text, path, options);
  }

  tree(entries: readonly TreeEntry[]): string {
    return this.add('tree', serializeTree(entries));
  }

  commit(content: CommitContent): string {
    return this.add('commit', serializeCommit(content));
  }

  /** Resolves once every object is stored; rejects with the first failure. */
  async flush(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  /** Resolves once no write is running any more, whatever became of them. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.writes.values());
  }

  private add(type: ObjectType, content: Buffer, path?: string, options?: { last?: boolean }): string {
    if (this.pack) {
      const oid = crypto().createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
      this.pack.add(type, content, oid, path, options);
      return oid;
    }
    return this.store(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content]));
  }

  /** Stores an object given whole, header included. */
  private store(wrapped: Buffer): string {
    const oid = crypto().createHash('sha1').update(wrapped).digest('hex');
    if (!this.writes.has(oid)) {
      const { gitdir } = this.repo;
      let write: Promise<void>;
      try {
        // Level 1, as git itself compresses loose objects (core.looseCompression): half the time of zlib's default on
        // the megabytes of `.reverie/*.json` a cycle records, for about a tenth more bytes until `git gc` packs them.
        storeLooseObject(gitdir, oid, zlib().deflateSync(wrapped, { level: 1 }));
        write = Promise.resolve();
      } catch (error) {
        write = Promise.reject(error);
        // Awaited in flush or settle; until then a failure must not count as unhandled.
        write.catch(() => undefined);
      }
      this.writes.set(oid, write);
    }
    return oid;
  }
}

/** Where git keeps the loose object `oid`. */
export function looseObjectPath(gitdir: string, oid: string): string {
  return path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
}

/** Stores a deflated object unless a sound copy is there already; read-only, as git leaves its objects. */
function storeLooseObject(gitdir: string, oid: string, deflated: Uint8Array): void {
  const file = looseObjectPath(gitdir, oid);
  if (looseObjectStateSync(file, oid) === 'sound') return;
  writeFileDurablySync(file, deflated, { mode: 0o444 });
}

/** Whether the loose object file holds what its name says: it inflates, and its content hashes to `oid`. */
export async function looseObjectState(file: string, oid: string): Promise<'sound' | 'absent' | 'corrupt'> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  return soundness(bytes, oid);
}

function looseObjectStateSync(file: string, oid: string): 'sound' | 'absent' | 'corrupt' {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  return soundness(bytes, oid);
}

function soundness(bytes: Buffer, oid: string): 'sound' | 'corrupt' {
  try {
    return crypto().createHash('sha1').update(zlib().inflateSync(bytes)).digest('hex') === oid ? 'sound' : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

/** A tree object's content: entries in git's order (bytes of the name, a folder's name as if it ended in `/`). */
export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const rows = entries.map((entry) => {
    if (!MODES.has(entry.mode)) throw new Error(`tree entry ${entry.path} has mode ${entry.mode}, which git does not write`);
    const name = Buffer.from(entry.path, 'utf8');
    const key = entry.mode === '040000' ? Buffer.concat([name, Buffer.from('/')]) : name;
    return { key, bytes: Buffer.concat([Buffer.from(`${entry.mode.replace(/^0/, '')} `), name, Buffer.from([0]), Buffer.from(entry.oid, 'hex')]) };
  });
  rows.sort((a, b) => Buffer.compare(a.key, b.key));
  return Buffer.concat(rows.map((row) => row.bytes));
}

/** A commit object's content, as isomorphic-git's writeCommit renders it (no signature, UTC times). */
export function serializeCommit({ tree, parent, author, committer, message }: CommitContent): Buffer {
  const person = (s: Signature) => `${s.name} <${s.email}> ${s.timestamp} +0000`;
  const headers = `tree ${tree}\n${parent.map((p) => `parent ${p}\n`).join('')}author ${person(author)}\ncommitter ${person(committer)}\n`;
  // isomorphic-git's normalisation of the message: no CR, no blank lines before, exactly one newline after.
  const body = `${message.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`;
  return Buffer.from(`${headers}\n${body}`, 'utf8');
}

/** The bytes of the blob `oid`, from the object database (loose or packed). */
export async function readBlobContent(repo: Repo, oid: string): Promise<Uint8Array> {
  const direct = await readRawObject(repo, oid);
  if (direct) {
    if (direct.type !== 'blob') throw new GitStateError(`object ${oid} is a ${direct.type}, not a blob`);
    return direct.content;
  }
  // Not where odb.ts looks (e.g. the empty blob written by nobody): isomorphic-git finds it, or says why not.
  const { fs, gitdir, cache } = repo;
  const found = await (await isoGit()).readObject({ fs, gitdir, cache, oid, format: 'deflated' });
  if (found.format === 'content') {
    // A packed object: isomorphic-git has inflated and resolved it already.
    if (found.type !== 'blob') throw new GitStateError(`object ${oid} is a ${found.type}, not a blob`);
    return found.object;
  }
  if (found.format !== 'deflated') throw new GitStateError(`object ${oid} came back as ${found.format}`);
  const wrapped = zlib().inflateSync(found.object);
  const sha = crypto().createHash('sha1').update(wrapped).digest('hex');
  if (sha !== oid) throw new GitStateError(`object ${oid} is corrupt: its content hashes to ${sha}`);
  const nul = wrapped.indexOf(0);
  const header = wrapped.subarray(0, Math.max(0, nul)).toString('latin1');
  if (!header.startsWith('blob ')) throw new GitStateError(`object ${oid} is a ${header.split(' ')[0] || 'broken object'}, not a blob`);
  return wrapped.subarray(nul + 1);
}
