/**
 * The Action's `command: compile`: `reverie compile` on the checked-out memory repository, with the `github-token`
 * input as the token: in review mode each repository written into gets `reverie/compile` and its one pull request;
 * with `check: true` nothing is written and a stale file fails the step (a CI gate). Like run.ts, this file only
 * reads, writes and prints; what it says is decided by compile-report.ts.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { compile } from '../compile/run.js';
import { fetchCompileBranches, publishCompile, type CompilePublication } from '../compile/publish.js';
import type { Mode } from '../config/index.js';
import { lockAndRecover } from '../cycle/recover.js';
import { openContext } from '../cycle/repo-context.js';
import { redactText, redactTextValue } from '../sessions/redact.js';
import { logLine, outputBlock } from './commands.js';
import { compileAnnotations, compileFails, compileHeadline, compileOutputs, compileSummary } from './compile-report.js';
import type { ActionInputs, RunnerContext } from './inputs.js';
import type { ActionIo } from './run.js';

export interface CompileSetup {
  repoDir: string;
  /** The configuration as the Action overlays it (a scratch file). */
  configFile: string;
  inputs: ActionInputs;
  /** A path in the workspace for a file named relative to the memory repository, when it lies inside. */
  inWorkspace: (file: string) => string | undefined;
}

/** Runs the compile; resolves to the step's exit code. A GitHub failure after the commits is thrown, after the report. */
export async function compileStep(io: ActionIo, runner: RunnerContext, setup: CompileSetup): Promise<number> {
  const { inputs } = setup;
  const context = await openContext(setup.repoDir, setup.configFile);
  const mode: Mode = inputs.mode ?? context.config.mode;
  const options = { now: new Date(), check: inputs.check, mode, ...(inputs.agent ? { agent: inputs.agent } : {}) };
  // Only the input's token: a token the workflow happens to have in its environment is not taken silently.
  const github = { env: inputs.githubToken ? { GITHUB_TOKEN: inputs.githubToken } : {}, serverUrl: runner.serverUrl };
  const writes = !inputs.check && mode !== 'dry-run';
  let published: CompilePublication[] = [];
  let unpublished: unknown;
  let found;
  if (writes) {
    const { release, repairs } = await lockAndRecover(context, 'compile');
    try {
      for (const line of repairs.lines) io.print(logLine('reverie: ', `repaired: ${line}`));
      if (mode === 'review') await fetchCompileBranches(context, github);
      found = await compile(context, options);
      published = await publishCompile(context, found, github).catch((error: unknown) => {
        unpublished = error;
        return [];
      });
    } finally {
      release();
    }
  } else found = await compile(context, options);
  // Messages may quote memory lines, and a compiled file edited by hand is anyone's text.
  const report = redactTextValue(found);
  for (const line of compileAnnotations(report, setup.inWorkspace)) io.print(line);
  io.print(logLine('reverie: ', redactText(compileHeadline(report, published))));
  if (runner.outputFile) await appendFile(runner.outputFile, outputBlock(compileOutputs(report, published), `ghadelimiter_${randomUUID()}`));
  if (runner.summaryFile) await appendFile(runner.summaryFile, compileSummary(report, published));
  if (unpublished !== undefined) throw unpublished;
  return compileFails(report) ? 1 : 0;
}
