import type { Command } from 'commander';
import { openContext, type RepoContext } from '../../cycle/repo-context.js';
import { lockAndRecover } from '../../cycle/recover.js';
import { ReverieError, UsageError } from '../../errors.js';
import { pad, plural, shortOid, type Output } from '../output.js';
import type { PullReport, PushReport } from '../../store/sync.js';

interface Flags {
  mode?: string;
  dryRun?: boolean;
  json?: boolean;
  config: string;
  repo: string;
}

/** A push that left a conflict or a file it could not send: exit 1, as a compile over a limit does. */
class StoreFindingsError extends ReverieError {
  override readonly exitCode = 1;
}

const MODE_HELP = 'auto (main moves to what the store brings) | review (a reverie/store-… branch to approve or reject); default: mode in reverie.yaml';

export function registerStore(program: Command, out: Output): void {
  const store = program
    .command('store')
    .description('keep a Managed Agents memory store and this repository as mirrors (store: in reverie.yaml; the key from ANTHROPIC_API_KEY)')
    .addHelpText(
      'after',
      `
  store:
    id: memstore_01...            # the memory store this repository mirrors
    path: /                       # where the memory root sits in the store (default /)
    namespaces: [notes]           # which namespaces go there (default: all)
    sessions:
      into: sessions/managed-agents   # where \`store sessions\` saves the store's sessions (default)
      on_pull: true               # \`store pull\` fetches them too (default false)

The endpoint is store.base_url, else ANTHROPIC_BASE_URL, else Anthropic's.`,
    );

  store
    .command('pull')
    .description("bring every version agents wrote in the store since the last sync back as one commit each, with its actor, on a reverie/store-… branch (reviewed like a cycle)")
    .option('--mode <mode>', MODE_HELP)
    .option('--dry-run', 'read the store and say what would be committed; write nothing')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: Flags) => {
      const context = await openContext(flags.repo, flags.config);
      const report = await writing(context, flags, out, async (sync, options) => {
        const pulled = await sync.pullStore(context, options);
        const sessions = context.config.store?.sessionsOnPull && !options.dryRun ? await fetchSessions(context, flags) : undefined;
        return { pulled, sessions };
      });
      if (flags.json) return out.json({ ...report.pulled, sessions: report.sessions ?? null });
      printPull(out, report.pulled);
      if (report.sessions) out.line(`sessions: ${plural(report.sessions.copied.length, 'session')} saved in ${report.sessions.folder} (of ${report.sessions.listed} listed)`);
    });

  store
    .command('push')
    .description("send main's memory to the store with content_sha256 preconditions: a memory changed in the store since the last sync is never overwritten, it comes back as a branch to decide")
    .option('--dry-run', 'read the store and say what would be sent; send and write nothing')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: Flags) => {
      const context = await openContext(flags.repo, flags.config);
      const report = await writing(context, flags, out, (sync, options) => sync.pushStore(context, options));
      if (flags.json) out.json(report);
      else printPush(out, report);
      const refused = report.files.filter((f) => f.action === 'too-large' || f.action === 'conflict');
      if (refused.length > 0) throw new StoreFindingsError(`${plural(refused.length, 'memory file')} not sent: see above`);
    });

  store
    .command('sessions')
    .description('save the Managed Agents sessions that used the store as logs in the sessions folder (redacted), for `reverie sessions` and the cycles to read')
    .option('--all', 'every session of the workspace, not only those the store was attached to')
    .option('--since <time>', 'only sessions created at or after this time (RFC 3339)')
    .option('--dry-run', 'say what would be saved; write nothing')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: Flags & { all?: boolean; since?: string }) => {
      const context = await openContext(flags.repo, flags.config);
      const result = await fetchSessions(context, flags);
      if (flags.json) return out.json(result);
      const verb = flags.dryRun ? 'would save' : 'saved';
      for (const c of result.copied) out.line(`${pad(verb, 11)}${c.to} (${c.from}${c.replaced ? `, ${c.replaced}` : ''}${c.redacted ? `, ${plural(c.redacted, 'line')} redacted` : ''})`);
      for (const s of result.skipped) out.line(`${pad('skipped', 11)}${s.to ?? s.from}: ${s.reason}`);
      out.line(`${plural(result.listed, 'session')} listed, ${result.copied.length} ${verb} in ${result.folder}`);
    });
}

type Sync = typeof import('../../store/sync.js');

/** Under the repository's lock unless nothing is written; the SDK is loaded only here. */
async function writing<T>(context: RepoContext, flags: Flags, out: Output, run: (sync: Sync, options: Parameters<Sync['pullStore']>[1]) => Promise<T>): Promise<T> {
  if (flags.mode !== undefined && flags.mode !== 'auto' && flags.mode !== 'review') throw new UsageError(`--mode must be auto or review (got "${flags.mode}")`);
  const sync = await import('../../store/sync.js');
  const options = { now: new Date(), ...(flags.mode ? { mode: flags.mode as 'auto' | 'review' } : {}), ...(flags.dryRun ? { dryRun: true } : {}) };
  if (flags.dryRun) return run(sync, options);
  const { release, repairs } = await lockAndRecover(context, 'store');
  try {
    for (const line of repairs.lines) out.warn(`repaired: ${line}`);
    return await run(sync, options);
  } finally {
    release();
  }
}

async function fetchSessions(context: RepoContext, flags: Flags & { all?: boolean; since?: string }) {
  const store = context.config.store;
  if (!store) throw new UsageError(`no store: section in ${context.config.file}; add one naming the memory store (store: { id: memstore_... })`);
  const { fetchStoreSessions } = await import('../../store/sessions.js');
  return fetchStoreSessions({ repoDir: context.repo.dir, store, ...(flags.all ? { all: true } : {}), ...(flags.since ? { since: flags.since } : {}), ...(flags.dryRun ? { dryRun: true } : {}) });
}

function printPull(out: Output, report: PullReport): void {
  const verb = report.dry_run ? 'would commit' : 'committed';
  for (const c of report.commits) {
    const note = c.against_main === 'merged' ? " (merged with main's change)" : c.against_main === 'replaces' ? " (replaces main's change since the last sync)" : '';
    out.line(`${pad(shortOid(c.commit || null), 8)}${c.operation} ${c.files.join(', ')} by ${c.actor}${c.redacted ? ', secrets redacted' : ''}${note}`);
  }
  for (const s of report.skipped) out.line(`skipped ${s.version}: ${s.reason}`);
  if (report.commits.length === 0) out.line(`nothing new in ${report.store} since the last sync${report.unchanged ? ` (${plural(report.unchanged, 'version')} already here)` : ''}`);
  else if (report.dry_run) out.line(`${plural(report.commits.length, 'commit')} ${verb === 'would commit' ? 'would be made' : 'made'}; nothing was written`);
  else if (report.merged) out.line(`${plural(report.commits.length, 'commit')} on ${report.branch}: main moved to ${shortOid(report.main)}`);
  else out.line(`${plural(report.commits.length, 'commit')} on ${report.branch}, for review: reverie approve ${report.branch} | reverie reject ${report.branch}`);
  if (report.record_commit) out.line(`recorded in .reverie/store.json on main (${shortOid(report.record_commit)})`);
}

function printPush(out: Output, report: PushReport): void {
  for (const f of report.files) {
    if (f.action === 'in-sync') continue;
    const verb = report.dry_run && ['created', 'updated', 'deleted'].includes(f.action) ? `would be ${f.action}` : f.action;
    out.line(`${pad(verb, 11)}${f.file} → ${f.path}${f.reason ? `: ${f.reason}` : ''}`);
  }
  const inSync = report.files.filter((f) => f.action === 'in-sync').length;
  out.line(`${report.dry_run ? 'would send' : 'sent'} ${plural(report.sent, 'memory', 'memories')} to ${report.store}; ${inSync} in sync${report.conflicts ? `, ${plural(report.conflicts, 'conflict')}` : ''}`);
  if (report.pull) {
    out.line("the store's versions of the conflicting memories come back for review:");
    printPull(out, report.pull);
  }
  if (report.record_commit) out.line(`recorded in .reverie/store.json on main (${shortOid(report.record_commit)})`);
}
