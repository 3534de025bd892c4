/**
 * The imperative side of the quality benchmark: writes a corpus as a real git repository (memory with a
 * history, then the sessions), runs a dream cycle through the library in review mode, builds the baselines
 * as branches of their own, and reads any branch back as an Outcome for the scorer. Native git sets up and
 * reads the repository, so the benchmark does not trust the code under test to report on itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { buildCycle } from '../../src/cycle/build.js';
import { makeAction } from '../../src/dream/curate/action.js';
import { SECTIONS } from '../../src/dream/curate/patterns.js';
import { extractPatterns } from '../../src/dream/extract/index.js';
import { emptyState } from '../../src/dream/plan.js';
import type { CycleRecord, RecordedAction } from '../../src/dream/state.js';
import type { Action } from '../../src/dream/types.js';
import { openRepo, updateBranch } from '../../src/git/index.js';
import { dream } from '../../src/index.js';
import { loadSessions } from '../../src/sessions/load.js';
import { BENCH_NOW } from './corpus.js';
import type { Corpus } from './model.js';
import { toScored, type CommittedPiece, type Outcome } from './score.js';

export function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'Bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
      ...env,
    },
  });
}

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(dir, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
  }
}

/** Who commits a step of the memory's history: a person, or an earlier cycle's pull request (its author, reverie). */
const AUTHORS: Record<Corpus['history'][number]['by'], Record<string, string>> = {
  person: { GIT_AUTHOR_NAME: 'Noor Haddad', GIT_AUTHOR_EMAIL: 'noor@tidewater.dev', GIT_COMMITTER_NAME: 'Noor Haddad', GIT_COMMITTER_EMAIL: 'noor@tidewater.dev' },
  reverie: { GIT_AUTHOR_NAME: 'reverie', GIT_AUTHOR_EMAIL: 'reverie@users.noreply.github.com', GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' },
};

/**
 * `<dir>/repo`: the memory repository (one commit per step of the memory's history, a person's or an earlier
 * cycle's, then the sessions); `<dir>/truth.json`: the ground truth next to it. Returns the repository path and
 * main's tip.
 */
export async function writeCorpus(dir: string, corpus: Corpus): Promise<{ repoDir: string; base: string }> {
  const repoDir = path.join(dir, 'repo');
  await mkdir(repoDir, { recursive: true });
  git(repoDir, ['init', '-q', '-b', 'main']);
  const commit = async (files: Record<string, string>, message: string, date: string, by: keyof typeof AUTHORS) => {
    await writeTree(repoDir, files);
    git(repoDir, ['add', '-A']);
    // --cleanup=verbatim: the message as written, trailer paragraphs and all.
    git(repoDir, ['commit', '-q', '--cleanup=verbatim', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, ...AUTHORS[by] });
  };
  for (const step of corpus.history) await commit(step.files, step.message, step.date, step.by);
  await commit(corpus.files, 'sessions: logs of the agents', corpus.date, 'person');
  await writeFile(path.join(dir, 'truth.json'), `${JSON.stringify(corpus.truth, null, 2)}\n`);
  return { repoDir, base: git(repoDir, ['rev-parse', 'HEAD']).trim() };
}

/** A full cycle through the library, in review mode: the branch is left for reading. */
export async function runEngine(repoDir: string): Promise<{ branch: string; ms: number; stats: Record<string, number>; dropped: { type: string; summary: string; reason: string }[] }> {
  const started = performance.now();
  const result = await dream({ repoDir, mode: 'review', now: new Date(BENCH_NOW) });
  const ms = performance.now() - started;
  if (!result.branch) throw new Error(`the cycle committed nothing (${result.outcome}: ${result.approval})`);
  const dropped = result.dropped.map((d) => ({ type: d.type, summary: d.summary, reason: d.reason }));
  return { branch: result.branch, ms, stats: result.stats as unknown as Record<string, number>, dropped };
}

export type BaselineKind = 'append-all' | 'append-recurring';

/**
 * No curation: every candidate insight the extraction found is appended to the inbox, nothing merged,
 * resolved, updated or pruned, nothing checked against memory. `append-all` takes every candidate (also
 * those seen once); `append-recurring` only those seen in at least `min_sessions` sessions.
 */
export async function runBaseline(repoDir: string, base: string, kind: BaselineKind): Promise<{ branch: string; ms: number }> {
  const started = performance.now();
  const config = await loadConfig(repoDir);
  const loaded = await loadSessions({ repoDir, sources: config.sessions });
  const extraction = extractPatterns(loaded.sessions, {}, config.extract.minSessions);
  const candidates = kind === 'append-all' ? [...extraction.signal, ...extraction.noise] : extraction.signal;
  const inbox = config.memory.root === '' ? config.memory.inbox : `${config.memory.root}/${config.memory.inbox}`;
  const actions: Action[] = candidates.map((p) =>
    makeAction({
      type: 'add',
      content: p.statement,
      destination: { path: inbox, section: SECTIONS[p.kind] },
      summary: `${p.kind}: ${p.statement}`,
      rationale: `baseline ${kind}: appended without curation`,
      evidence: p.evidence,
      patterns: [p.key],
      identity: p.key,
    }),
  );
  const cycle = kind;
  const branch = `reverie/baseline-${kind}`;
  const repo = await openRepo(repoDir);
  const record: CycleRecord = {
    cycle,
    branch,
    base,
    engine: `baseline-${kind}`,
    mode: 'review',
    created: BENCH_NOW,
    stats: { sessions: loaded.sessions.length, new_sessions: loaded.sessions.length, patterns: candidates.length, noise: 0, entries: 0, tokens_before: 0, tokens_after: 0, warnings: 0 },
    actions: actions.map((a) => ({ ...a })),
    dropped: [],
  };
  const built = await buildCycle(repo, {
    parent: base,
    actions,
    state: emptyState(),
    record,
    memoryRoot: config.memory.root,
    author: config.git.author,
    timestamp: Math.floor(Date.parse(BENCH_NOW) / 1000),
    stateSubject: `record baseline ${kind}`,
  });
  await updateBranch(repo, branch, built.tip, { expectedOld: null });
  return { branch, ms: performance.now() - started };
}

/** Reads a cycle's branch back: the actions it committed and the questions it asked (from its cycle record), memory before and after, everything committed. */
export function readOutcome(repoDir: string, base: string, branch: string, memoryRoot = 'memory'): Outcome {
  const committed: CommittedPiece[] = [];
  const range = `${base}..${branch}`;
  for (const entry of git(repoDir, ['log', '--reverse', '--format=%H%x1f%B%x1e', range]).split('\x1e')) {
    const [commit, message] = entry.replace(/^\n/, '').split('\x1f');
    if (commit && message !== undefined) committed.push({ commit, where: 'message', text: message });
  }
  const patch = git(repoDir, ['log', '--reverse', '--format=%x1eCOMMIT %H', '-p', '--unified=0', '--no-color', '--no-renames', range]);
  for (const chunk of patch.split('\x1eCOMMIT ').filter(Boolean)) {
    const commit = chunk.slice(0, chunk.indexOf('\n'));
    let file = '';
    const added = new Map<string, string[]>();
    for (const line of chunk.split('\n')) {
      if (line.startsWith('+++ ')) file = line.replace(/^\+\+\+ (b\/)?/, '');
      else if (line.startsWith('+') && file) added.set(file, [...(added.get(file) ?? []), line.slice(1)]);
    }
    for (const [where, lines] of added) committed.push({ commit, where, text: lines.join('\n') });
  }
  const recordPath = git(repoDir, ['diff', '--name-only', base, branch, '--', '.reverie/cycles'])
    .split('\n')
    .find((p) => p.endsWith('.json'));
  if (!recordPath) throw new Error(`no cycle record on ${branch}`);
  const record = JSON.parse(git(repoDir, ['show', `${branch}:${recordPath}`])) as CycleRecord;
  const actions = record.actions.filter((a: RecordedAction) => a.commit !== undefined).map(toScored);
  const questions = (record.notices ?? []).flatMap((n) => (n.kind === 'question' ? [{ entries: n.entries, message: n.message }] : []));
  const budgetWarnings = (record.notices ?? []).filter((n) => n.kind === 'budget').length;
  return { actions, questions, budgetWarnings, before: memoryAt(repoDir, base, memoryRoot), after: memoryAt(repoDir, branch, memoryRoot), committed };
}

function memoryAt(repoDir: string, ref: string, root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of git(repoDir, ['ls-tree', '-r', '--name-only', ref, '--', root]).split('\n').filter(Boolean)) {
    if (/\.(md|markdown)$/i.test(file)) files[file] = git(repoDir, ['show', `${ref}:${file}`]);
  }
  return files;
}
