import type { Command } from 'commander';
import { openContext } from '../../cycle/repo-context.js';
import { curationStats, humanDuration, type ActionTypeStats } from '../../cycle/stats.js';
import { pad, plural, type Output } from '../output.js';

const COLUMNS: [title: string, width: number, value: (row: ActionTypeStats) => string][] = [
  ['type', 8, (r) => r.type],
  ['proposed', 10, (r) => String(r.proposed)],
  ['approved', 10, (r) => String(r.approved)],
  ['dropped', 9, (r) => String(r.dropped)],
  ['pending', 9, (r) => String(r.pending)],
  ['reverted', 10, (r) => String(r.reverted)],
  ['median time to revert', 0, (r) => (r.median_seconds_to_revert === null ? '-' : humanDuration(r.median_seconds_to_revert))],
];

export function registerStats(program: Command, out: Output): void {
  program
    .command('stats')
    .description('per action type: proposed, approved, dropped, reverted later, and how soon reverts come')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: { json?: boolean; config: string; repo: string }) => {
      const stats = await curationStats(await openContext(flags.repo, flags.config));
      if (flags.json) return out.json(stats);
      if (stats.cycles === 0) return out.line('no cycles yet: run `reverie dream`');
      out.line(COLUMNS.map(([title, width]) => pad(title, width)).join(''));
      for (const row of [...stats.types, stats.all]) out.line(COLUMNS.map(([, width, value]) => pad(value(row), width)).join(''));
      const { left_out, rejected, no_longer_applied } = stats.all.dropped_by;
      out.line('');
      out.line(`${plural(stats.cycles, 'cycle')}; dropped: ${left_out} left out at approval, ${rejected} in rejected cycles, ${no_longer_applied} no longer applied`);
    });
}
