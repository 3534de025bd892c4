import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/index.js';
import { DEFAULT_BATCH_WAIT_MINUTES } from '../../../src/config/parse.js';
import { ConfigError, UsageError } from '../../../src/errors.js';
import { REVIEW_WORKFLOW_PATH, initFiles, templatesDir, type InitTemplates } from '../../../src/cycle/init.js';
import {
  ACTION_PLACEHOLDER,
  CHECK_WORKFLOW_PATH,
  CODEOWNERS_PATH,
  DREAM_WORKFLOW_PATH,
  LAYOUTS,
  MEMORY_SECTION_FILE,
  DEFAULT_HOOK_COMMAND,
  actionRef,
  checkWorkflowFor,
  codeOwners,
  codeownersFor,
  configFor,
  hookScript,
  memorySectionOf,
  packageJsonFor,
  skeletonFiles,
  type Layout,
} from '../../../src/cycle/skeleton.js';
import { buildSnapshot } from '../../../src/memory/index.js';
import { lintMemory } from '../../../src/memory/lint.js';

const dir = templatesDir();
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

function filesUnder(folder: string, prefix = ''): string[] {
  return readdirSync(path.join(folder, prefix)).flatMap((name) => {
    const relative = prefix ? `${prefix}/${name}` : name;
    return statSync(path.join(folder, relative)).isDirectory() ? filesUnder(folder, relative) : [relative];
  });
}

function templates(layout: Layout): InitTemplates {
  const layoutDir = path.join(dir, 'layouts', layout);
  const files = new Map(filesUnder(layoutDir).filter((f) => f !== MEMORY_SECTION_FILE).map((f) => [f, readFileSync(path.join(layoutDir, f), 'utf8')]));
  return {
    config: read('reverie.yaml'),
    sessionsReadme: read('sessions/README.md'),
    layout: { memorySection: readFileSync(path.join(layoutDir, MEMORY_SECTION_FILE), 'utf8'), files },
    dreamWorkflow: read('workflows/reverie.yml'),
    checkWorkflow: read('workflows/reverie-check.yml'),
    reviewWorkflow: read('workflows/reverie-review.yml'),
    codeowners: read('CODEOWNERS'),
  };
}

const config = (text: string) => parseConfig(text, 'reverie.yaml', '/repo');

const EXPECTED: Record<Layout, { root: string; inbox: string; files: string[]; protected: string[] }> = {
  notes: { root: 'memory', inbox: 'notes.md', files: ['memory/instructions/instructions.md', 'memory/notes.md'], protected: ['instructions'] },
  'claude-md': { root: 'memory', inbox: 'CLAUDE.md', files: ['memory/CLAUDE.md', 'memory/instructions/rules.md'], protected: ['instructions'] },
  'agents-md': { root: 'memory', inbox: 'AGENTS.md', files: ['memory/AGENTS.md', 'memory/instructions/rules.md'], protected: ['instructions'] },
  memories: { root: 'memories', inbox: 'learned.md', files: ['memories/instructions/memory-protocol.md', 'memories/learned.md', 'memories/project.md'], protected: ['instructions'] },
  wiki: { root: 'wiki', inbox: 'inbox.md', files: ['wiki/_index.md', 'wiki/decisions.md', 'wiki/inbox.md', 'wiki/tools.md'], protected: ['index'] },
};

describe('layouts', () => {
  it('has a folder for each layout and nothing else', () => {
    expect(readdirSync(path.join(dir, 'layouts')).sort()).toEqual([...LAYOUTS].sort());
  });

  for (const layout of LAYOUTS) {
    describe(layout, () => {
      const planned = skeletonFiles(templates(layout), { main: 'main' });
      const parsed = config(planned[0]!.text);
      const expected = EXPECTED[layout];

      it('writes reverie.yaml with the layout memory section, valid as it stands', () => {
        expect(planned[0]?.path).toBe('reverie.yaml');
        expect(parsed.memory.root).toBe(expected.root);
        expect(parsed.memory.inbox).toBe(expected.inbox);
        expect(parsed.memory.namespaces.filter((n) => n.policy === 'protected').map((n) => n.name)).toEqual(expected.protected);
        expect(parsed.github).toBeUndefined();
      });

      it('writes the memory skeleton under the root, every file claimed by a namespace, the inbox among them', () => {
        const memoryFiles = planned.filter((f) => f.path.startsWith(`${expected.root}/`));
        expect(memoryFiles.map((f) => f.path).sort()).toEqual(expected.files);
        const snapshot = buildSnapshot(memoryFiles, parsed.memory.root, parsed.memory.namespaces);
        expect(snapshot.files.map((f) => f.path).sort()).toEqual(expected.files);
        expect(memoryFiles.map((f) => f.path)).toContain(`${expected.root}/${expected.inbox}`);
      });

      it('lints clean, links included, under every harness', () => {
        const snapshot = buildSnapshot(planned, parsed.memory.root, parsed.memory.namespaces);
        for (const harness of ['none', 'claude-code', 'managed-agents'] as const) {
          expect(lintMemory({ snapshot, repositoryPaths: new Set(planned.map((f) => f.path)), harness })).toEqual([]);
        }
      });
    });
  }

  it('the wiki index links every page of the wiki', () => {
    const wiki = templates('wiki');
    const index = wiki.layout.files.get('_index.md') ?? '';
    for (const page of [...wiki.layout.files.keys()].filter((f) => f !== '_index.md')) expect(index).toContain(`](${page})`);
  });
});

describe('reverie.yaml template', () => {
  const template = read('reverie.yaml');

  it('carries the default (notes) layout memory section, so that the file reads the same copied by hand', () => {
    expect(memorySectionOf(template)).toBe(readFileSync(path.join(dir, 'layouts/notes', MEMORY_SECTION_FILE), 'utf8'));
  });

  /** The keys the loader accepts at a place in the file, read from its own "unknown key" error. */
  function acceptedKeys(yaml: string): string[] {
    try {
      config(yaml);
    } catch (error) {
      if (error instanceof ConfigError) return /expected one of: (.*)$/.exec(error.message)?.[1]?.split(', ') ?? [];
    }
    throw new Error(`no unknown-key error for:\n${yaml}`);
  }

  const places = [
    'zzz: 1',
    'memory:\n  zzz: 1',
    'memory:\n  namespaces:\n    - zzz: 1',
    'sessions:\n  - zzz: 1',
    'extract:\n  zzz: 1',
    'approval:\n  zzz: 1',
    'git:\n  zzz: 1',
    'git:\n  author:\n    zzz: 1',
    'github:\n  zzz: 1',
    'claude:\n  zzz: 1',
    'claude:\n  budget:\n    zzz: 1',
    'claude:\n  map:\n    zzz: 1',
    'claude:\n  curate:\n    zzz: 1',
    'managed:\n  zzz: 1',
    'managed:\n  store:\n    zzz: 1',
    'managed:\n  sessions:\n    zzz: 1',
    'agents:\n  - zzz: 1',
    'agents:\n  - name: a\n    loads: [x]\n    compile:\n      zzz: 1',
    'store:\n  zzz: 1',
    'store:\n  id: memstore_1\n  sessions:\n    zzz: 1',
  ];

  it('mentions every key the loader accepts, set or commented', () => {
    expect(places.flatMap(acceptedKeys)).toEqual(expect.arrayContaining(['mode', 'inbox', 'budget_tokens', 'agent', 'min_sessions', 'review', 'email', 'api_url', 'labels']));
    const missing = places.flatMap((place) => acceptedKeys(place).filter((key) => !new RegExp(`^[ #-]*${key}:`, 'm').test(template)));
    expect(missing).toEqual([]);
  });

  it('parses as it stands, and names the repository main branch', () => {
    expect(config(template).github).toBeUndefined();
    expect(config(configFor(templates('notes'), { main: 'trunk' })).git.main).toBe('trunk');
  });
});

describe('workflow templates', () => {
  it('dream: nightly and on demand, least privilege, one cycle at a time, full history, the action with both secrets', () => {
    const text = read('workflows/reverie.yml');
    const workflow = parse(text) as Record<string, any>;
    expect(workflow.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(Object.keys(workflow.on.workflow_dispatch.inputs)).toEqual(['mode', 'engine']);
    expect(workflow.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(workflow.concurrency).toEqual({ group: 'reverie-${{ github.repository }}', 'cancel-in-progress': false });
    const [checkout, action] = workflow.jobs.dream.steps;
    expect(checkout).toEqual({ uses: expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/), with: { 'fetch-depth': 0 } });
    expect(action.uses).toBe(ACTION_PLACEHOLDER);
    expect(action.with['github-token']).toContain('secrets.');
    expect(action.with['anthropic-api-key']).toBe('${{ secrets.ANTHROPIC_API_KEY }}');
    expect(text).toMatch(/personal access token or a GitHub App/);
  });

  it('dream: the job outlasts the claude engine\'s default wait for a batch by ten minutes, and may push its state', () => {
    const workflow = parse(read('workflows/reverie.yml')) as Record<string, any>;
    expect(workflow.jobs.dream['timeout-minutes']).toBeGreaterThanOrEqual(DEFAULT_BATCH_WAIT_MINUTES + 10);
    // refs/reverie/engine is pushed with the workflow's token.
    expect(workflow.permissions.contents).toBe('write');
    expect(read('workflows/reverie.yml')).toContain(`waits ${DEFAULT_BATCH_WAIT_MINUTES} minutes for a Message Batch (claude.batch_wait_minutes)`);
  });

  it('check: on pull requests that touch the layout memory root or the memory tests, read-only, the whole history, the action with command: check', () => {
    const text = checkWorkflowFor(read('workflows/reverie-check.yml'), 'wiki');
    const workflow = parse(text) as Record<string, any>;
    expect(workflow.on.pull_request.paths).toEqual(['wiki/**', 'reverie.yaml', '.reverie/tests/**']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const [checkout, action, ...more] = workflow.jobs.check.steps;
    expect(checkout).toEqual({ uses: expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/), with: { 'fetch-depth': 0, 'persist-credentials': false } });
    expect(action).toEqual({ uses: ACTION_PLACEHOLDER, with: { command: 'check' } });
    expect(more).toEqual([]);
  });

  it('review: on edited and closed pull requests and new comments, of reverie\'s pull requests only, the action with command: respond', () => {
    const text = read('workflows/reverie-review.yml');
    const workflow = parse(text) as Record<string, any>;
    const dream = parse(read('workflows/reverie.yml')) as Record<string, any>;
    expect(workflow.on).toEqual({ pull_request: { types: ['edited', 'closed'] }, issue_comment: { types: ['created'] } });
    // Comments on a pull request go through the issues API.
    expect(workflow.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', issues: 'write' });
    // A response and a nightly cycle never run at once.
    expect(workflow.concurrency).toEqual(dream.concurrency);
    expect(Object.keys(workflow.jobs)).toEqual(['respond']);
    const job = workflow.jobs.respond;
    expect(job['timeout-minutes']).toBe(10);
    const guard = (job.if as string).replace(/\s+/g, ' ');
    for (const clause of [
      "github.event_name == 'pull_request'",
      "startsWith(github.event.pull_request.head.ref, 'reverie/dream-')",
      'github.event.pull_request.head.repo.full_name == github.repository',
      "github.event_name == 'issue_comment'",
      'github.event.issue.pull_request',
      "contains(github.event.comment.body, '/reverie')",
      "github.event.comment.user.type != 'Bot'",
    ]) {
      expect(guard).toContain(clause);
    }
    expect(guard).not.toContain('${{');
    const [checkout, action, ...more] = job.steps;
    expect(checkout).toEqual({ uses: expect.stringMatching(/^actions\/checkout@[0-9a-f]{40}$/), with: { ref: '${{ github.event.repository.default_branch }}', 'fetch-depth': 0 } });
    expect(action).toEqual({ uses: ACTION_PLACEHOLDER, with: { command: 'respond', 'github-token': '${{ secrets.REVERIE_TOKEN || secrets.GITHUB_TOKEN }}' } });
    expect(more).toEqual([]);
    expect(text).not.toMatch(/^\s*pull_request_target:/m);
    expect(text).toMatch(/# `pull_request`, not `pull_request_target`/);
  });

  /** Every workflow init --github writes, with and without --action. */
  function generatedWorkflows(): [string, string][] {
    return [undefined, 'acme/reverie@v1'].flatMap((action) =>
      initFiles(templates('notes'), { main: 'main', github: true, ...(action ? { action } : {}) })
        .filter((f) => f.path.startsWith('.github/workflows/'))
        .map((f): [string, string] => [`${f.path} (${action ?? 'placeholder'})`, f.text]),
    );
  }

  it('run and install nothing from a package registry: no npx, no npm, no reverie@<version> package', () => {
    const workflows = generatedWorkflows();
    expect(workflows).toHaveLength(6);
    for (const [name, text] of workflows) {
      expect(text, name).not.toMatch(/\b(?:npx|npm|pnpm|yarn|bunx)\b/);
      // `<owner>/reverie@v1` is the action; a bare `reverie@` would be the npm package of that name.
      expect(text.replace(/[\w<>.-]+\/reverie@\S+/g, ''), name).not.toContain('reverie@');
      expect(text, name).not.toMatch(/setup-node/);
      const steps = Object.values((parse(text) as { jobs: Record<string, { steps: Record<string, unknown>[] }> }).jobs).flatMap((job) => job.steps);
      expect(steps.filter((step) => 'run' in step), name).toEqual([]);
    }
  });

  it('pin every third-party action to a full commit SHA, with its tag in a comment', () => {
    expect(generatedWorkflows().map(([name]) => name)).toEqual(expect.arrayContaining([`${REVIEW_WORKFLOW_PATH} (placeholder)`, `${REVIEW_WORKFLOW_PATH} (acme/reverie@v1)`]));
    for (const [name, text] of generatedWorkflows()) {
      const uses = text.split('\n').filter((line) => /^\s*-?\s*uses:/.test(line));
      expect(uses.length, name).toBeGreaterThan(1);
      for (const line of uses) {
        const [, target = ''] = /uses:\s*(\S+)/.exec(line) ?? [];
        if (target === ACTION_PLACEHOLDER || target === 'acme/reverie@v1') continue;
        expect(line, name).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    }
  });

  it('init --github adds the three workflows and, given owners, a CODEOWNERS for the protected namespaces', () => {
    const planned = initFiles(templates('wiki'), { main: 'main', github: true, action: 'acme/reverie@v1', owners: '@acme/agent-owners' });
    expect(planned.map((f) => f.path).filter((p) => p.startsWith('.github/workflows/'))).toEqual([DREAM_WORKFLOW_PATH, CHECK_WORKFLOW_PATH, REVIEW_WORKFLOW_PATH]);
    const byPath = new Map(planned.map((f) => [f.path, f.text]));
    expect(byPath.get(DREAM_WORKFLOW_PATH)).toContain('uses: acme/reverie@v1');
    expect(byPath.get(CHECK_WORKFLOW_PATH)).toContain('"wiki/**"');
    expect(byPath.get(CHECK_WORKFLOW_PATH)).toContain('uses: acme/reverie@v1');
    expect(byPath.get(REVIEW_WORKFLOW_PATH)).toContain('- uses: acme/reverie@v1\n');
    for (const text of [byPath.get(DREAM_WORKFLOW_PATH), byPath.get(CHECK_WORKFLOW_PATH), byPath.get(REVIEW_WORKFLOW_PATH)]) expect(text).not.toContain(ACTION_PLACEHOLDER);
    // Without --action the placeholder stays, for the note to point at; without --github there is no workflow at all.
    expect(initFiles(templates('wiki'), { main: 'main', github: true }).find((f) => f.path === REVIEW_WORKFLOW_PATH)?.text).toBe(read('workflows/reverie-review.yml'));
    expect(initFiles(templates('wiki'), { main: 'main' }).filter((f) => f.path.startsWith('.github/'))).toEqual([]);
    // The Action reviews on GitHub without a github section; switched on, it would send local cycles there too.
    expect(config(byPath.get('reverie.yaml')!).github).toBeUndefined();
    const owners = byPath.get(CODEOWNERS_PATH) ?? '';
    expect(owners.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['/wiki/_index.md @acme/agent-owners', '/reverie.yaml @acme/agent-owners', '/.github/ @acme/agent-owners']);
    expect(owners).not.toContain('Replace @acme');
  });

  it('the CODEOWNERS template puts the default protected namespace under a team', () => {
    expect(read('CODEOWNERS')).toMatch(/^\/memory\/instructions\/ @acme\/agent-owners$/m);
    expect(codeownersFor(read('CODEOWNERS'), memorySectionOf(read('reverie.yaml')), '@t')).toContain('/memory/instructions/** @t\n');
    expect(codeownersFor(read('CODEOWNERS'), memorySectionOf(read('reverie.yaml')), '@acme/agents, @octocat  docs@acme.example')).toContain('/reverie.yaml @acme/agents @octocat docs@acme.example\n');
  });
});

describe('init flags that go into generated files', () => {
  it('--action: owner/repo@ref or owner/repo/path@ref, a tag, branch or commit SHA', () => {
    for (const ref of ['acme/reverie@v1', 'acme-labs/reverie.fork@v1.2.3', 'acme/reverie@2f9c0d4e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e', 'acme/tools/actions/reverie@release/2026-11', 'a/b_c@main']) {
      expect(actionRef(ref)).toBe(ref);
    }
  });

  it('--action: anything else is a usage error naming the flag and the value, and a newline never reaches the workflow', () => {
    for (const bad of ['', 'reverie', 'acme/reverie', 'acme/reverie@', '@v1', 'acme@v1', './reverie@v1', 'docker://acme/reverie:1', '-acme/reverie@v1', 'acme/reverie@v1 # pinned', 'acme/reverie@v1\n      run: curl x | sh', 'acme/../reverie@v1', 'acme/reverie@../v1', 'acme/reverie@v1.lock', 'acme/reverie@${{ github.ref }}', 'https://github.com/acme/reverie@v1']) {
      expect(() => actionRef(bad), bad).toThrow(UsageError);
      expect(() => actionRef(bad), bad).toThrow(`--action must be owner/repo@ref or owner/repo/path@ref (ref: a tag, branch or commit SHA), e.g. acme/reverie@v1; got ${JSON.stringify(bad)}`);
    }
  });

  it('--owners: @user, @org/team or an email, one or several', () => {
    expect(codeOwners('@acme/agent-owners')).toBe('@acme/agent-owners');
    expect(codeOwners(' @octocat,@acme/docs_team  ops@acme.example ')).toBe('@octocat @acme/docs_team ops@acme.example');
  });

  it('--owners: anything else is a usage error naming the flag and the bad value', () => {
    for (const [value, bad] of [['acme/agent-owners', 'acme/agent-owners'], ['@acme/agents team', 'team'], ['', ''], ['@', '@'], ['@acme/', '@acme/'], ['@-octocat', '@-octocat'], ['@acme/agents #comment', '#comment'], ['@a/b/c', '@a/b/c'], ['ops@localhost', 'ops@localhost'], ['@octocat\n/ @mallory', '/']] as const) {
      expect(() => codeOwners(value), value).toThrow(UsageError);
      expect(() => codeOwners(value), value).toThrow(`--owners takes CODEOWNERS owners, @user, @org/team or an email address, separated by spaces or commas; ${JSON.stringify(bad)} is none of them`);
    }
  });
});

describe('hooks', () => {
  it('writes the hook file byte for byte as simple-git-hooks does', () => {
    const simpleGitHooks = createRequire(import.meta.url)('simple-git-hooks') as { PREPEND_SCRIPT: string };
    expect(hookScript('reverie lint')).toBe(`${simpleGitHooks.PREPEND_SCRIPT}reverie lint`);
  });

  it('runs the reverie on the PATH by default, never a package fetched by name', () => {
    expect(DEFAULT_HOOK_COMMAND).toBe('reverie lint');
  });

  it('package.json: a new one runs the hook and installs it on npm install; simple-git-hooks is its only dependency', () => {
    const pkg = JSON.parse(packageJsonFor(undefined, 'reverie lint'));
    expect(pkg).toEqual({
      private: true,
      description: expect.any(String),
      scripts: { prepare: 'simple-git-hooks' },
      devDependencies: { 'simple-git-hooks': expect.any(String) },
      'simple-git-hooks': { 'pre-commit': 'reverie lint' },
    });
  });

  it('package.json: an existing one keeps its own keys, and only the pre-commit hook is replaced', () => {
    const existing = JSON.stringify({ name: 'agent-memory', scripts: { prepare: 'husky', test: 'true' }, devDependencies: { reverie: '0.0.9' }, 'simple-git-hooks': { 'pre-push': 'npm test', 'pre-commit': 'old' } });
    const pkg = JSON.parse(packageJsonFor(existing, 'reverie lint --strict'));
    expect(pkg).toEqual({
      name: 'agent-memory',
      scripts: { prepare: 'husky', test: 'true' },
      devDependencies: { reverie: '0.0.9', 'simple-git-hooks': expect.any(String) },
      'simple-git-hooks': { 'pre-push': 'npm test', 'pre-commit': 'reverie lint --strict' },
    });
  });

  it('--hooks adds package.json and a .gitignore for node_modules', () => {
    const planned = skeletonFiles(templates('notes'), { main: 'main', hooks: { command: 'reverie lint' } });
    expect(planned.map((f) => f.path)).toEqual(expect.arrayContaining(['package.json', '.gitignore']));
  });
});
