#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ReverieError } from '../errors.js';
import { registerCheck } from './commands/check.js';
import { registerDecisions } from './commands/decide.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDream } from './commands/dream.js';
import { registerInit } from './commands/init.js';
import { registerLint } from './commands/lint.js';
import { registerLog } from './commands/log.js';
import { registerReview } from './commands/review.js';
import { registerRevert } from './commands/revert.js';
import { registerSessions } from './commands/sessions.js';
import { registerStats } from './commands/stats.js';
import { registerStatus } from './commands/status.js';
import { registerWhy } from './commands/why.js';
import { commanderOutput, usageErrorsExitTwo } from './exit.js';
import { consoleOutput } from './output.js';
import { VERSION } from '../version.js';
import { pendingRepairs } from '../cycle/recover.js';
import { openRepo } from '../git/repo.js';

/** Read-only commands that look at the repository's history (status says it itself, writing commands repair). */
const SAYS_WHAT_NEEDS_REPAIR = new Set(['log', 'review', 'why', 'stats']);

/** Builds the command tree; exported so tests and the library can run commands in-process. */
export function buildProgram(out = consoleOutput()): Command {
  const program = new Command('reverie')
    .description('dream cycles for agent memory: curate memory files from past sessions as reviewable git commits')
    .version(VERSION)
    .showHelpAfterError();
  // Before the commands are added: each inherits both.
  usageErrorsExitTwo(program);
  commanderOutput(program, out);
  registerInit(program, out);
  registerDream(program, out);
  registerLog(program, out);
  registerStatus(program, out);
  registerSessions(program, out);
  registerDecisions(program, out);
  registerReview(program, out);
  registerWhy(program, out);
  registerStats(program, out);
  registerRevert(program, out);
  registerLint(program, out);
  registerCheck(program, out);
  registerDoctor(program, out);
  // Commands that only read say what an interrupted run left; those that write repair it first (cycle/recover.ts).
  program.hook('preAction', async (_program, action) => {
    const flags = action.opts() as { repo?: string; json?: boolean };
    if (!SAYS_WHAT_NEEDS_REPAIR.has(action.name()) || flags.json) return;
    const repo = await openRepo(flags.repo ?? '.').catch(() => undefined);
    if (!repo) return;
    for (const line of await pendingRepairs(repo)) out.warn(`needs repair: ${line}; any writing command or \`reverie doctor\` repairs it`);
  });
  return program;
}

/** One place maps errors to exit codes: ours carry theirs; anything else is a bug (exit 70). */
export async function run(argv: string[]): Promise<number> {
  const out = consoleOutput();
  try {
    await buildProgram(out).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ReverieError || hasExitCode(error)) {
      out.warn(`reverie: ${(error as Error).message}`);
      return (error as { exitCode: number }).exitCode;
    }
    out.warn(`reverie: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 70;
  }
}

function hasExitCode(error: unknown): error is { exitCode: number } {
  return typeof (error as { exitCode?: unknown })?.exitCode === 'number';
}

// `reverie log | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// An interrupted cycle must still release its lock: exit handlers run on process.exit, not on signals.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

run(process.argv).then((code) => {
  process.exitCode = code;
});
