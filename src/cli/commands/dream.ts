import type { Command } from 'commander';
import type { MemoryCheck } from '../../memory-tests/compare.js';
import { caseLocation, memoryCheckJson } from '../../memory-tests/report.js';
import { MODES, type Mode } from '../../config/types.js';
import type { DreamOptions, DreamResult, PhaseReport } from '../../cycle/dream.js';
import { quietRun } from '../../cycle/quiet.js';
import { impactLine, type MemoryImpact } from '../../dream/impact.js';
import type { BudgetForecast, EngineRun, Notice, PhaseEstimate, PhaseRun } from '../../dream/types.js';
import { CycleFailedError, UsageError } from '../../errors.js';
import { openContext } from '../../cycle/repo-context.js';
import { resolveRef } from '../../git/repo.js';
import { waitingSessionBranches, type WaitingSession } from '../../memory-tool/branch.js';
import { countBy, pad, plural, printPullWarnings, shortOid, type Output } from '../output.js';

export function registerDream(program: Command, out: Output): void {
  program
    .command('dream')
    .description('run one dream cycle: review sessions, extract patterns, curate memory as a branch of commits')
    .option('--mode <mode>', `auto | review | dry-run (default: from reverie.yaml)`)
    .option('--dry-run', 'the same as --mode dry-run: print the plan (with the claude engine, the estimated cost) and write nothing')
    .option('--engine <engine>', 'heuristic | claude | managed (default: from reverie.yaml)')
    .option('--batch', 'claude engine: extract through the Message Batches API (half the price; resumes an unfinished batch)')
    .option('--supersede', 'replace a cycle still waiting for review with a new one that takes in its sessions')
    .option('--update', 'rebuild the one cycle waiting for review in place (same branch and pull request) when new sessions turn up')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: { mode?: string; dryRun?: boolean; engine?: string; batch?: boolean; supersede?: boolean; update?: boolean; json?: boolean; config: string; repo: string }) => {
      if (flags.mode !== undefined && !MODES.includes(flags.mode as Mode)) {
        throw new UsageError(`--mode must be one of ${MODES.join(', ')} (got "${flags.mode}")`);
      }
      if (flags.dryRun && flags.mode !== undefined && flags.mode !== 'dry-run') throw new UsageError(`--dry-run and --mode ${flags.mode} say different things`);
      if (flags.dryRun) flags.mode = 'dry-run';
      if (flags.supersede && flags.update) throw new UsageError('--supersede and --update say different things: replace the waiting cycle, or rebuild it in place');
      // store.sessions.on_dream: the Managed Agents sessions of the memory store are saved as logs first, for this cycle to read.
      if (flags.mode !== 'dry-run') for (const line of await (await import('../../store/before-cycle.js')).fetchBeforeCycle(flags.repo, flags.config)) out.warn(line);
      const result = await quietOrWhole({
        repoDir: flags.repo,
        configFile: flags.config,
        ...(flags.mode ? { mode: flags.mode as Mode } : {}),
        ...(flags.engine ? { engine: flags.engine } : {}),
        ...(flags.batch ? { batch: true } : {}),
        ...(flags.supersede ? { supersede: true } : {}),
        ...(flags.update ? { update: true } : {}),
        ...(flags.json ? {} : { onPhase: (phase: PhaseReport) => printPhase(out, phase) }),
      });
      // What agent sessions wrote with the memory tool waits on branches of its own, reviewed as a cycle is: said here
      // so that the person reading the night's report sees every change waiting for them.
      const written = await writtenBySessions(flags.repo, flags.config);
      if (flags.json) out.json({ ...jsonOf(result), session_pending: written });
      else {
        for (const line of result.repaired ?? []) out.warn(`repaired: ${line}`);
        if (result.github) for (const line of (await import('../../cycle/github-cycles.js')).syncLines(result.github)) out.line(`github: ${line}`);
        printResult(out, result);
        if (result.session_pulls) for (const line of (await import('../../memory-tool/publish.js')).sessionPullLines(result.session_pulls)) out.line(`github: ${line}`);
        for (const w of written) {
          out.line(`waiting  ${w.branch}: memory tool writes of session ${w.session} to ${w.files.join(', ')} (${plural(w.commits, 'commit')}): reverie approve ${w.branch} | reverie reject ${w.branch}`);
        }
      }
      // After the report, which says session by session what failed: the exit code says that the cycle did.
      if (result.outcome === 'failed') throw new CycleFailedError(result.approval);
    });
}

/** Session branches of the memory tool waiting for review; none when main cannot be read (the cycle said why). */
async function writtenBySessions(repoDir: string, configFile: string): Promise<WaitingSession[]> {
  try {
    const context = await openContext(repoDir, configFile);
    const main = await resolveRef(context.repo, `refs/heads/${context.config.git.main}`);
    return main ? await waitingSessionBranches(context.repo, main) : [];
  } catch {
    return [];
  }
}

/**
 * A quiet night is answered from its record before the cycle's code loads (cycle/quiet.ts); any other run loads it.
 * dream() would answer the same, later: this spares a run that does nothing most of its start-up.
 */
async function quietOrWhole(options: DreamOptions): Promise<DreamResult> {
  const { result, listing } = await quietRun(options);
  return result ?? (await import('../../cycle/dream.js')).dream({ ...options, ...(listing ? { sessionListing: listing } : {}) });
}

/** The JSON contract of `reverie dream --json`. */
function jsonOf(result: DreamResult) {
  return {
    repaired: result.repaired ?? [],
    github: result.github ?? null,
    session_pulls: result.session_pulls ?? [],
    cycle: result.cycle,
    branch: result.branch,
    base: result.base,
    mode: result.mode,
    merged: result.merged,
    outcome: result.outcome,
    approval: result.approval,
    actions: result.actions,
    dropped: result.dropped,
    notices: result.notices,
    impact: impactJson(result.impact),
    stats: result.stats,
    warnings: result.warnings.map((w) => ({ file: w.file, line: w.line ?? null, message: w.message })),
    unread: result.unread,
    pending: result.pending.map((p) => ({ cycle: p.cycle, branch: p.branch })),
    ...(result.diff !== undefined ? { diff: result.diff } : {}),
    pull: result.pull ?? null,
    pending_pulls: result.pendingPulls ?? [],
    superseded: result.superseded ?? [],
    rebuilt: result.rebuilt ?? null,
    applied_without_review: result.appliedWithoutReview ?? null,
    run: result.run ? runJson(result.run) : null,
    memory_tests: result.memory_tests ? memoryCheckJson(result.memory_tests) : null,
    held_out: result.held_out ?? [],
  };
}

/** What the cycle does to memory as a whole, snake_case like the rest of the contract. */
export function impactJson(impact: MemoryImpact) {
  return {
    entries_before: impact.entries.before,
    entries_after: impact.entries.after,
    tokens_before: impact.tokens.before,
    tokens_after: impact.tokens.after,
    added: impact.added,
    rewritten: impact.rewritten,
    removed: impact.removed,
    removed_share: Number(impact.removedShare.toFixed(4)),
  };
}

/** The engine's run in the JSON contract: snake_case, like the cycle record. */
function runJson(run: EngineRun) {
  return {
    model: run.model,
    usage: { input: run.usage.input, output: run.usage.output, cache_write: run.usage.cacheWrite, cache_read: run.usage.cacheRead },
    cost_usd: run.costUsd,
    requests: run.requests,
    cached_sessions: run.cachedSessions,
    batch: run.batch ?? null,
    dream: run.dream ? { id: run.dream.id, status: run.dream.status, sessions: run.dream.sessions, input_store: run.dream.inputStore, output_store: run.dream.outputStore ?? null } : null,
    warnings: run.warnings,
    stopped: run.stopped ?? null,
    failed: run.failed ?? null,
    unanswered: run.unanswered ?? [],
    estimate: run.estimate
      ? {
          sessions: run.estimate.sessions,
          requests: run.estimate.requests,
          input_tokens: run.estimate.inputTokens,
          output_tokens: run.estimate.outputTokens,
          cost_usd: run.estimate.costUsd,
          method: run.estimate.method,
          batch: run.estimate.batch,
          phases: {
            map: phaseEstimateJson(run.estimate.phases.map),
            curate: phaseEstimateJson(run.estimate.phases.curate),
          },
          budget: run.estimate.budget ? budgetForecastJson(run.estimate.budget) : null,
        }
      : null,
    phases: run.phases ? { map: phaseRunJson(run.phases.map), curate: phaseRunJson(run.phases.curate) } : null,
  };
}

function phaseRunJson(phase: PhaseRun) {
  const { input, output, cacheWrite, cacheRead } = phase.usage;
  return { model: phase.model, usage: { input, output, cache_write: cacheWrite, cache_read: cacheRead }, cost_usd: phase.costUsd, requests: phase.requests };
}

function phaseEstimateJson(phase: PhaseEstimate) {
  return {
    model: phase.model,
    requests: phase.requests,
    input_tokens: phase.inputTokens,
    output_tokens: phase.outputTokens,
    cost_usd: phase.costUsd,
    prefix_tokens: phase.prefixTokens,
    cache_minimum: phase.cacheMinimum,
  };
}

function budgetForecastJson(forecast: BudgetForecast) {
  return {
    tokens: forecast.tokens ?? null,
    usd: forecast.usd ?? null,
    stops: forecast.stops ?? null,
    map_covered: forecast.mapCovered,
    map_requests: forecast.mapRequests,
    curate: forecast.curate,
    needed: { tokens: forecast.needed.tokens ?? null, usd: forecast.needed.usd ?? null },
    message: forecast.message,
  };
}

/** The models of a run: one, or each phase's when they differ. */
function modelsOf(run: EngineRun): string {
  const phases = run.phases ?? run.estimate?.phases;
  if (!phases || phases.map.model === phases.curate.model) return phases?.curate.model ?? run.model;
  return `${phases.map.model} (map) + ${phases.curate.model} (curate)`;
}

/** Each phase's spending, or its estimate, one line each under the run's. */
export function phaseLines(run: EngineRun): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const dollars = (usd: number | null, about = '') => (usd === null ? 'cost unknown (no price for this model)' : `${about}$${usd.toFixed(4)}`);
  if (run.estimate) {
    return (['map', 'curate'] as const).map((name) => {
      const e = run.estimate?.phases[name] as PhaseEstimate;
      const cached = e.cacheMinimum === null ? '' : e.prefixTokens >= e.cacheMinimum ? ', cacheable' : `, under the ${n(e.cacheMinimum)} it caches`;
      return `${pad(name, 7)}${e.model}: ${plural(e.requests, 'request')}, ~${n(e.inputTokens)} in + ~${n(e.outputTokens)} out (prefix ~${n(e.prefixTokens)}${cached}), ${dollars(e.costUsd, 'about ')}`;
    });
  }
  if (!run.phases) return [];
  return (['map', 'curate'] as const).map((name) => {
    const p = run.phases?.[name] as PhaseRun;
    return `${pad(name, 7)}${p.model}: ${plural(p.requests, 'request')}, ${n(p.usage.input)} in + ${n(p.usage.output)} out (cache: ${n(p.usage.cacheWrite)} written, ${n(p.usage.cacheRead)} read), ${dollars(p.costUsd)}`;
  });
}

/** Tokens and dollars of a run on one line, e.g. `12 requests, 40,210 in + 3,100 out (cache: 2,048 written, 20,480 read), $0.0432`. */
export function usageLine(run: EngineRun): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const { input, output, cacheWrite, cacheRead } = run.usage;
  const cost = run.costUsd === null ? 'cost unknown (no price for this model)' : `$${run.costUsd.toFixed(4)}`;
  const cached = run.cachedSessions ? `, ${plural(run.cachedSessions, 'session')} from the local cache` : '';
  return `${modelsOf(run)}: ${plural(run.requests, 'request')}, ${n(input)} in + ${n(output)} out (cache: ${n(cacheWrite)} written, ${n(cacheRead)} read), ${cost}${cached}${run.batch ? `, batch ${run.batch}` : ''}${run.dream ? `, dream ${run.dream.id} (${run.dream.status}, ${plural(run.dream.sessions, 'session')})` : ''}`;
}

function estimateLine(run: EngineRun): string {
  const e = run.estimate;
  if (!e) return '';
  const n = (x: number) => x.toLocaleString('en-US');
  const cost = e.costUsd === null ? 'cost unknown (no price for this model)' : `about $${e.costUsd.toFixed(4)}`;
  const how = e.method === 'count_tokens' ? 'prompts counted by the API' : 'prompts estimated offline';
  return `${modelsOf(run)}: ${plural(e.sessions, 'session')} to extract (${run.cachedSessions} cached), ${plural(e.requests, 'request')}${e.batch ? ' in a batch' : ''}, ~${n(e.inputTokens)} in + ~${n(e.outputTokens)} out (output guessed), ${cost}; ${how}`;
}

/** Budget warnings and open questions, one line each, for a terminal. */
export function noticeLines(notices: readonly Notice[]): string[] {
  return notices.map((n) => `${n.kind === 'budget' ? 'warning' : 'question'}: ${n.message}`);
}

function printPhase(out: Output, report: PhaseReport): void {
  switch (report.phase) {
    case 'review':
      out.line(
        `${pad('review', 9)}${plural(report.sessions, 'session')} (${report.newSessions} new${report.heldOut ? `, ${report.heldOut} of them held out to test the memory` : ''}), ` +
          `${plural(report.memoryFiles, 'memory file')}, ${plural(report.entries, 'entry', 'entries')}` +
          (report.warnings.length ? `, ${plural(report.warnings.length, 'warning')}` : '') +
          (report.unread.length ? `, ${plural(report.unread.length, 'file')} under the sessions paths not read (\`reverie sessions\` says why)` : ''),
      );
      for (const w of report.warnings.slice(0, 5)) out.warn(`  warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
      if (report.warnings.length > 5) out.warn(`  … and ${report.warnings.length - 5} more (see --json)`);
      return;
    case 'engine':
      out.line(`${pad(report.run.estimate ? 'estimate' : 'model', 9)}${report.run.estimate ? estimateLine(report.run) : usageLine(report.run)}`);
      for (const line of phaseLines(report.run)) out.line(`${' '.repeat(11)}${line}`);
      if (report.run.estimate?.budget) out.line(`${' '.repeat(11)}${pad('budget', 7)}${report.run.estimate.budget.message}`);
      for (const w of report.run.warnings.slice(0, 5)) out.warn(`  warning: ${w}`);
      if (report.run.warnings.length > 5) out.warn(`  … and ${report.run.warnings.length - 5} more (see --json)`);
      for (const s of (report.run.unanswered ?? []).slice(0, 5)) out.warn(`  warning: session ${s.id}: no usable answer (${s.reason}); the next cycle sends it again`);
      if ((report.run.unanswered?.length ?? 0) > 5) out.warn(`  … and ${(report.run.unanswered?.length ?? 0) - 5} more sessions without an answer (see --json)`);
      return;
    case 'extract':
      out.line(`${pad('extract', 9)}${plural(report.patterns, 'pattern')} with enough support, ${report.noise} noise`);
      return;
    case 'curate': {
      const kinds = report.actions.length ? ` (${countBy(report.actions, (a) => a.type)})` : '';
      const dropped = report.dropped.length ? `, ${report.dropped.length} dropped by the guards` : '';
      out.line(`${pad('curate', 9)}${plural(report.actions.length, 'action')}${kinds}${dropped}`);
      return;
    }
    case 'commit':
      out.line(`${pad('commit', 9)}${report.branch}, ${plural(report.commits, 'commit')}`);
      return;
    case 'approve':
      out.line(`${pad('approve', 9)}${report.reason}`);
  }
}

/** Cases a terminal shows: the ones the cycle changed, fixed or broken; the counts say the rest. */
const MAX_CASES_PRINTED = 10;

/** The cycle's memory tests, for a terminal: the counts, then each case it fixed or broke and where it comes from. */
function memoryTestLines(check: MemoryCheck): string[] {
  const head = `tests    ${check.fixed} fixed, ${check.broken} broken, ${check.stillFailing} still failing, ${check.passing} passing (${plural(check.cases.length, 'case')})`;
  const changed = check.cases.filter((c) => c.change === 'broken' || c.change === 'fixed');
  const rows = changed.slice(0, MAX_CASES_PRINTED).map((c) => `         ${pad(c.change, 7)}${c.name} (${caseLocation(c)})`);
  const more = changed.length > MAX_CASES_PRINTED ? [`         … and ${changed.length - MAX_CASES_PRINTED} more (see --json)`] : [];
  return [head, ...rows, ...more];
}

function printResult(out: Output, result: DreamResult): void {
  // Warnings about no file arise after the phases were printed (the engine's state not pushed); a failed cycle's
  // reason, the first of them, is said as the error's message.
  for (const w of result.warnings.filter((w) => w.file === '').slice(result.outcome === 'failed' ? 1 : 0)) out.warn(`warning: ${w.message}`);
  if (result.outcome === 'nothing-new') {
    out.line(`nothing new: ${result.stats.sessions} session(s) already reviewed, memory needs no curation`);
    return;
  }
  // The sessions were listed with the engine's phase; the reason is the error's message.
  if (result.outcome === 'failed') return;
  if (result.outcome === 'pending-review' || result.outcome === 'stopped') {
    out.line(result.approval);
    printPullWarnings(out, result.pull);
    return;
  }
  out.line();
  out.line(`cycle ${result.cycle} · mode ${result.mode}${result.branch ? ` · ${result.branch}` : ''}`);
  out.line(`  ${impactLine(result.impact)}`);
  for (const line of noticeLines(result.notices)) out.line(`  ${line}`);
  for (const action of result.actions) {
    const evidence = action.evidence.length ? ` [${plural(action.evidence.length, 'session')}]` : '';
    out.line(`  ${shortOid(action.commit)} ${pad(action.type, 8)}${pad(action.paths[0] ?? '', 24)} ${action.summary}${evidence}`);
    if (action.risk_reasons.length > 0) out.line(`           high risk, needs a person: ${action.risk_reasons.join('; ')}`);
  }
  for (const drop of result.dropped) out.line(`  dropped  ${drop.type} ${drop.summary}: ${drop.reason}`);
  if (result.memory_tests?.cases.length) for (const line of memoryTestLines(result.memory_tests)) out.line(`  ${line}`);
  if (result.run?.estimate) out.line('  dry run: nothing was sent but token counts; run without --dry-run to dream');
  else if (result.actions.length === 0) out.line('  no changes to memory; the sessions were recorded as reviewed');
  if (result.pull) out.line(`pull request #${result.pull.number} (${result.pull.action}): ${result.pull.url}`);
  printPullWarnings(out, result.pull);
  if (result.rebuilt) out.line(`rebuilt cycle ${result.rebuilt} in place with the new sessions: same branch${result.pull ? ` and pull request #${result.pull.number}` : ''}`);
  for (const old of result.superseded ?? []) out.line(`superseded cycle ${old.cycle}${old.pull !== undefined ? ` (pull request #${old.pull} closed)` : ''}`);
  if (result.diff !== undefined) {
    out.line();
    out.line(result.diff || '(no changes)');
  }
}
