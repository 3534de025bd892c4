import type { Command } from 'commander';
import { openContext } from '../../cycle/context.js';
import { waitingOnGitHub } from '../../cycle/github-cycles.js';
import { reviewCycle, type CycleReview, type ReviewAction } from '../../cycle/review.js';
import { reviewBranch, type BranchReview } from '../../cycle/branch-review.js';
import { compileBranchFrom } from '../../compile/branch-names.js';
import { sessionBranchFrom } from '../../memory-tool/branch.js';
import { impactLine } from '../../dream/impact.js';
import { plural, quoted, shortOid, type Output } from '../output.js';
import { noticeLines } from './dream.js';

export function registerReview(program: Command, out: Output): void {
  program
    .command('review')
    .description('a pending cycle, action by action: rationale, diff and evidence, then how to approve or reject it; or a hand edit, compiled files or an agent session\'s writes, commit by commit, with their diff')
    .argument('[cycle]', 'cycle id or branch name (default: the only pending cycle); also a reverie/hand-edit-…, reverie/compile or reverie/session-… branch')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (cycle: string | undefined, flags: { json?: boolean; config: string; repo: string }) => {
      const context = await openContext(flags.repo, flags.config);
      const other = cycle === undefined ? undefined : (compileBranchFrom(cycle) ?? sessionBranchFrom(cycle));
      if (other) {
        const branch = await reviewBranch(context, other);
        return flags.json ? out.json(branch) : printBranch(out, branch);
      }
      const review = await reviewCycle(context, cycle, await waitingOnGitHub(context, (line) => out.warn(line)));
      if (flags.json) return out.json(review);
      printReview(out, review);
    });
}

/** A branch that is taken or dropped whole: its commits with their trailers and files, the diff, and the two commands. */
function printBranch(out: Output, review: BranchReview): void {
  out.line(`${review.branch} (${shortOid(review.tip)}), ${plural(review.commits.length, 'commit')} that main lacks, from ${shortOid(review.base)}`);
  for (const commit of review.commits) {
    out.line('');
    out.line(`${shortOid(commit.oid)} ${commit.subject}`);
    for (const [key, value] of commit.trailers) out.line(`  ${key}: ${value}`);
    out.line(`  files: ${commit.files.join(', ')}`);
  }
  out.line('');
  out.line('diff:');
  out.line(indent((review.diff || '(no change left: main has it all)').replace(/\n$/, ''), '  ', true));
  out.line('');
  out.line('decide:');
  out.line(`  approve          reverie approve ${review.branch}`);
  out.line(`  reject           reverie reject ${review.branch}`);
}

function printReview(out: Output, review: CycleReview): void {
  out.line(`cycle ${review.cycle} on ${review.branch} (${shortOid(review.tip)}), ${review.engine}, ${plural(review.actions.length, 'action')}`);
  out.line(impactLine(review.impact));
  for (const line of noticeLines(review.notices)) out.line(line);
  review.actions.forEach((action, i) => printAction(out, action, i + 1, review.actions.length));
  if (review.dropped.length > 0) {
    out.line('');
    out.line(`refused before review (${review.dropped.length}):`);
    for (const d of review.dropped) out.line(`  ${d.id} ${d.type} ${d.summary}: ${d.reason}`);
  }
  out.line('');
  out.line('decide:');
  out.line(`  approve all      ${review.commands.approve}`);
  out.line(`  approve some     ${review.commands.approve_some}`);
  out.line(`  all but some     ${review.commands.approve_except}`);
  out.line(`  drop from branch ${review.commands.drop}   (reverie keep brings one back)`);
  out.line(`  reject           ${review.commands.reject}`);
}

function printAction(out: Output, action: ReviewAction, n: number, total: number): void {
  out.line('');
  out.line(`[${n}/${total}] ${action.id}  ${action.type}  ${action.summary}${action.dropped_by ? `  (dropped by ${action.dropped_by})` : ''}`);
  out.line(`  files: ${action.paths.join(', ')}   commit: ${shortOid(action.commit)}   risk: ${action.risk}`);
  if (action.risk_reasons.length > 0) out.line(`  high risk: ${indent(action.risk_reasons.join('; '))}`);
  out.line(`  why: ${indent(action.rationale)}`);
  if (action.kept && action.gone.length > 0) out.line(`  keeps ${action.kept.path}: ${indent(action.kept.text, '         ')}`);
  for (const gone of action.gone) out.line(`  drops ${gone.path}: ${indent(gone.text, '         ')}`);
  if (action.evidence.length > 0) out.line('  evidence:');
  for (const e of action.evidence) {
    const turn = e.turn !== undefined ? `, turn ${e.turn}` : '';
    out.line(`    - ${e.session_id} (${e.agent}${turn}): ${quoted(e.quote)}`);
  }
  if (action.diff) {
    out.line('  diff:');
    out.line(indent(action.diff.replace(/\n$/, ''), '    ', true));
  }
}

function indent(text: string, prefix = '       ', first = false): string {
  return text
    .split('\n')
    .map((line, i) => (i > 0 || first ? prefix + line : line))
    .join('\n');
}
