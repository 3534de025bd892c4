import type { Command } from 'commander';
import { FailedCasesError } from '../../errors.js';
import { UsageError } from '../../errors.js';
import type { ClaudeReaderRun } from '../../memory-tests/claude-reader.js';
import type { CaseResult } from '../../memory-tests/reader.js';
import { matchPlace } from '../../memory-tests/report.js';
import { runMemoryTests, type ReaderName, type TestRun } from '../../memory-tests/run.js';
import { plural, quoted, shortOid, type Output } from '../output.js';

interface TestFlags {
  ref?: string;
  reader: string;
  model?: string;
  json?: boolean;
  config: string;
  repo: string;
}

export function registerTest(program: Command, out: Output): void {
  program
    .command('test')
    .description(
      'answer the memory test cases in .reverie/tests/ from the memory at a revision (exit 1 when a case fails, 2 on a bad test file or, with --reader claude, no ANTHROPIC_API_KEY, 8 when the Messages API refuses the claude reader)',
    )
    .option('--ref <ref>', 'test the memory at this branch, tag or commit (default: main)')
    .option(
      '--reader <reader>',
      'who answers: offline (retrieval; deterministic, free) or claude (a model given the whole memory and the question, via the Messages API with ANTHROPIC_API_KEY; each answer is kept in .git/reverie/claude/tests until the memory or the question changes, and the run says what it cost)',
      'offline',
    )
    .option('--model <model>', 'with --reader claude: the model that answers (default: claude.curate.model)')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: TestFlags) => {
      // runMemoryTests refuses a reader it does not know.
      const reader = flags.reader as ReaderName;
      if (flags.model !== undefined && reader !== 'claude') throw new UsageError('--model is for --reader claude: the offline reader uses no model');
      const run = await runMemoryTests({
        repoDir: flags.repo,
        configFile: flags.config,
        reader,
        ...(flags.ref ? { ref: flags.ref } : {}),
        ...(flags.model ? { claude: { model: flags.model } } : {}),
      });
      if (flags.json) out.json(testRunJson(run));
      else printRun(out, run);
      if (run.failed > 0) throw new FailedCasesError(`${plural(run.failed, 'case')} of ${run.cases.length} failed at ${run.ref}`);
    });
}

/** The run as `--json` prints it: what the claude reader asked and spent in snake_case, as `reverie dream --json` has it. */
function testRunJson(run: TestRun) {
  const { claude, ...rest } = run;
  return { ...rest, claude: claude ? claudeJson(claude) : null };
}

function claudeJson(run: ClaudeReaderRun) {
  const { input, output, cacheWrite, cacheRead } = run.usage;
  return { model: run.model, cached: run.cached, asked: run.asked, requests: run.requests, usage: { input, output, cache_write: cacheWrite, cache_read: cacheRead }, cost_usd: run.costUsd };
}

function printRun(out: Output, run: TestRun): void {
  const reader = run.claude ? `, answered by ${run.claude.model}` : '';
  out.line(`memory at ${run.ref} (${shortOid(run.commit)}), ${plural(run.cases.length, 'case')} in ${plural(run.files.length, 'test file')}${reader}`);
  for (const result of run.cases) printCase(out, result, run.reader);
  if (run.files.length === 0) out.line('no test files: write cases in .reverie/tests/*.yaml (`reverie init` writes a starter file)');
  else out.line(`${run.passed} passed, ${run.failed} failed`);
  if (run.claude) out.line(claudeLine(run.claude));
}

function printCase(out: Output, result: CaseResult, reader: ReaderName): void {
  out.line(`${result.passed ? 'pass' : 'FAIL'}  ${result.name}  (${result.file}:${result.line})`);
  if (result.unanswered !== undefined) out.line(`      no answer: ${result.unanswered}`);
  if (result.answer !== undefined) out.line(`      answer:  ${quoted(result.answer)}`);
  const nowhere = reader === 'claude' ? 'in neither the answer nor an entry it cites' : 'in none of the entries retrieved';
  if (result.unanswered === undefined) for (const term of result.missing) out.line(`      missing: ${quoted(term)} is ${nowhere}`);
  for (const match of result.forbidden) out.line(`      never:   ${quoted(match.term)} is in ${matchPlace(match)}`);
  for (const entry of result.entries) out.line(`      ${entry.path}:${entry.line}  ${quoted(firstLine(entry.text))}`);
}

/** How many answers the model gave and the cache kept, and what the run cost, as the claude engine reports it. */
function claudeLine(run: ClaudeReaderRun): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const { input, output, cacheWrite, cacheRead } = run.usage;
  const cost = run.costUsd === null ? 'cost unknown (no price for this model)' : `$${run.costUsd.toFixed(4)}`;
  const answers = `${plural(run.cached + run.asked, 'answer')}, ${run.cached} from the cache`;
  if (run.requests === 0) return `${run.model}: ${answers}; nothing sent`;
  return `${run.model}: ${answers}; ${plural(run.requests, 'request')}, ${n(input)} in + ${n(output)} out (cache: ${n(cacheWrite)} written, ${n(cacheRead)} read), ${cost}`;
}

/** An entry's first line, as much of it as a terminal line shows. */
function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
