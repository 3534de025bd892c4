/**
 * The Action's inputs and the runner's variables, read from the environment as GitHub passes them, and turned into
 * what a cycle needs. Pure: an environment in, plain values out; the shell does the reading of files.
 */
import path from 'node:path';
import { ENGINES, MODES, type Mode } from '../config/index.js';
import { UsageError } from '../errors.js';

export interface ActionInputs {
  /** dream (a cycle), respond (act on what a reviewer did on a cycle's pull request) or compile (`reverie compile`). */
  command: Exclude<ActionCommand, 'check'>;
  /** compile: `--check`, report what is not up to date and write nothing. */
  check: boolean;
  /** compile: `--agent`, only this agent. */
  agent?: string;
  /** Unset: the mode reverie.yaml says. */
  mode?: Mode;
  /** Unset: the engine reverie.yaml says. */
  engine?: string;
  /** The claude engine's model, over `claude.model`. */
  model?: string;
  /** reverie.yaml's path, relative to the memory repository. */
  config: string;
  /** The memory repository, relative to the workspace (or absolute): the workspace itself by default. */
  path: string;
  /** Session log globs or folders over reverie.yaml's `sessions:`, relative to the memory repository (or absolute). */
  sessions: string[];
  githubToken?: string;
  anthropicApiKey?: string;
  /** What a run does while a cycle waits for review: rebuild it with new sessions (update), wait, or supersede it. */
  waiting: Waiting;
}

export const WAITING = ['update', 'wait', 'supersede'] as const;
export type Waiting = (typeof WAITING)[number];

/** What the runner tells every step about the run, from its `GITHUB_*` and `RUNNER_*` variables. */
export interface RunnerContext {
  workspace: string;
  /** `owner/name` of the repository the workflow runs in. */
  repository?: string;
  /** `https://github.com`, or a GitHub Enterprise Server's URL: where commit and pull request links point. */
  serverUrl: string;
  /** The REST API of that server. */
  apiUrl?: string;
  eventPath?: string;
  /** On a pull request: the branch it would merge into (GITHUB_BASE_REF). */
  baseRef?: string;
  /** A folder the job may write scratch files to, emptied after the job. */
  tempDir: string;
  outputFile?: string;
  summaryFile?: string;
}

/**
 * `INPUT_<NAME>` as the runner sets it: the input's name upper-cased with spaces as underscores, dashes kept
 * (`github-token` is `INPUT_GITHUB-TOKEN`). Trimmed; empty when unset.
 */
export function rawInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** The secrets among the inputs, to mask before anything else is read or printed. */
export function secretInputs(env: NodeJS.ProcessEnv): string[] {
  return ['github-token', 'anthropic-api-key'].map((name) => rawInput(env, name)).filter((value) => value !== '');
}

/**
 * What the bundle runs: a dream cycle, the pull-request check of the memory (`reverie check`), a response to what a
 * reviewer did on a cycle's pull request (its checkboxes, a `/reverie` comment, its closing), or `reverie compile`.
 */
export const ACTION_COMMANDS = ['dream', 'check', 'respond', 'compile'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** The `command` input; empty is a dream cycle, what the Action was first made for. */
export function readCommand(env: NodeJS.ProcessEnv): ActionCommand {
  const command = rawInput(env, 'command') || 'dream';
  if (!(ACTION_COMMANDS as readonly string[]).includes(command)) throw new UsageError(`input command must be one of ${ACTION_COMMANDS.join(', ')} (got "${command}")`);
  return command as ActionCommand;
}

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  // main.ts hands every command but `check` to run.ts, so an unknown one is refused here, by its name.
  const command = readCommand(env);
  if (command === 'check') throw new UsageError('input command check is run by the check entry, not with a dream cycle\'s inputs');
  const mode = rawInput(env, 'mode');
  if (mode !== '' && !MODES.includes(mode as Mode)) throw new UsageError(`input mode must be one of ${MODES.join(', ')} (got "${mode}")`);
  const engine = rawInput(env, 'engine');
  if (engine !== '' && !(ENGINES as readonly string[]).includes(engine)) throw new UsageError(`input engine must be one of ${ENGINES.join(', ')} (got "${engine}")`);
  // dry-run is a safety switch: whatever the mode says, nothing is written.
  const dryRun = booleanInput(env, 'dry-run');
  const effectiveMode = dryRun ? 'dry-run' : (mode as Mode | '');
  const model = rawInput(env, 'model');
  const githubToken = rawInput(env, 'github-token');
  const anthropicApiKey = rawInput(env, 'anthropic-api-key');
  const waiting = rawInput(env, 'waiting') || 'update';
  if (!(WAITING as readonly string[]).includes(waiting)) throw new UsageError(`input waiting must be one of ${WAITING.join(', ')} (got "${waiting}")`);
  const check = booleanInput(env, 'check');
  if (check && command !== 'compile') throw new UsageError(`input check applies to command compile only (the command is ${command})`);
  const agent = rawInput(env, 'agent');
  if (agent && command !== 'compile') throw new UsageError(`input agent applies to command compile only (the command is ${command})`);
  return {
    command,
    check,
    ...(agent ? { agent } : {}),
    waiting: waiting as Waiting,
    ...(effectiveMode ? { mode: effectiveMode } : {}),
    ...(engine ? { engine } : {}),
    ...(model ? { model } : {}),
    config: rawInput(env, 'config') || 'reverie.yaml',
    path: rawInput(env, 'path') || '.',
    sessions: rawInput(env, 'sessions')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    ...(githubToken ? { githubToken } : {}),
    ...(anthropicApiKey ? { anthropicApiKey } : {}),
  };
}

/** The inputs of `command: check`. */
export interface CheckInputs {
  config: string;
  path: string;
  /** A branch, tag or commit to measure the change from; unset: the pull request's base. */
  base?: string;
}

export function readCheckInputs(env: NodeJS.ProcessEnv): CheckInputs {
  const base = rawInput(env, 'base');
  return { config: rawInput(env, 'config') || 'reverie.yaml', path: rawInput(env, 'path') || '.', ...(base ? { base } : {}) };
}

/** Where the change's base came from, so that an error about it can say which setting to change. */
export interface CheckBase {
  ref: string;
  source: 'input' | 'event' | 'base-ref';
}

/**
 * What the check measures the change from: the `base` input; else the pull request's base commit as the event names
 * it (the first parent of the merge commit actions/checkout checks out, so the change is exactly what merging
 * brings); else the base branch GITHUB_BASE_REF names, as fetched from origin. Undefined outside a pull request, and
 * for a memory repo checked out elsewhere than the workspace, which the pull request may not be about (as for
 * configOverrides): `reverie check` then measures from where the history meets main.
 */
export function checkBase(inputs: CheckInputs, runner: RunnerContext, event: EventFacts): CheckBase | undefined {
  if (inputs.base) return { ref: inputs.base, source: 'input' };
  if (memoryRepoDir(inputs, runner) !== path.resolve(runner.workspace)) return undefined;
  if (event.baseSha) return { ref: event.baseSha, source: 'event' };
  if (runner.baseRef) return { ref: `refs/remotes/origin/${runner.baseRef}`, source: 'base-ref' };
  return undefined;
}

/** A boolean input as GitHub's toolkit reads one: YAML 1.2 core schema spellings only, empty is false. */
export function booleanInput(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = rawInput(env, name);
  if (value === '' || ['false', 'False', 'FALSE'].includes(value)) return false;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  throw new UsageError(`input ${name} must be true or false (got "${value}")`);
}

/** The runner's variables; `fallback` stands in for those a run outside GitHub (a test, a local try) leaves unset. */
export function readRunnerContext(env: NodeJS.ProcessEnv, fallback: { cwd: string; tempDir: string }): RunnerContext {
  const defined = (name: string) => (env[name] ?? '').trim() || undefined;
  const repository = defined('GITHUB_REPOSITORY');
  const apiUrl = defined('GITHUB_API_URL');
  const eventPath = defined('GITHUB_EVENT_PATH');
  const baseRef = defined('GITHUB_BASE_REF');
  const outputFile = defined('GITHUB_OUTPUT');
  const summaryFile = defined('GITHUB_STEP_SUMMARY');
  return {
    workspace: defined('GITHUB_WORKSPACE') ?? fallback.cwd,
    serverUrl: (defined('GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, ''),
    tempDir: defined('RUNNER_TEMP') ?? fallback.tempDir,
    ...(repository ? { repository } : {}),
    ...(apiUrl ? { apiUrl } : {}),
    ...(eventPath ? { eventPath } : {}),
    ...(baseRef ? { baseRef } : {}),
    ...(outputFile ? { outputFile } : {}),
    ...(summaryFile ? { summaryFile } : {}),
  };
}

export function memoryRepoDir(inputs: ActionInputs | CheckInputs, runner: RunnerContext): string {
  return path.resolve(runner.workspace, inputs.path);
}

/**
 * A path as an annotation names it: relative to the workspace, `/`-separated; undefined when it lies outside the
 * workspace, where GitHub has no file to point at.
 */
export function workspacePath(runner: RunnerContext, file: string): string | undefined {
  const relative = path.relative(runner.workspace, path.resolve(runner.workspace, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/** Settings reverie.yaml leaves open that the Action fills in from the run; see overlayConfig. */
export interface ConfigOverrides {
  /** Used only when reverie.yaml has no `github:` section: in the Action, review always happens on GitHub. */
  githubRepo?: string;
  /** `github.api_url`, unless reverie.yaml sets it: the runner knows its server's API (GitHub Enterprise Server). */
  apiUrl?: string;
  /** `git.main`, unless reverie.yaml sets it: the repository's default branch. */
  main?: string;
  /** `claude.model`. */
  model?: string;
  /** `sessions:`, replaced. */
  sessions?: string[];
}

/**
 * What the run says about the memory repository. The workflow's repository and its default branch describe the
 * memory repository only when that is the workspace itself; a memory repo checked out elsewhere (`path:`) names
 * itself through its remote and its reverie.yaml.
 */
export function configOverrides(inputs: ActionInputs, runner: RunnerContext, event: EventFacts): ConfigOverrides {
  const isWorkspace = memoryRepoDir(inputs, runner) === path.resolve(runner.workspace);
  return {
    ...(isWorkspace && runner.repository ? { githubRepo: runner.repository } : {}),
    ...(runner.apiUrl ? { apiUrl: runner.apiUrl } : {}),
    ...(isWorkspace && event.defaultBranch ? { main: event.defaultBranch } : {}),
    ...(inputs.model ? { model: inputs.model } : {}),
    ...(inputs.sessions.length > 0 ? { sessions: inputs.sessions } : {}),
  };
}

/** What the Action reads from the event that started the workflow. */
export interface EventFacts {
  defaultBranch?: string;
  /** A pull request's base commit, as the event saw it. */
  baseSha?: string;
}

/** The event payload's facts; a payload that is missing or not JSON says nothing (a local run has none). */
export function eventFacts(payload: string | undefined): EventFacts {
  if (!payload) return {};
  let event: { repository?: { default_branch?: unknown }; pull_request?: { base?: { sha?: unknown } } };
  try {
    event = JSON.parse(payload) as typeof event;
  } catch {
    return {};
  }
  const branch = event?.repository?.default_branch;
  const baseSha = event?.pull_request?.base?.sha;
  return {
    ...(typeof branch === 'string' && branch !== '' ? { defaultBranch: branch } : {}),
    // Only a commit id: the payload is the workflow's, but a value that is not one is not used as a ref either.
    ...(typeof baseSha === 'string' && /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(baseSha) ? { baseSha } : {}),
  };
}
