/**
 * The curate step alone, on any memory repository, repeated: the memory and the extraction are read once, then
 * `curate` runs `--runs` times on the same input, and the least CPU time of the runs is printed with the actions
 * (a busy machine moves wall time far more than the least CPU time of a few runs). A diagnostic:
 *
 *     node dist-bench/bench/perf/curate-only.js --repo <dir> [--runs 3]
 */
import { parseArgs } from 'node:util';
import { mainTip, openContext, readBase, sessionHashCacheFile } from '../../src/cycle/context.js';
import { curate } from '../../src/dream/curate/index.js';
import { extractPatterns } from '../../src/dream/extract/index.js';
import { guardFor } from '../../src/dream/plan.js';
import { loadSessions } from '../../src/sessions/load.js';

const { values } = parseArgs({ options: { repo: { type: 'string' }, runs: { type: 'string', default: '3' } } });

async function main(): Promise<void> {
  if (!values.repo) throw new Error('usage: curate-only --repo <dir> [--runs N]');
  const context = await openContext(values.repo);
  const { memory, state } = await readBase(context, await mainTip(context));
  const loaded = await loadSessions({ repoDir: values.repo, sources: context.config.sessions, skipHashes: new Set(Object.keys(state.processed)), hashCacheFile: sessionHashCacheFile(context) });
  const minSessions = context.config.extract.minSessions;
  const extraction = extractPatterns(loaded.sessions, state.patterns, minSessions);
  const signal = extraction.signal.filter((p) => !extraction.records[p.key]?.written);
  const entries = memory.files.reduce((n, f) => n + f.entries.length, 0);
  const times: number[] = [];
  let summary = '';
  for (let run = 0; run < Number(values.runs); run++) {
    // A copy each run: what curation learns of an entry is kept with the entry, and a cycle starts without it.
    const copy = structuredClone(memory);
    const cpu = process.cpuUsage();
    const result = curate({
      memory: copy,
      signal,
      records: extraction.records,
      minSessions,
      inbox: `${context.config.memory.root}/${context.config.memory.inbox}`,
      guard: guardFor(copy, state),
      maxRemovedShare: context.config.approval.maxPruneRatio,
      maxActions: context.config.curate.maxActions,
    });
    const used = process.cpuUsage(cpu);
    times.push((used.user + used.system) / 1000);
    const counts: Record<string, number> = {};
    for (const a of result.actions) counts[a.type] = (counts[a.type] ?? 0) + 1;
    summary = `${JSON.stringify(counts)}, ${result.dropped.length} dropped, ${result.notices.length} notices`;
  }
  console.log(`${entries} entries, ${signal.length} patterns: curate CPU ${times.map((t) => (t / 1000).toFixed(2)).join(' / ')} s (least ${(Math.min(...times) / 1000).toFixed(2)} s); ${summary}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
