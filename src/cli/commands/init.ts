import type { Command } from 'commander';
import { initMemoryRepo } from '../../cycle/init.js';
import type { Output } from '../output.js';

export function registerInit(program: Command, out: Output): void {
  program
    .command('init')
    .description('turn a folder (new or an existing git repository) into a memory repo')
    .argument('[dir]', 'the folder', '.')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const result = await initMemoryRepo(dir, { name: 'reverie', email: 'reverie@users.noreply.github.com' });
      if (flags.json) return out.json(result);
      if (result.created.length === 0) {
        out.line(`${result.dir} is already a memory repo; nothing changed`);
        return;
      }
      if (result.createdRepo) out.line(`initialised a git repository in ${result.dir}`);
      for (const file of result.created) out.line(`  created ${file}`);
      for (const file of result.existing) out.line(`  kept    ${file} (already there)`);
      if (result.commit) out.line(`committed them on main (${result.commit.slice(0, 7)}); add session logs under sessions/ and run \`reverie dream\``);
      else out.line('commit these files on your main branch, add session logs under sessions/, then run `reverie dream`');
    });
}
