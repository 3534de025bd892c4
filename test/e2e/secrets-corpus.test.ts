/**
 * The secrets corpus, end to end: sessions that carry secrets of every kind redaction knows (in commands, their
 * output and a person's words) go through whole dream cycles on both engines, and nothing of any secret may come out
 * anywhere a cycle writes or says something: memory, commit messages, `.reverie/`, the CLI's output and `--json`,
 * the pull request on GitHub, the requests to the Messages API, and the claude engine's local cache. `reverie lint`
 * reports each kind in memory, by name, never the secret.
 *
 * A test that finds no secret proves little if the text around it never got out; so each run also checks that the
 * placeholder of every kind did get out, where the kind's text reaches at all.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dream, type DreamOptions } from '../../src/cycle/dream.js';
import { reverie, reverieAsync, reverieJson } from '../helpers/cli.js';
import { proposal, scriptedModel, type Curator, type MapRule } from '../helpers/claude-model.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { startGitServer } from '../helpers/git-server.js';
import { git, makeMemoryRepo, type Files } from '../helpers/git.js';
import { transcript, type Step } from '../helpers/transcript.js';
import { stateFilesAt } from '../helpers/state.js';

// Secrets are assembled at run time so that no scanner mistakes this file for a leak.
const j = (...parts: string[]): string => parts.join('');

interface Planted {
  /** The kind its placeholder names, `[REDACTED:<kind>]`. */
  kind: string;
  /** What must never come out, whole or in part. */
  secret: string;
  /** A command that fails with it, and the same command, changed, that works: a mistake both engines learn. */
  steps: Step[];
}

const AWS_KEY = j('q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6', 'fD0sGa5eQ+uK2r');
const SLACK_PATH = j('T0A1B2C3D/B0A1B2C3D/', 'q8Rk2mZLp4vN7xB1cT9wY3hJ');
const SHOPIFY = j('shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
const LINEAR = j('lin_api_', 'c0ffee11d00d22bead33cafe44f00d55aa66bb77');
const GITHUB = j('ghp_', 'Zq7Xw2Lm9Rt4Vb6Nc8Kd1Hf3Jg5Ps0Ty2Ua9');
const ANTHROPIC = j('sk-ant-', 'api03-Xq7vB2nM9kL4pR8sT1wZ6yC3dF5gH0jK-aBcDeFgHiJ');

const fail = (bash: string, output: string): Step => ({ bash, output, error: true });
const ok = (bash: string, output = 'ok'): Step => ({ bash, output });

/** The observed leaks of the issue, and the kinds redaction knew before, each in the place it was seen. */
const CORPUS: Planted[] = [
  {
    kind: 'password-in-prose',
    secret: 'Sup3rS3cret!x',
    steps: [fail('./scripts/login.sh staging', 'login failed: the password Sup3rS3cret!x was refused for deploy'), ok('./scripts/login.sh staging --sso')],
  },
  {
    kind: 'pin',
    secret: '48213957',
    steps: [fail('./scripts/unlock.sh door-3', 'unlock refused; the staging pin is 48213957, ask ops to reset it'), ok('./scripts/unlock.sh door-3 --badge')],
  },
  {
    kind: 'cli-password',
    secret: 'Mango7Tango',
    steps: [fail('mysql -u root -pMango7Tango -h db.internal app -e "select 1"', "ERROR 2005 (HY000): Unknown MySQL server host 'db.internal' (-2)"), ok('mysql -u root -pMango7Tango -h db.staging.internal app -e "select 1"', '1')],
  },
  {
    kind: 'cli-user-password',
    secret: 'Kiwi88Lime',
    steps: [fail('curl -sf -u deploy:Kiwi88Lime https://ci.example.com/job/build/api/json', 'curl: (22) The requested URL returned error: 404'), ok('curl -sf -u deploy:Kiwi88Lime https://ci.example.com/job/web-build/api/json', '{"color":"blue"}')],
  },
  {
    kind: 'webhook-url',
    secret: SLACK_PATH,
    steps: [fail(`notify https://hooks.slack.com/services/${SLACK_PATH} --text deployed`, 'Error: invalid_payload: missing channel'), ok(`notify https://hooks.slack.com/services/${SLACK_PATH} --channel ops --text deployed`)],
  },
  {
    kind: 'cli-secret-setting',
    secret: AWS_KEY,
    steps: [fail(`aws configure set aws_secret_access_key ${AWS_KEY} --profile staging`, 'The config profile (staging) could not be found'), ok(`aws configure set aws_secret_access_key ${AWS_KEY} --profile stage`)],
  },
  {
    kind: 'url-password',
    secret: 'Harbor42tide',
    steps: [fail('psql postgres://app:Harbor42tide@db.internal:5432/app -c "select 1"', 'psql: error: connection to server failed: FATAL:  no pg_hba.conf entry for host "10.0.1.4", SSL off'), ok('psql postgres://app:Harbor42tide@db.internal:5432/app -c "select 1" --set=sslmode=require', '1')],
  },
  {
    kind: 'url-password',
    secret: 'Quay77lantern',
    steps: [fail('mongosh "mongodb+srv://app:Quay77lantern@cluster0.abcde.mongodb.net/app" --eval "db.stats()"', 'MongoServerSelectionError: connection <monitor> to 10.0.4.2:27017 closed'), ok('mongosh "mongodb+srv://app:Quay77lantern@cluster0.abcde.mongodb.net/app" --eval "db.stats()" --tls')],
  },
  {
    kind: 'url-password',
    secret: 'Keel42buoy',
    steps: [fail('redis-cli -u redis://:Keel42buoy@cache.internal:6379 ping', 'Error: Connection reset by peer'), ok('redis-cli -u redis://:Keel42buoy@cache.internal:6379 --tls ping', 'PONG')],
  },
  {
    kind: 'connection-string-password',
    secret: 'Tide 42 Pool',
    steps: [fail('report-job --db "Password=Tide 42 Pool;Server=db;User ID=sa"', 'SqlException: the server requires an encrypted connection'), ok('report-job --encrypt --db "Password=Tide 42 Pool;Server=db;User ID=sa"')],
  },
  {
    kind: 'github-token',
    secret: GITHUB,
    steps: [fail(`GH_TOKEN=${GITHUB} gh api repos/acme/shop/actions/runs`, 'gh: Not Found (HTTP 404)'), ok(`GH_TOKEN=${GITHUB} gh api repos/acme/storefront/actions/runs`, '{"total_count":3}')],
  },
  {
    kind: 'anthropic-key',
    secret: ANTHROPIC,
    steps: [fail(`ANTHROPIC_API_KEY=${ANTHROPIC} npm run eval`, 'npm error Missing script: "eval"'), ok(`ANTHROPIC_API_KEY=${ANTHROPIC} npm run evals`)],
  },
  {
    kind: 'secretlint-shopify',
    secret: SHOPIFY,
    steps: [fail(`shop-sync --token ${SHOPIFY} --region eu`, 'Error: region eu is not enabled for this shop'), ok(`shop-sync --token ${SHOPIFY} --region EU`, '12 products')],
  },
  {
    kind: 'secretlint-linear',
    secret: LINEAR,
    steps: [fail(`issue-sync --key ${LINEAR} --team ENGX`, 'Error: team ENGX not found'), ok(`issue-sync --key ${LINEAR} --team ENG`)],
  },
];

/** What a person typed: the prose kinds, in the words of the issue. */
const SAID = [
  'Remember: for the staging box the password Sup3rS3cret!x still works, and the staging pin is 48213957.',
  `Alerts go to https://hooks.slack.com/services/${SLACK_PATH} and the shop token is ${SHOPIFY}.`,
];

/** Every stretch of 8 characters of every secret (the whole of a shorter one): a secret cut short is still a leak. */
const NEEDLES = [...new Set(CORPUS.flatMap(({ secret }) => (secret.length <= 8 ? [secret] : Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8)))))].filter(
  // Stretches of the webhook path's ids are not secret (`T0A1B2C3`), and would match the example below.
  (needle) => !/^[TB]?0A1B2C3/.test(needle) && !needle.startsWith('/B0A1B2C'),
);

function leaksIn(where: string, text: string): string[] {
  return NEEDLES.filter((needle) => text.includes(needle)).map((needle) => `${where}: …${needle}…`);
}

function sessions(count: number): Files {
  const files: Files = {};
  for (let i = 1; i <= count; i++) {
    const steps: Step[] = [{ user: 'Get the staging services ready for the release.' }, ...CORPUS.flatMap((p) => p.steps), { user: SAID[i % SAID.length] as string }, { assistant: 'Done.' }];
    files[`sessions/${i % 2 ? 'coding-agent' : 'ops-agent'}/s${i}.jsonl`] = transcript({ sessionId: `s${i}`, start: `2026-11-0${i}T09:00:00Z` }, steps);
  }
  return files;
}

const NOTES = '# Notes\n\n## Tools\n\n- Use pnpm, never npm.\n';

/** Everything a cycle wrote into the repository: the commits since `base` on every branch, and the files they hold. */
function written(dir: string, base: string): string {
  const refs = git(dir, ['for-each-ref', '--format=%(refname)', 'refs/heads/']).split('\n').filter(Boolean);
  const logs = refs.map((ref) => git(dir, ['log', '-p', '--format=%H%n%B', `${base}..${ref}`]));
  const files = git(dir, ['ls-files', 'memory', '.reverie']).split('\n').filter(Boolean).map((file) => readFileSync(path.join(dir, file), 'utf8'));
  return [...logs, ...files].join('\n');
}

/** The files under a folder, read whole (the claude engine's local cache). */
function folderText(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/**
 * Whether the placeholder of `kind` got out: the text around the secret reached this output and was redacted on the
 * way. Memory notes are shortened, so a placeholder cut short (`[REDACTED:cli-secre…`) counts too.
 */
function reached(text: string, kind: string): boolean {
  return [...text.matchAll(/\[REDACTED:([a-z0-9-]+)(\]|…)/g)].some((m) => m[1] === kind || (m[2] === '…' && (m[1]?.length ?? 0) >= 3 && kind.startsWith(m[1] ?? '')));
}

/** The kinds the heuristic engine carries into memory: it leaves out `NAME=<redacted>` (github-token, anthropic-key). */
const IN_MEMORY = CORPUS.map((p) => p.kind).filter((kind) => kind !== 'github-token' && kind !== 'anthropic-key');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function repoWith(files: Files): Promise<{ dir: string; base: string }> {
  const repo = await makeMemoryRepo(files);
  cleanups.push(repo.cleanup);
  return { dir: repo.dir, base: git(repo.dir, ['rev-parse', 'main']) };
}

const GITHUB_TOKEN = j('ghp_', 'testtoken0123456789abcdefghijklmnopqr');

/** A memory repository whose origin is a bare repository on a local git server, served by a fake GitHub. */
async function onGitHub(config: string, files: Files): Promise<{ dir: string; base: string; github: FakeGitHub; bare: string }> {
  const server = await startGitServer({ token: GITHUB_TOKEN });
  cleanups.push(() => server.close());
  const github = await startFakeGitHub({ owner: 'acme', repo: 'memory', token: GITHUB_TOKEN, bareRepo: server.bareDir('memory') });
  cleanups.push(() => github.close());
  const withGitHub = `${config.replace('mode: auto', 'mode: review')}github:\n  repo: acme/memory\n  remote: origin\n  api_url: ${github.url}\n`;
  const { dir, base } = await repoWith({ ...files, 'reverie.yaml': withGitHub });
  git(dir, ['remote', 'add', 'origin', server.repoUrl('memory')]);
  const bare = await server.createBare('memory', { from: dir });
  return { dir, base, github, bare };
}

/** What GitHub holds of the cycle: pull requests (title, body), comments, and the pushed branches' commits. */
function onGitHubText(github: FakeGitHub, bare: string, base: string): string {
  const pulls = github.state.pulls.map((p) => `${p.title}\n${p.body ?? ''}`);
  const comments = github.state.comments.map((c) => c.body);
  return [...pulls, ...comments, written(bare, base)].join('\n');
}

describe('secrets corpus: heuristic engine', () => {
  it('auto mode from the command line: nothing of a secret in memory, commits, .reverie/, --json or the other commands', async () => {
    const { dir, base } = await repoWith({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': NOTES, ...sessions(3) });
    const cycle = reverie(['dream', '--repo', dir, '--json']);
    expect(cycle.code, cycle.stderr).toBe(0);
    const result = JSON.parse(cycle.stdout) as { outcome: string; cycle: string; branch: string; actions: unknown[] };
    expect(result.outcome).toBe('committed');
    const more = [
      reverie(['log', '--repo', dir]),
      reverie(['log', '--repo', dir, '--json']),
      reverie(['status', '--repo', dir, '--json']),
      reverie(['why', 'memory/notes.md', '--repo', dir]),
      reverie(['sessions', '--repo', dir, '--json']),
    ];
    const outputs: Record<string, string> = { 'dream --json': cycle.stdout + cycle.stderr, repository: written(dir, base), ...Object.fromEntries(more.map((r, i) => [`command ${i}`, r.stdout + r.stderr])) };

    expect(Object.entries(outputs).flatMap(([where, text]) => leaksIn(where, text))).toEqual([]);
    // The text around each secret did get out: its placeholder is in memory and in the state. Lessons that carry a
    // credential wait for review, so they are read from the cycle's branch rather than from main.
    const memory = git(dir, ['show', `${result.branch}:memory/notes.md`]);
    const state = [...stateFilesAt(dir, result.branch)].filter(([path]) => path.startsWith('.reverie/patterns/')).map(([, text]) => text).join('');
    for (const kind of IN_MEMORY) expect([reached(memory, kind), reached(state, kind)], kind).toEqual([true, true]);
  });

  it('review mode on GitHub: nothing of a secret in the pull request, its comments or the pushed branch', async () => {
    const { dir, base, github, bare } = await onGitHub(TEST_CONFIG, { 'memory/notes.md': NOTES, ...sessions(3) });
    const cycle = await reverieAsync(['dream', '--repo', dir], { env: { GITHUB_TOKEN, GITHUB_API_URL: github.url } });
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(github.state.pulls).toHaveLength(1);
    const outputs = { 'dream (human)': cycle.stdout + cycle.stderr, github: onGitHubText(github, bare, base), repository: written(dir, base) };

    expect(Object.entries(outputs).flatMap(([where, text]) => leaksIn(where, text))).toEqual([]);
    const body = github.state.pulls[0]?.body ?? '';
    for (const kind of IN_MEMORY) expect(reached(body, kind), kind).toBe(true);
    expect(github.violations).toEqual([]);
  });
});

describe('secrets corpus: claude engine', () => {
  const API_KEY = 'sk-ant-api03-fake-key-for-tests-only-0000';
  const CONFIG = `${TEST_CONFIG.replace('engine: heuristic', 'engine: claude')}claude:\n  max_tokens: 2000\n`;

  /**
   * A model that notices each failure, quoting its line, and that repeats secrets it was never sent (from its
   * training, a person's memory file, a hallucination): in a statement, a fix, a summary, a rationale and a note.
   */
  const rules: MapRule[] = CORPUS.map(({ steps }, i) => {
    const failure = steps[0] as { output: string };
    const line = failure.output.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return {
      match: new RegExp(line),
      observation: {
        kind: 'mistake',
        statement: i === 0 ? `Log in to staging with SSO; the password Sup3rS3cret!x no longer works (token ${SHOPIFY}).` : `Failure ${i}: use the command that worked.`,
        topic: `failure ${i}`,
        fix: i === 0 ? `ran it with --sso, not -u deploy:Kiwi88Lime` : 'ran the changed command',
      },
    };
  });
  const echoing: Curator = (view) =>
    view.patterns.flatMap((pattern, i) => [
      proposal('add', { content: `${pattern.statement} Use ${LINEAR} for the sync.`, patterns: [pattern.key], summary: `note with a key ${SHOPIFY}`, rationale: `seen often; curl -u deploy:Kiwi88Lime worked` }),
      ...(i === 0 ? [proposal('add', { content: pattern.statement, patterns: [pattern.key], summary: `note for ${SHOPIFY} users`, rationale: `the staging pin is 48213957 and the sessions agree` })] : []),
    ]);

  async function run(dir: string, fake: FakeAnthropic, extra: Partial<DreamOptions> = {}) {
    return dream({ repoDir: dir, now: new Date('2026-11-10T02:00:00Z'), ...extra, claude: { apiKey: API_KEY, baseURL: fake.url, maxRetryAfterMs: 20 } });
  }

  it('review mode on GitHub: nothing of a secret in any request body, the model cache, the commits, the state or the pull request', async () => {
    const model = scriptedModel(rules, echoing);
    const fake = await startFakeAnthropic({ apiKey: API_KEY, respond: model.responder, minimumCacheableTokens: 512 });
    cleanups.push(() => fake.close());
    const { dir, base, github, bare } = await onGitHub(CONFIG, { 'memory/notes.md': NOTES, ...sessions(3) });
    const result = await run(dir, fake, { github: { env: { GITHUB_TOKEN }, timing: { secondMs: 1, paceWrites: false } } });
    expect(result.outcome).toBe('committed');
    expect(result.actions.length).toBeGreaterThan(0);
    expect(model.mapped.sort()).toEqual(['s1', 's2', 's3']);

    const requests = fake.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
    const outputs: Record<string, string> = {
      'request bodies': requests,
      'model cache': folderText(path.join(dir, '.git', 'reverie')),
      repository: written(dir, base),
      github: onGitHubText(github, bare, base),
      result: JSON.stringify(result),
    };
    expect(Object.entries(outputs).flatMap(([where, text]) => leaksIn(where, text))).toEqual([]);
    for (const { secret } of CORPUS) expect(fake.bodiesContain(secret), secret.slice(0, 4)).toBe(false);
    // Every kind, the prose ones and secretlint's included, reached the model, redacted.
    for (const { kind } of CORPUS) expect(reached(requests, kind), kind).toBe(true);
    // What the model echoed was redacted where it was kept (statements, summaries, rationales), and a note holding a
    // secret was refused, not written.
    expect(reached(outputs.repository ?? '', 'secretlint-shopify')).toBe(true);
    expect(result.dropped.some((d) => /secret/.test(d.reason))).toBe(true);
    expect(github.state.pulls).toHaveLength(1);
  });
});

describe('secrets corpus: reverie lint', () => {
  it('reports each kind in memory by its name, and never prints the secret', async () => {
    const lines = [
      ...CORPUS.map(({ steps }) => `- Run \`${(steps[1] as { bash: string }).bash}\`.`),
      ...CORPUS.map(({ steps }) => `- ${(steps[0] as { output: string }).output}`).filter((line) => line.includes('password') || line.includes('pin')),
      `- Alerts: https://hooks.slack.com/services/${SLACK_PATH}`,
    ];
    const { dir } = await repoWith({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': `${NOTES}${lines.join('\n')}\n` });
    const lint = reverieJson<{ findings: { rule: string; line: number; message: string }[] }>(['lint', '--repo', dir]);
    expect(lint.code).not.toBe(0);
    const printed = JSON.stringify(lint);
    expect(leaksIn('lint --json', printed)).toEqual([]);
    const found = lint.findings.filter((f) => f.rule === 'secrets/found');
    for (const { kind } of CORPUS) expect(found.some((f) => f.message.includes(kind)), kind).toBe(true);
    const human = reverie(['lint', '--repo', dir]);
    expect(leaksIn('lint', human.stdout + human.stderr)).toEqual([]);
  });
});
