import type { Command } from 'commander';
import { openContext } from '../../cycle/context.js';
import { checkLooseObjects, danglingRefs, pendingRepairs, recoverInterrupted, type BrokenObject } from '../../cycle/recover.js';
import { GitStateError, ReverieError } from '../../errors.js';
import { acquireLock, listBranches } from '../../git/index.js';
import type { Output } from '../output.js';

export function registerDoctor(program: Command, out: Output): void {
  program
    .command('doctor')
    .description('find and repair what an interrupted run left: stale locks, a working tree behind main, broken objects, merged cycle branches')
    .option('--check', 'only report; exit 1 when something needs repair')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: { check?: boolean; json?: boolean; config: string; repo: string }) => {
      const context = await openContext(flags.repo, flags.config);
      const { repo } = context;
      const main = context.config.git.main;
      let repaired: string[];
      let broken: BrokenObject[];
      if (flags.check) {
        repaired = [];
        broken = await checkLooseObjects(repo.gitdir, { repair: false });
      } else {
        // The repository lock: a run still going must not be "repaired" under its feet (a stale lock is taken over).
        const release = await acquireLock(repo, { purpose: 'doctor' });
        try {
          broken = await checkLooseObjects(repo.gitdir, { repair: true, workTree: repo.dir });
          repaired = (await recoverInterrupted(repo, main)).lines;
        } finally {
          release();
        }
      }
      const needed = flags.check ? await pendingRepairs(repo) : [];
      const refs = [`refs/heads/${main}`, ...(await listBranches(repo, 'reverie/')).map((b) => `refs/heads/${b}`)];
      const unusable = await danglingRefs(repo, refs);
      const report = {
        repaired,
        needs_repair: needed,
        broken_objects: broken.map((b) => ({ oid: b.oid, moved_to: b.movedTo ?? null, restored_from: b.restoredFrom ?? null })),
        unusable_refs: unusable,
      };
      if (flags.json) out.json(report);
      else printReport(out, report, Boolean(flags.check));
      if (unusable.length > 0) {
        throw new GitStateError(`${unusable.join(', ')} point at a broken commit; restore it from a clone (git fetch), since no local copy is sound`);
      }
      if (flags.check && (needed.length > 0 || broken.length > 0)) throw new ReverieError('something needs repair: run `reverie doctor`');
    });
}

function printReport(out: Output, report: { repaired: string[]; needs_repair: string[]; broken_objects: { oid: string; moved_to: string | null; restored_from: string | null }[] }, check: boolean): void {
  for (const line of report.repaired) out.line(`repaired: ${line}`);
  for (const line of report.needs_repair) out.line(`needs repair: ${line}`);
  for (const b of report.broken_objects) {
    if (!b.moved_to) out.line(`needs repair: object ${b.oid} is broken`);
    else if (b.restored_from) out.line(`rewrote broken object ${b.oid} from ${b.restored_from}, which holds its content (the broken file is in ${b.moved_to})`);
    else out.line(`moved aside broken object ${b.oid} (to ${b.moved_to}); the next write of its content stores it afresh`);
  }
  const nothing = report.repaired.length + report.needs_repair.length + report.broken_objects.length === 0;
  if (nothing) out.line(check ? 'nothing to repair' : 'nothing needed repair');
}
