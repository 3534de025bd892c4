/**
 * Finding session logs: the files the `sessions:` sources of reverie.yaml name, and every other file under them with
 * why it will not be read, without reading any. Kept apart from reading (load.ts), which brings every reader and
 * redaction with it: a run that only needs to know which logs there are (a quiet night, see cycle/quiet.ts) loads this.
 */
import { statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { stampOf, type FileStamp } from './hash-cache.js';
import type { ReadWarning } from './types.js';

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

/** A file under a sessions path that was not read as a log. */
export interface UnreadFile {
  file: string;
  reason: string;
}

/** Extensions taken from a folder, or from a glob that does not name an extension itself (`sessions/**`). */
const LOG_EXTENSIONS = new Set(['.jsonl', '.ndjson', '.json', '.md']);

/** Folders never walked: a repository's own data and installed packages hold no session logs. */
const IGNORED_FOLDERS = new Set(['.git', 'node_modules']);

/**
 * A README or a hidden file (`.gitkeep`, `.DS_Store`) describes or keeps a folder and is never a log: when it is not
 * read, it is named among the files not read, without a warning on every cycle.
 */
function isFolderDocument(file: string): boolean {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return name.startsWith('.') || /^readme(?:\.|$)/i.test(name);
}

/** A file not read, named: among the files not read, and as a warning unless it only describes its folder. */
export function noteUnread(warning: ReadWarning, into: { warnings: ReadWarning[]; unread: UnreadFile[] }): void {
  into.unread.push({ file: warning.file, reason: warning.message });
  if (!isFolderDocument(warning.file)) into.warnings.push(warning);
}

/** What listing the sources found: the logs to read, and every other file under them with why it will not be. */
export interface SessionListing {
  files: SessionFile[];
  warnings: ReadWarning[];
  unread: UnreadFile[];
}

/**
 * A listing with what `stat` said of each log when it was taken (undefined: it could not be stat'ed), so that a run
 * that needs both the stamps (to fingerprint a quiet night) and the listing (to read what changed) stats each log
 * once: ten thousand stats are a tenth of a second on a busy machine.
 */
export interface StampedListing extends SessionListing {
  stamps: ReadonlyMap<string, FileStamp | undefined>;
}

/** The logs the sources name, each stat'ed once, one after another: without a promise each, 10,000 take tens of ms. */
export async function listAndStamp(repoDir: string, sources: SessionSource[]): Promise<StampedListing> {
  const listing = await listSessionFiles(repoDir, sources);
  const stamps = new Map<string, FileStamp | undefined>();
  for (const file of listing.files) {
    const info = statSync(file.path, { throwIfNoEntry: false });
    stamps.set(file.path, info ? stampOf(info) : undefined);
  }
  return { ...listing, stamps };
}

/** The log files the sources name, deduplicated and sorted, without reading them. */
export async function listSessionFiles(repoDir: string, sources: SessionSource[]): Promise<SessionListing> {
  const root = resolve(repoDir);
  const found = new Map<string, SessionFile>();
  const passedOver = new Map<string, string>();
  const warnings: ReadWarning[] = [];
  for (const source of sources) {
    const { logs, others } = await expandSource(root, source, warnings);
    const { format, agent } = source;
    for (const path of logs) {
      if (found.has(path)) continue;
      // Two shapes, not a spread a log: ten thousand logs are listed on every quiet night.
      const display = displayPath(root, path);
      found.set(path, agent ? { path, display, format, agent } : { path, display, format });
    }
    for (const { path, reason } of others) if (!passedOver.has(path)) passedOver.set(path, reason);
  }
  const files = [...found.values()].sort(byDisplay);
  const listing: SessionListing = { files, warnings, unread: [] };
  // A file one source passes over and another reads is read.
  const notRead = [...passedOver].filter(([path]) => !found.has(path)).map(([path, reason]) => ({ display: displayPath(root, path), reason }));
  for (const { display, reason } of notRead.sort(byDisplay)) noteUnread({ file: display, message: reason }, listing);
  return listing;
}

function byDisplay(a: { display: string }, b: { display: string }): number {
  return a.display < b.display ? -1 : a.display > b.display ? 1 : 0;
}

/** A source's files: those to read as logs, and the others found under it with why they are not read. */
interface Expanded {
  logs: string[];
  others: PassedOver[];
}

interface PassedOver {
  path: string;
  reason: string;
}

async function expandSource(root: string, source: SessionSource, warnings: ReadWarning[]): Promise<Expanded> {
  const expanded = expandHome(source.path);
  const scan = picomatch.scan(expanded);
  if (!scan.isGlob) return expandPlainPath(root, resolve(root, expanded), warnings);
  // A relative glob is matched against paths relative to the repo, so that characters in the repo's
  // own location (brackets, parentheses) are never read as glob syntax.
  const absolute = isAbsolute(expanded);
  const base = resolve(root, scan.base);
  const matches = picomatch(toPosix(expanded), { windows: false });
  const lastSegment = scan.glob.split('/').pop() ?? '';
  const found = await walk(base, root, warnings);
  // `<folder>/**`, the usual source, takes every file under the folder but those below a dot: told without a match per log.
  const everything = scan.glob === '**' && expanded === `${scan.base}/**` && !scan.base.startsWith('./');
  const inBase = base.endsWith(sep) ? base : base + sep;
  const named = everything ? (f: string) => f.startsWith(inBase) && undottedPath(toPosix(f.slice(inBase.length))) : (f: string) => matches(toPosix(absolute ? f : relativeTo(root, f)));
  // A glob that names an extension (`*.log`) takes what it names; else the extensions logs are written with.
  return byExtension({ files: found.files.filter(named), others: found.others.filter((o) => named(o.path)) }, !lastSegment.includes('.'));
}

/** Whether picomatch's `**` (without `dot`) takes a relative path: none of its segments starts with a dot. */
export function undottedPath(relative: string): boolean {
  return relative !== '' && !relative.startsWith('.') && !relative.includes('/.');
}

async function expandPlainPath(root: string, path: string, warnings: ReadWarning[]): Promise<Expanded> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    warnings.push({ file: displayPath(root, path), message: 'no such file or folder' });
    return { logs: [], others: [] };
  }
  // Named on its own, a file is read whatever its extension; but a FIFO or a device would never end.
  if (info.isFile()) return { logs: [path], others: [] };
  if (!info.isDirectory()) return { logs: [], others: [{ path, reason: 'not a regular file; not read' }] };
  return byExtension(await walk(path, root, warnings), true);
}

/** Files found in a folder: the extensions logs are written with are read, any other is named with the reason. */
function byExtension({ files, others }: Walked, byExt: boolean): Expanded {
  if (!byExt) return { logs: files, others };
  const logs: string[] = [];
  const rest: PassedOver[] = [...others];
  for (const file of files) {
    const extension = extname(file);
    if (LOG_EXTENSIONS.has(extension.toLowerCase())) logs.push(file);
    else rest.push({ path: file, reason: `not a session log by its extension (${extension || 'none'}; logs end in ${[...LOG_EXTENSIONS].join(', ')}); not read` });
  }
  return { logs, others: rest };
}

/**
 * `join(folder, name)` for a name readdir gave (never `.`, `..` or a separator) in a folder already normalised, as
 * every folder a walk enters is: join would normalise the whole path again, for each of ten thousand logs.
 */
function childOf(folder: string, name: string): string {
  return folder.endsWith(sep) ? folder + name : folder + sep + name;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

/**
 * `relative(root, path)`, without its cost for the common case of a path found by walking a folder inside `root`
 * (both absolute and normalised): then it is the rest of the path. Listing 10,000 logs asks twice per log.
 */
function relativeTo(root: string, path: string): string {
  return path.startsWith(root) && path[root.length] === sep && !root.endsWith(sep) ? path.slice(root.length + 1) : relative(root, path);
}

function displayPath(root: string, path: string): string {
  const rel = relativeTo(root, path);
  return toPosix(rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel);
}

/** What walking a folder found: regular files (and links to files inside it), and the rest with why not. */
interface Walked {
  files: string[];
  others: PassedOver[];
}

/**
 * All files under `top`, skipping .git and node_modules. Symlinked folders are not entered, and a
 * symlinked file counts only when it resolves inside `top`, so that a log folder cannot lead out of itself;
 * every link not followed, and anything that is not a regular file, is named with the reason.
 */
async function walk(top: string, root: string, warnings: ReadWarning[]): Promise<Walked> {
  const topReal = await realpath(top).catch(() => undefined);
  if (!topReal) return { files: [], others: [] };
  const found: Walked = { files: [], others: [] };
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      warnings.push({ file: displayPath(root, dir), message: `cannot list folder (${err.code ?? err.message})` });
      return [];
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = childOf(dir, entry.name);
      if (entry.isDirectory()) {
        if (!IGNORED_FOLDERS.has(entry.name)) await visit(full);
      } else if (entry.isFile()) found.files.push(full);
      else {
        const reason = entry.isSymbolicLink() ? await linkNotFollowed(full, topReal, displayPath(root, top)) : 'not a regular file; not read';
        if (reason === undefined) found.files.push(full);
        else found.others.push({ path: full, reason });
      }
    }
  };
  await visit(top);
  return found;
}

/** Why a symbolic link under `topReal` is not followed, or undefined for a link to a regular file inside it. */
async function linkNotFollowed(link: string, topReal: string, topShown: string): Promise<string | undefined> {
  const target = await realpath(link).catch(() => undefined);
  if (!target) return 'a symbolic link to nothing (or to itself); not followed';
  if (!(target === topReal || target.startsWith(topReal + sep))) return `a symbolic link out of ${topShown}; not followed`;
  const info = await stat(target).catch(() => undefined);
  if (info?.isDirectory()) return 'a symbolic link to a folder; not entered';
  return info?.isFile() ? undefined : 'a symbolic link to something that is not a regular file; not followed';
}
