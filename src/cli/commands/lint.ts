import { Option, type Command } from 'commander';
import { fails, FindingsError, lint, type LintReport } from '../../cycle/lint.js';
import { HARNESSES, type Harness } from '../../memory/harness.js';
import type { Finding } from '../../memory/lint.js';
import { pad, plural, type Output } from '../output.js';

interface LintFlags {
  ref?: string;
  since?: string;
  harness?: Harness;
  strict?: boolean;
  json?: boolean;
  config: string;
  repo: string;
}

export function registerLint(program: Command, out: Output): void {
  program
    .command('lint')
    .description('check memory: format, namespace budgets, harness limits, secrets, protected files, links (exit 1 on errors)')
    .option('--ref <ref>', 'lint the memory at this branch, tag or commit instead of the working tree')
    .option('--since <ref>', 'only dream commits that this commit does not have count for protected/dream-commit')
    .addOption(harnessOption())
    .option('--strict', 'warnings fail too')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: LintFlags) => {
      const report = await lint({
        repoDir: flags.repo,
        configFile: flags.config,
        ...(flags.harness ? { harness: flags.harness } : {}),
        ...(flags.ref ? { ref: flags.ref } : {}),
        ...(flags.since ? { since: flags.since } : {}),
      });
      if (flags.json) out.json(report);
      else printReport(out, report);
      if (fails(report, flags.strict ?? false)) throw new FindingsError(`lint found ${summary(report)}`);
    });
}

/** --harness, shared with `reverie check`. */
export function harnessOption(): Option {
  return new Option('--harness <harness>', 'the program that reads the memory, whose limits apply (default: lint.harness in reverie.yaml, else none)').choices(HARNESSES);
}

function printReport(out: Output, report: LintReport): void {
  const width = Math.max(0, ...report.findings.map((f) => where(f).length));
  for (const finding of report.findings) out.line(`${pad(where(finding), width)}  ${pad(finding.severity, 7)}  ${pad(finding.rule, 24)}  ${finding.message}`);
  const files = plural(report.files, 'memory file');
  out.line(report.findings.length === 0 ? `memory is clean: ${files}, no findings` : `${summary(report)} in ${files}`);
}

function where(finding: Finding): string {
  return finding.line === null ? finding.file : `${finding.file}:${finding.line}`;
}

function summary(report: Pick<LintReport, 'errors' | 'warnings'>): string {
  return `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`;
}
