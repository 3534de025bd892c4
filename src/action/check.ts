/**
 * The Action's `command: check`: `reverie check` on a pull request's checkout. Each lint finding becomes an
 * annotation on its file and line, the report goes to the job summary, the counts to the step's outputs, and a lint
 * error fails the step, as `reverie check` exits 1. Like run.ts, this file only reads, writes and prints; what it
 * says is decided by inputs.ts, check-report.ts and cycle/check.ts.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { check, checkFails, checkMarkdown } from '../cycle/check.js';
import { resolveOrFail } from '../cycle/lint.js';
import { ReverieError, UsageError } from '../errors.js';
import { openRepo, readEntry } from '../git/index.js';
import { redactText, redactTextValue } from '../sessions/redact.js';
import { checkAnnotations, checkHeadline, checkOutputs } from './check-report.js';
import { addMask, logLine, outputBlock } from './commands.js';
import { checkBase, eventFacts, memoryRepoDir, readCheckInputs, readRunnerContext, secretInputs, workspacePath, type CheckBase, type RunnerContext } from './inputs.js';
import { failureAnnotation, failureOf, failureSummary } from './report.js';
import type { ActionIo } from './run.js';

/** Runs the check; resolves to the step's exit code: 1 when the lint finds an error or the check cannot run. */
export async function runCheckAction(io: ActionIo): Promise<number> {
  // The check needs no token, but the workflow passes github-token by default: it is hidden all the same.
  for (const secret of secretInputs(io.env)) io.print(addMask(secret));
  const runner = readRunnerContext(io.env, { cwd: io.cwd, tempDir: io.tempDir });
  let repoDir = runner.workspace;
  const inWorkspace = (file: string) => workspacePath(runner, path.resolve(repoDir, file));
  try {
    const inputs = readCheckInputs(io.env);
    repoDir = memoryRepoDir(inputs, runner);
    const event = eventFacts(runner.eventPath ? await readFile(runner.eventPath, 'utf8').catch(() => undefined) : undefined);
    const base = checkBase(inputs, runner, event);
    await requireWholeHistory(repoDir);
    const found = await check({ repoDir, configFile: inputs.config, ...(base ? { base: await resolveBase(repoDir, base) } : {}) });
    // Messages may quote memory lines, and memory is what this check suspects of holding a secret.
    const report = redactTextValue(found);
    for (const line of checkAnnotations(report, inWorkspace)) io.print(line);
    io.print(logLine('reverie: ', checkHeadline(report)));
    if (runner.outputFile) await appendFile(runner.outputFile, outputBlock(checkOutputs(report), `ghadelimiter_${randomUUID()}`));
    if (runner.summaryFile) await appendFile(runner.summaryFile, `${checkMarkdown(report)}\n`);
    return checkFails(report, false) ? 1 : 0;
  } catch (error) {
    await reportFailure(io, runner, error, inWorkspace);
    return 1;
  }
}

const SHALLOW =
  'the checkout is shallow (actions/checkout fetches one commit unless told otherwise), and the check reads the history ' +
  "between the pull request and its base: give actions/checkout `fetch-depth: 0`";

/** The check walks the change's history (which dream commits it brings); a shallow clone stops short of it. */
async function requireWholeHistory(repoDir: string): Promise<void> {
  const repo = await openRepo(repoDir).catch(() => undefined);
  if (repo && existsSync(path.join(repo.gitdir, 'shallow'))) throw new UsageError(SHALLOW);
}

/** The base as a commit that the checkout has, or an error that says which setting to change. */
async function resolveBase(repoDir: string, base: CheckBase): Promise<string> {
  const repo = await openRepo(repoDir);
  const oid = await resolveOrFail(repo, base.ref).catch(() => undefined);
  // A commit id resolves to itself whether or not the checkout has it; reading it tells.
  if (oid && (await readEntry(repo, oid).then(() => true, () => false))) return oid;
  switch (base.source) {
    case 'input':
      throw new UsageError(`input base: no branch, tag or commit named "${base.ref}" in the checkout (a branch of the remote is origin/<branch>, fetched with actions/checkout's \`fetch-depth: 0\`)`);
    case 'event':
      throw new UsageError(`the pull request's base commit ${base.ref.slice(0, 7)} is not in the checkout: give actions/checkout \`fetch-depth: 0\``);
    case 'base-ref':
      throw new UsageError(`the pull request's base branch was not fetched (no ${base.ref.replace(/^refs\/remotes\//, '')}): give actions/checkout \`fetch-depth: 0\`, or set the base input`);
  }
}

async function reportFailure(io: ActionIo, runner: RunnerContext, error: unknown, inWorkspace: (file: string) => string | undefined): Promise<void> {
  const failure = failureOf(error, inWorkspace);
  io.print(failureAnnotation(failure));
  // reverie's own errors say all there is to say; anything else is a bug, and its stack helps whoever reports it.
  if (!(error instanceof ReverieError) && error instanceof Error && error.stack) io.printError(redactText(error.stack));
  if (runner.summaryFile) await appendFile(runner.summaryFile, failureSummary(failure.message, [], 'check')).catch(() => undefined);
}
