/**
 * Checks on memory itself, whoever wrote it: a person editing by hand, an agent, or a dream cycle. Pure: the
 * memory, the repository's file list and the dream commits found in history come in, findings go out; reading
 * them from a working tree or a commit is the shell's job (cycle/lint.ts).
 */
import { RULES as SECRET_RULES, redactText } from '../sessions/redact.js';
import { SECRETLINT_KINDS } from '../sessions/secretlint.js';
import { harnessCutoff, type Harness } from './harness.js';
import { anchorsOf, linksOf, relativeTarget, resolveLink } from './links.js';
import { namespaceMatcher } from './namespaces.js';
import { tokensOf } from './snapshot.js';
import { structureProblems } from './structure.js';
import { symlinkDestination, symlinkMessage, type MemorySymlink } from './symlinks.js';
import type { MemoryFile, MemorySnapshot } from './types.js';

export type Severity = 'error' | 'warning';

/** Every rule, with what it guards against: the ids are a contract (`--json`, CI scripts), never renamed. */
export const LINT_RULES = {
  'format/unreadable': 'the file is not UTF-8 text (a NUL byte or an invalid byte sequence), or cannot be read at all',
  'format/symlink': 'a symbolic link among the memory files: never followed, so what it points to is neither checked nor curated',
  'format/unclosed-fence': 'a code fence that never closes hides the rest of the file from curation',
  'format/unclosed-comment': 'an HTML comment that never closes hides the rest of the file from the reader',
  'format/duplicate-heading': 'two sections with the same heading under the same parent: edits to one land in the other',
  'format/empty-entry': 'a list item with no text',
  'format/empty-heading': 'a heading with no text',
  'structure/empty-section': 'a heading with nothing under it: what it announced is gone, or was never written',
  'structure/dangling-label': 'a label or intro line ("Key files:") with no list, code block or table after it',
  'budget/over': 'a namespace larger than its budget_tokens',
  'harness/cutoff': 'memory past what the harness reading it loads: the agent never sees it',
  'secrets/found': 'something that looks like an API key, token, private key or password',
  'protected/dream-commit': 'a dream commit on this branch changed a file of a protected namespace',
  'links/missing-file': 'a relative link to a file that does not exist',
  'links/missing-heading': 'a link to a heading that the linked file does not have',
} as const;

export type RuleId = keyof typeof LINT_RULES;

export interface Finding {
  /** Repository-relative path. */
  file: string;
  /** 1-based line, or null when the finding is about the whole file. */
  line: number | null;
  rule: RuleId;
  severity: Severity;
  message: string;
}

/** A commit whose trailers say a dream cycle wrote it, and the paths it changed against its first parent. */
export interface DreamCommit {
  oid: string;
  /** Its first parent, which `changedPaths` are against; absent for a root commit. */
  parent?: string;
  cycle: string;
  /** The curation actions it carries (`add`, `merge`, ...). */
  actions: string[];
  changedPaths: string[];
}

export interface LintInput {
  snapshot: MemorySnapshot;
  /** Every file of the repository (posix paths), so that links to files outside memory resolve too. */
  repositoryPaths: ReadonlySet<string>;
  harness?: Harness;
  /** Dream commits of the history under check; the shell finds them. */
  dreamCommits?: readonly DreamCommit[];
  /** Symbolic links at or under the memory root, which the shell listed and did not follow. */
  symlinks?: readonly MemorySymlink[];
  /** Memory files the shell found but could not read. */
  unreadable?: readonly UnreadableFile[];
}

/** A memory file that is there but could not be read (a permission, a file swapped for a link while being read). */
export interface UnreadableFile {
  path: string;
  reason: string;
}

export function lintMemory({ snapshot, repositoryPaths, harness = 'none', dreamCommits = [], symlinks = [], unreadable = [] }: LintInput): Finding[] {
  const links = linkContext(snapshot, repositoryPaths);
  const perFile = snapshot.files.flatMap((file) => {
    const format = formatFindings(file);
    if (format.some((f) => f.rule === 'format/unreadable')) return format;
    return [...format, ...secretFindings(file), ...harnessFindings(file, harness), ...linkFindings(file, links)];
  });
  const files = [...symlinks.map(symlinkFinding), ...unreadable.map((file) => finding(file.path, null, 'format/unreadable', 'error', file.reason))];
  return sortFindings([...perFile, ...files, ...budgetFindings(snapshot), ...protectedFindings(snapshot, dreamCommits)]);
}

/** A link out of the repository is an error: an agent loading it reads what no review of the repository sees. */
function symlinkFinding(link: MemorySymlink): Finding {
  return finding(link.path, null, 'format/symlink', symlinkDestination(link) === undefined ? 'error' : 'warning', symlinkMessage(link));
}

export function countBySeverity(findings: readonly Finding[]): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}

function finding(file: string, line: number | null, rule: RuleId, severity: Severity, message: string): Finding {
  // A message may quote memory (a label, a heading, a link): a secret there is masked, or the finding would print it.
  return { file, line, rule, severity, message: redactText(message) };
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => compare(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || compare(a.rule, b.rule) || compare(a.message, b.message));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// format

export function formatFindings(file: MemoryFile): Finding[] {
  const unreadable = unreadableLine(file.document.text);
  if (unreadable !== undefined) {
    return [finding(file.path, unreadable, 'format/unreadable', 'error', 'not UTF-8 text (a NUL byte or an invalid byte sequence); memory files must be plain text')];
  }
  return [...unclosedBlocks(file), ...duplicateHeadings(file), ...emptyBlocks(file), ...structureFindings(file)];
}

/** Warnings: a person may keep a heading as a placeholder; a cycle may never leave one (see dream/curate/workspace.ts). */
function structureFindings(file: MemoryFile): Finding[] {
  return structureProblems(file.document).map((problem) =>
    problem.kind === 'empty-section'
      ? finding(file.path, problem.line, 'structure/empty-section', 'warning', `the heading "${problem.text}" has nothing under it; write its entries or remove it`)
      : finding(file.path, problem.line, 'structure/dangling-label', 'warning', `"${problem.text}" introduces nothing; restore what it announced or remove it`),
  );
}

function unreadableLine(text: string): number | undefined {
  const index = text.search(/[\u0000\uFFFD]/);
  return index === -1 ? undefined : text.slice(0, index).split('\n').length;
}

const FENCE_OPENING = /^ {0,3}(`{3,}|~{3,})/;

/** The parser runs an unclosed fence or comment to the end of the file, as CommonMark does: say where it starts. */
function unclosedBlocks(file: MemoryFile): Finding[] {
  return file.document.blocks.flatMap((block) => {
    const lines = block.raw.replace(/\r?\n$/, '').split(/\r?\n/);
    const fence = block.kind === 'code' ? FENCE_OPENING.exec(lines[0] ?? '')?.[1] : undefined;
    if (fence && !lines.slice(1).some((line) => closesFence(line, fence))) {
      return [finding(file.path, block.line, 'format/unclosed-fence', 'error', `the code fence opened here (${fence}) never closes, so everything after it reads as code`)];
    }
    if (block.kind === 'html' && block.raw.trimStart().startsWith('<!--') && !block.raw.includes('-->')) {
      return [finding(file.path, block.line, 'format/unclosed-comment', 'error', 'the HTML comment opened here never closes (no -->), so everything after it is hidden')];
    }
    return [];
  });
}

function closesFence(line: string, fence: string): boolean {
  const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line)?.[1];
  return closing !== undefined && closing[0] === fence[0] && closing.length >= fence.length;
}

/** Sections are found by heading text (case-insensitive) under their parents, so two alike are one too many. */
function duplicateHeadings(file: MemoryFile): Finding[] {
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  for (const block of file.document.blocks) {
    if (block.kind !== 'heading' || !block.heading) continue;
    const key = [...block.section, block.heading].map((h) => h.replace(/\s+/g, ' ').trim().toLowerCase()).join('\u0000');
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, block.line);
    else findings.push(finding(file.path, block.line, 'format/duplicate-heading', 'error', `heading "${block.heading}" repeats the one on line ${earlier} under the same parent; merge the two sections`));
  }
  return findings;
}

function emptyBlocks(file: MemoryFile): Finding[] {
  const empty = file.entries
    .filter((entry) => entry.text === '')
    .map((entry) => finding(file.path, entry.line, 'format/empty-entry', 'error', 'a list item with no text; remove it or write the entry'));
  const headings = file.document.blocks
    .filter((block) => block.kind === 'heading' && block.heading === '')
    .map((block) => finding(file.path, block.line, 'format/empty-heading', 'warning', 'a heading with no text'));
  return [...empty, ...headings];
}

// ---------------------------------------------------------------------------------------------------------------
// secrets

const SECRET_KINDS = new Set([...SECRET_RULES.map((rule) => rule.name), ...SECRETLINT_KINDS]);

/**
 * Lines that redaction would change where text leaves reverie (our table, then secretlint's preset): the same rules
 * that keep secrets out of what a cycle writes. The kind is named, the secret never: a finding is printed, and may be
 * posted to a pull request.
 */
export function secretFindings(file: MemoryFile): Finding[] {
  return file.document.text.split('\n').flatMap((line, index) => {
    const kinds = secretKinds(line);
    if (kinds.length === 0) return [];
    return [finding(file.path, index + 1, 'secrets/found', 'error', `looks like a secret (${kinds.join(', ')}); remove it from memory and rotate it`)];
  });
}

function secretKinds(line: string): string[] {
  const redacted = redactText(line);
  if (redacted === line) return [];
  const before = new Set([...line.matchAll(PLACEHOLDER)].map((m) => m[1]));
  const kinds = [...redacted.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((kind) => SECRET_KINDS.has(kind) && !before.has(kind));
  return [...new Set(kinds.length > 0 ? kinds : ['secret'])];
}

const PLACEHOLDER = /\[REDACTED:([a-z0-9-]+)\]/g;

// ---------------------------------------------------------------------------------------------------------------
// harness

export function harnessFindings(file: MemoryFile, harness: Harness): Finding[] {
  const cutoff = harnessCutoff(harness, file.path, file.document.text);
  if (!cutoff) return [];
  return [finding(file.path, cutoff.line, 'harness/cutoff', 'error', `${cutoff.reason}: from this line on, the agent never sees it; move detail into other files`)];
}

// ---------------------------------------------------------------------------------------------------------------
// budget

/**
 * A dream namespace over budget is a warning: cycles never delete what people wrote to fit, so it is for a person to
 * split or to raise the budget. A protected one is an error, since no cycle will ever shrink it. Reported on the
 * namespace's largest file, the likeliest place to cut.
 */
export function budgetFindings(snapshot: MemorySnapshot): Finding[] {
  return snapshot.namespaces.flatMap((namespace) => {
    const budget = namespace.budgetTokens;
    const files = snapshot.files.filter((file) => file.namespace === namespace.name);
    if (budget === undefined || files.length === 0) return [];
    const tokens = tokensOf(snapshot, namespace.name);
    if (tokens <= budget) return [];
    const largest = files.reduce((a, b) => (b.document.text.length > a.document.text.length ? b : a));
    const protectedNamespace = namespace.policy === 'protected';
    const next = protectedNamespace
      ? 'no cycle writes a protected namespace: shorten it or raise the budget'
      : 'split a topic into a file of its own that this one imports, or raise budget_tokens';
    return [
      finding(largest.path, null, 'budget/over', protectedNamespace ? 'error' : 'warning', `namespace "${namespace.name}" is about ${tokens} tokens, over its budget of ${budget} (${next})`),
    ];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// protected namespaces

/** Protected by the configuration as it is now: a namespace protected later still flags what cycles wrote to it before. */
export function protectedFindings(snapshot: Pick<MemorySnapshot, 'root' | 'namespaces'>, commits: readonly DreamCommit[]): Finding[] {
  const namespaceOf = namespaceMatcher(snapshot.root, snapshot.namespaces);
  return commits.flatMap((commit) =>
    commit.changedPaths
      .filter((changed) => namespaceOf(changed)?.policy === 'protected')
      .map((changed) =>
        finding(
          changed,
          null,
          'protected/dream-commit',
          'error',
          `dream commit ${commit.oid.slice(0, 7)} (cycle ${commit.cycle}, ${commit.actions.join(', ')}) changed this protected file; revert that commit`,
        ),
      ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// links

interface LinkContext {
  files: ReadonlySet<string>;
  folders: ReadonlySet<string>;
  anchors: (path: string) => Set<string> | undefined;
}

function linkContext(snapshot: MemorySnapshot, repositoryPaths: ReadonlySet<string>): LinkContext {
  const files = new Set([...repositoryPaths, ...snapshot.files.map((file) => file.path)]);
  const folders = new Set<string>(['']);
  for (const file of files) for (let i = file.indexOf('/'); i !== -1; i = file.indexOf('/', i + 1)) folders.add(file.slice(0, i));
  const documents = new Map(snapshot.files.map((file) => [file.path, file.document]));
  const cache = new Map<string, Set<string>>();
  const anchors = (path: string) => {
    const doc = documents.get(path);
    if (!doc) return undefined;
    if (!cache.has(path)) cache.set(path, anchorsOf(doc));
    return cache.get(path);
  };
  return { files, folders, anchors };
}

function linkFindings(file: MemoryFile, context: LinkContext): Finding[] {
  return linksOf(file.document).flatMap(({ line, target }) => {
    const relative = relativeTarget(target);
    if (!relative) return [];
    const resolved = relative.file === '' ? file.path : resolveLink(file.path, relative.file);
    if (resolved === undefined) return [finding(file.path, line, 'links/missing-file', 'error', `link to "${target}" climbs out of the repository`)];
    if (!context.files.has(resolved) && !context.folders.has(resolved)) {
      return [finding(file.path, line, 'links/missing-file', 'error', `link to "${target}": ${resolved} does not exist`)];
    }
    const anchors = relative.anchor === undefined ? undefined : context.anchors(resolved);
    if (anchors && !anchors.has(relative.anchor!.toLowerCase())) {
      return [finding(file.path, line, 'links/missing-heading', 'error', `link to "${target}": ${resolved} has no heading with the anchor #${relative.anchor}`)];
    }
    return [];
  });
}
