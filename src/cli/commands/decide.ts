import type { Command } from 'commander';
import { GitStateError } from '../../errors.js';
import { approveCycle, rejectCycle } from '../../cycle/approve.js';
import { openContext } from '../../cycle/context.js';
import { syncCycles, syncLines } from '../../cycle/github-cycles.js';
import { cycleIdFrom, listCycles, type CycleView } from '../../cycle/history.js';
import { closeCyclePull, connectGitHub, pushMain, syncMain, type GitHubLink } from '../../cycle/publish.js';
import type { RepoContext } from '../../cycle/context.js';
import { lockAndRecover } from '../../cycle/recover.js';
import { plural, type Output } from '../output.js';

const ids = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

export function registerDecisions(program: Command, out: Output): void {
  program
    .command('approve')
    .description('merge a pending cycle into main: all its actions, or some')
    .argument('<cycle>', 'cycle id or branch name')
    .option('--only <ids>', 'approve only these action ids (comma-separated)', ids)
    .option('--except <ids>', 'approve all but these action ids (comma-separated)', ids)
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (cycle: string, flags: { only?: string[]; except?: string[]; json?: boolean; config: string; repo: string }) => {
      const context = await openContext(flags.repo, flags.config);
      const { release, repairs } = await lockAndRecover(context, 'approve');
      try {
        for (const line of repairs.lines) out.warn(`repaired: ${line}`);
        const link = await connectGitHub(context);
        if (link) await syncWithGitHub(context, link, out);
        const settled = await decidedCycle(context, cycle);
        if (settled) return reportSettled(out, settled, 'approved', flags.json);
        const outcome = await approveCycle(context, cycle, {
          now: new Date(),
          ...(flags.only ? { only: flags.only } : {}),
          ...(flags.except ? { except: flags.except } : {}),
        });
        if (link) await settleOnGitHub(context, link, outcome.branch, `Approved with \`reverie approve\`: ${outcome.message}.`);
        if (flags.json) return out.json({ cycle: outcome.cycle, merged: outcome.merged, main: outcome.main, actions: outcome.actions?.map((a) => ({ id: a.id, type: a.type, summary: a.summary, commit: a.commit ?? null })), dropped: outcome.dropped });
        out.line(`approved cycle ${outcome.cycle}: ${outcome.message}`);
        for (const a of outcome.actions ?? []) out.line(`  ${a.commit?.slice(0, 7) ?? '-------'} ${a.type} ${a.summary}`);
      } finally {
        release();
      }
    });

  program
    .command('reject')
    .description('drop a pending cycle: delete its branch and remember its actions so they are not proposed again')
    .argument('<cycle>', 'cycle id or branch name')
    .option('--reason <text>', 'why, kept with the rejection')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (cycle: string, flags: { reason?: string; json?: boolean; config: string; repo: string }) => {
      const context = await openContext(flags.repo, flags.config);
      const { release, repairs } = await lockAndRecover(context, 'reject');
      try {
        for (const line of repairs.lines) out.warn(`repaired: ${line}`);
        const link = await connectGitHub(context);
        if (link) await syncWithGitHub(context, link, out);
        const settled = await decidedCycle(context, cycle);
        if (settled) return reportSettled(out, settled, 'rejected', flags.json);
        const result = await rejectCycle(context, cycle, { now: new Date(), ...(flags.reason ? { reason: flags.reason } : {}) });
        if (link) await settleOnGitHub(context, link, result.branch, `Rejected with \`reverie reject\`${flags.reason ? `: ${flags.reason}` : ''}. Its actions will not be proposed again.`);
        if (flags.json) return out.json(result);
        out.line(`rejected cycle ${result.cycle}: ${plural(result.rejected, 'action')} will not be proposed again; recorded on main (${result.main.slice(0, 7)})`);
      } finally {
        release();
      }
    });
}

/**
 * Before a decision: main as GitHub has it (a pull request merged there), and the cycles GitHub holds or decided,
 * so that any clone can decide on any cycle, and a decision taken on GitHub is not taken again here.
 */
async function syncWithGitHub(context: RepoContext, link: GitHubLink, out: Output): Promise<void> {
  await syncMain(context, link);
  const sync = await syncCycles(context, link, { now: new Date() });
  for (const line of syncLines(sync)) out.warn(`github: ${line}`);
}

/** A cycle already decided on main (merged on GitHub, or rejected): said, not fought. */
async function decidedCycle(context: RepoContext, argument: string): Promise<CycleView | undefined> {
  const cycle = cycleIdFrom(argument);
  return (await listCycles(context)).find((c) => c.cycle === cycle && c.status !== 'pending');
}

/** The same decision taken before is nothing to do; the other one is an error that says what would undo it. */
function reportSettled(out: Output, view: CycleView, wanted: 'approved' | 'rejected', json: boolean | undefined): void {
  const state = `${view.label}${view.reason ? ` (${view.reason})` : ''}`;
  if ((view.status === 'rejected') !== (wanted === 'rejected')) {
    const undo = view.status === 'rejected' ? 'revert its rejection commit on main to let its actions be proposed again' : `\`reverie revert ${view.cycle}\` undoes it`;
    throw new GitStateError(`cycle ${view.cycle} is decided already: ${state}; ${undo}`);
  }
  const message = `cycle ${view.cycle} is decided already: ${state}; nothing to do`;
  if (json) return out.json({ cycle: view.cycle, decided: true, status: view.status, label: view.label, message });
  out.line(message);
}

/** A decision taken here reaches GitHub: main is pushed, and the cycle's pull request closed with the reason. */
async function settleOnGitHub(context: RepoContext, link: GitHubLink, branch: string, comment: string): Promise<void> {
  await pushMain(context, link);
  await closeCyclePull(link, branch, comment);
}
