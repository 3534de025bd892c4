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
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, fixturesRoot } from './fixtures.js';
import { PROJECTS } from './projects.js';
import { replayProject, type Proposal } from './replaying.js';

const { values } = parseArgs({
  options: {
    fixtures: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

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
  const proposals = await replayProject(project, fixtures);
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
