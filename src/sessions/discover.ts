/**
 * The logs each coding agent keeps on this machine, in the folders the agent itself writes them to, found without
 * reading them whole: `reverie sessions --discover` lists them, `reverie sessions import` copies the chosen ones
 * into the memory repository. Each agent's place is the one its own documentation or source gives, with the
 * environment variable that moves it.
 */
import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Where one agent keeps its logs and which files under that folder are session logs. */
export interface AgentLogPlace {
  /** The agent, also the folder its logs are imported into. */
  agent: string;
  /** The reader that reads its logs. */
  format: string;
  /** The folder, from the environment and the home folder; undefined when it has none (a project-local agent). */
  folder(env: NodeJS.ProcessEnv, home: string, project: string | undefined): string | undefined;
  /** Whether a file at `relative` (posix, under the folder) is a session log. */
  isLog(relative: string): boolean;
  /** How deep under the folder its logs sit, at most (the folder's own files are depth 1). */
  depth: number;
  /** Kept in the project itself (aider, SpecStory): looked for only in the project `--project` names. */
  inProject?: boolean;
  /** The working directory (or, for Gemini CLI, the project's hash) the head of a log records. */
  project(head: string): Pick<DiscoveredLog, 'project' | 'projectHash'>;
  /**
   * The name a log is imported under, in its agent's folder: its own, unless that says nothing (`events.jsonl`) or
   * is the same in every project (`.aider.chat.history.md`).
   */
  importName(relative: string, folder: string): string;
}

export interface DiscoveredLog {
  /** Absolute path. */
  path: string;
  /** Under the agent's folder, posix separators. */
  relative: string;
  bytes: number;
  /** Last modification, ISO 8601. */
  modified: string;
  /** The working directory the log records, when its format records one near its start. */
  project?: string;
  /** Gemini CLI records no working directory, only the sha256 of the project's path. */
  projectHash?: string;
}

export interface DiscoveredAgent {
  agent: string;
  format: string;
  folder: string;
  logs: DiscoveredLog[];
  bytes: number;
  /** The newest log's modification time; undefined when none is left after the filters. */
  newest?: string;
}

export interface DiscoverOptions {
  /** The environment the agents' own variables are read from (CLAUDE_CONFIG_DIR, CODEX_HOME, ...). */
  env?: NodeJS.ProcessEnv;
  /** The home folder; os.homedir() (HOME) by default. */
  home?: string;
  /** Only these agents. */
  agents?: readonly string[];
  /** Only logs whose recorded working directory is this folder or inside it. */
  project?: string;
  /** Only logs modified at or after this time. */
  since?: Date;
}

/** How much of a log's start is read to find its working directory: Codex's first record carries its instructions. */
const HEAD_BYTES = 256 * 1024;

const fromEnv = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

const ownName = (relative: string): string => path.posix.basename(relative);

const KEY_PATTERNS = new Map<string, RegExp>();

/** A JSON string value of `key` in the head of a log (the first one), whatever record holds it. */
function firstString(head: string, key: string): string | undefined {
  let pattern = KEY_PATTERNS.get(key);
  if (!pattern) KEY_PATTERNS.set(key, (pattern = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`)));
  const match = pattern.exec(head);
  if (!match?.[1]) return undefined;
  try {
    const value = JSON.parse(match[1]) as unknown;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The agents whose log folders reverie knows, in the order they are listed. */
export const AGENT_LOG_PLACES: readonly AgentLogPlace[] = [
  {
    // ~/.claude/projects/<project>/<session>.jsonl, sub-agents in <project>/<session>/subagents/agent-<id>.jsonl;
    // CLAUDE_CONFIG_DIR moves ~/.claude.
    agent: 'claude-code',
    format: 'claude-code',
    folder: (env, home) => path.join(fromEnv(env, 'CLAUDE_CONFIG_DIR') ?? path.join(home, '.claude'), 'projects'),
    isLog: (relative) => /^[^/]+\/[^/]+\.jsonl$/.test(relative) || /^[^/]+\/[^/]+\/subagents\/agent-[^/]+\.jsonl$/.test(relative),
    depth: 4,
    project: (head) => ({ ...optional('project', firstString(head, 'cwd')) }),
    importName: ownName,
  },
  {
    // ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl (earlier releases: sessions/rollout-*.jsonl); CODEX_HOME
    // moves ~/.codex.
    agent: 'codex',
    format: 'codex',
    folder: (env, home) => path.join(fromEnv(env, 'CODEX_HOME') ?? path.join(home, '.codex'), 'sessions'),
    isLog: (relative) => /(?:^|\/)rollout-[^/]*\.jsonl$/.test(relative),
    depth: 4,
    project: (head) => ({ ...optional('project', firstString(head, 'cwd')) }),
    importName: ownName,
  },
  {
    // ~/.gemini/tmp/<project hash>/chats/session-<time>-<id>.json (later releases: .jsonl); GEMINI_CLI_HOME stands in
    // for the home folder.
    agent: 'gemini-cli',
    format: 'gemini-cli',
    folder: (env, home) => path.join(fromEnv(env, 'GEMINI_CLI_HOME') ?? home, '.gemini', 'tmp'),
    isLog: (relative) => /^[^/]+\/chats\/session-[^/]*\.jsonl?$/.test(relative),
    depth: 3,
    project: (head) => ({ ...optional('projectHash', firstString(head, 'projectHash')) }),
    importName: ownName,
  },
  {
    // ~/.copilot/session-state/<session>/events.jsonl (earlier releases: session-state/<session>.jsonl);
    // COPILOT_HOME moves ~/.copilot.
    agent: 'copilot-cli',
    format: 'copilot-cli',
    folder: (env, home) => path.join(fromEnv(env, 'COPILOT_HOME') ?? path.join(home, '.copilot'), 'session-state'),
    isLog: (relative) => /^[^/]+\.jsonl$/.test(relative) || /^[^/]+\/events\.jsonl$/.test(relative),
    depth: 2,
    project: (head) => ({ ...optional('project', firstString(head, 'cwd')) }),
    // `<session>/events.jsonl` becomes `<session>.jsonl`, the earlier layout, which the reader knows the same way.
    importName: (relative) => (relative.endsWith('/events.jsonl') ? `${relative.slice(0, -'/events.jsonl'.length)}.jsonl` : ownName(relative)),
  },
  {
    // aider appends to .aider.chat.history.md in the project itself: found only in the project `--project` names.
    agent: 'aider',
    format: 'aider',
    folder: (_env, _home, project) => project,
    isLog: (relative) => relative === '.aider.chat.history.md',
    depth: 1,
    inProject: true,
    project: () => ({}),
    importName: (_relative, folder) => `${path.basename(folder)}.aider.chat.history.md`,
  },
  {
    // SpecStory saves chats in the project's .specstory/history/: found only in the project `--project` names.
    agent: 'specstory',
    format: 'specstory',
    folder: (_env, _home, project) => (project ? path.join(project, '.specstory', 'history') : undefined),
    isLog: (relative) => /^[^/]+\.md$/.test(relative),
    depth: 1,
    inProject: true,
    project: () => ({}),
    importName: ownName,
  },
];

export const DISCOVERABLE_AGENTS: readonly string[] = AGENT_LOG_PLACES.map((p) => p.agent);

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The agents' log folders that exist, each with its logs (after the filters); a missing folder is left out. */
export async function discoverLogs(options: DiscoverOptions = {}): Promise<DiscoveredAgent[]> {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const project = options.project === undefined ? undefined : path.resolve(options.project);
  const found: DiscoveredAgent[] = [];
  for (const place of AGENT_LOG_PLACES) {
    if (options.agents && !options.agents.includes(place.agent)) continue;
    const folder = place.folder(env, home, project);
    if (folder === undefined) continue;
    const info = await stat(folder).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    const logs: DiscoveredLog[] = [];
    for (const relative of await filesUnder(folder, place.depth)) {
      if (!place.isLog(relative)) continue;
      const log = await describe(folder, relative, place);
      if (log && keep(log, project, place, options.since)) logs.push(log);
    }
    const newest = logs.reduce<string | undefined>((n, l) => (n === undefined || l.modified > n ? l.modified : n), undefined);
    found.push({ agent: place.agent, format: place.format, folder, logs, bytes: logs.reduce((n, l) => n + l.bytes, 0), ...(newest ? { newest } : {}) });
  }
  return found;
}

export function placeOf(agent: string): AgentLogPlace | undefined {
  return AGENT_LOG_PLACES.find((p) => p.agent === agent);
}

async function describe(folder: string, relative: string, place: AgentLogPlace): Promise<DiscoveredLog | undefined> {
  const file = path.join(folder, ...relative.split('/'));
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const head = await readHead(file, Math.min(info.size, HEAD_BYTES));
  return { path: file, relative, bytes: info.size, modified: info.mtime.toISOString(), ...place.project(head) };
}

function keep(log: DiscoveredLog, project: string | undefined, place: AgentLogPlace, since: Date | undefined): boolean {
  if (since && Date.parse(log.modified) < since.getTime()) return false;
  if (project === undefined) return true;
  if (place.inProject) return true;
  if (log.project !== undefined) return isInside(path.resolve(log.project), project);
  // Gemini CLI names a project by the sha256 of its path: only the folder itself can be told, not one inside it.
  return log.projectHash !== undefined && log.projectHash === createHash('sha256').update(project).digest('hex');
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The first `length` bytes of a file, as text (a character cut at the end is of no matter to what is looked for). */
async function readHead(file: string, length: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Regular files under `top` down to `depth` levels, posix paths relative to it, sorted. Symbolic links are not
 * followed: an agent's folder leads nowhere else.
 */
async function filesUnder(top: string, depth: number): Promise<string[]> {
  const files: string[] = [];
  const visit = async (dir: string, prefix: string, level: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const relative = prefix + entry.name;
      if (entry.isDirectory() && level < depth) await visit(path.join(dir, entry.name), `${relative}/`, level + 1);
      else if (entry.isFile()) files.push(relative);
    }
  };
  await visit(top, '', 1);
  return files.sort();
}
