/**
 * The Action's shell: reads the environment, runs one dream cycle, and leaves outputs, a job summary and annotations
 * for the runner. Everything it decides is decided by the pure functions of inputs.ts, config-overlay.ts and
 * report.ts; this file only reads, writes and prints.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { dream, type DreamOptions, type DreamResult, type PhaseReport } from '../cycle/dream.js';
import { ReverieError } from '../errors.js';
import { openRepo } from '../git/index.js';
import { resolveRemote } from '../github/remote.js';
import { redactText, redactTextValue } from '../sessions/redact.js';
import { addMask, logLine, outputBlock } from './commands.js';
import { overlayConfig } from './config-overlay.js';
import { prepareCheckout } from './checkout.js';
import { respondStep } from './respond.js';
import { compileStep } from './compile.js';
import { sessionPullLines } from '../memory-tool/publish.js';
import { configOverrides, eventFacts, memoryRepoDir, readInputs, readRunnerContext, secretInputs, workspacePath, type RunnerContext } from './inputs.js';
import { failureAnnotation, failureOf, failureOutputs, failureSummary, jobSummary, phaseLine, resultAnnotations, stepOutputs, type Links } from './report.js';

export interface ActionIo {
  env: NodeJS.ProcessEnv;
  /** The working directory and a scratch folder, for a run outside GitHub that sets no GITHUB_WORKSPACE or RUNNER_TEMP. */
  cwd: string;
  tempDir: string;
  /** One line to the step's log, where the runner also reads workflow commands. */
  print(line: string): void;
  /** One line to stderr: a stack trace, which is for the person reading the log, not for the runner. */
  printError(line: string): void;
}

/** Runs the Action; resolves to the step's exit code. */
export async function runAction(io: ActionIo): Promise<number> {
  // Before anything else is read or printed, the runner learns which values to hide from the log.
  for (const secret of secretInputs(io.env)) io.print(addMask(secret));
  const runner = readRunnerContext(io.env, { cwd: io.cwd, tempDir: io.tempDir });
  let repoDir = runner.workspace;
  let scratch: string | undefined;
  // What the cycle has done so far: a run that fails half-way still tells later steps its cycle, branch and pull request.
  const phases: PhaseReport[] = [];
  let what = 'dream cycle';
  let compiling = false;
  const inWorkspace = (file: string) => workspacePath(runner, path.resolve(repoDir, file));
  try {
    const inputs = readInputs(io.env);
    if (inputs.command === 'respond') what = 'response to the pull request';
    if (inputs.command === 'compile') [what, compiling] = ['compile', true];
    repoDir = memoryRepoDir(inputs, runner);
    // Validated as the repository has it first, so that an error names its own file and line.
    const own = await loadConfig(repoDir, inputs.config);
    const event = eventFacts(runner.eventPath ? await readFile(runner.eventPath, 'utf8').catch(() => undefined) : undefined);
    scratch = await mkdtemp(path.join(runner.tempDir, 'reverie-'));
    const configFile = path.join(scratch, 'reverie.yaml');
    await writeFile(configFile, overlayConfig(await readFile(own.file, 'utf8'), configOverrides(inputs, runner, event)));
    const config = await loadConfig(repoDir, configFile);

    const prepared = await prepareCheckout(repoDir, config, inputs.githubToken);
    if (prepared.source !== 'local') io.print(logLine('reverie: ', `${config.git.main} taken from ${prepared.source === 'fetched' ? 'the remote' : 'the checkout\'s remote-tracking branch'} (${prepared.main.slice(0, 7)})`));
    if (prepared.deepened) io.print(logLine('reverie: ', `the shallow checkout was deepened to the whole history of ${config.git.main}`));
    if (inputs.command === 'compile') return await compileStep(io, runner, { repoDir, configFile, inputs, inWorkspace });
    if (inputs.command === 'respond') {
      await respondStep(io, runner, { repoDir, configFile, ...(inputs.githubToken ? { githubToken: inputs.githubToken } : {}) });
      return 0;
    }

    const options: DreamOptions = {
      repoDir,
      configFile,
      ...(inputs.mode ? { mode: inputs.mode } : {}),
      ...(inputs.engine ? { engine: inputs.engine } : {}),
      ...(inputs.waiting === 'update' ? { update: true } : inputs.waiting === 'supersede' ? { supersede: true } : {}),
      // Only the input's token: a token the workflow happens to have in its environment is not taken silently.
      github: { env: inputs.githubToken ? { GITHUB_TOKEN: inputs.githubToken } : {} },
      ...(inputs.anthropicApiKey ? { claude: { apiKey: inputs.anthropicApiKey }, managed: { apiKey: inputs.anthropicApiKey } } : {}),
      onPhase: (report) => {
        phases.push(report);
        const line = phaseLine(report);
        if (line) io.print(logLine('reverie: ', redactText(line)));
      },
    };
    const result = await dream(options);
    // The result quotes sessions (summaries, reasons, the diff): everything it puts on the run is redacted first.
    await report(io, runner, redactTextValue(result), await linksFor(repoDir, config, runner), inWorkspace);
    // A failed cycle wrote nothing and reported why: the step fails, so the workflow run shows it.
    return result.outcome === 'failed' ? 1 : 0;
  } catch (error) {
    const failure = failureOf(error, inWorkspace);
    io.print(failureAnnotation(failure));
    // reverie's own errors say all there is to say; anything else is a bug, and its stack helps whoever reports it.
    if (!(error instanceof ReverieError) && error instanceof Error && error.stack) io.printError(redactText(error.stack));
    if (runner.summaryFile) await appendFile(runner.summaryFile, failureSummary(failure.message, phases, what)).catch(() => undefined);
    const outputs = compiling ? { outcome: 'failed', stale: '', 'pull-request-number': '', 'pull-request-url': '' } : failureOutputs(phases);
    if (runner.outputFile) await appendFile(runner.outputFile, outputBlock(outputs, `ghadelimiter_${randomUUID()}`)).catch(() => undefined);
    return 1;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function report(io: ActionIo, runner: RunnerContext, result: DreamResult, links: Links, inWorkspace: (file: string) => string | undefined): Promise<void> {
  // A committed cycle's approval was printed with its phase; the other outcomes end before that phase.
  if (result.outcome !== 'committed') io.print(logLine('reverie: ', redactText(`${result.outcome}: ${result.approval}`)));
  for (const a of result.actions) io.print(logLine('  ', redactText(`${a.id} ${a.type} ${a.paths.join(', ')}: ${a.summary}`)));
  if (result.diff !== undefined) printUntrusted(io, 'The plan as a diff of the memory', redactText(result.diff || '(no changes)'));
  for (const line of sessionPullLines(result.session_pulls ?? [])) io.print(logLine('reverie: ', redactText(`github: ${line}`)));
  for (const line of resultAnnotations(result, inWorkspace)) io.print(line);
  if (runner.outputFile) await appendFile(runner.outputFile, outputBlock(stepOutputs(result), `ghadelimiter_${randomUUID()}`));
  if (runner.summaryFile) await appendFile(runner.summaryFile, jobSummary(result, links));
}

/**
 * Prints text that may hold anything (memory built from session logs) in a collapsed group, with workflow commands
 * switched off for its length: the runner would otherwise act on a line that happens to read `::add-mask::...`.
 */
function printUntrusted(io: ActionIo, title: string, text: string): void {
  const resume = randomUUID();
  io.print(`::group::${title}`);
  io.print(`::stop-commands::${resume}`);
  for (const line of text.split('\n')) io.print(line);
  io.print(`::${resume}::`);
  io.print('::endgroup::');
}

/** The repository on GitHub the cycle's commits went to, for links; none when it cannot be told. */
async function linksFor(repoDir: string, config: Config, runner: RunnerContext): Promise<Links> {
  if (!config.github) return { serverUrl: runner.serverUrl };
  try {
    const remote = await resolveRemote(await openRepo(repoDir), config.github.remote, config.github.repo);
    return { serverUrl: runner.serverUrl, repository: `${remote.owner}/${remote.repo}` };
  } catch {
    return { serverUrl: runner.serverUrl };
  }
}
