/**
 * A cycle that streams its sessions' observations into a spool (on disk, or in memory while they fit a chunk) plans
 * exactly what it plans from the sessions held in a list, whatever order the sessions were read in: the same actions,
 * patterns and bookkeeping, byte for byte.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { extractPatterns, observeSession } from '../../../src/dream/extract/index.js';
import { ObservationSpool, sessionList } from '../../../src/dream/extract/spool.js';
import { planCycle } from '../../../src/dream/plan.js';
import { stableJson } from '../../../src/dream/state.js';
import type { Plan, PlanInput } from '../../../src/dream/types.js';
import { loadSessions } from '../../../src/sessions/load.js';
import type { Session } from '../../../src/sessions/types.js';
import { prepare, scenario } from './arbitraries.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);
const TIMEOUT = Math.max(30_000, RUNS * 300);

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reverie-spool-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The sessions in an order chosen by the seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  return items
    .map((item, i) => ({ item, key: (i * 7919 + seed) % 104729 }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

/** A spool of the sessions, observed; `chunk: 1` writes every line to the file as it comes. */
function spoolOf(sessions: readonly Session[], options: { dir: string; chunk?: number }): ObservationSpool {
  const spool = new ObservationSpool(options);
  for (const session of sessions) spool.add(observeSession(session));
  return spool;
}

function comparable(plan: Plan): unknown {
  return { actions: plan.actions, patterns: plan.patterns, noise: plan.noise, dropped: plan.dropped, notices: plan.notices, stats: plan.stats, state: stableJson(plan.state) };
}

describe('observation spool', () => {
  it('plans what the list of sessions plans, in any read order, spilled to disk or not', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.boolean(), (s, seed, spill) => {
        const input = prepare(s);
        const plan = planCycle(structuredClone(input));
        const sessions = shuffled(sessionList(input.sessions) as Session[], seed);
        const dir = tempDir();
        const spool = spoolOf(sessions, { dir, ...(spill ? { chunk: 1 } : {}) });
        const spooled = planCycle({ ...structuredClone({ ...input, sessions: [] }), sessions: spool });
        expect(comparable(spooled)).toEqual(comparable(plan));
        // Read once, and gone: nothing is left where the file was.
        expect(fs.readdirSync(dir)).toEqual([]);
        expect(() => spool.add(observeSession(sessions[0] as Session))).toThrow();
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('folds real logs as the list does, over two cycles, whatever order they were read in', async () => {
    const loaded = await loadSessions({ repoDir: path.resolve('test/fixtures'), sources: [{ path: 'claude-code', format: 'auto' }, { path: 'codex', format: 'auto' }] });
    expect(loaded.sessions.length).toBeGreaterThan(10);
    const half = Math.floor(loaded.sessions.length / 2);
    const [earlier, later] = [loaded.sessions.slice(0, half), loaded.sessions.slice(half)];
    const first = extractPatterns(earlier, {}, 2);
    const second = extractPatterns(later, first.records, 2);
    for (const [order, chunk] of [[1, 1], [2, 1 << 20], [3, 4096]] as const) {
      const dir = tempDir();
      const a = extractPatterns(spoolOf(shuffled(earlier, order), { dir, chunk }), {}, 2);
      const b = extractPatterns(spoolOf(shuffled(later, order).reverse(), { dir, chunk }), a.records, 2);
      expect(stableJson(a)).toBe(stableJson(first));
      expect(stableJson(b)).toBe(stableJson(second));
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('lists its sessions as they were added, and gives them back whole to an engine that needs a list', () => {
    const sessions = sessionList(prepareSome()) as Session[];
    const spool = spoolOf(sessions, { dir: tempDir(), chunk: 1 });
    expect(spool.length).toBe(sessions.length);
    expect([...spool].map((s) => s.hash)).toEqual(sessions.map((s) => s.hash));
    const back = sessionList(spool);
    const ordered = [...sessions].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id));
    expect(back.map((s) => s.id)).toEqual(ordered.map((s) => s.id));
    expect(() => sessionList(spool)).toThrow(/once/);
  });
});

function prepareSome(): PlanInput['sessions'] {
  const [s] = fc.sample(scenario.filter((x) => x.sessions.length >= 3), { numRuns: 1, seed: 42 });
  return prepare(s as Parameters<typeof prepare>[0]).sessions;
}
