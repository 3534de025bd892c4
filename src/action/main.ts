/**
 * The GitHub Action's entry point (action.yml runs its bundle, dist-action/index.js): one dream cycle on the
 * checked-out memory repository. The core never imports this folder.
 */
import os from 'node:os';
import { runAction } from './run.js';

process.exitCode = await runAction({
  env: process.env,
  cwd: process.cwd(),
  tempDir: os.tmpdir(),
  print: (line) => process.stdout.write(`${line}\n`),
  printError: (line) => process.stderr.write(`${line}\n`),
});
