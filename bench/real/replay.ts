/**
 * Replays real projects: for each project of `real-memory/logs-and-rules`, start from the memory its team had
 * (`memory-before`), bring in its sessions week by week in date order, run one cycle per week (auto mode, so each
 * week starts from what the last one left), and compare every proposal with what the team wrote over the same weeks.
 *
 * Every proposal gets the verdict a reviewer who owns that memory gave it (`bench/real/verdicts.json`: accept as
 * written, accept with edits, reject, with the reason; `harmful` marks a false fact or a rule removed); a proposal
 * nobody has judged yet is listed as such. The team's themes (`bench/real/themes.json`: what their memory came to say
 * over the same weeks, with the words that identify each) are found when a proposal a reviewer would keep names them.
 *
 *     npx tsx bench/real/replay.ts [--fixtures ../shared/fixtures] [--only gryag] [--json] [--out proposals.json]
 *
 * Targets (issue 12): at least 80% of proposals acceptable as written, at least half of each team's themes found,
 * nothing harmful.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dream } from '../../src/cycle/dream.js';
import type { CycleRecord } from '../../src/dream/state.js';
import { REPO_ROOT, fixturesRoot } from './fixtures.js';
import { PROJECTS, type Project } from './projects.js';

const { values } = parseArgs({
  options: {
    fixtures: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

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

interface Verdict {
  verdict: 'accept' | 'edit' | 'reject';
  reason: string;
  harmful?: boolean;
  /** What a reviewer would write instead (for `edit`). */
  edited?: string;
}

interface Theme {
  theme: string;
  /** Groups of words; every group must match (any word of a group), case-insensitively. */
  terms: string[][];
}

const fixtures = fixturesRoot(values.fixtures);
const verdicts = JSON.parse(await readFile(path.join(REPO_ROOT, 'bench/real/verdicts.json'), 'utf8')) as Record<string, Record<string, Verdict>>;
const themes = JSON.parse(await readFile(path.join(REPO_ROOT, 'bench/real/themes.json'), 'utf8')) as Record<string, Theme[]>;

const PERSON = { GIT_AUTHOR_NAME: 'Team', GIT_AUTHOR_EMAIL: 'team@example.com', GIT_COMMITTER_NAME: 'Team', GIT_COMMITTER_EMAIL: 'team@example.com' };

function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...PERSON, ...env } });
}

function configFor(project: Project): string {
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
function weekOf(iso: string): string {
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

async function replay(project: Project): Promise<Proposal[]> {
  const source = path.join(fixtures, 'real-memory', 'logs-and-rules', project.name);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-replay-'));
  try {
    await cp(path.join(source, 'memory-before'), dir, { recursive: true });
    await writeFile(path.join(dir, 'reverie.yaml'), configFor(project));
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['add', '-A']);
    const sessions = await project.sessions(path.join(source, 'sessions'));
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
      // A cycle the guard sent to review: approve it, as the replay follows a team that merges what it is shown.
      if (!result.merged && result.cycle) git(dir, ['merge', '-q', '--ff-only', result.branch]);
    }
    return proposals;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function themeFound(theme: Theme, text: string): boolean {
  const lower = text.toLowerCase();
  return theme.terms.every((group) => group.some((word) => lower.includes(word.toLowerCase())));
}

const projects = PROJECTS.filter((p) => !values.only || p.name.includes(values.only));
const report: Record<string, unknown> = {};
const lines: string[] = [];
let allProposals = 0;
let allAccepted = 0;
for (const project of projects) {
  const started = performance.now();
  const proposals = await replay(project);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const judged = verdicts[project.name] ?? {};
  const verdictOf = (p: Proposal) => judged[p.key];
  const accepted = proposals.filter((p) => verdictOf(p)?.verdict === 'accept');
  const edited = proposals.filter((p) => verdictOf(p)?.verdict === 'edit');
  const rejected = proposals.filter((p) => verdictOf(p)?.verdict === 'reject');
  const unjudged = proposals.filter((p) => !verdictOf(p));
  const harmful = proposals.filter((p) => verdictOf(p)?.harmful);
  const kept = [...accepted, ...edited].map((p) => [p.content ?? '', p.summary, verdictOf(p)?.edited ?? ''].join('\n'));
  const teamThemes = themes[project.name] ?? [];
  const found = teamThemes.filter((t) => kept.some((text) => themeFound(t, text)));
  allProposals += proposals.length;
  allAccepted += accepted.length;
  report[project.name] = { proposals, found: found.map((t) => t.theme), missed: teamThemes.filter((t) => !found.includes(t)).map((t) => t.theme) };

  lines.push(`### ${project.name}`, '');
  lines.push(`${proposals.length} proposals in ${seconds} s: ${accepted.length} accept as written, ${edited.length} accept with edits, ${rejected.length} reject, ${unjudged.length} not judged yet; ${harmful.length} harmful.`);
  const share = proposals.length === 0 ? '-' : `${Math.round((100 * accepted.length) / proposals.length)}%`;
  lines.push(`Acceptable as written: ${share}. Team themes found: ${found.length} of ${teamThemes.length}.`, '');
  lines.push('| # | cycle | type | file | proposal | sessions | verdict | reason |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
  proposals.forEach((p, i) => {
    const v = verdictOf(p);
    const text = (p.content ?? p.targets[0] ?? p.summary).replace(/\s+/g, ' ').replace(/\|/g, '\\|');
    const shown = text.length > 140 ? `${text.slice(0, 139)}…` : text;
    lines.push(`| ${i + 1} | ${p.cycle} | ${p.type} | \`${p.path}\` | ${shown} | ${p.sessions} | ${v ? `${v.verdict}${v.harmful ? ' (harmful)' : ''}` : `**not judged** (${p.key})`} | ${(v?.reason ?? '').replace(/\|/g, '\\|')} |`);
  });
  lines.push('', `Themes found: ${found.map((t) => t.theme).join('; ') || 'none'}.`, '', `Themes missed: ${teamThemes.filter((t) => !found.includes(t)).map((t) => t.theme).join('; ') || 'none'}.`, '');
}

if (values.out) await writeFile(values.out, JSON.stringify(report, null, 2));
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(lines.join('\n'));
  console.log(`All projects: ${allProposals} proposals, ${allAccepted} acceptable as written.`);
}
