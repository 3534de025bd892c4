/** The command tree and the one place that maps errors to exit codes; main.ts runs it. */
import { Command, CommanderError } from 'commander';
import { ReverieError } from '../errors.js';
import { commanderOutput, usageErrorsExitTwo } from './exit.js';
import { consoleOutput, type Output } from './output.js';
import { VERSION } from '../version.js';
import { enableReadCache } from '../util/read-cache.js';

/**
 * The commands that keep answers of pure reads between runs (util/read-cache.ts): those that only report, and a cycle,
 * which on a quiet night does little more than read its configuration. A command that promises to write nothing
 * (`--dry-run`) leaves the git directory as it found it; the others write there anyway.
 */
const READ_CACHE_COMMANDS = new Set(['log', 'status', 'stats', 'why', 'dream']);

/** Read-only commands that look at the repository's history (status says it itself, writing commands repair). */
const SAYS_WHAT_NEEDS_REPAIR = new Set(['log', 'review', 'why', 'stats']);

type Register = (program: Command, out: Output) => void;

/**
 * Each command's module, loaded when the command runs: a command pays for what it uses (`log` never loads the
 * Anthropic SDK or Octokit), and `--version` for nothing. Several commands can share a module.
 */
const COMMAND_MODULES: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./commands/init.js')).registerInit,
  dream: async () => (await import('./commands/dream.js')).registerDream,
  log: async () => (await import('./commands/log.js')).registerLog,
  status: async () => (await import('./commands/status.js')).registerStatus,
  sessions: async () => (await import('./commands/sessions.js')).registerSessions,
  approve: async () => (await import('./commands/decide.js')).registerDecisions,
  review: async () => (await import('./commands/review.js')).registerReview,
  why: async () => (await import('./commands/why.js')).registerWhy,
  stats: async () => (await import('./commands/stats.js')).registerStats,
  revert: async () => (await import('./commands/revert.js')).registerRevert,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  check: async () => (await import('./commands/check.js')).registerCheck,
  test: async () => (await import('./commands/test.js')).registerTest,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  compile: async () => (await import('./commands/compile.js')).registerCompile,
  store: async () => (await import('./commands/store.js')).registerStore,
};
// Registered by the module of another name.
const SAME_MODULE: Record<string, string> = { reject: 'approve', drop: 'approve', keep: 'approve' };

/**
 * The modules `argv` needs: its command's alone, or every one when it names none that is known (help, an unknown
 * command, which commander answers with the list), none for `--version`.
 */
function modulesFor(argv: readonly string[]): (() => Promise<Register>)[] {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) return [];
  const word = args.find((a) => !a.startsWith('-'));
  const name = word ? (SAME_MODULE[word] ?? word) : undefined;
  const one = name ? COMMAND_MODULES[name] : undefined;
  return one ? [one] : [...new Set(Object.values(COMMAND_MODULES))];
}

/**
 * Builds the command tree for `argv` (all commands when it names none); exported so tests can run commands in-process.
 * `buildId` names the build, for the read cache of the commands that keep one (none without it).
 */
export async function buildProgram(out = consoleOutput(), argv: readonly string[] = [], buildId?: string): Promise<Command> {
  const program = new Command('reverie')
    .description('dream cycles for agent memory: curate memory files from past sessions as reviewable git commits')
    .version(VERSION)
    .showHelpAfterError()
    // A command's options come after its name, so that a command's own subcommand (`sessions import`) gets those
    // written after it rather than its parent.
    .enablePositionalOptions();
  // Before the commands are added: each inherits both.
  usageErrorsExitTwo(program);
  commanderOutput(program, out);
  const registers = await Promise.all(modulesFor(argv).map((load) => load()));
  for (const register of registers) register(program, out);
  // Commands that only read say what an interrupted run left; those that write repair it first (cycle/recover.ts).
  program.hook('preAction', async (_program, action) => {
    const flags = action.opts() as { repo?: string; json?: boolean; dryRun?: boolean; mode?: string };
    const writesNothing = flags.dryRun === true || flags.mode === 'dry-run';
    if (buildId !== undefined && READ_CACHE_COMMANDS.has(action.name()) && !writesNothing) enableReadCache(buildId);
    if (!SAYS_WHAT_NEEDS_REPAIR.has(action.name()) || flags.json) return;
    const [{ openRepo }, { pendingRepairs }] = await Promise.all([import('../git/repo.js'), import('../cycle/pending-repairs.js')]);
    const repo = await openRepo(flags.repo ?? '.').catch(() => undefined);
    if (!repo) return;
    for (const line of await pendingRepairs(repo)) out.warn(`needs repair: ${line}; any writing command or \`reverie doctor\` repairs it`);
  });
  return program;
}

/** One place maps errors to exit codes: ours carry theirs; anything else is a bug (exit 70). */
export async function run(argv: string[], buildId?: string): Promise<number> {
  const out = consoleOutput();
  try {
    await (await buildProgram(out, argv, buildId)).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ReverieError || hasExitCode(error)) {
      out.warn(`reverie: ${(error as Error).message}`);
      return (error as { exitCode: number }).exitCode;
    }
    out.warn(`reverie: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 70;
  }
}

function hasExitCode(error: unknown): error is { exitCode: number } {
  return typeof (error as { exitCode?: unknown })?.exitCode === 'number';
}
