/**
 * The fake Managed Agents API, driven by the real @anthropic-ai/sdk client: memory stores, memories with their
 * preconditions and path conflicts, memory versions with their actors, sessions and their events, and dreams with
 * their lifecycle. Each test also proves the fake refuses what the API refuses, so that code tested against it
 * speaks the API.
 */
import Anthropic, { BadRequestError, ConflictError, NotFoundError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  event,
  sha256,
  startFakeManagedAgents,
  type FakeManagedAgents,
  type FakeManagedAgentsOptions,
} from '../helpers/fake-managed-agents.js';

const API_KEY = 'sk-ant-api03-managed-agents-test-key';

let fake: FakeManagedAgents | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: Partial<FakeManagedAgentsOptions> = {}) {
  fake = await startFakeManagedAgents({ apiKey: API_KEY, ...options });
  const client = new Anthropic({ apiKey: API_KEY, baseURL: fake.url, maxRetries: 0 });
  return { fake, client };
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

describe('memory stores', () => {
  it('creates, retrieves, lists, archives and deletes a store', async () => {
    const { fake, client } = await start();
    const store = await client.beta.memoryStores.create({ name: 'team memory', description: 'what the team knows' });
    expect(store).toMatchObject({ type: 'memory_store', name: 'team memory', archived_at: null, metadata: {} });
    expect(store.id).toMatch(/^memstore_/);
    expect(await client.beta.memoryStores.retrieve(store.id)).toEqual(store);

    const other = await client.beta.memoryStores.create({ name: 'other' });
    const archived = await client.beta.memoryStores.archive(other.id);
    expect(archived.archived_at).not.toBeNull();
    expect((await all(client.beta.memoryStores.list())).map((s) => s.id)).toEqual([store.id]);
    const everything = await all(client.beta.memoryStores.list({ include_archived: true }));
    expect(everything.map((s) => s.id)).toEqual([other.id, store.id]);

    // An archived store can be read and deleted, not written.
    await expect(
      client.beta.memoryStores.memories.create(other.id, { path: '/a.md', content: 'x' }),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect(await client.beta.memoryStores.delete(other.id)).toEqual({ id: other.id, type: 'memory_store_deleted' });
    await expect(client.beta.memoryStores.retrieve(other.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.requests.every((request) => request.betas.includes('agent-memory-2026-07-22'))).toBe(true);
  });

  it('refuses a store without a name, and records the violation', async () => {
    const { fake, client } = await start();
    await expect(client.beta.memoryStores.create({ name: '' })).rejects.toBeInstanceOf(BadRequestError);
    expect(fake.violations).toEqual(['POST /v1/memory_stores: name: String should have between 1 and 255 characters']);
  });
});

describe('memories', () => {
  it('creates, reads, updates with a precondition, lists by prefix and deletes', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory');
    const memories = client.beta.memoryStores.memories;
    const created = await memories.create(store.id, { path: '/notes/tools.md', content: 'Use pnpm.\n' });
    // create answers with view=basic: the hash and size, not the content.
    expect(created).toMatchObject({
      path: '/notes/tools.md',
      content: null,
      content_sha256: sha256('Use pnpm.\n'),
      content_size_bytes: 10,
    });
    const read = await memories.retrieve(created.id, { memory_store_id: store.id });
    expect(read.content).toBe('Use pnpm.\n');

    const updated = await memories.update(created.id, {
      memory_store_id: store.id,
      content: 'Use pnpm, never npm.\n',
      precondition: { type: 'content_sha256', content_sha256: read.content_sha256 },
      view: 'full',
    });
    expect(updated.content).toBe('Use pnpm, never npm.\n');
    expect(updated.memory_version_id).not.toBe(created.memory_version_id);

    await memories.create(store.id, { path: '/notes/deep/a.md', content: 'a' });
    await memories.create(store.id, { path: '/notes-archive/old.md', content: 'old' });
    await memories.create(store.id, { path: '/top.md', content: 'top' });
    const underNotes = await all(memories.list(store.id, { path_prefix: '/notes/' }));
    expect(underNotes.map((item) => item.path)).toEqual(['/notes/deep/a.md', '/notes/tools.md']);
    const children = await all(memories.list(store.id, { path_prefix: '/notes/', depth: 1 }));
    expect(children).toEqual([
      { type: 'memory_prefix', path: '/notes/deep/' },
      expect.objectContaining({ type: 'memory', path: '/notes/tools.md', content: null }),
    ]);
    const full = await all(memories.list(store.id, { view: 'full' }));
    expect(full.find((item) => item.path === '/top.md')).toMatchObject({ content: 'top' });

    const deleted = await memories.delete(created.id, {
      memory_store_id: store.id,
      expected_content_sha256: sha256('Use pnpm, never npm.\n'),
    });
    expect(deleted).toEqual({ id: created.id, type: 'memory_deleted' });
    expect([...fake.contents(store.id).keys()]).toEqual(['/notes-archive/old.md', '/notes/deep/a.md', '/top.md']);
    expect(fake.violations).toEqual([]);
  });

  it('refuses a stale precondition with 409 memory_precondition_failed_error, and changes nothing', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory', { '/a.md': 'one' });
    const [listed] = await all(client.beta.memoryStores.memories.list(store.id));
    if (listed?.type !== 'memory') throw new Error('expected a memory');
    const id = listed.id;
    fake.write(store.id, '/a.md', 'two, by an agent');

    const stale = { type: 'content_sha256' as const, content_sha256: sha256('one') };
    const error = await client.beta.memoryStores.memories
      .update(id, { memory_store_id: store.id, content: 'three', precondition: stale })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).error).toMatchObject({
      type: 'error',
      error: { type: 'memory_precondition_failed_error' },
    });
    expect(fake.contents(store.id).get('/a.md')).toBe('two, by an agent');

    // A delete with a stale hash is refused too; one that would change nothing goes through.
    await expect(
      client.beta.memoryStores.memories.delete(id, { memory_store_id: store.id, expected_content_sha256: sha256('one') }),
    ).rejects.toBeInstanceOf(ConflictError);
    const same = await client.beta.memoryStores.memories.update(id, {
      memory_store_id: store.id,
      content: 'two, by an agent',
      precondition: stale,
    });
    expect(same.content_sha256).toBe(sha256('two, by an agent'));
    // The SDK does not retry: the answer says a retry cannot help.
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('refuses a path taken by another memory or overlapping one, naming it', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory', { '/notes/todo.md': 'x', '/b.md': 'b' });
    const [todo] = [...fake.stores.get(store.id)!.memories.values()];
    for (const path of ['/notes/todo.md', '/notes', '/notes/todo.md/sub.md']) {
      const error = await client.beta.memoryStores.memories
        .create(store.id, { path, content: 'y' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).error).toMatchObject({
        error: {
          type: 'memory_path_conflict_error',
          conflicting_path: '/notes/todo.md',
          conflicting_memory_id: todo!.id,
        },
      });
    }
    const b = [...fake.stores.get(store.id)!.memories.values()].find((m) => m.path === '/b.md')!;
    await expect(
      client.beta.memoryStores.memories.update(b.id, { memory_store_id: store.id, path: '/notes/todo.md' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(fake.violations).toEqual([]);
  });

  it('refuses a memory over 100 kB and a path the API does not allow', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory');
    const create = (path: string, content: string) =>
      client.beta.memoryStores.memories.create(store.id, { path, content });
    await expect(create('/big.md', 'x'.repeat(102_401))).rejects.toBeInstanceOf(BadRequestError);
    expect(fake.violations.pop()).toMatch(/content is 102401 bytes; the maximum size is 102400 bytes/);
    expect((await create('/just-fits.md', 'x'.repeat(102_400))).content_size_bytes).toBe(102_400);
    for (const path of ['notes.md', '/a//b.md', '/a/../b.md', '/a\u0000.md', '/e\u0301.md']) {
      await expect(create(path, 'x')).rejects.toBeInstanceOf(BadRequestError);
    }
    expect(fake.violations).toHaveLength(5);
  });
});

describe('memory versions', () => {
  it('records each change with its operation and actor, the agent’s as a session actor', async () => {
    const { fake, client } = await start();
    const store = await client.beta.memoryStores.create({ name: 'memory' });
    const created = await client.beta.memoryStores.memories.create(store.id, { path: '/a.md', content: 'one' });
    const agent = fake.sessionActor('sesn_agent');
    fake.write(store.id, '/a.md', 'two', agent);
    fake.write(store.id, '/a.md', 'two', agent); // no change, no version
    fake.rename(store.id, '/a.md', '/b.md', agent);
    fake.remove(store.id, '/b.md', agent);

    const versions = await all(client.beta.memoryStores.memoryVersions.list(store.id));
    expect(versions.map((v) => [v.operation, v.created_by?.type, v.path, v.content_sha256])).toEqual([
      ['deleted', 'session_actor', '/b.md', null],
      ['modified', 'session_actor', '/b.md', sha256('two')],
      ['modified', 'session_actor', '/a.md', sha256('two')],
      ['created', 'api_actor', '/a.md', sha256('one')],
    ]);
    // A list is basic: no content. A retrieval is full.
    expect(versions.every((v) => v.content === null)).toBe(true);
    const first = await client.beta.memoryStores.memoryVersions.retrieve(versions[3]!.id, {
      memory_store_id: store.id,
    });
    expect(first).toMatchObject({ content: 'one', memory_id: created.id, created_by: fake.apiActor });

    const bySession = await all(client.beta.memoryStores.memoryVersions.list(store.id, { session_id: 'sesn_agent' }));
    expect(bySession).toHaveLength(3);
    const deletions = await all(client.beta.memoryStores.memoryVersions.list(store.id, { operation: 'deleted' }));
    expect(deletions.map((v) => v.memory_id)).toEqual([created.id]);
    const since = await all(
      client.beta.memoryStores.memoryVersions.list(store.id, { 'created_at[gte]': versions[1]!.created_at }),
    );
    expect(since.map((v) => v.id)).toEqual([versions[0]!.id, versions[1]!.id]);
  });

  it('pages with the opaque cursor the SDK follows', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory');
    for (let i = 0; i < 45; i++) fake.write(store.id, `/m${String(i).padStart(2, '0')}.md`, `${i}`);
    const page = await client.beta.memoryStores.memoryVersions.list(store.id, { limit: 20 });
    expect(page.data).toHaveLength(20);
    expect(page.next_page).toEqual(expect.any(String));
    expect(await all(client.beta.memoryStores.memoryVersions.list(store.id, { limit: 20 }))).toHaveLength(45);
    // view=full caps a page at 20.
    const fullPage = await client.beta.memoryStores.memoryVersions.list(store.id, { view: 'full', limit: 50 });
    expect(fullPage.data).toHaveLength(20);
  });
});

describe('sessions', () => {
  it('lists and retrieves sessions, and lists their events in order', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory');
    const older = fake.addSession({ title: 'older', memoryStoreIds: [store.id] });
    const newer = fake.addSession({
      title: 'fix the build',
      agentName: 'builder',
      memoryStoreIds: [store.id],
      events: [
        event.user('The build fails.'),
        event.toolUse('sevt_tool1', 'bash', { command: 'pnpm build' }),
        event.toolResult('sevt_tool1', 'error: missing lockfile', true),
        event.agent('Run pnpm install first.'),
        event.idle(),
      ],
    });
    fake.addSession({ title: 'elsewhere' });

    const listed = await all(client.beta.sessions.list({ memory_store_id: store.id }));
    expect(listed.map((s) => s.id)).toEqual([newer.id, older.id]);
    const retrieved = await client.beta.sessions.retrieve(newer.id);
    expect(retrieved).toMatchObject({ title: 'fix the build', agent: { name: 'builder' }, type: 'session' });

    const events = await all(client.beta.sessions.events.list(newer.id));
    expect(events.map((e) => e.type)).toEqual([
      'user.message',
      'agent.tool_use',
      'agent.tool_result',
      'agent.message',
      'session.status_idle',
    ]);
    const messages = await all(client.beta.sessions.events.list(newer.id, { types: ['agent.message'], order: 'desc' }));
    expect(messages).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/sessions')).every((r) => r.betas.includes('managed-agents-2026-04-01'))).toBe(true);
    await expect(client.beta.sessions.retrieve('sesn_missing')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('dreams', () => {
  it('runs pending → running → completed, writing the dreamer’s store as a new store', async () => {
    const { fake, client } = await start({
      dreamPendingPolls: 1,
      dreamRunningPolls: 1,
      dreamer: ({ memories, sessions }) => ({
        memories: {
          ...Object.fromEntries(memories),
          '/learned.md': `From ${sessions.length} session(s).\n`,
        },
      }),
    });
    const store = fake.createStore('memory', { '/a.md': 'one' });
    const session = fake.addSession({ events: [event.user('hello')] });
    const created = await client.beta.dreams.create({
      inputs: [
        { type: 'memory_store', memory_store_id: store.id },
        { type: 'sessions', session_ids: [session.id] },
      ],
      model: 'claude-opus-4-7',
      instructions: 'Keep it short.',
    });
    expect(created).toMatchObject({ status: 'pending', outputs: [], session_id: null, model: { id: 'claude-opus-4-7' } });
    const statuses = [created.status];
    let dream = created;
    while (!['completed', 'failed', 'canceled'].includes(dream.status)) {
      dream = await client.beta.dreams.retrieve(created.id);
      statuses.push(dream.status);
    }
    expect(statuses).toEqual(['pending', 'pending', 'running', 'completed']);
    const outputId = dream.outputs[0]!.memory_store_id;
    expect(outputId).not.toBe(store.id);
    expect(Object.fromEntries(fake.contents(outputId))).toEqual({ '/a.md': 'one', '/learned.md': 'From 1 session(s).\n' });
    expect(Object.fromEntries(fake.contents(store.id))).toEqual({ '/a.md': 'one' });
    expect(dream.usage.output_tokens).toBeGreaterThan(0);
    // The output's versions are the dream session's.
    const versions = await all(client.beta.memoryStores.memoryVersions.list(outputId));
    expect(new Set(versions.map((v) => JSON.stringify(v.created_by)))).toEqual(
      new Set([JSON.stringify({ type: 'session_actor', session_id: dream.session_id })]),
    );
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/dreams')).every((r) => r.betas.includes('dreaming-2026-04-21'))).toBe(true);
  });

  it('fails with the dreamer’s error, cancels, archives, lists newest first, and refuses a held store', async () => {
    const { fake, client } = await start({
      dreamer: () => ({ error: { type: 'timeout', message: 'took too long' } }),
    });
    const store = fake.createStore('memory', { '/a.md': 'one' });
    const session = fake.addSession();
    const params = {
      inputs: [
        { type: 'memory_store' as const, memory_store_id: store.id },
        { type: 'sessions' as const, session_ids: [session.id] },
      ],
      model: 'claude-opus-4-7',
    };
    const failing = await client.beta.dreams.create(params);
    const failed = await fake.finishDream(failing.id);
    expect(failed).toMatchObject({ status: 'failed', error: { type: 'timeout' } });
    await expect(client.beta.dreams.cancel(failing.id)).rejects.toBeInstanceOf(BadRequestError);
    expect((await client.beta.dreams.archive(failing.id)).archived_at).not.toBeNull();

    const updating = await client.beta.dreams.create({
      ...params,
      output_behavior: { type: 'update_existing', memory_store_id: store.id },
    });
    await expect(
      client.beta.dreams.create({ ...params, output_behavior: { type: 'update_existing', memory_store_id: store.id } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(client.beta.dreams.archive(updating.id)).rejects.toBeInstanceOf(BadRequestError);
    const canceled = await client.beta.dreams.cancel(updating.id);
    expect(canceled.status).toBe('canceled');
    expect((await client.beta.dreams.cancel(updating.id)).status).toBe('canceled');

    expect((await all(client.beta.dreams.list())).map((d) => d.id)).toEqual([updating.id]);
    const everything = await all(client.beta.dreams.list({ include_archived: true, statuses: ['failed', 'canceled'] }));
    expect(everything.map((d) => d.id)).toEqual([updating.id, failing.id]);
  });

  it('refuses what the API refuses: two stores, no sessions, 101 sessions, long instructions', async () => {
    const { fake, client } = await start();
    const store = fake.createStore('memory');
    const ids = Array.from({ length: 101 }, () => fake.addSession().id);
    const bad = [
      { inputs: [{ type: 'memory_store' as const, memory_store_id: store.id }], model: 'claude-opus-4-7' },
      {
        inputs: [
          { type: 'memory_store' as const, memory_store_id: store.id },
          { type: 'sessions' as const, session_ids: ids },
        ],
        model: 'claude-opus-4-7',
      },
      {
        inputs: [
          { type: 'memory_store' as const, memory_store_id: store.id },
          { type: 'sessions' as const, session_ids: ids.slice(0, 1) },
        ],
        model: 'claude-opus-4-7',
        instructions: 'x'.repeat(4097),
      },
    ];
    for (const params of bad) await expect(client.beta.dreams.create(params)).rejects.toBeInstanceOf(BadRequestError);
    expect(fake.violations).toHaveLength(3);
  });
});

describe('what every request must carry', () => {
  it('refuses a request without the beta header or with the wrong key', async () => {
    const { fake } = await start();
    const headers = { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' };
    const noBeta = await fetch(`${fake.url}/v1/memory_stores`, { headers });
    expect(noBeta.status).toBe(400);
    expect(((await noBeta.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const wrongKey = await fetch(`${fake.url}/v1/memory_stores`, {
      headers: { ...headers, 'x-api-key': 'wrong', 'anthropic-beta': 'agent-memory-2026-07-22' },
    });
    expect(wrongKey.status).toBe(401);
    expect(fake.violations).toEqual([
      'GET /v1/memory_stores: This endpoint is in beta: requests must send `agent-memory-2026-07-22` or `managed-agents-2026-04-01` in the anthropic-beta header',
    ]);
  });

  it('serves a scripted failure, and the SDK surfaces it', async () => {
    const { fake, client } = await start();
    fake.failNext(1, { status: 404 });
    await expect(client.beta.memoryStores.list()).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.bodiesContain('anything')).toBe(false);
  });
});
