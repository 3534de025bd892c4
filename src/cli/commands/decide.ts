import os from 'node:os';
import type { Command } from 'commander';
import { GitStateError, UsageError } from '../../errors.js';
import { compileBranchFrom } from '../../compile/branch-names.js';
import { sessionBranchFrom } from '../../memory-tool/branch.js';
import { storeBranchFrom } from '../../store/branch.js';
import { approveCycle, planApproval, planRejection, rejectCycle } from '../../cycle/approve.js';
import { openContext, type RepoContext } from '../../cycle/context.js';
import type { DryRun } from '../../cycle/dry-run.js';
import { syncCycles, syncLines } from '../../cycle/github-cycles.js';
import { cycleIdFrom, listCycles, type CycleView } from '../../cycle/history.js';
import { closeCyclePull, connectGitHub, syncMain, type GitHubLink } from '../../cycle/publish.js';
import { lockAndRecover } from '../../cycle/recover.js';
import { approvalTestsLines } from '../../cycle/memory-check.js';
import { inlineText } from '../../github/markdown.js';
import { reviseAndPublish } from '../../cycle/revise.js';
import { acceptMergeOnGitHub, decidedOnGitHub, githubSteps, pushMainFirst, rejectionOnGitHub, viewFromGitHub } from '../../cycle/settle.js';
import { plural, printDryRun, type Output } from '../output.js';
import { memoryCheckJson } from '../../memory-tests/report.js';

const ids = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

interface Flags {
  json?: boolean;
  dryRun?: boolean;
  config: string;
  repo: string;
}

export function registerDecisions(program: Command, out: Output): void {
  program
    .command('approve')
    .description('merge a pending cycle into main: all its actions, or some')
    .argument('<cycle>', 'cycle id or branch name (also a reverie/hand-edit-… or reverie/compile branch of `reverie compile`, a reverie/session-… branch of the memory tool, or a reverie/store-… branch of `reverie store pull`)')
    .option('--only <ids>', 'approve only these action ids (comma-separated)', ids)
    .option('--except <ids>', 'approve all but these action ids (comma-separated)', ids)
    .option('--dry-run', 'say what approving would do (refs, commits, the branch, the pull request) and write nothing')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (cycle: string, flags: Flags & { only?: string[]; except?: string[] }) => {
      const context = await openContext(flags.repo, flags.config);
      const compiled = compileBranchFrom(cycle) ?? sessionBranchFrom(cycle) ?? storeBranchFrom(cycle);
      if (compiled) return decideCompileBranch(context, compiled, 'approve', flags, out);
      const choice = { ...(flags.only ? { only: flags.only } : {}), ...(flags.except ? { except: flags.except } : {}) };
      if (flags.dryRun) return printDryRun(out, flags, await approvalDryRun(context, cycle, choice));
      await underLock(context, 'approve', out, async () => {
        const link = await connectGitHub(context);
        const decided = link && (await decidedOnGitHub(context, link, cycle));
        if (link && decided) {
          const accepted = await acceptMergeOnGitHub(context, link, decided);
          if (flags.json) return out.json({ cycle: decided.cycle, merged: true, already: true, main: accepted.main, pull: decided.pull?.number ?? null, actions: [], dropped: [] });
          return out.line(accepted.message);
        }
        // Local main and the cycles follow GitHub's before anything is decided; main moves only once GitHub has its new tip.
        if (link) await syncWithGitHub(context, link, out);
        const settled = await decidedCycle(context, cycle);
        if (settled) return reportSettled(out, settled, 'approved', flags.json);
        const outcome = await approveCycle(context, cycle, { now: new Date(), ...choice, ...(link ? { beforeMove: pushMainFirst(context, link) } : {}) });
        // What the memory tests say of the approval goes on the pull request too: its body showed the hold.
        const tests = approvalTestsLines(outcome.tests).map((line) => `\n\n${inlineText(line.replace(/^memory tests: /, 'Memory tests: '))}.`);
        if (link) await closeCyclePull(link, outcome.branch, `Approved with \`reverie approve\`: ${outcome.message}.${tests.join('')}`);
        const testsJson = outcome.tests ? { held_when_made: outcome.tests.held, holds: outcome.tests.holds, left_out: outcome.tests.leftOut } : null;
        if (flags.json) return out.json({ cycle: outcome.cycle, merged: outcome.merged, main: outcome.main, actions: outcome.actions?.map((a) => ({ id: a.id, type: a.type, summary: a.summary, commit: a.commit ?? null })), dropped: outcome.dropped, memory_tests: testsJson });
        out.line(`approved cycle ${outcome.cycle}: ${outcome.message}`);
        for (const a of outcome.actions ?? []) out.line(`  ${a.commit?.slice(0, 7) ?? '-------'} ${a.type} ${a.summary}`);
        for (const line of approvalTestsLines(outcome.tests)) out.line(line);
      });
    });

  program
    .command('reject')
    .description('drop a pending cycle: delete its branch and remember its actions so they are not proposed again')
    .argument('<cycle>', 'cycle id or branch name (also a reverie/hand-edit-… branch of `reverie compile`, a reverie/session-… branch of the memory tool, or a reverie/store-… branch of `reverie store pull`)')
    .option('--reason <text>', 'why, kept with the rejection')
    .option('--dry-run', 'say what rejecting would do (the bookkeeping commit, the branch, the pull request) and write nothing')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (cycle: string, flags: Flags & { reason?: string }) => {
      const context = await openContext(flags.repo, flags.config);
      const compiled = compileBranchFrom(cycle) ?? sessionBranchFrom(cycle) ?? storeBranchFrom(cycle);
      if (compiled) return decideCompileBranch(context, compiled, 'reject', flags, out);
      if (flags.dryRun) return printDryRun(out, flags, await rejectionDryRun(context, cycle));
      await underLock(context, 'reject', out, async () => {
        const link = await connectGitHub(context);
        const decided = link && (await decidedOnGitHub(context, link, cycle));
        if (decided) {
          const message = rejectionOnGitHub(decided);
          return flags.json ? out.json({ cycle: decided.cycle, already: true, rejected: 0, main: decided.main }) : out.line(message);
        }
        if (link) await syncWithGitHub(context, link, out);
        const settled = await decidedCycle(context, cycle);
        if (settled) return reportSettled(out, settled, 'rejected', flags.json);
        const result = await rejectCycle(context, cycle, { now: new Date(), ...(flags.reason ? { reason: flags.reason } : {}), ...(link ? { beforeMove: pushMainFirst(context, link) } : {}) });
        if (link) await closeCyclePull(link, result.branch, `Rejected with \`reverie reject\`${flags.reason ? `: ${flags.reason}` : ''}. Its actions will not be proposed again.`);
        if (flags.json) return out.json(result);
        out.line(`rejected cycle ${result.cycle}: ${plural(result.rejected, 'action')} will not be proposed again; recorded on main (${result.main.slice(0, 7)})`);
      });
    });
  registerRevisions(program, out);
}

/** `reverie drop` / `reverie keep`: the branch rebuilt without (or with again) some actions, as a pull request's checkboxes do. */
function registerRevisions(program: Command, out: Output): void {
  for (const verb of ['drop', 'keep'] as const) {
    program
      .command(verb)
      .description(verb === 'drop' ? "rebuild a waiting cycle's branch without these actions and remember them as rejected (its pull request is updated)" : "bring actions dropped from a waiting cycle back onto its branch (its pull request is updated)")
      .argument('<cycle>', 'cycle id or branch name')
      .argument('<ids...>', 'action ids (space- or comma-separated)')
      .option('--json', 'print one JSON object')
      .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
      .option('--repo <dir>', 'the memory repository', '.')
      .action(async (cycle: string, given: string[], flags: Flags) => {
        const context = await openContext(flags.repo, flags.config);
        await underLock(context, verb, out, async () => {
          const link = await connectGitHub(context);
          if (link) await syncWithGitHub(context, link, out);
          const settled = await decidedCycle(context, cycle);
          if (settled) throw new GitStateError(`cycle ${settled.cycle} is decided already (${settled.label}): there is no branch to ${verb} actions on`);
          const revision = { [verb]: given.flatMap(ids), by: os.userInfo().username, via: 'command' as const, now: new Date() };
          const { revised, rejected, warnings } = await reviseAndPublish(context, link, cycle, revision);
          for (const warning of warnings) out.warn(`github: ${warning}`);
          if (flags.json) {
            return out.json({ cycle: revised.cycle, branch: revised.branch, changed: revised.tip !== revised.from, tip: revised.tip, dropped: revised.dropped.map((a) => a.id), kept: revised.kept.map((a) => a.id), unchanged: revised.unchanged, remaining: revised.remaining.map((a) => a.id), rejected: Boolean(rejected), memory_tests: revised.record.memory_tests ? memoryCheckJson(revised.record.memory_tests) : null });
          }
          for (const a of revised.dropped) out.line(`dropped ${a.id} ${a.type}: ${a.summary}`);
          for (const a of revised.kept) out.line(`kept ${a.id} ${a.type}: ${a.summary}`);
          for (const u of revised.unchanged) out.line(`${u.id} is ${u.state === 'dropped' ? 'dropped already' : 'on the branch already'}`);
          for (const { action, reason } of revised.skipped) out.line(`${action.id} no longer applies without the others: ${reason}`);
          if (rejected) return out.line(`no action is left: cycle ${revised.cycle} is rejected, recorded on main (${rejected.main.slice(0, 7)})`);
          if (revised.tip !== revised.from) out.line(`${revised.branch} rebuilt: ${plural(revised.remaining.length, 'action')}, one commit each (${revised.tip.slice(0, 7)})${link ? '; its pull request is updated' : ''}`);
          if (revised.tests) out.line(revised.tests);
        });
      });
  }
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

/**
 * A branch of `reverie compile` (a hand edit brought back, or compiled files waiting) or of the memory tool (one
 * agent session's writes): merged into main or dropped, locally. A session branch's pull request on GitHub follows
 * main there: the next dream cycle finds the writes on main (once pushed) and retires the branch on GitHub too.
 */
async function decideCompileBranch(context: RepoContext, branch: string, verb: 'approve' | 'reject', flags: Flags & { reason?: string; only?: string[]; except?: string[] }, out: Output): Promise<void> {
  if (flags.dryRun || flags.only || flags.except) throw new UsageError(`--dry-run, --only and --except are for cycles; ${branch} is taken or dropped whole`);
  await underLock(context, verb, out, async () => {
    const { approveCompileBranch, rejectCompileBranch } = await import('../../compile/branches.js');
    const decision = verb === 'approve' ? await approveCompileBranch(context, branch, new Date()) : await rejectCompileBranch(context, branch, new Date(), flags.reason);
    if (flags.json) return out.json({ branch: decision.branch, decision: verb === 'approve' ? 'approved' : 'rejected', main: decision.main, commits: decision.commits, message: decision.message });
    out.line(verb === 'approve' ? `approved ${decision.branch}: ${decision.message}` : decision.message);
  });
}

/** A writing command: what an interrupted run left is repaired first, under the repository's lock. */
async function underLock(context: RepoContext, command: string, out: Output, run: () => Promise<void>): Promise<void> {
  const { release, repairs } = await lockAndRecover(context, command);
  try {
    for (const line of repairs.lines) out.warn(`repaired: ${line}`);
    await run();
  } finally {
    release();
  }
}

/** `approve --dry-run`: GitHub's side read (not fetched), then the approval computed on the main it would be taken on. */
async function approvalDryRun(context: RepoContext, cycle: string, choice: { only?: string[]; except?: string[] }): Promise<DryRun> {
  const link = await connectGitHub(context);
  const view = link ? await viewFromGitHub(context, link, cycle) : { first: [] };
  if (view.decided) return alreadyDecided('approve', cycle, view.first, view.decided.decision);
  const plan = await planApproval(context, cycle, { ...choice, ...(view.main ? { main: view.main } : {}) });
  return { ...plan, first: view.first, github: link ? await githubSteps(context, link, { branch: plan.branch, after: 'close' }) : [] };
}

async function rejectionDryRun(context: RepoContext, cycle: string): Promise<DryRun> {
  const link = await connectGitHub(context);
  const view = link ? await viewFromGitHub(context, link, cycle) : { first: [] };
  if (view.decided) return alreadyDecided('reject', cycle, view.first, view.decided.decision);
  const plan = await planRejection(context, cycle, view.main);
  return { ...plan, first: view.first, github: link ? await githubSteps(context, link, { branch: plan.branch, after: 'close' }) : [] };
}

function alreadyDecided(command: DryRun['command'], cycle: string, first: string[], decision: 'approved' | 'rejected'): DryRun {
  const how = decision === 'approved' ? 'merged' : 'rejected';
  return { command, target: cycle, first, refs: [], commits: [], github: [], notes: [`cycle ${cycle} is already ${how} on GitHub: nothing else would happen`] };
}
