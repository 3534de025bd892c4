/**
 * `reverie compile`: main's memory, as committed, written into each agent's own file (CLAUDE.md, AGENTS.md, Cursor's
 * rules, ...), in the memory repository or in a folder beside it. What it wrote is recorded in `.reverie/compiled.json`,
 * so that a file edited by hand since is never overwritten: its edit comes back as a branch of the memory repository
 * that changes the memory file it came from, for review (hand-edits.ts).
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Mode } from '../config/types.js';
import { GitStateError, UsageError } from '../errors.js';
import { commitChanges, currentBranch, fastForward, finishCheckout, isAncestor, mergeText, openRepo, readCheckoutJournal, readFileAt, readFilesAt, resolveRef, updateBranch, type Repo } from '../git/index.js';
import { formatCommitMessage } from '../git/message.js';
import { writeFileDurably } from '../git/durable.js';
import type { AgentLoad } from '../memory/context-cost.js';
import { lineCount } from '../memory/harness.js';
import { pathMatcher } from '../memory/namespaces.js';
import { estimateTokens } from '../memory/tokens.js';
import { symlinkOnTheWay } from '../util/symlink-path.js';
import { mainTip, type RepoContext } from '../cycle/repo-context.js';
import { COMPILE_BRANCH } from './branch-names.js';
import { formatSpec, type CompileTarget } from './formats.js';
import { proposeHandEdits, type HandEdit, type Proposal } from './hand-edits.js';
import { COMPILED_RECORD, compiledRecordText, parseCompiledRecord, sha256, type CompiledRecord, type RecordedAgent, type RecordedFile } from './record.js';
import { body, compileFiles, traceEdits, UncompilableError, type CompiledFile, type Source } from './render.js';

export { COMPILE_BRANCH };

export interface CompileOptions {
  /** Only this agent. */
  agent?: string;
  /** Report what would be written or proposed; write nothing. */
  check?: boolean;
  /** Instead of the configuration's mode. */
  mode?: Mode;
  now: Date;
}

export type FileAction = 'write' | 'unchanged' | 'delete' | 'kept' | 'refused';

export interface FileReport {
  /** Relative to `into`. */
  path: string;
  action: FileAction;
  bytes: number;
  lines: number;
  /** Why a file is kept or refused. */
  reason?: string;
}

export interface LimitOverrun {
  limit: 'tokens' | 'lines' | 'bytes';
  size: number;
  max: number;
  over_by: number;
  /** Where the limit comes from. */
  source: string;
  /** The file the limit applies to; absent: all of the agent's files together. */
  file?: string;
}

export interface Untraceable {
  /** The compiled file, as `into`/`path`. */
  file: string;
  line: number;
  message: string;
}

export interface AgentReport {
  agent: string;
  format: string;
  into: string;
  /** Where the files went: a branch of a git repository (`main`, `reverie/compile`), or a folder. */
  destination: { kind: 'memory' | 'git' | 'folder'; dir: string; branch: string | null };
  files: FileReport[];
  size: { tokens: number; lines: number; bytes: number };
  over: LimitOverrun[];
  warnings: string[];
  hand_edits: HandEdit[];
  untraceable: Untraceable[];
  /** The commit that carries the written files, when they were committed. */
  commit: string | null;
  /** What stopped this agent from being compiled at all. */
  error?: string;
}

export interface CompileReport {
  mode: 'auto' | 'review';
  check: boolean;
  memory_commit: string;
  agents: AgentReport[];
  /** The commit on main that records what was written (`.reverie/compiled.json`), when it changed. */
  record_commit: string | null;
  /** Something to write, propose, or a problem a person must look at: `--check` exits 1. */
  stale: boolean;
  /** A limit overrun, an untraceable edit or an error: the command exits 1. */
  failed: boolean;
}

/** Where one agent's files go, and how to read what is there now. */
interface Destination {
  kind: 'memory' | 'git' | 'folder';
  dir: string;
  repo?: Repo;
  /** The branch the files are committed on. */
  branch: string | null;
  /** The branch a review branch is cut from and merged into: the checked-out one (main for the memory repository). */
  current?: string;
  /** The commit the files are read from and written on (undefined: the branch does not exist yet), and whether the branch is checked out. */
  base?: string;
  /** Where `branch` is now (it may not exist yet: a new review branch). */
  branchTip?: string;
  checkedOut: boolean;
}

/** `reverie compile`. Takes the repository lock itself only through the caller (the CLI holds it). */
export async function compile(context: RepoContext, options: CompileOptions): Promise<CompileReport> {
  const { repo, config } = context;
  const mode = options.mode ?? config.mode;
  const check = options.check === true || mode === 'dry-run';
  const writeMode: 'auto' | 'review' = mode === 'auto' ? 'auto' : 'review';
  const compiled = config.agents.filter((a): a is AgentLoad & { compile: CompileTarget } => a.compile !== undefined);
  if (options.agent !== undefined && !compiled.some((a) => a.name === options.agent)) {
    const names = compiled.map((a) => a.name).join(', ') || 'none';
    throw new UsageError(`no agent "${options.agent}" with compile: in ${path.basename(config.file)} (agents compiled: ${names})`);
  }
  const agents = compiled.filter((a) => options.agent === undefined || a.name === options.agent);
  const main = await mainTip(context);
  const record = parseCompiledRecord(await readFileAt(repo, main, COMPILED_RECORD));
  const next: CompiledRecord = structuredClone(record);
  const reports: AgentReport[] = [];
  const proposals: Proposal[] = [];
  for (const agent of agents) {
    const { report, recorded, proposals: proposed } = await compileAgent(context, agent, { main, record: record.agents[agent.name], writeMode, check, now: options.now });
    reports.push(report);
    proposals.push(...proposed);
    if (recorded) next.agents[agent.name] = recorded;
  }
  await proposeHandEdits(context, proposals, { check, now: options.now });
  let recordCommit: string | null = null;
  const text = compiledRecordText(next);
  if (!check && text !== compiledRecordText(record)) recordCommit = await commitRecord(context, text, options.now);
  const stale = reports.some((r) => r.files.some((f) => f.action === 'write' || f.action === 'delete') || r.hand_edits.some((h) => !h.waiting) || isFailed(r));
  return { mode: writeMode, check, memory_commit: main, agents: reports, record_commit: recordCommit, stale, failed: reports.some(isFailed) };
}

function isFailed(report: AgentReport): boolean {
  return report.over.length > 0 || report.untraceable.length > 0 || report.error !== undefined;
}

interface AgentRun {
  main: string;
  record: RecordedAgent | undefined;
  writeMode: 'auto' | 'review';
  check: boolean;
  now: Date;
}

async function compileAgent(
  context: RepoContext,
  agent: AgentLoad & { compile: CompileTarget },
  run: AgentRun,
): Promise<{ report: AgentReport; recorded?: RecordedAgent; proposals: Proposal[] }> {
  const target = agent.compile;
  const report: AgentReport = {
    agent: agent.name,
    format: target.format,
    into: target.into,
    destination: { kind: 'folder', dir: path.resolve(context.repo.dir, target.into), branch: null },
    files: [],
    size: { tokens: 0, lines: 0, bytes: 0 },
    over: [],
    warnings: [],
    hand_edits: [],
    untraceable: [],
    commit: null,
  };
  let destination: Destination;
  try {
    destination = await openDestination(context, target, run.writeMode);
  } catch (error) {
    report.error = (error as Error).message;
    return { report, proposals: [] };
  }
  report.destination = { kind: destination.kind, dir: destination.dir, branch: destination.branch };
  let files: CompiledFile[];
  const sources = await sourcesAt(context, run.main, agent);
  // Main's memory under the header of the commit a file was last compiled from: the same text means nothing to write.
  const headed = new Map<string, Map<string, string>>();
  const withHeaderOf = (commit: string, file: string) => {
    let texts = headed.get(commit);
    if (!texts) headed.set(commit, (texts = new Map(compileFiles(agent.name, target, sources, commit, context.config.memory.root).map((f) => [f.path, f.text]))));
    return texts.get(file);
  };
  try {
    files = compileFiles(agent.name, target, sources, run.main, context.config.memory.root);
  } catch (error) {
    if (!(error instanceof UncompilableError)) throw error;
    report.error = error.message;
    return { report, proposals: [] };
  }
  // A record made for another place or format says nothing of the files here.
  const recorded = run.record && run.record.into === target.into && run.record.format === target.format ? run.record : undefined;
  measure(report, agent, target, files);
  const display = (file: string) => (target.into === '.' ? file : path.posix.join(target.into.replace(/\\/g, '/'), file));
  const changes = new Map<string, string | null>();
  const nextFiles: RecordedFile[] = [];
  const proposals: Proposal[] = [];
  const overLimit = report.over.length > 0;
  for (const file of files) {
    const current = await readTarget(destination, file.path);
    const was = recorded?.files.find((f) => f.path === file.path);
    const fileReport: FileReport = { path: file.path, action: 'unchanged', bytes: Buffer.byteLength(file.text, 'utf8'), lines: lineCount(file.text) };
    report.files.push(fileReport);
    const fresh = (): RecordedFile => ({ path: file.path, sha256: sha256(file.text), memory_commit: run.main, sources: file.sources });
    if (typeof current === 'object') {
      fileReport.action = 'kept';
      fileReport.reason = current.problem;
      report.untraceable.push({ file: display(file.path), line: 1, message: current.problem });
      if (was) nextFiles.push(was);
      continue;
    }
    if (current === file.text) {
      nextFiles.push(was && was.sha256 === sha256(current) ? was : fresh());
      continue;
    }
    if (current !== undefined && was && sha256(current) === was.sha256 && current === withHeaderOf(was.memory_commit, file.path)) {
      // The same memory compiled under an older commit's header: nothing to write.
      nextFiles.push(was);
      continue;
    }
    const handEdited = current !== undefined && (!was || (sha256(current) !== was.sha256 && !(recorded?.rejected_edits ?? []).includes(sha256(current))));
    if (handEdited && !was) {
      fileReport.action = 'kept';
      fileReport.reason = 'there is a file here that reverie compile did not write; move it away, or take what it says into the memory first';
      report.untraceable.push({ file: display(file.path), line: 1, message: fileReport.reason });
      continue;
    }
    if (handEdited && was) {
      const traced = await traceHandEdit(context, agent, was, current!, run.main);
      if (traced.problems.length > 0 || traced.proposals.length > 0) {
        fileReport.action = 'kept';
        fileReport.reason = traced.problems.length > 0 ? 'edited by hand in a way that cannot be traced to the memory' : 'edited by hand: the edit is proposed to the memory for review';
        for (const problem of traced.problems) report.untraceable.push({ file: display(file.path), ...problem });
        if (traced.proposals.length > 0 && traced.problems.length === 0) {
          const handEdit: HandEdit = { file: display(file.path), sha256: sha256(current!), sources: traced.proposals.map((p) => p.source), branch: null };
          report.hand_edits.push(handEdit);
          proposals.push({ agent: agent.name, target: display(file.path), sha256: handEdit.sha256, changes: traced.proposals, memoryCommit: was.memory_commit, report: handEdit });
        }
        nextFiles.push(was);
        continue;
      }
      // Every edit is in the memory already (approved, or made there too): the file can be compiled afresh.
    }
    if (overLimit) {
      fileReport.action = 'refused';
      fileReport.reason = 'over a limit';
      if (was) nextFiles.push(was);
      continue;
    }
    fileReport.action = 'write';
    changes.set(file.path, file.text);
    nextFiles.push(fresh());
  }
  // Files of an earlier compile that no source makes any more (cursor, claude-rules): removed, unless edited.
  for (const was of recorded?.files ?? []) {
    if (files.some((f) => f.path === was.path)) continue;
    const current = await readTarget(destination, was.path);
    if (current === undefined) continue;
    const fileReport: FileReport = { path: was.path, action: 'delete', bytes: 0, lines: 0 };
    report.files.push(fileReport);
    if (typeof current === 'object' || sha256(current) !== was.sha256) {
      fileReport.action = 'kept';
      fileReport.reason = 'its memory file is gone, and it was edited by hand since it was compiled';
      report.untraceable.push({ file: display(was.path), line: 1, message: `${fileReport.reason}; delete it or restore its memory file` });
      nextFiles.push(was);
    } else if (overLimit) {
      fileReport.action = 'refused';
      nextFiles.push(was);
    } else changes.set(was.path, null);
  }
  if (overLimit) return { report, ...(run.record ? { recorded: run.record } : {}), proposals };
  const recordedAgent: RecordedAgent = {
    format: target.format,
    into: target.into,
    files: nextFiles.sort((a, b) => a.path.localeCompare(b.path)),
  };
  // A rejected edit is gone once its file is compiled afresh; while a file is kept for another reason, it may still be there.
  const rejected = recorded?.rejected_edits ?? [];
  if (rejected.length > 0 && report.files.some((f) => f.action === 'kept')) recordedAgent.rejected_edits = rejected;
  if (changes.size > 0 && !run.check) {
    try {
      report.commit = await writeChanges(context, destination, changes, agent.name, run.main, run.now);
    } catch (error) {
      if (!(error instanceof GitStateError)) throw error;
      report.error = error.message;
      return { report, ...(run.record ? { recorded: run.record } : {}), proposals };
    }
  }
  return { report, recorded: recordedAgent, proposals };
}

/** The memory files an agent loads at a commit, in path order. */
async function sourcesAt(context: RepoContext, commit: string, agent: AgentLoad): Promise<Source[]> {
  const root = context.config.memory.root;
  const loads = pathMatcher(root, agent.loads);
  const files = await readFilesAt(context.repo, commit, loads, { under: [root] });
  return [...files].map(([p, text]) => ({ path: p, text })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The text `file` had when compiled from `commit`, as this configuration compiles it; undefined when it cannot be made. */
async function compiledAt(context: RepoContext, agent: AgentLoad & { compile: CompileTarget }, commit: string, file: string): Promise<string | undefined> {
  try {
    const files = compileFiles(agent.name, agent.compile, await sourcesAt(context, commit, agent), commit, context.config.memory.root);
    return files.find((f) => f.path === file)?.text;
  } catch {
    return undefined;
  }
}

/**
 * A compiled file edited by hand, read back block by block: each block whose text differs from what was compiled
 * becomes that memory file's new text on main (the edit merged with what changed there since), unless the memory
 * has it already.
 */
async function traceHandEdit(
  context: RepoContext,
  agent: AgentLoad & { compile: CompileTarget },
  was: RecordedFile,
  current: string,
  main: string,
): Promise<{ proposals: { source: string; text: string }[]; problems: { line: number; message: string }[] }> {
  const { repo } = context;
  const original = await compiledAt(context, agent, was.memory_commit, was.path);
  const bodies = new Map<string, string>();
  for (const source of was.sources) {
    const text = await readFileAt(repo, was.memory_commit, source).catch(() => undefined);
    if (text !== undefined) bodies.set(source, body(text));
  }
  const trace = traceEdits(current, original !== undefined && sha256(original) === was.sha256 ? original : undefined, bodies);
  const problems = [...trace.problems];
  const proposals: { source: string; text: string }[] = [];
  if (problems.length > 0) return { proposals, problems };
  for (const edit of trace.edited) {
    const base = bodies.get(edit.source);
    const ours = await readFileAt(repo, main, edit.source);
    if (base === undefined || ours === undefined) {
      problems.push({ line: edit.line, message: `the block of ${edit.source} was edited, but ${edit.source} is no longer in the memory on main` });
      continue;
    }
    const merged = mergeText(body(ours), base, edit.body);
    if (merged.conflicts.length > 0) {
      problems.push({ line: edit.line, message: `the edit of ${edit.source}'s block clashes with changes made to ${edit.source} on main since it was compiled; make the edit in the memory file instead` });
      continue;
    }
    // A memory file without a last line break keeps it that way: the block gave it one only to end the block.
    const text = ours !== '' && !ours.endsWith('\n') && merged.text.endsWith('\n') ? merged.text.slice(0, -1) : merged.text;
    if (text !== ours) proposals.push({ source: edit.source, text });
  }
  return { proposals, problems };
}

/** Sizes of what the agent loads, held to its own limits and to its format's. */
function measure(report: AgentReport, agent: AgentLoad, target: CompileTarget, files: readonly CompiledFile[]): void {
  for (const file of files) {
    report.size.tokens += estimateTokens(file.text);
    report.size.lines += lineCount(file.text);
    report.size.bytes += Buffer.byteLength(file.text, 'utf8');
  }
  const own = `agents: ${agent.name} in reverie.yaml (max_${'{limit}'})`;
  for (const limit of ['tokens', 'lines', 'bytes'] as const) {
    const max = agent.limits[limit];
    if (max !== undefined && report.size[limit] > max) report.over.push({ limit, size: report.size[limit], max, over_by: report.size[limit] - max, source: own.replace('{limit}', limit) });
  }
  const spec = formatSpec(target.format);
  for (const file of files) {
    const documented = spec.limit?.(file.path);
    const size = { lines: lineCount(file.text), bytes: Buffer.byteLength(file.text, 'utf8') };
    for (const limit of ['lines', 'bytes'] as const) {
      const max = documented?.limits[limit];
      if (max !== undefined && size[limit] > max) report.over.push({ limit, size: size[limit], max, over_by: size[limit] - max, source: documented!.source, file: file.path });
    }
    if (spec.warn && file.text.length > spec.warn.chars) report.warnings.push(`${file.path} has ${file.text.length.toLocaleString('en-US')} characters: ${spec.warn.message}`);
  }
}

/**
 * The folder an agent's files go into: the memory repository itself, another git repository (its root), or a plain
 * folder. For a git repository, the branch the files are committed on: its checked-out branch in auto mode (main
 * for the memory repository), `reverie/compile` in review mode.
 */
async function openDestination(context: RepoContext, target: CompileTarget, writeMode: 'auto' | 'review'): Promise<Destination> {
  const dir = path.resolve(context.repo.dir, target.into);
  const stat = await fsp.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new GitStateError(`into: ${target.into} (${dir}) is not a folder`);
  let repo: Repo | undefined;
  let kind: Destination['kind'];
  let current: string | undefined;
  if (dir === context.repo.dir) {
    repo = context.repo;
    kind = 'memory';
    current = context.config.git.main;
  } else if (await fsp.stat(path.join(dir, '.git')).catch(() => undefined)) {
    repo = await openRepo(dir);
    kind = 'git';
    // A compile killed while its fast-forward brought the files onto disk left a journal there; finish it first.
    const journal = await readCheckoutJournal(repo);
    if (journal) await finishCheckout(repo, journal);
    current = await currentBranch(repo);
    if (!current) throw new GitStateError(`into: ${target.into} has a detached HEAD; check out the branch the compiled files belong on`);
  } else return { kind: 'folder', dir, branch: null, checkedOut: false };
  const tip = await resolveRef(repo, `refs/heads/${current}`);
  if (!tip) throw new GitStateError(`into: ${target.into} has no commit on ${current} yet; commit something first`);
  const checkedOut = (await currentBranch(repo)) === current;
  if (writeMode === 'auto') return { kind, dir, repo, branch: current, current, base: tip, branchTip: tip, checkedOut };
  const pending = await resolveRef(repo, `refs/heads/${COMPILE_BRANCH}`);
  const waiting = pending !== undefined && !(await isAncestor(repo, pending, tip));
  return { kind, dir, repo, branch: COMPILE_BRANCH, current, base: waiting ? pending : tip, ...(pending ? { branchTip: pending } : {}), checkedOut: waiting ? false : checkedOut };
}

/**
 * The text of a compiled file as the agent would find it: on the branch it was written on, or, where that branch is
 * checked out, on disk when someone changed it there without committing. A symbolic link is never read or written
 * through.
 */
async function readTarget(destination: Destination, file: string): Promise<string | undefined | { problem: string }> {
  const link = await symlinkOnTheWay(destination.dir, file);
  if (link !== undefined && (destination.kind === 'folder' || destination.checkedOut)) return { problem: `${link} is a symbolic link, which reverie compile never writes through` };
  const onDisk = destination.kind === 'folder' || destination.checkedOut ? await fsp.readFile(path.join(destination.dir, file), 'utf8').catch(() => undefined) : undefined;
  if (destination.kind === 'folder') return onDisk;
  const committed = destination.base ? await readFileAt(destination.repo!, destination.base, file) : undefined;
  return onDisk !== undefined && onDisk !== committed ? onDisk : committed;
}

/** Writes an agent's files: a commit on the destination's branch, or the files themselves in a plain folder. */
async function writeChanges(context: RepoContext, destination: Destination, changes: Map<string, string | null>, agent: string, memoryCommit: string, now: Date): Promise<string | null> {
  if (destination.kind === 'folder') {
    for (const [file, text] of changes) {
      const full = path.join(destination.dir, file);
      if (text === null) await fsp.rm(full, { force: true });
      else await writeFileDurably(full, text);
    }
    return null;
  }
  const repo = destination.repo!;
  const branch = destination.branch!;
  // Re-read: an earlier agent of this run may have committed on the same branch.
  const tip = await resolveRef(repo, `refs/heads/${branch}`);
  const main = branch === COMPILE_BRANCH ? await resolveRef(repo, `refs/heads/${destination.current}`) : undefined;
  const parent = branch === COMPILE_BRANCH ? (tip && main && !(await isAncestor(repo, tip, main)) ? tip : (main ?? destination.base)) : (tip ?? destination.base);
  const files = [...changes.keys()].join(', ');
  const message = formatCommitMessage({
    subject: `compile(${agent}): ${files}`,
    body: `Written by \`reverie compile\` from the memory at ${memoryCommit}. Edit the memory, not these files: a hand edit comes back to the memory as a proposed change.`,
    trailers: [
      ['Reverie-Compile', agent],
      ['Reverie-Memory-Commit', memoryCommit],
    ],
  });
  const oid = await commitChanges(repo, { parent, changes, message, author: context.config.git.author, timestamp: Math.floor(now.getTime() / 1000) });
  if (branch === COMPILE_BRANCH) await updateBranch(repo, branch, oid, { expectedOld: tip ?? null });
  else {
    if (destination.checkedOut) await restoreCommitted(repo, parent!, [...changes.keys()]);
    await fastForward(repo, { branch, to: oid, expectedOld: parent! });
  }
  return oid;
}

/**
 * A compiled file changed on disk without a commit is written only when its edit is in the memory already, or was
 * rejected (compileAgent decides): its committed text goes back on disk first, so that the fast-forward, which never
 * overwrites uncommitted changes, brings the new text.
 */
async function restoreCommitted(repo: Repo, commit: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const committed = await readFileAt(repo, commit, file);
    const full = path.join(repo.dir, file);
    const onDisk = await fsp.readFile(full, 'utf8').catch(() => undefined);
    if (onDisk === committed) continue;
    if (committed === undefined) await fsp.rm(full, { force: true });
    else await writeFileDurably(full, committed);
  }
}

/** `.reverie/compiled.json` on main, in a commit of its own that touches nothing else. */
async function commitRecord(context: RepoContext, text: string, now: Date): Promise<string> {
  const { repo, config } = context;
  const main = await mainTip(context);
  const message = formatCommitMessage({
    subject: `compile(${COMPILED_RECORD}): record what was written`,
    body: 'The files `reverie compile` wrote for each agent, with the sha256 of each as written and the memory commit it came from, so that the next compile tells a hand edit from its own work.',
    trailers: [['Reverie-Compile', 'record']],
  });
  const oid = await commitChanges(repo, { parent: main, changes: new Map([[COMPILED_RECORD, text]]), message, author: config.git.author, timestamp: Math.floor(now.getTime() / 1000) });
  await fastForward(repo, { branch: config.git.main, to: oid, expectedOld: main });
  return oid;
}
