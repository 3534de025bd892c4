/**
 * reverie.yaml's text, validated into a Config. Loaded by load.ts only when it has no validated copy of the same
 * bytes at hand (see util/read-cache.ts): with the YAML parser, this is most of what reading the file costs.
 */
import path from 'node:path';
import { readYaml, YamlReader, type Path } from './yaml-reader.js';
import type { Namespace, Policy } from '../memory/types.js';
import { SESSION_FORMATS } from './formats.js';
import { HARNESSES, type Harness } from '../memory/harness.js';
import type { AgentLoad } from '../memory/context-cost.js';
import { COMPILE_FORMATS, formatSpec, isPerFile, type CompileFormat, type CompileTarget } from '../compile/formats.js';
import { ACTION_TYPES, type ActionType } from '../dream/types.js';
import { DEFAULT_MAX_WAIT_SECONDS } from '../github/waits.js';
import { EFFORTS, ENGINES, MODES, type ClaudeConfig, type ClaudePhaseConfig, type Config, type Effort, type EngineName, type GitHubConfig, type ManagedConfig, type Mode, type SessionSource, type StoreConfig } from './types.js';

const DEFAULT_AUTHOR = { name: 'reverie', email: 'reverie@users.noreply.github.com' };

/**
 * The models of the claude engine's two phases unless `claude.map.model`, `claude.curate.model` or `claude.model`
 * (both) name others, chosen from Anthropic's models overview (platform.claude.com/docs/en/about-claude/models/overview,
 * read 2026-12-07). Map reads each session on its own for a handful of quoted observations: Claude Haiku 5.5 is
 * the model built for that kind of high-volume extraction, at a twentieth of Sonnet 5.5's price. Curate is one
 * request that weighs every pattern against the whole memory and decides what a person will review: Claude Opus
 * 5.5, which the overview recommends for most work, at less than half the price of Fable 5.2.
 */
export const DEFAULT_MAP_MODEL = 'claude-haiku-5-5';
export const DEFAULT_CURATE_MODEL = 'claude-opus-5-5';

/**
 * Longest answers unless set: a map answer is a few observations, a curate answer up to `curate.max_actions`
 * steps with their rationale; both models think before they answer, and thinking counts against max_tokens.
 */
export const DEFAULT_MAP_MAX_TOKENS = 8192;
export const DEFAULT_CURATE_MAX_TOKENS = 16_384;

/** Actions one cycle proposes unless `curate.max_actions` says otherwise: more than a reviewer reads at a sitting. */
export const DEFAULT_MAX_ACTIONS = 50;

/**
 * How long a cycle waits for its Message Batch unless `claude.batch_wait_minutes` says otherwise. The workflow
 * `reverie init --github` writes gives a job 30 minutes: waiting 20 leaves ten for the rest of the cycle (checkout,
 * reading the logs, the curate request, the commits and pushes), so a batch still running ends the job cleanly as a
 * stopped cycle rather than a killed one. A batch is answered within 24 hours, most within one; the next run resumes
 * it by id. Keep the wait under the job's `timeout-minutes` less ten.
 */
export const DEFAULT_BATCH_WAIT_MINUTES = 20;

/** The longest wait worth asking for: a batch that has not ended in 24 hours expires. */
const MAX_BATCH_WAIT_MINUTES = 24 * 60;

/** The model a dream runs with unless `managed.model` names another: the one the curate phase uses. */
export const DEFAULT_DREAM_MODEL = DEFAULT_CURATE_MODEL;

/** The most sessions one dream reads (the Dreams API's cap). */
export const MAX_DREAM_SESSIONS = 100;

/** Longest `claude.instructions`: they are sent with every request, so they are kept to a page. */
export const MAX_INSTRUCTIONS = 4096;

/** Most sessions `extract.hold_out` may keep out of a cycle to test its memory with. */
const MAX_HOLD_OUT = 200;

/** Longest answer the current models write (128K output tokens). */
const MAX_OUTPUT_TOKENS = 128_000;

/** Validates the text of a configuration file; `file` names it in errors. */
export function parseConfig(text: string, file: string, repoDir: string): Config {
  const { doc, lines, value } = readYaml(text, file);
  const reader = new ConfigReader(doc, lines, file);
  return reader.read(value ?? {}, repoDir);
}

/** reverie.yaml's keys and values, each checked where it is read (yaml-reader.ts names the line of a mistake). */
class ConfigReader extends YamlReader {
  read(raw: unknown, repoDir: string): Config {
    const top = this.object(raw, [], ['mode', 'engine', 'memory', 'sessions', 'extract', 'curate', 'approval', 'git', 'github', 'claude', 'managed', 'lint', 'agents', 'store']);
    const memory = this.object(top.memory ?? {}, ['memory'], ['root', 'inbox', 'namespaces']);
    const root = this.relativePath(memory.root ?? 'memory', ['memory', 'root']);
    const extract = this.object(top.extract ?? {}, ['extract'], ['min_sessions', 'hold_out']);
    const curate = this.object(top.curate ?? {}, ['curate'], ['max_actions']);
    const approval = this.object(top.approval ?? {}, ['approval'], ['auto', 'review', 'max_prune_ratio']);
    const git = this.object(top.git ?? {}, ['git'], ['main', 'author']);
    const author = this.object(git.author ?? {}, ['git', 'author'], ['name', 'email']);
    return {
      file: this.file,
      repoDir,
      mode: this.oneOf<Mode>(top.mode ?? 'review', MODES, ['mode']),
      engine: this.oneOf<EngineName>(top.engine ?? 'heuristic', ENGINES, ['engine']),
      memory: {
        root,
        inbox: this.relativePath(memory.inbox ?? 'notes.md', ['memory', 'inbox']),
        namespaces: this.namespaces(memory.namespaces),
      },
      sessions: this.sessions(top.sessions),
      extract: {
        minSessions: this.integer(extract.min_sessions ?? 2, ['extract', 'min_sessions'], 1),
        holdOut: this.holdOut(extract.hold_out),
      },
      curate: { maxActions: this.integer(curate.max_actions ?? DEFAULT_MAX_ACTIONS, ['curate', 'max_actions'], 1) },
      approval: { auto: this.safeTypes(approval), maxPruneRatio: this.ratio(approval.max_prune_ratio ?? 0.2, ['approval', 'max_prune_ratio']) },
      agents: this.agents(top.agents, root, repoDir),
      lint: this.lint(top.lint),
      ...(top.github !== undefined ? { github: this.github(top.github) } : {}),
      claude: this.claude(top.claude),
      managed: this.managed(top.managed),
      ...(top.store !== undefined ? { store: this.store(top.store, this.namespaces(memory.namespaces)) } : {}),
      git: {
        main: this.string(git.main ?? 'main', ['git', 'main']),
        author: {
          name: this.identity(author.name ?? DEFAULT_AUTHOR.name, ['git', 'author', 'name']),
          email: this.identity(author.email ?? DEFAULT_AUTHOR.email, ['git', 'author', 'email']),
        },
      },
    };
  }

  /** A cycle holds out its newest sessions one by one as they stream, so the count is kept to what a review reads. */
  private holdOut(value: unknown): number {
    const count = this.integer(value ?? 0, ['extract', 'hold_out'], 0);
    if (count > MAX_HOLD_OUT) this.fail(`must be at most ${MAX_HOLD_OUT}`, ['extract', 'hold_out']);
    return count;
  }

  /** `auto` lists the safe types; `review` the others; a type in both is a mistake worth stopping for. */
  private safeTypes(approval: Record<string, unknown>): ActionType[] {
    const list = (key: 'auto' | 'review'): ActionType[] | undefined =>
      approval[key] === undefined ? undefined : this.array(approval[key], ['approval', key]).map((t, i) => this.oneOf<ActionType>(t, ACTION_TYPES, ['approval', key, i]));
    const auto = list('auto');
    const review = list('review') ?? [];
    review.forEach((type, i) => {
      if (auto?.includes(type)) this.fail(`"${type}" is listed in approval.auto too; an action type is either safe or needs review`, ['approval', 'review', i]);
    });
    return (auto ?? ACTION_TYPES.filter((t) => !review.includes(t))).slice();
  }

  private lint(value: unknown): Config['lint'] {
    const lint = this.object(value ?? {}, ['lint'], ['harness', 'since']);
    const result: Config['lint'] = { harness: this.oneOf<Harness>(lint.harness ?? 'none', HARNESSES, ['lint', 'harness']) };
    if (lint.since !== undefined) result.since = this.string(lint.since, ['lint', 'since']);
    return result;
  }

  private github(value: unknown): GitHubConfig {
    const at = ['github'];
    const gh = this.object(value ?? {}, at, ['repo', 'remote', 'api_url', 'draft', 'labels', 'max_wait_seconds']);
    const config: GitHubConfig = {
      remote: this.string(gh.remote ?? 'origin', [...at, 'remote']),
      apiUrl: this.url(gh.api_url ?? 'https://api.github.com', [...at, 'api_url']).replace(/\/+$/, ''),
      draft: this.boolean(gh.draft ?? false, [...at, 'draft']),
      labels: this.boolean(gh.labels ?? true, [...at, 'labels']),
      maxWaitSeconds: this.integer(gh.max_wait_seconds ?? DEFAULT_MAX_WAIT_SECONDS, [...at, 'max_wait_seconds'], 0),
    };
    if (gh.repo !== undefined) {
      const repo = this.string(gh.repo, [...at, 'repo']);
      if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) this.fail('must be "owner/name"', [...at, 'repo']);
      config.repo = repo;
    }
    return config;
  }

  private claude(value: unknown): ClaudeConfig {
    const at = ['claude'];
    const section = this.object(value ?? {}, at, ['model', 'max_tokens', 'map', 'curate', 'concurrency', 'instructions', 'budget', 'base_url', 'batch', 'batch_wait_minutes', 'effort']);
    // `claude.model` and `claude.max_tokens` are the default of both phases; a phase's own key wins over them.
    const shared = {
      ...(section.model !== undefined ? { model: this.string(section.model, [...at, 'model']) } : {}),
      ...(section.max_tokens !== undefined ? { maxTokens: this.maxTokens(section.max_tokens, [...at, 'max_tokens']) } : {}),
    };
    const config: ClaudeConfig = {
      map: this.claudePhase(section.map, 'map', { model: shared.model ?? DEFAULT_MAP_MODEL, maxTokens: shared.maxTokens ?? DEFAULT_MAP_MAX_TOKENS }),
      curate: this.claudePhase(section.curate, 'curate', { model: shared.model ?? DEFAULT_CURATE_MODEL, maxTokens: shared.maxTokens ?? DEFAULT_CURATE_MAX_TOKENS }),
      concurrency: this.integer(section.concurrency ?? 4, [...at, 'concurrency'], 1),
      budget: this.budget(section.budget),
      batch: this.boolean(section.batch ?? false, [...at, 'batch']),
      batchWaitMinutes: this.integer(section.batch_wait_minutes ?? DEFAULT_BATCH_WAIT_MINUTES, [...at, 'batch_wait_minutes'], 0),
    };
    if (config.batchWaitMinutes > MAX_BATCH_WAIT_MINUTES) this.fail(`must be at most ${MAX_BATCH_WAIT_MINUTES} (a batch expires after 24 hours)`, [...at, 'batch_wait_minutes']);
    if (config.concurrency > 64) this.fail('must be at most 64', [...at, 'concurrency']);
    if (section.instructions !== undefined) {
      const instructions = this.string(section.instructions, [...at, 'instructions']);
      if (instructions.length > MAX_INSTRUCTIONS) this.fail(`must be at most ${MAX_INSTRUCTIONS} characters (it has ${instructions.length})`, [...at, 'instructions']);
      config.instructions = instructions;
    }
    if (section.base_url !== undefined) config.baseUrl = this.url(section.base_url, [...at, 'base_url']).replace(/\/+$/, '');
    if (section.effort !== undefined) config.effort = this.oneOf<Effort>(section.effort, EFFORTS, [...at, 'effort']);
    return config;
  }

  /** `managed:`: what the Dreams API takes, checked here so that a cycle never creates a dream the API would refuse. */
  private managed(value: unknown): ManagedConfig {
    const at = ['managed'];
    const section = this.object(value ?? {}, at, ['model', 'instructions', 'store', 'sessions', 'wait_minutes', 'poll_seconds', 'base_url']);
    const store = this.object(section.store ?? {}, [...at, 'store'], ['id', 'name']);
    const sessions = this.object(section.sessions ?? {}, [...at, 'sessions'], ['agent_id', 'ids', 'max_per_dream']);
    const config: ManagedConfig = {
      model: this.string(section.model ?? DEFAULT_DREAM_MODEL, [...at, 'model']),
      store: { name: this.string(store.name ?? 'reverie', [...at, 'store', 'name']) },
      sessions: { maxPerDream: this.integer(sessions.max_per_dream ?? MAX_DREAM_SESSIONS, [...at, 'sessions', 'max_per_dream'], 1) },
      waitMinutes: this.integer(section.wait_minutes ?? DEFAULT_BATCH_WAIT_MINUTES, [...at, 'wait_minutes'], 0),
      pollSeconds: this.integer(section.poll_seconds ?? 10, [...at, 'poll_seconds'], 1),
    };
    if (config.model.length === 0 || config.model.length > 256) this.fail('must be a model id of 1 to 256 characters', [...at, 'model']);
    if (config.sessions.maxPerDream > MAX_DREAM_SESSIONS) this.fail(`must be at most ${MAX_DREAM_SESSIONS}: a dream reads at most ${MAX_DREAM_SESSIONS} sessions`, [...at, 'sessions', 'max_per_dream']);
    if (config.waitMinutes > MAX_BATCH_WAIT_MINUTES) this.fail(`must be at most ${MAX_BATCH_WAIT_MINUTES}`, [...at, 'wait_minutes']);
    if (section.instructions !== undefined) {
      const instructions = this.string(section.instructions, [...at, 'instructions']);
      const characters = [...instructions].length;
      if (characters > MAX_INSTRUCTIONS) this.fail(`must be at most ${MAX_INSTRUCTIONS} characters, what the Dreams API takes (it has ${characters})`, [...at, 'instructions']);
      config.instructions = instructions;
    }
    if (store.id !== undefined) config.store.id = this.apiId(store.id, 'memstore_', [...at, 'store', 'id']);
    if (sessions.agent_id !== undefined) config.sessions.agentId = this.apiId(sessions.agent_id, 'agent_', [...at, 'sessions', 'agent_id']);
    if (sessions.ids !== undefined) {
      const ids = this.array(sessions.ids, [...at, 'sessions', 'ids']).map((id, i) => this.apiId(id, 'sesn_', [...at, 'sessions', 'ids', i]));
      ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) this.fail(`session ${id} is listed twice`, [...at, 'sessions', 'ids', i]);
      });
      if (ids.length === 0) this.fail('must list at least one session id (leave the key out to send the newest sessions)', [...at, 'sessions', 'ids']);
      if (config.sessions.agentId !== undefined) this.fail('give either sessions.ids or sessions.agent_id, not both', [...at, 'sessions', 'ids']);
      config.sessions.ids = ids;
    }
    if (section.base_url !== undefined) config.baseUrl = this.url(section.base_url, [...at, 'base_url']).replace(/\/+$/, '');
    return config;
  }

  /** `store:`: the memory store mirrored, where the memory root sits in it, and which namespaces go there. */
  private store(value: unknown, namespaces: Namespace[]): StoreConfig {
    const at = ['store'];
    const section = this.object(value, at, ['id', 'path', 'namespaces', 'base_url', 'sessions']);
    const id = this.string(section.id, [...at, 'id']);
    if (!/^memstore_[A-Za-z0-9]+$/.test(id)) this.fail('must be a memory store id (memstore_...)', [...at, 'id']);
    const storePath = this.string(section.path ?? '/', [...at, 'path']);
    if (!storePath.startsWith('/') || !storePath.endsWith('/') || storePath.split('/').slice(1, -1).some((s) => s === '' || s === '.' || s === '..')) {
      this.fail('must be a store path that starts and ends with "/", such as "/" or "/team/"', [...at, 'path']);
    }
    const sessions = this.object(section.sessions ?? {}, [...at, 'sessions'], ['into', 'on_pull', 'on_dream']);
    const config: StoreConfig = {
      id,
      path: storePath,
      sessionsInto: this.relativePath(sessions.into ?? 'sessions/managed-agents', [...at, 'sessions', 'into']),
      sessionsOnPull: this.boolean(sessions.on_pull ?? false, [...at, 'sessions', 'on_pull']),
      sessionsOnDream: this.boolean(sessions.on_dream ?? false, [...at, 'sessions', 'on_dream']),
    };
    if (section.namespaces !== undefined) {
      config.namespaces = this.array(section.namespaces, [...at, 'namespaces']).map((n, i) => {
        const name = this.string(n, [...at, 'namespaces', i]);
        if (!namespaces.some((ns) => ns.name === name)) this.fail(`no namespace "${name}" in memory.namespaces (${namespaces.map((ns) => ns.name).join(', ')})`, [...at, 'namespaces', i]);
        return name;
      });
    }
    if (section.base_url !== undefined) config.baseUrl = this.url(section.base_url, [...at, 'base_url']).replace(/\/+$/, '');
    return config;
  }

  /** An id of the Managed Agents API, with its prefix (`memstore_…`, `sesn_…`): a name or a path here is a mistake. */
  private apiId(value: unknown, prefix: string, at: Path): string {
    const id = this.string(value, at);
    if (!id.startsWith(prefix) || !/^[A-Za-z0-9_-]+$/.test(id)) this.fail(`must be an id that starts with ${prefix}`, at);
    return id;
  }

  private claudePhase(value: unknown, phase: 'map' | 'curate', defaults: ClaudePhaseConfig): ClaudePhaseConfig {
    const at = ['claude', phase];
    const section = this.object(value ?? {}, at, ['model', 'max_tokens']);
    return {
      model: section.model !== undefined ? this.string(section.model, [...at, 'model']) : defaults.model,
      maxTokens: section.max_tokens !== undefined ? this.maxTokens(section.max_tokens, [...at, 'max_tokens']) : defaults.maxTokens,
    };
  }

  private maxTokens(value: unknown, at: Path): number {
    const tokens = this.integer(value, at, 1);
    if (tokens > MAX_OUTPUT_TOKENS) this.fail(`must be at most ${MAX_OUTPUT_TOKENS}`, at);
    return tokens;
  }

  private budget(value: unknown): ClaudeConfig['budget'] {
    const at = ['claude', 'budget'];
    const budget = this.object(value ?? {}, at, ['tokens', 'usd']);
    const result: ClaudeConfig['budget'] = {};
    if (budget.tokens !== undefined) result.tokens = this.integer(budget.tokens, [...at, 'tokens'], 1);
    if (budget.usd !== undefined) {
      if (typeof budget.usd !== 'number' || !Number.isFinite(budget.usd) || budget.usd <= 0) this.fail('must be a number of dollars above 0', [...at, 'usd']);
      result.usd = budget.usd as number;
    }
    return result;
  }

  private url(value: unknown, at: Path): string {
    const text = this.string(value, at);
    if (!/^https?:\/\/[^\s/]+/.test(text)) this.fail('must be an http(s) URL', at);
    return text;
  }

  private namespaces(value: unknown): Namespace[] {
    if (value === undefined) return [{ name: 'memory', paths: ['**/*.md'], policy: 'dream' }];
    const list = this.array(value, ['memory', 'namespaces']);
    const seen = new Set<string>();
    return list.map((item, i) => {
      const at = ['memory', 'namespaces', i];
      const ns = this.object(item, at, ['name', 'paths', 'policy', 'budget_tokens']);
      const name = this.string(ns.name, [...at, 'name']);
      if (seen.has(name)) this.fail(`namespace "${name}" is defined twice`, [...at, 'name']);
      seen.add(name);
      const paths = this.array(ns.paths, [...at, 'paths']).map((p, j) => this.string(p, [...at, 'paths', j]));
      if (paths.length === 0) this.fail('needs at least one path glob', [...at, 'paths']);
      const namespace: Namespace = { name, paths, policy: this.oneOf<Policy>(ns.policy ?? 'dream', ['dream', 'protected'], [...at, 'policy']) };
      if (ns.budget_tokens !== undefined) namespace.budgetTokens = this.integer(ns.budget_tokens, [...at, 'budget_tokens'], 1);
      return namespace;
    });
  }

  /**
   * Each agent's name (unique), the globs of what it loads, the limits of what it may load, and where `reverie compile`
   * writes it (`compile:`). Two agents never write the same file.
   */
  private agents(value: unknown, root: string, repoDir: string): AgentLoad[] {
    if (value === undefined) return [];
    const seen = new Set<string>();
    const written = new Map<string, string>();
    return this.array(value, ['agents']).map((item, i) => {
      const at = ['agents', i];
      const agent = this.object(item, at, ['name', 'loads', 'max_tokens', 'max_lines', 'max_bytes', 'compile']);
      const name = this.string(agent.name, [...at, 'name']);
      if (seen.has(name)) this.fail(`agent "${name}" is defined twice`, [...at, 'name']);
      seen.add(name);
      const loads = this.array(agent.loads, [...at, 'loads']).map((p, j) => this.string(p, [...at, 'loads', j]));
      if (loads.length === 0) this.fail('needs at least one path glob: the memory files this agent loads', [...at, 'loads']);
      const limits: AgentLoad['limits'] = {};
      if (agent.max_tokens !== undefined) limits.tokens = this.integer(agent.max_tokens, [...at, 'max_tokens'], 1);
      if (agent.max_lines !== undefined) limits.lines = this.integer(agent.max_lines, [...at, 'max_lines'], 1);
      if (agent.max_bytes !== undefined) limits.bytes = this.integer(agent.max_bytes, [...at, 'max_bytes'], 1);
      if (agent.compile === undefined) return { name, loads, limits };
      const compile = this.compileTarget(agent.compile, [...at, 'compile'], root, repoDir);
      const where = path.resolve(repoDir, compile.into, compile.path);
      const other = written.get(where);
      if (other) this.fail(`agent "${other}" writes ${compile.path} there already; give each agent its own file`, [...at, 'compile', 'path']);
      written.set(where, name);
      return { name, loads, limits, compile };
    });
  }

  /** `compile:` of an agent: its format, and a path that stays inside `into` (and out of the memory it is made from). */
  private compileTarget(value: unknown, at: Path, root: string, repoDir: string): CompileTarget {
    const section = this.object(value, at, ['format', 'path', 'into', 'globs', 'always_apply', 'description']);
    const format = this.oneOf<CompileFormat>(section.format, COMPILE_FORMATS, [...at, 'format']);
    const into = section.into === undefined ? '.' : this.string(section.into, [...at, 'into']);
    const given = section.path === undefined ? formatSpec(format).defaultPath : this.string(section.path, [...at, 'path']);
    const target = path.posix.normalize(given.replace(/\\/g, '/')).replace(/\/+$/, '');
    if (path.posix.isAbsolute(target) || path.win32.isAbsolute(given) || target === '..' || target.startsWith('../') || target === '.' || target === '') {
      this.fail(`must be a path inside into: (${into}), relative to it; "${given}" ${target === '.' || target === '' ? 'is into: itself' : 'escapes it'}`, [...at, 'path']);
    }
    if (target.split('/').some((part) => part.toLowerCase() === '.git')) this.fail('must not be inside .git', [...at, 'path']);
    const intoDir = path.resolve(repoDir, into);
    if (intoDir !== path.resolve(repoDir) && !path.relative(repoDir, intoDir).startsWith('..') && !path.isAbsolute(path.relative(repoDir, intoDir))) {
      this.fail(`is inside the memory repository; write into: . with path: ${path.posix.join(path.relative(repoDir, intoDir).split(path.sep).join('/'), target)} instead, so the files are committed`, [...at, 'into']);
    }
    if (intoDir === path.resolve(repoDir)) {
      const inside = (folder: string) => folder === '' || target === folder || target.startsWith(`${folder}/`) || folder.startsWith(`${target}/`);
      if (inside(root)) this.fail(`must not be inside memory.root (${root || '.'}): the compiled file would be compiled again as memory`, [...at, 'path']);
      if (inside('.reverie')) this.fail("must not be inside .reverie, reverie's own state", [...at, 'path']);
    }
    const result: CompileTarget = { format, path: target, into };
    const perFile = isPerFile(format);
    if (section.globs !== undefined) {
      if (!perFile) this.fail(`only the cursor and claude-rules formats take globs (this is ${format})`, [...at, 'globs']);
      result.globs = this.array(section.globs, [...at, 'globs']).map((g, j) => this.string(g, [...at, 'globs', j]));
    }
    if (section.always_apply !== undefined) {
      if (format !== 'cursor') this.fail(`only the cursor format takes always_apply (this is ${format})`, [...at, 'always_apply']);
      result.alwaysApply = this.boolean(section.always_apply, [...at, 'always_apply']);
    }
    if (section.description !== undefined) {
      if (format !== 'cursor') this.fail(`only the cursor format takes description (this is ${format})`, [...at, 'description']);
      result.description = this.string(section.description, [...at, 'description']);
    }
    return result;
  }

  private sessions(value: unknown): SessionSource[] {
    if (value === undefined) return [{ path: 'sessions', format: 'auto' }];
    return this.array(value, ['sessions']).map((item, i) => {
      const at = ['sessions', i];
      const source = this.object(item, at, ['path', 'format', 'agent']);
      const result: SessionSource = {
        path: this.string(source.path, [...at, 'path']),
        format: this.oneOf<string>(source.format ?? 'auto', ['auto', ...SESSION_FORMATS], [...at, 'format']),
      };
      if (source.agent !== undefined) result.agent = this.string(source.agent, [...at, 'agent']);
      return result;
    });
  }

  /**
   * A name or email for the commits' author line, `name <email> time zone`: a line break would end the header early
   * and an angle bracket would move where the email starts, either way a malformed commit object.
   */
  private identity(value: unknown, at: Path): string {
    const text = this.string(value, at);
    // eslint-disable-next-line no-control-regex
    const bad = /[\u0000-\u001f\u007f-\u009f<>\u2028\u2029]/.exec(text)?.[0];
    if (bad !== undefined) {
      const shown = bad === '<' || bad === '>' ? `"${bad}"` : `U+${bad.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      this.fail(`must be one line without control characters or angle brackets (found ${shown})`, at);
    }
    return text;
  }

  private ratio(value: unknown, at: Path): number {
    if (typeof value !== 'number' || value < 0 || value > 1) this.fail('must be a number from 0 to 1', at);
    return value as number;
  }

  /** A path inside the repository: relative, no `..`, posix separators. */
  private relativePath(value: unknown, at: Path): string {
    const text = this.string(value, at);
    const normal = path.posix.normalize(text.replace(/\/+$/, ''));
    if (path.posix.isAbsolute(normal) || text.split('/').includes('..') || text.includes('\\') || text.includes('\0')) {
      this.fail('must be a relative path inside the repository', at);
    }
    return normal === '.' ? '' : normal;
  }
}
