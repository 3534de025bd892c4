import type { BetaManagedAgentsMemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import { describe, expect, it } from 'vitest';
import { storeMapping } from '../../../src/store/paths.js';
import { advanceSince, newVersions, planPull, planPush, sha256, type ListedMemory } from '../../../src/store/plan.js';
import { emptyStoreRecord, parseStoreRecord, storeRecordText, type StoreRecord } from '../../../src/store/state.js';

const memory = {
  root: 'memory',
  inbox: 'notes.md',
  namespaces: [
    { name: 'instructions', paths: ['instructions/**'], policy: 'protected' as const },
    { name: 'notes', paths: ['**/*.md'], policy: 'dream' as const },
  ],
};
const store = { id: 'memstore_01x', path: '/team/', sessionsInto: 'sessions/managed-agents', sessionsOnPull: false, sessionsOnDream: false };
const mapping = storeMapping({ memory, store });

function record(memories: StoreRecord['memories'] = {}): StoreRecord {
  return { ...emptyStoreRecord(store.id), memories };
}

function listed(entries: Record<string, [string, string]>): Map<string, ListedMemory> {
  return new Map(Object.entries(entries).map(([path, [id, text]]) => [path, { id, path, sha256: sha256(text) }]));
}

describe('the mirror', () => {
  it('maps memory files under the store path, and nothing outside the memory or its namespaces', () => {
    expect(mapping.storePathOf('memory/notes.md')).toBe('/team/notes.md');
    expect(mapping.storePathOf('memory/a/b.md')).toBe('/team/a/b.md');
    expect(mapping.storePathOf('memory/image.png')).toBeUndefined();
    expect(mapping.storePathOf('README.md')).toBeUndefined();
    expect(mapping.fileOf('/team/instructions/x.md')).toEqual({ file: 'memory/instructions/x.md', protected: true });
    expect(mapping.fileOf('/other/x.md')).toEqual({ skip: 'outside /team/, where the memory sits in the store' });
    expect(mapping.fileOf('/team/../x.md')).toEqual({ skip: 'not a path a memory file can have' });
    const notesOnly = storeMapping({ memory, store: { ...store, namespaces: ['instructions'] } });
    expect(notesOnly.storePathOf('memory/notes.md')).toBeUndefined();
  });
});

describe('planPush', () => {
  const files = new Map([
    ['memory/same.md', 'same'],
    ['memory/new.md', 'new'],
    ['memory/mine.md', 'mine, changed on main'],
    ['memory/theirs.md', 'main'],
    ['memory/big.md', 'x'.repeat(102_401)],
    ['memory/waits.md', 'main'],
  ]);
  it('sends only what the store still holds as recorded, with that hash as the precondition', () => {
    const steps = planPush({
      files,
      mapping,
      record: record({
        '/team/same.md': { id: 'mem_same', sha256: sha256('same') },
        '/team/mine.md': { id: 'mem_mine', sha256: sha256('mine') },
        '/team/theirs.md': { id: 'mem_theirs', sha256: sha256('main') },
        '/team/gone-here.md': { id: 'mem_gone', sha256: sha256('gone') },
        '/team/gone-both.md': { id: 'mem_both', sha256: sha256('both') },
        '/team/gone-changed.md': { id: 'mem_changed', sha256: sha256('old') },
      }),
      store: listed({
        '/team/same.md': ['mem_same', 'same'],
        '/team/mine.md': ['mem_mine', 'mine'],
        '/team/theirs.md': ['mem_theirs', 'an agent wrote this'],
        '/team/gone-here.md': ['mem_gone', 'gone'],
        '/team/gone-changed.md': ['mem_changed', 'an agent changed it'],
        '/team/agent-only.md': ['mem_agent', 'new in the store'],
      }),
      waiting: new Map([['/team/waits.md', 'reverie/store-1']]),
    });
    expect(steps.map((s) => [s.path, s.kind, 'expected' in s ? s.expected : undefined])).toEqual([
      ['/team/big.md', 'too-large', undefined],
      ['/team/gone-both.md', 'forget', undefined],
      ['/team/gone-changed.md', 'conflict', undefined],
      ['/team/gone-here.md', 'delete', sha256('gone')],
      ['/team/mine.md', 'update', sha256('mine')],
      ['/team/new.md', 'create', undefined],
      ['/team/same.md', 'in-sync', undefined],
      ['/team/theirs.md', 'conflict', undefined],
      ['/team/waits.md', 'waiting', undefined],
    ]);
    expect(steps.find((s) => s.kind === 'too-large')).toMatchObject({ bytes: 102_401 });
  });

  it('with no record, takes a store that already holds the same text as in sync, and a different one as a conflict', () => {
    const steps = planPush({ files: new Map([['memory/a.md', 'a'], ['memory/b.md', 'b']]), mapping, record: record(), store: listed({ '/team/a.md': ['mem_a', 'a'], '/team/b.md': ['mem_b', 'other'] }), waiting: new Map() });
    expect(steps.map((s) => s.kind)).toEqual(['in-sync', 'conflict']);
  });
});

function version(id: string, at: string, fields: Partial<BetaManagedAgentsMemoryVersion>): BetaManagedAgentsMemoryVersion {
  return { id, type: 'memory_version', memory_id: 'mem_1', memory_store_id: store.id, operation: 'modified', created_at: at, created_by: { type: 'session_actor', session_id: 'sesn_1' }, redacted_at: null, ...fields };
}

describe('planPull', () => {
  it('turns versions into changes of memory files, following a rename, skipping protected and foreign paths', () => {
    const versions = [
      version('v1', '2026-12-01T00:00:01Z', { operation: 'created', path: '/team/a.md', content: 'a', content_sha256: sha256('a') }),
      version('v2', '2026-12-01T00:00:02Z', { path: '/team/b.md', content: 'a2 token=ghp_' + 'A'.repeat(36), content_sha256: sha256('x') }),
      version('v3', '2026-12-01T00:00:03Z', { memory_id: 'mem_p', path: '/team/instructions/r.md', content: 'r', content_sha256: sha256('r') }),
      version('v4', '2026-12-01T00:00:04Z', { memory_id: 'mem_o', path: '/elsewhere/o.md', content: 'o', content_sha256: sha256('o') }),
      version('v5', '2026-12-01T00:00:05Z', { operation: 'deleted', path: '/team/b.md', content: null, content_sha256: null }),
      version('v6', '2026-12-01T00:00:06Z', { memory_id: 'mem_r', redacted_at: '2026-12-02T00:00:00Z', path: null, content: null }),
    ];
    const { pulled, record: next } = planPull(versions, record(), mapping);
    expect(pulled.map((p) => [p.version.id, Object.fromEntries(p.changes), p.skipped ?? null])).toEqual([
      ['v1', { 'memory/a.md': 'a' }, null],
      ['v2', { 'memory/a.md': null, 'memory/b.md': 'a2 token=[REDACTED:github-token]' }, null],
      ['v3', {}, expect.stringContaining('protected namespace')],
      ['v4', {}, '/elsewhere/o.md is outside /team/, where the memory sits in the store'],
      ['v5', { 'memory/b.md': null }, null],
      ['v6', {}, 'redacted in the store: its content is gone'],
    ]);
    expect(pulled[1]?.redacted).toBe(true);
    // The protected file is recorded (the next push restores it); the foreign one is not (a push would delete it).
    expect(Object.keys(next.memories)).toEqual(['/team/instructions/r.md']);
  });

  it('lists new versions oldest first, without those seen, the repository’s own, or those on a waiting branch', () => {
    const listedNewestFirst = [
      version('v4', '2026-12-01T00:00:03Z', {}),
      version('v3', '2026-12-01T00:00:02Z', {}),
      version('v2b', '2026-12-01T00:00:01Z', {}),
      version('v2a', '2026-12-01T00:00:01Z', {}),
      version('v1', '2026-12-01T00:00:01Z', {}),
    ];
    const before: StoreRecord = { ...record(), since: { at: '2026-12-01T00:00:01Z', ids: ['v1'] }, own_versions: ['v3', 'old'] };
    expect(newVersions(listedNewestFirst, before, new Set(['v4'])).map((v) => v.id)).toEqual(['v2a', 'v2b']);
    const after = advanceSince(before, listedNewestFirst);
    expect(after.since).toEqual({ at: '2026-12-01T00:00:03Z', ids: ['v4'] });
    expect(after.own_versions).toEqual(['old']);
  });

  it('reads back the record it writes, and starts over for another store', () => {
    const written = storeRecordText({ ...record({ '/team/a.md': { id: 'mem_a', sha256: sha256('a') } }), since: { at: 't', ids: ['v'] } });
    expect(parseStoreRecord(written, store.id).memories['/team/a.md']?.id).toBe('mem_a');
    expect(parseStoreRecord(written, 'memstore_other')).toEqual(emptyStoreRecord('memstore_other'));
    expect(parseStoreRecord('not json', store.id)).toEqual(emptyStoreRecord(store.id));
  });
});
