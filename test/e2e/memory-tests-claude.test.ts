/**
 * `reverie test --reader claude` end to end: the built CLI, a real repository, the real SDK, and the fake Messages API
 * on 127.0.0.1 answering as a model given the memory would. What is checked is what left the machine (one cached
 * prefix, the question alone, no secret), how the answer decides each case, what the cache in the git directory
 * spares, and how a run ends when there is no key or the API refuses it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemText, userText } from '../helpers/claude-model.js';
import { CLI, reverieAsync, type CliResult } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { reply, startFakeAnthropic, type FakeAnthropic, type MessageBody, type Responder } from '../helpers/fake-anthropic.js';
import { commitFiles, makeTempDir, makeTempRepo, type Files } from '../helpers/git.js';

const API_KEY = 'sk-ant-api03-fake-key-for-tests-only-0000';
/** A GitHub token someone pasted into memory: it must never reach the API. */
const PLANTED_SECRET = 'ghp_Zq7Xw2Lm9Rt4Vb6Nc8Kd1Hf3Jg5Ps0Ty2Ua9';

const NOTES = `# Notes

## Tools

- Use pnpm for every install; never npm install, it rewrites the lockfile.
- The pricing service listens on port 8081.

## Deploys

- Deploy with make release from a clean checkout of main.
`;

const CASES = `cases:
  - name: package manager
    question: Which package manager installs dependencies?
    expect: pnpm
  - name: deploys
    question: How do I ship a release?
    expect: make release
    never: force push
  - name: pricing port
    question: Where do I reach the pricing service locally?
    expect: "8081"
`;

interface CaseJson {
  id: string;
  name: string;
  passed: boolean;
  answer?: string;
  unanswered?: string;
  entries: { path: string; line: number; text: string }[];
  found: { term: string; path: string | null; line: number | null }[];
  missing: string[];
  forbidden: { term: string; path: string | null; line: number | null }[];
}

interface RunJson {
  reader: string;
  passed: number;
  failed: number;
  cases: CaseJson[];
  claude: { model: string; cached: number; asked: number; requests: number; usage: { input: number; output: number; cache_write: number; cache_read: number }; cost_usd: number | null } | null;
}

/** The number the prompt gives the entry holding `text`. */
function entryNumber(body: MessageBody, text: string): number {
  const blocks = systemText(body).split(/\n\n(?=\[\d+\] )/);
  const block = blocks.find((b) => b.includes(text));
  const n = block && /\[(\d+)\] /.exec(block)?.[1];
  if (!n) throw new Error(`no entry holds "${text}"`);
  return Number(n);
}

/**
 * A model that reads its memory: it answers the package-manager question by citing the entry (without naming the
 * tool), the release question in its own words (a bad one), and says it does not know the port.
 */
const reads: Responder = (body) => {
  const question = userText(body);
  if (question.includes('package manager')) return reply.json({ answer: 'The tools note says which one to use.', entries: [entryNumber(body, 'Use pnpm')] });
  if (question.includes('ship a release')) return reply.json({ answer: 'Run make release, or force push to main when in a hurry.', entries: [entryNumber(body, 'make release')] });
  return reply.json({ answer: 'My memory does not say.', entries: [] });
};

const fakes: FakeAnthropic[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
  while (cleanups.length) await cleanups.pop()?.();
});

async function start(respond: Responder): Promise<FakeAnthropic> {
  // A low minimum, so that this small memory's prefix is cached as a real memory's would be.
  const fake = await startFakeAnthropic({ apiKey: API_KEY, respond, minimumCacheableTokens: 64 });
  fakes.push(fake);
  return fake;
}

async function repoWith(extra: Files = {}): Promise<string> {
  const repo = await makeTempRepo({ 'reverie.yaml': `${TEST_CONFIG}claude:\n  curate:\n    model: claude-sonnet-5-5\n    max_tokens: 800\n`, 'memory/notes.md': NOTES, '.reverie/tests/memory.yaml': CASES, ...extra });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

function test(dir: string, fake: FakeAnthropic | undefined, args: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return reverieAsync(['test', '--repo', dir, '--reader', 'claude', ...args], { env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake?.url ?? 'http://127.0.0.1:9', ...env } });
}

async function testJson(dir: string, fake: FakeAnthropic, args: string[] = []): Promise<RunJson & { code: number }> {
  const result = await test(dir, fake, [...args, '--json']);
  try {
    return { ...(JSON.parse(result.stdout) as RunJson), code: result.code };
  } catch {
    throw new Error(`not one JSON object (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

const messages = (fake: FakeAnthropic) => fake.requests.filter((r) => r.path.startsWith('/v1/messages') && r.method === 'POST').map((r) => r.body as MessageBody);

function cacheFiles(dir: string): string[] {
  return readdirSync(path.join(dir, '.git/reverie/claude/tests')).sort();
}

describe('reverie test --reader claude', () => {
  it('decides each case by the model’s answer and the entries it cites, asking the question alone against one cached memory', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    const run = await testJson(dir, fake);

    expect(run.code).toBe(1);
    expect(run).toMatchObject({ reader: 'claude', passed: 1, failed: 2 });
    const [pm, deploys, port] = run.cases;
    // pnpm is not in the answer, but in the entry it cites.
    expect(pm).toMatchObject({ passed: true, answer: 'The tools note says which one to use.', found: [{ term: 'pnpm', path: 'memory/notes.md', line: 5 }] });
    expect(pm?.entries).toEqual([{ path: 'memory/notes.md', line: 5, text: 'Use pnpm for every install; never npm install, it rewrites the lockfile.' }]);
    // The memory gives make release and never says force push: the answer does, and fails the case.
    expect(deploys).toMatchObject({ passed: false, missing: [], forbidden: [{ term: 'force push', path: null, line: null }] });
    // The memory holds the port, but the answer neither says it nor cites it.
    expect(port).toMatchObject({ passed: false, missing: ['8081'], entries: [], answer: 'My memory does not say.' });

    const sent = messages(fake);
    expect(sent).toHaveLength(3);
    expect(fake.violations).toEqual([]);
    for (const body of sent) {
      expect(body.model).toBe('claude-sonnet-5-5');
      expect(body.max_tokens).toBe(800);
      expect(body.system).toEqual(sent[0]?.system);
      expect(JSON.stringify(body.system)).toContain('[1] memory/notes.md:5 · Notes › Tools');
      expect(body.output_config?.format?.type).toBe('json_schema');
    }
    expect(userText(sent[0] as MessageBody)).toContain('Which package manager installs dependencies?');
    expect(sent.map((b) => userText(b)).join('\n')).not.toMatch(/pnpm|make release|force push|8081/);
    // The first request wrote the memory to the cache; the two after it read it.
    expect(run.claude).toMatchObject({ model: 'claude-sonnet-5-5', cached: 0, asked: 3, requests: 3 });
    expect(run.claude?.usage).toEqual({ input: fake.usage.input, output: fake.usage.output, cache_write: fake.usage.cacheWrite, cache_read: fake.usage.cacheRead });
    expect(run.claude?.usage.cache_write).toBeGreaterThan(0);
    expect(run.claude?.usage.cache_read).toBeGreaterThan(0);
    expect(run.claude?.cost_usd).toBeGreaterThan(0);
  });

  it('prints each answer, the entries it cites, and what the run cost', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    const result = await test(dir, fake);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('memory at main (');
    expect(result.stdout).toContain('3 cases in 1 test file, answered by claude-sonnet-5-5');
    expect(result.stdout).toContain('pass  package manager  (.reverie/tests/memory.yaml:2)\n      answer:  "The tools note says which one to use."\n      memory/notes.md:5  "Use pnpm');
    expect(result.stdout).toContain('FAIL  deploys  (.reverie/tests/memory.yaml:5)\n      answer:  "Run make release, or force push to main when in a hurry."\n      never:   "force push" is in the answer');
    expect(result.stdout).toContain('missing: "8081" is in neither the answer nor an entry it cites');
    expect(result.stdout).toMatch(/claude-sonnet-5-5: 3 answers, 0 from the cache; 3 requests, [\d,]+ in \+ [\d,]+ out \(cache: [\d,]+ written, [\d,]+ read\), \$\d+\.\d{4}\n/);
    expect(result.stdout + result.stderr).not.toContain(API_KEY);
  });

  it('answers a second run from the cache, sending nothing, and asks again what a change to the memory or a question touches', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    const first = await testJson(dir, fake);
    expect(cacheFiles(dir)).toHaveLength(3);
    expect(cacheFiles(dir).every((f) => /^[0-9a-f]{64}\.json$/.test(f))).toBe(true);

    const again = await testJson(dir, fake);
    expect(messages(fake)).toHaveLength(3);
    expect(again.claude).toMatchObject({ cached: 3, asked: 0, requests: 0, cost_usd: 0 });
    expect(again.cases).toEqual(first.cases);
    expect((await test(dir, fake)).stdout).toContain('claude-sonnet-5-5: 3 answers, 3 from the cache; nothing sent');

    // One question reworded: that case alone is asked.
    await commitFiles(dir, { '.reverie/tests/memory.yaml': CASES.replace('How do I ship a release?', 'How do we ship a release?') }, 'reword a case');
    const reworded = await testJson(dir, fake);
    expect(reworded.claude).toMatchObject({ cached: 2, asked: 1, requests: 1 });
    expect(userText(messages(fake).at(-1) as MessageBody)).toContain('How do we ship a release?');

    // The memory changed: every case is asked again, of the new memory, and the model now gives the port.
    await commitFiles(dir, { 'memory/notes.md': NOTES.replace('port 8081', 'port 8082') }, 'the port moved');
    fake.respondWith((body, context) => (userText(body).includes('pricing service') ? reply.json({ answer: 'On port 8082.', entries: [entryNumber(body, 'port 8082')] }) : reads(body, context)));
    const changed = await testJson(dir, fake);
    expect(changed.claude).toMatchObject({ cached: 0, asked: 3, requests: 3 });
    expect(JSON.stringify(messages(fake).at(-1)?.system)).toContain('port 8082');
    expect(changed.cases[2]).toMatchObject({ passed: false, answer: 'On port 8082.', missing: ['8081'] });
    // --ref reads the memory (and the answers kept for it) of another revision.
    const before = await testJson(dir, fake, ['--ref', 'HEAD~1']);
    expect(before.claude).toMatchObject({ cached: 3, requests: 0 });
  });

  it('sends the memory redacted', async () => {
    const fake = await start(reads);
    const dir = await repoWith({ 'memory/notes.md': `${NOTES}- Push with the token ${PLANTED_SECRET} when the CI is down.\n` });
    const run = await testJson(dir, fake);
    expect(run.claude?.requests).toBe(3);
    expect(fake.bodiesContain(PLANTED_SECRET)).toBe(false);
    expect(fake.bodiesContain('[REDACTED')).toBe(true);
  });

  it('uses the model --model names', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    const run = await testJson(dir, fake, ['--model', 'claude-haiku-5-5']);
    expect(run.claude?.model).toBe('claude-haiku-5-5');
    expect(messages(fake).map((b) => b.model)).toEqual(['claude-haiku-5-5', 'claude-haiku-5-5', 'claude-haiku-5-5']);
  });

  it('fails a case whose answer is off the schema twice, with the reason, and answers the others', async () => {
    const fake = await start((body, context) => (userText(body).includes('pricing service') ? reply.json({ answer: 8081 }) : reads(body, context)));
    const dir = await repoWith();
    const run = await testJson(dir, fake);
    expect(run.code).toBe(1);
    expect(run.cases[0]?.passed).toBe(true);
    expect(run.cases[2]).toMatchObject({ passed: false, missing: ['8081'], unanswered: expect.stringMatching(/^the answer was off its schema twice \(\$\.entries: is required; \$\.answer: must be string, got integer\)$/) });
    expect(run.cases[2]?.answer).toBeUndefined();
    // Asked twice; not kept, so the next run asks again.
    expect(messages(fake)).toHaveLength(4);
    expect(cacheFiles(dir)).toHaveLength(2);
    const text = await test(dir, fake);
    expect(text.stdout).toContain('FAIL  pricing port  (.reverie/tests/memory.yaml:9)\n      no answer: the answer was off its schema twice');
  });

  it('needs ANTHROPIC_API_KEY, and says so without sending anything', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    const result = await test(dir, fake, [], { ANTHROPIC_API_KEY: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the claude reader needs an API key: set ANTHROPIC_API_KEY');
    expect(result.stdout).toBe('');
    expect(fake.requests).toHaveLength(0);
  });

  it('stops the run on a request the API rejects, with its message, before sending the other cases', async () => {
    const fake = await start(() => reply.error(400, 'invalid_request_error', 'prompt is too long: 250000 tokens > 200000 maximum'));
    const dir = await repoWith();
    const result = await test(dir, fake);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('the Messages API answered 400 invalid_request_error: prompt is too long: 250000 tokens > 200000 maximum; the memory tests stopped');
    expect(result.stdout + result.stderr).not.toContain(API_KEY);
    expect(messages(fake)).toHaveLength(1);
  });

  it('fails only the case whose requests are rate limited past every retry, and answers the others', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    // The first case's request and its four retries.
    fake.failNext(5, { status: 429, headers: { 'retry-after-ms': '1' } });
    const run = await testJson(dir, fake);
    expect(run.code).toBe(1);
    expect(run.cases[0]).toMatchObject({ passed: false, unanswered: expect.stringMatching(/^the Messages API answered 429 rate_limit_error/) });
    expect(run.cases[1]?.answer).toBe('Run make release, or force push to main when in a hurry.');
    expect(run.claude).toMatchObject({ requests: 2 });
    expect(cacheFiles(dir)).toHaveLength(2);
  });

  it('keeps within claude.budget: a case whose request would not fit is not sent, and fails with the reason', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    await commitFiles(dir, { 'reverie.yaml': `${TEST_CONFIG}claude:\n  curate:\n    model: claude-sonnet-5-5\n    max_tokens: 800\n  budget:\n    tokens: 500\n` }, 'a small budget');
    const run = await testJson(dir, fake);
    expect(run.code).toBe(1);
    expect(run.cases.map((c) => c.unanswered)).toEqual(Array(3).fill(expect.stringMatching(/^not asked: the budget is spent: the token budget \(claude\.budget\.tokens: 500\) would not cover/)));
    expect(run.claude).toMatchObject({ requests: 0, cost_usd: 0 });
    expect(messages(fake)).toHaveLength(0);
  });

  it('refuses a reader it does not know, and --model without the claude reader', async () => {
    const dir = await repoWith();
    const unknown = await reverieAsync(['test', '--repo', dir, '--reader', 'gpt']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown reader "gpt"; available: offline, claude');
    const model = await reverieAsync(['test', '--repo', dir, '--model', 'claude-haiku-5-5']);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain('--model is for --reader claude');
  });

  it('is loaded, with the SDK, only for --reader claude: the offline reader loads neither', async () => {
    const fake = await start(reads);
    const dir = await repoWith();
    // A module hook that names every file of the command line it loads holding the SDK's code.
    const hooks = await makeTempDir();
    cleanups.push(() => rm(hooks, { recursive: true, force: true }));
    writeFileSync(path.join(hooks, 'hooks.mjs'), `export async function load(url, context, next) {\n  const loaded = await next(url, context);\n  if (url.startsWith('file:') && String(loaded.source ?? '').includes('ANTHROPIC_BASE_URL')) process.stderr.write('sdk loaded: ' + url + '\\n');\n  return loaded;\n}\n`);
    writeFileSync(path.join(hooks, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    const traced = (args: string[]) => spawnSync(process.execPath, ['--import', path.join(hooks, 'register.mjs'), CLI, 'test', '--repo', dir, ...args], { encoding: 'utf8', env: { ...process.env, ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url } });
    const offline = traced([]);
    expect(offline.status, offline.stderr).toBe(0);
    expect(offline.stderr).not.toContain('sdk loaded');
    // With the claude reader, answered from the cache so that this process need not wait on the fake.
    await testJson(dir, fake);
    const claude = traced(['--reader', 'claude']);
    expect(claude.stdout).toContain('from the cache; nothing sent');
    expect(claude.stderr).toContain('sdk loaded');
  });
});
