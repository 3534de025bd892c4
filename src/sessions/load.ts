import { createHash } from 'node:crypto';
import fs, { type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { ReverieError, SessionFormatError } from '../errors.js';
import { hashToRemember, stampOf, type RememberedHash } from './hash-cache.js';
import { asyncIterable, DEFAULT_MAX_LINE_BYTES, hashFile, readLines, readLinesOfBytes, type Line } from './lines.js';
import { SessionIdentities } from './identity.js';
import { secondPass } from './redact.js';
import { agentFromPath, WarningLog } from './readers/common.js';
import { DETECT_LINES, detectFormat, readerFor } from './readers/index.js';
import { noConversation } from './readers/not-logs.js';
import { listSessionFiles, noteUnread, type SessionFile, type SessionSource, type StampedListing, type UnreadFile } from './list.js';
import { readInWorkers, readThreadsFor } from './read-pool.js';
import { logsToRead, rememberHashes, resultBeforeReading, type LogsToRead } from './to-read.js';
import type { LogSource, ReadWarning, Session, SessionReader } from './types.js';

export { hashFile, listSessionFiles };
export type { SessionFile, SessionListing, SessionSource, UnreadFile } from './list.js';

export interface LoadOptions {
  repoDir: string;
  sources: SessionSource[];
  /**
   * Hashes already processed (`Session.hash`). A session whose hash is here is left out; a file whose own hash
   * is here (the hash of a log holding one session) is skipped without being parsed.
   */
  skipHashes?: ReadonlySet<string>;
  maxLineBytes?: number;
  /**
   * Where to remember each log's content hash by its size, times and inode (see hash-cache.ts), so that the
   * next load skips an unchanged log already processed without reading it. Local, never committed: a cycle
   * keeps it in the git directory. Without it every log is read and hashed.
   */
  hashCacheFile?: string;
  /**
   * Threads that read logs: 1 reads them all on this thread; more reads many logs at once on worker threads, with
   * the same result (see read-pool.ts). Default: REVERIE_READ_THREADS, else 1.
   */
  readThreads?: number;
  /**
   * The logs as listed and stat'ed just before (listAndStamp), reused rather than listed again; it must be a listing
   * of these same sources.
   */
  listing?: StampedListing;
}

export interface LoadResult {
  sessions: Session[];
  warnings: ReadWarning[];
  /** Log files read (or skipped unparsed as unchanged since processed). */
  files: number;
  /** Sessions left out as unchanged since processed (a file skipped unparsed by its hash counts as one). */
  skipped: number;
  /**
   * Every other file found under the sources, with why it was not read: each is also a warning, but a README or a
   * hidden file (`.gitkeep`), which describe or keep a folder and are never logs, is named here alone.
   */
  unread: UnreadFile[];
}

/**
 * Log files worked on at the same time. A small log is read at once (see readSmallFile); a large one is streamed,
 * and a few streams in flight keep the thread pool busy while this thread parses. Results are taken in path order.
 */
const READ_AHEAD = 8;

/** Files up to this size are read with one read call and parsed from memory; larger ones are streamed. */
const WHOLE_FILE_BYTES = 1024 * 1024;

/** Reads every session of every source, in sorted path order. A file that cannot be read becomes a warning. */
export async function loadSessions(options: LoadOptions): Promise<LoadResult> {
  const sessions: Session[] = [];
  const { warnings, files, skipped, unread } = await streamSessions(options, (session) => sessions.push(session));
  return { sessions, warnings, files, skipped, unread };
}

/** What `streamSessions` found besides the sessions it handed over. */
export type StreamResult = Omit<LoadResult, 'sessions'> & { read: number };

/**
 * Hands each new session to `visit` as its log is read, in sorted path order, and keeps none of them: a caller
 * that keeps only what it needs of each holds one log file's sessions at a time, however many logs there are.
 * `listed`: the logs as logsToRead found them just before, when the caller asked already.
 */
export async function streamSessions(options: LoadOptions, visit: (session: Session) => void, listed?: LogsToRead): Promise<StreamResult> {
  const logs = listed ?? (await logsToRead(options));
  const result = resultBeforeReading(logs);
  const remembered = new Map(logs.unchanged);
  const handOn = (session: Session): void => {
    result.read++;
    visit(session);
  };
  const toRead = logs.toRead;
  const threads = readThreadsFor(toRead.length, options.readThreads);
  const aheads =
    threads > 1
      ? readInWorkers(toRead, options, threads, (file) => readAhead(file, options), (file) => ({ file, opened: openLog(file) }))
      : inOrder(toRead, READ_AHEAD, (file) => readAhead(file, options));
  for await (const ahead of aheads) {
    // A small log was read ahead whole; a large one is streamed now, its sessions handed on as they are read.
    const read = 'whole' in ahead ? ahead.whole : await readLogFile(ahead.file, options, handOn, ahead.opened);
    if ('whole' in ahead) ahead.sessions.forEach(handOn);
    result.warnings.push(...read.warnings);
    if (read.unread) {
      result.files--;
      noteUnread(read.unread, result);
    }
    if (read.empty) {
      result.files--;
      result.unread.push(read.empty);
    }
    result.skipped += read.skipped;
    if (read.remember) remembered.set(read.remember.path, read.remember.hash);
  }
  await rememberHashes(options, logs, remembered);
  return result;
}

/** A log read whole, with its sessions; or a large one opened, to be streamed when its turn comes. */
export type ReadAhead = { whole: FileRead & { remember?: Remember }; sessions: Session[] } | { file: SessionFile; opened: Opened };

/** Reads a small log whole, or opens a large one to be streamed; on this thread or a worker's (read-worker.ts). */
export async function readAhead(file: SessionFile, options: ReadFileOptions): Promise<ReadAhead> {
  const opened = openLog(file);
  if ('problem' in opened || opened.bytes) {
    const sessions: Session[] = [];
    return { whole: await readLogFile(file, options, (s) => sessions.push(s), opened), sessions };
  }
  return { file, opened };
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

export interface ReadFileOptions {
  skipHashes?: ReadonlySet<string>;
  maxLineBytes?: number;
}

/** Reads one log file into sessions; never throws for a bad file, it reports a warning instead. */
export async function readSessionFile(file: SessionFile, options: ReadFileOptions = {}): Promise<FileRead & { sessions: Session[] }> {
  const sessions: Session[] = [];
  const { remember: _remember, unread, ...read } = await readLogFile(file, options, (s) => sessions.push(s), openLog(file));
  return { ...read, warnings: unread ? [...read.warnings, unread] : read.warnings, sessions };
}

/**
 * Reads a log held in memory as if it were the file `file` (its name and folder count for detection, as on disk): an
 * import checks that the copy it is about to write reads as a log, before writing it.
 */
export async function readSessionBytes(file: SessionFile, bytes: Buffer): Promise<FileRead & { sessions: Session[] }> {
  const sessions: Session[] = [];
  // Written now: too recent for its stamp to be remembered, which is right for bytes that are no file yet.
  const now = Date.now();
  const stats = { size: bytes.length, mtimeMs: now, ctimeMs: now, ino: 0, dev: 0 } as Stats;
  const { remember: _remember, unread, ...read } = await readLogFile(file, {}, (s) => sessions.push(s), { bytes, stats });
  return { ...read, warnings: unread ? [...read.warnings, unread] : read.warnings, sessions };
}

export interface FileRead {
  warnings: ReadWarning[];
  /** As in LoadResult. */
  skipped: number;
  /** Why the file was not read at all (binary, no known format, cannot be opened): it is no log found. */
  unread?: ReadWarning;
  /**
   * Why a file read in a known format gave no session (summaries, an empty export, a sub-agent the harness ran for
   * itself, an empty file): named among the files not read, but no problem to warn about on every cycle.
   */
  empty?: UnreadFile;
}

/** A file's content hash with the stamp it had when read, for the hash cache. */
export interface Remember {
  path: string;
  hash: RememberedHash;
}

/** Hands each new session of a log to `handOn` as it is read. */
async function readLogFile(file: SessionFile, options: ReadFileOptions, handOn: (session: Session) => void, opened: Opened): Promise<FileRead & { remember?: Remember }> {
  const warnings: ReadWarning[] = [];
  try {
    if ('problem' in opened) throw opened.problem;
    return await readFileOrThrow(file, options, warnings, handOn, opened);
  } catch (err) {
    return { warnings, skipped: 0, unread: problem(file, err) };
  }
}

async function readFileOrThrow(
  file: SessionFile,
  options: ReadFileOptions,
  warnings: ReadWarning[],
  handOn: (session: Session) => void,
  { bytes, stats }: { bytes?: Buffer; stats: Stats },
): Promise<FileRead & { remember?: Remember }> {
  const skip = options.skipHashes ?? new Set<string>();
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const none: FileRead = { warnings, skipped: 0 };
  if (bytes ? hasNul(bytes) : await isBinary(file.path)) return { ...none, unread: warning(file, 'binary file (contains NUL bytes); skipped') };
  const remember = (hash: string) => rememberIfSettled(file, stats, hash);
  // The whole file unchanged: skip it without parsing (a single-session file's hash is its session's).
  if (skip.size > 0) {
    const wholeHash = bytes ? sha256(bytes) : await hashFile(file.path);
    if (skip.has(wholeHash)) return { ...none, skipped: 1, ...remember(wholeHash) };
  }
  const content = bytes ?? file.path;
  const { reader, first } = await chooseReader(file, maxLineBytes, content);
  if (!reader) return { ...none, ...(bytes ? remember(sha256(bytes)) : {}), empty: { file: file.display, reason: 'the file is empty; nothing to read' } };
  let skipped = 0;
  let sessions = 0;
  const identities = new SessionIdentities((session) => {
    sessions++;
    if (skip.has(session.hash)) skipped++;
    else handOn(session);
  });
  const fileHash = await runReader(reader, file, maxLineBytes, warnings, content, (session) => identities.add(session));
  identities.end(fileHash);
  // A log in a known format that holds no conversation (summaries, an export of an empty chat) is named, not passed over.
  const empty = sessions === 0 ? { empty: { file: file.display, reason: noConversation(reader.format, first, file.display) } } : {};
  return { ...none, skipped, ...remember(fileHash), ...empty };
}

/** The hash cache's entry for a file, when the file has been left alone long enough to trust its stamp. */
function rememberIfSettled(file: SessionFile, stats: Stats, hash: string): { remember?: Remember } {
  const entry = hashToRemember(stampOf(stats), hash, Date.now());
  return entry ? { remember: { path: file.path, hash: entry } } : {};
}

/**
 * The reader for a file, or undefined for an empty file in `auto` mode, with the first lines it was told by. A file
 * whose only lines are longer than `maxLineBytes` is not empty: with nothing to tell its format by, it is not read,
 * and says so.
 */
async function chooseReader(file: SessionFile, maxLineBytes: number, content: string | Buffer): Promise<{ reader: SessionReader | undefined; first: string[] }> {
  const first: string[] = [];
  if (file.format !== 'auto') return { reader: readerFor(file.format, file.display), first };
  let tooLong: number | undefined;
  const take = (line: Line): boolean => {
    if (line.truncated) tooLong ??= line.number;
    else if (line.text.trim() !== '') first.push(line.text);
    return first.length >= DETECT_LINES;
  };
  // A log read whole gives its first lines without a promise each.
  if (typeof content === 'string') {
    for await (const line of readLines(content, { maxLineBytes })) if (take(line)) break;
  } else for (const line of readLinesOfBytes(content, { maxLineBytes })) if (take(line)) break;
  if (first.length === 0 && tooLong !== undefined) {
    throw new SessionFormatError(`no line to tell the format by: line ${tooLong} is longer than ${maxLineBytes} bytes, and no other line has text; not read`, file.display, tooLong);
  }
  return { reader: first.length === 0 ? undefined : detectFormat(first, file.display), first };
}

/** Runs the reader over the file's lines, handing on each session as the reader finishes it; returns the file's hash. */
async function runReader(
  reader: SessionReader,
  file: SessionFile,
  maxLineBytes: number,
  warnings: ReadWarning[],
  content: string | Buffer,
  handOn: (session: Session) => void,
): Promise<string> {
  const lines = typeof content === 'string' ? readLines(content, { maxLineBytes }) : readLinesOfBytes(content, { maxLineBytes });
  const log = new WarningLog(file.display);
  let badUtf8 = false;
  const note = (message: string, line: number): void => {
    const w = log.add(message, line);
    if (w) warnings.push(w);
  };
  /** What the reader gets of a line: its text, once the line's problems are noted. */
  const textOf = (line: Line): string => {
    if (line.invalidUtf8 && !badUtf8) note('invalid UTF-8; bad bytes replaced with U+FFFD', line.number);
    badUtf8 ||= line.invalidUtf8;
    // A cut JSON record cannot be parsed; an empty line keeps the numbering of the rest right.
    if (line.truncated) note(`line longer than ${maxLineBytes} bytes; skipped`, line.number);
    return line.truncated ? '' : line.text;
  };
  const source: LogSource = {
    path: file.display,
    ...(file.agent ? { agent: file.agent } : {}),
    defaultAgent: agentFromPath(file.path),
    lines: () => (Symbol.iterator in lines ? asyncIterable(mapLines(lines, textOf)) : mapLinesAsync(lines, textOf)),
    ...(Symbol.iterator in lines ? { syncLines: () => mapLines(lines, textOf) } : {}),
  };
  for await (const event of reader.read(source)) {
    if (event.kind === 'warning') warnings.push(event.warning);
    // Readers ran our table over every string; secretlint's preset goes over the whole session at once.
    else handOn(secondPass({ ...event.session, hash: '', source: file.display, format: reader.format }));
  }
  const hidden = log.summary();
  if (hidden) warnings.push(hidden);
  return lines.summary?.sha256 ?? (await hashFile(file.path));
}

function* mapLines<T>(lines: Iterable<Line>, map: (line: Line) => T): Generator<T> {
  for (const line of lines) yield map(line);
}

async function* mapLinesAsync<T>(lines: AsyncIterable<Line>, map: (line: Line) => T): AsyncGenerator<T> {
  for await (const line of lines) yield map(line);
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

/** A log opened: its bytes when it is small enough to read whole, and its stat; or why it could not be opened. */
export type Opened = { bytes?: Buffer; stats: Stats } | { problem: unknown };

/**
 * The whole file when it is at most WHOLE_FILE_BYTES long, else no bytes (the caller streams it); and the file's
 * stat, taken before its bytes were read, so that a change made while reading shows as a newer stamp.
 *
 * Read synchronously: a log of a few kilobytes comes from the page cache in microseconds, far less time than parsing
 * it then holds this thread anyway, while every asynchronous call is a round trip through the thread pool, which
 * competes with this thread for the cores (loading 10,000 logs on 2 cores: 2.7 s against 3.5 s with callbacks and
 * 4.0 s with FileHandles).
 */
function openLog(file: SessionFile): Opened {
  try {
    const fd = fs.openSync(file.path, 'r');
    try {
      const stats = fs.fstatSync(fd);
      return stats.size > WHOLE_FILE_BYTES ? { stats } : { bytes: fs.readFileSync(fd), stats };
    } finally {
      fs.closeSync(fd);
    }
  } catch (problem) {
    return { problem };
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
