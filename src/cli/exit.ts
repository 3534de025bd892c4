import { CommanderError, type Command } from 'commander';
import type { Output } from './output.js';

/**
 * A mistyped command, flag or argument exits 2, as reverie's other usage errors do (commander's own code is 1, which
 * `lint` and `check` use for "the check found errors", and which every command uses for a failure of its own). Help
 * and version keep their code 0. Set on the program before its commands are added, so that each of them inherits it.
 */
export function usageErrorsExitTwo(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') throw error;
    throw new CommanderError(2, error.code, error.message);
  });
}

/**
 * commander's help and error messages go through the same output as the rest: a mistyped flag is echoed back, and
 * what someone typed after it (a key pasted in the wrong place) is masked like any other text reverie prints.
 */
export function commanderOutput(command: Command, out: Output): Command {
  return command.configureOutput({
    writeOut: (text) => out.line(text.replace(/\n$/, '')),
    writeErr: (text) => out.warn(text.replace(/\n$/, '')),
  });
}
