import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentFromPath, clipText, earlier, idFromPath, later, TimeSpan } from '../../../src/sessions/readers/common.js';

describe('agentFromPath', () => {
  it.each([
    ['/home/me/.claude/projects/-home-me-acme/8f1c.jsonl', '-home-me-acme'],
    ['/home/me/.claude/projects/-home-me-acme/fed8ce56-bc79-401f-a83e-af084253362f/subagents/agent-a1.jsonl', '-home-me-acme'],
    ['sessions/deploy-bot/2025-06-01.jsonl', 'deploy-bot'],
    ['log.jsonl', 'unknown'],
    ['C:\\logs\\helper\\run.jsonl', 'helper'],
  ])('%s → %s', (path, agent) => {
    expect(agentFromPath(path)).toBe(agent);
  });
});

describe('idFromPath', () => {
  it('drops the extension only', () => {
    expect(idFromPath('logs/helper/run-1.jsonl')).toBe('logs/helper/run-1');
    expect(idFromPath('logs/v1.2/run')).toBe('logs/v1.2/run');
  });
});

describe('clipText', () => {
  it('keeps short text, and the head and tail of long text without splitting a surrogate pair', () => {
    expect(clipText('abc', 10)).toBe('abc');
    const clipped = clipText('😀'.repeat(50), 41);
    expect(clipped).toMatch(/^(😀)+\n\[… \d+ characters omitted …\]\n(😀)+$/);
  });
});

describe('earlier / later', () => {
  it('compares instants, not strings, and ignores unparseable times', () => {
    expect(earlier('2025-06-10T12:36:23.208Z', '2025-06-10T14:00:00+02:00')).toBe('2025-06-10T14:00:00+02:00');
    expect(later(undefined, '2025-01-01T00:00:00Z')).toBe('2025-01-01T00:00:00Z');
    expect(later('2025-01-01T00:00:00Z', 'yesterday')).toBe('2025-01-01T00:00:00Z');
    expect(earlier('garbage', undefined)).toBeUndefined();
  });
});

describe('TimeSpan', () => {
  const timestamp = fc.oneof(
    fc.constantFrom(undefined, '', 'yesterday', 'garbage', '2025-06-10T14:00:00+02:00', '2025-06-10T12:00:00Z', '2025-06-10T12:00:00.000Z'),
    fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  );

  it('spans what earlier and later pick, one timestamp at a time, ties and garbage included', () => {
    fc.assert(
      fc.property(fc.array(timestamp, { maxLength: 12 }), (timestamps) => {
        const span = new TimeSpan();
        let start: string | undefined;
        let end: string | undefined;
        for (const t of timestamps) {
          span.add(t);
          start = earlier(start, t);
          end = later(end, t);
        }
        expect([span.start, span.end]).toEqual([start, end]);
      }),
    );
  });
});
