import type { Command } from 'commander';
import { openContext, mainTip, sessionHashCacheFile } from '../../cycle/repo-context.js';
import { baseWarnings, readStateAt } from '../../cycle/state-at.js';
import { listCycles, pendingCycles } from '../../cycle/history.js';
import { pendingRepairs } from '../../cycle/pending-repairs.js';
import { streamNewSessions } from '../../sessions/to-read.js';
import { waitingCompileBranches } from '../../compile/waiting.js';
import { waitingSessionBranches } from '../../memory-tool/branch.js';
import { waitingStoreBranches } from '../../store/branch.js';
import { plural, type Output } from '../output.js';

export function registerStatus(program: Command, out: Output): void {
  program
    .command('status')
    .description('the last cycle, sessions waiting to be reviewed, pending cycle branches')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: { json?: boolean; config: string; repo: string }) => {
      const context = await openContext(flags.repo, flags.config);
      // Before anything that reads main: what an interrupted run left is said even when main cannot be read.
      const repairs = await pendingRepairs(context.repo);
      for (const line of flags.json ? [] : repairs) out.warn(`needs repair: ${line}; any writing command or \`reverie doctor\` repairs it`);
      const main = await mainTip(context);
      // Neither who wrote each entry nor the entries themselves: the memory is not parsed.
      const base = await readStateAt(context, main);
      const { state } = base;
      const memoryWarnings = baseWarnings(base);
      // Counted as they stream by: status never holds the logs, and loads no reader when none is to be read.
      const sessions = await streamNewSessions({ repoDir: context.repo.dir, sources: context.config.sessions, skipHashes: new Set(Object.keys(state.processed)), hashCacheFile: sessionHashCacheFile(context) }, () => undefined);
      // Without a github section there is nothing to ask (waitingOnGitHub says so itself): its module, Octokit's and
      // isomorphic-git's transport, is loaded only when there is.
      const remote = context.config.github ? await (await import('../../cycle/github-cycles.js')).waitingOnGitHub(context, (line) => out.warn(line)) : new Map<string, string>();
      const last = (await listCycles(context, remote))[0];
      const pending = await pendingCycles(context, remote);
      const compiled = await waitingCompileBranches(context.repo, main);
      const written = await waitingSessionBranches(context.repo, main);
      const pulled = await waitingStoreBranches(context.repo, main);
      const status = {
        main,
        last_cycle: last ? { cycle: last.cycle, status: last.status, partial: last.partial, created: last.created, actions: last.actions.length } : null,
        sessions_processed: Object.keys(state.processed).length,
        sessions_waiting: sessions.read,
        warnings: sessions.warnings.length,
        unread_files: sessions.unread.length,
        // Links and files in memory that a cycle cannot read as they are, named as a cycle names them.
        memory_warnings: memoryWarnings.map((w) => ({ file: w.file, line: w.line ?? null, message: w.message })),
        pending: pending.map((p) => ({ cycle: p.cycle, branch: p.branch, actions: p.record?.actions.length ?? 0 })),
        // Branches of `reverie compile`: hand edits of compiled files brought back, compiled files waiting for review.
        compile_pending: compiled,
        // Branches of the memory tool: what an agent session wrote, waiting for review.
        session_pending: written,
        // Branches of `reverie store pull`: what agents wrote in the memory store, waiting for review.
        store_pending: pulled.map((p) => ({ branch: p.branch, commits: p.commits, files: p.files })),
        needs_repair: repairs,
      };
      if (flags.json) return out.json(status);
      out.line(`main       ${main.slice(0, 7)}`);
      out.line(`last cycle ${last ? `${last.cycle} (${last.label}, ${plural(last.actions.length, 'action')})` : 'none yet'}`);
      const notRead = status.unread_files ? `, ${plural(status.unread_files, 'file')} not read (\`reverie sessions\` says why)` : '';
      out.line(`sessions   ${status.sessions_processed} reviewed, ${status.sessions_waiting} waiting${status.warnings ? `, ${plural(status.warnings, 'warning')}` : ''}${notRead}`);
      for (const w of memoryWarnings) out.line(`warning    ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
      if (pending.length === 0 && compiled.length === 0 && written.length === 0 && pulled.length === 0) out.line('pending    none');
      for (const p of status.pending) out.line(`pending    ${p.branch} (${plural(p.actions, 'action')}): reverie approve ${p.cycle} | reverie reject ${p.cycle}`);
      for (const c of compiled) {
        const what = c.files.length > 0 ? `hand edit of ${c.files.join(', ')}` : 'compiled files';
        out.line(`pending    ${c.branch} (${what}, ${plural(c.commits, 'commit')}): reverie review ${c.branch} | reverie approve ${c.branch} | reverie reject ${c.branch}`);
      }
      for (const w of written) {
        out.line(`pending    ${w.branch} (memory tool writes of session ${w.session} to ${w.files.join(', ')}, ${plural(w.commits, 'commit')}): reverie review ${w.branch} | reverie approve ${w.branch} | reverie reject ${w.branch}`);
      }
      for (const p of pulled) {
        out.line(`pending    ${p.branch} (memory store writes to ${p.files.join(', ')}, ${plural(p.commits, 'commit')}): reverie approve ${p.branch} | reverie reject ${p.branch}`);
      }
    });
}
