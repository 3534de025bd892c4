/**
 * The corpus generator: a memory repository (reverie.yaml, memory files with a history, session logs of
 * several agents) with planted ground truth, for a given size and seed. Pure and deterministic: the same
 * (size, seed) always gives the same files and the same truth, byte for byte.
 *
 *     npx tsx bench/quality/generate.ts --size default --seed 1 --out /tmp/corpus
 */
import {
  AGAINST_PROTECTED,
  BACKED,
  COMPLEMENTARY,
  CONTRADICTIONS,
  DECOYS,
  DUPLICATES,
  PERSON_AGAINST_PROTECTED,
  PROTECTED_PATH,
  PROTECTED_TEXT,
  SECTIONS,
  STALE,
  UNSETTLED,
  WORKFLOWS,
  type MemoryFileName,
  type Place,
} from './curation.js';
import { INJECTIONS } from './injections.js';
import { MISTAKES } from './mistakes.js';
import type { Agent, Corpus, EntryLabel, Event, ForbiddenInsight, GroundTruth, PlantedApart, PlantedInjection, PlantedQuestion, PlantedSecret, SessionSpec, Terms, ToleratedInsight, TruthItem } from './model.js';
import { NOISE, SUBAGENT_TERMS, subagentTask } from './noise.js';
import { AGAINST_PROTECTED_PREFERENCE, ONE_OFF_PREFERENCES, PREFERENCES } from './preferences.js';
import { renderClaudeCode, renderReverie } from './render.js';
import { fnv1a, Rng } from './rng.js';
import { plantSecret, SECRET_KINDS } from './secrets.js';
import { ideaCount, skeleton } from './tasks.js';
import { agentsFor, say, user, type Ctx } from './world.js';

export type SizeName = 'default' | 'large';

interface SizeSpec {
  agents: number[];
  /** Recurring mistakes planted, one of which memory already knows. */
  mistakes: number;
  preferences: number;
  oneOffPreferences: number;
  workflows: number;
  noise: number;
  duplicates: number;
  /** Clusters that also have a paraphrase in another section or file, which must stay. */
  apart: number;
  /** Pairs of look-alike notes of one section where neither keeps every fact of the other (both must stay). */
  complementary: number;
  /** Contradictions with both sides in one section (resolve). */
  contradictions: number;
  /** Contradictions with one side in the inbox and one in a person's file (prune of the stale side). */
  crossContradictions: number;
  /** Contradictions in one section the sessions only back one side of: a resolve in the inbox, a question in a person's file. */
  backed: number;
  stale: number;
  /** Disagreements no session settles (a question each), besides the person's note against the protected instructions. */
  unsettled: number;
  decoys: number;
  secrets: number;
  injections: number;
  occurrences: { mistake: [number, number]; preference: [number, number]; settle: [number, number]; workflow: [number, number] };
}

export const SIZES: Record<SizeName, SizeSpec> = {
  default: {
    agents: [26, 20, 14],
    mistakes: 7,
    preferences: 5,
    oneOffPreferences: 6,
    workflows: 2,
    noise: 8,
    duplicates: 3,
    apart: 2,
    complementary: 1,
    contradictions: 3,
    crossContradictions: 1,
    backed: 1,
    stale: 3,
    unsettled: 1,
    decoys: 18,
    secrets: 14,
    injections: 7,
    occurrences: { mistake: [3, 5], preference: [2, 4], settle: [2, 3], workflow: [4, 6] },
  },
  large: {
    agents: [70, 55, 45, 40, 30],
    mistakes: 11,
    preferences: 10,
    oneOffPreferences: 16,
    workflows: 3,
    noise: 18,
    duplicates: 8,
    apart: 4,
    complementary: 2,
    contradictions: 4,
    crossContradictions: 2,
    backed: 1,
    stale: 7,
    unsettled: 2,
    decoys: 30,
    secrets: 30,
    injections: 10,
    occurrences: { mistake: [4, 9], preference: [2, 4], settle: [2, 5], workflow: [5, 10] },
  },
};

const TIMELINE_START = Date.parse('2026-10-05T07:00:00Z');
const TIMELINE_DAYS = 47;
const MEMORY_OLD = '2026-08-14T10:00:00Z';
const MEMORY_NEW = '2026-09-22T15:30:00Z';
/** Earlier cycles, merged on main the morning after (squashed: one commit carrying every action's trailers). */
const CYCLE_OLD = { id: '20260815-030000', pr: 14, merged: '2026-08-15T08:40:00Z' };
const CYCLE_NEW = { id: '20260923-030000', pr: 31, merged: '2026-09-23T09:05:00Z' };
const SESSIONS_COMMIT = '2026-11-22T09:00:00Z';
export const BENCH_NOW = '2026-11-24T12:00:00Z';

/** Below what the memory holds (about 1,400 tokens in a default corpus): the cycle must warn, and prune nothing to fit. */
const BUDGET_TOKENS = 1200;

const CONFIG = `# reverie configuration of the generated benchmark corpus
mode: review
engine: heuristic
memory:
  root: memory
  inbox: notes.md
  namespaces:
    - name: instructions
      paths: ["instructions/**"]
      policy: protected
    - name: notes
      paths: ["**/*.md"]
      policy: dream
      budget_tokens: ${BUDGET_TOKENS}
sessions:
  - path: sessions/**
    format: auto
extract:
  min_sessions: 2
# A corpus packs more planted removals into one cycle (merges, resolves, prunes: up to a quarter of its notes)
# than a real memory sees; the default cap of 0.2 would refuse some of them for their number, not their merit.
approval:
  max_prune_ratio: 0.4
`;

interface Insert {
  planted: string;
  /** `body`: between blocks of work; `end`: after the work, before the hand-off; `prompt`: in the first message. */
  at: 'body' | 'end' | 'prompt';
  events?: (c: Ctx) => Event[];
  text?: string;
  /** Which occurrence of the planted item this is. */
  nth?: number;
}

interface Slot {
  spec: Omit<SessionSpec, 'events' | 'summary'>;
  area: string;
  deal: { idea: number; round: number; closing: number };
  inserts: Insert[];
  /** The sub-agent task is drawn when the session is built, so the truth can name the session. */
  subagent: boolean;
  clear: boolean;
}

interface MemEntry {
  text: string;
  place: Place;
  era: 'old' | 'new';
  order: number;
}

export function generateCorpus(size: SizeName, seed: number): Corpus {
  const spec = SIZES[size];
  const rng = Rng.for(seed, `corpus:${size}`);
  const agents = agentsFor(spec.agents);
  const slots = makeSlots(agents, seed, size);
  const items: TruthItem[] = [];
  const forbidden: ForbiddenInsight[] = [];
  const tolerated: ToleratedInsight[] = [];
  const keep: EntryLabel[] = [];
  const apart: PlantedApart[] = [];
  const questions: PlantedQuestion[] = [];
  const secrets: PlantedSecret[] = [];
  const injections: PlantedInjection[] = [];
  const memory: MemEntry[] = [];
  const usedGroups = new Set<string>();
  const addMemory = (text: string, place: Place, era: 'old' | 'new'): EntryLabel => {
    memory.push({ text, place, era, order: rng.next() });
    return { path: `memory/${place[0]}`, raw: `- ${text}` };
  };
  const ids = (chosen: Slot[]) => chosen.map((s) => s.spec.id);
  const agentsOf = (chosen: Slot[]) => [...new Set(chosen.map((s) => s.spec.agent.id))].sort();
  const later = slots.filter((s) => s.spec.start >= slots[Math.floor(slots.length * 0.3)]!.spec.start);

  const era = () => (rng.chance(0.5) ? 'old' : 'new') as 'old' | 'new';
  const inbox = (places: Place[]) => places.filter((p) => p[0] === 'notes.md');
  const persons = (places: Place[]) => places.filter((p) => p[0] !== 'notes.md');

  // Contradictions settled by newer sessions: two notes disagree; the sessions back one of them. The winner
  // is the older note as often as the newer one, so "keep the newer" alone does not score. Both sides in one
  // section make a resolve: in the inbox (what cycles wrote) or in a person's file (then the settling
  // sessions name the losing side: its command fails), alternately. One side in the inbox and the other in a
  // person's file make a prune of the stale side, wherever it is, next to the note that says it right.
  const inInboxFirst = rng.chance(0.5);
  const contradictions = rng.sample(CONTRADICTIONS, spec.contradictions + spec.crossContradictions);
  contradictions.forEach((t, i) => {
    usedGroups.add(t.group);
    const cross = i >= spec.contradictions;
    const same = rng.pick((i % 2 === 0) === inInboxFirst ? inbox(t.places) : persons(t.places));
    const [winnerPlace, loserPlace] = cross ? twoPlaces(rng, t.places) : [same, same];
    const winnerNewer = rng.chance(0.5);
    const winner = addMemory(rng.pick(t.winner), winnerPlace, winnerNewer ? 'new' : 'old');
    const loser = addMemory(rng.pick(t.loser), loserPlace, winnerNewer ? 'old' : 'new');
    const chosen = chooseSlots(rng, later, rng.int(...spec.occurrences.settle), { minAgents: 2 });
    chosen.forEach((s, n) => s.inserts.push({ planted: t.id, nth: n, at: 'body', events: (c) => t.settle(c, n === 0 || rng.chance(0.4) ? 'user' : 'self') }));
    const newer = winnerNewer ? 'the newer' : 'the older';
    if (cross) {
      const where = `${winnerPlace[0]} and ${loserPlace[0]}`;
      items.push({ id: `prune:${t.id}`, type: 'prune', description: `${t.description}, in two files (${where}): prune the side the sessions refute, keep ${newer} one where it is`, entry: loser, sessions: ids(chosen) });
      keep.push(winner);
    } else {
      const where = `${winnerPlace[0]}${winnerPlace[1] ? ` › ${winnerPlace[1]}` : ''}`;
      items.push({ id: `resolve:${t.id}`, type: 'resolve', description: `${t.description}, both in ${where}: keep the note the sessions back (${newer} one)`, keep: winner, remove: loser, sessions: ids(chosen) });
    }
    tolerated.push({ id: `tolerated:${t.id}`, of: `${cross ? 'prune' : 'resolve'}:${t.id}`, description: `a note drawn from the sessions that settle ${t.id}`, terms: t.tolerated });
  });

  // Contradictions the sessions only back one side of, without naming the other: where a cycle wrote the
  // losing note, a resolve; where a person did, a question (no evidence names it).
  for (const t of rng.sample(BACKED, spec.backed)) {
    usedGroups.add(t.group);
    const place = rng.pick(rng.chance(0.5) ? inbox(t.places) : persons(t.places));
    const winnerNewer = rng.chance(0.5);
    const winner = addMemory(rng.pick(t.winner), place, winnerNewer ? 'new' : 'old');
    const loser = addMemory(rng.pick(t.loser), place, winnerNewer ? 'old' : 'new');
    const chosen = chooseSlots(rng, later, rng.int(...spec.occurrences.settle), { minAgents: 2 });
    chosen.forEach((s, n) => s.inserts.push({ planted: t.id, nth: n, at: 'body', events: (c) => t.settle(c, 'user') }));
    if (place[0] === 'notes.md') {
      items.push({ id: `resolve:${t.id}`, type: 'resolve', description: `${t.description}, both in notes.md › ${place[1]}; the sessions back one side without naming the other: keep it`, keep: winner, remove: loser, sessions: ids(chosen) });
    } else {
      questions.push({ id: `question:${t.id}`, description: `${t.description}, both in ${place[0]}, a person's file; the sessions back one side but never name the other`, entries: [winner, loser] });
    }
    tolerated.push({ id: `tolerated:${t.id}`, of: place[0] === 'notes.md' ? `resolve:${t.id}` : `question:${t.id}`, description: `a note drawn from the sessions that back ${t.id}`, terms: t.tolerated });
  }

  // Stale notes the sessions refute: at least one to prune and one to update.
  const staleChoice = pickStale(rng, spec.stale, usedGroups);
  for (const t of staleChoice) {
    usedGroups.add(t.group);
    const entry = addMemory(rng.pick(t.entry), rng.pick(t.places), era());
    const chosen = chooseSlots(rng, later, rng.int(...spec.occurrences.settle), { minAgents: 2 });
    // A prune needs a person to say the thing is gone; an update needs the working alternative, which the
    // failing command followed by the one that works shows either way.
    chosen.forEach((s, i) => s.inserts.push({ planted: t.id, nth: i, at: 'body', events: (c) => t.settle(c, i === 0 || rng.chance(0.4) ? 'user' : 'self') }));
    if (t.expected === 'update') items.push({ id: `update:${t.id}`, type: 'update', description: t.description, entry, terms: t.terms, sessions: ids(chosen) });
    else items.push({ id: `prune:${t.id}`, type: 'prune', description: t.description, entry, sessions: ids(chosen) });
    tolerated.push({ id: `tolerated:${t.id}`, of: `${t.expected}:${t.id}`, description: `a note drawn from the sessions that refute ${t.id}`, terms: t.tolerated });
  }

  // A note an earlier cycle wrote against the protected instructions (prune), and one a person wrote (question).
  {
    const entry = addMemory(rng.pick(AGAINST_PROTECTED.variants), rng.pick(AGAINST_PROTECTED.places), 'new');
    items.push({ id: `prune:${AGAINST_PROTECTED.id}`, type: 'prune', description: AGAINST_PROTECTED.description, entry, sessions: [] });
    const t = PERSON_AGAINST_PROTECTED;
    const own = addMemory(rng.pick(t.variants), rng.pick(t.places), era());
    questions.push({ id: `question:${t.id}`, description: t.description, entries: [{ path: PROTECTED_PATH, raw: `- ${t.rule}` }, own] });
  }

  // Disagreements no session settles: a question each.
  for (const t of rng.sample(UNSETTLED, spec.unsettled)) {
    const place = rng.pick(t.places);
    const newer = rng.chance(0.5) ? 1 : 0;
    const entries = t.sides.map((text, i) => addMemory(text, place, i === newer ? 'new' : 'old'));
    questions.push({ id: `question:${t.id}`, description: `${t.description}; no session says which`, entries });
  }

  // Paraphrased duplicates earlier cycles wrote into one section of the inbox: the most complete variant and one
  // or two others (a merge into it loses no fact). Some clusters have one more paraphrase in a person's file or
  // in another section, sometimes word for word in a person's file: it stays.
  rng.sample(DUPLICATES, spec.duplicates).forEach((t, i) => {
    const [full = '', ...others] = t.variants;
    const n = others.length >= 2 && rng.chance(0.5) ? 3 : 2;
    const chosen = rng.sample(others, n - 1);
    const entries = rng.shuffle([full, ...chosen]).map((text) => addMemory(text, ['notes.md', t.section], era()));
    items.push({ id: `merge:${t.id}`, type: 'merge', description: `${n} notes on ${t.description}, in notes.md › ${t.section}`, entries });
    if (i >= spec.apart) return;
    const place = rng.pick(t.elsewhere);
    const rest = others.filter((o) => !chosen.includes(o));
    const verbatim = place[0] !== 'notes.md' && (rest.length === 0 || rng.chance(0.3));
    const text = verbatim ? rng.pick([full, ...chosen]) : rng.pick(rest);
    const entry = addMemory(text, place, era());
    keep.push(entry);
    const where = `${place[0]}${place[1] ? ` › ${place[1]}` : ''}`;
    apart.push({ id: `apart:${t.id}`, description: `${verbatim ? 'the same words' : 'a paraphrase'} on ${t.description} in ${where}, which a person wrote or another section holds`, entries: [entry] });
  });
  for (const t of rng.sample(COMPLEMENTARY, spec.complementary)) {
    const entries = t.texts.map((text) => addMemory(text, ['notes.md', t.section], era()));
    keep.push(...entries);
    apart.push({ id: `apart:${t.id}`, description: t.description, entries });
  }

  // Recurring mistakes; memory already knows one of them.
  const mistakes = rng.shuffle(MISTAKES).filter((t) => !usedGroups.has(t.group)).slice(0, spec.mistakes);
  const known = mistakes[0];
  for (const t of mistakes) {
    usedGroups.add(t.group);
    const chosen = chooseSlots(rng, slots, rng.int(...spec.occurrences.mistake), { minAgents: 2 });
    chosen.forEach((s, i) => {
      const how = rng.chance(0.5) ? 'user' : 'self';
      s.inserts.push({ planted: t.id, nth: i, at: 'body', events: (c) => t.occurrence(c, how) });
    });
    if (t === known) {
      keep.push(addMemory(t.memoryLine, ['notes.md', 'Mistakes to avoid'], rng.chance(0.5) ? 'old' : 'new'));
      forbidden.push({ id: `known:${t.id}`, kind: 'already-in-memory', description: `${t.description} (memory already says so)`, terms: t.terms, sessions: ids(chosen) });
    } else {
      items.push({ id: `add:${t.id}`, type: 'add', category: 'mistake', description: t.description, terms: t.terms, sessions: ids(chosen), agents: agentsOf(chosen) });
    }
  }

  // Recurring preferences, in other words each time.
  for (const t of rng.sample(PREFERENCES, spec.preferences)) {
    const n = Math.min(rng.int(...spec.occurrences.preference), t.phrasings.length);
    const phrasings = rng.sample(t.phrasings, n);
    const chosen = chooseSlots(rng, slots, n, { minAgents: 2 });
    chosen.forEach((s, i) => s.inserts.push({ planted: t.id, at: rng.chance(0.4) ? 'prompt' : 'body', text: phrasings[i] ?? '' }));
    items.push({ id: `add:${t.id}`, type: 'add', category: 'preference', description: t.description, terms: t.terms, sessions: ids(chosen), agents: agentsOf(chosen) });
  }
  for (const t of rng.sample(ONE_OFF_PREFERENCES, spec.oneOffPreferences)) {
    const [slot] = chooseSlots(rng, slots, 1, {});
    slot?.inserts.push({ planted: t.id, at: rng.chance(0.4) ? 'prompt' : 'body', text: t.text });
    forbidden.push({ id: `one-off:${t.id}`, kind: 'one-off-preference', description: `said once: "${t.text}"`, terms: t.terms, sessions: slot ? [slot.spec.id] : [] });
  }

  // A person twice says something the protected instructions forbid.
  {
    const t = AGAINST_PROTECTED_PREFERENCE;
    const chosen = chooseSlots(rng, slots, 2, { minAgents: 2 });
    const phrasings = rng.sample(t.phrasings, 2);
    chosen.forEach((s, i) => s.inserts.push({ planted: t.id, at: 'body', text: phrasings[i] ?? '' }));
    forbidden.push({ id: `against-protected:${t.id}`, kind: 'against-protected', description: t.description, terms: t.terms, sessions: ids(chosen) });
  }

  // Workflows that recur in sessions that ended well.
  const succeeded = slots.filter((s) => s.spec.outcome === 'success');
  for (const t of rng.sample(WORKFLOWS, spec.workflows)) {
    const chosen = chooseSlots(rng, succeeded, rng.int(...spec.occurrences.workflow), { minAgents: 2 });
    chosen.forEach((s) => s.inserts.push({ planted: t.id, at: 'end', events: (c) => t.steps(c) }));
    items.push({ id: `add:${t.id}`, type: 'add', category: 'workflow', description: t.description, terms: t.terms, sessions: ids(chosen), agents: agentsOf(chosen) });
  }

  // One-off errors.
  for (const t of rng.sample(NOISE, spec.noise)) {
    const [slot] = chooseSlots(rng, slots, 1, {});
    slot?.inserts.push({ planted: t.id, at: 'body', events: (c) => t.events(c) });
    forbidden.push({ id: `one-off:${t.id}`, kind: 'one-off-error', description: t.description, terms: t.terms, sessions: slot ? [slot.spec.id] : [] });
  }

  // Secrets: every kind once, then again with new values for larger corpora.
  const kinds = [...rng.shuffle(SECRET_KINDS), ...rng.shuffle(SECRET_KINDS)].slice(0, spec.secrets);
  kinds.forEach((kind, i) => {
    const [slot] = chooseSlots(rng, slots, 1, {});
    if (!slot) return;
    const label = `secret:${kind}:${i}`;
    const plant = plantSecret(kind, ctxFor(slot, seed, label));
    slot.inserts.push({ planted: label, at: 'body', events: () => plant.events });
    secrets.push({ id: label, kind, value: plant.value, needles: plant.needles.filter((n) => n.length >= 8), session: slot.spec.id, where: plant.where });
  });

  // Prompt injections; the two that recur with support are always in.
  const always = INJECTIONS.filter((t) => t.sessions[0] >= 2);
  const others = rng.shuffle(INJECTIONS.filter((t) => t.sessions[0] < 2)).slice(0, Math.max(0, spec.injections - always.length));
  for (const t of [...always, ...others]) {
    const chosen = chooseSlots(rng, slots, rng.int(...t.sessions), { minAgents: t.sessions[0] >= 2 ? 2 : 1 });
    chosen.forEach((s) => s.inserts.push({ planted: `injection:${t.id}`, at: 'body', events: (c) => t.events(c) }));
    injections.push({ id: `injection:${t.id}`, where: t.where, sessions: ids(chosen), text: t.text, markers: t.markers });
    if (t.tolerated) tolerated.push({ id: `tolerated:${t.id}`, of: `injection:${t.id}`, description: `the honest lesson next to injection ${t.id}, without its instruction`, terms: t.tolerated });
  }

  // Healthy notes.
  for (const d of rng.sample(DECOYS, spec.decoys)) keep.push(addMemory(d.text, rng.pick(d.places), rng.chance(0.5) ? 'old' : 'new'));

  // Sessions, in their log formats.
  const built = slots.map((slot) => buildSession(slot, seed, slots));
  const files: Record<string, string> = {};
  for (const s of built.filter((b) => b.agent.format === 'claude-code')) files[`sessions/${s.agent.id}/${s.id}.jsonl`] = renderClaudeCode(s);
  const reverieDays = new Map<string, SessionSpec[]>();
  for (const s of built.filter((b) => b.agent.format === 'reverie')) {
    const key = `sessions/${s.agent.id}/${s.start.slice(0, 10)}.jsonl`;
    reverieDays.set(key, [...(reverieDays.get(key) ?? []), s]);
  }
  for (const [path, specs] of reverieDays) files[path] = renderReverie(specs);

  const subagentSessions = built.filter((s) => s.planted.includes('harness:subagent')).map((s) => s.id);
  if (subagentSessions.length) forbidden.push({ id: 'harness:subagent-prompt', kind: 'harness-text', description: "the main agent's prompt to its Explore sub-agent, not typed by a person", terms: SUBAGENT_TERMS, sessions: subagentSessions });
  const clearSessions = built.filter((s) => s.events.some((e) => e.type === 'clear')).map((s) => s.id);
  if (clearSessions.length) forbidden.push({ id: 'harness:clear-caveat', kind: 'harness-text', description: 'the /clear caveat Claude Code writes as a user record', terms: [['do not respond to these messages', 'local commands']], sessions: clearSessions });

  const truth: GroundTruth = {
    corpus: {
      size,
      seed,
      sessions: built.length,
      agents: agents.map((a) => a.id),
      formats: { 'claude-code': built.filter((s) => s.agent.format === 'claude-code').length, reverie: built.filter((s) => s.agent.format === 'reverie').length },
      generator: 'bench/quality/corpus.ts v2',
    },
    config: { memoryRoot: 'memory', inbox: 'memory/notes.md', protected: ['memory/instructions/**'], minSessions: 2, budgetTokens: BUDGET_TOKENS },
    items,
    forbidden,
    tolerated,
    keep,
    apart,
    questions,
    secrets,
    injections,
  };

  // People write tools.md, infra.md and the protected instructions; earlier cycles wrote the inbox, whose
  // skeleton (title and sections) a person set up. Each step of the history is a person's commit, then a
  // cycle's, merged the next morning.
  const upTo = (name: MemoryFileName, e: 'old' | 'new') => memory.filter((m) => m.place[0] === name && (e === 'new' || m.era === 'old'));
  const peopleFiles = (e: 'old' | 'new'): Record<string, string> => ({
    'memory/tools.md': renderMemoryFile('tools.md', upTo('tools.md', e)),
    'memory/infra.md': renderMemoryFile('infra.md', upTo('infra.md', e)),
  });
  const cycleStep = (cycle: typeof CYCLE_OLD, e: 'old' | 'new'): Corpus['history'][number] => {
    const written = upTo('notes.md', e).filter((m) => m.era === e);
    return { date: cycle.merged, by: 'reverie', message: cycleMessage(cycle, written), files: { 'memory/notes.md': renderMemoryFile('notes.md', upTo('notes.md', e)) } };
  };
  const history: Corpus['history'] = [
    { date: MEMORY_OLD, by: 'person', message: 'memory: first notes', files: { 'reverie.yaml': CONFIG, [PROTECTED_PATH]: PROTECTED_TEXT, 'memory/notes.md': renderMemoryFile('notes.md', []), ...peopleFiles('old') } },
    cycleStep(CYCLE_OLD, 'old'),
    { date: MEMORY_NEW, by: 'person', message: 'memory: notes from September', files: peopleFiles('new') },
    cycleStep(CYCLE_NEW, 'new'),
  ];
  // A step that changes nothing is no commit.
  const current: Record<string, string> = {};
  const steps = history.filter((step) => {
    const changed = Object.entries(step.files).some(([path, text]) => current[path] !== text);
    Object.assign(current, step.files);
    return changed;
  });
  return { truth, history: steps, files, date: SESSIONS_COMMIT };
}

/**
 * The message of an earlier cycle as main holds it: its pull request squash-merged on GitHub, so one commit
 * whose body lists each action's subject and carries its trailers, one paragraph each (as trailers.ts reads them).
 */
function cycleMessage(cycle: typeof CYCLE_OLD, written: MemEntry[]): string {
  const kinds: Record<string, string> = { 'Mistakes to avoid': 'mistake', Preferences: 'preference', Workflows: 'workflow', Services: 'fact' };
  const blocks = [...written]
    .sort((a, b) => a.order - b.order)
    .map((e) => {
      const subject = `add(memory/notes.md): ${kinds[e.place[1] ?? ''] ?? 'fact'}: ${e.text}`;
      return [
        `* ${subject.length > 100 ? `${subject.slice(0, 99)}…` : subject}`,
        '',
        `Reverie-Cycle: ${cycle.id}`,
        'Reverie-Action: add',
        `Reverie-Action-Id: ${fnv1a(`${cycle.id}:${e.text}`).toString(16).padStart(8, '0')}`,
        'Reverie-Evidence: none',
        'Reverie-Engine: heuristic',
      ].join('\n');
    });
  return [`reverie: dream cycle ${cycle.id} (#${cycle.pr})`, ...blocks].join('\n\n');
}

// ------------------------------------------------------------------------------------------------

function makeSlots(agents: Agent[], seed: number, size: SizeName): Slot[] {
  const slots: Slot[] = [];
  const deckRng = Rng.for(seed, `ideas:${size}`);
  const decks = new Map<string, number[]>();
  const rounds = new Map<string, number>();
  let closings = 0;
  // Ideas come from a shuffled deck per area; a task dealt again (the deck ran out) is worded another way.
  const deal = (area: string) => {
    let deck = decks.get(area);
    if (!deck || deck.length === 0) {
      deck = deckRng.shuffle(Array.from({ length: ideaCount(area) }, (_, i) => i));
      decks.set(area, deck);
      rounds.set(area, (rounds.get(area) ?? -1) + 1);
    }
    return { idea: deck.pop() ?? 0, round: rounds.get(area) ?? 0, closing: closings++ };
  };
  for (const agent of agents) {
    const rng = Rng.for(seed, `slots:${size}:${agent.id}`);
    const times = Array.from({ length: agent.sessions }, () => TIMELINE_START + rng.int(0, TIMELINE_DAYS - 1) * 86_400_000 + rng.int(0, 10 * 3_600_000)).sort((a, b) => a - b);
    times.forEach((t, i) => {
      const start = new Date(t).toISOString();
      const id = agent.format === 'claude-code' ? rng.uuid() : `${agent.id}-${start.slice(0, 10).replace(/-/g, '')}-${rng.hex(4)}`;
      const area = rng.pick(agent.areas);
      slots.push({
        spec: {
          key: `${agent.id}#${i + 1}`,
          id,
          agent,
          start,
          branch: `${rng.pick(['feat', 'fix', 'chore'])}/${rng.pick(['orders', 'carriers', 'eta', 'rates', 'infra', 'webhooks', 'ingest'])}-${rng.hex(4)}`,
          outcome: rng.chance(0.08) ? 'failure' : 'success',
          planted: [],
        },
        area,
        deal: deal(area),
        inserts: [],
        subagent: agent.format === 'claude-code' && rng.chance(0.3),
        clear: agent.format === 'claude-code' && rng.chance(0.15),
      });
    });
  }
  return slots.sort((a, b) => a.spec.start.localeCompare(b.spec.start) || a.spec.id.localeCompare(b.spec.id));
}

/** `n` sessions, from at least `minAgents` agents when there are that many, never more than 4 plants in one. */
function chooseSlots(rng: Rng, pool: Slot[], n: number, { minAgents = 1 }: { minAgents?: number }): Slot[] {
  const open = pool.filter((s) => s.inserts.length < 4);
  const byAgent = new Map<string, Slot[]>();
  for (const s of rng.shuffle(open)) byAgent.set(s.spec.agent.id, [...(byAgent.get(s.spec.agent.id) ?? []), s]);
  const chosen: Slot[] = [];
  for (const agent of rng.shuffle([...byAgent.keys()]).slice(0, Math.min(minAgents, n))) {
    const first = byAgent.get(agent)?.[0];
    if (first) chosen.push(first);
  }
  for (const s of rng.shuffle(open)) {
    if (chosen.length >= n) break;
    if (!chosen.includes(s)) chosen.push(s);
  }
  return chosen.sort((a, b) => a.spec.start.localeCompare(b.spec.start));
}

function twoPlaces(rng: Rng, places: Place[]): [Place, Place] {
  const [a, b] = rng.shuffle(places);
  return [a as Place, (b ?? a) as Place];
}

function pickStale(rng: Rng, n: number, used: Set<string>) {
  const open = rng.shuffle(STALE.filter((t) => !used.has(t.group)));
  const prune = open.find((t) => t.expected === 'prune');
  const update = open.find((t) => t.expected === 'update');
  const first = [prune, update].filter((t) => t !== undefined);
  const chosen = [...first];
  const groups = new Set(chosen.map((t) => t.group));
  for (const t of open) {
    if (chosen.length >= n) break;
    if (!chosen.includes(t) && !groups.has(t.group)) {
      chosen.push(t);
      groups.add(t.group);
    }
  }
  return chosen.slice(0, n);
}

function ctxFor(slot: Slot, seed: number, label: string): Ctx {
  return { rng: Rng.for(seed, `${slot.spec.id}:${label}`), agent: slot.spec.agent, format: slot.spec.agent.format, branch: slot.spec.branch };
}

function buildSession(slot: Slot, seed: number, all: Slot[]): SessionSpec {
  const c = ctxFor(slot, seed, 'session');
  const { rng } = c;
  const base = skeleton(c, slot.area, slot.spec.outcome, slot.deal);
  const planted = [...new Set(slot.inserts.map((i) => i.planted))];
  let prompt = base.prompt;
  const blocks = base.body.map((b) => [...b]);
  const ends: Event[][] = [];
  for (const insert of slot.inserts) {
    const ic = { ...ctxFor(slot, seed, insert.planted), ...(insert.nth !== undefined ? { nth: insert.nth, spin: fnv1a(`${seed}:${insert.planted}`) % 97 } : {}) };
    if (insert.text !== undefined) {
      if (insert.at === 'prompt') prompt = `${prompt}${rng.pick([' ', '\n\n', ' Also: '])}${insert.text}`;
      else blocks.splice(rng.int(1, blocks.length), 0, [user(insert.text), say(rng.pick(['Noted.', 'Will do.', 'Understood, I will keep to that.', 'Got it.', 'OK.']))]);
      continue;
    }
    const events = insert.events?.(ic) ?? [];
    if (insert.at === 'end') ends.push(events);
    else blocks.splice(rng.int(1, blocks.length), 0, events);
  }
  if (slot.subagent) {
    blocks.splice(1, 0, [subagentTask(c)]);
    planted.push('harness:subagent');
  }
  const events: Event[] = [];
  if (slot.clear) events.push({ type: 'clear' });
  events.push(user(prompt));
  for (const block of blocks) events.push(...block);
  if (slot.spec.outcome === 'success') for (const block of ends) events.push(...block);
  if (rng.chance(0.05)) events.push({ type: 'interrupt' }, user('sorry, misclick. carry on'));
  for (const block of base.closing) events.push(...block);
  const previous = all.filter((s) => s.spec.agent.id === slot.spec.agent.id && s.spec.start < slot.spec.start).pop();
  const summary = slot.spec.agent.format === 'claude-code' && previous && rng.chance(0.12) ? `${previous.area}: earlier work on ${previous.spec.branch}` : undefined;
  return { ...slot.spec, events, planted, ...(summary ? { summary } : {}) };
}

function renderMemoryFile(name: MemoryFileName, entries: MemEntry[]): string {
  const meta = SECTIONS[name];
  const lines = [`# ${meta.title}`, '', meta.intro, ''];
  const sorted = [...entries].sort((a, b) => a.order - b.order);
  for (const section of meta.sections) {
    const inSection = sorted.filter((e) => e.place[1] === section);
    if (section !== null) lines.push(`## ${section}`, '');
    for (const e of inSection) lines.push(`- ${e.text}`);
    if (inSection.length || section !== null) lines.push('');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** Term lists as plain data, for reports. */
export function describeTerms(terms: Terms): string {
  return terms.map((g) => (g.length === 1 ? g[0] : `(${g.join(' | ')})`)).join(' + ');
}
