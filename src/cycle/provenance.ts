/**
 * Why a memory line says what it says: the line blame of the file at main, read through reverie's trailers and
 * cycle records. A line's last change is either an action of a cycle (with its rationale and evidence), a revert
 * that restored it, or a hand-written commit.
 */
import path from 'node:path';
import { cyclePath, parseCycleRecord, type CycleRecord, type RecordedAction } from '../dream/state.js';
import { UsageError } from '../errors.js';
import { blameLines, type BlamedLine } from '../git/blame.js';
import { readEntry, type LogEntry } from '../git/log.js';
import type { Repo } from '../git/repo.js';
import { blobOidAt, readFileAt } from '../git/tree.js';
import { readCached, writeCached } from '../util/read-cache.js';
import { mainTip, type RepoContext } from './repo-context.js';
import { inferredMarks } from './inferred-marks.js';
import { actionMarks, revertMark, type ActionMark, type RevertMark } from './trailers.js';
import { SESSION_TRAILER } from '../memory-tool/branch.js';

export interface EvidenceDetail {
  session_id: string;
  /** Unknown when the cycle record is missing and only the trailers name the session. */
  agent: string | null;
  /** From a session log: untrusted text, to be shown as data. */
  quote: string | null;
  turn?: number;
}

export interface ActionDetail {
  cycle: string;
  id: string;
  type: string;
  summary: string | null;
  rationale: string | null;
  evidence: EvidenceDetail[];
}

/** One action a revert undid. */
export interface RevertedDetail {
  /** The commit reverted, when the revert names it. */
  commit: string | null;
  cycle: string | null;
  action_id: string | null;
  type: string | null;
  /** The action's summary, or the reverted commit's subject when it was no action. */
  summary: string | null;
}

interface CommitDetail {
  commit: string;
  subject: string;
  author: { name: string; email: string };
  /** Commit time (ISO). */
  date: string;
}

export type LineOrigin =
  /**
   * Written by an action. `exact` is false when the commit carries several actions (a squash merge) and the line
   * matches the recorded content of none of them, or of several: then every candidate is listed.
   */
  | (CommitDetail & { kind: 'action'; cycle: string; engine: string | null; exact: boolean; actions: ActionDetail[] })
  /** Restored (or written) by a revert commit. */
  | (CommitDetail & { kind: 'revert'; reverted: RevertedDetail[] })
  /** Written with the memory tool by an agent session (its `Reverie-Session` trailer), approved into main. */
  | (CommitDetail & { kind: 'session'; session: string; tool: string | null; command: string | null })
  /** A commit without reverie's trailers: a person's edit. */
  | (CommitDetail & { kind: 'hand-written' });

export interface LineProvenance {
  line: number;
  text: string;
  origin: LineOrigin;
}

export interface FileProvenance {
  /** The file, from the repository root. */
  file: string;
  /** main's commit the lines were read at. */
  main: string;
  lines: LineProvenance[];
}

/** 1-based, inclusive. */
export interface LineRange {
  from: number;
  to: number;
}

/** `memory/notes.md`, `memory/notes.md:12` or `memory/notes.md:12-20`. */
export function parseLineSpec(spec: string): { file: string; range?: LineRange } {
  const match = /^(.*?):(\d+)(?:-(\d+))?$/.exec(spec);
  if (!match) return { file: spec };
  const from = Number(match[2]);
  const to = match[3] === undefined ? from : Number(match[3]);
  if (from < 1 || to < from) throw new UsageError(`${spec}: lines are numbered from 1, and a range goes from a line to a later one`);
  return { file: match[1]!, range: { from, to } };
}

/**
 * `reverie why`: where each line of `file` at main (or each line of `range`) came from. The answer depends on main's
 * commit alone (its history and cycle records never change), so the command line keeps the last one (read-cache.ts):
 * asked again before main moves, it reads one file instead of walking the file's history.
 */
export async function explainFile(context: RepoContext, file: string, range?: LineRange): Promise<FileProvenance> {
  const main = await mainTip(context);
  const key = JSON.stringify([main, file, range ?? null, context.repo.dir, context.config.memory.root, context.config.git.main]);
  const cached = readCached<FileProvenance>(context.repo.gitdir, 'why', key);
  if (cached) return cached;
  const provenance = await explainAt(context, main, file, range);
  writeCached(context.repo.gitdir, 'why', key, provenance);
  return provenance;
}

async function explainAt(context: RepoContext, main: string, file: string, range?: LineRange): Promise<FileProvenance> {
  const found = await fileAtMain(context, main, file);
  const text = (await readFileAt(context.repo, main, found)) ?? '';
  const count = text === '' ? 0 : text.replace(/\n$/, '').split('\n').length;
  if (range && range.to > count) throw new UsageError(`${found} has ${count} lines at ${context.config.git.main}; there is no line ${range.to}`);
  const wanted = range ? Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i) : undefined;
  const blamed = await blameLines(context.repo, main, found, wanted ? { lines: wanted } : {});
  const explain = new Explainer(context.repo, main, found);
  const lines: LineProvenance[] = [];
  for (const line of blamed) lines.push({ line: line.line, text: line.text, origin: await explain.origin(line) });
  return { file: found, main, lines };
}

/** Runs of consecutive lines with the same origin, for people: one explanation per run. */
export function groupByOrigin(lines: LineProvenance[]): { from: number; to: number; origin: LineOrigin; lines: LineProvenance[] }[] {
  const groups: { from: number; to: number; origin: LineOrigin; lines: LineProvenance[] }[] = [];
  for (const line of lines) {
    const last = groups[groups.length - 1];
    if (last && last.to === line.line - 1 && sameOrigin(last.origin, line.origin)) {
      last.to = line.line;
      last.lines.push(line);
    } else groups.push({ from: line.line, to: line.line, origin: line.origin, lines: [line] });
  }
  return groups;
}

function sameOrigin(a: LineOrigin, b: LineOrigin): boolean {
  if (a.commit !== b.commit || a.kind !== b.kind) return false;
  return a.kind !== 'action' || b.kind !== 'action' || a.actions.map((x) => x.id).join() === b.actions.map((x) => x.id).join();
}

/**
 * The path as the repository names it: given from the repository root, as an absolute path inside it, or from the
 * memory root (`notes.md` for `memory/notes.md`).
 */
async function fileAtMain(context: RepoContext, main: string, file: string): Promise<string> {
  const fromRoot = path.isAbsolute(file) ? path.relative(context.repo.dir, file) : path.normalize(file);
  const relative = fromRoot.split(path.sep).join('/');
  const root = context.config.memory.root;
  const candidates = [relative, ...(root ? [`${root}/${relative}`] : [])];
  for (const candidate of candidates) if (!candidate.startsWith('../') && (await blobOidAt(context.repo, main, candidate))) return candidate;
  throw new UsageError(`${file} is not a file on ${context.config.git.main}; name it from the repository root, e.g. ${root || '.'}/notes.md`);
}

interface CommitFacts {
  entry: LogEntry;
  /** The curation actions the commit carries (several for a squash merge). */
  marks: ActionMark[];
  revert?: RevertMark;
}

/** Turns blamed commits into explanations; each commit and each cycle record is read once. */
class Explainer {
  private readonly commits = new Map<string, Promise<CommitFacts | undefined>>();
  private readonly records = new Map<string, Promise<CycleRecord | undefined>>();

  constructor(
    private readonly repo: Repo,
    private readonly main: string,
    private readonly file: string,
  ) {}

  async origin(line: BlamedLine): Promise<LineOrigin> {
    const facts = (await this.facts(line.commit))!;
    const detail = commitDetail(facts.entry);
    if (facts.marks.length > 0) return { ...detail, kind: 'action', ...(await this.actionsFor(facts.marks, line.text)) };
    if (facts.revert) return { ...detail, kind: 'revert', reverted: await this.reverted(facts.revert) };
    const session = facts.entry.trailers[SESSION_TRAILER.session]?.[0];
    if (session) {
      const { tool, command } = SESSION_TRAILER;
      return { ...detail, kind: 'session', session, tool: facts.entry.trailers[tool]?.[0] ?? null, command: facts.entry.trailers[command]?.[0] ?? null };
    }
    return { ...detail, kind: 'hand-written' };
  }

  /**
   * The action that wrote `text`. A commit of a cycle carries one; a squash merge carries all of the cycle's: the one
   * that touches this file, else the one whose recorded content holds the line, else all those that touch the file.
   */
  private async actionsFor(marks: ActionMark[], text: string): Promise<{ cycle: string; engine: string | null; exact: boolean; actions: ActionDetail[] }> {
    const candidates = await Promise.all(marks.map(async (mark) => ({ mark, recorded: await this.recordedAction(mark) })));
    const touching = candidates.filter((c) => !c.recorded || c.recorded.paths.includes(this.file));
    const pool = touching.length > 0 ? touching : candidates;
    const line = entryText(text);
    const holding = pool.filter((c) => line !== '' && c.recorded?.content?.includes(line));
    const chosen = pool.length > 1 && holding.length > 0 ? holding : pool;
    const first = chosen[0]!;
    const record = await this.record(first.mark.cycle);
    return {
      cycle: first.mark.cycle,
      engine: first.mark.engine ?? record?.engine ?? null,
      exact: chosen.length === 1,
      actions: chosen.map(({ mark, recorded }) => actionDetail(mark, recorded)),
    };
  }

  /** What a revert undid: the actions it names, else the actions (or the plain commits) it reverts. */
  private async reverted(targets: RevertMark): Promise<RevertedDetail[]> {
    const named = targets.commits.length === 1 ? targets.commits[0]! : null;
    if (targets.actions.length > 0) {
      return Promise.all(
        targets.actions.map(async (key) => {
          const [cycle = '', id = ''] = key.split('/');
          const recorded = (await this.record(cycle))?.actions.find((a) => a.id === id);
          return { commit: named, cycle, action_id: id, type: recorded?.type ?? null, summary: recorded?.summary ?? null };
        }),
      );
    }
    const details: RevertedDetail[] = [];
    for (const commit of targets.commits) {
      const facts = await this.facts(commit);
      if (!facts) details.push({ commit, cycle: null, action_id: null, type: null, summary: null });
      else if (facts.marks.length === 0) details.push({ commit, cycle: null, action_id: null, type: null, summary: facts.entry.subject });
      for (const mark of facts?.marks ?? []) {
        const recorded = await this.recordedAction(mark);
        details.push({ commit, cycle: mark.cycle, action_id: mark.actionId ?? null, type: mark.action, summary: recorded?.summary ?? null });
      }
    }
    return details;
  }

  /** A commit's facts; undefined for a commit this clone does not have (a revert may name a branch's commit). */
  private facts(commit: string): Promise<CommitFacts | undefined> {
    let facts = this.commits.get(commit);
    if (!facts) {
      facts = readEntry(this.repo, commit).then(
        async (entry) => {
          const revert = revertMark(entry.message);
          const written = actionMarks(entry.message);
          // A squash that lost the trailers still brought the cycle's actions: its tree says which.
          const all = written.length > 0 ? written : await inferredMarks(this.repo, commit);
          const marks = all.filter((m) => m.actionId && m.action !== 'state' && m.action !== 'revert');
          return { entry, marks, ...(revert ? { revert } : {}) };
        },
        () => undefined,
      );
      this.commits.set(commit, facts);
    }
    return facts;
  }

  private async recordedAction(mark: ActionMark): Promise<RecordedAction | undefined> {
    return (await this.record(mark.cycle))?.actions.find((a) => a.id === mark.actionId);
  }

  /** The cycle's record as main has it. */
  private record(cycle: string): Promise<CycleRecord | undefined> {
    let record = this.records.get(cycle);
    if (!record) {
      record = readFileAt(this.repo, this.main, cyclePath(cycle)).then((text) => (text === undefined ? undefined : parseCycleRecord(text)));
      this.records.set(cycle, record);
    }
    return record;
  }
}

/** A line's words without its list marker: an action's content is the entry's text, and the file adds the `- `. */
function entryText(line: string): string {
  return line.trim().replace(/^(?:[-*+]|\d+[.)])\s+/, '');
}

function commitDetail(entry: LogEntry): CommitDetail {
  return { commit: entry.oid, subject: entry.subject, author: entry.author, date: new Date(entry.timestamp * 1000).toISOString() };
}

/** From the cycle record when main has it, else what the trailers say. */
function actionDetail(mark: ActionMark, recorded: RecordedAction | undefined): ActionDetail {
  const evidence: EvidenceDetail[] = recorded
    ? recorded.evidence.map((e) => ({ session_id: e.sessionId, agent: e.agent, quote: e.quote, ...(e.turn !== undefined ? { turn: e.turn } : {}) }))
    : mark.evidence.map((id) => ({ session_id: id, agent: null, quote: null }));
  return {
    cycle: mark.cycle,
    id: mark.actionId ?? '',
    type: recorded?.type ?? mark.action,
    summary: recorded?.summary ?? null,
    rationale: recorded?.rationale ?? null,
    evidence,
  };
}
