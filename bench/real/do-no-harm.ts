/**
 * Do no harm, measured on memory nobody here wrote: every file of `real-memory/memory-files` becomes the curated file
 * of a fresh memory repo of each layout (`reverie init --layout …` run where the file already is, as a team adopting
 * reverie would), with real session logs of other projects, and one cycle runs in review mode. What a team would
 * not accept is counted:
 *
 * - destructive actions without session evidence: a prune, merge, resolve or update of a hand-written entry (a merge
 *   of verbatim duplicates in one section aside);
 * - rule lines lost: a line of the file that states a rule ("Never", "Do NOT", "MUST", …) missing after the cycle;
 * - structure broken: an empty heading, a dangling label or an unreadable block that the cycle's result has and the
 *   file had not (the structure rules of `reverie lint`).
 *
 *     npx tsx bench/real/do-no-harm.ts [--fixtures ../shared/fixtures] [--layouts claude-md,notes] [--only <substring>] [--json] [--verbose]
 *
 * Needs the shared fixtures (`REVERIE_SHARED_FIXTURES`, `--fixtures`, or `../shared/fixtures` beside the checkout).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LAYOUTS, type Layout } from '../../src/cycle/skeleton.js';
import { runHarmCase, sessionSources, type HarmCase, type HarmResult } from './harm-case.js';
import { fixturesRoot } from './fixtures.js';

const { values } = parseArgs({
  options: {
    fixtures: { type: 'string' },
    layouts: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const fixtures = fixturesRoot(values.fixtures);
const layouts = (values.layouts ? values.layouts.split(',') : [...LAYOUTS]) as Layout[];
const memoryDir = path.join(fixtures, 'real-memory', 'memory-files');
const files = (await readdir(memoryDir)).filter((f) => !values.only || f.includes(values.only)).sort();
const sessions = sessionSources(fixtures);

const results: HarmResult[] = [];
const started = performance.now();
for (const file of files) {
  const text = await readFile(path.join(memoryDir, file), 'utf8');
  for (const layout of layouts) {
    const c: HarmCase = { name: file, text, layout, sessions };
    const result = await runHarmCase(c);
    results.push(result);
    if (values.verbose && (result.harmful.length > 0 || result.rulesLost.length > 0 || result.structure.length > 0)) printCase(result);
  }
}
const seconds = (performance.now() - started) / 1000;

const harmfulFiles = new Set(results.filter((r) => r.harmful.length > 0).map((r) => r.name));
const totals = {
  files: files.length,
  layouts: layouts.length,
  cycles: results.length,
  seconds: Number(seconds.toFixed(1)),
  actions: sum(results.map((r) => r.actions.length)),
  adds: sum(results.map((r) => r.actions.filter((a) => a.type === 'add').length)),
  destructive_without_evidence: sum(results.map((r) => r.harmful.length)),
  files_harmed: harmfulFiles.size,
  rule_lines: sum(results.map((r) => r.ruleLines)),
  rule_lines_lost: sum(results.map((r) => r.rulesLost.length)),
  structure_findings: sum(results.map((r) => r.structure.length)),
  budget_warnings: sum(results.map((r) => r.budgetWarnings)),
};

if (values.json) {
  console.log(JSON.stringify({ totals, results }, null, 2));
} else {
  console.log(`Do no harm: ${totals.files} real memory files × ${totals.layouts} layout(s) = ${totals.cycles} cycles, ${totals.seconds} s`);
  console.log('');
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(`| actions proposed (adds) | ${totals.actions} (${totals.adds}) |`);
  console.log(`| destructive actions without session evidence | ${totals.destructive_without_evidence} |`);
  console.log(`| files with such an action (of ${totals.files}) | ${totals.files_harmed} |`);
  console.log(`| rule lines lost (of ${totals.rule_lines}) | ${totals.rule_lines_lost} |`);
  console.log(`| structure findings the cycle added | ${totals.structure_findings} |`);
  console.log(`| budget warnings instead of prunes | ${totals.budget_warnings} |`);
  const byType = new Map<string, number>();
  for (const r of results) for (const a of r.harmful) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  if (byType.size > 0) console.log(`\nby type: ${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')}`);
}
process.exitCode = totals.destructive_without_evidence + totals.rule_lines_lost + totals.structure_findings > 0 ? 1 : 0;

function printCase(r: HarmResult): void {
  console.log(`\n### ${r.name} (${r.layout})`);
  for (const a of r.harmful) console.log(`- ${a.type}: ${a.summary}`);
  for (const line of r.rulesLost) console.log(`- rule lost: ${line}`);
  for (const s of r.structure) console.log(`- structure: ${s}`);
}

function sum(ns: number[]): number {
  return ns.reduce((a, b) => a + b, 0);
}

