import { CommanderError, type Command } from 'commander';

/**
 * Commands whose exit code 1 means "the check found errors" (lint, check) must not also exit 1 for a mistyped flag,
 * which is what commander does: a usage error exits 2 here, as reverie's other usage errors do. Help and version
 * keep their own codes.
 */
export function usageErrorsExitTwo(command: Command): Command {
  return command.exitOverride((error) => {
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') throw error;
    throw new CommanderError(2, error.code, error.message);
  });
}
