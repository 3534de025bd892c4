import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, type Config } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';

const FILE = '/repo/reverie.yaml';
const REPO = '/repo';

function parse(text: string): Config {
  return parseConfig(text, FILE, REPO);
}

/** The ConfigError parsing `text` throws; fails the test if it throws anything else, or nothing. */
function errorOf(text: string): ConfigError {
  try {
    const config = parse(text);
    throw new Error(`expected a ConfigError, got a config: ${JSON.stringify(config)}`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error;
  }
}

/** Lines joined with `\n`, so the line numbers in a test can be read off the array index + 1. */
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('parseConfig: defaults', () => {
  it('fills in every default for a file that only sets the mode', () => {
    const config = parse(yaml('mode: auto'));
    expect(config).toEqual({
      file: FILE,
      repoDir: REPO,
      mode: 'auto',
      engine: 'heuristic',
      memory: { root: 'memory', inbox: 'notes.md', namespaces: [{ name: 'memory', paths: ['**/*.md'], policy: 'dream' }] },
      sessions: [{ path: 'sessions', format: 'auto' }],
      extract: { minSessions: 2, holdOut: 0 },
      curate: { maxActions: 50 },
      approval: { auto: ['add', 'update', 'merge', 'resolve', 'prune'], maxPruneRatio: 0.2 },
      agents: [],
      lint: { harness: 'none' },
      claude: { map: { model: 'claude-haiku-5-5', maxTokens: 8192 }, curate: { model: 'claude-opus-5-5', maxTokens: 16_384 }, concurrency: 4, budget: {}, batch: false, batchWaitMinutes: 20 },
      managed: { model: 'claude-opus-5-5', store: { name: 'reverie' }, sessions: { maxPerDream: 100 }, waitMinutes: 20, pollSeconds: 10 },
      git: { main: 'main', author: { name: 'reverie', email: 'reverie@users.noreply.github.com' } },
    });
  });

  it('treats an empty file as all defaults, with review mode', () => {
    const config = parse('');
    expect(config.mode).toBe('review');
    expect(config.engine).toBe('heuristic');
    expect(config.extract.minSessions).toBe(2);
  });

  it('keeps what the file sets and defaults only what it leaves out', () => {
    const config = parse(
      yaml(
        'mode: dry-run',
        'memory:',
        '  root: mem/',
        '  namespaces:',
        '    - name: instructions',
        '      paths: ["instructions/**"]',
        '      policy: protected',
        '    - name: notes',
        '      paths: ["**/*.md"]',
        '      budget_tokens: 4000',
        'sessions:',
        '  - path: logs/**',
        '    agent: claude',
        'extract:',
        '  min_sessions: 3',
      ),
    );
    expect(config.mode).toBe('dry-run');
    expect(config.memory.root).toBe('mem');
    expect(config.memory.inbox).toBe('notes.md');
    expect(config.memory.namespaces).toEqual([
      { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
      { name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 4000 },
    ]);
    expect(config.sessions).toEqual([{ path: 'logs/**', format: 'auto', agent: 'claude' }]);
    expect(config.extract.minSessions).toBe(3);
    expect(config.extract.holdOut).toBe(0);
    expect(config.approval.maxPruneRatio).toBe(0.2);
  });
});

describe('parseConfig: every error names the file, the line and the key', () => {
  it('an unknown key (a typo) is reported at its own line, with the keys that are allowed', () => {
    const error = errorOf(yaml('mode: review', 'memory:', '  root: memory', '  namespces: []'));
    expect(error).toMatchObject({ file: FILE, line: 4, key: 'memory.namespces' });
    expect(error.message).toContain(FILE);
    expect(error.message).toContain(':4');
    expect(error.message).toContain('memory.namespces');
    expect(error.message).toContain('namespaces');
  });

  it('an unknown top-level key is reported with its line', () => {
    const error = errorOf(yaml('mode: review', 'engine: heuristic', 'engnie: heuristic'));
    expect(error).toMatchObject({ file: FILE, line: 3, key: 'engnie' });
  });

  it('a value of the wrong type names the key and its line', () => {
    const error = errorOf(yaml('mode: review', 'extract:', '  min_sessions: "two"'));
    expect(error).toMatchObject({ file: FILE, line: 3, key: 'extract.min_sessions' });
    expect(error.message).toMatch(/whole number/);
  });

  it('agents: each a unique name, the globs it loads and its limits, every mistake at its line', () => {
    const config = parseConfig(yaml('agents:', '  - name: claude-code', '    loads: ["CLAUDE.md", "notes/**"]', '    max_tokens: 8000', '    max_lines: 200'), FILE, '/repo');
    expect(config.agents).toEqual([{ name: 'claude-code', loads: ['CLAUDE.md', 'notes/**'], limits: { tokens: 8000, lines: 200 } }]);
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: []'))).toMatchObject({ line: 3, key: 'agents[0].loads' });
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    max_token: 5'))).toMatchObject({ line: 4, key: 'agents[0].max_token' });
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    max_bytes: 0'))).toMatchObject({ line: 4, key: 'agents[0].max_bytes' });
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '  - name: a', '    loads: [y]'))).toMatchObject({ line: 4, key: 'agents[1].name' });
  });

  it('agents[].compile: a format, a path inside into: (the format\'s usual file by default), each mistake at its line and key', () => {
    const config = parse(yaml('agents:', '  - name: codex', '    loads: ["**/*.md"]', '    compile:', '      format: agents-md', '      into: ../app', '  - name: cursor', '    loads: [x]', '    compile:', '      format: cursor', '      path: rules/', '      globs: ["src/**"]'));
    expect(config.agents[0]?.compile).toEqual({ format: 'agents-md', path: 'AGENTS.md', into: '../app' });
    expect(config.agents[1]?.compile).toEqual({ format: 'cursor', path: 'rules', into: '.', globs: ['src/**'] });
    const unknown = errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: windsurf'));
    expect(unknown).toMatchObject({ file: FILE, line: 5, key: 'agents[0].compile.format' });
    expect(unknown.message).toContain('claude-md, agents-md, gemini-md, copilot, cursor, claude-rules');
    const escapes = errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: claude-md', '      into: ../app', '      path: ../../CLAUDE.md'));
    expect(escapes).toMatchObject({ file: FILE, line: 7, key: 'agents[0].compile.path' });
    expect(escapes.message).toContain('escapes it');
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: claude-md', '      path: /etc/CLAUDE.md'))).toMatchObject({ line: 6, key: 'agents[0].compile.path' });
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: claude-md', '      path: memory/CLAUDE.md')).message).toContain('memory.root');
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: claude-md', '      globs: [x]'))).toMatchObject({ line: 6, key: 'agents[0].compile.globs' });
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: claude-md', '      into: ..', '  - name: b', '    loads: [x]', '    compile:', '      format: agents-md', '      into: ..', '      path: CLAUDE.md'))).toMatchObject({ line: 12, key: 'agents[1].compile.path' });
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      formt: claude-md')).message).toContain('did you mean "format"');
    expect(errorOf(yaml('agents:', '  - name: a', '    loads: [x]', '    compile:', '      format: claude-md', '      into: docs'))).toMatchObject({ line: 6, key: 'agents[0].compile.into' });
  });

  it('extract.hold_out is a count of sessions from 0 to 200', () => {
    expect(errorOf(yaml('mode: review', 'extract:', '  hold_out: -1'))).toMatchObject({ file: FILE, line: 3, key: 'extract.hold_out' });
    const over = errorOf(yaml('mode: review', 'extract:', '  min_sessions: 2', '  hold_out: 500'));
    expect(over).toMatchObject({ file: FILE, line: 4, key: 'extract.hold_out' });
    expect(over.message).toContain('at most 200');
  });

  it('a mapping where a list belongs names the key and its line', () => {
    const error = errorOf(yaml('mode: review', 'sessions:', '  path: logs'));
    expect(error).toMatchObject({ file: FILE, line: 2, key: 'sessions' });
  });

  it('a cap on actions below one, or not a whole number, is refused at its line', () => {
    expect(parse(yaml('curate:', '  max_actions: 12')).curate.maxActions).toBe(12);
    expect(errorOf(yaml('mode: auto', 'curate:', '  max_actions: 0'))).toMatchObject({ file: FILE, line: 3, key: 'curate.max_actions' });
    expect(errorOf(yaml('curate:', '  max_actions: 2.5'))).toMatchObject({ line: 2, key: 'curate.max_actions' });
    expect(errorOf(yaml('curate:', '  max_action: 5'))).toMatchObject({ line: 2, key: 'curate.max_action', message: expect.stringMatching(/did you mean "max_actions"/) });
  });

  it('a budget that is not a whole number is refused', () => {
    const error = errorOf(yaml('memory:', '  namespaces:', '    - name: notes', '      paths: ["**/*.md"]', '      budget_tokens: 1.5'));
    expect(error).toMatchObject({ file: FILE, line: 5, key: 'memory.namespaces[0].budget_tokens' });
  });

  it.each([
    ['mode', yaml('engine: heuristic', 'mode: automatic'), 2, 'mode', ['auto', 'review', 'dry-run']],
    ['engine', yaml('mode: auto', 'engine: gpt'), 2, 'engine', ['heuristic']],
    [
      'policy',
      yaml('memory:', '  namespaces:', '    - name: notes', '      paths: ["**/*.md"]', '      policy: curated'),
      5,
      'memory.namespaces[0].policy',
      ['dream', 'protected'],
    ],
  ] as const)('a bad value for %s lists the allowed ones', (_, text, line, key, allowed) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ file: FILE, line, key });
    for (const value of allowed) expect(error.message).toContain(value);
  });

  it.each([
    ['../outside', 2],
    ['memory/../../outside', 2],
    ['/etc/memory', 2],
  ])('memory.root %s, outside the repository, is refused', (root, line) => {
    const error = errorOf(yaml('memory:', `  root: ${root}`));
    expect(error).toMatchObject({ file: FILE, line, key: 'memory.root' });
  });

  it('an inbox outside the repository is refused as well', () => {
    const error = errorOf(yaml('memory:', '  root: memory', '  inbox: ../../notes.md'));
    expect(error).toMatchObject({ file: FILE, line: 3, key: 'memory.inbox' });
  });

  it('a namespace name defined twice is reported at the second one', () => {
    const error = errorOf(
      yaml('memory:', '  namespaces:', '    - name: notes', '      paths: ["a/**"]', '    - name: notes', '      paths: ["b/**"]'),
    );
    expect(error).toMatchObject({ file: FILE, line: 5, key: 'memory.namespaces[1].name' });
    expect(error.message).toContain('"notes"');
  });

  it('a namespace with an empty list of paths is refused', () => {
    const error = errorOf(yaml('memory:', '  namespaces:', '    - name: notes', '      paths: []'));
    expect(error).toMatchObject({ file: FILE, line: 4, key: 'memory.namespaces[0].paths' });
  });

  it('a namespace without a name is reported at its list item', () => {
    const error = errorOf(yaml('memory:', '  namespaces:', '    - paths: ["**/*.md"]'));
    expect(error).toMatchObject({ file: FILE, line: 3, key: 'memory.namespaces[0].name' });
  });

  it('invalid YAML is reported with the line of the problem', () => {
    const error = errorOf(yaml('mode: review', 'memory:', '  root: [memory', 'engine: heuristic'));
    expect(error.file).toBe(FILE);
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/invalid YAML/);
    expect(error.message).toContain(`${FILE}:4`);
  });

  it('a key given twice is invalid YAML, not a silent override', () => {
    const error = errorOf(yaml('mode: review', 'mode: auto'));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/invalid YAML/);
  });

  // The brief: every validation error names the file, the line and the key. A file whose top level is a list
  // is reported with the key "(top level)" but no line (src/config/load.ts, lineOf: the loop never runs for `at = []`).
  it('a file whose top level is not a mapping is reported at line 1', () => {
    const error = errorOf(yaml('- mode: review', '- engine: heuristic'));
    expect(error).toMatchObject({ file: FILE, key: '(top level)', line: 1 });
  });
});

describe('parseConfig: hostile input is a configuration error, never a crash', () => {
  /** Nine aliases of nine aliases ... nine levels down: a few hundred bytes that would expand to 9^9 strings. */
  const billionLaughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [i, name] of [...'bcdefghi'].entries()) {
    const previous = 'abcdefgh'[i];
    billionLaughs.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }

  it('a YAML alias bomb is refused at the line where its aliases grow past the limit, at once', () => {
    const started = Date.now();
    const error = errorOf(yaml(...billionLaughs));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.file).toBe(FILE);
    expect(error.message).toMatch(/aliases expand too far/);
    // a..c expand to at most 81 strings; d's aliases each bring 81, and the first of them passes 100.
    expect(error.line).toBe(4);
    expect(error.message).toContain(`${FILE}:4`);
  });

  it('many uses of one small anchor are refused too, at the first alias', () => {
    const error = errorOf(yaml('mode: review', 'x: &x 1', `y: [${Array(101).fill('*x').join(', ')}]`));
    expect(error).toMatchObject({ file: FILE, line: 3 });
    expect(error.message).toMatch(/aliases expand too far/);
  });

  it('an alias with no anchor before it names the alias and its line', () => {
    const error = errorOf(yaml('mode: review', 'git:', '  main: *branch'));
    expect(error).toMatchObject({ file: FILE, line: 3 });
    expect(error.message).toMatch(/alias \*branch has no anchor &branch before it/);
  });

  it('a key that is a number, a boolean, a list or a mapping is reported at its own line', () => {
    expect(errorOf(yaml('mode: review', '1: one'))).toMatchObject({ line: 2, key: '1' });
    expect(errorOf(yaml('mode: review', 'true: yes'))).toMatchObject({ line: 2, key: 'true' });
    expect(errorOf(yaml('mode: review', '? [a, b]', ': c'))).toMatchObject({ line: 2, key: '[ a, b ]' });
    expect(errorOf(yaml('memory:', '  root: memory', '  ? { a: 1 }', '  : x'))).toMatchObject({ line: 3, key: 'memory.{ a: 1 }' });
  });

  it('a few aliases, as a person writes them, still work', () => {
    const config = parse(yaml('sessions:', '  - path: a/**', '    agent: &bot support-bot', '  - path: b/**', '    agent: *bot'));
    expect(config.sessions.map((s) => s.agent)).toEqual(['support-bot', 'support-bot']);
  });

  it.each([
    ['a line break in the name', ['git:', '  author:', '    name: "reverie\\nparent 0000000000000000000000000000000000000000"'], 'git.author.name', /U\+000A/],
    ['a carriage return in the email', ['git:', '  author:', '    name: reverie', '    email: "bot\\r@example.com"'], 'git.author.email', /U\+000D/],
    ['an angle bracket in the email', ['git:', '  author:', '    email: "bot@example.com> 0 +0000"'], 'git.author.email', /">"/],
    ['an angle bracket in the name', ['git:', '  author:', '    name: "Eve <eve@evil.example>"'], 'git.author.name', /"<"/],
    ['a NUL in the name', ['git:', '  author:', '    name: "a\\0b"'], 'git.author.name', /U\+0000/],
  ])('git.author with %s is refused with its line and key: it would write a malformed commit', (_what, lines, key, found) => {
    const error = errorOf(yaml(...lines));
    expect(error).toMatchObject({ file: FILE, line: lines.length, key });
    expect(error.message).toMatch(found);
    expect(error.message).toMatch(/one line without control characters or angle brackets/);
  });

  it('an ordinary author, with spaces and accents, is kept as written', () => {
    expect(parse(yaml('git:', '  author:', '    name: Zoë Ó Briain-Smith', '    email: zoe.smith+bot@example.co.uk')).git.author).toEqual({
      name: 'Zoë Ó Briain-Smith',
      email: 'zoe.smith+bot@example.co.uk',
    });
  });
});

describe('parseConfig: all or nothing', () => {
  it('an error in the last section still fails the whole file, however much of it was valid', () => {
    const text = yaml(
      'mode: auto',
      'engine: heuristic',
      'memory:',
      '  root: memory',
      'extract:',
      '  min_sessions: 2',
      'approval:',
      '  max_prune_ratio: 1.5',
    );
    const error = errorOf(text);
    expect(error).toMatchObject({ line: 8, key: 'approval.max_prune_ratio' });
  });

  it('loadConfig rejects with the ConfigError and resolves to nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reverie-config-'));
    try {
      await writeFile(path.join(dir, 'reverie.yaml'), yaml('mode: auto', 'git:', '  author:', '    email: ""'));
      const outcome = await loadConfig(dir).then(
        (config) => ({ config }),
        (error: unknown) => ({ error }),
      );
      expect(outcome).not.toHaveProperty('config');
      expect((outcome as { error: unknown }).error).toBeInstanceOf(ConfigError);
      expect((outcome as { error: ConfigError }).error).toMatchObject({
        file: path.join(dir, 'reverie.yaml'),
        line: 4,
        key: 'git.author.email',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'reverie-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads reverie.yaml from the repository and records where it came from', async () => {
    await writeFile(path.join(dir, 'reverie.yaml'), yaml('mode: review', 'memory:', '  root: memory'));
    const config = await loadConfig(dir);
    expect(config.file).toBe(path.join(dir, 'reverie.yaml'));
    expect(config.repoDir).toBe(path.resolve(dir));
    expect(config.memory.root).toBe('memory');
  });

  it('a file that is not UTF-8 is refused with the line of the first bad bytes, not read with U+FFFD in their place', async () => {
    const latin1 = Buffer.concat([Buffer.from('mode: review\ngit:\n  author:\n    name: Jos'), Buffer.from([0xe9]), Buffer.from('\n')]);
    await writeFile(path.join(dir, 'latin1.yaml'), latin1);
    const error = await loadConfig(dir, 'latin1.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ file: path.join(dir, 'latin1.yaml'), line: 4 });
    expect((error as ConfigError).message).toMatch(/not UTF-8/);
  });

  it('a missing file is a ConfigError that names the file and says how to create one', async () => {
    const missing = path.join(dir, 'nowhere');
    const error = await loadConfig(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(path.join(missing, 'reverie.yaml'));
    expect((error as ConfigError).message).toContain('reverie init');
  });
});

describe('parseConfig: approval policy and GitHub', () => {
  it('reads which action types are safe: listed in auto, or all but those listed in review', () => {
    expect(parse(yaml('approval:', '  auto: [add, merge]')).approval.auto).toEqual(['add', 'merge']);
    expect(parse(yaml('approval:', '  review: [prune, resolve]')).approval.auto).toEqual(['add', 'update', 'merge']);
  });

  it('refuses a type listed as both safe and needing review, and an unknown type, naming the line', () => {
    expect(errorOf(yaml('approval:', '  auto: [add, prune]', '  review: [prune]'))).toMatchObject({ line: 3, key: 'approval.review[0]' });
    expect(errorOf(yaml('approval:', '  auto:', '    - add', '    - delete'))).toMatchObject({ line: 4, key: 'approval.auto[1]' });
  });

  it('reads the github section with defaults, and leaves it out when absent', () => {
    expect(parse(yaml('mode: review')).github).toBeUndefined();
    expect(parse(yaml('github: {}')).github).toEqual({ remote: 'origin', apiUrl: 'https://api.github.com', draft: false, labels: true, maxWaitSeconds: 900 });
    expect(parse(yaml('github:', '  repo: acme/memory', '  api_url: https://ghe.example.com/api/v3/', '  draft: true', '  max_wait_seconds: 60')).github).toEqual({
      repo: 'acme/memory',
      remote: 'origin',
      apiUrl: 'https://ghe.example.com/api/v3',
      draft: true,
      labels: true,
      maxWaitSeconds: 60,
    });
  });

  it('names the key of a bad github value', () => {
    expect(errorOf(yaml('github:', '  repo: not-a-repo'))).toMatchObject({ line: 2, key: 'github.repo' });
    expect(errorOf(yaml('github:', '  draft: yes please'))).toMatchObject({ line: 2, key: 'github.draft' });
    expect(errorOf(yaml('github:', '  api_url: ftp://x'))).toMatchObject({ line: 2, key: 'github.api_url' });
    expect(errorOf(yaml('github:', '  max_wait_seconds: soon'))).toMatchObject({ line: 2, key: 'github.max_wait_seconds' });
  });
});

describe('parseConfig: the claude section', () => {
  it('reads every key, with snake_case in the file', () => {
    const config = parse(
      yaml(
        'engine: claude',
        'claude:',
        '  model: claude-haiku-4-5',
        '  max_tokens: 4000',
        '  concurrency: 8',
        '  instructions: |',
        '    Keep notes about the deploy pipeline; ignore one-off UI tweaks.',
        '  budget:',
        '    tokens: 2000000',
        '    usd: 1.5',
        '  base_url: https://gateway.example.com/anthropic/',
        '  batch: true',
        '  batch_wait_minutes: 5',
        '  effort: low',
      ),
    );
    expect(config.engine).toBe('claude');
    expect(config.claude).toEqual({
      map: { model: 'claude-haiku-4-5', maxTokens: 4000 },
      curate: { model: 'claude-haiku-4-5', maxTokens: 4000 },
      concurrency: 8,
      instructions: 'Keep notes about the deploy pipeline; ignore one-off UI tweaks.',
      budget: { tokens: 2_000_000, usd: 1.5 },
      baseUrl: 'https://gateway.example.com/anthropic',
      batch: true,
      batchWaitMinutes: 5,
      effort: 'low',
    });
  });

  it('gives each phase its own model and max_tokens, claude.model and claude.max_tokens being the default of both', () => {
    const phases = parse(yaml('claude:', '  model: claude-sonnet-5-5', '  max_tokens: 3000', '  map:', '    model: claude-haiku-5-5', '  curate:', '    max_tokens: 20000')).claude;
    expect(phases.map).toEqual({ model: 'claude-haiku-5-5', maxTokens: 3000 });
    expect(phases.curate).toEqual({ model: 'claude-sonnet-5-5', maxTokens: 20_000 });
    const own = parse(yaml('claude:', '  map:', '    max_tokens: 1000', '  curate:', '    model: claude-fable-5-2')).claude;
    expect(own.map).toEqual({ model: 'claude-haiku-5-5', maxTokens: 1000 });
    expect(own.curate).toEqual({ model: 'claude-fable-5-2', maxTokens: 16_384 });
    // An empty phase section is all defaults.
    expect(parse(yaml('claude:', '  map:', '  curate:')).claude.map).toEqual({ model: 'claude-haiku-5-5', maxTokens: 8192 });
  });

  const cases: [string, string[], number, string, RegExp][] = [
    ['an unknown key, with a suggestion', ['claude:', '  modle: claude-opus-5'], 2, 'claude.modle', /did you mean "model"/],
    ['max_tokens above what any model writes', ['claude:', '  max_tokens: 500000'], 2, 'claude.max_tokens', /at most 128000/],
    ["a phase's max_tokens above what any model writes", ['claude:', '  map:', '    max_tokens: 500000'], 3, 'claude.map.max_tokens', /at most 128000/],
    ["a phase's max_tokens of 0", ['claude:', '  curate:', '    max_tokens: 0'], 3, 'claude.curate.max_tokens', /at least 1/],
    ["an empty phase model", ['claude:', '  curate:', '    model: ""'], 3, 'claude.curate.model', /non-empty string/],
    ["a phase model that is a list", ['claude:', '  map:', '    model: [a, b]'], 3, 'claude.map.model', /non-empty string/],
    ['an unknown key in a phase, with a suggestion', ['claude:', '  map:', '    max_token: 100'], 3, 'claude.map.max_token', /did you mean "max_tokens"/],
    ['a phase that is not a mapping', ['claude:', '  curate: claude-opus-5-5'], 2, 'claude.curate', /must be a mapping/],
    ['a fractional concurrency', ['claude:', '  concurrency: 2.5'], 2, 'claude.concurrency', /whole number/],
    ['a concurrency of 0', ['claude:', '  concurrency: 0'], 2, 'claude.concurrency', /at least 1/],
    ['a negative dollar budget', ['claude:', '  budget:', '    usd: -3'], 3, 'claude.budget.usd', /above 0/],
    ['a token budget as text', ['claude:', '  budget:', '    tokens: lots'], 3, 'claude.budget.tokens', /whole number/],
    ['an unknown budget key', ['claude:', '  budget:', '    dollars: 3'], 3, 'claude.budget.dollars', /expected one of: tokens, usd/],
    ['a base_url that is no URL', ['claude:', '  base_url: localhost:8080'], 2, 'claude.base_url', /http\(s\) URL/],
    ['batch as text', ['claude:', '  batch: yes please'], 2, 'claude.batch', /true or false/],
    ['a batch wait as a duration string', ['claude:', '  batch_wait_minutes: 20m'], 2, 'claude.batch_wait_minutes', /whole number of at least 0/],
    ['a negative batch wait', ['claude:', '  batch_wait_minutes: -1'], 2, 'claude.batch_wait_minutes', /whole number of at least 0/],
    ['a batch wait past the day a batch lives', ['claude:', '  batch_wait_minutes: 1441'], 2, 'claude.batch_wait_minutes', /at most 1440 \(a batch expires after 24 hours\)/],
    ['an unknown effort', ['claude:', '  effort: extreme'], 2, 'claude.effort', /one of: low, medium, high, xhigh, max/],
    ['an unknown engine', ['engine: gpt'], 1, 'engine', /one of: heuristic, claude/],
  ];

  it.each(cases)('refuses %s with the file, line and key', (_what, lines, line, key, message) => {
    const error = errorOf(yaml(...lines));
    expect(error.file).toBe(FILE);
    expect(error.line).toBe(line);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });

  it('refuses instructions longer than 4,096 characters, and says how long they are', () => {
    const error = errorOf(yaml('claude:', `  instructions: "${'a'.repeat(4097)}"`));
    expect(error).toMatchObject({ line: 2, key: 'claude.instructions' });
    expect(error.message).toMatch(/at most 4096 characters \(it has 4097\)/);
  });
});

describe('parseConfig: lint', () => {
  it('defaults to no harness, and reads harness and since', () => {
    expect(parse(yaml('mode: review')).lint).toEqual({ harness: 'none' });
    expect(parse(yaml('lint:', '  harness: claude-code', '  since: v1.0')).lint).toEqual({ harness: 'claude-code', since: 'v1.0' });
  });

  it('names the key of an unknown harness', () => {
    expect(errorOf(yaml('lint:', '  harness: vim'))).toMatchObject({ line: 2, key: 'lint.harness' });
  });
});
