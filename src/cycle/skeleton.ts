/**
 * The files `reverie init` writes, composed from the texts in templates/: pure, so that what a layout or a flag
 * adds can be tested without a file system. init.ts reads the templates and writes the result.
 */
import { parse, parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { namespaceFor } from '../memory/namespaces.js';
import { estimateTokens } from '../memory/tokens.js';

export type Layout = 'notes' | 'claude-md' | 'agents-md' | 'memories' | 'wiki';
export const LAYOUTS: readonly Layout[] = ['notes', 'claude-md', 'agents-md', 'memories', 'wiki'];
export const DEFAULT_LAYOUT: Layout = 'notes';

/**
 * The command the pre-commit hook runs unless told otherwise: the reverie on the PATH. Never `npx reverie`, nor
 * reverie as a dependency to install: the name on npm is not this project's, and whoever holds it would run code in
 * every clone that installs or runs it.
 */
export const DEFAULT_HOOK_COMMAND = 'reverie lint';

/** Where `uses:` points in the workflow templates until init is told the action's repository. */
export const ACTION_PLACEHOLDER = '<owner>/reverie@v1';

/** File name, in a layout's folder, of the `memory:` section that layout puts in reverie.yaml. */
export const MEMORY_SECTION_FILE = 'reverie.memory.yaml';

export interface LayoutTemplate {
  /** The `memory:` section of reverie.yaml for this layout. */
  memorySection: string;
  /** Memory files, by path relative to the memory root. */
  files: ReadonlyMap<string, string>;
}

export interface Templates {
  config: string;
  sessionsReadme: string;
  layout: LayoutTemplate;
  dreamWorkflow: string;
  checkWorkflow: string;
  codeowners: string;
}

export interface SkeletonOptions {
  /** The branch cycles start from: the repository's current one. */
  main: string;
  /** Also the GitHub workflows. */
  github?: boolean;
  /** `owner/repo@ref` of the reverie action, for the workflows' `uses:` (see actionRef). */
  action?: string;
  /** Teams, users or emails (`@acme/agent-owners`) to own the protected namespaces in .github/CODEOWNERS (see codeOwners). */
  owners?: string;
  /** The package.json that makes simple-git-hooks run `command` before each commit. */
  hooks?: { command: string };
  /** Memory files already in the folder (Markdown under the layout's root): each budget is sized to fit them. */
  existing?: readonly { path: string; text: string }[];
}

export interface PlannedFile {
  /** Repository-relative, posix. */
  path: string;
  text: string;
}

export const CONFIG_PATH = 'reverie.yaml';
export const PACKAGE_JSON = 'package.json';
export const DREAM_WORKFLOW_PATH = '.github/workflows/reverie.yml';
export const CHECK_WORKFLOW_PATH = '.github/workflows/reverie-check.yml';
export const CODEOWNERS_PATH = '.github/CODEOWNERS';

/** Every file of a new memory repo for these options, reverie.yaml first. */
export function skeletonFiles(templates: Templates, options: SkeletonOptions): PlannedFile[] {
  if (options.existing?.length) templates = { ...templates, layout: { ...templates.layout, memorySection: sizedBudgets(templates.layout.memorySection, options.existing).section } };
  const root = memoryRootOf(templates.layout.memorySection);
  const files: PlannedFile[] = [{ path: CONFIG_PATH, text: configFor(templates, options) }];
  for (const [relative, text] of [...templates.layout.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    files.push({ path: root === '' ? relative : `${root}/${relative}`, text });
  }
  files.push({ path: 'sessions/README.md', text: templates.sessionsReadme });
  if (options.github) {
    files.push({ path: DREAM_WORKFLOW_PATH, text: withAction(templates.dreamWorkflow, options.action) });
    files.push({ path: CHECK_WORKFLOW_PATH, text: withAction(checkWorkflowFor(templates.checkWorkflow, root), options.action) });
    if (options.owners) files.push({ path: CODEOWNERS_PATH, text: codeownersFor(templates.codeowners, templates.layout.memorySection, options.owners) });
  }
  if (options.hooks) {
    files.push({ path: PACKAGE_JSON, text: packageJsonFor(undefined, options.hooks.command) });
    files.push({ path: '.gitignore', text: 'node_modules/\n' });
  }
  return files;
}

/**
 * reverie.yaml: the template with the layout's memory section and the repository's main branch. Its github section
 * stays commented out even with the workflows: the Action reviews on GitHub without it, and switched on it would
 * send a local `reverie dream` to GitHub too.
 */
export function configFor(templates: Pick<Templates, 'config' | 'layout'>, options: Pick<SkeletonOptions, 'main'>): string {
  return withMemorySection(templates.config, templates.layout.memorySection).replace(/^ {2}main: main$/m, `  main: ${options.main}`);
}

/** Room to grow over what the memory holds today, and the step budgets are rounded up to. */
const HEADROOM = 1.5;
const BUDGET_STEP = 500;

export interface SizedBudget {
  namespace: string;
  tokens: number;
  from: number;
  to: number;
}

/**
 * The layout's memory section with each budget large enough for the files already there, with headroom: a team
 * adopting reverie on an 8,000-token CLAUDE.md gets a budget that fits it, not a warning on the first night. Budgets
 * only grow; comments and key order stay as they are.
 */
export function sizedBudgets(section: string, existing: readonly { path: string; text: string }[]): { section: string; sized: SizedBudget[] } {
  const { root, namespaces } = sectionValues(section);
  const declared = namespaces.map((ns, i) => ({ name: ns.name ?? `#${i}`, paths: ns.paths, policy: ns.policy === 'protected' ? ('protected' as const) : ('dream' as const), index: i, budget: ns.budget_tokens }));
  const tokens = new Map<number, number>();
  for (const file of existing) {
    const match = namespaceFor(file.path, root === '.' ? '' : root, declared) as (typeof declared)[number] | undefined;
    if (match) tokens.set(match.index, (tokens.get(match.index) ?? 0) + estimateTokens(file.text));
  }
  const doc = parseDocument(section);
  const sized: SizedBudget[] = [];
  for (const ns of declared) {
    const held = tokens.get(ns.index) ?? 0;
    if (ns.budget === undefined || held * HEADROOM <= ns.budget) continue;
    const to = Math.ceil((held * HEADROOM) / BUDGET_STEP) * BUDGET_STEP;
    doc.setIn(['memory', 'namespaces', ns.index, 'budget_tokens'], to);
    sized.push({ namespace: ns.name, tokens: held, from: ns.budget, to });
  }
  return { section: sized.length === 0 ? section : doc.toString({ lineWidth: 0, flowCollectionPadding: false }), sized };
}

const MEMORY_SECTION = /^memory:\n(?:[ #].*\n)*/m;

/** The `memory:` section of a configuration text: the `memory:` line and the indented or comment lines under it. */
export function memorySectionOf(config: string): string {
  const section = MEMORY_SECTION.exec(config)?.[0];
  if (!section) throw new Error('the configuration template has no memory: section');
  return section;
}

export function withMemorySection(config: string, section: string): string {
  memorySectionOf(config);
  return config.replace(MEMORY_SECTION, section.endsWith('\n') ? section : `${section}\n`);
}

interface MemorySectionValues {
  root: string;
  namespaces: { name?: string; paths: string[]; policy?: string; budget_tokens?: number }[];
}

function sectionValues(section: string): MemorySectionValues {
  const memory = (parse(section) as { memory?: { root?: string; namespaces?: MemorySectionValues['namespaces'] } } | null)?.memory ?? {};
  return { root: (memory.root ?? 'memory').replace(/\/+$/, ''), namespaces: memory.namespaces ?? [] };
}

export function memoryRootOf(section: string): string {
  const { root } = sectionValues(section);
  return root === '.' ? '' : root;
}

/** A workflow template with `uses:` pointing at the reverie action, or left at the placeholder for the user to set. */
export function withAction(template: string, action: string | undefined): string {
  return action ? template.split(ACTION_PLACEHOLDER).join(actionRef(action)) : template;
}

/**
 * `--action`, checked before it goes into a workflow: `owner/repo@ref` or `owner/repo/path@ref`, in the characters
 * GitHub allows in owner and repository names and a conservative set of git's for the ref (a tag, branch or commit
 * SHA). Anything else could not name an action, and a space, quote or newline would write YAML of its own.
 */
export function actionRef(value: string): string {
  const [, name = '', ref = ''] = ACTION_REF.exec(value) ?? [];
  // What git refuses in a ref name (`..`, `//`, a part starting with a dot or ending in .lock) names no action either.
  const badRef = /\.\.|\/\/|\/\.|\/$|\.$|\.lock(?:\/|$)/.test(ref);
  if (name === '' || badRef || name.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new UsageError(`--action must be owner/repo@ref or owner/repo/path@ref (ref: a tag, branch or commit SHA), e.g. acme/reverie@v1; got ${JSON.stringify(value)}`);
  }
  return value;
}

const ACTION_REF = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}(?:\/[A-Za-z0-9._-]+)*)@([A-Za-z0-9_][A-Za-z0-9._+\/-]*)$/;

/**
 * `--owners`, checked before it goes into CODEOWNERS: one or more owners, separated by spaces or commas, each
 * `@user`, `@org/team` or an email address, as GitHub reads them. Returns them space-separated, as a CODEOWNERS line
 * lists them. Anything else GitHub would ignore (the paths would go unowned without a word), or could end the line.
 */
export function codeOwners(value: string): string {
  const owners = value.split(/[\s,]+/).filter((owner) => owner !== '');
  const bad = owners.find((owner) => !GITHUB_USER.test(owner) && !GITHUB_TEAM.test(owner) && !EMAIL.test(owner));
  if (owners.length === 0 || bad !== undefined) {
    throw new UsageError(`--owners takes CODEOWNERS owners, @user, @org/team or an email address, separated by spaces or commas; ${JSON.stringify(bad ?? value)} is none of them`);
  }
  return owners.join(' ');
}

/** A GitHub login: letters, digits and hyphens, not first, at most 39 characters (older accounts bend the rest). */
const GITHUB_USER = /^@[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
/** `@org/team-slug`: the organisation's login, then the team's slug (letters, digits, hyphens and underscores). */
const GITHUB_TEAM = /^@[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** An address of a GitHub account's verified email: no spaces, no `#` (a CODEOWNERS comment), a dotted domain. */
const EMAIL = /^[A-Za-z0-9.!$%&'*+=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The check runs on pull requests that touch memory: the layout's root, not the template's. */
export function checkWorkflowFor(template: string, root: string): string {
  return template.split('"memory/**"').join(root === '' ? '"**.md"' : `"${root}/**"`);
}

/**
 * .github/CODEOWNERS: the template's explanation, then the protected namespaces' globs (CODEOWNERS patterns take
 * the same `**` as namespace globs), reverie.yaml and .github/ under `owners`.
 */
export function codeownersFor(template: string, memorySection: string, owners: string): string {
  // The template's first paragraph explains the file; what follows is for someone copying the template by hand.
  const lines = template.split('\n');
  const header = lines.slice(0, Math.max(0, lines.findIndex((line) => !line.startsWith('#'))));
  const { namespaces } = sectionValues(memorySection);
  const root = memoryRootOf(memorySection);
  const globs = namespaces.filter((ns) => ns.policy === 'protected').flatMap((ns) => ns.paths);
  const owned = [...globs.map((glob) => `/${root === '' ? '' : `${root}/`}${glob.replace(/^(?:\.\/)+/, '')}`), '/reverie.yaml', '/.github/'];
  const who = codeOwners(owners);
  return `${header.join('\n')}\n\n${owned.map((pattern) => `${pattern} ${who}`).join('\n')}\n`;
}

/**
 * package.json for simple-git-hooks: the hook's command, simple-git-hooks as a dev dependency, and a `prepare`
 * script so that `npm install` in any clone installs the hook again. reverie itself is not a dependency: see
 * DEFAULT_HOOK_COMMAND. An existing package.json keeps everything else it has.
 */
export function packageJsonFor(existing: string | undefined, command: string): string {
  const pkg = (existing ? JSON.parse(existing) : { private: true, description: 'A reverie memory repo' }) as Record<string, unknown>;
  const record = (key: string) => ({ ...((pkg[key] as Record<string, unknown> | undefined) ?? {}) });
  const scripts = record('scripts');
  scripts.prepare ??= 'simple-git-hooks';
  const devDependencies = record('devDependencies');
  devDependencies['simple-git-hooks'] ??= SIMPLE_GIT_HOOKS_RANGE;
  const hooks = { ...record('simple-git-hooks'), 'pre-commit': command };
  return `${JSON.stringify({ ...pkg, scripts, devDependencies, 'simple-git-hooks': hooks }, null, 2)}\n`;
}

const SIMPLE_GIT_HOOKS_RANGE = '^2.14.0';

/**
 * The hook file exactly as simple-git-hooks (2.14) writes it, so that a later `npx simple-git-hooks` finds it
 * unchanged: its preamble (SKIP_SIMPLE_GIT_HOOKS, SIMPLE_GIT_HOOKS_RC), then the command, no final newline.
 */
export function hookScript(command: string): string {
  return `${SIMPLE_GIT_HOOKS_PREAMBLE}${command}`;
}

const SIMPLE_GIT_HOOKS_PREAMBLE = `#!/bin/sh
if [ "$SKIP_SIMPLE_GIT_HOOKS" = "1" ]; then
    echo "[INFO] SKIP_SIMPLE_GIT_HOOKS is set to 1, skipping hook."
    exit 0
fi
if [ -f "$SIMPLE_GIT_HOOKS_RC" ]; then
    . "$SIMPLE_GIT_HOOKS_RC"
fi
`;
