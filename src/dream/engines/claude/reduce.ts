/**
 * The reduce step: the observations the model found session by session, clustered into patterns with their support
 * (distinct sessions, distinct agents) and folded into the records kept from earlier cycles, so that support grows
 * across cycles with no session cap. Local, pure and deterministic: sessions are taken in time order, and the same
 * observations always give the same keys. Signal and noise are split by the offline engine's rule: a pattern needs
 * `min_sessions` distinct sessions, and a mistake needs a known fix.
 */
import { unsafeLesson } from '../../extract/unsafe.js';
import { recordSighting, type Extraction } from '../../extract/index.js';
import { jaccard, terms } from '../../text.js';
import { shortHash } from '../../../util/hash.js';
import type { Pattern, PatternRecord } from '../../types.js';
import type { MapObservation } from './schemas.js';

/** One session's map result, with what the reduce needs to know about the session. */
export interface MappedSession {
  id: string;
  agent: string;
  hash: string;
  startedAt?: string;
  endedAt?: string;
  observations: MapObservation[];
}

/** Keys of this engine's records start so: the offline engine's records live beside them in the same state. */
export const KEY_PREFIX = 'claude:';

const MAX_TERMS = 40;

/** Two statements on the same topic are one pattern when they share this much of their words... */
const SAME_TOPIC_LIKENESS = 0.2;
/** ...and on different topics, only when they share most of them. */
const LIKENESS = 0.5;

export function reduceObservations(sessions: readonly MappedSession[], previous: Record<string, PatternRecord>, minSessions: number): Extraction {
  const records: Record<string, PatternRecord> = structuredClone(previous);
  const touched = new Set<string>();
  for (const session of ordered(sessions)) {
    const seen = new Set<string>();
    for (const observation of session.observations) {
      const key = keyFor(observation, records);
      // One session saying a thing twice is one observation of it.
      if (seen.has(key)) continue;
      seen.add(key);
      fold(records, key, observation, session);
      touched.add(key);
    }
  }
  const patterns = [...touched].sort().map((key) => toPattern(key, records[key] as PatternRecord));
  const isSignal = (p: Pattern) => p.support.sessions >= minSessions && !unsafeLesson(p.statement) && (p.kind !== 'mistake' || p.fix !== undefined);
  return { signal: patterns.filter(isSignal), noise: patterns.filter((p) => !isSignal(p)), records };
}

/** The topics of the records kept so far, most supported last (the prompt keeps the last ones when it must cut). */
export function knownTopics(records: Record<string, PatternRecord>): string[] {
  const topics = new Map<string, number>();
  for (const [key, record] of Object.entries(records)) {
    if (!key.startsWith(KEY_PREFIX) || !record.topic) continue;
    topics.set(record.topic, Math.max(topics.get(record.topic) ?? 0, record.sessions.length));
  }
  return [...topics].sort(([a, x], [b, y]) => x - y || a.localeCompare(b)).map(([topic]) => topic);
}

function ordered(sessions: readonly MappedSession[]): MappedSession[] {
  return [...sessions].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id) || a.hash.localeCompare(b.hash));
}

/**
 * The record an observation continues, or a new key. Sessions name one subject in other words, so a statement
 * joins the record most like it: same kind, and either the same topic with some words in common, or most words
 * in common. A new key derives from the observation itself, never from the order it came in.
 */
function keyFor(observation: MapObservation, records: Record<string, PatternRecord>): string {
  const topic = normaliseTopic(observation.topic);
  const words = statementTerms(observation.statement, observation.fix);
  let best: { key: string; score: number } | undefined;
  for (const [key, record] of Object.entries(records)) {
    if (!key.startsWith(KEY_PREFIX) || record.kind !== observation.kind) continue;
    const likeness = jaccard(words, statementTerms(record.statement, record.fix ?? null));
    const sameTopic = topic !== '' && normaliseTopic(record.topic ?? '') === topic;
    if (!(likeness >= LIKENESS || (sameTopic && likeness >= SAME_TOPIC_LIKENESS))) continue;
    const score = likeness + (sameTopic ? 1 : 0);
    if (!best || score > best.score || (score === best.score && key < best.key)) best = { key, score };
  }
  return best?.key ?? `${KEY_PREFIX}${observation.kind}:${shortHash(`${topic}|${[...new Set(words)].sort().join(' ')}`, 10)}`;
}

function fold(records: Record<string, PatternRecord>, key: string, observation: MapObservation, session: MappedSession): void {
  const record = (records[key] ??= newRecord(observation));
  // The first statement that carries a fix is the one worth writing down: a mistake without its fix teaches little.
  if (!record.fix && observation.fix) {
    record.fix = observation.fix;
    record.statement = observation.statement;
  }
  for (const t of statementTerms(observation.statement, observation.fix)) if (!record.terms.includes(t) && record.terms.length < MAX_TERMS) record.terms.push(t);
  recordSighting(record, session, observation);
}

function newRecord(observation: MapObservation): PatternRecord {
  const record: PatternRecord = { kind: observation.kind, statement: observation.statement, sessions: [], agents: [], quotes: [], terms: [], topic: normaliseTopic(observation.topic) };
  if (observation.fix) record.fix = observation.fix;
  return record;
}

function toPattern(key: string, record: PatternRecord): Pattern {
  const pattern: Pattern = {
    key,
    kind: record.kind,
    statement: record.statement,
    terms: record.terms,
    evidence: record.quotes,
    support: { sessions: record.sessions.length, agents: record.agents.length },
  };
  if (record.lastSeen) pattern.lastSeen = record.lastSeen;
  if (record.fix) pattern.fix = record.fix;
  return pattern;
}

function statementTerms(statement: string, fix: string | null): string[] {
  return terms(`${statement} ${fix ?? ''}`);
}

export function normaliseTopic(topic: string): string {
  return topic.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').slice(0, 6).join(' ');
}
