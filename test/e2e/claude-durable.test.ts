/**
 * The claude engine's state across runners, end to end: the real SDK against the fake Messages API, the real git
 * smart-HTTP server holding the memory repository, the fake GitHub API serving it. A CI runner is a fresh clone that
 * is thrown away after the job: what a run paid for (a Message Batch submitted, map results) must reach the next run
 * through the repository itself, on `refs/reverie/engine`, and never be paid for twice.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dream, type DreamOptions, type DreamResult } from '../../src/cycle/dream.js';
import { ENGINE_STATE_REF } from '../../src/cycle/engine-state.js';
import { ModelApiError } from '../../src/errors.js';
import { proposal, scriptedModel, type Curator, type MapRule, type ScriptedModel } from '../helpers/claude-model.js';
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeAnthropicOptions } from '../helpers/fake-anthropic.js';
import { runGit } from '../helpers/git-server.js';
import { FAST_GITHUB, gitAuth, githubWorld, TOKEN, type World, type WorldOptions } from '../helpers/github-world.js';
import { CLI } from '../helpers/cli.js';
import { git, makeTempDir } from '../helpers/git.js';
import { transcript } from '../helpers/transcript.js';

const API_KEY = 'sk-ant-api03-fake-key-for-durable-tests-0000';

const RULES: MapRule[] = [
  {
    match: /npm error code EUNSUPPORTEDPROTOCOL/,
    observation: { kind: 'mistake', statement: 'Install dependencies with `pnpm install`: `npm install` fails on the `workspace:` protocol.', topic: 'package manager', fix: 'ran `pnpm install` instead' },
  },
  {
    match: /always (write|use) (dates in )?ISO 8601( format)?/i,
    observation: { kind: 'preference', statement: 'Write dates in release notes in ISO 8601 format.', topic: 'release notes dates', fix: null },
  },
];

/** Adds each pattern as a note. */
const ADDS: Curator = (view) => view.patterns.map((p) => proposal('add', { content: p.statement, patterns: [p.key], summary: `${p.kind}: ${p.statement}` }));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function fakeApi(model: ScriptedModel, options: Partial<FakeAnthropicOptions> = {}): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic({ apiKey: API_KEY, respond: model.responder, minimumCacheableTokens: 512, ...options });
  cleanups.push(() => fake.close());
  return fake;
}

/** The memory repo on the git server, reviewed on GitHub, dreaming with the claude engine; `claude` is more of its section. */
function world(options: WorldOptions & { claude?: string } = {}): Promise<World> {
  const { claude = '', ...rest } = options;
  return githubWorld(cleanups, { ...rest, extraConfig: `${rest.extraConfig ?? ''}claude:\n  max_tokens: 2000\n${claude}` });
}

/** A fresh clone of the repository on the git server, as the next CI runner has it: branches and tags, no other ref. */
async function runnerClone(w: World): Promise<string> {
  const clone = await makeTempDir();
  cleanups.push(() => rm(clone, { recursive: true, force: true }));
  await runGit(clone, ['clone', '-q', w.server.repoUrl('memory'), '.'], gitAuth());
  return clone;
}

/**
 * A cycle on `dir` with the claude engine through a Message Batch, against the fakes. It waits 30 ms for a batch: one
 * that has ended is read at its first look whatever the wait, and one that has not stops the cycle at once.
 */
function dreamIn(dir: string, fake: FakeAnthropic, extra: Partial<DreamOptions> = {}): Promise<DreamResult> {
  return dream({
    repoDir: dir,
    engine: 'claude',
    batch: true,
    github: FAST_GITHUB,
    now: new Date('2026-11-10T02:00:00Z'),
    ...extra,
    claude: { apiKey: API_KEY, baseURL: fake.url, maxRetryAfterMs: 20, batch: { pollMs: 1, maxPollMs: 2, maxWaitMs: 30 }, ...extra.claude },
  });
}

const batchPosts = (fake: FakeAnthropic) => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches');
const mapPosts = (fake: FakeAnthropic) => fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages' && JSON.stringify(r.body).includes('<session '));

/** The files of the engine's state as a repository holds it (the bare one on the server, or a clone), by path. */
function stateFiles(repo: string): Map<string, string> {
  const listed = git(repo, ['ls-tree', '-r', '--name-only', ENGINE_STATE_REF]);
  const files = listed === '' ? [] : listed.split('\n');
  return new Map(files.map((file) => [file, git(repo, ['show', `${ENGINE_STATE_REF}:${file}`])]));
}

const mapResultsIn = (files: Map<string, string>) => [...files.keys()].filter((file) => file.startsWith('map/'));

describe('the claude engine on a fresh runner', () => {
  it('a job killed while it waits for its batch has already pushed the batch: the next runner resumes it, never submits it again', async () => {
    const model = scriptedModel(RULES, ADDS);
    const fake = await fakeApi(model, { batchPollsInProgress: 1_000_000 });
    const w = await world({ mode: 'auto', claude: `  base_url: ${fake.url}\n` });

    // Runner A, as the workflow runs it; the job's time limit kills it in the middle of the wait (20 minutes by default).
    const job = spawn(process.execPath, [CLI, 'dream', '--repo', w.dir, '--engine', 'claude', '--batch'], { env: { ...process.env, ANTHROPIC_API_KEY: API_KEY, GITHUB_TOKEN: TOKEN } });
    const ended = new Promise((resolve) => job.on('close', resolve));
    cleanups.push(async () => {
      job.kill('SIGKILL');
      await ended;
    });
    while (git(w.bare, ['for-each-ref', ENGINE_STATE_REF]) === '') {
      if (job.exitCode !== null) throw new Error(`the job ended (exit ${job.exitCode}) before it pushed the state`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const id = JSON.parse(stateFiles(w.bare).get('batch.json') ?? '{}').id as string;
    expect(fake.batches.get(id)?.status).toBe('in_progress');
    job.kill('SIGKILL');
    await ended;
    expect(batchPosts(fake)).toHaveLength(1);

    // Runner B, a fresh clone, once the batch has ended.
    const batch = fake.batches.get(id);
    if (batch) batch.pollsInProgress = 0;
    const clone = await runnerClone(w);
    const resumed = await dreamIn(clone, fake);
    expect(batchPosts(fake)).toHaveLength(1);
    expect(resumed.run?.batch).toBe(id);
    expect(resumed.outcome).toBe('committed');
    expect(model.mapped.sort()).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('resumes a batch that an earlier runner left by its id: no second submission, and the cycle commits', async () => {
    const model = scriptedModel(RULES, ADDS);
    const fake = await fakeApi(model, { batchPollsInProgress: 1_000_000 });
    const w = await world({ mode: 'auto' });
    const main = git(w.bare, ['rev-parse', 'main']);

    // Runner A: the batch is submitted, and still running when the wait runs out.
    const first = await dreamIn(w.dir, fake);
    expect(first.outcome).toBe('stopped');
    expect(first.approval).toMatch(/Message Batch msgbatch_\w+ is still in_progress; the next cycle resumes it/);
    expect(batchPosts(fake)).toHaveLength(1);
    const id = first.run?.batch as string;
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(main);
    // On GitHub: the pending batch, on a ref that is no branch and no cycle.
    const kept = stateFiles(w.bare);
    expect(JSON.parse(kept.get('batch.json') ?? '{}')).toMatchObject({ id, requests: expect.any(Object) });
    expect(Object.values(JSON.parse(kept.get('batch.json') ?? '{}').requests)).toHaveLength(4);
    expect(git(w.bare, ['for-each-ref', '--format=%(refname)', 'refs/heads/'])).toBe('refs/heads/main');
    // Nothing secret travels with it.
    for (const text of kept.values()) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(TOKEN);
    }

    // Runner B: a fresh clone, which has never seen the batch; meanwhile the batch has ended.
    const clone = await runnerClone(w);
    expect(existsSync(path.join(clone, '.git', 'reverie'))).toBe(false);
    const batch = fake.batches.get(id);
    if (batch) batch.pollsInProgress = 0;
    const second = await dreamIn(clone, fake);

    expect(batchPosts(fake)).toHaveLength(1);
    expect(mapPosts(fake)).toHaveLength(0);
    expect(second.run?.batch).toBe(id);
    expect(fake.batches.get(id)?.resultsFetched).toBe(1);
    expect(second.outcome).toBe('committed');
    expect(second.merged).toBe(true);
    expect(model.mapped.sort()).toEqual(['s1', 's2', 's3', 's4']);
    expect(git(w.bare, ['rev-parse', 'main'])).toBe(git(clone, ['rev-parse', 'main']));
    // The batch is read back and every session is recorded on main: the state on GitHub is empty again.
    expect(stateFiles(w.bare)).toEqual(new Map());
    expect(second.warnings).toEqual([]);

    // A third runner has nothing to resume, and sends nothing: no request, and no push of a state it did not change.
    const pushes = () => w.server.requests.filter((r) => r.service === 'git-receive-pack').length;
    const pushed = pushes();
    const third = await dreamIn(await runnerClone(w), fake);
    expect(third.outcome).toBe('nothing-new');
    expect(batchPosts(fake)).toHaveLength(1);
    expect(pushes()).toBe(pushed);
  });

  it('waits for a batch as long as claude.batch_wait_minutes says: 0 submits and stops at once', async () => {
    const model = scriptedModel(RULES, ADDS);
    const fake = await fakeApi(model, { batchPollsInProgress: 1_000_000 });
    const w = await world({ claude: '  batch_wait_minutes: 0\n' });
    // No wait passed by the caller: the configuration's is the one (the default, 20 minutes, would outlast the test).
    const result = await dreamIn(w.dir, fake, { claude: { batch: { pollMs: 1, maxPollMs: 2 } } });
    expect(result.outcome).toBe('stopped');
    expect(result.approval).toMatch(/is still in_progress; the next cycle resumes it/);
    const id = result.run?.batch as string;
    expect(fake.batches.get(id)?.polls).toBe(1);
    expect(JSON.parse(stateFiles(w.bare).get('batch.json') ?? '{}').id).toBe(id);
  });

  it('keeps what a failed cycle extracted for the next runner, and prunes it once main records the sessions', async () => {
    let curateFails = true;
    const model = scriptedModel(RULES, ADDS, (_body, _context, phase) => (phase === 'curate' && curateFails ? reply.error(400, 'invalid_request_error', 'prompt is too long') : undefined));
    const fake = await fakeApi(model);
    const w = await world({ mode: 'auto' });

    // Without a batch this time: each session's map answer is kept as it comes; then curation is refused.
    await expect(dreamIn(w.dir, fake, { batch: false })).rejects.toBeInstanceOf(ModelApiError);
    expect(mapPosts(fake)).toHaveLength(4);
    const kept = stateFiles(w.bare);
    expect(kept.has('batch.json')).toBe(false);
    expect(mapResultsIn(kept)).toHaveLength(4);
    const result = JSON.parse(kept.get(mapResultsIn(kept)[0] as string) ?? '{}');
    expect(result).toMatchObject({ session: expect.stringMatching(/^s\d$/), hash: expect.any(String), observations: [expect.objectContaining({ statement: expect.any(String) })] });

    // The next runner reads no session again: the four results come from the ref.
    curateFails = false;
    const clone = await runnerClone(w);
    const next = await dreamIn(clone, fake, { batch: false });
    expect(mapPosts(fake)).toHaveLength(4);
    expect(next.outcome).toBe('committed');
    expect(next.run?.cachedSessions).toBe(4);
    expect(next.actions.length).toBeGreaterThan(0);
    // main records the four sessions: their results go from the ref, and from the clone's own cache.
    expect(mapResultsIn(stateFiles(w.bare))).toEqual([]);
    expect(existsSync(path.join(clone, '.git', 'reverie', 'claude', 'map'))).toBe(true);
    expect(mapResultsIn(stateFiles(clone))).toEqual([]);
  });

  it('a push of the state that fails is a warning; the clone keeps the batch, resumes it, and pushes the state on its next run', async () => {
    const model = scriptedModel(RULES, ADDS);
    const fake = await fakeApi(model, { batchPollsInProgress: 1_000_000 });
    const w = await world();
    // Every push fails: the only push of a stopped cycle is the state's.
    w.server.failNext(100, 503, { service: 'git-receive-pack' });
    const stopped = await dreamIn(w.dir, fake);

    expect(stopped.outcome).toBe('stopped');
    const id = stopped.run?.batch as string;
    const warning = stopped.warnings.find((x) => x.message.includes(ENGINE_STATE_REF));
    expect(warning).toMatchObject({ file: '' });
    expect(warning?.message).toMatch(/could not be pushed to acme\/memory \(refs\/reverie\/engine\): could not push refs\/reverie\/engine to http:\/\/127\.0\.0\.1:\d+\/memory\.git: the git server did not answer \(HTTP 503\)/);
    expect(warning?.message).toContain(`a run on another clone does not see Message Batch ${id}`);
    expect(stopped.stats.warnings).toBe(stopped.warnings.length);
    expect(git(w.bare, ['for-each-ref', ENGINE_STATE_REF])).toBe('');
    // Here it is kept: in the engine's folder and on the local ref.
    expect(JSON.parse(readFileSync(path.join(w.dir, '.git', 'reverie', 'claude', 'batch.json'), 'utf8')).id).toBe(id);
    expect(JSON.parse(stateFiles(w.dir).get('batch.json') ?? '{}').id).toBe(id);

    // GitHub answers again, still before the batch has ended: the state is pushed, the batch not sent again.
    w.server.failNext(0);
    const waiting = await dreamIn(w.dir, fake);
    expect(waiting.outcome).toBe('stopped');
    expect(waiting.warnings).toEqual([]);
    expect(batchPosts(fake)).toHaveLength(1);
    expect(JSON.parse(stateFiles(w.bare).get('batch.json') ?? '{}').id).toBe(id);

    const batch = fake.batches.get(id);
    if (batch) batch.pollsInProgress = 0;
    const resumed = await dreamIn(w.dir, fake);
    expect(batchPosts(fake)).toHaveLength(1);
    expect(resumed.outcome).toBe('committed');
    expect(resumed.run?.batch).toBe(id);
    // Review mode: the sessions are recorded on the cycle's branch, not yet on main; their results stay kept.
    expect(resumed.pull?.action).toBe('created');
    const kept = stateFiles(w.bare);
    expect(kept.has('batch.json')).toBe(false);
    expect(mapResultsIn(kept)).toHaveLength(4);
  });

  it('a state another run pushed while this one ran is taken in before this one pushes, not replaced', async () => {
    let pushFromA: (() => Promise<void>) | undefined;
    const model = scriptedModel(RULES, ADDS, (_body, _context, phase) => (phase === 'curate' ? reply.error(400, 'invalid_request_error', 'prompt is too long') : undefined));
    const responder = model.responder;
    const fake = await fakeApi({
      ...model,
      // While B reads its sessions, A's state reaches GitHub.
      responder: async (body, context) => {
        const push = pushFromA;
        pushFromA = undefined;
        await push?.();
        return responder(body, context);
      },
    });
    const w = await world();
    const clone = await runnerClone(w);
    // Each clone has a session of its own, not committed: each run maps it, and only that run.
    const session = (dir: string, id: string) => {
      mkdirSync(path.join(dir, 'sessions', 'notes-agent'), { recursive: true });
      writeFileSync(path.join(dir, 'sessions', 'notes-agent', `${id}.jsonl`), transcript({ sessionId: id, start: '2026-11-06T09:00:00Z' }, [{ user: `Note for ${id}.` }, { assistant: 'Noted.' }]));
    };
    session(w.dir, 'a-only');
    session(clone, 'b-only');

    // A: its push fails, so its state stays on its own ref.
    w.server.failNext(100, 503, { service: 'git-receive-pack' });
    await expect(dreamIn(w.dir, fake, { batch: false })).rejects.toBeInstanceOf(ModelApiError);
    expect(mapResultsIn(stateFiles(w.dir))).toHaveLength(5);
    expect(git(w.bare, ['for-each-ref', ENGINE_STATE_REF])).toBe('');
    w.server.failNext(0);

    // B starts with nothing on GitHub; A pushes its state while B runs.
    pushFromA = async () => void (await runGit(w.dir, ['push', '-q', 'origin', `${ENGINE_STATE_REF}:${ENGINE_STATE_REF}`], gitAuth()));
    await expect(dreamIn(clone, fake, { batch: false })).rejects.toBeInstanceOf(ModelApiError);
    expect(pushFromA).toBeUndefined();
    // B's push carries what A kept too: the four shared sessions and each clone's own.
    const kept = stateFiles(w.bare);
    expect(mapResultsIn(kept)).toHaveLength(6);
    const sessions = [...kept.values()].map((text) => (JSON.parse(text) as { session: string }).session).sort();
    expect(sessions).toEqual(['a-only', 'b-only', 's1', 's2', 's3', 's4']);
  });
});
