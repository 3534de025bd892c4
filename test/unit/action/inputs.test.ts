import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overlayConfig } from '../../../src/action/config-overlay.js';
import { checkBase, configOverrides, eventFacts, memoryRepoDir, readCheckInputs, readCommand, readInputs, readRunnerContext, secretInputs, workspacePath, type RunnerContext } from '../../../src/action/inputs.js';
import { parseConfig } from '../../../src/config/index.js';
import { UsageError } from '../../../src/errors.js';

/** The inputs as the runner passes them for a workflow that sets none: action.yml's defaults. */
const DEFAULTS = { INPUT_COMMAND: 'dream', INPUT_CHECK: 'false', INPUT_AGENT: '', INPUT_BASE: '', INPUT_MODE: '', 'INPUT_DRY-RUN': 'false', INPUT_ENGINE: '', INPUT_MODEL: '', INPUT_CONFIG: 'reverie.yaml', INPUT_PATH: '.', INPUT_SESSIONS: '', 'INPUT_ANTHROPIC-API-KEY': '' };

const RUNNER: RunnerContext = { workspace: '/home/runner/work/memory/memory', repository: 'acme/memory', serverUrl: 'https://github.com', apiUrl: 'https://ghe.example.com/api/v3', tempDir: '/tmp' };

describe('readInputs', () => {
  it('leaves mode and engine to reverie.yaml when the workflow does not set them', () => {
    expect(readInputs({ ...DEFAULTS, 'INPUT_GITHUB-TOKEN': 'ghs_x' })).toEqual({ command: 'dream', check: false, config: 'reverie.yaml', path: '.', sessions: [], githubToken: 'ghs_x', waiting: 'update' });
  });

  it('waiting: update by default, wait or supersede when asked, anything else refused by the input\'s name', () => {
    expect(readInputs({ ...DEFAULTS, INPUT_WAITING: 'wait' }).waiting).toBe('wait');
    expect(readInputs({ ...DEFAULTS, INPUT_WAITING: 'supersede' }).waiting).toBe('supersede');
    expect(() => readInputs({ ...DEFAULTS, INPUT_WAITING: 'rebase' })).toThrow('input waiting must be one of update, wait, supersede (got "rebase")');
  });

  it('reads names as the runner writes them: upper case, dashes kept', () => {
    const inputs = readInputs({ ...DEFAULTS, INPUT_MODE: 'auto', INPUT_ENGINE: 'claude', INPUT_MODEL: ' claude-opus-4-7 ', 'INPUT_ANTHROPIC-API-KEY': 'sk-ant-x', INPUT_SESSIONS: 'logs/a/**\n\n  /tmp/logs \r\n', INPUT_PATH: 'memory' });
    expect(inputs).toMatchObject({ mode: 'auto', engine: 'claude', model: 'claude-opus-4-7', anthropicApiKey: 'sk-ant-x', sessions: ['logs/a/**', '/tmp/logs'], path: 'memory' });
  });

  it('dry-run wins over the mode: it is the switch that guarantees nothing is written', () => {
    expect(readInputs({ ...DEFAULTS, INPUT_MODE: 'auto', 'INPUT_DRY-RUN': 'true' }).mode).toBe('dry-run');
    expect(readInputs({ ...DEFAULTS, 'INPUT_DRY-RUN': 'TRUE' }).mode).toBe('dry-run');
    expect(readInputs({ ...DEFAULTS, 'INPUT_DRY-RUN': 'False' }).mode).toBeUndefined();
  });

  it('refuses values it cannot use, naming the input', () => {
    expect(() => readInputs({ ...DEFAULTS, INPUT_MODE: 'yolo' })).toThrow(new UsageError('input mode must be one of auto, review, dry-run (got "yolo")'));
    expect(() => readInputs({ ...DEFAULTS, INPUT_ENGINE: 'gpt' })).toThrow(/input engine must be one of heuristic/);
    expect(() => readInputs({ ...DEFAULTS, 'INPUT_DRY-RUN': 'yes' })).toThrow(/input dry-run must be true or false/);
  });

  it('refuses a command it does not know, naming the input; dream is the default', () => {
    expect(readCommand(DEFAULTS)).toBe('dream');
    expect(readCommand({ ...DEFAULTS, INPUT_COMMAND: '' })).toBe('dream');
    expect(readCommand({ ...DEFAULTS, INPUT_COMMAND: ' check ' })).toBe('check');
    expect(readInputs({ ...DEFAULTS, INPUT_COMMAND: 'respond' }).command).toBe('respond');
    for (const command of ['lint', 'Check', 'dream check']) {
      expect(() => readCommand({ ...DEFAULTS, INPUT_COMMAND: command })).toThrow(new UsageError(`input command must be one of dream, check, respond, compile (got "${command}")`));
      // The dream entry, where main.ts sends every command but check, refuses it the same way.
      expect(() => readInputs({ ...DEFAULTS, INPUT_COMMAND: command })).toThrow(/^input command must be one of dream, check, respond, compile/);
    }
  });

  it('compile: check and agent, which no other command takes', () => {
    expect(readInputs({ ...DEFAULTS, INPUT_COMMAND: 'compile', INPUT_CHECK: 'true', INPUT_AGENT: ' codex ' })).toMatchObject({ command: 'compile', check: true, agent: 'codex' });
    expect(readInputs({ ...DEFAULTS, INPUT_COMMAND: 'compile', 'INPUT_DRY-RUN': 'true' })).toMatchObject({ command: 'compile', check: false, mode: 'dry-run' });
    expect(() => readInputs({ ...DEFAULTS, INPUT_COMMAND: 'compile', INPUT_CHECK: 'yes' })).toThrow('input check must be true or false (got "yes")');
    expect(() => readInputs({ ...DEFAULTS, INPUT_COMMAND: 'respond', INPUT_AGENT: 'codex' })).toThrow('input agent applies to command compile only (the command is respond)');
  });

  it('lists the secrets to mask, and only those that are set', () => {
    expect(secretInputs({ ...DEFAULTS, 'INPUT_GITHUB-TOKEN': ' ghs_abc ', 'INPUT_ANTHROPIC-API-KEY': 'sk-ant-x' })).toEqual(['ghs_abc', 'sk-ant-x']);
    expect(secretInputs(DEFAULTS)).toEqual([]);
  });
});

describe('the runner context', () => {
  it('comes from GITHUB_* and RUNNER_* variables, with stand-ins for a run outside GitHub', () => {
    const env = { GITHUB_WORKSPACE: '/w', GITHUB_REPOSITORY: 'acme/memory', GITHUB_SERVER_URL: 'https://ghe.example.com/', GITHUB_OUTPUT: '/o', GITHUB_STEP_SUMMARY: '/s', RUNNER_TEMP: '/t' };
    expect(readRunnerContext(env, { cwd: '/cwd', tempDir: '/tmp' })).toEqual({ workspace: '/w', repository: 'acme/memory', serverUrl: 'https://ghe.example.com', outputFile: '/o', summaryFile: '/s', tempDir: '/t' });
    expect(readRunnerContext({}, { cwd: '/cwd', tempDir: '/tmp' })).toEqual({ workspace: '/cwd', serverUrl: 'https://github.com', tempDir: '/tmp' });
  });

  it('names files for annotations relative to the workspace, and none outside it', () => {
    expect(workspacePath(RUNNER, path.join(RUNNER.workspace, 'sessions/a.jsonl'))).toBe('sessions/a.jsonl');
    expect(workspacePath(RUNNER, 'memory/notes.md')).toBe('memory/notes.md');
    expect(workspacePath(RUNNER, '/tmp/logs/a.jsonl')).toBeUndefined();
    expect(memoryRepoDir({ config: 'reverie.yaml', path: '/elsewhere', sessions: [] }, RUNNER)).toBe('/elsewhere');
  });

  it('reads the default branch from the event payload, and nothing from a missing or broken one', () => {
    expect(eventFacts(JSON.stringify({ repository: { default_branch: 'trunk' } }))).toEqual({ defaultBranch: 'trunk' });
    expect(eventFacts('{not json')).toEqual({});
    expect(eventFacts('null')).toEqual({});
    expect(eventFacts(undefined)).toEqual({});
  });

  it('reads a pull request\'s base commit from its event, and only a commit id', () => {
    const sha = 'b'.repeat(40);
    expect(eventFacts(JSON.stringify({ repository: { default_branch: 'main' }, pull_request: { base: { ref: 'main', sha } } }))).toEqual({ defaultBranch: 'main', baseSha: sha });
    for (const bad of ['main', `${sha} `, '--upload-pack=x', 42]) expect(eventFacts(JSON.stringify({ pull_request: { base: { sha: bad } } }))).toEqual({});
    expect(readRunnerContext({ GITHUB_BASE_REF: 'trunk' }, { cwd: '/w', tempDir: '/t' }).baseRef).toBe('trunk');
    expect(readRunnerContext({ GITHUB_BASE_REF: '' }, { cwd: '/w', tempDir: '/t' }).baseRef).toBeUndefined();
  });
});

describe('the check\'s inputs', () => {
  const sha = 'c'.repeat(40);

  it('read the memory repo and reverie.yaml as the dream does, and a base when set', () => {
    expect(readCheckInputs({ ...DEFAULTS, INPUT_COMMAND: 'check' })).toEqual({ config: 'reverie.yaml', path: '.' });
    expect(readCheckInputs({ ...DEFAULTS, INPUT_BASE: ' origin/release ', INPUT_PATH: 'memory-repo', INPUT_CONFIG: 'ci/reverie.yaml' })).toEqual({ config: 'ci/reverie.yaml', path: 'memory-repo', base: 'origin/release' });
  });

  it('measure the change from the base input, else the pull request\'s base commit, else its base branch on origin, else leave it to reverie check', () => {
    const inputs = readCheckInputs(DEFAULTS);
    const pullRequest = { ...RUNNER, baseRef: 'trunk' };
    expect(checkBase({ ...inputs, base: 'v1.0' }, pullRequest, { baseSha: sha })).toEqual({ ref: 'v1.0', source: 'input' });
    expect(checkBase(inputs, pullRequest, { baseSha: sha })).toEqual({ ref: sha, source: 'event' });
    expect(checkBase(inputs, pullRequest, {})).toEqual({ ref: 'refs/remotes/origin/trunk', source: 'base-ref' });
    expect(checkBase(inputs, RUNNER, { defaultBranch: 'main' })).toBeUndefined();
    // The pull request is the workflow repository's: a memory repo checked out elsewhere has its own history.
    expect(checkBase({ ...inputs, path: 'memory-repo' }, pullRequest, { baseSha: sha })).toBeUndefined();
    expect(checkBase({ ...inputs, path: 'memory-repo', base: 'v1.0' }, pullRequest, { baseSha: sha })).toEqual({ ref: 'v1.0', source: 'input' });
  });
});

describe('the configuration a cycle runs with', () => {
  const inputs = readInputs(DEFAULTS);
  const MINIMAL = 'mode: review\nsessions:\n  - path: sessions/**\n';

  function runWith(text: string, overrides = configOverrides(inputs, RUNNER, { defaultBranch: 'trunk' })) {
    return parseConfig(overlayConfig(text, overrides), 'reverie.yaml', RUNNER.workspace);
  }

  it('adds a github: section for the workflow\'s repository and API, and takes the default branch as main', () => {
    const config = runWith(MINIMAL);
    expect(config.github).toMatchObject({ repo: 'acme/memory', remote: 'origin', apiUrl: 'https://ghe.example.com/api/v3' });
    expect(config.git.main).toBe('trunk');
    expect(config.mode).toBe('review');
  });

  it('keeps what reverie.yaml sets', () => {
    const config = runWith(`${MINIMAL}github:\n  repo: acme/other\n  api_url: https://api.github.com\n  labels: false\ngit:\n  main: main\n`);
    expect(config.github).toMatchObject({ repo: 'acme/other', apiUrl: 'https://api.github.com', labels: false });
    expect(config.git.main).toBe('main');
  });

  it('fills in a section reverie.yaml leaves empty', () => {
    expect(runWith(`${MINIMAL}github:\ngit:\n`).github).toMatchObject({ remote: 'origin', apiUrl: 'https://ghe.example.com/api/v3' });
    expect(runWith('').github?.repo).toBe('acme/memory');
  });

  it('lays the model and the sessions inputs over reverie.yaml', () => {
    const withInputs = readInputs({ ...DEFAULTS, INPUT_MODEL: 'claude-opus-4-7', INPUT_SESSIONS: '/tmp/logs\nmore/**' });
    const config = runWith(MINIMAL, configOverrides(withInputs, RUNNER, {}));
    expect(config.claude.map.model).toBe('claude-opus-4-7');
    expect(config.claude.curate.model).toBe('claude-opus-4-7');
    expect(config.sessions.map((s) => s.path)).toEqual(['/tmp/logs', 'more/**']);
  });

  it('says nothing of a memory repo checked out elsewhere than the workspace: its remote and its file name it', () => {
    const elsewhere = configOverrides({ ...inputs, path: 'agent-memory' }, RUNNER, { defaultBranch: 'trunk' });
    expect(elsewhere).toEqual({ apiUrl: RUNNER.apiUrl });
    const config = runWith(MINIMAL, elsewhere);
    expect(config.github?.repo).toBeUndefined();
    expect(config.git.main).toBe('main');
  });
});
