import { createHash } from 'node:crypto';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { ReverieError } from '../errors.js';
import { DEFAULT_MAX_LINE_BYTES, hashFile, readLines } from './lines.js';
import { agentFromPath, WarningLog } from './readers/common.js';
import { DETECT_LINES, detectFormat, readerFor } from './readers/index.js';
import type { LogSource, ReadWarning, Session, SessionReader } from './types.js';

export { hashFile };

/** One `sessions:` entry of reverie.yaml. */
export interface SessionSource {
  /** A file, a folder or a glob; relative to the repo or absolute (`~/` is the home folder). */
  path: string;
  /** `auto`, or a reader's format name (`claude-code`, `reverie`). */
  format: 'auto' | string;
  /** Agent id for every session found here; else the folder that holds each log. */
  agent?: string;
}

/** A log file found by `listSessionFiles`, not read yet. */
export interface SessionFile {
  /** Absolute path. */
  path: string;
  /** Relative to the repo when inside it, posix separators: what `Session.source` and warnings show. */
  display: string;
  format: string;
  agent?: string;
}

export interface LoadOptions {
  repoDir: string;
  sources: SessionSource[];
  /**
   * Hashes already processed: `Session.hash`es, and optionally `Session.fileHash`es. A session whose
   * hash is here is left out; a file whose own hash is here is skipped without being parsed.
   */
  skipHashes?: ReadonlySet<string>;
  maxLineBytes?: number;
}

export interface LoadResult {
  sessions: Session[];
  warnings: ReadWarning[];
  /** Log files found. */
  files: number;
  /** Sessions left out as unchanged since processed (a file skipped unparsed by its hash counts as one). */
  skipped: number;
}

/** Extensions taken from a folder, or from a glob that does not name an extension itself (`sessions/**`). */
const LOG_EXTENSIONS = new Set(['.jsonl', '.ndjson']);
const IGNORED_FOLDERS = new Set(['.git', 'node_modules']);

/**
 * Log files read at the same time. Each read waits on the file system far longer than it computes, so a few
 * in flight keep the thread pool busy while this thread parses; results are still taken in path order.
 */
const READ_AHEAD = 8;

/** Files up to this size are read with one read call and parsed from memory; larger ones are streamed. */
const WHOLE_FILE_BYTES = 1024 * 1024;

/** Reads every session of every source, in sorted path order. A file that cannot be read becomes a warning. */
export async function loadSessions(options: LoadOptions): Promise<LoadResult> {
  const { files, warnings } = await listSessionFiles(options.repoDir, options.sources);
  const result: LoadResult = { sessions: [], warnings, files: files.length, skipped: 0 };
  for await (const read of inOrder(files, READ_AHEAD, (file) => readSessionFile(file, options))) {
    result.sessions.push(...read.sessions);
    result.warnings.push(...read.warnings);
    result.skipped += read.skipped;
  }
  return result;
}

/** `work` over `items`, at most `width` at a time, results yielded in the order of `items`. `work` must not reject. */
async function* inOrder<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): AsyncGenerator<R> {
  const running: Promise<R>[] = [];
  let next = 0;
  const startNext = () => {
    const item = items[next++];
    if (item !== undefined) running.push(work(item));
  };
  while (next < items.length && running.length < width) startNext();
  while (running.length > 0) {
    const result = await (running.shift() as Promise<R>);
    if (next < items.length) startNext();
    yield result;
  }
}

/** The log files the sources name, deduplicated and sorted, without reading them. */
export async function listSessionFiles(repoDir: string, sources: SessionSource[]): Promise<{ files: SessionFile[]; warnings: ReadWarning[] }> {
  const root = resolve(repoDir);
  const found = new Map<string, SessionFile>();
  const warnings: ReadWarning[] = [];
  for (const source of sources) {
    for (const path of await expandSource(root, source, warnings)) {
      if (!found.has(path)) found.set(path, { path, display: displayPath(root, path), format: source.format, ...agentOf(source) });
    }
  }
  const files = [...found.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { files, warnings };
}

function agentOf(source: SessionSource): { agent?: string } {
  return source.agent ? { agent: source.agent } : {};
}

async function expandSource(root: string, source: SessionSource, warnings: ReadWarning[]): Promise<string[]> {
  const expanded = expandHome(source.path);
  const scan = picomatch.scan(expanded);
  if (!scan.isGlob) return expandPlainPath(root, resolve(root, expanded), warnings);
  // A relative glob is matched against paths relative to the repo, so that characters in the repo's
  // own location (brackets, parentheses) are never read as glob syntax.
  const absolute = isAbsolute(expanded);
  const base = resolve(root, scan.base);
  const matches = picomatch(toPosix(expanded), { windows: false });
  const lastSegment = scan.glob.split('/').pop() ?? '';
  const files = await walk(base, root, warnings);
  return files.filter(
    (f) => matches(toPosix(absolute ? f : relative(root, f))) && (lastSegment.includes('.') || LOG_EXTENSIONS.has(extname(f))),
  );
}

async function expandPlainPath(root: string, path: string, warnings: ReadWarning[]): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    warnings.push({ file: displayPath(root, path), message: 'no such file or folder' });
    return [];
  }
  if (!info.isDirectory()) return [path];
  return (await walk(path, root, warnings)).filter((f) => LOG_EXTENSIONS.has(extname(f)));
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function displayPath(root: string, path: string): string {
  const rel = relative(root, path);
  return toPosix(rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel);
}

/**
 * All files under `top`, skipping .git and node_modules. Symlinked folders are not entered, and a
 * symlinked file counts only when it resolves inside `top`, so that a log folder cannot lead out of itself.
 */
async function walk(top: string, root: string, warnings: ReadWarning[]): Promise<string[]> {
  const topReal = await realpath(top).catch(() => undefined);
  if (!topReal) return [];
  const out: string[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      warnings.push({ file: displayPath(root, dir), message: `cannot list folder (${err.code ?? err.message})` });
      return [];
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!IGNORED_FOLDERS.has(entry.name)) await visit(full);
      } else if (entry.isFile() || (entry.isSymbolicLink() && (await isFileInside(full, topReal)))) out.push(full);
    }
  };
  await visit(top);
  return out;
}

async function isFileInside(link: string, topReal: string): Promise<boolean> {
  const target = await realpath(link).catch(() => undefined);
  if (!target || !(target === topReal || target.startsWith(topReal + sep))) return false;
  return (await stat(target).catch(() => undefined))?.isFile() ?? false;
}

export interface ReadFileOptions {
  skipHashes?: ReadonlySet<string>;
  maxLineBytes?: number;
}

/** Reads one log file into sessions; never throws for a bad file, it reports a warning instead. */
export async function readSessionFile(file: SessionFile, options: ReadFileOptions = {}): Promise<FileRead> {
  const warnings: ReadWarning[] = [];
  try {
    return await readFileOrThrow(file, options, warnings);
  } catch (err) {
    warnings.push(problem(file, err));
    return { sessions: [], warnings, skipped: 0 };
  }
}

interface FileRead {
  sessions: Session[];
  warnings: ReadWarning[];
  /** As in LoadResult. */
  skipped: number;
}

async function readFileOrThrow(file: SessionFile, options: ReadFileOptions, warnings: ReadWarning[]): Promise<FileRead> {
  const skip = options.skipHashes ?? new Set<string>();
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const none: FileRead = { sessions: [], warnings, skipped: 0 };
  // A log is usually small: one read, then the checks, the hash and the parse work on the bytes in memory.
  const bytes = await readSmallFile(file.path);
  if (bytes ? hasNul(bytes) : await isBinary(file.path)) {
    warnings.push(warning(file, 'binary file (contains NUL bytes); skipped'));
    return none;
  }
  // The whole file unchanged: skip it without parsing (a single-session file's hash is its session's).
  if (skip.size > 0 && skip.has(bytes ? sha256(bytes) : await hashFile(file.path))) return { ...none, skipped: 1 };
  const content = bytes ?? file.path;
  const reader = await chooseReader(file, maxLineBytes, content);
  if (!reader) return none;
  const { sessions, fileHash } = await runReader(reader, file, maxLineBytes, warnings, content);
  const hashed = sessions.map((s) => ({ ...s, hash: sessions.length === 1 ? fileHash : sha256(`${fileHash}:${s.id}`), fileHash }));
  const kept = hashed.filter((s) => !skip.has(s.hash));
  return { sessions: kept, warnings, skipped: hashed.length - kept.length };
}

/** The reader for a file, or undefined for an empty file in `auto` mode (nothing to read, nothing wrong). */
async function chooseReader(file: SessionFile, maxLineBytes: number, content: string | Buffer): Promise<SessionReader | undefined> {
  if (file.format !== 'auto') return readerFor(file.format, file.display);
  const first: string[] = [];
  for await (const line of readLines(content, { maxLineBytes })) {
    if (line.text.trim() !== '' && !line.truncated) first.push(line.text);
    if (first.length >= DETECT_LINES) break;
  }
  return first.length === 0 ? undefined : detectFormat(first, file.display);
}

async function runReader(reader: SessionReader, file: SessionFile, maxLineBytes: number, warnings: ReadWarning[], content: string | Buffer) {
  const lines = readLines(content, { maxLineBytes });
  const log = new WarningLog(file.display);
  let badUtf8 = false;
  const note = (message: string, line: number): void => {
    const w = log.add(message, line);
    if (w) warnings.push(w);
  };
  const source: LogSource = {
    path: file.display,
    ...(file.agent ? { agent: file.agent } : {}),
    defaultAgent: agentFromPath(file.path),
    async *lines() {
      for await (const line of lines) {
        if (line.invalidUtf8 && !badUtf8) note('invalid UTF-8; bad bytes replaced with U+FFFD', line.number);
        badUtf8 ||= line.invalidUtf8;
        // A cut JSON record cannot be parsed; an empty line keeps the numbering of the rest right.
        if (line.truncated) note(`line longer than ${maxLineBytes} bytes; skipped`, line.number);
        yield line.truncated ? '' : line.text;
      }
    },
  };
  const sessions: Session[] = [];
  for await (const event of reader.read(source)) {
    if (event.kind === 'warning') warnings.push(event.warning);
    else sessions.push({ ...event.session, hash: '', fileHash: '', source: file.display, format: reader.format });
  }
  const hidden = log.summary();
  if (hidden) warnings.push(hidden);
  return { sessions, fileHash: lines.summary?.sha256 ?? (await hashFile(file.path)) };
}

/** How much of the start of a file is searched for NUL bytes, the sign of a binary file. */
const BINARY_PROBE_BYTES = 8192;

async function isBinary(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(BINARY_PROBE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return hasNul(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function hasNul(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_PROBE_BYTES).includes(0);
}

/** The whole file when it is at most WHOLE_FILE_BYTES long, else undefined (the caller streams it). */
async function readSmallFile(path: string): Promise<Buffer | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return size <= WHOLE_FILE_BYTES ? await handle.readFile() : undefined;
  } finally {
    await handle.close();
  }
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function warning(file: SessionFile, message: string): ReadWarning {
  return { file: file.display, message };
}

function problem(file: SessionFile, err: unknown): ReadWarning {
  if (err instanceof ReverieError) {
    const line = (err as { line?: number }).line;
    const prefix = `${file.display}${line ? `:${line}` : ''}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return { file: file.display, ...(line ? { line } : {}), message };
  }
  const e = err as NodeJS.ErrnoException;
  return warning(file, `cannot read (${e.code ?? e.message})`);
}
