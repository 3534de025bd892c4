/**
 * `reverie store push` / `pull` / `sessions` against the fake Managed Agents API (test/helpers/fake-managed-agents.ts)
 * with the real SDK: a store mirrors the memory repository both ways, every change an agent makes there comes back as
 * a commit with its actor on a branch reviewed like a cycle, every approved change goes up with preconditions, and a
 * write the push has not seen is never overwritten.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { openContext } from '../../src/cycle/repo-context.js';
import { pullStore, pushStore } from '../../src/store/sync.js';
import { reverieAsync, type CliResult } from '../helpers/cli.js';
import { event, sha256, startFakeManagedAgents, type FakeManagedAgents } from '../helpers/fake-managed-agents.js';
import { commitFiles, git, makeTempRepo } from '../helpers/git.js';

const API_KEY = 'sk-ant-api03-store-test-key';

const NOTES = `# Notes

## Tools

- Use pnpm for every install.
- Deploy with make release from a clean checkout of main.
`;

const STYLE = `# Style

- Tabs, not spaces.
`;

function config(storeId: string, mode: 'auto' | 'review' = 'review', extra = ''): string {
  return `mode: ${mode}
memory:
  root: memory
  namespaces:
    - name: instructions
      paths: ["instructions/**"]
      policy: protected
    - name: notes
      paths: ["**/*.md"]
store:
  id: ${storeId}
${extra}`;
}

const cleanups: (() => Promise<void>)[] = [];
let fake: FakeManagedAgents;

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  await fake?.close();
});

async function setUp(mode: 'auto' | 'review' = 'review', extra = '') {
  fake = await startFakeManagedAgents({ apiKey: API_KEY });
  const store = fake.createStore('team memory');
  const repo = await makeTempRepo({
    'reverie.yaml': config(store.id, mode, extra),
    'memory/notes.md': NOTES,
    'memory/style.md': STYLE,
    'memory/instructions/rules.md': '# Rules\n\n- Never push to main.\n',
  });
  cleanups.push(repo.cleanup);
  const run = (...args: string[]): Promise<CliResult> => reverieAsync([...args, '--repo', repo.dir], { env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url } });
  const json = async <T = Record<string, any>>(...args: string[]): Promise<T & { code: number }> => {
    const result = await run(...args, '--json');
    try {
      return { ...(JSON.parse(result.stdout) as T), code: result.code };
    } catch {
      throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
  };
  return { store, dir: repo.dir, run, json };
}

// Each test runs the CLI a dozen times or more: on a loaded machine that is minutes, not the project's 60 seconds.
describe('reverie store push and pull', { timeout: 300_000 }, () => {
  it('pushes the memory, brings an agent’s writes back as commits with its actor, and pushes nothing once in sync', async () => {
    const { store, dir, run, json } = await setUp();
    const pushed = await json('store', 'push');
    expect(pushed.code).toBe(0);
    expect(pushed.files.map((f: any) => [f.path, f.action])).toEqual([
      ['/instructions/rules.md', 'created'],
      ['/notes.md', 'created'],
      ['/style.md', 'created'],
    ]);
    expect(Object.fromEntries(fake.contents(store.id))).toEqual({ '/instructions/rules.md': '# Rules\n\n- Never push to main.\n', '/notes.md': NOTES, '/style.md': STYLE });
    // Recorded on main, in a commit of its own.
    expect(git(dir, ['show', '--stat', '--format=%s', 'main'])).toMatch(/^store\(\.reverie\/store\.json\): record the push[\s\S]*\.reverie\/store\.json \|/);

    // A re-run sends nothing, and a pull finds nothing new: its own writes are not brought back.
    const again = await json('store', 'push');
    expect(again.sent).toBe(0);
    expect(again.record_commit).toBeNull();
    const quiet = await json('store', 'pull');
    expect(quiet.commits).toEqual([]);

    // Agents write in the store: one edits notes, another adds a file, then renames it.
    const agent = fake.sessionActor('sesn_01agentA');
    fake.write(store.id, '/notes.md', `${NOTES}- Run the tests with pnpm test before a release.\n`, agent);
    fake.write(store.id, '/deploy.md', '# Deploy\n\n- Tag first.\n', fake.sessionActor('sesn_01agentB'));
    fake.rename(store.id, '/deploy.md', '/release.md', fake.sessionActor('sesn_01agentB'));
    fake.write(store.id, '/instructions/rules.md', '# Rules\n\n- Push to main freely.\n', agent);

    const main = git(dir, ['rev-parse', 'main']);
    const pulled = await json('store', 'pull');
    expect(pulled.code).toBe(0);
    expect(pulled.branch).toMatch(/^reverie\/store-\d{8}-\d{6}$/);
    expect(pulled.merged).toBe(false);
    expect(pulled.commits.map((c: any) => [c.operation, c.files, c.actor])).toEqual([
      ['modified', ['memory/notes.md'], 'agent session sesn_01agentA'],
      ['created', ['memory/deploy.md'], 'agent session sesn_01agentB'],
      ['modified', ['memory/deploy.md', 'memory/release.md'], 'agent session sesn_01agentB'],
    ]);
    expect(pulled.skipped.map((s: any) => s.reason)).toEqual([expect.stringContaining('memory/instructions/rules.md is in a protected namespace')]);
    // main moved by the record alone; the memory waits on the branch.
    expect(git(dir, ['diff', '--name-only', main, 'main'])).toBe('.reverie/store.json');
    const log = git(dir, ['log', '--format=%an <%ae>%n%B%n--', `main..${pulled.branch}`]);
    expect(log).toContain('agent session sesn_01agentA <sesn_01agentA@session-actor.managed-agents.invalid>');
    expect(log).toMatch(/Reverie-Store-Version: memver_/);
    expect(log).toContain('Reverie-Session: sesn_01agentA');
    expect(log).toContain(`Reverie-Store: ${store.id}`);

    const status = await run('status');
    expect(status.stdout).toContain(`pending    ${pulled.branch} (memory store writes to memory/deploy.md, memory/notes.md, memory/release.md, 3 commits)`);
    // A pull while the branch waits brings nothing twice.
    expect((await json('store', 'pull')).commits).toEqual([]);
    // A push while it waits does not send main's notes over the agent's; it restores the protected file.
    const waiting = await json('store', 'push');
    expect(waiting.files.filter((f: any) => f.action !== 'in-sync').map((f: any) => [f.path, f.action])).toEqual([
      ['/instructions/rules.md', 'updated'],
      ['/notes.md', 'waiting'],
      ['/release.md', 'waiting'],
    ]);
    expect(fake.contents(store.id).get('/notes.md')).toContain('pnpm test');
    expect(fake.contents(store.id).get('/instructions/rules.md')).toBe('# Rules\n\n- Never push to main.\n');

    const approved = await run('approve', pulled.branch);
    expect(approved.code, approved.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'memory/notes.md'), 'utf8')).toContain('- Run the tests with pnpm test before a release.');
    expect(existsSync(path.join(dir, 'memory/release.md'))).toBe(true);
    expect(git(dir, ['log', '-1', '--format=%an', 'main', '--', 'memory/notes.md'])).toBe('agent session sesn_01agentA');
    const why = await run('why', 'memory/notes.md:7');
    expect(why.stdout, why.stderr).toContain('written by agent session sesn_01agentA with the memory store tool (modified)');

    // Approved: in sync.
    const after = await json('store', 'push');
    expect(after.files.map((f: any) => f.action)).toEqual(['in-sync', 'in-sync', 'in-sync', 'in-sync']);
    expect(after.sent).toBe(0);
    // A person's change on main goes up with the store's hash as its precondition.
    await commitFiles(dir, { 'memory/style.md': `${STYLE}- Name files in kebab-case.\n` }, 'style: kebab-case');
    const sent = await json('store', 'push');
    expect(sent.files.filter((f: any) => f.action !== 'in-sync').map((f: any) => [f.path, f.action])).toEqual([['/style.md', 'updated']]);
    const update = fake.requests.filter((r) => r.method === 'POST' && /\/memories\/mem_/.test(r.path)).pop();
    expect(update?.body).toMatchObject({ precondition: { type: 'content_sha256', content_sha256: sha256(STYLE) } });
    expect((await json('store', 'push')).sent).toBe(0);
    expect(fake.violations).toEqual([]);

    // What the agent's session wrote is undone as the memory tool's writes are.
    const reverted = await run('revert', 'session-sesn_01agentA', '--mode', 'auto');
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'memory/notes.md'), 'utf8')).toBe(NOTES);
  });

  it('never overwrites a write made in the store between pull and push: it comes back as a branch to decide', async () => {
    const { store, dir, run, json } = await setUp();
    expect((await json('store', 'push')).code).toBe(0);
    expect((await json('store', 'pull')).commits).toEqual([]);
    // main and the store both change notes after the last sync.
    await commitFiles(dir, { 'memory/notes.md': NOTES.replace('Use pnpm for every install.', 'Use pnpm 9 for every install.') }, 'notes: pnpm 9');
    const agentText = `${NOTES}- Cache the pnpm store in CI.\n`;
    fake.write(store.id, '/notes.md', agentText, fake.sessionActor('sesn_01agentC'));

    const pushed = await run('store', 'push');
    expect(pushed.code).toBe(1);
    expect(pushed.stdout).toMatch(/conflict\s+memory\/notes\.md → \/notes\.md: changed in the store since the last sync/);
    expect(fake.contents(store.id).get('/notes.md')).toBe(agentText);
    expect(fake.requests.some((r) => r.method === 'POST' && /\/memories\/mem_/.test(r.path))).toBe(false);
    const branch = /reverie approve (reverie\/store-\S+)/.exec(pushed.stdout)?.[1];
    expect(branch).toBeDefined();
    // The two changes touch different lines: the branch merges them, and approving keeps both.
    expect(pushed.stdout).toContain("merged with main's change");
    expect((await run('approve', branch!)).code).toBe(0);
    const notes = readFileSync(path.join(dir, 'memory/notes.md'), 'utf8');
    expect(notes).toContain('Use pnpm 9 for every install.');
    expect(notes).toContain('- Cache the pnpm store in CI.');
    const resolved = await json('store', 'push');
    expect(resolved.files.find((f: any) => f.path === '/notes.md')).toMatchObject({ action: 'updated' });
    expect(fake.contents(store.id).get('/notes.md')).toBe(notes);
  });

  it('a rejected store branch keeps main, and the next push sends main over the agent’s write it has seen', async () => {
    const { store, dir, run, json } = await setUp();
    await json('store', 'push');
    const agentText = '# Style\n\n- Spaces.\n';
    fake.write(store.id, '/style.md', agentText, fake.sessionActor('sesn_01agentD'));
    const pulled = await json('store', 'pull');
    const rejected = await run('reject', pulled.branch);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(git(dir, ['branch', '--list', pulled.branch])).toBe('');
    expect(readFileSync(path.join(dir, 'memory/style.md'), 'utf8')).toBe(STYLE);
    // Rejected versions are not brought back; main goes up, conditioned on the text the pull saw.
    expect((await json('store', 'pull')).commits).toEqual([]);
    const pushed = await json('store', 'push');
    expect(pushed.files.find((f: any) => f.path === '/style.md')).toMatchObject({ action: 'updated' });
    const update = fake.requests.filter((r) => r.method === 'POST' && /\/memories\/mem_/.test(r.path)).pop();
    expect(update?.body).toMatchObject({ content: STYLE, precondition: { content_sha256: sha256(agentText) } });
    expect(fake.contents(store.id).get('/style.md')).toBe(STYLE);
  });

  it('turns a failed precondition (a write racing the push) into a review item, not an overwrite', async () => {
    const { store, dir, json } = await setUp('review');
    expect((await json('store', 'push')).code).toBe(0);
    await commitFiles(dir, { 'memory/style.md': '# Style\n\n- Tabs, always.\n' }, 'style');
    const raced = '# Style\n\n- Spaces, two of them.\n';
    // An agent writes the file after the push listed the store and before its update arrives.
    const client = new Anthropic({
      apiKey: API_KEY,
      baseURL: fake.url,
      maxRetries: 0,
      fetch: async (url, init) => {
        if (init?.method === 'POST' && /\/memories\/mem_/.test(String(url)) && fake.contents(store.id).get('/style.md') === STYLE) {
          fake.write(store.id, '/style.md', raced, fake.sessionActor('sesn_01racer'));
        }
        return fetch(url, init);
      },
    });
    const report = await pushStore(await openContext(dir), { now: new Date(), client });
    expect(report.files.find((f) => f.path === '/style.md')).toMatchObject({ action: 'conflict', reason: 'written in the store while this push ran' });
    expect(fake.contents(store.id).get('/style.md')).toBe(raced);
    const conflict = fake.requests.find((r) => r.status === 409);
    expect(conflict?.body).toMatchObject({ precondition: { content_sha256: sha256(STYLE) } });
    expect(report.pull?.branch).toMatch(/^reverie\/store-/);
    expect(report.pull?.commits.map((c) => [c.files, c.actor, c.against_main])).toEqual([[['memory/style.md'], 'agent session sesn_01racer', 'replaces']]);
    expect(git(dir, ['show', `${report.pull!.branch}:memory/style.md`])).toBe(raced.trimEnd());
    expect(readFileSync(path.join(dir, 'memory/style.md'), 'utf8')).toBe('# Style\n\n- Tabs, always.\n');
  });

  it('in auto mode, still sends to review a version that would replace what main changed since the last sync', async () => {
    const { store, dir, json } = await setUp('auto');
    await json('store', 'push');
    await commitFiles(dir, { 'memory/style.md': '# Style\n\n- Tabs, always.\n' }, 'style');
    fake.write(store.id, '/style.md', '# Style\n\n- Spaces.\n', fake.sessionActor('sesn_01agentE'));
    const client = new Anthropic({ apiKey: API_KEY, baseURL: fake.url, maxRetries: 0 });
    const report = await pullStore(await openContext(dir), { now: new Date(), client });
    expect(report).toMatchObject({ merged: false, branch: expect.stringMatching(/^reverie\/store-/) });
    expect(report.commits.map((c) => c.against_main)).toEqual(['replaces']);
    expect(readFileSync(path.join(dir, 'memory/style.md'), 'utf8')).toBe('# Style\n\n- Tabs, always.\n');
  });

  it('refuses a memory over 100 kB with its size, and sends the rest', async () => {
    const { store, dir, run } = await setUp();
    const big = `# Big\n\n${'- a long line of notes about the build and the deploy.\n'.repeat(2000)}`;
    await commitFiles(dir, { 'memory/big.md': big }, 'big notes');
    const result = await run('store', 'push');
    expect(result.code).toBe(1);
    const bytes = Buffer.byteLength(big).toLocaleString('en-US');
    expect(result.stdout).toContain(`too-large  memory/big.md → /big.md: ${bytes} bytes; a store memory is at most 102,400 bytes (100 kB): not sent`);
    expect(fake.contents(store.id).has('/big.md')).toBe(false);
    expect(fake.contents(store.id).has('/notes.md')).toBe(true);
    expect(fake.bodiesContain('a long line of notes')).toBe(false);
    expect(fake.violations).toEqual([]);
  });

  it('in auto mode, moves main to what the store brings; with no key, says so', async () => {
    const { store, dir, run, json } = await setUp('auto');
    await json('store', 'push');
    fake.write(store.id, '/style.md', `${STYLE}- Prefer early returns.\n`, { type: 'user_actor', user_id: 'user_01console' });
    const pulled = await json('store', 'pull');
    expect(pulled).toMatchObject({ merged: true, branch: 'main' });
    expect(git(dir, ['log', '-1', '--format=%an|%s', 'main', '--', 'memory/style.md'])).toBe('user user_01console|store(memory/style.md): modified by user user_01console');
    expect(readFileSync(path.join(dir, 'memory/style.md'), 'utf8')).toContain('Prefer early returns.');
    const noKey = await reverieAsync(['store', 'pull', '--repo', dir], { env: { ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: fake.url } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('ANTHROPIC_API_KEY');
    void run;
  });

  it('names the key of a bad store: section', async () => {
    const { dir, run } = await setUp();
    await commitFiles(dir, { 'reverie.yaml': config('not-a-store').replace('store:\n', 'store:\n  path: notes\n') }, 'bad');
    const result = await run('store', 'push');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/store\.(id|path)/);
  });
});

describe('reverie store sessions', { timeout: 300_000 }, () => {
  it('saves the sessions that used the store as redacted logs, which reverie sessions reads', async () => {
    const { store, dir, run, json } = await setUp();
    const secret = 'sk-ant-api03-' + 'Zx9'.repeat(30);
    fake.addSession({
      id: 'sesn_01builder',
      agentName: 'builder',
      memoryStoreIds: [store.id],
      events: [
        event.user(`The build fails. My key is ${secret}`),
        event.toolUse('sevt_01tool', 'bash', { command: 'pnpm build' }),
        event.toolResult('sevt_01tool', 'ERR_PNPM_NO_LOCKFILE', true),
        event.agent('Run pnpm install first, then build.'),
        event.idle(),
      ],
    });
    fake.addSession({ id: 'sesn_01elsewhere', events: [event.user('unrelated')] });

    const saved = await json('store', 'sessions');
    expect(saved.code).toBe(0);
    expect(saved.listed).toBe(1);
    expect(saved.copied.map((c: any) => c.to)).toEqual(['sessions/managed-agents/builder/sesn_01builder.jsonl']);
    const file = readFileSync(path.join(dir, 'sessions/managed-agents/builder/sesn_01builder.jsonl'), 'utf8');
    expect(file).not.toContain(secret);
    expect(file.split('\n')[0]).toContain('"type":"session"');

    const read = await json('sessions');
    expect(read.sessions).toEqual([
      expect.objectContaining({ id: 'sesn_01builder', agent: 'builder', format: 'managed-agents', tool_calls: 1 }),
    ]);
    // Saved once: a second run writes nothing.
    expect((await json('store', 'sessions')).copied).toEqual([]);
    expect(readdirSync(path.join(dir, 'sessions/managed-agents'))).toEqual(['builder']);
    void run;
  });

  it('with sessions.on_dream, a cycle reads the store’s sessions from the API', async () => {
    const { store, dir, run } = await setUp('review', '  sessions:\n    on_dream: true\n');
    for (const id of ['sesn_01one', 'sesn_01two']) {
      fake.addSession({ id, agentName: 'builder', memoryStoreIds: [store.id], events: [event.user('Always run pnpm install before pnpm build.'), event.agent('Noted: pnpm install first.')] });
    }
    const cycle = await run('dream', '--json');
    expect(cycle.code, cycle.stderr).toBe(0);
    expect(cycle.stderr).toContain(`store: 2 session(s) of ${store.id} saved in sessions/managed-agents for this cycle`);
    expect(JSON.parse(cycle.stdout).stats).toMatchObject({ new_sessions: 2 });
    expect(readdirSync(path.join(dir, 'sessions/managed-agents/builder')).sort()).toEqual(['sesn_01one.jsonl', 'sesn_01two.jsonl']);
  });
});
