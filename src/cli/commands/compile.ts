import type { Command } from 'commander';
import { MODES, type Mode } from '../../config/types.js';
import { ReverieError, UsageError } from '../../errors.js';
import { openContext } from '../../cycle/repo-context.js';
import { lockAndRecover } from '../../cycle/recover.js';
import { compile, COMPILE_BRANCH, type AgentReport, type CompileReport } from '../../compile/run.js';
import type { CompilePublication } from '../../compile/publish.js';
import { pad, type Output } from '../output.js';

interface CompileFlags {
  agent?: string;
  check?: boolean;
  mode?: string;
  json?: boolean;
  config: string;
  repo: string;
}

/** A target over a limit, an edit that cannot be traced, or (under --check) anything left to do: exit 1. */
class CompileFindingsError extends ReverieError {
  override readonly exitCode = 1;
}

export function registerCompile(program: Command, out: Output): void {
  program
    .command('compile')
    .description("write main's memory into each agent's own file (CLAUDE.md, AGENTS.md, GEMINI.md, Copilot's and Cursor's, .claude/rules), as `compile:` of each agent in reverie.yaml says; a file edited by hand is kept and its edit proposed to the memory as a branch")
    .option('--agent <name>', 'only this agent')
    .option('--check', 'say what would be written or proposed and write nothing; exit 1 when a file is stale, over a limit or edited by hand (a CI check)')
    .option('--mode <mode>', 'auto (commit on the checked-out branch) | review (commit on reverie/compile) | dry-run (as --check); default: mode in reverie.yaml')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .addHelpText(
      'after',
      `
Each agent with a compile: key in reverie.yaml gets the memory files its loads: globs select, as committed on main:

  agents:
    - name: claude-code
      loads: ["**/*.md"]
      max_lines: 400
      compile:
        format: claude-md          # claude-md | agents-md | gemini-md | copilot | cursor | claude-rules
        into: ../app               # a folder: the memory repository (default ".") or a repository beside it
        path: CLAUDE.md            # relative to into (default: the format's usual file or folder)

In review mode a git repository at into: gets the files on its branch ${COMPILE_BRANCH}; in auto mode they are
committed on its checked-out branch. What was written is recorded in .reverie/compiled.json.

With a github: section in reverie.yaml (and GITHUB_TOKEN or GH_TOKEN set), what a run commits goes to GitHub: in
review mode ${COMPILE_BRANCH} is pushed to each repository whose remote is on that GitHub (the memory repository's
github.remote; a code repository's origin), with one pull request kept up to date there; in auto mode the branch
the files went on is pushed when every commit GitHub lacks is compile's own. So is the record on main. Without the
section nothing is pushed.`,
    )
    .action(async (flags: CompileFlags) => {
      if (flags.mode !== undefined && !MODES.includes(flags.mode as Mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')} (got "${flags.mode}")`);
      const context = await openContext(flags.repo, flags.config);
      const options = { now: new Date(), check: flags.check === true, ...(flags.agent ? { agent: flags.agent } : {}), ...(flags.mode ? { mode: flags.mode as Mode } : {}) };
      const writes = !options.check && flags.mode !== 'dry-run' && !(flags.mode === undefined && context.config.mode === 'dry-run');
      let report: CompileReport;
      let github: CompilePublication[] = [];
      let unpublished: unknown;
      if (writes) {
        // The token is checked before anything is written: a missing one stops the run with nothing half-done.
        // The GitHub side (isomorphic-git's transport, Octokit) loads only with a github: section.
        const publisher = context.config.github ? await import('../../compile/publish.js') : undefined;
        publisher?.requireToken(process.env);
        const { release, repairs } = await lockAndRecover(context, 'compile');
        try {
          for (const line of repairs.lines) out.warn(`repaired: ${line}`);
          if (publisher && (options.mode ?? context.config.mode) === 'review') await publisher.fetchCompileBranches(context, { env: process.env });
          report = await compile(context, options);
          // What was committed stays committed when GitHub fails: the report says what, and the next run pushes it.
          github = publisher
            ? await publisher.publishCompile(context, report, { env: process.env }).catch((error: unknown) => {
                unpublished = error;
                return [];
              })
            : [];
        } finally {
          release();
        }
      } else report = await compile(context, options);
      if (flags.json) out.json({ ...report, github });
      else printReport(out, report, github);
      if (unpublished !== undefined) throw unpublished;
      const failed = report.agents.filter((a) => a.over.length > 0 || a.untraceable.length > 0 || a.error !== undefined).map((a) => a.agent);
      if (failed.length > 0) throw new CompileFindingsError(`not compiled as it is for ${failed.join(', ')}: see above`);
      if (report.check && report.stale) throw new CompileFindingsError('the compiled files are not up to date with the memory (--check)');
    });
}

function printReport(out: Output, report: CompileReport, github: readonly CompilePublication[]): void {
  const how = report.check ? 'check: nothing is written' : report.mode === 'review' ? `review mode: a git repository gets the files on ${COMPILE_BRANCH}` : 'auto mode: committed on the checked-out branch';
  out.line(`memory at ${report.memory_commit.slice(0, 7)}, ${how}`);
  if (report.agents.length === 0) out.line('no agent has compile: in reverie.yaml; see `reverie compile --help`');
  for (const agent of report.agents) printAgent(out, agent, report.check);
  if (report.record_commit) out.line(`recorded in .reverie/compiled.json on main (${report.record_commit.slice(0, 7)})`);
  for (const line of publicationLines(github)) out.line(`github: ${line}`);
}

/** One line per repository published to: what was pushed, and the pull request. */
export function publicationLines(github: readonly CompilePublication[]): string[] {
  return github.map((p) => {
    const where = p.repository ?? (p.into === '.' ? 'the memory repository' : p.into);
    const push = p.push === 'pushed' ? `${p.branch} pushed` : p.push === 'up-to-date' ? `${p.branch} up to date` : `${p.branch} not pushed`;
    const pull = p.pull ? `; pull request #${p.pull.number} ${p.pull.action} (${p.pull.url})` : '';
    return `${where}: ${push}${pull}${p.note ? `; ${p.note}` : ''}`;
  });
}

function printAgent(out: Output, agent: AgentReport, check: boolean): void {
  const where = agent.destination.kind === 'folder' ? agent.into : `${agent.into === '.' ? 'the memory repository' : agent.into}, branch ${agent.destination.branch}`;
  out.line(`${agent.agent}  ${agent.format} → ${where}  (${agent.size.lines.toLocaleString('en-US')} lines, ${agent.size.bytes.toLocaleString('en-US')} bytes, ~${agent.size.tokens.toLocaleString('en-US')} tokens)`);
  if (agent.error) out.line(`  error      ${agent.error}`);
  for (const file of agent.files) {
    const verb = check && file.action === 'write' ? 'would write' : check && file.action === 'delete' ? 'would delete' : file.action;
    out.line(`  ${pad(verb, 11)}${file.path}${file.reason ? `: ${file.reason}` : ''}`);
  }
  for (const over of agent.over) {
    out.line(`  ${pad('over', 11)}${over.file ? `${over.file}: ` : ''}${over.size.toLocaleString('en-US')} ${over.limit} of at most ${over.max.toLocaleString('en-US')}, over by ${over.over_by.toLocaleString('en-US')} (${over.source}); nothing of ${agent.agent} was written`);
  }
  for (const warning of agent.warnings) out.line(`  ${pad('warning', 11)}${warning}`);
  for (const edit of agent.hand_edits) {
    const branch = edit.waiting ? `waits for review on ${edit.waiting}` : edit.branch ? `proposed on ${edit.branch}` : 'would be proposed on a reverie/hand-edit branch';
    out.line(`  ${pad('hand edit', 11)}${edit.file} → ${edit.sources.join(', ')}: ${branch}${edit.branch ? ` (reverie approve ${edit.branch} | reverie reject ${edit.branch})` : ''}`);
  }
  for (const problem of agent.untraceable) out.line(`  ${pad('untraced', 11)}${problem.file}:${problem.line}: ${problem.message}; the file is left as it is`);
  if (agent.commit) out.line(`  ${pad('committed', 11)}${agent.commit.slice(0, 7)} on ${agent.destination.branch} of ${agent.into === '.' ? 'the memory repository' : agent.into}`);
}
