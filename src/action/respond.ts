/**
 * The Action's `command: respond`: what a reviewer did on a cycle's pull request (its checkboxes, a `/reverie`
 * comment, its closing), read from the event that started the run and acted on by cycle/respond.ts. Like run.ts, this
 * file only reads, writes and prints.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { openContext } from '../cycle/context.js';
import { connectGitHub } from '../cycle/publish.js';
import { respondToReview, type Response } from '../cycle/respond.js';
import { UsageError } from '../errors.js';
import { readReviewEvent } from '../github/events.js';
import { redactText } from '../sessions/redact.js';
import { logLine, outputBlock } from './commands.js';
import type { RunnerContext } from './inputs.js';
import type { ActionIo } from './run.js';

export async function respondStep(io: ActionIo, runner: RunnerContext, setup: { repoDir: string; configFile: string; githubToken?: string }): Promise<Response> {
  const context = await openContext(setup.repoDir, setup.configFile);
  const link = await connectGitHub(context, { env: setup.githubToken ? { GITHUB_TOKEN: setup.githubToken } : {} });
  if (!link) throw new UsageError('command respond acts on a pull request on GitHub: it needs a github-token input and, outside the workspace repository, a github: section in reverie.yaml');
  const payload = runner.eventPath ? await readFile(runner.eventPath, 'utf8').catch(() => undefined) : undefined;
  const response = await respondToReview(context, link, readReviewEvent(io.env.GITHUB_EVENT_NAME, payload), { now: new Date() });
  for (const line of responseLines(response)) io.print(logLine('reverie: ', redactText(line)));
  if (runner.outputFile) await appendFile(runner.outputFile, outputBlock(responseOutputs(response), `ghadelimiter_${randomUUID()}`));
  if (runner.summaryFile) await appendFile(runner.summaryFile, responseSummary(response));
  return response;
}

export function responseLines(response: Response): string[] {
  return [
    ...(response.repaired ?? []).map((line) => `repaired: ${line}`),
    ...(response.sync ?? []).map((line) => `github: ${line}`),
    `${response.outcome}${response.pull ? ` (pull request #${response.pull}${response.cycle ? `, cycle ${response.cycle}` : ''})` : ''}${response.reason ? `: ${response.reason}` : ''}`,
  ];
}

/** The step's outputs, each set (empty when it does not apply), as the dream command sets its own. */
export function responseOutputs(response: Response): Record<string, string> {
  return { outcome: response.outcome, cycle: response.cycle ?? '', 'pull-request-number': response.pull ? String(response.pull) : '' };
}

function responseSummary(response: Response): string {
  const head = `### reverie: ${response.outcome}${response.pull ? ` on pull request #${response.pull}` : ''}\n\n`;
  const body = response.reply ? `${redactText(response.reply)}\n` : response.reason ? `${redactText(response.reason)}\n` : '';
  return `${head}${body}\n`;
}
