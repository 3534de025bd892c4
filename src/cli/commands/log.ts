import type { Command } from 'commander';
import { openContext } from '../../cycle/repo-context.js';
import { listCycles } from '../../cycle/history.js';
import { pad, plural, shortOid, type Output } from '../output.js';

export function registerLog(program: Command, out: Output): void {
  program
    .command('log')
    .description('cycles and their actions, newest first')
    .option('--json', 'print one JSON object')
    .option('-n, --max <count>', 'at most this many cycles', (v) => Number.parseInt(v, 10))
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: { json?: boolean; max?: number; config: string; repo: string }) => {
      const cycles = (await listCycles(await openContext(flags.repo, flags.config))).slice(0, flags.max ?? Infinity);
      if (flags.json) return out.json({ cycles });
      if (cycles.length === 0) return out.line('no cycles yet: run `reverie dream`');
      for (const cycle of cycles) {
        out.line(`cycle ${cycle.cycle}  ${cycle.label}  ${cycle.created}  ${cycle.engine}/${cycle.mode}  ${plural(cycle.stats.new_sessions, 'new session')}`);
        if (cycle.reason) out.line(`  reason: ${cycle.reason}`);
        for (const a of cycle.actions) {
          const revert = a.status === 'reverted' ? `  (reverted by ${shortOid(a.reverted_by)})` : '';
          out.line(`  ${shortOid(a.commit)} ${pad(a.id, 9)}${pad(a.type, 8)}${pad(a.status, 9)}${a.summary}${revert}`);
        }
      }
    });
}
