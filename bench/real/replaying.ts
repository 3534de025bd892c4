/**
 * Replaying a real project of `real-memory/logs-and-rules`: start from the memory its team had (`memory-before`),
 * bring in its sessions week by week in date order, and run one cycle per week in auto mode, so that each week starts
 * from what the last one left. bench/real/replay.ts judges the proposals; bench/real/memory-tests.ts tests the memory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dream, type DreamResult } from '../../src/cycle/dream.js';
import type { CycleRecord } from '../../src/dream/state.js';
import type { Project } from './projects.js';

export interface Proposal {
  project: string;
  cycle: string;
  /** Stable across runs: what the proposal does (type, file, text), not when. */
  key: string;
  type: string;
  path: string;
  summary: string;
  /** The text it writes, when it writes one. */
  content?: string;
  /** The entries it removes or rewrites. */
  targets: string[];
  sessions: number;
  quotes: string[];
}

export const PERSON = { GIT_AUTHOR_NAME: 'Team', GIT_AUTHOR_EMAIL: 'team@example.com', GIT_COMMITTER_NAME: 'Team', GIT_COMMITTER_EMAIL: 'team@example.com' };

export function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...PERSON, ...env } });
}

export function configFor(project: Project): string {
  return [
    'mode: auto',
    'memory:',
    '  root: "."',
    `  inbox: ${JSON.stringify(project.inbox)}`,
    '  namespaces:',
    '    - name: memory',
    `      paths: [${project.memory.map((p) => JSON.stringify(p)).join(', ')}]`,
    '      policy: dream',
    'sessions:',
    '  - path: sessions/**',
    'extract:',
    '  min_sessions: 2',
    '',
  ].join('\n');
}

/** ISO week of a date, as `yyyy-Www`: the cycles run once a week, as a nightly job would batch a quiet team's sessions. */
export function weekOf(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((d.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function proposalKey(project: string, p: Pick<Proposal, 'type' | 'path' | 'content' | 'targets'>): string {
  const what = [project, p.type, p.path, p.content ?? '', ...p.targets].join('\u0000');
  return createHash('sha256').update(what).digest('hex').slice(0, 12);
}

export interface ReplayOptions {
  /** Only the sessions this keeps (oldest first), e.g. the earlier part of a project's. */
  sessions?: (all: { file: string; at: string }[]) => { file: string; at: string }[];
  /** Lines appended to the replay's reverie.yaml (under its `extract:` key, which comes last). */
  extract?: string[];
  /** Called after each cycle, with the repository, the cycle's result and its record. */
  onCycle?: (dir: string, result: DreamResult, record: CycleRecord) => Promise<void> | void;
  /** Called once the last cycle ran, before the repository is removed. */
  atEnd?: (dir: string) => Promise<void> | void;
}

/** Replays one project and returns every action its cycles proposed, in order. */
export async function replayProject(project: Project, fixtures: string, options: ReplayOptions = {}): Promise<Proposal[]> {
  const source = path.join(fixtures, 'real-memory', 'logs-and-rules', project.name);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-replay-'));
  try {
    await cp(path.join(source, 'memory-before'), dir, { recursive: true });
    await writeFile(path.join(dir, 'reverie.yaml'), [configFor(project).trimEnd(), ...(options.extract ?? []).map((l) => `  ${l}`), ''].join('\n'));
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['add', '-A']);
    const listed = await project.sessions(path.join(source, 'sessions'));
    const sessions = options.sessions ? options.sessions(listed) : listed;
    const start = sessions[0]?.at ?? '2025-01-01T00:00:00Z';
    git(dir, ['commit', '-q', '-m', 'memory as the team had it'], { GIT_AUTHOR_DATE: start, GIT_COMMITTER_DATE: start });
    const weeks = new Map<string, typeof sessions>();
    for (const s of sessions) (weeks.get(weekOf(s.at)) ?? weeks.set(weekOf(s.at), []).get(weekOf(s.at)))?.push(s);
    const proposals: Proposal[] = [];
    for (const [week, batch] of weeks) {
      for (const s of batch) {
        await mkdir(path.dirname(path.join(dir, 'sessions', s.file)), { recursive: true });
        await cp(path.join(source, 'sessions', s.file), path.join(dir, 'sessions', s.file));
      }
      const last = batch.at(-1)?.at ?? start;
      git(dir, ['add', '-A']);
      git(dir, ['commit', '-q', '-m', `sessions of ${week}`], { GIT_AUTHOR_DATE: last, GIT_COMMITTER_DATE: last });
      const result = await dream({ repoDir: dir, mode: 'auto', now: new Date(Date.parse(last) + 3_600_000) });
      if (!result.cycle || !result.branch) continue;
      const recordText = git(dir, ['show', `${result.merged ? 'main' : result.branch}:.reverie/cycles/${result.cycle}.json`]);
      const record = JSON.parse(recordText) as CycleRecord;
      for (const a of record.actions) {
        const p = {
          project: project.name,
          cycle: record.cycle,
          type: a.type,
          path: a.paths[0] ?? '',
          summary: a.summary,
          ...(a.content !== undefined ? { content: a.content } : {}),
          targets: a.targets.map((t) => t.raw.trimEnd()),
          sessions: new Set(a.evidence.map((e) => e.sessionId)).size,
          quotes: a.evidence.slice(0, 3).map((e) => e.quote),
        };
        proposals.push({ ...p, key: proposalKey(project.name, p) });
      }
      await options.onCycle?.(dir, result, record);
      // A cycle the guard sent to review: approve it, as the replay follows a team that merges what it is shown.
      if (!result.merged && result.cycle) git(dir, ['merge', '-q', '--ff-only', result.branch]);
    }
    await options.atEnd?.(dir);
    return proposals;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

