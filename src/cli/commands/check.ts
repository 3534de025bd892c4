import { appendFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { check, checkFails, checkMarkdown, type CheckReport } from '../../cycle/check.js';
import { fails, FindingsError } from '../../cycle/lint.js';
import type { Harness } from '../../memory/harness.js';
import { memoryCheckJson } from '../../memory-tests/report.js';
import type { Output } from '../output.js';
import { harnessOption } from './lint.js';

interface CheckFlags {
  base?: string;
  head?: string;
  harness?: Harness;
  strict?: boolean;
  summary?: string;
  json?: boolean;
  config: string;
  repo: string;
}

export function registerCheck(program: Command, out: Output): void {
  program
    .command('check')
    .description('pull-request check: lint the memory, report what the change does per namespace, to the memory tests and to each target\'s context cost, as Markdown for the job summary')
    .option('--base <ref>', 'measure the change from this commit (default: where the history meets main)')
    .option('--head <ref>', 'check this commit instead of the working tree')
    .addOption(harnessOption())
    .option('--strict', 'warnings fail too')
    .option('--summary <file>', 'append the Markdown to this file (default: $GITHUB_STEP_SUMMARY when set)')
    .option('--json', 'print one JSON object instead of the Markdown')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: CheckFlags) => {
      const report = await check({
        repoDir: flags.repo,
        configFile: flags.config,
        ...(flags.harness ? { harness: flags.harness } : {}),
        ...(flags.base ? { base: flags.base } : {}),
        ...(flags.head ? { head: flags.head } : {}),
      });
      const strict = flags.strict ?? false;
      const markdown = checkMarkdown(report, strict);
      const summaryFile = flags.summary ?? process.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) await appendFile(summaryFile, `${markdown}\n`);
      if (flags.json) out.json(jsonOf(report, strict));
      else out.line(markdown.trimEnd());
      if (fails(report.lint, strict)) throw new FindingsError(`check found ${report.lint.errors} lint errors${strict ? ` and ${report.lint.warnings} warnings` : ''}`);
      const holds = report.memoryTests?.holds ?? [];
      if (holds.length > 0) throw new FindingsError(`the change needs a person: ${holds.join('; ')}`);
    });
}

/** The JSON contract of `reverie check --json`: snake_case, as the other commands' JSON. */
function jsonOf(report: CheckReport, strict: boolean) {
  return {
    ok: !checkFails(report, strict),
    base: report.base,
    head: report.head,
    namespaces: report.namespaces.map((c) => ({
      namespace: c.namespace,
      policy: c.policy,
      budget_tokens: c.budgetTokens ?? null,
      added: c.added,
      changed: c.changed,
      merged: c.merged,
      pruned: c.pruned,
      unchanged: c.unchanged,
      entries_before: c.entriesBefore,
      entries_after: c.entriesAfter,
      tokens_before: c.tokensBefore,
      tokens_after: c.tokensAfter,
      net_tokens: c.netTokens,
    })),
    lint: report.lint,
    memory_tests: report.memoryTests ? memoryCheckJson(report.memoryTests) : null,
  };
}
