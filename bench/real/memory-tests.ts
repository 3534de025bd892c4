/**
 * Memory tests on real projects: does the memory a replay of reverie's cycles leaves give what a team's later sessions
 * needed, and the team's own memory?
 *
 * For each project of `real-memory/logs-and-rules`:
 *
 * 1. **Later sessions held out.** The project's sessions in date order are split: the earlier part is replayed week by
 *    week from `memory-before` (as bench/real/replay.ts does), the later part (`--later`, a share) only gives cases:
 *    where a later session shows again a lesson the earlier ones showed (a failure and the fix that worked, a rule a
 *    person stated), the memory should give it (src/memory-tests/from-sessions.ts). The cases are answered by the
 *    offline reader from three memories: `memory-before`, the memory after the replayed cycles, and the team's
 *    `memory-after` (what they had written by the end of the same sessions).
 * 2. **Every cycle holds out its newest.** The whole project is replayed with `extract.hold_out` (`--hold-out`), and
 *    each cycle's own memory tests are summed: cases fixed, broken, still failing and passing.
 *
 *     npx tsx bench/real/memory-tests.ts [--fixtures ../shared/fixtures] [--only gryag] [--later 0.25] [--hold-out 3] [--json]
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import picomatch from 'picomatch';
import { extractPatterns, observeSession } from '../../src/dream/extract/index.js';
import type { CycleRecord } from '../../src/dream/state.js';
import { buildSnapshot } from '../../src/memory/index.js';
import type { MemorySnapshot, Namespace } from '../../src/memory/types.js';
import type { MemoryTestCase } from '../../src/memory-tests/cases.js';
import { caseLocation } from '../../src/memory-tests/report.js';
import { sessionCases } from '../../src/memory-tests/from-sessions.js';
import { answerCases } from '../../src/memory-tests/reader.js';
import { loadSessions } from '../../src/sessions/load.js';
import { fixturesRoot } from './fixtures.js';
import { PROJECTS, type Project } from './projects.js';
import { replayProject } from './replaying.js';

const { values } = parseArgs({
  options: {
    fixtures: { type: 'string' },
    only: { type: 'string' },
    later: { type: 'string', default: '0.25' },
    'hold-out': { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});

const fixtures = fixturesRoot(values.fixtures);
const LATER = Number(values.later);
const HOLD_OUT = Number(values['hold-out']);
if (!(LATER > 0 && LATER < 1) || !Number.isInteger(HOLD_OUT) || HOLD_OUT < 1) {
  console.error('--later must be a share between 0 and 1, --hold-out a whole number of sessions from 1');
  process.exit(2);
}
/** The replays' `extract.min_sessions`, as bench/real/replaying.ts writes it. */
const MIN_SESSIONS = 2;

const namespacesOf = (project: Project): Namespace[] => [{ name: 'memory', paths: project.memory, policy: 'dream' }];

/** The project's memory files in a folder, as the replay's configuration finds them. */
async function memoryIn(dir: string, project: Project): Promise<MemorySnapshot> {
  const isMemory = picomatch(project.memory, { dot: true });
  const files: { path: string; text: string }[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !['.git', '.reverie', 'sessions'].includes(entry.name)) await walk(child);
      else if (entry.isFile() && isMemory(child)) files.push({ path: child, text: await readFile(path.join(dir, child), 'utf8') });
    }
  };
  await walk('');
  return buildSnapshot(files, '.', namespacesOf(project));
}

interface Answered {
  name: string;
  where: string;
  kind: string;
  /** Shown by an earlier session too: a lesson the replayed cycles had the evidence to learn. */
  recurring: boolean;
  before: boolean;
  replayed: boolean;
  team: boolean;
}

interface ProjectReport {
  project: string;
  sessions: { earlier: number; later: number };
  cases: Answered[];
  passed: { before: number; replayed: number; team: number };
  /** The same, over the recurring cases alone. */
  recurringPassed: { cases: number; before: number; replayed: number; team: number };
  rolling: { cycles: number; checked: number; held: number; fixed: number; broken: number; still_failing: number; passing: number; changed: { cycle: string; name: string; where: string; change: string }[] };
}

async function heldOutSplit(project: Project): Promise<Omit<ProjectReport, 'rolling'>> {
  const source = path.join(fixtures, 'real-memory', 'logs-and-rules', project.name);
  const listed = await project.sessions(path.join(source, 'sessions'));
  const cut = Math.max(1, Math.min(listed.length - 1, Math.round(listed.length * (1 - LATER))));
  const later = new Set(listed.slice(cut).map((s) => `sessions/${s.file}`));
  const loaded = await loadSessions({ repoDir: source, sources: [{ path: 'sessions/**', format: 'auto' }] });
  const observed = loaded.sessions.map(observeSession);
  const earlierSeen = observed.filter((s) => !later.has(s.source));
  const laterSeen = observed.filter((s) => later.has(s.source));
  const { records } = extractPatterns(earlierSeen, {}, MIN_SESSIONS);
  const recurring = sessionCases(laterSeen, records, MIN_SESSIONS);
  const sameAs = (c: MemoryTestCase) => `${caseLocation(c)}\u0000${c.question}`;
  const learnable = new Set(recurring.map(sameAs));
  // Lessons only the later sessions show: no cycle over the earlier ones could learn them, a team may have.
  const cases = [...recurring, ...sessionCases(laterSeen, records, MIN_SESSIONS, { alsoNew: true }).filter((c) => !learnable.has(sameAs(c)))];

  let replayed: MemorySnapshot | undefined;
  await replayProject(project, fixtures, {
    sessions: (all) => all.slice(0, cut),
    atEnd: async (dir) => {
      replayed = await memoryIn(dir, project);
    },
  });
  const before = await memoryIn(path.join(source, 'memory-before'), project);
  const team = await memoryIn(path.join(source, 'memory-after'), project);
  const passes = (memory: MemorySnapshot | undefined) => new Map((memory ? answerCases(memory, cases).cases : []).map((c) => [c.id, c.passed]));
  const [onBefore, onReplayed, onTeam] = [passes(before), passes(replayed), passes(team)];
  const answered = cases.map((c: MemoryTestCase) => ({
    name: c.name,
    where: caseLocation(c),
    kind: c.gist !== undefined ? 'rule' : 'fix',
    recurring: learnable.has(sameAs(c)),
    before: onBefore.get(c.id) ?? false,
    replayed: onReplayed.get(c.id) ?? false,
    team: onTeam.get(c.id) ?? false,
  }));
  const count = (key: 'before' | 'replayed' | 'team', of = answered) => of.filter((a) => a[key]).length;
  const again = answered.filter((a) => a.recurring);
  return {
    project: project.name,
    sessions: { earlier: cut, later: listed.length - cut },
    cases: answered,
    passed: { before: count('before'), replayed: count('replayed'), team: count('team') },
    recurringPassed: { cases: again.length, before: count('before', again), replayed: count('replayed', again), team: count('team', again) },
  };
}

async function rollingHoldOut(project: Project): Promise<ProjectReport['rolling']> {
  const rolling: ProjectReport['rolling'] = { cycles: 0, checked: 0, held: 0, fixed: 0, broken: 0, still_failing: 0, passing: 0, changed: [] };
  await replayProject(project, fixtures, {
    extract: [`hold_out: ${HOLD_OUT}`],
    onCycle: (_dir, result, record: CycleRecord) => {
      rolling.cycles++;
      rolling.held += result.held_out?.length ?? 0;
      const check = record.memory_tests;
      if (!check) return;
      rolling.checked++;
      rolling.fixed += check.fixed;
      rolling.broken += check.broken;
      rolling.still_failing += check.stillFailing;
      rolling.passing += check.passing;
      for (const c of check.cases.filter((c) => c.change === 'fixed' || c.change === 'broken')) rolling.changed.push({ cycle: record.cycle, name: c.name, where: caseLocation(c), change: c.change });
    },
  });
  return rolling;
}

const reports: ProjectReport[] = [];
for (const project of PROJECTS.filter((p) => !values.only || p.name.includes(values.only))) {
  const split = await heldOutSplit(project);
  reports.push({ ...split, rolling: await rollingHoldOut(project) });
}

if (values.json) console.log(JSON.stringify(reports, null, 2));
else {
  const mark = (ok: boolean) => (ok ? 'pass' : 'fail');
  const lines: string[] = [`Later sessions held out: the last ${Math.round(LATER * 100)}% of each project's; every cycle holding out up to ${HOLD_OUT}.`, ''];
  for (const r of reports) {
    lines.push(`### ${r.project}`, '');
    const rp = r.recurringPassed;
    lines.push(
      `${r.sessions.earlier} earlier sessions replayed, ${r.sessions.later} later sessions held out: ${r.cases.length} ${r.cases.length === 1 ? 'case' : 'cases'}; passed by memory-before ${r.passed.before}, the replayed memory ${r.passed.replayed}, the team's memory-after ${r.passed.team}. ` +
        `Of them, ${rp.cases} recurring (an earlier session showed it too): ${rp.before} / ${rp.replayed} / ${rp.team}.`,
      '',
    );
    if (r.cases.length > 0) {
      lines.push('| case | kind | seen earlier | from | memory-before | replayed | team after |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const c of r.cases) lines.push(`| ${c.name.replace(/\|/g, '\\|')} | ${c.kind} | ${c.recurring ? 'yes' : 'no'} | \`${c.where}\` | ${mark(c.before)} | ${mark(c.replayed)} | ${mark(c.team)} |`);
      lines.push('');
    }
    const w = r.rolling;
    lines.push(`Every cycle holding out its newest: ${w.cycles} cycles, ${w.held} sessions held out in all, ${w.checked} cycles with a change checked: ${w.fixed} fixed, ${w.broken} broken, ${w.still_failing} still failing, ${w.passing} passing.`);
    for (const c of w.changed) lines.push(`- cycle ${c.cycle}: ${c.change} "${c.name}" (\`${c.where}\`)`);
    lines.push('');
  }
  const total = (f: (r: ProjectReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  lines.push(
    `All projects: ${total((r) => r.cases.length)} cases from later sessions; passed by memory-before ${total((r) => r.passed.before)}, replayed ${total((r) => r.passed.replayed)}, team after ${total((r) => r.passed.team)}. ` +
      `Recurring: ${total((r) => r.recurringPassed.cases)}; passed ${total((r) => r.recurringPassed.before)} / ${total((r) => r.recurringPassed.replayed)} / ${total((r) => r.recurringPassed.team)}. ` +
      `Cycles holding out: ${total((r) => r.rolling.fixed)} fixed, ${total((r) => r.rolling.broken)} broken, ${total((r) => r.rolling.still_failing)} still failing, ${total((r) => r.rolling.passing)} passing.`,
  );
  console.log(lines.join('\n'));
}
