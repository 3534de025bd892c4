import type { Evidence, PatternRecord } from '../types.js';
import type { PatternFacts } from './harm.js';

export interface Support {
  sessions: number;
  evidence: Evidence[];
  patterns: string[];
}

/**
 * How much the sessions seen so far back or refute a tool or command, from the accumulated pattern
 * records: a fix or a stated preference backs it, a failure or a "not X" refutes it.
 */
export class SupportIndex {
  constructor(
    private readonly records: Record<string, PatternRecord>,
    private readonly minSessions: number,
  ) {}

  /** What the sessions say about one pattern, for the do-no-harm rules (does its evidence name an entry?). */
  pattern(key: string): PatternFacts | undefined {
    return this.records[key];
  }

  backing(name: string): Support {
    return this.collect((r) => (r.prefer ?? []).some((p) => sameThing(p, name)));
  }

  refuting(name: string): Support {
    return this.collect((r) => (r.avoid ?? []).some((a) => sameThing(a, name)));
  }

  /** Recurring failures that showed something gone or refused, with what replaced it. */
  lessons(): (PatternRecord & { key: string })[] {
    // Asked for every contradiction weighed; the records do not change while a cycle curates.
    this.knownLessons ??= Object.entries(this.records)
      // As for patterns: one session's change of arguments may be incidental.
      .filter(([, r]) => r.kind === 'mistake' && r.sessions.length >= this.minSessions && (r.dropped?.length ?? 0) > 0 && (r.changes ?? 0) >= 2)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, r]) => ({ ...r, key }));
    return this.knownLessons;
  }

  private knownLessons: (PatternRecord & { key: string })[] | undefined;

  /** Net support for everything a note recommends: positive when the sessions agree with it. */
  score(recommended: string[]): number {
    return recommended.reduce((acc, name) => acc + this.backing(name).sessions - this.refuting(name).sessions, 0);
  }

  private collect(match: (record: PatternRecord) => boolean): Support {
    const sessions = new Set<string>();
    const evidence: Evidence[] = [];
    const patterns: string[] = [];
    for (const [key, record] of Object.entries(this.records).sort(([a], [b]) => a.localeCompare(b))) {
      if (record.sessions.length < this.minSessions || !match(record)) continue;
      record.sessions.forEach((s) => sessions.add(s));
      evidence.push(...record.quotes.slice(0, 3));
      patterns.push(key);
    }
    return { sessions: sessions.size, evidence: dedupe(evidence).slice(0, 6), patterns };
  }
}

/** `npm` and `npm install` are the same thing for this purpose; `npm` and `pnpm` are not. */
function sameThing(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || x.split(' ')[0] === y || y.split(' ')[0] === x;
}

function dedupe(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.sessionId}|${e.quote}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
