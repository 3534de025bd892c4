/**
 * Copying agents' logs into the memory repository's sessions folder, so that nobody copies them by hand: each log
 * redacted as it is written (the copy is committed, the original never is), kept in the format its reader reads,
 * and known by the hash of its bytes, so that a log already there, under any name, is not copied twice.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UnsafePathError } from '../errors.js';
import { writeFileDurably } from '../git/durable.js';
import { rememberedHash, stampOf, type HashCache } from './hash-cache.js';
import { readSessionBytes } from './load.js';
import { redactText, redactTextValue, redactValue, secondPass } from './redact.js';

/** One log to import: where it is, and the agent folder and name it goes under. */
export interface LogToImport {
  path: string;
  agent: string;
  name: string;
}

export interface ImportOptions {
  /** The memory repository's working tree. */
  repoDir: string;
  /** The sessions folder, relative to the repository, posix separators. */
  folder: string;
  logs: readonly LogToImport[];
  /** Say what would be copied, write nothing. */
  dryRun?: boolean;
  /** Hashes remembered for files of the sessions folder (absolute path → stamp and hash), to spare hashing them. */
  hashes?: HashCache;
  /** Whether a path (relative to the repository) is read by the sessions source the folder comes from. */
  readBySource?: (relative: string) => boolean;
}

export interface CopiedLog {
  from: string;
  /** Relative to the repository. */
  to: string;
  bytes: number;
  /** What was at `to` before: nothing, or an earlier copy of the same log that this one replaces. */
  replaced?: 'grown' | 'changed';
  /** How many lines redaction changed, a JSON document counting as one (0: the copy holds the log's own bytes). */
  redacted: number;
  /** How many sessions the copy gives, read as a cycle will read it. */
  sessions: number;
}

export interface SkippedLog {
  from: string;
  to?: string;
  reason: string;
}

export interface ImportResult {
  folder: string;
  copied: CopiedLog[];
  skipped: SkippedLog[];
  /** Bytes written (or, with dryRun, that would be). */
  bytes: number;
}

/** A name an import may write: one path segment, not hidden, nothing a file system or git reads specially. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._@+-]*$/;

/**
 * Imports `logs` into `folder`. Nothing is written outside it: the folder, and each agent folder in it, must be real
 * folders inside the repository (a symbolic link on the way is refused), and an existing copy that is a link is
 * never written through.
 */
export async function importLogs(options: ImportOptions): Promise<ImportResult> {
  const repoRoot = await realpath(options.repoDir);
  const folder = await sessionsFolderIn(repoRoot, options.folder);
  const known = await hashesUnder(folder.absolute, options.hashes ?? new Map());
  const result: ImportResult = { folder: folder.relative, copied: [], skipped: [], bytes: 0 };
  const claimed = new Set<string>();
  for (const log of options.logs) {
    const to = `${folder.relative}/${log.agent}/${log.name}`;
    const skip = (reason: string) => result.skipped.push({ from: log.path, to, reason });
    if (!SAFE_NAME.test(log.agent) || !SAFE_NAME.test(log.name)) {
      skip('not a plain file name; not written');
      continue;
    }
    if (claimed.has(to)) {
      skip('another log of this import goes to the same name');
      continue;
    }
    if (options.readBySource && !options.readBySource(to)) {
      skip(`the sessions source would not read ${to}`);
      continue;
    }
    const target = path.join(folder.absolute, log.agent, log.name);
    const blocked = await notWritable(folder.absolute, log.agent, target);
    if (blocked) {
      skip(blocked);
      continue;
    }
    let original: Buffer;
    try {
      original = await readFile(log.path);
    } catch (err) {
      result.skipped.push({ from: log.path, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      continue;
    }
    // A log already there as it is (it held nothing to redact, or was copied by hand) is known before redacting it.
    const originalHash = sha256(original);
    const unredacted = known.byHash.get(originalHash);
    const { bytes, redacted } = unredacted === undefined ? redactLog(original, log.name) : { bytes: original, redacted: 0 };
    const hash = unredacted === undefined ? sha256(bytes) : originalHash;
    const same = unredacted ?? known.byHash.get(hash);
    if (same !== undefined) {
      skip(same === target ? 'already imported, unchanged' : `already in the sessions folder as ${displayIn(repoRoot, same)}`);
      continue;
    }
    const earlier = known.byPath.has(target) ? await readFile(target).catch(() => undefined) : undefined;
    if (earlier && earlier.length > bytes.length && earlier.subarray(0, bytes.length).equals(bytes)) {
      skip('the copy already there holds more of this log than the log itself');
      continue;
    }
    // The copy is read as a cycle will read it, where it will be: a log that gives no session is not copied.
    const read = await readSessionBytes({ path: target, display: to, format: 'auto' }, bytes);
    if (read.sessions.length === 0) {
      skip(`no session in it: ${read.empty?.reason ?? read.warnings[0]?.message ?? 'its reader finds none'}`);
      continue;
    }
    const replaced = earlier === undefined ? undefined : bytes.subarray(0, earlier.length).equals(earlier) ? 'grown' : 'changed';
    claimed.add(to);
    if (!options.dryRun) await writeFileDurably(target, bytes);
    known.byHash.set(hash, target);
    known.byPath.add(target);
    result.copied.push({ from: log.path, to, bytes: bytes.length, redacted, sessions: read.sessions.length, ...(replaced ? { replaced } : {}) });
    result.bytes += bytes.length;
  }
  return result;
}

/**
 * A log with every string through the redaction that text leaving reverie gets (the readers' table and secretlint's
 * preset, and a value under a secret-named key replaced whole), in its own format: JSON Lines line by line, a JSON
 * document as a whole (indented as it was), anything else as text. A line or document that redaction leaves as it
 * was keeps its bytes, so that a log without secrets is copied byte for byte.
 */
export function redactLog(original: Buffer, name: string): { bytes: Buffer; redacted: number } {
  const text = original.toString('utf8');
  const extension = path.extname(name).toLowerCase();
  let out: string;
  let redacted = 0;
  if (extension === '.jsonl' || extension === '.ndjson') {
    const lines = text.split('\n');
    // Lines go through the preset a batch at a time: once per line would run it thousands of times per log.
    for (let start = 0; start < lines.length; ) {
      let end = start;
      let size = 0;
      while (end < lines.length && (end === start || size < BATCH_CHARS)) size += (lines[end++] ?? '').length;
      redacted += redactLines(lines, start, end);
      start = end;
    }
    out = lines.join('\n');
  } else if (extension === '.json') {
    const indent = /^\{\s*\n(\s+)"/.exec(text)?.[1]?.length;
    const value = parseJson(text);
    if (value === NOT_JSON) out = redactText(text);
    else {
      const clean = JSON.stringify(redactTextValue(value), null, indent);
      out = clean === JSON.stringify(value, null, indent) ? text : `${clean}${text.endsWith('\n') ? '\n' : ''}`;
    }
    if (out !== text) redacted++;
  } else {
    out = redactText(text);
    if (out !== text) redacted++;
  }
  return { bytes: out === text ? original : Buffer.from(out, 'utf8'), redacted };
}

/** How much text of a JSON Lines log goes through secretlint's preset at once. */
const BATCH_CHARS = 4 * 1024 * 1024;

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** Redacts `lines[start..end)` in place, each a JSON value or else text; returns how many changed. */
function redactLines(lines: string[], start: number, end: number): number {
  const bodies: string[] = [];
  const values: unknown[] = [];
  for (let i = start; i < end; i++) {
    const line = lines[i] ?? '';
    const body = line.endsWith('\r') ? line.slice(0, -1) : line;
    bodies.push(body);
    const value = body.trim() === '' ? NOT_JSON : parseJson(body);
    // A line that is no JSON is redacted as the text it is.
    values.push(value === NOT_JSON ? body : value);
  }
  const clean = secondPass(redactValue(values)) as unknown[];
  let changed = 0;
  for (let i = 0; i < values.length; i++) {
    const body = bodies[i] ?? '';
    const before = values[i];
    const after = clean[i];
    const next = typeof before === 'string' && before === body ? (after as string) : JSON.stringify(after);
    if (typeof before === 'string' && before === body ? next === body : next === JSON.stringify(before)) continue;
    const line = lines[start + i] ?? '';
    lines[start + i] = next + (line.endsWith('\r') ? '\r' : '');
    changed++;
  }
  return changed;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function displayIn(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** The sessions folder, checked: inside the repository, and every part of it that exists a real folder. */
async function sessionsFolderIn(repoRoot: string, relative: string): Promise<{ absolute: string; relative: string }> {
  const parts = relative.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || path.isAbsolute(relative) || parts.includes('..') || parts[0] === '.git') {
    throw new UnsafePathError('the sessions folder is not a folder inside the repository', relative);
  }
  let at = repoRoot;
  for (const part of parts) {
    at = path.join(at, part);
    const info = await lstat(at).catch(() => undefined);
    if (info === undefined) break;
    if (info.isSymbolicLink()) throw new UnsafePathError('a symbolic link on the way to the sessions folder: logs are not written through it', displayIn(repoRoot, at));
    if (!info.isDirectory()) throw new UnsafePathError('on the way to the sessions folder, and not a folder', displayIn(repoRoot, at));
  }
  return { absolute: path.join(repoRoot, ...parts), relative: parts.join('/') };
}

/** Why `target` (in `<folder>/<agent>/`) must not be written, or undefined when it may. */
async function notWritable(folder: string, agent: string, target: string): Promise<string | undefined> {
  const agentFolder = await lstat(path.join(folder, agent)).catch(() => undefined);
  if (agentFolder?.isSymbolicLink()) return `${agent}/ in the sessions folder is a symbolic link; not written through`;
  if (agentFolder && !agentFolder.isDirectory()) return `${agent} in the sessions folder is not a folder; not written`;
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) return 'a symbolic link is at that name; not written through';
  if (existing && !existing.isFile()) return 'something that is not a file is at that name; not written';
  return undefined;
}

interface KnownFiles {
  /** Content hash → one file of the folder that has it. */
  byHash: Map<string, string>;
  byPath: Set<string>;
}

/** Every regular file under the sessions folder by the hash of its bytes (remembered ones are not hashed again). */
async function hashesUnder(folder: string, remembered: HashCache): Promise<KnownFiles> {
  const known: KnownFiles = { byHash: new Map(), byPath: new Set() };
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git' && entry.name !== 'node_modules') await visit(full);
        continue;
      }
      if (!entry.isFile()) continue;
      const info = await stat(full).catch(() => undefined);
      if (!info) continue;
      const hash = rememberedHash(remembered, full, stampOf(info)) ?? sha256(await readFile(full));
      if (!known.byHash.has(hash)) known.byHash.set(hash, full);
      known.byPath.add(full);
    }
  };
  await visit(folder);
  return known;
}
