import type { Command } from 'commander';
import { openContext } from '../../cycle/context.js';
import { UsageError } from '../../errors.js';
import { streamSessions, type SessionSource } from '../../sessions/load.js';
import { FORMATS } from '../../sessions/readers/index.js';
import type { Session } from '../../sessions/types.js';
import { pad, plural, type Output } from '../output.js';
import { DISCOVERABLE_AGENTS, discoverLogs, type DiscoveredAgent } from '../../sessions/discover.js';
import { discoverOptions, registerSessionsImport, shortHome, sizeOf } from './sessions-import.js';

interface Flags {
  json?: boolean;
  format?: string;
  agent?: string;
  discover?: boolean;
  project?: string;
  since?: string;
  config: string;
  repo: string;
}

/**
 * `reverie sessions [paths...]`: what reverie reads from session logs, one line per session, before any cycle
 * runs: to check a configuration's sources, or to see how a log of some agent is understood.
 */
export function registerSessions(program: Command, out: Output): void {
  const sessions = program
    .command('sessions [paths...]')
    .description(
      "read session logs as a cycle would (the configuration's sources, or the given files, folders or globs) and list them; " +
        "--discover lists the logs each agent keeps on this machine, `sessions import` copies them into the repository",
    )
    .option('--format <format>', `read the given paths as this format instead of detecting it (${FORMATS.join(', ')})`)
    .option('--agent <id>', `the agent id for sessions read from the given paths; with --discover, only these agents (comma-separated: ${DISCOVERABLE_AGENTS.join(', ')})`)
    .option('--discover', "list the logs each agent keeps in its usual folder on this machine (~/.claude/projects, ~/.codex/sessions, ...), without reading them")
    .option('--project <dir>', 'with --discover: only logs whose recorded working directory is this folder or inside it (and aider and SpecStory logs kept in it)')
    .option('--since <date>', 'with --discover: only logs modified on or after this date (2026-05-01, or an ISO time)')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (paths: string[], flags: Flags) => {
      if (flags.discover) return discover(paths, flags, out);
      if (flags.project !== undefined || flags.since !== undefined) throw new UsageError('--project and --since narrow --discover (or `sessions import`)');
      const sources = await sourcesFor(paths, flags);
      const sessions: ReturnType<typeof summary>[] = [];
      const result = await streamSessions({ repoDir: flags.repo, sources }, (session) => sessions.push(summary(session)));
      if (flags.json) return out.json({ files: result.files, sessions, warnings: result.warnings, unread: result.unread });
      for (const s of sessions) {
        out.line(`${pad(s.format, 18)} ${pad(s.agent, 14)} ${pad(`${s.turns} turns, ${s.tool_calls} tool calls`, 26)} ${pad(s.outcome, 8)} ${s.id}  ${s.source}`);
      }
      for (const w of result.warnings) out.line(`warning  ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
      // The warnings name the rest; a README or a hidden file is named here only.
      const warned = new Set(result.warnings.map((w) => w.file));
      for (const u of result.unread.filter((u) => !warned.has(u.file))) out.line(`not read ${u.file}: ${u.reason}`);
      const counts = [
        ...(result.warnings.length ? [plural(result.warnings.length, 'warning')] : []),
        ...(result.unread.length ? [`${plural(result.unread.length, 'file')} not read`] : []),
      ];
      out.line(`${plural(sessions.length, 'session')} in ${plural(result.files, 'log file')}${counts.map((c) => `, ${c}`).join('')}`);
    });
  registerSessionsImport(sessions, out);
}

async function discover(paths: string[], flags: Flags, out: Output): Promise<void> {
  if (paths.length > 0 || flags.format !== undefined) throw new UsageError('--discover looks in the agents\' own folders: give no paths and no --format');
  const agents = await discoverLogs(discoverOptions(flags));
  if (flags.json) return out.json({ agents: agents.map(agentJson) });
  for (const agent of agents) {
    const newest = agent.newest ? `, newest ${agent.newest.slice(0, 16).replace('T', ' ')}` : '';
    out.line(`${pad(agent.agent, 12)} ${shortHome(agent.folder)}: ${plural(agent.logs.length, 'log')}, ${sizeOf(agent.bytes)}${newest}`);
    for (const [project, count] of projectsOf(agent)) out.line(`  ${pad(project, 60)} ${plural(count, 'log')}`);
  }
  const logs = agents.reduce((n, a) => n + a.logs.length, 0);
  if (agents.length === 0) out.line('no agent keeps logs in its usual folder on this machine');
  else out.line(`${plural(logs, 'log')} of ${plural(agents.length, 'agent')}; \`reverie sessions import\` copies them into the repository`);
}

function agentJson(agent: DiscoveredAgent) {
  return {
    agent: agent.agent,
    format: agent.format,
    folder: agent.folder,
    logs: agent.logs.length,
    bytes: agent.bytes,
    newest: agent.newest ?? null,
    files: agent.logs.map((l) => ({ path: l.path, bytes: l.bytes, modified: l.modified, project: l.project ?? null, ...(l.projectHash ? { project_hash: l.projectHash } : {}) })),
  };
}

/** Logs per project, the most first: the working directory, Gemini CLI's project hash, or that none is recorded. */
function projectsOf(agent: DiscoveredAgent): [string, number][] {
  const counts = new Map<string, number>();
  for (const log of agent.logs) {
    const project = log.project ?? (log.projectHash ? `project hash ${log.projectHash.slice(0, 12)}…` : '(no working directory recorded)');
    counts.set(project, (counts.get(project) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

async function sourcesFor(paths: string[], flags: Flags): Promise<SessionSource[]> {
  if (flags.format !== undefined && !FORMATS.includes(flags.format)) throw new UsageError(`--format: unknown session format "${flags.format}" (known: ${FORMATS.join(', ')})`);
  if (paths.length === 0) {
    if (flags.format !== undefined || flags.agent !== undefined) throw new UsageError('--format and --agent apply to the paths given: name the logs to read');
    return (await openContext(flags.repo, flags.config)).config.sessions;
  }
  return paths.map((path) => ({ path, format: flags.format ?? 'auto', ...(flags.agent ? { agent: flags.agent } : {}) }));
}

function summary(session: Session) {
  return {
    id: session.id,
    format: session.format,
    agent: session.agent,
    source: session.source,
    started: session.startedAt ?? null,
    turns: session.turns.length,
    tool_calls: session.turns.reduce((n, t) => n + t.toolCalls.length, 0),
    outcome: session.outcome.status,
    outcome_inferred: session.outcome.inferred,
  };
}
