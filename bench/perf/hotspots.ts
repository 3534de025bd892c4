/**
 * Where the engine's time goes: the review of a benchmark repository, then each step of the heuristic engine
 * timed on its own (extraction, then the four curation passes in the order `curate` runs them), with the
 * sizes of their inputs. A diagnostic, not part of `npm run bench`:
 *
 *     node dist-bench/bench/perf/hotspots.js --sessions 1000            # a generated repository, every session new
 *     node dist-bench/bench/perf/hotspots.js --repo <dir>               # any memory repo (e.g. one kept by --keep)
 *     node --cpu-prof dist-bench/bench/perf/hotspots.js --sessions 10000
 *
 * It calls the engine's internal steps the way src/dream/curate/index.ts does and changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openContext, mainTip, readBase, sessionHashCacheFile } from '../../src/cycle/context.js';
import { budgetNotices } from '../../src/dream/curate/budget.js';
import { planResolutions } from '../../src/dream/curate/contradictions.js';
import { planMerges } from '../../src/dream/curate/duplicates.js';
import { planPatternActions } from '../../src/dream/curate/patterns.js';
import { SupportIndex } from '../../src/dream/curate/support.js';
import { Workspace } from '../../src/dream/curate/workspace.js';
import { extractPatterns } from '../../src/dream/extract/index.js';
import { guardFor } from '../../src/dream/plan.js';
import { loadSessions } from '../../src/sessions/load.js';
import { createBenchRepo } from './repo.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1000' },
    entries: { type: 'string', default: '1000' },
    repo: { type: 'string' },
  },
});

async function main(): Promise<void> {
  const scratch = values.repo ? undefined : mkdtempSync(join(os.tmpdir(), 'reverie-bench-hotspots-'));
  const dir = values.repo ?? join(scratch as string, 'repo');
  if (!values.repo) createBenchRepo(dir, { sessions: Number(values.sessions), entries: Number(values.entries), pack: true });
  try {
    const rows: [string, string, number][] = [];
    const time = <T>(step: string, input: string, work: () => T): T => {
      const t = performance.now();
      const result = work();
      rows.push([step, input, performance.now() - t]);
      return result;
    };
    const t0 = performance.now();
    const context = await openContext(dir);
    const base = await mainTip(context);
    const { memory, state } = await readBase(context, base);
    const t1 = performance.now();
    const skipHashes = new Set(Object.keys(state.processed));
    // As a cycle loads them: unchanged logs already processed are known by the hash cache in the git directory.
    const loaded = await loadSessions({ repoDir: dir, sources: context.config.sessions, skipHashes, hashCacheFile: sessionHashCacheFile(context) });
    const t2 = performance.now();
    rows.push(['readBase (memory, state, provenance)', `${memory.files.length} files, ${Object.keys(state.processed).length} processed, ${Object.keys(state.patterns).length} pattern records`, t1 - t0]);
    rows.push(['loadSessions', `${loaded.files} files, ${loaded.sessions.length} new`, t2 - t1]);

    const minSessions = context.config.extract.minSessions;
    const extraction = time('extractPatterns', `${loaded.sessions.length} sessions, ${Object.keys(state.patterns).length} records before`, () =>
      extractPatterns(loaded.sessions, state.patterns, minSessions),
    );
    const records = Object.values(extraction.records);
    const preferences = records.filter((r) => r.kind === 'preference').length;
    rows.push(['  (records after)', `${records.length} records (${preferences} preferences), ${extraction.signal.length} signal, ${extraction.noise.length} noise`, 0]);
    const signal = extraction.signal.filter((p) => !extraction.records[p.key]?.written);
    const entries = memory.files.reduce((n, f) => n + f.entries.length, 0);
    const workspace = new Workspace(memory, guardFor(memory, state));
    const support = new SupportIndex(extraction.records, minSessions);
    const inbox = `${context.config.memory.root}/${context.config.memory.inbox}`;
    const merges = time('curate: planMerges', `${entries} entries`, () => planMerges(workspace));
    const resolutions = time('curate: planResolutions', `${workspace.entries().length} entries`, () => planResolutions(workspace, support));
    const added = time('curate: planPatternActions', `${signal.length} patterns x ${workspace.entries().length} entries`, () => planPatternActions(workspace, signal, inbox));
    const warnings = time('curate: budgetNotices', `${workspace.entries().length} entries`, () => budgetNotices(workspace.snapshot));
    rows.push(['  (actions)', `${merges.length} merge, ${resolutions.actions.length} resolve (${resolutions.questions.length} questions), ${added.length} from patterns, ${warnings.length} budget warnings`, 0]);

    const width = Math.max(...rows.map((r) => r[0].length));
    const inputWidth = Math.max(...rows.map((r) => r[1].length));
    for (const [step, input, ms] of rows) console.log(`${step.padEnd(width)}  ${input.padEnd(inputWidth)}  ${ms ? `${(ms / 1000).toFixed(2)} s` : ''}`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
