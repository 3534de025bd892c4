import { Option, type Command } from 'commander';
import { initMemoryRepo, type InitResult } from '../../cycle/init.js';
import { DEFAULT_HOOK_COMMAND, DEFAULT_LAYOUT, LAYOUTS, type Layout } from '../../cycle/skeleton.js';
import type { Output } from '../output.js';

interface InitFlags {
  layout: Layout;
  github?: boolean;
  action?: string;
  owners?: string;
  hooks?: boolean;
  hookCommand: string;
  force?: boolean;
  json?: boolean;
}

export function registerInit(program: Command, out: Output): void {
  program
    .command('init')
    .description('turn a folder (new or an existing git repository) into a memory repo')
    .argument('[dir]', 'the folder', '.')
    .addOption(new Option('--layout <layout>', 'the memory skeleton and its namespaces').choices(LAYOUTS).default(DEFAULT_LAYOUT))
    .option('--github', 'also write .github/workflows/reverie.yml (nightly dream), reverie-check.yml (pull request check) and reverie-review.yml (acts on what reviewers do on a cycle\'s pull request)')
    .option('--action <ref>', 'the reverie action the workflows use, as owner/repo@ref or owner/repo/path@ref')
    .option('--owners <owners>', 'with --github: write .github/CODEOWNERS putting protected namespaces under these owners (@org/team, @user or an email; several separated by spaces or commas)')
    .option('--hooks', 'install a pre-commit hook (simple-git-hooks) that runs reverie lint before each commit')
    .option('--hook-command <command>', 'the command the pre-commit hook runs', DEFAULT_HOOK_COMMAND)
    .option('--force', 'replace files that already exist')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, flags: InitFlags) => {
      const result = await initMemoryRepo(dir, { name: 'reverie', email: 'reverie@users.noreply.github.com' }, {
        layout: flags.layout,
        ...(flags.github ? { github: true } : {}),
        // Given at all, even empty, they are checked: an empty --action is a mistake, not a request for the placeholder.
        ...(flags.action !== undefined ? { action: flags.action } : {}),
        ...(flags.owners !== undefined ? { owners: flags.owners } : {}),
        ...(flags.hooks ? { hooks: true, hookCommand: flags.hookCommand } : {}),
        ...(flags.force ? { force: true } : {}),
      });
      if (flags.json) return out.json(result);
      printResult(out, result);
    });
}

function printResult(out: Output, result: InitResult): void {
  const hookChanged = result.hook?.status === 'created' || result.hook?.status === 'overwritten';
  if (result.created.length === 0 && result.overwritten.length === 0 && !hookChanged) {
    out.line(`${result.dir} is already a memory repo; nothing changed`);
  } else {
    if (result.createdRepo) out.line(`initialised a git repository in ${result.dir}`);
    for (const file of result.created) out.line(`  created     ${file}`);
    for (const file of result.overwritten) out.line(`  overwritten ${file}`);
    for (const file of result.existing) out.line(`  kept        ${file} (already there; --force replaces it)`);
  }
  if (result.hook) out.line(`  hook        ${result.hook.path} ${hookStatus(result.hook.status)}: runs \`${result.hook.command}\` before each commit`);
  if (result.commit) out.line(`committed them on main (${result.commit.slice(0, 7)}); add session logs under sessions/ and run \`reverie dream\``);
  else if (result.created.length + result.overwritten.length > 0) out.line('commit these files on your main branch, add session logs under sessions/, then run `reverie dream`');
  for (const note of result.notes) out.line(`note: ${note}`);
}

function hookStatus(status: NonNullable<InitResult['hook']>['status']): string {
  if (status === 'kept') return 'kept (a different hook was there)';
  return status;
}
