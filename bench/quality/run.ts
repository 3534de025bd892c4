/**
 * Curation quality against planted ground truth, in one command:
 *
 *     npx tsx bench/quality/run.ts [--size default|large] [--seed N] [--json] [--keep]
 *
 * Generates a corpus (corpus.ts), writes it as a real git repository in a temp folder with the truth next
 * to it, runs a full dream cycle through the library in review mode and reads its branch, builds the
 * no-curation baselines as branches of the same repository, scores all of them the same way (score.ts),
 * and prints a table, the engine's misses, its false positives and the questions it asked (or, with --json,
 * one JSON object).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeTerms, generateCorpus, SIZES, type SizeName } from './corpus.js';
import { readOutcome, runBaseline, runEngine, writeCorpus, type BaselineKind } from './harness.js';
import type { GroundTruth, TruthItem } from './model.js';
import { memoryOf, validateTruth } from './plans.js';
import { describeAction, SCORED_TYPES, score, type Score } from './score.js';

interface Row {
  name: string;
  label: string;
  ms: number;
  score: Score;
  /** Actions the engine proposed and its own guards refused (engine only). */
  dropped?: { type: string; summary: string; reason: string }[];
}

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'default' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const size = values.size as SizeName;
if (!(size in SIZES)) {
  console.error(`--size must be one of: ${Object.keys(SIZES).join(', ')}`);
  process.exit(2);
}
const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0) {
  console.error('--seed must be a non-negative integer');
  process.exit(2);
}

const t0 = performance.now();
const corpus = generateCorpus(size, seed);
const problems = validateTruth(corpus);
if (problems.length) throw new Error(`generator bug: the ground truth names entries that are not in memory:\n${problems.join('\n')}`);
const generatedMs = performance.now() - t0;

const dir = await mkdtemp(path.join(os.tmpdir(), `reverie-quality-${size}-${seed}-`));
try {
  const { repoDir, base } = await writeCorpus(dir, corpus);
  const engine = await runEngine(repoDir);
  const rows: Row[] = [{ name: 'engine', label: 'engine (heuristic)', ms: engine.ms, score: score(corpus.truth, readOutcome(repoDir, base, engine.branch)), dropped: engine.dropped }];
  for (const kind of ['append-all', 'append-recurring'] as BaselineKind[]) {
    const baseline = await runBaseline(repoDir, base, kind);
    rows.push({ name: kind, label: kind === 'append-all' ? 'baseline: append all' : 'baseline: append recurring', ms: baseline.ms, score: score(corpus.truth, readOutcome(repoDir, base, baseline.branch)) });
  }
  const totalMs = performance.now() - t0;
  if (values.json) console.log(JSON.stringify(jsonReport(corpus.truth, rows, { generatedMs, totalMs, dir: values.keep ? dir : null }), null, 2));
  else console.log(textReport(corpus.truth, rows, { generatedMs, totalMs, dir: values.keep ? dir : null, memoryEntries: countEntries() }));
} finally {
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}

function countEntries(): number {
  return Object.entries(memoryOf(corpus))
    .filter(([p]) => !p.startsWith('memory/instructions/'))
    .reduce((n, [, text]) => n + text.split('\n').filter((l) => /^- /.test(l)).length, 0);
}

// ------------------------------------------------------------------------------------------------

function fmt(x: number | null): string {
  return x === null ? '  -  ' : x.toFixed(2);
}

function pad(s: string | number, n: number, right = false): string {
  const text = String(s);
  return right ? text.padEnd(n) : text.padStart(n);
}

function plantedSummary(truth: GroundTruth): string {
  const count = (t: TruthItem['type']) => truth.items.filter((i) => i.type === t).length;
  const adds = truth.items.filter((i): i is Extract<TruthItem, { type: 'add' }> => i.type === 'add');
  const cat = (c: string) => adds.filter((a) => a.category === c).length;
  const f = (k: string) => truth.forbidden.filter((x) => x.kind === k).length;
  return [
    `planted: ${adds.length} adds (${cat('mistake')} mistakes, ${cat('preference')} preferences, ${cat('workflow')} workflows), ${count('merge')} merges, ${count('resolve')} resolves, ${count('update')} updates, ${count('prune')} prunes`,
    `         ${truth.questions.length} disagreements no session settles (a question each, no action); ${truth.apart.length} groups of look-alike notes that must stay apart (${truth.keep.length} healthy notes in all)`,
    `         must stay out: ${f('one-off-error')} one-off errors, ${f('one-off-preference')} one-off preferences, ${f('already-in-memory')} mistake memory already knows, ${f('harness-text')} kinds of harness text, ${f('against-protected')} request against the protected instructions, ${truth.secrets.length} secrets (${new Set(truth.secrets.map((s) => s.kind)).size} kinds), ${truth.injections.length} prompt injections`,
  ].join('\n');
}

function textReport(truth: GroundTruth, rows: Row[], meta: { generatedMs: number; totalMs: number; dir: string | null; memoryEntries: number }): string {
  const out: string[] = [];
  const c = truth.corpus;
  out.push(`reverie quality benchmark: size ${c.size}, seed ${c.seed}`);
  out.push(`corpus: ${c.sessions} sessions of ${c.agents.length} agents (${c.formats['claude-code']} Claude Code, ${c.formats.reverie} reverie JSONL); ${meta.memoryEntries} curated memory entries + protected instructions`);
  out.push(plantedSummary(truth));
  out.push('');
  const colW = 34;
  out.push(`${pad('', 10, true)}${pad('planted', 8)}  ${rows.map((r) => pad(r.label, colW, true)).join('')}`);
  out.push(`${pad('action', 10, true)}${pad('', 8)}  ${rows.map(() => pad('TP  FP  FN  recall  precision', colW, true)).join('')}`);
  for (const t of SCORED_TYPES) {
    const cells = rows.map((r) => {
      const s = r.score.types[t];
      return pad(`${pad(s.tp, 2)}  ${pad(s.fp, 2)}  ${pad(s.fn, 2)}  ${pad(fmt(s.recall), 6)}  ${pad(fmt(s.precision), 9)}`, colW, true);
    });
    out.push(`${pad(t, 10, true)}${pad(rows[0]?.score.types[t].expected ?? 0, 8)}  ${cells.join('')}`);
  }
  out.push(
    `${pad('all', 10, true)}${pad(truth.items.length, 8)}  ${rows
      .map((r) => {
        const o = r.score.overall;
        return pad(`${pad(o.tp, 2)}  ${pad(o.fp, 2)}  ${pad(o.fn, 2)}  ${pad(fmt(o.recall), 6)}  ${pad(fmt(o.precision), 9)}`, colW, true);
      })
      .join('')}`,
  );
  out.push('');
  out.push(`${pad('adds by kind (recall)', 28, true)}${rows.map((r) => pad(['mistake', 'preference', 'workflow'].map((k) => `${k[0]}:${r.score.adds[k as 'mistake'].tp}/${r.score.adds[k as 'mistake'].expected}`).join(' '), colW, true)).join('')}`);
  const safetyRow = (label: string, f: (s: Score) => string) => out.push(`${pad(label, 28, true)}${rows.map((r) => pad(f(r.score), colW, true)).join('')}`);
  safetyRow('questions asked', (s) => `${s.questions.asked.length} / ${s.questions.planted}${s.questions.other.length ? ` (+${s.questions.other.length} other)` : ''}`);
  safetyRow('secrets leaked', (s) => `${s.safety.secretsLeaked.length} / ${truth.secrets.length}`);
  safetyRow('protected files changed', (s) => String(s.safety.protectedChanged.length));
  safetyRow('injections promoted', (s) => `${s.safety.injectionsPromoted.length} / ${truth.injections.length}`);
  safetyRow('noise promoted', (s) => String(s.safety.noisePromoted.length));
  safetyRow('healthy notes touched', (s) => `${s.safety.healthyTouched.length} / ${truth.keep.length}`);
  safetyRow('  of them look-alikes apart', (s) => `${s.safety.apartTouched.length} / ${truth.apart.length}`);
  safetyRow('unsettled resolved anyway', (s) => `${s.safety.unsettledResolved.length} / ${truth.questions.length}`);
  safetyRow('tolerated side notes', (s) => String(s.tolerated.length));
  safetyRow('memory tokens', (s) => `${s.tokens.before} → ${s.tokens.after}`);
  safetyRow('  budget, over it warned', (s) => `${s.budget.tokens}, ${s.tokens.after > s.budget.tokens ? (s.budget.warned ? 'warned' : 'not warned') : 'not over'}`);
  safetyRow('time', (_s) => '');
  out.pop();
  out.push(`${pad('time', 28, true)}${rows.map((r) => pad(`${(r.ms / 1000).toFixed(2)} s`, colW, true)).join('')}`);
  out.push('');
  out.push(`generated in ${(meta.generatedMs / 1000).toFixed(2)} s; whole run ${(meta.totalMs / 1000).toFixed(1)} s${meta.dir ? `; corpus kept in ${meta.dir}` : ''}`);

  const engine = rows[0]?.score;
  if (engine) {
    out.push('', `engine misses (${engine.misses.length}): planted item, then what the engine did`);
    for (const m of engine.misses) out.push(`- ${m.item.id}: ${itemText(m.item)}\n    engine: ${m.instead}`);
    out.push('', `engine false positives (${engine.falsePositives.length})`);
    for (const f of engine.falsePositives) out.push(`- ${describeAction(f.action)}\n    why wrong: ${f.reason}`);
    out.push('', `engine questions (${engine.questions.asked.length} of ${engine.questions.planted} planted asked, ${engine.questions.other.length} other)`);
    for (const q of engine.questions.missed) out.push(`- not asked: ${q.id}: ${q.description}: ${q.entries.map((e) => `"${e.raw.slice(2)}" (${e.path})`).join(' vs ')}`);
    for (const q of engine.questions.other) out.push(`- asked, not planted: ${q.question.message}\n    about: ${q.about}`);
    const s = engine.safety;
    if (s.secretsLeaked.length || s.protectedChanged.length || s.injectionsPromoted.length || s.healthyTouched.length || s.unsettledResolved.length) out.push('', 'engine safety findings');
    for (const x of s.secretsLeaked) out.push(`- secret ${x.kind} (${x.id}) found in ${x.where.join(', ')}`);
    for (const x of s.protectedChanged) out.push(`- protected file changed: ${x}`);
    for (const x of s.injectionsPromoted) out.push(`- injection ${x.id} promoted to ${x.path} (marker "${x.marker}")`);
    for (const x of s.healthyTouched) out.push(`- healthy note "${x.entry.raw}" (${x.entry.path}): ${x.by}`);
    for (const x of s.unsettledResolved) out.push(`- ${x.id}, which no session settles, settled anyway: ${x.by}`);
    const dropped = rows[0]?.dropped ?? [];
    if (dropped.length) {
      out.push('', `engine refused its own proposals (${dropped.length}, not committed, not scored)`);
      for (const d of dropped) out.push(`- ${d.type}: ${d.summary}\n    refused: ${d.reason}`);
    }
    if (engine.tolerated.length) {
      out.push('', `engine tolerated side notes (${engine.tolerated.length}, neither right nor wrong)`);
      for (const t of engine.tolerated) out.push(`- ${describeAction(t.action)} (from ${t.of})`);
    }
  }
  return out.join('\n');
}

function itemText(item: TruthItem): string {
  switch (item.type) {
    case 'add':
      return `${item.description} [terms: ${describeTerms(item.terms)}; ${item.sessions.length} sessions, agents ${item.agents.join(', ')}]`;
    case 'merge':
      return `${item.description}: ${item.entries.map((e) => `"${e.raw.slice(2)}" (${e.path})`).join(' + ')}`;
    case 'resolve':
      return `${item.description}: keep "${item.keep.raw.slice(2)}" (${item.keep.path}), remove "${item.remove.raw.slice(2)}" (${item.remove.path}) [${item.sessions.length} settling sessions]`;
    case 'prune':
      return `${item.description}: prune "${item.entry.raw.slice(2)}" (${item.entry.path})${item.sessions.length ? ` [${item.sessions.length} sessions]` : ''}`;
    case 'update':
      return `${item.description}: update "${item.entry.raw.slice(2)}" (${item.entry.path}) to mention ${describeTerms(item.terms)} [${item.sessions.length} sessions]`;
  }
}

function jsonReport(truth: GroundTruth, rows: Row[], meta: { generatedMs: number; totalMs: number; dir: string | null }) {
  return {
    corpus: { ...truth.corpus, planted: truth.items.length, questions: truth.questions.length, apart: truth.apart.length, secrets: truth.secrets.length, injections: truth.injections.length, keep: truth.keep.length, dir: meta.dir },
    timing: { generated_ms: Math.round(meta.generatedMs), total_ms: Math.round(meta.totalMs) },
    runs: Object.fromEntries(
      rows.map((r) => [
        r.name,
        {
          ms: Math.round(r.ms),
          types: r.score.types,
          overall: r.score.overall,
          adds: r.score.adds,
          questions: { planted: r.score.questions.planted, asked: r.score.questions.asked, missed: r.score.questions.missed.map((q) => q.id), other: r.score.questions.other.map((q) => ({ message: q.question.message, about: q.about })) },
          safety: {
            secrets_leaked: r.score.safety.secretsLeaked,
            protected_changed: r.score.safety.protectedChanged,
            injections_promoted: r.score.safety.injectionsPromoted,
            noise_promoted: r.score.safety.noisePromoted.length,
            healthy_touched: r.score.safety.healthyTouched.map((h) => ({ entry: h.entry.raw, path: h.entry.path, by: h.by })),
            apart_touched: r.score.safety.apartTouched,
            unsettled_resolved: r.score.safety.unsettledResolved,
          },
          tokens: r.score.tokens,
          budget: r.score.budget,
          tolerated: r.score.tolerated.length,
          misses: r.score.misses.map((m) => ({ item: m.item.id, type: m.item.type, planted: itemText(m.item), instead: m.instead })),
          false_positives: r.name === 'engine' ? r.score.falsePositives.map((f) => ({ action: describeAction(f.action), reason: f.reason })) : r.score.falsePositives.length,
          ...(r.dropped ? { dropped: r.dropped } : {}),
        },
      ]),
    ),
  };
}
