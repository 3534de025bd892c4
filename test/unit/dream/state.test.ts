import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState } from '../../../src/dream/plan.js';
import { mergeStates, readState, stableJson, stateChanges, stateFiles, stateWrites } from '../../../src/dream/state.js';
import { LONG_LIST, writeJson } from '../../../src/dream/state-files.js';
import type { DreamState, PatternRecord } from '../../../src/dream/types.js';

const record = (overrides: Partial<PatternRecord> = {}): PatternRecord => ({
  kind: 'mistake',
  statement: '`npm install` fails with `EUNSUPPORTEDPROTOCOL`.',
  sessions: [],
  agents: [],
  quotes: [],
  terms: ['npm', 'install'],
  ...overrides,
});

const quote = (sessionId: string, agent: string) => ({ sessionId, agent, quote: `error in ${sessionId}` });

/** Two states that grew apart from a common one: main moved while a cycle ran. */
function divergent(): { a: DreamState; b: DreamState } {
  const a: DreamState = {
    processed: {
      h1: { id: 's1', source: 'sessions/claude/s1.jsonl', cycle: 'c1' },
      h2: { id: 's2', source: 'sessions/codex/s2.jsonl', cycle: 'c2' },
    },
    patterns: {
      'mistake:npm': record({ sessions: ['s1', 's2'], agents: ['claude', 'codex'], quotes: [quote('s1', 'claude')], lastSeen: '2026-11-02T00:00:00Z' }),
      'workflow:lint > test': record({ kind: 'workflow', statement: 'lint then test', sessions: ['s2'], agents: ['codex'] }),
    },
    rejected: { 'add:x': { cycle: 'c1', summary: 'add x' } },
  };
  const b: DreamState = {
    processed: {
      h1: { id: 's1', source: 'sessions/claude/s1.jsonl', cycle: 'c1' },
      h3: { id: 's3', source: 'sessions/claude/s3.jsonl', cycle: 'c3' },
    },
    patterns: {
      'mistake:npm': record({
        sessions: ['s1', 's3'],
        agents: ['claude'],
        quotes: [quote('s1', 'claude'), quote('s3', 'claude')],
        lastSeen: '2026-11-03T00:00:00Z',
        fix: 'use `pnpm install` instead',
        statement: '`npm install` fails with `EUNSUPPORTEDPROTOCOL`: use `pnpm install` instead.',
        written: 'c3',
      }),
      'preference:tabs': record({ kind: 'preference', statement: 'Indent with tabs.', sessions: ['s3'], agents: ['claude'] }),
    },
    rejected: { 'prune:y': { cycle: 'c3', reason: 'still true', summary: 'drop y' } },
  };
  return { a, b };
}

describe('mergeStates', () => {
  it('is the union of processed sessions and rejected actions, whatever the order', () => {
    const { a, b } = divergent();
    const ab = mergeStates(a, b);
    const ba = mergeStates(b, a);
    expect(Object.keys(ab.processed).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(Object.keys(ab.rejected).sort()).toEqual(['add:x', 'prune:y']);
    expect(ba.processed).toEqual(ab.processed);
    expect(ba.rejected).toEqual(ab.rejected);
    expect(ab.processed.h3).toEqual(b.processed.h3);
    expect(ab.rejected['prune:y']).toEqual(b.rejected['prune:y']);
  });

  it('merges a pattern both sides saw: sessions and agents united, newest lastSeen, the fix kept', () => {
    const { a, b } = divergent();
    for (const merged of [mergeStates(a, b), mergeStates(b, a)]) {
      const npm = merged.patterns['mistake:npm'];
      expect([...(npm?.sessions ?? [])].sort()).toEqual(['s1', 's2', 's3']);
      expect([...(npm?.agents ?? [])].sort()).toEqual(['claude', 'codex']);
      expect(npm?.lastSeen).toBe('2026-11-03T00:00:00Z');
      expect(npm?.fix).toBe('use `pnpm install` instead');
      expect(npm?.statement).toContain('pnpm install');
      expect(npm?.written).toBe('c3');
      expect(new Set(npm?.quotes.map((q) => q.sessionId))).toEqual(new Set(['s1', 's3']));
      expect(Object.keys(merged.patterns).sort()).toEqual(['mistake:npm', 'preference:tabs', 'workflow:lint > test']);
    }
  });

  it('keeps, for each way a mistake was fixed, the count that has seen more sessions', () => {
    const fix = (sessions: number, command: string) => ({ sessions, fix: `run \`${command}\` first`, statement: `\`git push\` fails: run \`${command}\` first.` });
    const a: DreamState = { ...emptyState(), patterns: { 'mistake:push': record({ fixes: { 'git pull': fix(2, 'git pull --rebase'), 'git fetch': fix(1, 'git fetch') } }) } };
    const b: DreamState = { ...emptyState(), patterns: { 'mistake:push': record({ fixes: { 'git pull': fix(3, 'git pull --rebase') } }) } };
    for (const merged of [mergeStates(a, b), mergeStates(b, a)]) {
      expect(merged.patterns['mistake:push']?.fixes).toEqual({ 'git pull': fix(3, 'git pull --rebase'), 'git fetch': fix(1, 'git fetch') });
    }
  });

  it('does not change either input', () => {
    const { a, b } = divergent();
    const before = structuredClone({ a, b });
    mergeStates(a, b);
    mergeStates(b, a);
    expect({ a, b }).toEqual(before);
  });

  it('merging with an empty state, or with itself, changes nothing', () => {
    const { a } = divergent();
    expect(mergeStates(a, emptyState())).toEqual(a);
    expect(mergeStates(emptyState(), a)).toEqual(a);
    expect(mergeStates(a, a)).toEqual(a);
  });

  it('processed and rejected are order-independent unions for any two states', () => {
    const entry = fc.record({ id: fc.string(), source: fc.string(), cycle: fc.constantFrom('c1', 'c2') });
    // The same content hash is the same session: both sides record the same thing for it.
    const processedPool = fc.dictionary(fc.stringMatching(/^[0-9a-f]{1,4}$/), entry);
    const rejection = fc.record({ cycle: fc.constantFrom('c1', 'c2'), summary: fc.string() });
    const rejectedPool = fc.dictionary(fc.constantFrom('add:a', 'prune:b', 'merge:c', 'update:d'), rejection);
    const pick = <T>(pool: Record<string, T>, keep: boolean[]) =>
      Object.fromEntries(Object.entries(pool).filter((_, i) => keep[i % keep.length]));
    fc.assert(
      fc.property(
        processedPool,
        rejectedPool,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        (processed, rejected, keepA, keepB) => {
          const a: DreamState = { processed: pick(processed, keepA), patterns: {}, rejected: pick(rejected, keepA) };
          const b: DreamState = { processed: pick(processed, keepB), patterns: {}, rejected: pick(rejected, keepB) };
          const ab = mergeStates(a, b);
          const ba = mergeStates(b, a);
          expect(ab.processed).toEqual(ba.processed);
          expect(ab.rejected).toEqual(ba.rejected);
          expect(new Set(Object.keys(ab.processed))).toEqual(new Set([...Object.keys(a.processed), ...Object.keys(b.processed)]));
          expect(new Set(Object.keys(ab.rejected))).toEqual(new Set([...Object.keys(a.rejected), ...Object.keys(b.rejected)]));
        },
      ),
    );
  });
});

describe('stableJson', () => {
  it('sorts keys at every depth and ends with a newline', () => {
    const text = stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } });
    expect(text).toBe('{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
  });

  it('gives the same bytes for the same content built in any key order; arrays keep their order', () => {
    const one = { processed: { h2: { id: 's2' }, h1: { id: 's1' } }, list: [3, 1, 2] };
    const two = { list: [3, 1, 2], processed: { h1: { id: 's1' }, h2: { id: 's2' } } };
    expect(stableJson(one)).toBe(stableJson(two));
    expect(JSON.parse(stableJson(one))).toEqual(one);
    expect(stableJson({ list: [1, 2, 3] })).not.toBe(stableJson({ list: [3, 2, 1] }));
  });
});

describe('stableJson, as JSON.stringify sorting each object through a replacer writes it', () => {
  /** The definition: every object's keys sorted as JSON.stringify reaches it. */
  const byReplacer = (value: unknown) =>
    `${JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v), 2)}\n`;

  it('writes the same bytes for any JSON value, in any key order, sorted already or not', () => {
    const keyed = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '9', '__proto__x', 'a', 'B', 'é'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(keyed, tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(value, fc.boolean(), (input, sortFirst) => {
        const given = sortFirst ? JSON.parse(byReplacer(input)) : input;
        expect(stableJson(given)).toBe(byReplacer(given));
      }),
      { numRuns: 500 },
    );
  });

  it('writes what toJSON gives and leaves out what JSON leaves out, as JSON.stringify does', () => {
    const value = { when: new Date('2026-12-07T00:00:00Z'), gone: undefined, list: [undefined, { b: 1, a: 2 }] };
    expect(stableJson(value)).toBe(byReplacer(value));
  });
});

describe('state files', () => {
  it('round-trips through the .reverie/ files: a file of sessions per cycle, the patterns in shards, the rejections', () => {
    const { a } = divergent();
    const files = stateFiles(a);
    const paths = [...files.keys()].sort();
    expect(paths.filter((p) => p.startsWith('.reverie/processed/'))).toEqual(['.reverie/processed/c1.jsonl', '.reverie/processed/c2.jsonl']);
    expect(paths.filter((p) => p.startsWith('.reverie/patterns/')).every((p) => /^\.reverie\/patterns\/[0-9a-f]{2}\.json$/.test(p))).toBe(true);
    expect(paths).toContain('.reverie/rejected.json');
    expect(files.get('.reverie/processed/c1.jsonl')).toBe('["h1","s1","sessions/claude/s1.jsonl"]\n');
    expect(readState(files)).toEqual(a);
  });

  it('round-trips any sessions, cycle ids and pattern keys, however many', () => {
    const text = fc.string({ maxLength: 12 });
    const processed = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), fc.record({ id: text, source: text, cycle: text }), { maxKeys: 30 });
    const patterns = fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__'), text.map((statement) => record({ statement })), { maxKeys: 20 });
    fc.assert(
      fc.property(processed, patterns, (p, q) => {
        const state: DreamState = { processed: p, patterns: q, rejected: {} };
        expect(readState(stateFiles(state))).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it('a cycle of many sessions is written in parts, none of more than 10,000', () => {
    const processed: DreamState['processed'] = {};
    for (let i = 0; i < 25_000; i++) processed[`h${String(i).padStart(6, '0')}`] = { id: `s${i}`, source: 'sessions/big.jsonl', cycle: 'c1' };
    const files = stateFiles({ processed, patterns: {}, rejected: {} });
    const parts = [...files.keys()].filter((p) => p.startsWith('.reverie/processed/')).sort();
    expect(parts).toEqual(['.reverie/processed/c1+2.jsonl', '.reverie/processed/c1+3.jsonl', '.reverie/processed/c1.jsonl']);
    expect(parts.map((p) => files.get(p)!.split('\n').length - 1).sort()).toEqual([10_000, 10_000, 5_000]);
    expect(readState(files).processed).toEqual(processed);
  });

  it('a cycle changes its own file of sessions and the shards of the patterns it saw, nothing else', () => {
    const { a } = divergent();
    const before = stateFiles(a);
    const next = readState(before);
    expect(stateChanges(next, before)).toEqual(new Map());
    next.processed.h9 = { id: 's9', source: 'sessions/claude/s9.jsonl', cycle: 'c9' };
    // Records read are frozen: a cycle changes a copy (as extraction does).
    expect(() => next.patterns['mistake:npm']!.sessions.push('s9')).toThrow(TypeError);
    next.patterns['mistake:npm'] = { ...next.patterns['mistake:npm']!, sessions: [...next.patterns['mistake:npm']!.sessions, 's9'] };
    const changes = stateChanges(next, before);
    const shard = [...stateFiles({ ...emptyState(), patterns: { 'mistake:npm': record() } }).keys()].find((p) => p.startsWith('.reverie/patterns/'))!;
    expect([...changes.keys()].sort()).toEqual([shard, '.reverie/processed/c9.jsonl'].sort());
    expect(readState(new Map([...before, ...changes] as [string, string][]))).toEqual(next);
  });

  it('writes the file of a past cycle again when what it records changed, even with as many sessions', () => {
    const { a } = divergent();
    const before = stateFiles(a);
    const next = readState(before);
    next.processed.h1 = { id: 's1-resumed', source: 'sessions/claude/s1.jsonl', cycle: 'c1' };
    expect(stateChanges(next, before)).toEqual(new Map([['.reverie/processed/c1.jsonl', '["h1","s1-resumed","sessions/claude/s1.jsonl"]\n']]));
    delete next.processed.h2;
    expect(stateChanges(next, before).get('.reverie/processed/c2.jsonl')).toBeNull();
  });

  it('leaves the text of a file the commit lacks to be made as it is written, the same text stateChanges gives', () => {
    const { a } = divergent();
    const before = stateFiles(a);
    const next = readState(before);
    next.processed.h9 = { id: 's9', source: 'sessions/claude/s9.jsonl', cycle: 'c9' };
    next.patterns['mistake:npm'] = { ...next.patterns['mistake:npm']!, sessions: [...next.patterns['mistake:npm']!.sessions, 's9'] };
    next.patterns['mistake:new'] = record();
    delete next.processed.h2;
    const writes = stateWrites(next, before);
    const changes = stateChanges(next, before);
    expect([...writes.keys()]).toEqual([...changes.keys()]);
    for (const [path, write] of writes) {
      // Made later only where `before` has nothing to compare it with; a file it has is compared, so made now.
      expect(typeof write === 'function').toBe(!before.has(path) && write !== null && path !== '.reverie/rejected.json');
      expect(typeof write === 'function' ? write().toString('utf8') : write).toBe(changes.get(path));
    }
    expect(writes.get('.reverie/processed/c9.jsonl')).toBeTypeOf('function');
    expect(writes.get('.reverie/processed/c2.jsonl')).toBeNull();
  });

  it('writes in pieces the JSON that JSON.stringify writes whole, whatever the value and its strings', () => {
    // Strings of any UTF-16 units (lone surrogates too), long lists of them, holes, and what JSON leaves out.
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const odd = fc.constantFrom(undefined, null, () => 1, Symbol('s'), Number.NaN, -0, 1e21, { toJSON: () => 'made' }, new Date(0));
    // Lists on both sides of the length written an item at a time, one with a hole.
    const list = fc.oneof(fc.array(text, { minLength: LONG_LIST - 6, maxLength: LONG_LIST + 40 }), fc.array(text, { minLength: LONG_LIST - 40, maxLength: LONG_LIST + 6 }).map((a) => Object.assign(new Array<unknown>(a.length + 1), a)));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.boolean(), odd, list, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 5 })),
    }));
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 6 }), (record) => {
        const pieces: string[] = [];
        writeJson(record, (piece) => pieces.push(piece));
        expect(pieces.join('')).toBe(JSON.stringify(record));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('writes a long list an item at a time, and a value without one whole', () => {
    const sessions = Array.from({ length: LONG_LIST + 1 }, (_, i) => `session-${i}`);
    const pieces: string[] = [];
    writeJson({ kind: 'mistake', sessions, agents: ['claude'] }, (piece) => pieces.push(piece));
    expect(pieces.length).toBeGreaterThan(LONG_LIST);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100);
    const short: string[] = [];
    writeJson({ kind: 'mistake', sessions: sessions.slice(0, LONG_LIST), agents: ['claude'] }, (piece) => short.push(piece));
    expect(short).toEqual([JSON.stringify({ kind: 'mistake', sessions: sessions.slice(0, LONG_LIST), agents: ['claude'] })]);
  });

  it('makes the bytes of a new file, written in pieces, as the UTF-8 of the text stateChanges gives', () => {
    const strange = ['s\u{1F600}', 'lone \uD800', 'é', '"quoted"\n', '\uDC00x'];
    const processed: DreamState['processed'] = {};
    for (let i = 0; i < 12_000; i++) processed[`h${String(i).padStart(6, '0')}`] = { id: `s${i}${strange[i % 5]}`, source: `sessions/${strange[i % 3]}.jsonl`, cycle: 'c1' };
    const sessions = Array.from({ length: 5_000 }, (_, i) => `s${i}${strange[i % 5]}`);
    const state: DreamState = { processed, patterns: { 'mistake:npm': record({ sessions, agents: ['claude'], quotes: [quote('s1', 'claude')] }), 'workflow:\uD800 > test': record({ kind: 'workflow', sessions: ['s2'] }) }, rejected: {} };
    const before = new Map<string, string>();
    const writes = stateWrites(state, before);
    const changes = stateChanges(state, before);
    expect([...writes.keys()]).toEqual([...changes.keys()]);
    for (const [path, write] of writes) {
      const bytes = typeof write === 'function' ? write() : Buffer.from(write as string, 'utf8');
      expect(bytes.equals(Buffer.from(changes.get(path) as string, 'utf8'))).toBe(true);
    }
    expect(readState(stateFiles(state))).toEqual(state);
  });

  it('reads the single files of the older layout, and the first write replaces them', () => {
    const { a } = divergent();
    // As reverie wrote the state before it kept a file per cycle and shards of patterns.
    const old = new Map([
      ['.reverie/processed.json', stableJson(a.processed)],
      ['.reverie/patterns.json', stableJson(a.patterns)],
      ['.reverie/rejected.json', stableJson(a.rejected)],
    ]);
    const state = readState(old);
    expect(state).toEqual(a);
    const changes = stateChanges(state, old);
    expect(changes.get('.reverie/processed.json')).toBeNull();
    expect(changes.get('.reverie/patterns.json')).toBeNull();
    expect(changes.has('.reverie/rejected.json')).toBe(false);
    const migrated = new Map(old);
    for (const [path, text] of changes) text === null ? migrated.delete(path) : migrated.set(path, text);
    expect([...migrated.keys()].some((p) => p.endsWith('processed.json') || p.endsWith('patterns.json'))).toBe(false);
    expect(readState(migrated)).toEqual(a);
    expect(migrated).toEqual(stateFiles(a));
  });

  it('a repository that never dreamed has the empty state', () => {
    expect(readState(new Map())).toEqual(emptyState());
  });

  it('a corrupt state file is an error that names it and says how to restore it', () => {
    expect(() => readState(new Map([['.reverie/processed.json', '{ nope']]))).toThrow(/processed\.json.*git checkout/);
    expect(() => readState(new Map([['.reverie/processed/c1.jsonl', '["h1","s1"]\n']]))).toThrow(/processed\/c1\.jsonl: a line is not \[hash, id, source\].*git checkout/);
    expect(() => readState(new Map([['.reverie/patterns/0a.json', '{']]))).toThrow(/patterns\/0a\.json: not valid JSON/);
  });
});
