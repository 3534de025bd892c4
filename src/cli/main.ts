#!/usr/bin/env node
/**
 * The command line's entry: what must hold for every run (a closed pipe, a signal), then the program (program.ts),
 * loaded only when there is something for it to do: `reverie --version` prints the version without it.
 */
import { VERSION } from '../version.js';

/** The id of this build, set by the bundler (scripts/build-cli.ts); absent when the command line runs unbundled. */
declare const __REVERIE_BUILD__: string | undefined;

// `reverie log | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// An interrupted cycle must still release its lock: exit handlers run on process.exit, not on signals.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What commander prints for it, without loading commander, the commands or the redaction rules: the version is ours.
  process.stdout.write(`${VERSION}\n`);
  process.exitCode = 0;
} else {
  void import('./program.js')
    // The commands that only report keep answers of pure reads between runs, keyed by this build (program.ts).
    .then(({ run }) => run(process.argv, typeof __REVERIE_BUILD__ === 'string' ? __REVERIE_BUILD__ : undefined))
    .then((code) => {
      process.exitCode = code;
    });
}
