import type { Command } from 'commander';
import { openContext } from '../../cycle/context.js';
import { UsageError } from '../../errors.js';
import { streamSessions, type SessionSource } from '../../sessions/load.js';
import { FORMATS } from '../../sessions/readers/index.js';
import type { Session } from '../../sessions/types.js';
import { pad, plural, type Output } from '../output.js';

interface Flags {
  json?: boolean;
  format?: string;
  agent?: string;
  config: string;
  repo: string;
}

/**
 * `reverie sessions [paths...]`: what reverie reads from session logs, one line per session, before any cycle
 * runs: to check a configuration's sources, or to see how a log of some agent is understood.
 */
export function registerSessions(program: Command, out: Output): void {
  program
    .command('sessions [paths...]')
    .description("read session logs as a cycle would (the configuration's sources, or the given files, folders or globs) and list them")
    .option('--format <format>', `read the given paths as this format instead of detecting it (${FORMATS.join(', ')})`)
    .option('--agent <id>', 'the agent id for sessions read from the given paths')
    .option('--json', 'print one JSON object')
    .option('--config <file>', 'configuration file, relative to the repository', 'reverie.yaml')
    .option('--repo <dir>', 'the memory repository', '.')
    .action(async (paths: string[], flags: Flags) => {
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
