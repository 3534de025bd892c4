import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse.js';
import { quietFingerprint } from '../../../src/cycle/quiet.js';
import type { RepoContext } from '../../../src/cycle/repo-context.js';
import type { FileStamp } from '../../../src/sessions/hash-cache.js';
import type { StampedListing } from '../../../src/sessions/list.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const context = { config: parseConfig('sessions:\n  - path: sessions/**\n', '/repo/reverie.yaml', '/repo'), repo: {} } as RepoContext;
const BASE = 'a'.repeat(40);

function stamp(over: Partial<FileStamp> = {}): FileStamp {
  return { size: 120, mtimeMs: NOW - 3_600_000.25, ctimeMs: NOW - 3_600_000.5, ino: 2 ** 40 + 7, dev: 2049, ...over };
}

function listing(logs: [string, FileStamp | undefined][]): StampedListing {
  return {
    files: logs.map(([display]) => ({ path: `/repo/${display}`, display, format: 'auto' })),
    warnings: [],
    unread: [],
    stamps: new Map(logs.map(([display, s]) => [`/repo/${display}`, s])),
  };
}

const print = (logs: [string, FileStamp | undefined][]) => quietFingerprint(context, BASE, 'heuristic', listing(logs), NOW);

describe('the fingerprint of a quiet night', () => {
  it('is the same for the same logs with the same stamps', () => {
    const logs: [string, FileStamp][] = [['sessions/a.jsonl', stamp()], ['sessions/b.jsonl', stamp({ ino: 9 })]];
    expect(print(logs)).toMatch(/^[0-9a-f]{64}$/);
    expect(print(logs)).toBe(print(logs.map(([d, s]) => [d, { ...s }])));
  });

  it('changes with any one number of any log, its name, or a log more or fewer', () => {
    const logs = Array.from({ length: 2500 }, (_, i): [string, FileStamp] => [`sessions/s${String(i).padStart(5, '0')}.jsonl`, stamp({ ino: i })]);
    const seen = new Set([print(logs)]);
    // Past the first thousand, so that a log in a later batch of stamps is told too.
    for (const at of [0, 1500, 2499]) {
      for (const key of ['size', 'mtimeMs', 'ctimeMs', 'ino', 'dev'] as const) {
        const changed = logs.map(([d, s], i): [string, FileStamp] => [d, i === at ? { ...s, [key]: s[key] + 1 } : s]);
        seen.add(print(changed));
      }
      seen.add(print(logs.map(([d, s], i): [string, FileStamp] => [i === at ? d.replace('.jsonl', '.json') : d, s])));
    }
    seen.add(print(logs.slice(1)));
    seen.add(print([...logs, ['sessions/z.jsonl', stamp()]]));
    expect(seen.size).toBe(1 + 3 * 6 + 2);
  });

  it('tells apart two names that would read the same run together', () => {
    expect(print([['sessions/ab', stamp()], ['sessions/c', stamp()]])).not.toBe(print([['sessions/a', stamp()], ['sessions/bc', stamp()]]));
  });

  it('is not given while a log is too new to trust, or was not stat\'ed', () => {
    expect(print([['sessions/a.jsonl', stamp({ mtimeMs: NOW - 500 })]])).toBeUndefined();
    expect(print([['sessions/a.jsonl', undefined]])).toBeUndefined();
  });
});
