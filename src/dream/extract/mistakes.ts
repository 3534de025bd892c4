import type { Session, ToolCall, ToolResult } from '../../sessions/types.js';
import { quote, termsOnce } from '../text.js';
import { commandHead, commandOf, displayCommand, effectiveProgram, isTrivial, mainSegment } from './commands.js';
import type { Observation } from './observation.js';
import { INJECTION } from './preferences.js';
import { riskyInstruction } from './unsafe.js';
import { editOf, introducedNames, ruleIdOf } from './repairs.js';

/** A tool call with its result, in session order. */
interface Step {
  call: ToolCall;
  result?: ToolResult;
  turn: number;
  command?: string;
}

/** How far after a failure we look for what fixed it. */
const FIX_WINDOW = 8;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Tools that change the project's code: editing code is the work itself, not a fix to remember. */
const CODE_CHANGES = /^(edit|multiedit|write|notebookedit|todowrite|str_replace_editor|str_replace_based_edit_tool|apply_patch|replace|write_file|edit_file|edit_file_v2|search_replace)$/i;

/** A harness's own refusal of a command: its sandbox or its approval rules, not the project. */
const HARNESS_REFUSAL = /\b(failed in sandbox|sandbox(ed)? (denied|violation|error)|seatbelt|operation not permitted|requires? (user )?approval|approval (was )?(denied|required)|not allowed by (the )?(policy|sandbox)|permission to use \w+ (was )?denied)\b/i;

/** Text of results the user produced by declining a tool call: a decision, not a mistake. */
const USER_REJECTION = /doesn't want to (proceed|take this action)|tool use was rejected|request interrupted by user/i;

export function stepsOf(session: Session): Step[] {
  const results = new Map<string, ToolResult>();
  for (const turn of session.turns) for (const r of turn.toolResults) results.set(r.toolCallId, r);
  const steps: Step[] = [];
  for (const turn of session.turns) {
    for (const call of turn.toolCalls) {
      const step: Step = { call, turn: turn.index, result: results.get(call.id) };
      const command = commandOf(call.name, call.input);
      if (command !== undefined) step.command = command;
      steps.push(step);
    }
  }
  return steps;
}

function failed(step: Step): boolean {
  // A call the person declined or interrupted says what they wanted, not that the tool broke; readers mark it.
  return step.result?.isError === true && step.result.rejected !== true && !USER_REJECTION.test(step.result.text);
}

function succeeded(step: Step): boolean {
  return step.result !== undefined && !step.result.isError;
}

/** Recurring errors with the step that fixed them, one observation per distinct error in the session. */
export function findMistakes(session: Session): Observation[] {
  const steps = stepsOf(session);
  const byKey = new Map<string, Observation>();
  steps.forEach((step, i) => {
    if (!failed(step) || !step.result) return;
    // Output that talks to whoever reads it is an injection attempt, not an error to learn from; so is an error
    // line that tells its reader to do something risky, which a lesson quoting it would carry into memory.
    if (INJECTION.test(step.result.text) || riskyInstruction(errorLine(step.result.text))) return;
    // The harness refusing a command (a sandbox, an approval) says nothing about the project; nor does an error
    // with no words.
    if (HARNESS_REFUSAL.test(step.result.text) || errorLine(step.result.text).replace(/[^\p{L}]/gu, '') === '') return;
    // Looking around (a search with no match, a file not where it was guessed) is how work goes, not a mistake;
    // unless the program itself is missing.
    if (step.command !== undefined && isTrivial(step.command) && !missingObjects(step.result.text).includes(effectiveProgram(actionOf(step)))) return;
    const action = actionOf(step);
    const line = errorLine(step.result.text);
    // Keyed on the program, not the subcommand: `kubectl get` and `kubectl logs` fail the same way when logged out.
    // `pip3` and `pip`, `python3 -m pip` and `pip`: one program.
    const signature = `${step.command !== undefined ? effectiveProgram(action).replace(/(?<=[a-z])\d+(?:\.\d+)*$/, '') : action} :: ${signatureOf(line)}`;
    const missing = missingObjects(step.result.text);
    // Only when what is missing is the command itself (`make test`, `deploy.sh`) does the next command of its kind
    // replace it; a missing object (`deploy/legacy-billing`) is gone, whatever the agent ran next.
    const head = step.command !== undefined ? commandHead(step.command) : '';
    const fix = findFix(steps, i, missing.some((m) => head.split(' ').includes(m)));
    // A rule broken again and again is one lesson, whatever the message around it says.
    const key = fix?.repair
      ? `mistake:${effectiveProgram(action)} :: rule ${fix.repair.rule}`
      : `mistake:${keyOf(signature, missing, fix, step.command !== undefined ? effectiveProgram(action) : action)}`;
    if (byKey.has(key)) return;
    const observation: Observation = {
      key,
      kind: 'mistake',
      statement: fix?.repair ? repairStatement(step, line, fix) : mistakeStatement(step, line, fix),
      // Not through the cache of terms: a failure's line differs from session to session, and 100,000 of them would
      // only fill it (a text compared again and again is what it is for).
      terms: termsOnce(`${action} ${line} ${fix?.text ?? ''}`),
      quote: quote(line),
      turn: step.turn,
      // A missing program reads the same from every shell: "not installed", not the shell's words for it.
      signature: key.endsWith(' :: not installed') ? key.slice('mistake:'.length) : signature,
    };
    if (fix) {
      observation.fix = fix.text;
      observation.fixedAt = fix.turn;
      if (fix.replaces && step.command && commandHead(step.command) === commandHead(fix.command)) {
        // The same command with other arguments: what to avoid is the argument, not the command.
        const [dropped, added] = argumentChange(step.command, fix.command);
        observation.dropped = unique([...missing, ...dropped]);
        observation.added = added;
      } else if (fix.replaces && step.command) {
        observation.avoid = [commandHead(step.command)];
        observation.prefer = [commandHead(fix.command)];
      }
    }
    // "Missing script: codegen" fixed by `pnpm codegen`: the script exists, the tool was wrong.
    const gone = missing.filter((name) => !fix || !argumentChange(fix.command, '')[0].includes(name));
    if (!observation.dropped && gone.length > 0) observation.dropped = gone;
    byKey.set(key, observation);
  });
  return [...byKey.values()];
}

/**
 * A missing program is one lesson whatever the shell says ("zsh: command not found: python", "bash: line 1:
 * python: command not found") and whatever replaced it. A missing target is one error for every target
 * ("No rule to make target"): which one is gone, or what replaced it, is the lesson.
 */
function keyOf(signature: string, missing: string[], fix: Fix | undefined, program: string): string {
  if (missing.includes(program)) return `${program} :: not installed`;
  if (missing.length === 0) return signature;
  return fix ? `${signature} -> ${commandHead(fix.command)}` : `${signature} :: gone ${missing.join(' ')}`;
}

/** What the step did, in the words a memory line would use: `npm install`, or the tool's name. */
function actionOf(step: Step): string {
  return step.command !== undefined ? commandHead(step.command) : step.call.name;
}

/**
 * The line of an error output that names the error: a Python exception line, an `error:`/`fatal:` line,
 * a line that says something failed, or else the first line.
 */
export function errorLine(text: string): string {
  const lines = text
    .replace(ANSI, '')
    .replace(/<\/?tool_use_error>/g, '')
    .split('\n')
    .map((l) => l.trim().replace(/^E\s{2,}/, ''))
    // Gemini CLI wraps a command's output in fields of its own ("Error: (none)", "Exit Code: 1"): not the error's words.
    .filter((l) => l && !/^(at |File "|Traceback|\^+$|~+$|\s*\d+ \|)/.test(l) && !/warning/i.test(l.slice(0, 30)) && !/^(error: )?exit (code|status):? \d+$/i.test(l) && !/^[A-Z][\w ]{0,20}: \(none\)$/.test(l))
    .map((l) => l.replace(/^(?:Output|Stdout|Stderr): /, ''));
  const exception = [...lines].reverse().find((l) => /^[A-Za-z_.]*(Error|Exception):/.test(l)) ?? [...lines].reverse().find((l) => /^[A-Za-z_.]*(Error|Exception)\b/.test(l));
  // "npm error code EUNSUPPORTEDPROTOCOL" names the error; the line after it says what it is.
  const prefixed = lines.filter((l) => !/\bcode [A-Z_0-9]+$/.test(l)).find((l) => /^(npm (error|ERR!)|error(\[\w+\])?:|fatal:|ERR_|E\s{2,}|\w+: error:|✗|FAIL\b)/i.test(l));
  const mentions = lines.find((l) => /\b(error|failed|failure|not found|denied|rejected|refused|cannot|can't|unable|no such|invalid|timed? ?out)\b/i.test(l));
  return quote(exception ?? prefixed ?? mentions ?? lines[0] ?? text, 200);
}

/** The error line with the parts that vary between runs (paths, numbers, ids, versions) taken out. */
export function signatureOf(line: string): string {
  const words = line
    .replace(/^(npm (error|ERR!)|error(\[\w+\])?:|fatal:|E\s{2,})\s*/i, '')
    // Quoted names (remotes, modules, files) vary from machine to machine; the sentence around them is the error.
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, ' ')
    .replace(/(?:[A-Za-z]:)?(?:[\w.-]*\/)+[\w.-]+/g, ' ')
    .replace(/\b[0-9a-f]{7,}\b/gi, ' ')
    .replace(/\d+(?:\.\d+)*/g, ' ')
    .toLowerCase()
    .match(/[a-z][a-z_']*[a-z]|[a-z]/g);
  return (words ?? []).slice(0, 8).join(' ');
}

interface Fix {
  text: string;
  command: string;
  /** True when the fix replaces the failing command rather than preparing a retry of it. */
  replaces: boolean;
  /** The turn of the step that worked: what a person said between the failure and it was about this failure. */
  turn: number;
  /** A check that failed on a rule, repaired by an edit: the rule and what the edit brought in. */
  repair?: { rule: string; names: string[]; file?: string };
}

/**
 * What made the failing step work: either a related command run instead of it (`pnpm install` for
 * `npm install`), or commands run before the same step succeeded on a retry (`git pull --rebase`, then `git push`).
 */
export function findFix(steps: Step[], failedAt: number, somethingMissing = false): Fix | undefined {
  const failedStep = steps[failedAt];
  if (!failedStep) return undefined;
  const window = steps.slice(failedAt + 1, failedAt + 1 + FIX_WINDOW);
  const retryAt = window.findIndex((s) => sameAction(s, failedStep));
  const retry = window[retryAt];
  if (retry && succeeded(retry) && otherArguments(failedStep, retry, window.slice(0, retryAt))) {
    // Run again with other arguments, and it worked: `gh pr merge --squash` after `--merge` was refused.
    return { text: `use \`${displayCommand(retry.command ?? '')}\` instead`, command: retry.command ?? '', replaces: true, turn: retry.turn };
  }
  if (retry) {
    // The same step was tried again: whatever ran in between, if anything, prepared the way.
    if (!succeeded(retry)) return undefined;
    const between = window.slice(0, retryAt);
    // When the code had to change for the retry to pass, the failure was the work, not a mistake of method; unless
    // a check named the rule it broke: a rule broken again and again, and how the code was changed to meet it, is.
    if (between.some((s) => CODE_CHANGES.test(s.call.name)) && failedStep.command !== undefined) return repairOf(failedStep, between, retry.turn);
    const first = between.find((s) => succeeded(s) && !(s.command !== undefined && isTrivial(s.command)) && !CODE_CHANGES.test(s.call.name));
    if (!first) return undefined;
    return { text: `${describe(first)} first, then retry`, command: first.command ?? first.call.name, replaces: false, turn: retry.turn };
  }
  const combined = window.find((s) => succeeded(s) && preparedRetry(s, failedStep) !== undefined);
  if (combined) {
    // `nvm use 20 && pnpm install`: the preparation and the retry in one command line.
    const prep = preparedRetry(combined, failedStep) as string;
    return { text: `run \`${displayCommand(prep)}\` first, then retry`, command: prep, replaces: false, turn: combined.turn };
  }
  // When the error says the target is missing, the next command of the same program names the one that exists.
  const replacement = window.find((s) => succeeded(s) && (related(s, failedStep) || (somethingMissing && sameProgramOtherTask(s, failedStep))));
  if (!replacement) return undefined;
  return { text: `use \`${displayCommand(replacement.command ?? '')}\` instead`, command: replacement.command ?? '', replaces: true, turn: replacement.turn };
}

/** A failed check that names its rule, and the edits before the retry that passed: the repair to remember. */
function repairOf(failedStep: Step, between: Step[], turn: number): Fix | undefined {
  const rule = ruleIdOf(failedStep.result?.text ?? '');
  if (!rule) return undefined;
  const edits = between.filter((s) => CODE_CHANGES.test(s.call.name)).map((s) => editOf(s.call.name, s.call.input)).filter((e) => e !== undefined);
  const names = [...new Set(edits.flatMap((e) => introducedNames(e.before, e.after)))].slice(0, 3);
  // Without what the edit brought in, the lesson would say the rule and not how to meet it.
  if (names.length === 0) return undefined;
  const file = edits.find((e) => e.file)?.file?.replace(/^.*\//, '');
  const text = `use ${names.map((n) => `\`${n}\``).join(', ')}`;
  return { text, command: failedStep.command ?? '', replaces: false, turn, repair: { rule, names, ...(file ? { file } : {}) } };
}

/**
 * What an error says does not exist: a make target, a git ref, a script, a Kubernetes object, a file or
 * a command. A memory line that tells agents to use it is out of date.
 */
const MISSING: RegExp[] = [
  /No rule to make target [`'"]([^`'"]+)[`'"]/,
  /pathspec '([^']+)' did not match/,
  /couldn't find remote ref ([\w./-]+)/,
  /invalid reference: ([\w./-]+)/,
  /Missing script:? "?([\w:.-]+)"?/,
  /\b[\w.]+ "([\w.-]+)" not found/,
  /No such (?:container|image|service|object): ([\w./:-]+)/i,
  /([\w./-]+): No such file or directory/,
  /no such file or directory: ([\w./-]+)/i,
  /command not found: ([\w.-]+)/,
  /(?:^|\s)([\w./-]+): (?:command )?not found/m,
];

/** "zsh: command not found: python" names the shell first; the shell is there. */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'fish', 'dash', 'ksh']);

export function missingObjects(errorText: string): string[] {
  const found: string[] = [];
  for (const pattern of MISSING) {
    const name = pattern.exec(errorText)?.[1];
    // A path keeps its last part: a note names `deploy.sh` or `./scripts/deploy.sh`, both end the same.
    const last = name?.replace(/^.*\//, '');
    if (last && last.length >= 2 && !SHELLS.has(last) && !found.includes(last)) found.push(last);
  }
  return found;
}

/** Arguments of the failing command that the working one left out, and the ones it brought instead. */
export function argumentChange(failingLine: string, workingLine: string): [string[], string[]] {
  // Where the command ran (`cd services/pricing && …`) is no argument of it.
  const failing = mainSegment(failingLine);
  const working = mainSegment(workingLine);
  // Words, flags and numbers of two digits or more (a port, a version); quoted text and one-letter flags aside.
  const words = (command: string) =>
    new Set(command.split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, '')).filter((w) => /^(--?)?[A-Za-z][\w./:=-]*$|^\d{2,}$/.test(w)));
  const before = words(failing);
  const after = words(working);
  const dropped = [...before].filter((w) => !after.has(w));
  const added = [...after].filter((w) => !before.has(w));
  // `localhost:8080/health` → `/healthz`: a note names the path (`GET /health`), not the whole address.
  const paths = (ws: string[], other: Set<string>) => ws.flatMap((w) => /^[\w.-]+(:\d+)?\/\S/.test(w) ? [w.slice(w.indexOf('/'))].filter((p) => ![...other].some((o) => o.endsWith(p))) : []);
  return [[...dropped, ...paths(dropped, after)], [...added, ...paths(added, before)]];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function describe(step: Step): string {
  return step.command !== undefined ? `run \`${displayCommand(step.command)}\`` : `use ${step.call.name}`;
}

function sameAction(a: Step, b: Step): boolean {
  if (a.command !== undefined && b.command !== undefined) return commandHead(a.command) === commandHead(b.command);
  return a.command === undefined && b.command === undefined && a.call.name === b.call.name;
}

/**
 * Two different commands that do the same job: the same task through another tool (`npm install` and
 * `pnpm install`), or the same tool through another wrapper (`pytest` and `python -m pytest`).
 */
function related(candidate: Step, failedStep: Step): boolean {
  if (candidate.command === undefined || failedStep.command === undefined) return false;
  if (isTrivial(candidate.command)) return false;
  const a = normalHead(commandHead(candidate.command));
  const b = normalHead(commandHead(failedStep.command));
  if (a === b) return false;
  const sameTask = taskOf(a) === taskOf(b) || (INSTALLS.has(taskOf(a)) && INSTALLS.has(taskOf(b)));
  return sameTask && (sameProgram(effectiveProgram(a), effectiveProgram(b)) || taskOf(a) !== '');
}

/**
 * The retry changed the arguments, and the change is the fix: it came at once (the person or the agent
 * knew), or after a step whose output showed the new value (`docker compose port db 5432` → 55432).
 * After a step that only prepared the way (`terraform init`), the retry's other arguments are incidental.
 */
function otherArguments(failedStep: Step, retry: Step, between: Step[]): boolean {
  if (retry.command === undefined || failedStep.command === undefined || retry.command === failedStep.command) return false;
  const [dropped, added] = argumentChange(failedStep.command, retry.command);
  // Right away with only more arguments (`pnpm --filter web add zod` after `pnpm add zod`) is a fix too.
  if (between.length === 0) return dropped.length > 0 || added.length > 0;
  return dropped.length > 0 && between.some((s) => added.some((a) => s.result?.text.includes(a)));
}

/** In `a && b && <the failed command>`, the part before the retry, when it does something. */
function preparedRetry(step: Step, failedStep: Step): string | undefined {
  if (step.command === undefined || failedStep.command === undefined) return undefined;
  const parts = step.command.split(/\s*&&\s*/).map((p) => p.trim()).filter(Boolean);
  const failed = commandHead(failedStep.command);
  const at = parts.findIndex((p, i) => i > 0 && commandHead(p) === failed);
  if (at <= 0) return undefined;
  const before = parts.slice(0, at).filter((p) => !isTrivial(p));
  return before.length > 0 ? before.join(' && ') : undefined;
}

/**
 * What took the place of a missing target: the same program with another task (`make check` for the missing
 * `make test`), or a command named like the missing thing (`make deploy` for the deleted `./scripts/deploy.sh`).
 */
function sameProgramOtherTask(candidate: Step, failedStep: Step): boolean {
  if (candidate.command === undefined || failedStep.command === undefined || isTrivial(candidate.command)) return false;
  const a = commandHead(candidate.command);
  const b = commandHead(failedStep.command);
  if (a === b) return false;
  if (effectiveProgram(a) === effectiveProgram(b)) return true;
  const words = (head: string) => head.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 4 && !['python', 'node', 'bash'].includes(w));
  return words(a).some((w) => words(b).includes(w));
}

/** Subcommands that install a project's dependencies, whatever the tool calls it. */
const INSTALLS = new Set(['install', 'i', 'add', 'sync', 'ci']);

/** `docker-compose up` and `docker compose up` are one command in two spellings. */
function normalHead(head: string): string {
  return head.replace(/^(\w+)-(\w+)/, '$1 $2');
}

/** `python` and `python3`, `pip` and `pip3`: one program, another version. */
function sameProgram(a: string, b: string): boolean {
  return a === b || a.replace(/[\d.]+$/, '') === b.replace(/[\d.]+$/, '');
}

/** The words of a command head after the program it runs, `run` aside: `pnpm run build` and `pnpm build` → `build`. */
function taskOf(head: string): string {
  const program = effectiveProgram(head);
  const words = head.split(' ');
  return words
    .slice(words.indexOf(program) + 1)
    .filter((w) => w !== 'run')
    .join(' ');
}

/** "`mise run lint` fails on `noctx` (`… must not be called without a context`): use `exec.CommandContext`." */
function repairStatement(step: Step, line: string, fix: Fix): string {
  const what = `\`${commandHead(step.command ?? step.call.name)}\``;
  const error = quote(line.replace(/`/g, "'").replace(/(?:[A-Za-z]:)?(?:\/[\w.@-]+)+\/([\w.@-]+)/g, '…/$1').replace(/^\S+:\d+(:\d+)?:?\s*/, ''), 80);
  return `${what} fails on \`${fix.repair?.rule}\` (\`${error}\`): ${fix.text}.`;
}

/** A remote's address (`https://…`, `git@host:org/repo.git`, `host:org/repo.git`) is one clone's: the error is the same without it. */
function withoutRemotes(line: string): string {
  return line.replace(/\b(?:https?|ssh|git):\/\/[^\s'"]+|\b[\w.-]+@[\w.-]+:[\w./-]+|\b(?:[\w-]+\.)+[a-z]{2,}:[\w.-]+\/[\w./-]+/g, '…');
}

/**
 * An error line short enough for a memory line, cut where a clause ends rather than in the middle of a word: "ERR_X
 * Running this command will add the dependency to the workspace root…", not "…to the workspace roo…".
 */
function shortError(line: string, max: number): string {
  const whole = quote(line, Number.MAX_SAFE_INTEGER);
  if (whole.length <= max) return whole;
  const head = whole.slice(0, max - 1);
  const clause = Math.max(...[', ', '; ', ' - ', '. ', ': '].map((mark) => head.lastIndexOf(mark)));
  const cut = clause >= max * 0.4 ? clause : head.lastIndexOf(' ');
  return `${(cut > 0 ? head.slice(0, cut) : head).trimEnd()}…`;
}

function mistakeStatement(step: Step, line: string, fix: Fix | undefined): string {
  const what = step.command !== undefined ? `\`${commandHead(step.command)}\`` : `The ${step.call.name} tool`;
  // Paths differ between machines and say nothing to the next session: keep the file name only.
  const error = shortError(withoutRemotes(line.replace(/`/g, "'")).replace(/(?:[A-Za-z]:)?(?:\/[\w.@-]+)+\/([\w.@-]+)/g, '…/$1'), 90);
  const base = `${what} fails with \`${error}\``;
  return fix ? `${base}: ${fix.text}.` : `${base}.`;
}
