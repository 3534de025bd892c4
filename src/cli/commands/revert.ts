import type { Command } from 'commander';
import { openContext, type RepoContext } from '../../cycle/context.js';
import type { DryRun } from '../../cycle/dry-run.js';
import { connectGitHub, publishRevert, syncMain } from '../../cycle/publish.js';
import { planRevert, revert, RevertRefusedError, type RevertMode, type RevertOptions, type RevertResult } from '../../cycle/revert.js';
import { sessionBranchFrom } from '../../memory-tool/branch.js';
import { githubSteps, pushMainFirst, viewFromGitHub } from '../../cycle/settle.js';
import { UsageError } from '../../errors.js';
import { lockAndRecover } from '../../cycle/recover.js';
import { plural, printDryRun, printPullWarnings, shortOid, type Output } from '../output.js';

const REVERT_MODES: readonly RevertMode[] = ['auto', 'review'];

export function registerRevert(program: Command, out: Output): void {
  program
    .command('revert')
    .description('undo a cycle or one action on main with revert commits; a reverted action is not proposed again')
    .argument('<target>', 'cycle id or branch name, action id (or <cycle>/<action id>), a commit on main, or session-<id> (what a session wrote with the memory tool)')
    .option('--reason <text>', 'why, written into each revert commit')
    .option('--mode <mode>', 'auto (move main) | review (a reverie/revert-… branch, main untouched); default: from reverie.yaml')
    .option('--dry-run', 'say what the revert would do (its commits, the ref it moves or creates, the pull request) and write nothing')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (target: string, flags: { reason?: string; mode?: string; dryRun?: boolean; json?: boolean; config: string; repo: string }) => {
      if (flags.mode !== undefined && !REVERT_MODES.includes(flags.mode as RevertMode)) {
        throw new UsageError(`--mode must be one of ${REVERT_MODES.join(', ')} (got "${flags.mode}")`);
      }
      const context = await openContext(flags.repo, flags.config);
      const mode = flags.mode ? { mode: flags.mode as RevertMode } : {};
      const session = sessionBranchFrom(target);
      if (flags.dryRun) {
        if (session) throw new UsageError(`--dry-run is for cycles and actions; ${target} names a session's memory tool writes`);
        return printDryRun(out, flags, await revertDryRun(context, target, mode));
      }
      const { release, repairs } = await lockAndRecover(context, 'revert');
      try {
        for (const line of repairs.lines) out.warn(`repaired: ${line}`);
        const link = await connectGitHub(context);
        if (link) await syncMain(context, link);
        // On GitHub, a revert in auto mode is pushed to main before main moves here; one in review mode is a pull request.
        const options: RevertOptions = {
          now: new Date(),
          ...(flags.reason ? { reason: flags.reason } : {}),
          ...mode,
          ...(link ? { beforeMove: pushMainFirst(context, link) } : {}),
        };
        if (session) {
          await revertWrites(context, target, options, flags.json, out);
          return;
        }
        let result: RevertResult;
        try {
          result = await revert(context, target, options);
        } catch (error) {
          // A commit that carries no cycle action may be a session's memory tool write.
          if (error instanceof RevertRefusedError && (await revertWrites(context, target, options, flags.json, out))) return;
          throw error;
        }
        const pull = link && !result.merged ? await publishRevert(context, link, { ...result, ...(flags.reason ? { reason: flags.reason } : {}) }) : undefined;
        if (flags.json) return out.json({ ...result, pull: pull ?? null });
        printResult(out, result);
        if (pull) out.line(`pull request #${pull.number} (${pull.action}): ${pull.url}`);
        printPullWarnings(out, pull);
      } finally {
        release();
      }
    });
}

/** A session's memory tool writes on main, or one of them by its commit, undone; false when `target` names none. */
async function revertWrites(context: RepoContext, target: string, options: RevertOptions, json: boolean | undefined, out: Output): Promise<boolean> {
  const { revertSessionWrites, sessionWritesNamed } = await import('../../memory-tool/revert.js');
  const named = await sessionWritesNamed(context, target);
  if (!named) return false;
  const result = await revertSessionWrites(context, named, options);
  if (json) {
    out.json(result);
    return true;
  }
  const where = result.merged ? `main moved to ${shortOid(result.main)}` : `on branch ${result.branch}, main not moved; open a pull request from it`;
  out.line(`reverted ${result.target}: ${plural(result.reverted.length, 'revert commit')}, ${where}`);
  for (const r of result.reverted) out.line(`  ${shortOid(r.revert)} revert ${shortOid(r.commit)} ${r.subject}`);
  return true;
}

/** `revert --dry-run`: GitHub's side read, not fetched; the reverts computed on main as it is here. */
async function revertDryRun(context: RepoContext, target: string, mode: { mode?: RevertMode }): Promise<DryRun> {
  const link = await connectGitHub(context);
  const plan = await planRevert(context, target, mode);
  if (!link) return plan;
  const view = await viewFromGitHub(context, link, target);
  const after = plan.mode === 'auto' ? ([`push ${context.config.git.main} to ${link.remote.owner}/${link.remote.repo}`]) : await githubSteps(context, link, { branch: plan.branch, after: 'open' });
  return { ...plan, first: view.first, github: after };
}

function printResult(out: Output, result: RevertResult): void {
  const where = result.merged ? `main moved to ${shortOid(result.main)}` : `on branch ${result.branch}, main not moved; open a pull request from it`;
  out.line(`reverted ${result.target}: ${plural(result.reverted.length, 'revert commit')}, ${where}`);
  for (const r of result.reverted) out.line(`  ${shortOid(r.revert)} revert ${r.type} ${r.actionId} (${shortOid(r.commit)}) ${r.summary}`);
  for (const s of result.skipped) out.line(`  skipped ${s.cycle}/${s.actionId}: ${s.reason}`);
  out.line('the reverted actions are remembered in .reverie/rejected.json and will not be proposed again');
}
