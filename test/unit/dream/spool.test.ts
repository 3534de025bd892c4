/**
 * The spool keeps only where each session's line is while sessions stream in; the refs, start times and preference
 * statements lead each line and are read back from the file. What comes back must be what went in, whatever the
 * strings hold (tabs and newlines, non-ASCII) and however long a line is (longer than the block heads are read by).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObservedSession } from '../../../src/dream/extract/observation.js';
import { statementOf } from '../../../src/dream/extract/preference-clusters.js';
import type { PreferenceObservation } from '../../../src/dream/extract/preferences.js';
import { ObservationSpool } from '../../../src/dream/extract/spool.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reverie-spool-heads-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function preference(quote: string, explicit = false): PreferenceObservation {
  return { kind: 'preference', statement: quote, terms: quote.toLowerCase().split(/\W+/).filter(Boolean), quote, turn: 1, prefer: ['pnpm'], ...(explicit ? { explicit } : {}) };
}

/** Sessions whose strings hold what JSON escapes, one whose line is longer than a block of the file, two at one time. */
function observations(): ObservedSession[] {
  const at = (i: number) => `2026-01-0${1 + (i % 5)}T10:00:00Z`;
  return Array.from({ length: 40 }, (_, i) => {
    const observed: ObservedSession = {
      id: i === 3 ? 'tab\there\nand "quotes"' : `session-${String(39 - i).padStart(2, '0')}`,
      agent: 'claude-code',
      source: i % 2 === 0 ? 'logs/été/a.jsonl' : 'logs/b\t.jsonl',
      hash: `${i}`.padStart(64, 'f'),
      mistakes: [],
      preferences: i % 3 === 0 ? [preference(`Use pnpm, never npm (${i}) — ünïcode`), preference('Remember: always run the linter', true)] : i === 7 ? [preference(`Use ${'pnpm '.repeat(250_000)}`)] : [],
      commands: [],
      userTerms: [[`term${i % 4}`, 1]],
      // A line, and a head, longer than the 1 MB the heads are read by: read whole, and the next line's after it.
      ...(i === 7 ? { transcript: 'x'.repeat(1_300_000) } : {}),
    };
    // One session without a start time: it sorts first.
    if (i !== 11) observed.startedAt = at(i);
    return observed;
  });
}

function expectedOrder(sessions: ObservedSession[]): ObservedSession[] {
  return [...sessions].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id));
}

describe('observation spool heads', () => {
  for (const [name, chunk] of [
    ['written line by line', 1],
    ['written in chunks', 4096],
    ['held in memory', 1 << 30],
  ] as const) {
    it(`gives back refs, statements and observations as they went in (${name})`, () => {
      const dir = tempDir();
      const sessions = observations();
      const spool = new ObservationSpool({ dir, chunk });
      for (const s of sessions) spool.add(s);
      expect(spool.length).toBe(sessions.length);
      expect([...spool]).toEqual(sessions.map(({ id, source, hash }) => ({ id, source, hash })));
      const ordered = expectedOrder(sessions);
      const { statements, observations: read } = spool.inTimeOrder();
      expect(statements).toEqual(ordered.flatMap((s) => s.preferences.filter((p) => !p.explicit).map(statementOf)));
      expect([...read()]).toEqual(ordered.map((s) => ({ ...s, userTerms: [] })));
      expect(spool.userTerms).toEqual(new Map([['term0', 10], ['term1', 10], ['term2', 10], ['term3', 10]]));
      // The refs stay once the file is gone; nothing is left where it was.
      expect([...spool].map((r) => r.id)).toEqual(sessions.map((s) => s.id));
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(() => spool.inTimeOrder()).toThrow(/once/);
    });
  }

  it('still lists its sessions when released before it was read, as a cycle that stops early does', () => {
    const dir = tempDir();
    const sessions = observations();
    const spool = new ObservationSpool({ dir, chunk: 1 });
    for (const s of sessions.slice(0, 10)) spool.add(s);
    // Listed half way through: the sessions added later are listed too next time.
    expect([...spool]).toHaveLength(10);
    for (const s of sessions.slice(10)) spool.add(s);
    spool.release();
    expect([...spool].map((r) => r.hash)).toEqual(sessions.map((s) => s.hash));
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(() => spool.add(sessions[0]!)).toThrow();
  });
});
