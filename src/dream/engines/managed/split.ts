/**
 * What a dream did, as reverie's actions. Anthropic's Dreams write a whole new memory store; reverie reviews changes
 * one at a time. This compares the memory the dream read with the store it wrote, entry by entry, and names each
 * difference as the step a person would have taken:
 *
 *   update  one entry gone and one written in its place that keeps most of its words;
 *   merge   several entries gone and one written that holds the words of each;
 *   prune   an entry gone that nothing written covers;
 *   add     an entry written that covers nothing gone.
 *
 * An entry that only moved (the same words elsewhere) is no curation and no action: reverie keeps it where it was.
 * Formatting aside (list marks, spacing, closing punctuation), applying the actions to the input gives the output's
 * entries, each in its file and section. Pure: no store, no network.
 */
import { entriesOf, isMarkdownPath, namespaceMatcher, parseDocument } from '../../../memory/index.js';
import type { Entry, MemorySnapshot } from '../../../memory/types.js';
import { redactText } from '../../../sessions/redact.js';
import { makeAction, short } from '../../curate/action.js';
import { comparableText } from '../../curate/effects.js';
import { factsOf } from '../../curate/harm.js';
import { codeSpans, idfTable, quote, shortHash, terms, weightedJaccard } from '../../text.js';
import type { Action, Evidence } from '../../types.js';

/** A session the dream read, as text to find evidence in: what it says about the entries an action changes. */
export interface SessionText {
  id: string;
  agent: string;
  text: string;
}

export interface SplitContext {
  /** The dream's id, named in each action's rationale. */
  dream: string;
  /** The sessions the dream read; an action's evidence is what they say about its entries. */
  sessions?: readonly SessionText[];
}

export interface SplitResult {
  /** In the order a cycle proposes them: rewrites first, then adds, then removals (a section rewritten whole keeps a heading with entries under it). */
  actions: Action[];
  /** Entries the dream moved to another file: left where they are, said so to the reviewer. */
  moved: string[];
  /** Files the dream wrote that are not Markdown: no entries of memory, left out. */
  ignored: string[];
}

/** A written entry holds a gone one when it has at least this share of the gone entry's words, by weight. */
const COVERS = 0.6;
/** An update's new text is about the old entry: this share of its own words, by weight, come from it. */
const STAYS_ON = 0.3;
/** A merge's text is made of the entries it replaces: at least this share of its words, by weight, come from them. */
const MADE_OF = 0.4;
const MAX_EVIDENCE = 4;
const QUOTE_CHARS = 140;

/**
 * `output` holds the dream's store as repository paths → text (the store's `/notes.md` is `<memory.root>/notes.md`);
 * a file of the input that the output lacks was deleted by the dream.
 */
export function splitDream(memory: MemorySnapshot, output: ReadonlyMap<string, string>, context: SplitContext): SplitResult {
  const namespaceOf = namespaceMatcher(memory.root, memory.namespaces);
  const before = memory.files.flatMap((f) => f.entries);
  const after = [...output].filter(([path]) => isMarkdownPath(path)).flatMap(([path, text]) => {
    const namespace = namespaceOf(path);
    return entriesOf(parseDocument(path, text), namespace?.name ?? '', namespace?.policy ?? 'dream');
  });
  const { gone, written } = unmatched(before, after, (e) => `${e.path}\u0000${comparableText(e.text)}`);
  // The same words in another file: moved, not curated.
  const moves = unmatched(gone, written, (e) => comparableText(e.text));
  const moved = moves.matched.map(([from, to]) => `${short(from, 60)} moved by the dream from ${from.path} to ${to.path}; reverie keeps it in ${from.path}`);

  const weight = idfTable([...before, ...after].map((e) => terms(e.text)));
  const share = (of: Entry, within: Entry) => weightedShare(terms(of.text), terms(within.text), weight);
  const left = new Set(moves.gone);
  const sameFile = (entry: Entry) => [...left].filter((old) => old.path === entry.path);
  const rewrites: Action[] = [];
  const unmatchedWrites: Entry[] = [];
  // Merges first: a note written that holds several gone ones, and is made of them.
  for (const entry of moves.written) {
    const covered = sameFile(entry).filter((old) => share(old, entry) >= COVERS);
    const madeOf = weightedShare(terms(entry.text), covered.flatMap((old) => terms(old.text)), weight);
    if (covered.length < 2 || madeOf < MADE_OF) {
      unmatchedWrites.push(entry);
      continue;
    }
    for (const old of covered) left.delete(old);
    rewrites.push(mergeOf(inPlaceFirst(covered, entry), entry, context));
  }
  // Then rewrites, the closest pairs first, so that no note takes the gone note another one rewrites more closely.
  const pairs = unmatchedWrites
    .flatMap((entry) => sameFile(entry).map((old) => ({ entry, old, score: weightedJaccard(terms(entry.text), terms(old.text), weight) })))
    .filter(({ entry, old }) => share(old, entry) >= COVERS && share(entry, old) >= STAYS_ON)
    .sort((a, b) => b.score - a.score);
  const rewritten = new Set<Entry>();
  for (const { entry, old } of pairs) {
    if (rewritten.has(entry) || !left.has(old)) continue;
    rewritten.add(entry);
    left.delete(old);
    rewrites.push(updateOf(old, entry, context));
  }
  const adds = unmatchedWrites.filter((entry) => !rewritten.has(entry));
  return {
    actions: [...rewrites, ...adds.map((entry) => addOf(entry, context)), ...[...left].map((old) => pruneOf(old, context))],
    moved,
    ignored: [...output.keys()].filter((path) => !isMarkdownPath(path)).sort(),
  };
}

/** Pairs entries of two lists by key, as many times as each key occurs; what is left on each side is a change. */
function unmatched<T extends Entry>(before: readonly T[], after: readonly T[], key: (e: T) => string): { gone: T[]; written: T[]; matched: [T, T][] } {
  const waiting = new Map<string, T[]>();
  for (const entry of before) (waiting.get(key(entry)) ?? waiting.set(key(entry), []).get(key(entry)))?.push(entry);
  const written: T[] = [];
  const matched: [T, T][] = [];
  for (const entry of after) {
    const same = waiting.get(key(entry))?.shift();
    if (same) matched.push([same, entry]);
    else written.push(entry);
  }
  const paired = new Set(matched.map(([b]) => b));
  return { gone: before.filter((e) => !paired.has(e)), written, matched };
}

/** The weight of `of`'s terms found in `within`, over the weight of all of `of`'s: rare words (names, numbers) count most. */
function weightedShare(of: readonly string[], within: readonly string[], weight: (term: string) => number): number {
  const set = new Set(within);
  const all = [...new Set(of)];
  const total = all.reduce((sum, t) => sum + weight(t), 0);
  return total === 0 ? 0 : all.filter((t) => set.has(t)).reduce((sum, t) => sum + weight(t), 0) / total;
}

/** A merge writes its text where its first target was: the target in the written entry's own file and section, if any. */
function inPlaceFirst(targets: Entry[], written: Entry): Entry[] {
  const home = targets.find((t) => t.path === written.path && t.section.join('\u0000') === written.section.join('\u0000')) ?? targets.find((t) => t.path === written.path);
  return home ? [home, ...targets.filter((t) => t !== home)] : targets;
}

function updateOf(old: Entry, written: Entry, context: SplitContext): Action {
  return makeAction({
    type: 'update',
    summary: `rewrite ${short(old)}`,
    rationale: `The dream ${context.dream} rewrote this entry as ${short(written, 80)}.`,
    evidence: evidenceFor([old.text, written.text], context),
    targets: [old],
    content: written.text,
    identity: `managed:${shortHash(`${old.path}\u0000${old.raw.trim()}`, 12)}>${shortHash(comparableText(written.text), 12)}`,
  });
}

function mergeOf(targets: Entry[], written: Entry, context: SplitContext): Action {
  const files = [...new Set(targets.map((t) => t.path))];
  return makeAction({
    type: 'merge',
    summary: `combine ${targets.length} notes into ${short(written)}`,
    rationale: `The dream ${context.dream} replaced ${targets.length} entries${files.length > 1 ? ` of ${files.join(', ')}` : ''} with one that holds what each said.`,
    evidence: evidenceFor([...targets.map((t) => t.text), written.text], context),
    targets,
    content: written.text,
    identity: `managed:${targets.map((t) => shortHash(`${t.path}\u0000${t.raw.trim()}`, 12)).sort().join(',')}>${shortHash(comparableText(written.text), 12)}`,
  });
}

function addOf(written: Entry, context: SplitContext): Action {
  return makeAction({
    type: 'add',
    summary: `add ${short(written)}`,
    rationale: `The dream ${context.dream} wrote this entry${written.section.length ? ` under "${written.section.at(-1)}"` : ''}.`,
    evidence: evidenceFor([written.text], context),
    content: written.text,
    destination: { path: written.path, section: written.section.at(-1) ?? '' },
    identity: `managed:${shortHash(`${written.path}\u0000${comparableText(written.text)}`, 12)}`,
  });
}

function pruneOf(old: Entry, context: SplitContext): Action {
  return makeAction({
    type: 'prune',
    summary: `remove ${short(old)}`,
    rationale: `The dream ${context.dream} left this entry out of the memory it wrote, and wrote nothing that holds it.`,
    evidence: evidenceFor([old.text], context),
    targets: [old],
  });
}

/**
 * The sessions that name what the action is about: each a quote around the first thing of the entries (a command, a
 * path, a name, in code or not) that the session's text holds, that thing marked as code, so a reviewer and the
 * do-no-harm check both see what it names. A session that names none of it is no evidence, however the dream used it.
 */
export function evidenceFor(texts: readonly string[], context: Pick<SplitContext, 'sessions'>): Evidence[] {
  const things = [...new Set(texts.flatMap((t) => [...codeSpans(t), ...factsOf(t)]))].filter((f) => f.length >= 3 && !f.startsWith('('));
  const found: Evidence[] = [];
  for (const session of context.sessions ?? []) {
    const lower = session.text.toLowerCase();
    for (const thing of things) {
      const at = lower.indexOf(thing.toLowerCase());
      if (at < 0) continue;
      found.push({ sessionId: session.id, agent: session.agent, quote: quoteAround(session.text, at, thing.length) });
      break;
    }
    if (found.length >= MAX_EVIDENCE) break;
  }
  return found;
}

/** The line around a match, redacted and short, with the match in backticks. */
function quoteAround(text: string, at: number, length: number): string {
  const start = Math.max(0, text.lastIndexOf('\n', at) + 1, at - QUOTE_CHARS / 2);
  const lineEnd = text.indexOf('\n', at + length);
  const end = Math.min(lineEnd < 0 ? text.length : lineEnd, at + length + QUOTE_CHARS / 2);
  const marked = `${text.slice(start, at)}\`${text.slice(at, at + length).replace(/`/g, '')}\`${text.slice(at + length, end)}`;
  return quote(redactText(marked), QUOTE_CHARS + 2);
}
