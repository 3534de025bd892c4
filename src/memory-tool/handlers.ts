/**
 * Anthropic's memory tool (`memory_20250818`) backed by the memory repository: the handlers `betaMemoryTool` of
 * @anthropic-ai/sdk takes. An agent's `/memories` is the memory root; each write is one commit on the session's own
 * branch, `reverie/session-<id>`, cut from main at its first write, so nothing an agent writes reaches main before it
 * is reviewed (`reverie approve` / `reject`), and every line it wrote says which session wrote it (`reverie why`).
 *
 * The same guards as a dream cycle's: paths stay inside the memory root (no `..`, no symbolic links, nothing of
 * `.git` or of reverie's own files), protected namespaces are read but never written, and text is redacted before it
 * is written, so a secret the model repeats never reaches a commit. A refused call throws, as the SDK's own
 * filesystem handlers do: its tool runner hands the message to the model as an `is_error` result, and nothing is
 * written. The messages follow the SDK's (`The path … does not exist. Please provide a valid path.`, …).
 */
import { posix } from 'node:path';
import type { TreeEntry } from 'isomorphic-git';
import type {
  BetaMemoryTool20250818CreateCommand,
  BetaMemoryTool20250818DeleteCommand,
  BetaMemoryTool20250818InsertCommand,
  BetaMemoryTool20250818RenameCommand,
  BetaMemoryTool20250818StrReplaceCommand,
  BetaMemoryTool20250818ViewCommand,
} from '@anthropic-ai/sdk/resources/beta';
import { LockedError, UnsafePathError } from '../errors.js';
import { acquireLock } from '../git/lock.js';
import { commitChanges, updateBranch, type Author, type FileChanges } from '../git/commit.js';
import { formatCommitMessage } from '../git/message.js';
import { resolveRef, type Repo } from '../git/repo.js';
import { entryAt, listFilesAt, readBlobText, readTreeEntries } from '../git/tree.js';
import { mainTip, openContext, type RepoContext } from '../cycle/repo-context.js';
import { assertInsideRoot, namespaceMatcher } from '../memory/namespaces.js';
import { redactText } from '../sessions/redact.js';
import { SESSION_TRAILER, sessionBranch } from './branch.js';

export interface RepositoryMemoryOptions {
  /** The memory repository (its root). */
  repoDir: string;
  /** Its configuration, relative to the repository; `reverie.yaml` by default. */
  configFile?: string;
  /** The agent session writing: names the branch (`reverie/session-<id>`) and each commit's `Reverie-Session`. */
  session: string;
  /** Author and committer of the writes; the configuration's `git.author` by default. */
  author?: Author;
  /**
   * How long a write waits for the repository lock while another reverie run (a dream cycle, an approval) holds it,
   * in milliseconds; 30,000 by default. Past it the write is refused and the model is told to try again later.
   */
  lockWaitMs?: number;
}

type Result = string;

/** The handlers for `betaMemoryTool`, and where their writes go. */
export interface RepositoryMemory {
  view(command: BetaMemoryTool20250818ViewCommand): Promise<Result>;
  create(command: BetaMemoryTool20250818CreateCommand): Promise<Result>;
  str_replace(command: BetaMemoryTool20250818StrReplaceCommand): Promise<Result>;
  insert(command: BetaMemoryTool20250818InsertCommand): Promise<Result>;
  delete(command: BetaMemoryTool20250818DeleteCommand): Promise<Result>;
  rename(command: BetaMemoryTool20250818RenameCommand): Promise<Result>;
  /** `reverie/session-<id>`: what `reverie approve` takes. */
  readonly branch: string;
  readonly session: string;
}

/** The memory tool's own name for the memory root. */
const MEMORIES = '/memories';
/** As the SDK numbers lines: six columns, then a tab. */
const LINE_NUMBER_WIDTH = 6;
const LOCK_POLL_MS = 200;

/**
 * Memory tool handlers on the repository at `repoDir`: `betaMemoryTool(await repositoryMemory({ repoDir, session }))`.
 * Calls of one handler object run one at a time in the order they were made (the tool runner may start the calls of
 * one turn together), and each write holds the repository lock, so writes of a session are ordered commits and never
 * interleave with a cycle or an approval.
 */
export async function repositoryMemory(options: RepositoryMemoryOptions): Promise<RepositoryMemory> {
  const branch = sessionBranch(options.session);
  const context = await openContext(options.repoDir, options.configFile);
  const tool = new MemoryTool(context, options, branch);
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <C>(run: (command: C) => Promise<Result>) => (command: C): Promise<Result> => {
    const next = queue.then(() => run(command));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    branch,
    session: options.session,
    view: serial((c) => tool.view(c)),
    create: serial((c) => tool.create(c)),
    str_replace: serial((c) => tool.strReplace(c)),
    insert: serial((c) => tool.insert(c)),
    delete: serial((c) => tool.delete(c)),
    rename: serial((c) => tool.rename(c)),
  };
}

/** A refusal or failure the model is shown as the tool's error result. */
class MemoryToolError extends Error {
  override readonly name = 'MemoryToolError';
}

/** A `/memories` path resolved in the repository. */
interface Target {
  /** As the model gave it. */
  given: string;
  /** From the repository root; '' (or the root's own path) for `/memories` itself. */
  repoPath: string;
  /** True for `/memories` itself. */
  isRoot: boolean;
}

/** What one write changes and says. */
interface Write {
  changes: FileChanges;
  subject: string;
  result: string;
  redacted: boolean;
}

class MemoryTool {
  private readonly root: string;
  private readonly protectedNamespace: (path: string) => string | undefined;
  private readonly reserved: (path: string) => boolean;

  constructor(
    private readonly context: RepoContext,
    private readonly options: RepositoryMemoryOptions,
    private readonly branch: string,
  ) {
    const { memory } = context.config;
    this.root = memory.root.trim() === '' || memory.root.trim() === '.' ? '' : assertInsideRoot(memory.root, '');
    const match = namespaceMatcher(memory.root, memory.namespaces);
    this.protectedNamespace = (path) => {
      const namespace = match(path);
      return namespace?.policy === 'protected' ? namespace.name : undefined;
    };
    // With the memory at the repository's root, reverie's own files are inside it: the configuration and the state.
    const config = posix.normalize(options.configFile ?? 'reverie.yaml');
    this.reserved = (path) => path === config || path === '.reverie' || path.startsWith('.reverie/');
  }

  private get repo(): Repo {
    return this.context.repo;
  }

  // ---- reading ----

  async view(command: BetaMemoryTool20250818ViewCommand): Promise<Result> {
    const target = this.target(command.path);
    const base = await this.base();
    await this.refuseLinks(base, target);
    const entry = target.isRoot ? undefined : await entryAt(this.repo, base, target.repoPath);
    if (target.isRoot || entry?.type === 'tree') return this.listing(base, target, entry);
    if (!entry) throw new MemoryToolError(`The path ${target.given} does not exist. Please provide a valid path.`);
    const lines = (await readBlobText(this.repo, entry.oid)).split('\n');
    let shown = lines;
    let first = 1;
    const range = command.view_range;
    if (range && range.length === 2) {
      const start = Math.max(1, range[0]!) - 1;
      const end = range[1] === -1 ? lines.length : range[1]!;
      shown = lines.slice(start, end);
      first = start + 1;
    }
    return `Here's the content of ${target.given} with line numbers:\n${numbered(shown, first).join('\n')}`;
  }

  /** Files and folders up to two levels deep, hidden ones left out, as the SDK lists a directory. */
  private async listing(base: string, target: Target, entry: TreeEntry | undefined): Promise<Result> {
    const tree = target.isRoot ? (this.root === '' ? base : (await entryAt(this.repo, base, this.root))?.oid) : entry?.oid;
    const shown = target.isRoot ? MEMORIES : target.given.replace(/\/+$/, '');
    const items: { size: number; path: string }[] = [];
    const walk = async (oid: string | undefined, prefix: string, repoPrefix: string, depth: number): Promise<number> => {
      let total = 0;
      for (const item of [...(await readTreeEntries(this.repo, oid))].sort((a, b) => a.path.localeCompare(b.path))) {
        if (item.path.startsWith('.') || item.path === 'node_modules' || this.reserved(`${repoPrefix}${item.path}`)) continue;
        if (item.type === 'tree') {
          const at = items.push({ size: 0, path: `${prefix}${item.path}/` }) - 1;
          const size = await walk(item.oid, `${prefix}${item.path}/`, `${repoPrefix}${item.path}/`, depth + 1);
          items[at]!.size = size;
          total += size;
        } else if (item.type === 'blob' && item.mode !== '120000') {
          const size = Buffer.byteLength(await readBlobText(this.repo, item.oid));
          if (depth <= 2) items.push({ size, path: `${prefix}${item.path}` });
          total += size;
        }
      }
      return total;
    };
    const repoPrefix = target.isRoot ? (this.root === '' ? '' : `${this.root}/`) : `${target.repoPath}/`;
    const size = tree ? await walk(tree, '', repoPrefix, 1) : 0;
    const deep = items.filter((item) => item.path.replace(/\/$/, '').split('/').length <= 2);
    const header = `Here're the files and directories up to 2 levels deep in ${shown}, excluding hidden items and node_modules:`;
    return [header, `${fileSize(size)}\t${shown}`, ...deep.map((item) => `${fileSize(item.size)}\t${shown}/${item.path}`)].join('\n');
  }

  // ---- writing ----

  create(command: BetaMemoryTool20250818CreateCommand): Promise<Result> {
    return this.write('create', async (base) => {
      const target = this.writable(command.path);
      await this.refuseLinks(base, target);
      if (await entryAt(this.repo, base, target.repoPath)) throw new MemoryToolError(`File ${target.given} already exists`);
      const text = redactText(command.file_text);
      return {
        changes: new Map([[target.repoPath, text]]),
        subject: `create(${target.repoPath})`,
        result: `File created successfully at: ${target.given}`,
        redacted: text !== command.file_text,
      };
    });
  }

  strReplace(command: BetaMemoryTool20250818StrReplaceCommand): Promise<Result> {
    return this.write('str_replace', async (base) => {
      const target = this.writable(command.path);
      const content = await this.fileText(base, target);
      // The file holds placeholders where secrets were: a model that quotes the secret still finds its line.
      const oldStr = redactText(command.old_str);
      const newStr = redactText(command.new_str);
      const at = occurrences(content, oldStr);
      if (oldStr === '' || at.length === 0) {
        throw new MemoryToolError(`No replacement was performed, old_str \`${command.old_str}\` did not appear verbatim in ${target.given}.`);
      }
      if (at.length > 1) {
        const lines = [...new Set(at.map((index) => content.slice(0, index).split('\n').length))];
        throw new MemoryToolError(`No replacement was performed. Multiple occurrences of old_str \`${command.old_str}\` in lines: ${lines.join(', ')}. Please ensure it is unique`);
      }
      const text = content.slice(0, at[0]) + newStr + content.slice(at[0]! + oldStr.length);
      const changed = content.slice(0, at[0]).split('\n').length - 1;
      const lines = text.split('\n');
      const from = Math.max(0, changed - 2);
      const snippet = numbered(lines.slice(from, Math.min(lines.length, changed + 3 + newStr.split('\n').length - 1)), from + 1);
      return {
        changes: new Map([[target.repoPath, text]]),
        subject: `str_replace(${target.repoPath})`,
        result: `The memory file has been edited. Here is the snippet showing the change (with line numbers):\n${snippet.join('\n')}`,
        redacted: newStr !== command.new_str,
      };
    });
  }

  insert(command: BetaMemoryTool20250818InsertCommand): Promise<Result> {
    return this.write('insert', async (base) => {
      const target = this.writable(command.path);
      const lines = (await this.fileText(base, target)).split('\n');
      const line = command.insert_line;
      if (!Number.isInteger(line) || line < 0 || line > lines.length) {
        throw new MemoryToolError(`Invalid \`insert_line\` parameter: ${line}. It should be within the range of lines of the file: [0, ${lines.length}]`);
      }
      const text = redactText(command.insert_text);
      lines.splice(line, 0, text.replace(/\n$/, ''));
      return {
        changes: new Map([[target.repoPath, lines.join('\n')]]),
        subject: `insert(${target.repoPath}:${line})`,
        result: `The file ${target.given} has been edited.`,
        redacted: text !== command.insert_text,
      };
    });
  }

  delete(command: BetaMemoryTool20250818DeleteCommand): Promise<Result> {
    return this.write('delete', async (base) => {
      const target = this.target(command.path);
      if (target.isRoot) throw new MemoryToolError('Cannot delete the /memories directory itself');
      await this.refuseLinks(base, target);
      const files = await this.filesAt(base, target);
      if (files.length === 0) throw new MemoryToolError(`The path ${target.given} does not exist`);
      for (const file of files) this.refuseWrite(target.given, file);
      return {
        changes: new Map(files.map((file) => [file, null])),
        subject: `delete(${target.repoPath})`,
        result: `Successfully deleted ${target.given}`,
        redacted: false,
      };
    });
  }

  rename(command: BetaMemoryTool20250818RenameCommand): Promise<Result> {
    return this.write('rename', async (base) => {
      const from = this.target(command.old_path);
      const to = this.target(command.new_path);
      if (from.isRoot) throw new MemoryToolError('Cannot rename the /memories directory itself');
      if (to.isRoot || to.repoPath === from.repoPath || to.repoPath.startsWith(`${from.repoPath}/`)) {
        throw new MemoryToolError(`Cannot rename ${from.given} to ${to.given}: the destination is the source or inside it`);
      }
      await this.refuseLinks(base, from);
      await this.refuseLinks(base, to);
      if (await entryAt(this.repo, base, to.repoPath)) throw new MemoryToolError(`The destination ${to.given} already exists`);
      const files = await this.filesAt(base, from);
      if (files.length === 0) throw new MemoryToolError(`The path ${from.given} does not exist`);
      const changes: FileChanges = new Map();
      for (const file of files) {
        const moved = to.repoPath + file.slice(from.repoPath.length);
        this.refuseWrite(from.given, file);
        this.refuseWrite(to.given, moved);
        const blob = (await entryAt(this.repo, base, file))!;
        changes.set(file, null);
        changes.set(moved, await readBlobText(this.repo, blob.oid));
      }
      return {
        changes,
        subject: `rename(${from.repoPath}): to ${to.repoPath}`,
        result: `Successfully renamed ${from.given} to ${to.given}`,
        redacted: false,
      };
    });
  }

  /**
   * One write: under the repository lock, read the session's branch (main before its first write), compute the
   * change, commit it on the branch, and move the branch compare-and-set from the tip it was read at.
   */
  private async write(command: string, compute: (base: string) => Promise<Write>): Promise<Result> {
    const release = await this.lock(command);
    try {
      const tip = await resolveRef(this.repo, `refs/heads/${this.branch}`);
      const base = tip ?? (await mainTip(this.context));
      const write = await compute(base);
      const { session } = this.options;
      const message = formatCommitMessage({
        subject: `${write.subject} by session ${session}`,
        body: [
          `Written with the memory tool in session ${session}; it waits on ${this.branch} for review (\`reverie approve ${this.branch}\`, \`reverie reject ${this.branch}\`).`,
          ...(write.redacted ? ['Secrets in the text were replaced by [REDACTED:<kind>] before it was written.'] : []),
        ].join('\n\n'),
        trailers: [
          [SESSION_TRAILER.session, session],
          [SESSION_TRAILER.tool, 'memory'],
          [SESSION_TRAILER.command, command],
        ],
      });
      const author = this.options.author ?? this.context.config.git.author;
      const oid = await commitChanges(this.repo, { parent: base, changes: write.changes, message, author });
      await updateBranch(this.repo, this.branch, oid, { expectedOld: tip ?? null });
      const note = write.redacted ? '\nNote: secrets in the text were replaced by [REDACTED:<kind>] placeholders; the memory holds the placeholder, not the secret.' : '';
      return write.result + note;
    } finally {
      release();
    }
  }

  /** The repository lock, waited for while a cycle or an approval holds it, up to `lockWaitMs`. */
  private async lock(command: string): Promise<() => void> {
    const deadline = Date.now() + (this.options.lockWaitMs ?? 30_000);
    for (;;) {
      try {
        return await acquireLock(this.repo, { purpose: `memory tool ${command}, session ${this.options.session}` });
      } catch (error) {
        if (!(error instanceof LockedError)) throw error;
        if (Date.now() >= deadline) {
          throw new MemoryToolError(`The memory is being curated by another reverie run right now; nothing was written. Try again in a minute. (${error.message})`);
        }
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
    }
  }

  // ---- paths ----

  /** Where the session reads: its branch once it has written, main before. */
  private async base(): Promise<string> {
    return (await resolveRef(this.repo, `refs/heads/${this.branch}`)) ?? mainTip(this.context);
  }

  /** A `/memories` path in the repository, or the reason it cannot be one. */
  private target(given: unknown): Target {
    if (typeof given !== 'string') throw new MemoryToolError(`Path must be a string starting with ${MEMORIES}`);
    if (given !== MEMORIES && !given.startsWith(`${MEMORIES}/`)) throw new MemoryToolError(`Path must start with ${MEMORIES}, got: ${given}`);
    const rest = given.slice(MEMORIES.length).replace(/^\/+/, '').replace(/\/+$/, '');
    if (rest.split('/').includes('..')) {
      const escapes = posix.normalize(rest) === '..' || posix.normalize(rest).startsWith('../');
      throw new MemoryToolError(escapes ? `Path ${given} would escape ${MEMORIES} directory` : `Path ${given} contains "..": name the file from ${MEMORIES} without it`);
    }
    if (rest === '' || rest === '.') return { given, repoPath: this.root, isRoot: true };
    const joined = this.root === '' ? rest : `${this.root}/${rest}`;
    let repoPath: string;
    try {
      repoPath = assertInsideRoot(joined, this.root);
    } catch (error) {
      if (error instanceof UnsafePathError) throw new MemoryToolError(`Path ${given} is refused: ${error.message.slice(error.path.length + 2)}`);
      throw error;
    }
    if (this.reserved(repoPath)) throw new MemoryToolError(`Path ${given} is reverie's own file (${repoPath}), not memory; nothing was written`);
    return { given, repoPath, isRoot: false };
  }

  /** A target a write may change: not the root, not in a protected namespace, no secret in its name. */
  private writable(given: string): Target {
    const target = this.target(given);
    if (target.isRoot) throw new MemoryToolError(`The path ${given} is a directory; give a file path`);
    if (redactText(target.repoPath) !== target.repoPath) throw new MemoryToolError(`Path ${given} looks like it holds a secret; choose another name`);
    this.refuseWrite(given, target.repoPath);
    return target;
  }

  private refuseWrite(given: string, repoPath: string): void {
    const namespace = this.protectedNamespace(repoPath);
    if (namespace) {
      throw new MemoryToolError(`The path ${given} is in the protected namespace "${namespace}": people write it, agents only read it; nothing was written`);
    }
  }

  /** Symbolic links (and submodules) are never followed: not at the path, not on the way to it. */
  private async refuseLinks(base: string, target: Target): Promise<void> {
    if (target.isRoot && this.root === '') return;
    const parts = target.repoPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const entry = await entryAt(this.repo, base, parts.slice(0, i).join('/'));
      if (!entry) return;
      if (entry.mode === '120000' || entry.type === 'commit') {
        throw new MemoryToolError(`Path ${target.given} goes through a symbolic link (${parts.slice(0, i).join('/')}), which the memory never follows; nothing was read or written`);
      }
      if (entry.type !== 'tree') return;
    }
  }

  /** The text of the regular file at `target`, or the SDK's error for a missing path or a directory. */
  private async fileText(base: string, target: Target): Promise<string> {
    await this.refuseLinks(base, target);
    const entry = await entryAt(this.repo, base, target.repoPath);
    if (!entry) throw new MemoryToolError(`The path ${target.given} does not exist. Please provide a valid path.`);
    if (entry.type !== 'blob') throw new MemoryToolError(`The path ${target.given} is not a file.`);
    return readBlobText(this.repo, entry.oid);
  }

  /** The regular files at `target`: the file itself, or every file under the directory. */
  private async filesAt(base: string, target: Target): Promise<string[]> {
    const entry = await entryAt(this.repo, base, target.repoPath);
    if (!entry) return [];
    if (entry.type === 'blob') return [target.repoPath];
    if (entry.type !== 'tree') return [];
    const links = (await listAll(this.repo, entry.oid)).filter((e) => e.mode === '120000' || e.type === 'commit');
    if (links.length > 0) throw new MemoryToolError(`The directory ${target.given} holds symbolic links or submodules, which the memory tool does not move or delete; nothing was written`);
    return (await listFilesAt(this.repo, entry.oid, `${target.repoPath}/`)).map((file) => file.path);
  }
}

/** Every entry below a tree, links and submodules included (listFilesAt skips them). */
async function listAll(repo: Repo, tree: string): Promise<TreeEntry[]> {
  const all: TreeEntry[] = [];
  for (const entry of await readTreeEntries(repo, tree)) {
    all.push(entry);
    if (entry.type === 'tree') all.push(...(await listAll(repo, entry.oid)));
  }
  return all;
}

function numbered(lines: string[], first: number): string[] {
  return lines.map((line, i) => `${String(first + i).padStart(LINE_NUMBER_WIDTH, ' ')}\t${line}`);
}

function occurrences(text: string, search: string): number[] {
  const found: number[] = [];
  if (search === '') return found;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + 1)) found.push(at);
  return found;
}

/** As the SDK writes sizes: `512B`, `1.5K`, `2M`. */
function fileSize(bytes: number): string {
  if (bytes === 0) return '0B';
  const units = ['B', 'K', 'M', 'G'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(bytes) / Math.log(1024)));
  const size = bytes / 1024 ** i;
  return (size % 1 === 0 ? String(size) : size.toFixed(1)) + units[i];
}
