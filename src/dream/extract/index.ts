import type { Session } from '../../sessions/types.js';
import { claimsOf } from '../claims.js';
import { codeSpans, jaccard, shortHash, terms, termsOnce } from '../text.js';
import type { DreamState, Evidence, FixRecord, Pattern, PatternRecord } from '../types.js';
import { commandHead, commonCommand, effectiveProgram } from './commands.js';
import { findMistakes } from './mistakes.js';
import type { ObservedSession, Observation } from './observation.js';
import { preferenceKeys, statementOf, type Statement } from './preference-clusters.js';
import { intentOf, intentRule } from './intents.js';
import { findCorrections, findPreferences, preferenceStatement, userSentences, type PreferenceObservation } from './preferences.js';
import { isSpool, type ObservationSpool } from './spool.js';
import { unsafeLesson } from './unsafe.js';
import { commandRun, workflowsOf } from './workflows.js';

const MAX_QUOTES = 6;

/** A preference's vocabulary grows with each way people say it, up to this many words. */
const MAX_PREFERENCE_TERMS = 40;

/** Sentences that read as a standing rule rather than a request about the task at hand. */
const STANDING_RULE = /^(no[,.!—–-]?\s*)?(please\s+)?(always|never|use|don't|do not|avoid|i prefer|we (use|follow|prefer|always|never))\b/i;

/** Workflows need one more session than other patterns: commands often follow each other by chance. */
const WORKFLOW_EXTRA_SUPPORT = 1;

/** Of the sessions where a run's first command starts any recorded run, the share this run must have. */
const WORKFLOW_SHARE = 0.5;

export interface Extraction {
  /** Patterns that gained evidence this cycle and have enough support to act on. */
  signal: Pattern[];
  /** Patterns that gained evidence this cycle but are still below `minSessions`. */
  noise: Pattern[];
  /** Accumulated pattern records, including this cycle's observations. */
  records: Record<string, PatternRecord>;
}

/** Reads what extraction needs from a session, so that the session itself can be let go. */
export function observeSession(session: Session): ObservedSession {
  const userTerms = new Map<string, number>();
  for (const sentence of userSentences(session)) for (const t of termsOnce(sentence.text)) userTerms.set(t, (userTerms.get(t) ?? 0) + 1);
  const mistakes = findMistakes(session);
  const observed: ObservedSession = {
    id: session.id,
    agent: session.agent,
    source: session.source,
    hash: session.hash,
    mistakes,
    corrections: findCorrections(session),
    preferences: findPreferences(session).filter((p) => p.explicit || !answersFailure(p, mistakes)),
    commands: commandRun(session),
    userTerms: [...userTerms],
  };
  if (session.startedAt) observed.startedAt = session.startedAt;
  if (session.endedAt) observed.endedAt = session.endedAt;
  return observed;
}

/**
 * "Run init, modules moved", said after `terraform plan` failed and before the agent ran `terraform init`, is how
 * that failure was fixed: the mistake's line says it, with its command; a second line in the person's words would
 * say it again.
 */
function answersFailure(preference: { turn: number }, mistakes: Observation[]): boolean {
  return mistakes.some((m) => m.fixedAt !== undefined && m.turn < preference.turn && preference.turn <= m.fixedAt);
}

export function isObserved(session: Session | ObservedSession): session is ObservedSession {
  return 'commands' in session && !('turns' in session);
}

/**
 * Folds the new sessions' observations into the records kept from earlier cycles, then splits the
 * patterns they touched into signal and noise. Deterministic: sessions are taken in time order,
 * whatever order they were read in.
 */
export function extractPatterns(sessions: readonly (Session | ObservedSession)[] | ObservationSpool, previous: DreamState['patterns'], minSessions: number): Extraction {
  // Copied on write: a record this cycle's sessions touch is copied before it changes, the others stay the state's own
  // objects, so that writing the state tells them unchanged without comparing (state-files.ts).
  const records: Record<string, PatternRecord> = { ...previous };
  const owned = new Set<PatternRecord>();
  const touched = new Set<string>();
  try {
    const { statements, userTerms, observations } = isSpool(sessions) ? spooled(sessions) : listed(sessions);
    const keys = preferenceKeys(statements, userTerms, records);
    let next = 0;
    for (const session of observations()) {
      const preferences = keyedPreferences(session.preferences, () => keys[next++] as string);
      for (const observation of [...session.mistakes, ...(session.corrections ?? []), ...preferences, ...workflowsOf(session.commands)]) {
        fold(ownedRecord(records, observation, owned), observation, session);
        touched.add(observation.key);
      }
    }
  } finally {
    // A spool is read once: its file goes as soon as the fold is done, or has failed.
    if (isSpool(sessions)) sessions.release();
    // The sets of long lists serve the fold: the records outlive it (into the state a cycle commits), the sets need not.
    idSets = new WeakMap();
  }
  const patterns = [...touched].sort().map((key) => toPattern(key, records[key] as PatternRecord));
  const promotable = patterns.filter((p) => !unsafeLesson(p.statement));
  // A recurring error with no known fix tells an agent nothing it can act on: it waits for a fix as noise.
  // Unless it shows that something memory may still name is gone ("No rule to make target 'docs'").
  const actionable = promotable.filter((p) => p.kind !== 'mistake' || p.fix !== undefined || (p.dropped?.length ?? 0) > 0);
  const habitual = habitualWorkflows(records);
  // What a person asked to be remembered is signal at once; the rest needs `minSessions` sessions.
  const requested = (p: Pattern) => (records[p.key]?.requested?.length ?? 0) > 0;
  const enough = actionable.filter((p) =>
    p.kind === 'workflow' ? p.support.sessions >= minSessions + WORKFLOW_EXTRA_SUPPORT && habitual(p) : p.support.sessions >= minSessions || requested(p),
  );
  const lessons = enough.filter((p) => p.kind !== 'workflow');
  const partOfLesson = partOfMistake(lessons);
  const signal = [...lessons, ...strongestWorkflows(enough.filter((p) => p.kind === 'workflow' && !partOfLesson(p)))];
  const signalKeys = new Set(signal.map((p) => p.key));
  // Runs inside a kept workflow are parts of it, not separate observations that failed to recur.
  const noise = patterns.filter((p) => !signalKeys.has(p.key) && !(p.kind === 'workflow' && signal.some((s) => s.kind === 'workflow' && contains(s, p))));
  return { signal, noise, records };
}

/**
 * What the fold reads of a cycle's sessions: every preference statement to cluster (none asked to be recorded) and
 * the words people typed, summed, both known before the first fold; then the sessions themselves, in time order.
 */
interface Folding {
  statements: Statement[];
  userTerms: ReadonlyMap<string, number>;
  observations: () => Iterable<ObservedSession>;
}

/** Sessions held in a list: observed now if they are whole, then ordered. */
function listed(sessions: readonly (Session | ObservedSession)[]): Folding {
  const ordered = orderSessions(sessions.map((s) => (isObserved(s) ? s : observeSession(s))));
  const userTerms = new Map<string, number>();
  for (const session of ordered) for (const [t, n] of session.userTerms) userTerms.set(t, (userTerms.get(t) ?? 0) + n);
  const statements = ordered.flatMap((s) => s.preferences.filter((o) => !o.explicit).map(statementOf));
  return { statements, userTerms, observations: () => ordered };
}

/** Sessions streamed into a spool: the terms were summed as they came, the observations are read back in order. */
function spooled(spool: ObservationSpool): Folding {
  const { statements, observations } = spool.inTimeOrder();
  return { statements, userTerms: spool.userTerms, observations };
}

function orderSessions(sessions: ObservedSession[]): ObservedSession[] {
  return [...sessions].sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id));
}

/**
 * People say the same preference in other words each time, so preferences are keyed only once every
 * statement of the cycle is known: by the words that recur in such statements (see preference-clusters).
 * `clusterKey` hands out those keys in the order of the statements.
 */
function keyedPreferences(observations: readonly PreferenceObservation[], clusterKey: () => string): Observation[] {
  const keyed = new Map<string, Observation>();
  for (const observation of observations) {
    // A rule a person asked to be recorded is theirs as they said it: it is signal on its own, and a sentence that
    // happens to share a word with it ("litter" the repository, "litter" the context window) is no second sighting.
    const key = observation.explicit ? `preference:${shortHash(`requested ${[...new Set(observation.terms)].sort().join(' ')}`, 10)}` : clusterKey();
    // Two sentences of one session that state the same preference are one observation.
    if (!keyed.has(key)) keyed.set(key, { ...observation, key });
  }
  return [...keyed.values()];
}

/** The record an observation folds into, this cycle's own: a new one, or a copy of the state's made on first touch. */
function ownedRecord(records: Record<string, PatternRecord>, observation: Observation, owned: Set<PatternRecord>): PatternRecord {
  const held = records[observation.key];
  if (held && owned.has(held)) return held;
  const mine = held ? structuredClone(held) : newRecord(observation);
  records[observation.key] = mine;
  owned.add(mine);
  return mine;
}

function fold(record: PatternRecord, observation: Observation, session: ObservedSession): void {
  if (observation.fix && !holds(record.sessions, session.id)) foldFix(record, observation);
  if (record.kind === 'preference') {
    for (const t of observation.terms) if (!record.terms.includes(t) && record.terms.length < MAX_PREFERENCE_TERMS) record.terms.push(t);
  }
  if (observation.explicit && !(record.requested ?? []).includes(session.id)) {
    // The first rule a person asked for in so many words is the one to write.
    if (!record.requested?.length) record.statement = observation.statement;
    record.requested = [...(record.requested ?? []), session.id];
  }
  if (observation.dropped && !holds(record.sessions, session.id)) {
    // What recurs in every session is the lesson; branch names and PR numbers differ each time.
    record.dropped = record.dropped ? record.dropped.filter((d) => observation.dropped?.includes(d)) : [...observation.dropped];
    record.added = record.added ? record.added.filter((a) => observation.added?.includes(a)) : [...(observation.added ?? [])];
    record.changes = (record.changes ?? 0) + 1;
  }
  recordSighting(record, session, observation);
}

/**
 * The fix most sessions used is the one memory gives (`git pull --rebase` in three sessions over `git fetch` in one);
 * on a tie, the first seen stays. Runs of one fix with other arguments keep only what they share.
 */
function foldFix(record: PatternRecord, observation: Observation): void {
  const fix = observation.fix ?? '';
  const head = fixHead(fix);
  const fixes = (record.fixes ??= {});
  const known = fixes[head];
  if (known) {
    known.sessions++;
    generalizeFix(known, fix);
  } else {
    fixes[head] = { sessions: 1, fix, statement: observation.statement, ...(observation.avoid ? { avoid: observation.avoid } : {}), ...(observation.prefer ? { prefer: observation.prefer } : {}) };
  }
  const held = record.fix === undefined ? undefined : fixes[fixHead(record.fix)];
  const best = fixes[head] as FixRecord;
  if (held && held !== best && held.sessions >= best.sessions) return;
  const chosen = best;
  record.fix = chosen.fix;
  record.statement = chosen.statement;
  // What to use and avoid goes with the fix: another fix's would contradict the line.
  if (chosen.avoid) record.avoid = chosen.avoid;
  else delete record.avoid;
  if (chosen.prefer) record.prefer = chosen.prefer;
  else delete record.prefer;
}

function fixHead(fix: string): string {
  const [command] = codeSpans(fix);
  return command === undefined ? fix : commandHead(command);
}

/**
 * A fix written from one session names that session's file or package; a second session with other arguments shows
 * which part is the lesson, and the line keeps only that (`pnpm --filter web add …`).
 */
function generalizeFix(known: FixRecord, fix: string): void {
  const [held] = codeSpans(known.fix);
  const [seen] = codeSpans(fix);
  if (!held || !seen || held === seen) return;
  const common = commonCommand(held, seen);
  if (!common || common === held) return;
  known.fix = known.fix.replace(`\`${held}\``, `\`${common}\``);
  known.statement = known.statement.replace(`\`${held}\``, `\`${common}\``);
}

/** Lists of session ids longer than this are looked up through a set: a pattern seen in 40,000 sessions is common. */
const LINEAR_LOOKUP = 32;

let idSets = new WeakMap<string[], Set<string>>();

/**
 * Whether a record's list of distinct session ids holds `id`. A long list keeps a set beside it (addId adds to both),
 * made again when the list's length shows it changed some other way.
 */
function holds(list: string[], id: string): boolean {
  if (list.length <= LINEAR_LOOKUP) return list.includes(id);
  let set = idSets.get(list);
  if (!set || set.size !== list.length) {
    set = new Set(list);
    idSets.set(list, set);
  }
  return set.has(id);
}

/** Adds `id` to a list of distinct session ids, and to its set when it has one. */
function addId(list: string[], id: string): void {
  list.push(id);
  idSets.get(list)?.add(id);
}

/** One more session that shows a pattern: its id, its agent, when, and a quote. Support counts distinct ones. */
export function recordSighting(
  record: PatternRecord,
  session: { id: string; agent: string; startedAt?: string | undefined; endedAt?: string | undefined },
  seen: { quote: string; turn: number },
): void {
  if (!holds(record.sessions, session.id)) addId(record.sessions, session.id);
  if (!record.agents.includes(session.agent)) record.agents.push(session.agent);
  const time = session.endedAt ?? session.startedAt;
  if (time && (!record.lastSeen || time > record.lastSeen)) record.lastSeen = time;
  addQuote(record, { sessionId: session.id, agent: session.agent, quote: seen.quote, turn: seen.turn });
}

function newRecord(observation: Observation): PatternRecord {
  const record: PatternRecord = { kind: observation.kind, statement: observation.statement, sessions: [], agents: [], quotes: [], terms: [...observation.terms] };
  if (observation.signature) record.signature = observation.signature;
  if (observation.avoid?.length) record.avoid = observation.avoid;
  if (observation.prefer?.length) record.prefer = observation.prefer;
  return record;
}

/** Keeps a few quotes, one per session, favouring agents not yet quoted so cross-agent evidence shows. */
function addQuote(record: PatternRecord, evidence: Evidence): void {
  if (record.quotes.some((q) => q.sessionId === evidence.sessionId)) return;
  if (record.quotes.length < MAX_QUOTES) {
    record.quotes.push(evidence);
    return;
  }
  const quotedAgents = new Set(record.quotes.map((q) => q.agent));
  if (!quotedAgents.has(evidence.agent)) record.quotes[record.quotes.length - 1] = evidence;
}

function toPattern(key: string, record: PatternRecord): Pattern {
  const pattern: Pattern = {
    key,
    kind: record.kind,
    statement: record.kind === 'preference' ? representativeStatement(record) : record.statement,
    terms: record.terms,
    evidence: record.quotes,
    support: { sessions: record.sessions.length, agents: record.agents.length },
  };
  if (record.lastSeen) pattern.lastSeen = record.lastSeen;
  if (record.signature) pattern.signature = record.signature;
  if (record.fix) pattern.fix = record.fix;
  if (record.kind === 'preference' && pattern.statement !== record.statement) {
    // What the line recommends and avoids is what curation weighs it by: the line written, not another way it was said.
    const { recommends, avoids } = claimsOf(pattern.statement);
    if (avoids.length > 0) pattern.avoid = avoids;
    if (recommends.length > 0) pattern.prefer = recommends;
  } else {
    if (record.avoid) pattern.avoid = record.avoid;
    if (record.prefer) pattern.prefer = record.prefer;
  }
  // One session's change of arguments may be incidental; two that agree are the lesson. A person saying so is too.
  const settled = (record.changes ?? 0) >= 2 || (record.kind === 'fact' && (record.requested?.length ?? 0) > 0);
  if (record.dropped?.length && settled) pattern.dropped = record.dropped;
  if (record.added?.length && settled) pattern.added = record.added;
  return pattern;
}

/**
 * The way of saying a preference that shares the most with the other ways it was said: the sentence
 * least tied to one task. Shorter wins a tie, since a memory line should be brief.
 */
function representativeStatement(record: PatternRecord): string {
  if ((record.requested?.length ?? 0) > 0) return record.statement;
  // A family of corrections said in many clipped ways ("no code yet", "don't run anything") gets its rule written whole.
  const intents = record.quotes.map((q) => intentOf(q.quote));
  const shared = intents[0];
  if (record.quotes.length >= 2 && shared && intents.every((i) => i === shared)) return intentRule(shared) ?? record.statement;
  // A quote cut short ("…") would write a sentence cut mid-word: only whole sentences may become the rule.
  const whole = record.quotes.filter((q) => !q.quote.endsWith('…'));
  if (whole.length < 2) return record.statement;
  const quoteTerms = whole.map((q) => terms(q.quote));
  // Jaccard, not containment: words tied to one task lower a sentence's likeness to all the others.
  // A sentence that says why ("before writing code, show your plan") stands on its own better than "no code yet".
  const scored = whole.map((q, i) => ({
    quote: q.quote,
    score:
      quoteTerms.reduce((sum, other, j) => (i === j ? sum : sum + jaccard(quoteTerms[i] ?? [], other)), 0) +
      (STANDING_RULE.test(q.quote) ? 0.5 : 0) +
      0.05 * Math.min(10, quoteTerms[i]?.length ?? 0),
  }));
  scored.sort((a, b) => b.score - a.score || a.quote.length - b.quote.length || a.quote.localeCompare(b.quote));
  return preferenceStatement(scored[0]?.quote ?? record.statement);
}

/**
 * A run of commands is a habit when its first command is mostly followed by the same next ones: in at
 * least WORKFLOW_SHARE of the sessions where a recorded run starts with that command. Commands that
 * often follow each other by chance ("terraform …" then "kubectl get") do so in a minority of them.
 */
function habitualWorkflows(records: Record<string, PatternRecord>): (pattern: Pattern) => boolean {
  const sessionsFrom = new Map<string, Set<string>>();
  for (const record of Object.values(records)) {
    const head = record.kind === 'workflow' ? record.prefer?.[0] : undefined;
    if (head === undefined) continue;
    const set = sessionsFrom.get(head) ?? sessionsFrom.set(head, new Set()).get(head);
    record.sessions.forEach((s) => set?.add(s));
  }
  return (pattern) => {
    const head = pattern.prefer?.[0];
    const all = head === undefined ? 0 : (sessionsFrom.get(head)?.size ?? 0);
    return all > 0 && pattern.support.sessions / all >= WORKFLOW_SHARE;
  };
}

/**
 * "`terraform init`, then `terraform plan`" recurs because `terraform plan` keeps failing until it is
 * initialised: a recurring mistake already teaches that run, so it is not a workflow of its own. A run
 * is part of a mistake when it holds a command of the fix and its other commands run the failing program.
 */
function partOfMistake(lessons: Pattern[]): (workflow: Pattern) => boolean {
  const mistakes = lessons
    .filter((p) => p.kind === 'mistake')
    .map((p) => ({
      program: (p.signature ?? '').split(' :: ')[0] ?? '',
      fixes: new Set([...(p.fix ?? '').matchAll(/`([^`]+)`/g)].map((m) => commandHead(m[1] ?? '')).concat(p.prefer ?? [])),
    }));
  return (workflow) => {
    const heads = workflow.prefer ?? [];
    return mistakes.some(({ program, fixes }) => heads.some((h) => fixes.has(h)) && heads.every((h) => fixes.has(h) || effectiveProgram(h) === program));
  };
}

/**
 * Recurring runs of commands overlap (a run of three contains two runs of two): keep the longest first,
 * then the best supported, and drop any that starts where a kept one starts or adds no command of its own.
 */
function strongestWorkflows(workflows: Pattern[]): Pattern[] {
  const maximal = workflows.filter((w) => !workflows.some((l) => l !== w && contains(l, w) && l.support.sessions >= 0.75 * w.support.sessions));
  // Longer runs first: three commands that recur together are a habit more surely than two that do.
  const ranked = maximal.sort(
    (a, b) => (b.prefer?.length ?? 0) - (a.prefer?.length ?? 0) || b.support.sessions - a.support.sessions || a.key.localeCompare(b.key),
  );
  const kept: Pattern[] = [];
  const used = new Set<string>();
  for (const workflow of ranked) {
    const heads = workflow.prefer ?? [];
    // A run that starts where a kept one starts, or has nothing of its own, repeats it.
    if (used.has(heads[0] ?? '') || heads.every((h) => used.has(h))) continue;
    kept.push(workflow);
    heads.forEach((h) => used.add(h));
  }
  return kept;
}

/** True when the command run of `outer` contains the run of `inner`, in order and without gaps. */
function contains(outer: Pattern, inner: Pattern): boolean {
  const a = outer.prefer ?? [];
  const b = inner.prefer ?? [];
  if (b.length >= a.length) return false;
  return a.some((_, i) => b.every((head, j) => a[i + j] === head));
}
