/**
 * `reverie check`: the pull-request check. Lints the memory as the pull request leaves it (the working tree, or a
 * commit), says what the change since its base does to each namespace, and, when the repository has memory tests,
 * answers them from the memory before and after and measures what each target agent loads; as Markdown for the job
 * summary.
 */
import { UsageError } from '../errors.js';
import { inlineText } from '../github/markdown.js';
import { mergeBase, readFileAt, readFilesAt, resolveRef, type Repo } from '../git/index.js';
import { entryTextChanges, isUnchanged, namespaceChanges, type ChangeHints, type NamespaceChange } from '../memory/changes.js';
import type { Harness } from '../memory/harness.js';
import { buildSnapshot } from '../memory/index.js';
import type { DreamCommit, Finding } from '../memory/lint.js';
import { memoryCheckMarkdown } from '../memory-tests/check-table.js';
import { checkMemory, type MemoryCheck } from '../memory-tests/compare.js';
import { testCasesAt, workingTreeTestCases } from '../memory-tests/run.js';
import { fails, isMemoryPath, lintView, readMemoryView, resolveOrFail, viewDreamCommits, type LintReport, type MemoryView } from './lint.js';
import { plural } from '../util/plural.js';

export interface CheckOptions {
  repoDir: string;
  configFile?: string;
  /** What the change is measured from; default: where the head's history meets main's. */
  base?: string;
  /** The commit to check instead of the working tree. */
  head?: string;
  harness?: Harness;
}

export interface CheckReport {
  base: string;
  /** The commit checked, or null for the working tree. */
  head: string | null;
  namespaces: NamespaceChange[];
  lint: LintReport;
  /** The memory tests before and after, and the context cost per target; absent when the head has no test files. */
  memoryTests?: MemoryCheck;
}

export async function check(options: CheckOptions): Promise<CheckReport> {
  const view = await readMemoryView({ repoDir: options.repoDir, ...(options.configFile ? { configFile: options.configFile } : {}), ...(options.head ? { ref: options.head } : {}) });
  if (!view.repo || !view.tip) throw new UsageError(`${options.repoDir} has no commit to compare with; reverie check needs a git repository with history`);
  const base = options.base ? await resolveOrFail(view.repo, options.base) : await defaultBase(view.repo, view.tip, view.config.git.main);
  // Only what the change brings counts against it: a dream commit already on the base is not this change's doing.
  const dreamCommits = await viewDreamCommits(view, base);
  const lint = lintView(view, options.harness ?? view.config.lint.harness, dreamCommits);
  const hints = await changeHints(view.repo, dreamCommits, view.config.memory.root);
  const before = await memoryAt(view, base);
  // The head's cases, answered on both sides: a case the change adds is asked of the base too.
  const tests = view.commit ? await testCasesAt(view.repo, view.commit) : await workingTreeTestCases(options.repoDir);
  const harness = options.harness ?? view.config.lint.harness;
  const { agents } = view.config;
  const memoryTests = tests.files.length > 0 || agents.length > 0 ? checkMemory(before, view.snapshot, tests.cases, harness, { agents }) : undefined;
  return { base, head: view.commit ?? null, namespaces: namespaceChanges(before, view.snapshot, hints), lint, ...(memoryTests ? { memoryTests } : {}) };
}

/** Whether the report fails the check: a lint error (a warning too when strict), a broken memory test, a limit overrun. */
export function checkFails(report: CheckReport, strict: boolean): boolean {
  return fails(report.lint, strict) || (report.memoryTests?.holds.length ?? 0) > 0;
}

/**
 * What the change's dream commits say about the entries they removed and added: each commit of one action names
 * why (a squash of several actions cannot say which entry went how, and is left to the entries themselves).
 */
async function changeHints(repo: Repo, commits: readonly DreamCommit[], root: string): Promise<ChangeHints> {
  const removed = new Map<string, string>();
  const added = new Map<string, string>();
  for (const commit of commits) {
    const [action] = commit.actions;
    if (commit.actions.length !== 1 || !action) continue;
    for (const path of commit.changedPaths.filter((p) => isMemoryPath(p, root))) {
      const before = commit.parent ? await readFileAt(repo, commit.parent, path) : undefined;
      const texts = entryTextChanges(path, before, await readFileAt(repo, commit.oid, path));
      for (const text of texts.removed) removed.set(text, action);
      for (const text of texts.added) added.set(text, action);
    }
  }
  return { removed, added };
}

/** Where the head's history meets main's: the local branch, else the remote's (a CI checkout has only that). */
async function defaultBase(repo: Repo, tip: string, main: string): Promise<string> {
  for (const ref of [`refs/heads/${main}`, `refs/remotes/origin/${main}`]) {
    const oid = await resolveRef(repo, ref);
    const base = oid ? await mergeBase(repo, tip, oid) : undefined;
    if (base) return base;
  }
  throw new UsageError(`cannot find where this history meets ${main} (neither ${main} nor origin/${main} shares a commit with it); pass --base <ref>`);
}

/** The memory at `commit`, seen through the head's configuration, so that both sides split into the same namespaces. */
async function memoryAt(view: MemoryView, commit: string) {
  const root = view.config.memory.root;
  const files = await readFilesAt(view.repo!, commit, (p) => isMemoryPath(p, root), { under: [root] });
  return buildSnapshot([...files].map(([path, text]) => ({ path, text })), root, view.config.memory.namespaces);
}

// ---------------------------------------------------------------------------------------------------------------
// the summary (pure)

/** GitHub caps a step summary at 1 MiB; past this many findings the table stops and points at --json. */
const MAX_FINDINGS_SHOWN = 50;

/** The report as Markdown for `GITHUB_STEP_SUMMARY` (and the terminal). Text from memory is escaped, never rendered. */
export function checkMarkdown(report: CheckReport, strict = false): string {
  const tests = report.memoryTests ? ['', ...memoryCheckMarkdown(report.memoryTests)] : [];
  return [headline(report, strict), ...tests, '', namespaceTable(report.namespaces), ...findingsSection(report.lint.findings)].join('\n') + '\n';
}

function headline(report: CheckReport, strict: boolean): string {
  const { base, head, lint } = report;
  const memory = head ? `the memory at ${head.slice(0, 7)}` : "the working tree's memory";
  const holds = report.memoryTests?.holds.length ?? 0;
  // A change lint finds clean can still fail a memory check (a broken case, a target over its limit): the headline says so.
  const counts = `${plural(lint.errors, 'error')}, ${plural(lint.warnings, 'warning')}${holds > 0 ? `, ${plural(holds, 'memory check')} failed` : ''}`;
  const mark = checkFails(report, strict) ? '❌' : lint.warnings > 0 ? '⚠️' : '✅';
  return `## reverie check\n\n${mark} **${counts}** in ${memory} (${plural(lint.files, 'file')}), compared with ${base.slice(0, 7)}.`;
}

function namespaceTable(changes: NamespaceChange[]): string {
  const rows = changes.map((c) =>
    [
      inlineText(c.namespace) + (isUnchanged(c) ? ' (unchanged)' : ''),
      c.policy,
      c.added,
      c.changed,
      c.merged,
      c.pruned,
      `${c.entriesBefore} → ${c.entriesAfter}`,
      `${c.tokensBefore} → ${c.tokensAfter} (${signed(c.netTokens)})`,
      budgetCell(c),
    ].join(' | '),
  );
  return [
    '| namespace | policy | added | changed | merged | pruned | entries | tokens | budget |',
    '| :-- | :-- | --: | --: | --: | --: | --: | --: | --: |',
    ...rows.map((row) => `| ${row} |`),
    '',
    '_merged_: entries folded into another; _pruned_: entries removed with nothing taking in their content. Tokens are estimated.',
  ].join('\n');
}

function budgetCell(change: NamespaceChange): string {
  if (change.budgetTokens === undefined) return '';
  return change.tokensAfter > change.budgetTokens ? `${change.budgetTokens} (over)` : String(change.budgetTokens);
}

function findingsSection(findings: Finding[]): string[] {
  if (findings.length === 0) return [];
  const shown = findings.slice(0, MAX_FINDINGS_SHOWN).map((f) => `| ${f.severity} | ${f.rule} | ${inlineText(`${f.file}${f.line ? `:${f.line}` : ''}`)} | ${inlineText(f.message)} |`);
  const more = findings.length > MAX_FINDINGS_SHOWN ? [``, `… and ${findings.length - MAX_FINDINGS_SHOWN} more (reverie check --json lists them all).`] : [];
  return ['', '### Findings', '', '| severity | rule | where | message |', '| :-- | :-- | :-- | :-- |', ...shown, ...more];
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0';
}
