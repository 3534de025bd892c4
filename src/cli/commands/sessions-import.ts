import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { openContext, sessionHashCacheFile, type RepoContext } from '../../cycle/repo-context.js';
import { GitStateError, UsageError } from '../../errors.js';
import { isoGit } from '../../git/iso.js';
import { DISCOVERABLE_AGENTS, discoverLogs, placeOf, type DiscoverOptions } from '../../sessions/discover.js';
import { readHashCache } from '../../sessions/hash-cache.js';
import { importLogs, type ImportResult, type LogToImport } from '../../sessions/import.js';
import type { SessionSource } from '../../sessions/list.js';
import { plural, type Output } from '../output.js';

interface Flags {
  agent?: string;
  project?: string;
  since?: string;
  dryRun?: boolean;
  commit?: boolean;
  json?: boolean;
  config: string;
  repo: string;
}

/** `reverie sessions import`: the logs --discover lists, copied into the repository's sessions folder. */
export function registerSessionsImport(sessions: Command, out: Output): void {
  sessions
    .command('import')
    .description(
      "copy the logs agents keep on this machine (what `sessions --discover` lists) into the repository's sessions folder, " +
        'redacted, under <agent>/<file name>; a log already there (under any name) is not copied again, a grown log replaces its copy',
    )
    .option('--agent <names>', 'only these agents (comma-separated)')
    .option('--project <dir>', 'only logs whose recorded working directory is this folder or inside it')
    .option('--since <date>', 'only logs modified on or after this date')
    .option('--dry-run', 'say what would be copied; write nothing')
    .option('--commit', 'commit the copied logs on the checked-out branch (never pushed)')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (flags: Flags) => {
      if (flags.dryRun && flags.commit) throw new UsageError('--dry-run writes nothing, so there is nothing to --commit');
      const filters = discoverOptions(flags);
      const context = await openContext(flags.repo, flags.config);
      const source = await importFolder(context);
      const agents = await discoverLogs(filters);
      const logs: LogToImport[] = agents.flatMap((agent) =>
        agent.logs.map((log) => ({ path: log.path, agent: agent.agent, name: placeOf(agent.agent)?.importName(log.relative, agent.folder) ?? path.basename(log.path) })),
      );
      const result = await importLogs({
        repoDir: context.repo.dir,
        folder: source.folder,
        logs,
        dryRun: flags.dryRun === true,
        hashes: await readHashCache(sessionHashCacheFile(context)),
        readBySource: source.reads,
      });
      const commit = flags.commit && result.copied.length > 0 ? await commitImported(context, result) : undefined;
      if (flags.json) return out.json({ dry_run: flags.dryRun === true, folder: result.folder, copied: result.copied, skipped: result.skipped, bytes: result.bytes, commit: commit ?? null });
      printImport(out, result, flags, agents.length, commit);
    });
}

function printImport(out: Output, result: ImportResult, flags: Flags, agents: number, commit: string | undefined): void {
  const verb = flags.dryRun ? 'would copy' : 'copied';
  for (const c of result.copied) {
    const how = c.replaced === 'grown' ? ' (the log grew: replaces its earlier copy)' : c.replaced === 'changed' ? ' (the log changed: replaces its earlier copy)' : '';
    const redacted = c.redacted > 0 ? `, ${plural(c.redacted, 'line')} redacted` : '';
    out.line(`${verb} ${shortHome(c.from)} -> ${c.to} (${sizeOf(c.bytes)}, ${plural(c.sessions, 'session')}${redacted})${how}`);
  }
  for (const s of result.skipped) out.line(`skipped ${shortHome(s.from)}: ${s.reason}`);
  if (agents === 0) out.line('no agent keeps logs in its usual folder on this machine');
  out.line(`${verb} ${plural(result.copied.length, 'log')} (${sizeOf(result.bytes)}) into ${result.folder}/, skipped ${result.skipped.length}`);
  if (commit) out.line(`committed ${commit.slice(0, 7)} (not pushed)`);
  else if (!flags.dryRun && result.copied.length > 0) out.line('not committed: review the copies, then commit them (or import with --commit)');
}

interface ImportFolder {
  /** Relative to the repository, posix separators. */
  folder: string;
  /** Whether the source reads a file at this path (relative to the repository). */
  reads: (relative: string) => boolean;
}

/**
 * Where imported logs go: the first `sessions:` source of reverie.yaml that is a folder inside the repository, or a
 * glob with a folder part there, read with `format: auto` (each agent's logs in their own format).
 */
async function importFolder({ config, repo }: RepoContext): Promise<ImportFolder> {
  const passed: string[] = [];
  for (const source of config.sessions) {
    const why = await notAFolder(repo.dir, source);
    if (typeof why === 'string') passed.push(`${source.path}: ${why}`);
    else return why;
  }
  throw new UsageError(
    `reverie.yaml has no sessions source to import into: logs go to the first one that is a folder inside the repository (or a glob with a folder part), read with format auto${passed.length ? ` (${passed.join('; ')})` : ''}`,
  );
}

async function notAFolder(repoDir: string, source: SessionSource): Promise<ImportFolder | string> {
  if (source.format !== 'auto') return `read as ${source.format} only`;
  const posix = source.path.replaceAll('\\', '/');
  if (posix === '~' || posix.startsWith('~/') || path.isAbsolute(posix)) return 'outside the repository';
  const scan = picomatch.scan(posix);
  const base = (scan.isGlob ? scan.base : posix).replace(/\/+$/, '').replace(/^\.\//, '');
  const parts = base.split('/');
  if (base === '' || base === '.' || parts.includes('..')) return scan.isGlob ? 'a glob without a folder part' : 'not a folder inside the repository';
  if (!scan.isGlob) {
    const info = await stat(path.join(repoDir, ...parts)).catch(() => undefined);
    if (info && !info.isDirectory()) return 'a file';
    if (!info && /\.[a-z]+$/i.test(base)) return 'names a file';
    return { folder: base, reads: (relative) => relative.startsWith(`${base}/`) };
  }
  const matches = picomatch(posix, { windows: false });
  return { folder: base, reads: (relative) => matches(relative) };
}

/**
 * Commits the copied logs on the checked-out branch, and nothing else: refused when other changes are staged, which
 * the commit would carry along.
 */
async function commitImported({ repo, config }: RepoContext, result: ImportResult): Promise<string> {
  const git = await isoGit();
  const base = { fs: repo.fs, dir: repo.dir, gitdir: repo.gitdir, cache: repo.cache };
  const ours = new Set(result.copied.map((c) => c.to));
  const matrix = await git.statusMatrix(base);
  const staged = matrix.filter(([file, head, , stage]) => !ours.has(file) && (head === 1 ? stage !== 1 : stage !== 0)).map(([file]) => file);
  if (staged.length > 0) {
    throw new GitStateError(`the logs are copied but not committed: other changes are staged (${staged.slice(0, 3).join(', ')}${staged.length > 3 ? ', ...' : ''}); commit or unstage them, then commit ${result.folder}/`);
  }
  for (const filepath of ours) await git.add({ ...base, filepath });
  const byAgent = new Map<string, number>();
  for (const c of result.copied) {
    const agent = c.to.slice(result.folder.length + 1).split('/')[0] ?? '';
    byAgent.set(agent, (byAgent.get(agent) ?? 0) + 1);
  }
  const counts = [...byAgent].map(([agent, n]) => `${agent} ${n}`).join(', ');
  const message = `sessions: import ${plural(result.copied.length, 'log')} (${counts})\n\n${result.copied.map((c) => `${c.to}${c.replaced ? ` (replaces its earlier copy)` : ''}`).join('\n')}\n`;
  return git.commit({ ...base, message, author: { name: config.git.author.name, email: config.git.author.email } });
}

/** The filters --discover and `sessions import` share, checked. */
export function discoverOptions(flags: { agent?: string; project?: string; since?: string }): DiscoverOptions {
  const options: DiscoverOptions = {};
  if (flags.agent !== undefined) {
    const agents = flags.agent.split(',').map((a) => a.trim()).filter((a) => a !== '');
    const unknown = agents.filter((a) => !DISCOVERABLE_AGENTS.includes(a));
    if (unknown.length > 0) throw new UsageError(`--agent: no known log folder for "${unknown.join('", "')}" (known: ${DISCOVERABLE_AGENTS.join(', ')})`);
    options.agents = agents;
  }
  if (flags.project !== undefined) options.project = flags.project;
  if (flags.since !== undefined) {
    const time = Date.parse(flags.since);
    if (Number.isNaN(time)) throw new UsageError(`--since: "${flags.since}" is not a date (2026-05-01, or an ISO time)`);
    options.since = new Date(time);
  }
  return options;
}

export function shortHome(folder: string): string {
  const home = homedir();
  return home && (folder === home || folder.startsWith(`${home}${path.sep}`)) ? `~${folder.slice(home.length)}` : folder;
}

export function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
