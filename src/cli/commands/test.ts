import type { Command } from 'commander';
import { FailedCasesError } from '../../errors.js';
import type { CaseResult } from '../../memory-tests/reader.js';
import { runMemoryTests, type TestRun } from '../../memory-tests/run.js';
import { plural, quoted, shortOid, type Output } from '../output.js';

interface TestFlags {
  ref?: string;
  json?: boolean;
  config: string;
  repo: string;
}

export function registerTest(program: Command, out: Output): void {
  program
    .command('test')
    .description('answer the memory test cases in .reverie/tests/ from the memory at a revision (exit 1 when a case fails, 2 on a bad test file)')
    .option('--ref <ref>', 'test the memory at this branch, tag or commit (default: main)')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: TestFlags) => {
      const run = await runMemoryTests({ repoDir: flags.repo, configFile: flags.config, ...(flags.ref ? { ref: flags.ref } : {}) });
      if (flags.json) out.json(run);
      else printRun(out, run);
      if (run.failed > 0) throw new FailedCasesError(`${plural(run.failed, 'case')} of ${run.cases.length} failed at ${run.ref}`);
    });
}

function printRun(out: Output, run: TestRun): void {
  out.line(`memory at ${run.ref} (${shortOid(run.commit)}), ${plural(run.cases.length, 'case')} in ${plural(run.files.length, 'test file')}`);
  for (const result of run.cases) printCase(out, result);
  if (run.files.length === 0) out.line('no test files: write cases in .reverie/tests/*.yaml (`reverie init` writes a starter file)');
  else out.line(`${run.passed} passed, ${run.failed} failed`);
}

function printCase(out: Output, result: CaseResult): void {
  out.line(`${result.passed ? 'pass' : 'FAIL'}  ${result.name}  (${result.file}:${result.line})`);
  for (const term of result.missing) out.line(`      missing: ${quoted(term)} is in none of the entries retrieved`);
  for (const match of result.forbidden) out.line(`      never:   ${quoted(match.term)} is in ${match.path}:${match.line}`);
  for (const entry of result.entries) out.line(`      ${entry.path}:${entry.line}  ${quoted(firstLine(entry.text))}`);
}

/** An entry's first line, as much of it as a terminal line shows. */
function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
