/**
 * The GitHub Action, run as a runner runs it: the committed bundle as a child process, with the `INPUT_*` and
 * `GITHUB_*` variables a runner sets, on a checkout made the way actions/checkout makes one (an extraheader with the
 * token in .git/config, a detached HEAD, a shallow fetch), against a real git server and a fake GitHub API.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_BUNDLE, bundleAction } from '../../scripts/build-action.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';
import { runGit, startGitServer, type GitServer } from '../helpers/git-server.js';
import { commitFiles, makeTempDir, makeTempRepo, type Files } from '../helpers/git.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = path.join(ROOT, ACTION_BUNDLE);
const TOKEN = 'ghp_actiontoken0123456789abcdefghijklmnop';
const API_KEY = 'sk-ant-api03-actiontestkey0123456789';
const NOTES = '# Notes\n\n## Tools\n\n- Install dependencies with `npm install`.\n- The pricing service listens on port 8081.\n- Pricing svc port is 8081 (local dev).\n\n## Preferences\n';

function preference(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [{ user: 'Write the release notes for 2.3.' }, { assistant: 'Here is a draft.' }, { user: sentence }, { assistant: 'Understood.' }]);
}

const SESSIONS: Files = {
  'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
  'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
  'sessions/coding-agent/s3.jsonl': preference('s3', '2026-11-04T09:00:00Z', 'Always write dates in ISO 8601 format in release notes. cc @octocat'),
  'sessions/review-agent/s4.jsonl': preference('s4', '2026-11-05T09:00:00Z', 'no, release notes must always use ISO 8601 format for dates, see #12'),
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface Remote {
  server: GitServer;
  github: FakeGitHub;
  /** The bare repository the git server serves and the fake GitHub reads. */
  bare: string;
  /** main on the remote, as it was before the action ran. */
  main: string;
}

/** acme/memory on a local git server and fake GitHub: a memory repo with two commits on main (config, then sessions). */
async function remote({ mode = 'review', sessions = SESSIONS, files = {} }: { mode?: string; sessions?: Files; files?: Files } = {}): Promise<Remote> {
  const server = await startGitServer({ token: TOKEN });
  cleanups.push(() => server.close());
  const github = await startFakeGitHub({ owner: 'acme', repo: 'memory', token: TOKEN, bareRepo: server.bareDir('memory') });
  cleanups.push(() => github.close());
  // No github: section: in the Action, review happens on GitHub and the repository is the workflow's own.
  const source = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG.replace('mode: auto', `mode: ${mode}`), 'memory/notes.md': NOTES, ...files });
  cleanups.push(source.cleanup);
  await commitFiles(source.dir, sessions, 'sessions');
  const bare = await server.createBare('memory', { from: source.dir });
  return { server, github, bare, main: await runGit(bare, ['rev-parse', 'main']) };
}

const AUTH_HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;

/**
 * A workspace as actions/checkout leaves it: `git init`, the token as an extraheader for native git (which
 * isomorphic-git does not read), one fetch of exactly what the event needs, then a checkout.
 * `pull`: a pull request's commit, checked out detached, with main fetched only when the whole history is.
 * `push`: main, checked out as a branch.
 * `credentials`: where the extraheader goes: .git/config (actions/checkout v5 and before), or a file of the runner's
 * temp folder that .git/config includes for this git directory (v6).
 */
async function checkout(
  r: Remote,
  { event, depth, sha = r.main, credentials = 'config' }: { event: 'pull' | 'push'; depth?: number; sha?: string; credentials?: 'config' | 'include' },
): Promise<string> {
  const dir = await makeTempDir('reverie-workspace-');
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const url = r.server.repoUrl('memory');
  await runGit(dir, ['init', '-q']);
  await runGit(dir, ['remote', 'add', 'origin', url]);
  if (credentials === 'config') {
    await runGit(dir, ['config', '--local', `http.${r.server.url}/.extraheader`, AUTH_HEADER]);
  } else {
    const file = `${dir}.credentials.config`;
    cleanups.push(() => rm(file, { force: true }));
    await runGit(dir, ['config', '--file', file, `http.${r.server.url}/.extraheader`, AUTH_HEADER]);
    await runGit(dir, ['config', '--local', `includeIf.gitdir:${dir}/.git.path`, file]);
  }
  const shallow = depth ? [`--depth=${depth}`] : [];
  const refspecs = depth
    ? [event === 'pull' ? `+${sha}:refs/remotes/pull/1/merge` : `+${sha}:refs/remotes/origin/main`]
    : ['+refs/heads/*:refs/remotes/origin/*', ...(event === 'pull' ? [`+${sha}:refs/remotes/pull/1/merge`] : [])];
  await runGit(dir, ['-c', 'protocol.version=2', 'fetch', '-q', '--no-tags', '--prune', '--no-recurse-submodules', ...shallow, 'origin', ...refspecs]);
  if (event === 'pull') await runGit(dir, ['checkout', '-q', '--force', 'refs/remotes/pull/1/merge']);
  else await runGit(dir, ['checkout', '-q', '--force', '-B', 'main', 'refs/remotes/origin/main']);
  return dir;
}

/** The inputs' defaults, as action.yml declares them and the runner passes them when a workflow leaves them out. */
function defaultInputs(): Record<string, string> {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) {
    // `${{ github.token }}` is the runner's to expand; the tests pass the token they mean.
    if (input.default !== undefined && !input.default.includes('${{')) env[`INPUT_${name.toUpperCase()}`] = input.default;
  }
  return env;
}

interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Everything the run printed or wrote that a person or a later step can read. */
  visible: string;
}

/**
 * Runs the bundle as a runner does: `node dist-action/index.js` in the workspace, with nothing of this process's
 * environment but PATH and HOME (a test running inside GitHub Actions must not hand its own GITHUB_* variables on).
 * Asynchronous: the git server and the fake GitHub live in this process and must keep answering.
 */
/** The event that started the workflow: a schedule unless a test says otherwise (a pull request's, with its base). */
interface RunnerEvent {
  name: string;
  payload: Record<string, unknown>;
  /** More of the runner's variables for that event (GITHUB_BASE_REF, GITHUB_HEAD_REF). */
  env?: Record<string, string>;
}

const SCHEDULE: RunnerEvent = { name: 'schedule', payload: {} };

async function runAction(workspace: string, r: Remote, inputs: Record<string, string>, event: RunnerEvent = SCHEDULE): Promise<ActionRun> {
  const runnerDir = await makeTempDir('reverie-runner-');
  cleanups.push(() => rm(runnerDir, { recursive: true, force: true }));
  const files = { event: path.join(runnerDir, 'event.json'), output: path.join(runnerDir, 'output'), summary: path.join(runnerDir, 'summary.md'), temp: path.join(runnerDir, 'temp') };
  await mkdir(files.temp);
  await writeFile(files.event, JSON.stringify({ repository: { full_name: 'acme/memory', default_branch: 'main' }, sender: { login: 'octocat' }, ...event.payload }));
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/memory',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: r.github.url,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: files.temp,
    ...event.env,
    ...defaultInputs(),
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
  };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { cwd: workspace, env });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit ?? -1, stdout: out, stderr: err }));
  });
  const outputText = await readFile(files.output, 'utf8');
  const summary = await readFile(files.summary, 'utf8');
  // The add-mask commands are the one place a secret is printed: the runner consumes them and shows nothing.
  const shown = stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')).join('\n');
  return { code, stdout, stderr, outputs: parseOutputs(outputText), summary, visible: [shown, stderr, outputText, summary].join('\n') };
}

/** The GITHUB_OUTPUT file as the runner reads it: `name<<delimiter`, the value's lines, the delimiter. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const end = lines.indexOf(delimiter, i + 1);
    expect(end, `output ${name} has no closing delimiter`).toBeGreaterThan(i);
    outputs[name] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/** No secret reaches the log, the outputs, the summary, or the workspace's git config. */
function expectNoSecrets(run: ActionRun, workspace: string): void {
  expect(run.stdout).toContain(`::add-mask::${TOKEN}`);
  expect(run.visible).not.toContain(TOKEN);
  expect(run.visible).not.toContain(API_KEY);
  expect(readFileSync(path.join(workspace, '.git/config'), 'utf8')).not.toContain(TOKEN);
}

function annotations(run: ActionRun, level: 'error' | 'warning' | 'notice'): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith(`::${level} `) || line.startsWith(`::${level}::`));
}

/**
 * Cases against NOTES and SESSIONS: "pricing port" passes on NOTES as they are; a cycle's update to pnpm and its add
 * of the ISO 8601 rule fix the other two.
 */
const CASES = `cases:
  - name: pricing port
    question: Which port does the pricing service listen on?
    expect: pricing service listens
  - name: installs
    question: How do I install dependencies?
    expect: pnpm install
`;

const DATES_CASE = `  - name: release dates
    question: How are dates written in release notes?
    expect: ISO 8601
`;

/** From the memory tests' heading to the end of the context cost table: what the pull request and the summary share. */
function memoryTables(markdown: string): string {
  const start = markdown.indexOf('### Memory tests');
  const end = markdown.indexOf('_Tokens are estimated');
  expect(start, 'no memory tests table').toBeGreaterThanOrEqual(0);
  expect(end, 'no context cost table').toBeGreaterThan(start);
  return markdown.slice(start, end);
}

describe('the bundle', () => {
  it('is what `npm run build:action` builds from the sources now (rebuild and commit it when this fails)', async () => {
    const built = await bundleAction();
    const committed = existsSync(BUNDLE) ? readFileSync(BUNDLE) : Buffer.alloc(0);
    // Comparing lengths first keeps a failure message short; a 3 MB diff helps no one.
    expect(committed.length, `${ACTION_BUNDLE} is stale: run npm run build:action`).toBe(built.length);
    expect(Buffer.compare(committed, Buffer.from(built)), `${ACTION_BUNDLE} is stale: run npm run build:action`).toBe(0);
  });

  it('is what action.yml runs, on node24, with every input it reads declared', () => {
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { runs: { using: string; main: string }; inputs: Record<string, unknown> };
    expect(action.runs).toEqual({ using: 'node24', main: ACTION_BUNDLE });
    expect(Object.keys(action.inputs).sort()).toEqual(['agent', 'anthropic-api-key', 'base', 'check', 'command', 'config', 'dry-run', 'engine', 'github-token', 'mode', 'model', 'path', 'sessions', 'waiting']);
  });
});

describe('the Action on a runner', () => {
  it('review: on a pull request checkout (detached HEAD, no local main) pushes the cycle and opens a pull request; outputs and summary say so', async () => {
    const r = await remote();
    const workspace = await checkout(r, { event: 'pull' });
    expect(await runGit(workspace, ['branch', '--list', 'main'])).toBe('');
    const run = await runAction(workspace, r, { 'github-token': TOKEN, 'anthropic-api-key': API_KEY });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(annotations(run, 'error')).toEqual([]);

    const [pull] = r.github.state.pulls;
    expect(pull).toMatchObject({ number: 1, state: 'open', base: { ref: 'main' } });
    expect(run.outputs).toMatchObject({ outcome: 'committed', merged: 'false', 'pull-request-number': '1', 'pull-request-url': 'https://github.com/acme/memory/pull/1', branch: pull?.head.ref });
    expect(run.outputs.cycle).toMatch(/^\d{8}-\d{6}$/);
    expect(Number(run.outputs.actions)).toBeGreaterThan(0);
    // The branch is on the remote, main is not moved there, and the checkout's HEAD stays detached where it was.
    const tip = await runGit(r.bare, ['rev-parse', `refs/heads/${run.outputs.branch}`]);
    expect(await runGit(workspace, ['rev-parse', `refs/heads/${run.outputs.branch}`])).toBe(tip);
    expect(await runGit(r.bare, ['rev-parse', 'main'])).toBe(r.main);
    expect(await runGit(workspace, ['rev-parse', 'HEAD'])).toBe(r.main);
    expect(await runGit(workspace, ['symbolic-ref', '-q', 'HEAD']).catch(() => 'detached')).toBe('detached');
    expect(await runGit(workspace, ['status', '--porcelain'])).toBe('');

    expect(run.summary).toContain(`## reverie: dream cycle ${run.outputs.cycle}`);
    expect(run.summary).toContain('[#1](https://github.com/acme/memory/pull/1) (created)');
    expect(run.summary).toMatch(/\[`[0-9a-f]{7}`\]\(https:\/\/github\.com\/acme\/memory\/commit\/[0-9a-f]{40}\)/);
    // Text from the logs is escaped in the summary as in the pull request: no mention, no issue link.
    expect(run.summary).not.toMatch(/@octocat|#12\b/);
    expect(r.github.violations).toEqual([]);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([`::add-mask::${TOKEN}`, `::add-mask::${API_KEY}`]);
    expectNoSecrets(run, workspace);

    // The next scheduled run, on a fresh checkout, finds the pull request open: it opens nothing and points at it.
    const next = await runAction(await checkout(r, { event: 'pull' }), r, { 'github-token': TOKEN });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.outputs).toMatchObject({ outcome: 'pending-review', cycle: '', 'pull-request-number': '1' });
    expect(annotations(next, 'notice')).toContainEqual(expect.stringMatching(/^::notice title=reverie%3A waiting for review::.*#1/));
    expect(r.github.state.pulls).toHaveLength(1);
  });

  it('review with memory tests: the pull request and the job summary open with the same tables of cases and context cost', async () => {
    const r = await remote({ files: { '.reverie/tests/memory.yaml': `${CASES}${DATES_CASE}` } });
    const workspace = await checkout(r, { event: 'pull' });
    const run = await runAction(workspace, r, { 'github-token': TOKEN });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ outcome: 'committed', 'pull-request-number': '1' });
    const body = r.github.state.pulls[0]!.body!;
    const tables = memoryTables(body);
    // The notes are a person's, so no session names them for a merge: the cycle's update and add fix two cases.
    expect(tables).toContain('✅ **2 fixed, 0 broken**, 0 still failing, 1 passing (3 cases)');
    expect(tables).toContain('| installs | fixed (fail → pass) | .reverie/tests/memory.yaml:5 | passes |');
    expect(tables).toContain('| release dates | fixed (fail → pass) | .reverie/tests/memory.yaml:8 | passes |');
    expect(tables).not.toContain('pricing port');
    expect(tables).toMatch(/^\| namespace notes \| \d+ → \d+ \(\+\d+\) \| 9 → 11 \(\+2\) \| {2}\|$/m);
    expect(memoryTables(run.summary)).toBe(tables);
    // Both open with them: the body under its title, the summary under its own.
    expect(body.split('\n').slice(1, 4)).toEqual([`## Dream cycle \`${run.outputs.cycle}\``, '', '### Memory tests']);
    expect(run.summary.split('\n').slice(0, 3)).toEqual([`## reverie: dream cycle ${run.outputs.cycle}`, '', '### Memory tests']);
    expect(r.github.violations).toEqual([]);
    expectNoSecrets(run, workspace);
  });

  it('auto: on a shallow push checkout (main checked out) fast-forwards main, pushes it, and brings the working tree along', async () => {
    const r = await remote({ mode: 'auto' });
    const workspace = await checkout(r, { event: 'push', depth: 1 });
    const run = await runAction(workspace, r, { 'github-token': TOKEN });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ outcome: 'committed', merged: 'true', 'pull-request-number': '' });
    const main = await runGit(workspace, ['rev-parse', 'main']);
    expect(main).not.toBe(r.main);
    expect(await runGit(r.bare, ['rev-parse', 'main'])).toBe(main);
    expect(await runGit(workspace, ['merge-base', '--is-ancestor', r.main, main]).then(() => true)).toBe(true);
    expect(await runGit(workspace, ['status', '--porcelain'])).toBe('');
    expect(r.github.state.pulls).toEqual([]);
    expect(await runGit(workspace, ['rev-parse', '--is-shallow-repository'])).toBe('false');
    expect(run.summary).toContain('fast-forwarded from');
    expectNoSecrets(run, workspace);
  });

  it('dry-run writes nothing and pushes nothing; a broken log line becomes a warning annotation on its file and line', async () => {
    const broken = `${SESSIONS['sessions/coding-agent/s1.jsonl']}{"type": "user", "message": \n`;
    const r = await remote({ sessions: { ...SESSIONS, 'sessions/coding-agent/s1.jsonl': broken } });
    const workspace = await checkout(r, { event: 'pull' });
    const refs = await runGit(workspace, ['for-each-ref']);
    const run = await runAction(workspace, r, { 'github-token': TOKEN, 'dry-run': 'true', mode: 'review' });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ outcome: 'dry-run', branch: '', merged: 'false', 'pull-request-number': '' });
    expect(Number(run.outputs.actions)).toBeGreaterThan(0);
    // main is created from origin/main for the cycle to read; nothing else changes here or on the remote.
    expect(await runGit(workspace, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/'])).toBe(`refs/heads/main ${r.main}`);
    expect((await runGit(workspace, ['for-each-ref'])).replace(/^.*refs\/heads\/main\n?/m, '')).toBe(refs);
    expect(await runGit(r.bare, ['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main');
    expect(r.server.requests.filter((q) => q.service === 'git-receive-pack')).toEqual([]);
    expect(r.github.state.pulls).toEqual([]);
    expect(run.summary).toContain('```diff');

    const lines = broken.split('\n').length - 1;
    expect(annotations(run, 'warning')).toContainEqual(expect.stringMatching(new RegExp(`^::warning title=reverie%3A session log or memory file,file=sessions/coding-agent/s1\\.jsonl,line=${lines}::`)));
    expectNoSecrets(run, workspace);
  });

  it('a bad token fails the step with an error that says what to fix; main is untouched on the remote', async () => {
    const r = await remote();
    const workspace = await checkout(r, { event: 'pull' });
    const wrong = 'ghp_wrongtoken0123456789abcdefghijklmnopq';
    const run = await runAction(workspace, r, { 'github-token': wrong });
    expect(run.code).toBe(1);
    const [error, ...more] = annotations(run, 'error');
    expect(more).toEqual([]);
    expect(error).toMatch(/^::error title=reverie%3A GitHub refused a request::/);
    expect(error).toContain('github-token input');
    expect(error).toContain('pull-requests: write');
    expect(error).not.toContain('GITHUB_TOKEN');
    expect(run.visible).not.toContain(wrong);
    expect(run.stdout).toContain(`::add-mask::${wrong}`);
    expect(run.summary).toContain('## reverie: dream cycle failed');
    expect(await runGit(r.bare, ['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(`refs/heads/main ${r.main}`);
    expect(await runGit(workspace, ['branch', '--list', 'reverie/*'])).toBe('');
    expect(r.github.state.pulls).toEqual([]);
    // Nothing was done: every output says so, for the `if:` of a later step.
    expect(run.outputs).toEqual({ cycle: '', branch: '', outcome: 'failed', actions: '0', 'pull-request-number': '', 'pull-request-url': '', merged: 'false' });

    // On a shallow checkout the token is first needed to deepen it: the error says so, and how to do without.
    const shallow = await runAction(await checkout(r, { event: 'pull', depth: 1 }), r, { 'github-token': wrong });
    expect(shallow.code).toBe(1);
    expect(annotations(shallow, 'error')).toEqual([expect.stringMatching(/the checkout is shallow.*token was refused.*github-token input.*fetch-depth: 0/)]);
    expect(shallow.visible).not.toContain(wrong);
    expect(await runGit(r.bare, ['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(`refs/heads/main ${r.main}`);
  });

  it('a failed label call is a warning: the step succeeds with one pull request and every output set', async () => {
    const r = await remote();
    r.github.failNext(1, { status: 403, body: { message: 'Resource not accessible by integration' } }, { method: 'POST', path: '/repos/acme/memory/issues/1/labels' });
    const run = await runAction(await checkout(r, { event: 'pull' }), r, { 'github-token': TOKEN });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(r.github.state.pulls).toHaveLength(1);
    expect(run.outputs).toMatchObject({ outcome: 'committed', 'pull-request-number': '1', 'pull-request-url': 'https://github.com/acme/memory/pull/1', branch: r.github.state.pulls[0]?.head.ref });
    expect(annotations(run, 'warning')).toEqual([expect.stringMatching(/^::warning title=reverie%3A pull request::could not label pull request #1 .*HTTP 403: Resource not accessible by integration/)]);
    expect(annotations(run, 'error')).toEqual([]);
  });

  it('a failed pull request creation fails the step, with the outputs of the pushed branch set', async () => {
    const r = await remote();
    r.github.failNext(1, { status: 422, body: { message: 'Validation Failed', errors: [{ message: 'base is protected from pull requests' }] } }, { method: 'POST', path: '/repos/acme/memory/pulls' });
    const workspace = await checkout(r, { event: 'pull' });
    const run = await runAction(workspace, r, { 'github-token': TOKEN });
    expect(run.code).toBe(1);
    expect(annotations(run, 'error')).toEqual([expect.stringMatching(/^::error title=reverie%3A GitHub refused a request::GitHub refused to open a pull request from reverie\/dream-\S+ in acme\/memory \(HTTP 422: Validation Failed; base is protected from pull requests\)\.$/)]);
    expect(r.github.state.pulls).toEqual([]);
    const branch = run.outputs.branch!;
    expect(run.outputs).toEqual({ cycle: expect.stringMatching(/^\d{8}-\d{6}$/), branch: `reverie/dream-${run.outputs.cycle}`, outcome: 'failed', actions: expect.stringMatching(/^[1-9]/), 'pull-request-number': '', 'pull-request-url': '', merged: 'false' });
    expect(await runGit(r.bare, ['rev-parse', `refs/heads/${branch}`])).toBe(await runGit(workspace, ['rev-parse', `refs/heads/${branch}`]));
    expect(run.summary).toContain(`branch \`${branch}\` committed`);
    expectNoSecrets(run, workspace);
  });

  it('a shallow checkout of a pull request is deepened to main\'s whole history, and the cycle runs on main', async () => {
    const r = await remote();
    // The pull request's commit is on a branch of its own, not on main.
    const contributor = await makeTempDir('reverie-contributor-');
    cleanups.push(() => rm(contributor, { recursive: true, force: true }));
    const auth = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: AUTH_HEADER };
    await runGit(contributor, ['clone', '-q', r.server.repoUrl('memory'), '.'], auth);
    await writeFile(path.join(contributor, 'README.md'), 'memory of the acme agents\n');
    await runGit(contributor, ['add', 'README.md']);
    await runGit(contributor, ['commit', '-q', '-m', 'readme']);
    await runGit(contributor, ['push', '-q', 'origin', 'HEAD:refs/heads/readme'], auth);
    const head = await runGit(contributor, ['rev-parse', 'HEAD']);

    const workspace = await checkout(r, { event: 'pull', depth: 1, sha: head, credentials: 'include' });
    expect(existsSync(path.join(workspace, '.git/shallow'))).toBe(true);
    const run = await runAction(workspace, r, { 'github-token': TOKEN });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('deepened');
    expect(run.outputs).toMatchObject({ outcome: 'committed', 'pull-request-number': '1' });
    // Asked for the whole history, the server unshallows every boundary the clone had: it is a full clone now.
    expect(await runGit(workspace, ['rev-parse', '--is-shallow-repository'])).toBe('false');
    expect(await runGit(workspace, ['rev-list', '--count', 'main'])).toBe('2');
    expect(await runGit(workspace, ['rev-list', '--count', 'HEAD'])).toBe('3');
    expect(await runGit(r.bare, ['rev-parse', `refs/heads/${run.outputs.branch}^{commit}`])).toBe(await runGit(workspace, ['rev-parse', `refs/heads/${run.outputs.branch}`]));
    expect(await runGit(r.bare, ['merge-base', '--is-ancestor', r.main, `refs/heads/${run.outputs.branch}`]).then(() => true)).toBe(true);
    expect(await runGit(r.bare, ['rev-parse', 'main'])).toBe(r.main);
    expectNoSecrets(run, workspace);
  });
});

describe('the Action with command: check, on a pull request', () => {
  const SECRET = `ghp_${'Q7r8S9t0U1'.repeat(4)}`;

  /**
   * A contributor's pull request against main, as GitHub serves it: the head on a branch of its own, and the merge
   * commit GitHub makes of it under refs/pull/1/merge (what actions/checkout checks out for a pull_request event).
   */
  async function pullRequest(r: Remote, change: string | Files): Promise<{ merge: string; event: RunnerEvent }> {
    const contributor = await makeTempDir('reverie-contributor-');
    cleanups.push(() => rm(contributor, { recursive: true, force: true }));
    const auth = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: AUTH_HEADER };
    const as = ['-c', 'user.name=Contributor', '-c', 'user.email=contributor@example.com'];
    await runGit(contributor, ['clone', '-q', r.server.repoUrl('memory'), '.'], auth);
    await runGit(contributor, ['checkout', '-q', '-b', 'notes']);
    const files = typeof change === 'string' ? { 'memory/notes.md': change } : change;
    for (const [file, text] of Object.entries(files)) {
      if (text === null) {
        await rm(path.join(contributor, file));
        continue;
      }
      await mkdir(path.dirname(path.join(contributor, file)), { recursive: true });
      await writeFile(path.join(contributor, file), text);
    }
    await runGit(contributor, ['add', '-A']);
    await runGit(contributor, [...as, 'commit', '-q', '-m', 'notes: deploy']);
    await runGit(contributor, ['push', '-q', 'origin', 'notes'], auth);
    const head = await runGit(contributor, ['rev-parse', 'HEAD']);
    await runGit(contributor, ['checkout', '-q', '--detach', 'origin/main']);
    await runGit(contributor, [...as, 'merge', '-q', '--no-ff', '-m', `Merge ${head} into ${r.main}`, 'notes']);
    await runGit(contributor, ['push', '-q', 'origin', 'HEAD:refs/pull/1/merge'], auth);
    const merge = await runGit(contributor, ['rev-parse', 'HEAD']);
    const event: RunnerEvent = {
      name: 'pull_request',
      payload: { action: 'synchronize', number: 1, pull_request: { number: 1, base: { ref: 'main', sha: r.main }, head: { ref: 'notes', sha: head } } },
      env: { GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'notes', GITHUB_REF: 'refs/pull/1/merge', GITHUB_SHA: merge },
    };
    return { merge, event };
  }

  /** Nothing was pushed since the pull request was made, nor asked of GitHub: the check only reads. */
  function expectNothingWritten(r: Remote, pushesBefore: number): void {
    expect(pushes(r)).toBe(pushesBefore);
    expect(r.github.requests).toEqual([]);
  }

  function pushes(r: Remote): number {
    return r.server.requests.filter((q) => q.service === 'git-receive-pack').length;
  }

  it('a memory line with a secret and a dangling label fails the step, annotated on its line, and the secret is printed nowhere', async () => {
    const r = await remote();
    const notes = `${NOTES}\n- Release notes use ISO 8601 dates.\n\n**Deploy with ${SECRET}:**\n`;
    const line = notes.split('\n').indexOf(`**Deploy with ${SECRET}:**`) + 1;
    const { merge, event } = await pullRequest(r, notes);
    const pushed = pushes(r);
    const workspace = await checkout(r, { event: 'pull', sha: merge });
    const run = await runAction(workspace, r, { command: 'check', 'github-token': TOKEN }, event);

    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(annotations(run, 'error')).toEqual([`::error title=reverie%3A secrets/found,file=memory/notes.md,line=${line}::looks like a secret (github-token); remove it from memory and rotate it`]);
    expect(annotations(run, 'warning')).toEqual([
      `::warning title=reverie%3A structure/dangling-label,file=memory/notes.md,line=${line}::"**Deploy with [REDACTED:github-token]:**" introduces nothing; restore what it announced or remove it`,
    ]);
    expect(run.outputs).toEqual({ errors: '1', warnings: '1' });
    expect(run.stdout).toContain(`reverie: check: 1 error, 1 warning in 1 memory file, compared with ${r.main.slice(0, 7)}; a lint error fails the check`);

    // The job summary is reverie check's report: what the change does to each namespace, then the findings.
    expect(run.summary).toContain('## reverie check');
    expect(run.summary).toContain(`compared with ${r.main.slice(0, 7)}`);
    expect(run.summary).toMatch(/^\| notes \| dream \| 2 \| 0 \| 0 \| 0 \|/m);
    expect(run.summary).toContain(`| error | secrets/found | memory/notes.md:${line} |`);

    expect(run.visible).not.toContain(SECRET.slice(4));
    expect(run.visible).not.toContain(TOKEN);
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${TOKEN}`);
    expectNothingWritten(r, pushed);
  });

  it('a clean change passes, measured from the pull request\'s base; the step fails on nothing but errors', async () => {
    const r = await remote();
    const { merge, event } = await pullRequest(r, `${NOTES}\n- Release notes use ISO 8601 dates.\n`);
    const pushed = pushes(r);
    const workspace = await checkout(r, { event: 'pull', sha: merge });
    const run = await runAction(workspace, r, { command: 'check' }, event);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(annotations(run, 'error')).toEqual([]);
    expect(run.outputs.errors).toBe('0');
    expect(run.summary).toMatch(/^\| notes \| dream \| 1 \| 0 \| 0 \| 0 \|/m);
    expectNothingWritten(r, pushed);

    // The base input wins over the event's: measured from the merge commit itself, the change is nothing.
    const same = await runAction(workspace, r, { command: 'check', base: 'HEAD' }, event);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.summary).toContain(`compared with ${merge.slice(0, 7)}`);
    expect(same.summary).toMatch(/^\| notes \(unchanged\) \|/m);
  });

  it('a change to memory and its test files that breaks a case fails the step, annotated on the case; the summary has both tables', async () => {
    const r = await remote({ files: { '.reverie/tests/memory.yaml': CASES } });
    // The pull request drops the long port note (which "pricing port" needs) and adds a rule with the case for it.
    const notes = `${NOTES.replace('- The pricing service listens on port 8081.\n', '')}\n- Release notes use ISO 8601 dates.\n`;
    const { merge, event } = await pullRequest(r, { 'memory/notes.md': notes, '.reverie/tests/memory.yaml': `${CASES}${DATES_CASE}` });
    const pushed = pushes(r);
    const run = await runAction(await checkout(r, { event: 'pull', sha: merge }), r, { command: 'check' }, event);

    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(annotations(run, 'error')).toEqual([
      '::error title=reverie%3A memory test broken,file=.reverie/tests/memory.yaml,line=2::memory test "pricing port" passes on the base and fails with this change: "pricing service listens" is in none of the entries retrieved',
    ]);
    expect(run.outputs).toEqual({ errors: '0', warnings: '0' });
    expect(run.stdout).toContain(
      `reverie: check: 0 errors, 0 warnings in 1 memory file, compared with ${r.main.slice(0, 7)}; memory tests: 1 fixed, 1 broken; 1 memory check failed, which fails the check: the change needs a person`,
    );
    expect(run.summary).toContain('❌ **0 errors, 0 warnings, 1 memory check failed**');
    const tables = memoryTables(run.summary);
    expect(tables).toContain('❌ **1 fixed, 1 broken**, 1 still failing, 0 passing (3 cases)');
    expect(tables).toContain('| pricing port | **broken** (pass → fail) | .reverie/tests/memory.yaml:2 | missing &#34;pricing service listens&#34; |');
    // The case the change adds is asked of the base too: there it fails, so the change fixes it.
    expect(tables).toContain('| release dates | fixed (fail → pass) | .reverie/tests/memory.yaml:8 | passes |');
    expect(tables).toContain('> - it breaks memory test &#34;pricing port&#34;');
    expect(tables).toMatch(/^\| namespace notes \| \d+ → \d+ \([+−±]\d*\) \| 9 → 10 \(\+1\) \| {2}\|$/m);
    expectNothingWritten(r, pushed);
  });

  it('a change that only fixes a case passes, with both tables in the summary', async () => {
    const r = await remote({ files: { '.reverie/tests/memory.yaml': CASES } });
    const { merge, event } = await pullRequest(r, { 'memory/notes.md': `${NOTES}\n- Release notes use ISO 8601 dates.\n`, '.reverie/tests/memory.yaml': `${CASES}${DATES_CASE}` });
    const run = await runAction(await checkout(r, { event: 'pull', sha: merge }), r, { command: 'check' }, event);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(annotations(run, 'error')).toEqual([]);
    expect(run.stdout).toContain(`compared with ${r.main.slice(0, 7)}; memory tests: 1 fixed, 0 broken\n`);
    const tables = memoryTables(run.summary);
    expect(tables).toContain('✅ **1 fixed, 0 broken**, 1 still failing, 1 passing (3 cases)');
    expect(tables).not.toContain('[!WARNING]');
    expect(tables).toContain('### Context cost per target');
  });

  it('a shallow checkout, or a base the checkout lacks, fails with what to change in the workflow', async () => {
    const r = await remote();
    const { merge, event } = await pullRequest(r, `${NOTES}\n- Release notes use ISO 8601 dates.\n`);
    const pushed = pushes(r);
    const shallow = await runAction(await checkout(r, { event: 'pull', sha: merge, depth: 1 }), r, { command: 'check' }, event);
    expect(shallow.code).toBe(1);
    expect(annotations(shallow, 'error')).toEqual([expect.stringMatching(/^::error title=reverie%3A input::the checkout is shallow .*fetch-depth: 0/)]);
    expect(shallow.summary).toContain('## reverie: check failed');

    const missing = 'f'.repeat(40);
    const workspace = await checkout(r, { event: 'pull', sha: merge });
    const elsewhere = await runAction(workspace, r, { command: 'check' }, { ...event, payload: { pull_request: { base: { ref: 'main', sha: missing } } } });
    expect(elsewhere.code).toBe(1);
    expect(annotations(elsewhere, 'error')).toEqual([`::error title=reverie%3A input::the pull request's base commit fffffff is not in the checkout: give actions/checkout \`fetch-depth: 0\``]);
    const typo = await runAction(workspace, r, { command: 'check', base: 'origin/mian' }, event);
    expect(annotations(typo, 'error')).toEqual([expect.stringMatching(/^::error title=reverie%3A input::input base: no branch, tag or commit named "origin\/mian"/)]);
    expectNothingWritten(r, pushed);
  });

  it('an unknown command fails the step, naming the input, before anything runs', async () => {
    const r = await remote();
    const workspace = await checkout(r, { event: 'pull' });
    const run = await runAction(workspace, r, { command: 'lint', 'github-token': TOKEN });
    expect(run.code).toBe(1);
    expect(annotations(run, 'error')).toEqual(['::error title=reverie%3A input::input command must be one of dream, check, respond, compile (got "lint")']);
    // Nothing was done before the failure: every output but the outcome is empty.
    expect(run.outputs).toMatchObject({ outcome: 'failed', cycle: '', branch: '', 'pull-request-number': '' });
    expectNothingWritten(r, 0);
  });
});

describe('the Action with command: compile', () => {
  const AGENTS = 'agents:\n  - name: codex\n    loads: ["notes.md"]\n    compile:\n      format: agents-md\n';
  const compiling = (mode: string) => ({ 'reverie.yaml': `${TEST_CONFIG.replace('mode: auto', `mode: ${mode}`)}${AGENTS}` });
  const pushes = (r: Remote) => r.server.requests.filter((q) => q.service === 'git-receive-pack').length;

  it('review: pushes reverie/compile and opens its pull request; the next run on a fresh checkout finds it up to date and writes nothing', async () => {
    const r = await remote({ files: compiling('review') });
    const workspace = await checkout(r, { event: 'push' });
    const run = await runAction(workspace, r, { command: 'compile', 'github-token': TOKEN });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(annotations(run, 'error')).toEqual([]);
    expect(run.outputs).toEqual({ outcome: 'compiled', stale: 'false', 'pull-request-number': '1', 'pull-request-url': 'https://github.com/acme/memory/pull/1' });
    const [pull] = r.github.state.pulls;
    expect(pull).toMatchObject({ state: 'open', head: { ref: 'reverie/compile' }, base: { ref: 'main' }, title: 'reverie: compiled memory for codex' });
    expect(await runGit(r.bare, ['show', 'reverie/compile:AGENTS.md'])).toContain('<!-- reverie:begin memory/notes.md -->');
    // The record went to main on GitHub, so that the next runner knows what was written.
    expect(await runGit(r.bare, ['show', 'main:.reverie/compiled.json'])).toContain('"path": "AGENTS.md"');
    expect(run.summary).toContain('## reverie compile');
    expect(run.summary).toContain('| codex | agents-md | . (`reverie/compile`) | write AGENTS.md |');
    expect(run.summary).toContain('- acme/memory: `reverie/compile` pushed; pull request [#1](https://github.com/acme/memory/pull/1) created');
    expect(run.stdout).toContain('reverie: compile: 1 agent from memory');
    expect(r.github.violations).toEqual([]);
    expectNoSecrets(run, workspace);

    const pushed = pushes(r);
    const requests = r.github.requests.length;
    const next = await runAction(await checkout(r, { event: 'push' }), r, { command: 'compile', 'github-token': TOKEN });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.outputs).toEqual({ outcome: 'up-to-date', stale: 'false', 'pull-request-number': '1', 'pull-request-url': 'https://github.com/acme/memory/pull/1' });
    expect(pushes(r)).toBe(pushed);
    expect(r.github.requests.slice(requests).filter((q) => q.method !== 'GET')).toEqual([]);
    expect(r.github.state.pulls).toHaveLength(1);
  });

  it('check: fails while main lacks the compiled file, passes once the pull request is merged, and annotates a hand edit on its line', async () => {
    const r = await remote({ files: compiling('review') });
    const compiled = await runAction(await checkout(r, { event: 'push' }), r, { command: 'compile', 'github-token': TOKEN });
    expect(compiled.code, compiled.stdout + compiled.stderr).toBe(0);

    const pushed = pushes(r);
    const stale = await runAction(await checkout(r, { event: 'push' }), r, { command: 'compile', check: 'true' });
    expect(stale.code).toBe(1);
    expect(annotations(stale, 'error')).toEqual(['::error title=reverie%3A compiled file stale,file=AGENTS.md::AGENTS.md is not up to date with the memory: run reverie compile']);
    expect(stale.outputs).toMatchObject({ outcome: 'stale', stale: 'true' });
    expect(stale.summary).toContain('## reverie compile (check)');
    expect(stale.summary).toContain('would write AGENTS.md');
    expect(pushes(r)).toBe(pushed);

    await r.github.mergePull(1, 'merge');
    const fresh = await runAction(await checkout(r, { event: 'push' }), r, { command: 'compile', check: 'true' });
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(0);
    expect(fresh.outputs).toMatchObject({ outcome: 'up-to-date', stale: 'false' });
    expect(annotations(fresh, 'error')).toEqual([]);

    // Someone edits the compiled file's header on main: the check names the file and line, and the step fails.
    const workspace = await checkout(r, { event: 'push' });
    const text = readFileSync(path.join(workspace, 'AGENTS.md'), 'utf8');
    await writeFile(path.join(workspace, 'AGENTS.md'), text.replace(/^(<!--.*?)-->/, '$1(edited) -->'));
    await runGit(workspace, ['-c', 'user.name=Person', '-c', 'user.email=person@example.com', 'commit', '-q', '-am', 'edit AGENTS.md']);
    const edited = await runAction(workspace, r, { command: 'compile', check: 'true' });
    expect(edited.code).toBe(1);
    expect(annotations(edited, 'error')).toEqual([expect.stringMatching(/^::error title=reverie%3A hand edit that cannot be traced,file=AGENTS\.md,line=1::/)]);
    expect(edited.outputs).toMatchObject({ outcome: 'failed' });
  });

  it('an input of compile given to another command fails the step, naming it', async () => {
    const r = await remote();
    const run = await runAction(await checkout(r, { event: 'pull' }), r, { command: 'dream', check: 'true', 'github-token': TOKEN });
    expect(run.code).toBe(1);
    expect(annotations(run, 'error')).toEqual(['::error title=reverie%3A input::input check applies to command compile only (the command is dream)']);
    expect(r.github.state.pulls).toEqual([]);
  });
});
