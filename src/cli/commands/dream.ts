import type { Command } from 'commander';
import { MODES, type Mode } from '../../config/index.js';
import { dream, type DreamResult, type PhaseReport } from '../../cycle/dream.js';
import { UsageError } from '../../errors.js';
import { countBy, pad, plural, shortOid, type Output } from '../output.js';

export function registerDream(program: Command, out: Output): void {
  program
    .command('dream')
    .description('run one dream cycle: review sessions, extract patterns, curate memory as a branch of commits')
    .option('--mode <mode>', `auto | review | dry-run (default: from reverie.yaml)`)
    .option('--engine <engine>', 'heuristic (default: from reverie.yaml)')
    .option('--supersede', 'replace a cycle still waiting for review with a new one that takes in its sessions')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: { mode?: string; engine?: string; supersede?: boolean; json?: boolean; config: string; repo: string }) => {
      if (flags.mode !== undefined && !MODES.includes(flags.mode as Mode)) {
        throw new UsageError(`--mode must be one of ${MODES.join(', ')} (got "${flags.mode}")`);
      }
      const result = await dream({
        repoDir: flags.repo,
        configFile: flags.config,
        ...(flags.mode ? { mode: flags.mode as Mode } : {}),
        ...(flags.engine ? { engine: flags.engine } : {}),
        ...(flags.supersede ? { supersede: true } : {}),
        ...(flags.json ? {} : { onPhase: (phase: PhaseReport) => printPhase(out, phase) }),
      });
      if (flags.json) out.json(jsonOf(result));
      else printResult(out, result);
    });
}

/** The JSON contract of `reverie dream --json`. */
function jsonOf(result: DreamResult) {
  return {
    cycle: result.cycle,
    branch: result.branch,
    base: result.base,
    mode: result.mode,
    merged: result.merged,
    outcome: result.outcome,
    approval: result.approval,
    actions: result.actions,
    dropped: result.dropped,
    stats: result.stats,
    warnings: result.warnings.map((w) => ({ file: w.file, line: w.line ?? null, message: w.message })),
    pending: result.pending.map((p) => ({ cycle: p.cycle, branch: p.branch })),
    ...(result.diff !== undefined ? { diff: result.diff } : {}),
    pull: result.pull ?? null,
    pending_pulls: result.pendingPulls ?? [],
    superseded: result.superseded ?? [],
    applied_without_review: result.appliedWithoutReview ?? null,
  };
}

function printPhase(out: Output, report: PhaseReport): void {
  switch (report.phase) {
    case 'review':
      out.line(
        `${pad('review', 9)}${plural(report.sessions, 'session')} (${report.newSessions} new), ` +
          `${plural(report.memoryFiles, 'memory file')}, ${plural(report.entries, 'entry', 'entries')}` +
          (report.warnings.length ? `, ${plural(report.warnings.length, 'warning')}` : ''),
      );
      for (const w of report.warnings.slice(0, 5)) out.warn(`  warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
      if (report.warnings.length > 5) out.warn(`  … and ${report.warnings.length - 5} more (see --json)`);
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

function printResult(out: Output, result: DreamResult): void {
  if (result.outcome === 'nothing-new') {
    out.line(`nothing new: ${result.stats.sessions} session(s) already reviewed, memory needs no curation`);
    return;
  }
  if (result.outcome === 'pending-review') {
    out.line(result.approval);
    return;
  }
  out.line();
  out.line(`cycle ${result.cycle} · mode ${result.mode}${result.branch ? ` · ${result.branch}` : ''}`);
  for (const action of result.actions) {
    const evidence = action.evidence.length ? ` [${plural(action.evidence.length, 'session')}]` : '';
    out.line(`  ${shortOid(action.commit)} ${pad(action.type, 8)}${pad(action.paths[0] ?? '', 24)} ${action.summary}${evidence}`);
  }
  for (const drop of result.dropped) out.line(`  dropped  ${drop.type} ${drop.summary}: ${drop.reason}`);
  if (result.actions.length === 0) out.line('  no changes to memory; the sessions were recorded as reviewed');
  if (result.pull) out.line(`pull request #${result.pull.number} (${result.pull.action}): ${result.pull.url}`);
  for (const old of result.superseded ?? []) out.line(`superseded cycle ${old.cycle}${old.pull !== undefined ? ` (pull request #${old.pull} closed)` : ''}`);
  if (result.diff !== undefined) {
    out.line();
    out.line(result.diff || '(no changes)');
  }
}
