/**
 * The GitHub Action's entry point (action.yml runs its bundle, dist-action/index.js): one dream cycle on the
 * checked-out memory repository, or with `command: check` the pull-request check of its memory. The core never
 * imports this folder.
 */
import os from 'node:os';
// The dream cycle's modules first: the bundle keeps the order it had before the check joined it.
import { runAction, type ActionIo } from './run.js';
import { runCheckAction } from './check.js';
import { rawInput } from './inputs.js';

const io: ActionIo = {
  env: process.env,
  cwd: process.cwd(),
  tempDir: os.tmpdir(),
  print: (line) => process.stdout.write(`${line}\n`),
  printError: (line) => process.stderr.write(`${line}\n`),
};

// Any other command goes to the dream cycle, whose input validation refuses one it does not know, naming the input.
process.exitCode = await (rawInput(process.env, 'command') === 'check' ? runCheckAction(io) : runAction(io));
