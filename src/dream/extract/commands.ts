/**
 * Shell commands as the patterns see them. Agents write the same command many ways
 * (`cd x && FOO=1 pnpm install --frozen-lockfile`); a pattern needs the part that matters (`pnpm install`).
 */

/** Programs whose runs say nothing about how a project works: looking around, not doing. */
const TRIVIAL = new Set([
  'ls', 'cat', 'cd', 'pwd', 'echo', 'head', 'tail', 'grep', 'rg', 'find', 'wc', 'which', 'tree', 'less', 'more', 'sed',
  'awk', 'sort', 'uniq', 'true', 'false', 'sleep', 'clear', 'mkdir', 'touch', 'date', 'whoami', 'env', 'printenv', 'file',
  'stat', 'du', 'df', 'cp', 'mv', 'rm', 'chmod', 'open', 'code',
]);

const TRIVIAL_GIT = new Set([
  'status', 'diff', 'log', 'show', 'branch', 'add', 'remote', 'rev-parse', 'config', 'ls-tree', 'ls-files', 'cat-file', 'blame',
  'reflog', 'grep', 'for-each-ref', 'describe', 'shortlog', 'rev-list', 'merge-base', 'name-rev',
]);

/** The first meaningful segment of a command line: no `cd …&&` prefix, no env assignments, no pipes. */
export function mainSegment(command: string): string {
  const segments = command
    .split(/\s*(?:&&|\|\||;|\n)\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
  const meaningful = segments.find((s) => !/^(cd|source|\.|export|set)\b/.test(s)) ?? segments[0] ?? '';
  return (meaningful.split(/\s+\|\s+/)[0] ?? '').trim();
}

function withoutEnv(segment: string): string {
  return segment.replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+/, '');
}

/**
 * `python -m pytest tests -q` → `python -m pytest`; `pnpm install --frozen-lockfile` → `pnpm install`;
 * `git push origin main` → `git push`. Program plus the words that name the subcommand, stopping at the
 * first flag, path or value.
 */
export function commandHead(command: string): string {
  const tokens = withoutEnv(mainSegment(command)).split(/\s+/).filter(Boolean);
  const program = (tokens[0] ?? '').replace(/^.*\//, '');
  const head = [program];
  for (let i = 1; i < tokens.length && head.length < 3; i++) {
    const token = tokens[i] ?? '';
    // Options before the subcommand say where, not what: `pnpm --filter web add`, `terraform -chdir=infra plan`.
    if (head.length === 1 && token.startsWith('-') && token !== '-m') {
      if (!token.includes('=') && OPTION_WITH_VALUE.has(token)) i++;
      continue;
    }
    if (token === '-m' && program.startsWith('python')) {
      head.push(token);
      continue;
    }
    if (!/^[a-z][a-z0-9:_-]*$/.test(token)) break;
    if (head.length >= 2 && !['run', 'exec', '-m', 'x', 'dlx'].includes(head[head.length - 1] ?? '')) break;
    head.push(token);
  }
  return head.join(' ');
}

/** Global options that take a value as the next word (`-C dir`, `--filter pkg`, `-n namespace`). */
const OPTION_WITH_VALUE = new Set(['-C', '--filter', '-F', '--dir', '-n', '--namespace', '--context', '--kubeconfig', '-c', '--chdir', '--prefix', '-p', '--project', '--profile', '--region']);

/** A short, readable form of the command for a memory line: the main segment, env kept, at most 60 characters. */
export function displayCommand(command: string): string {
  // An assignment whose value was a secret says nothing once redacted: leave it out of memory.
  const segment = mainSegment(command)
    .replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\[REDACTED[^\s]*\s+)+/, '')
    .replace(/\s+/g, ' ');
  return segment.length <= 60 ? segment : `${segment.slice(0, 59)}…`;
}

export function isTrivial(command: string): boolean {
  const head = commandHead(command);
  const [program = '', sub = ''] = head.split(' ');
  if (program === '') return true;
  if (TRIVIAL.has(program)) return true;
  return program === 'git' && TRIVIAL_GIT.has(sub);
}

/** The program a head runs, seen through wrappers: `python -m pytest` and `PYTHONPATH=src pytest` both run pytest. */
export function effectiveProgram(head: string): string {
  const parts = head.split(' ');
  if (parts[1] === '-m' && parts[2]) return parts[2];
  if (['npx', 'pnpx', 'bunx', 'uvx'].includes(parts[0] ?? '') && parts[1]) return parts[1];
  return parts[0] ?? '';
}

/** The command text of a Bash-like tool call, if it is one. */
export function commandOf(name: string, input: Record<string, unknown>): string | undefined {
  // The shell tools of Claude Code, Gemini CLI, Codex (old and new names), Cursor and home-made agents.
  if (!/^(bash|shell|shell_command|exec_command|container\.exec|bash_code_execution|run_shell_command|run_terminal_cmd|run_terminal_command_v2|exec|execute|terminal|local_shell)$/i.test(name)) return undefined;
  const value = input.command ?? input.cmd ?? input.script;
  if (Array.isArray(value)) return value.map(String).join(' ');
  return typeof value === 'string' ? value : undefined;
}

/**
 * What two runs of one fix have in common, for a memory line that holds in every session: `pnpm --filter web add -D
 * @types/node` and `pnpm --filter web add zod` are `pnpm --filter web add …`; `git pull --rebase` and `git pull --rebase
 * origin main` are `git pull --rebase`. Nothing when they share less than the
 * command itself, or differ only in a number (`nvm use 18` and `nvm use 20` are two answers, not one).
 */
export function commonCommand(a: string, b: string): string | undefined {
  if (a === b) return a;
  const left = a.split(/\s+/);
  const right = b.split(/\s+/);
  let shared = 0;
  while (shared < left.length && shared < right.length && left[shared] === right[shared]) shared++;
  const prefix = left.slice(0, shared).join(' ');
  if (commandHead(prefix) !== commandHead(a) || commandHead(a) !== commandHead(b)) return undefined;
  // One run is the other without its extra arguments: the shorter one worked as it is.
  if (shared === left.length || shared === right.length) return prefix;
  // What both end with is kept too: `pnpm add zod --filter web` and `pnpm add dayjs --filter web` add to web.
  let tail = 0;
  while (tail < left.length - shared && tail < right.length - shared && left[left.length - 1 - tail] === right[right.length - 1 - tail]) tail++;
  const rest = [...left.slice(shared, left.length - tail), ...right.slice(shared, right.length - tail)];
  if (rest.some((token) => /^v?\d[\d.]*$/.test(token))) return undefined;
  return [prefix, '…', ...left.slice(left.length - tail)].join(' ');
}
