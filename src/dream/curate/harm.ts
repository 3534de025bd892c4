/**
 * Do no harm: the rules every engine's actions pass before they touch memory. A person's entry (no cycle's trailer
 * wrote it) is removed or rewritten only on session evidence that names it, but for a verbatim duplicate in the same
 * section; a merge or a resolve pairs entries of one section only; a merge keeps every fact of what it replaces; what
 * one action of the cycle keeps or writes, no other removes. Silence means keep.
 */
import type { Entry } from '../../memory/types.js';
import { mentions, withoutReasons } from '../claims.js';
import { codeSpans } from '../text.js';
import type { Action, EntryRef, Evidence } from '../types.js';
import { comparableText, effectsOf } from './effects.js';

/** What the sessions say about a pattern an action cites: enough to tell whether its evidence names an entry. */
export interface PatternFacts {
  statement: string;
  signature?: string | undefined;
  fix?: string | undefined;
  avoid?: string[] | undefined;
  prefer?: string[] | undefined;
  dropped?: string[] | undefined;
}

/** The memory as the guard sees it while a cycle plans. */
export interface HarmView {
  /** The entry a reference names, as it is now. */
  find(ref: EntryRef): Entry | undefined;
  /** This cycle wrote it. */
  isFresh(entry: Entry): boolean;
  /** An earlier action of this cycle keeps it (the side of a merge or resolve that stays). */
  isKept(entry: Entry): boolean;
  /** What the sessions say about a pattern, by key. */
  pattern(key: string): PatternFacts | undefined;
}

/** Why the action would do harm, or nothing when it may go ahead. */
export function harmOf(action: Action, view: HarmView): string | undefined {
  if (action.type === 'add') return undefined;
  const targets = action.targets.map((ref) => view.find(ref));
  // A target that is gone is the memory layer's to report (the action no longer applies).
  if (targets.some((t) => t === undefined)) return undefined;
  const entries = targets as Entry[];
  const { removed, rewritten } = effectsOf(action);
  const touched = [...removed, ...rewritten].map((ref) => entries[action.targets.indexOf(ref)] as Entry);
  if (action.type === 'merge' || action.type === 'resolve') {
    const scope = scopeProblem(entries);
    if (scope) return scope;
  }
  for (const entry of touched) {
    // A merge may fold a note another action kept into one that says all of it (checked below): what was kept stays said.
    if (view.isFresh(entry) || (view.isKept(entry) && action.type !== 'merge')) return `it would remove ${where(entry)}, which another action of this cycle keeps or writes`;
    if (!writtenByPerson(entry, view)) continue;
    if (action.type === 'merge' && isVerbatimDuplicate(entry, entries[0] as Entry)) continue;
    if (!evidenceNames(action, entry, view)) {
      return `${where(entry)} was written by a person and no session names it: a cycle changes it only on evidence`;
    }
  }
  if (action.type === 'merge') return lostFacts(action, entries);
  return undefined;
}

/** Unknown counts as a person: what a cycle cannot prove it wrote, a person did. */
export function writtenByPerson(entry: Entry, view: Pick<HarmView, 'isFresh'>): boolean {
  return entry.writtenBy !== 'reverie' && !view.isFresh(entry);
}

export function sameSection(a: Pick<Entry, 'path' | 'section'>, b: Pick<Entry, 'path' | 'section'>): boolean {
  return a.path === b.path && a.section.length === b.section.length && a.section.every((title, i) => title === b.section[i]);
}

/** The same words, in the same section: the one duplicate a cycle may remove without evidence. */
export function isVerbatimDuplicate(entry: Entry, of: Entry): boolean {
  return entry !== of && sameSection(entry, of) && comparableText(entry.text) === comparableText(of.text);
}

/** Entries of one file and section, or texts that are the same: what a merge or resolve may pair. */
function scopeProblem(entries: Entry[]): string | undefined {
  const [first, ...rest] = entries;
  if (!first) return undefined;
  const apart = rest.find((e) => !sameSection(e, first) && comparableText(e.text) !== comparableText(first.text));
  return apart ? `it pairs entries of different sections (${sectionName(first)} and ${sectionName(apart)})` : undefined;
}

/**
 * The action's evidence is about this entry: a session quote, or a pattern it cites, names what the entry says
 * (the command that failed, the thing shown gone or refused, the tool a person asked not to use).
 */
export function evidenceNames(action: Pick<Action, 'evidence' | 'patterns'>, entry: Entry, view: Pick<HarmView, 'pattern'>): boolean {
  if (action.evidence.length === 0) return false;
  const text = withoutReasons(entry.text);
  return evidenceAnchors(action, view).some((anchor) => mentions(text, anchor));
}

function evidenceAnchors(action: Pick<Action, 'evidence' | 'patterns'>, view: Pick<HarmView, 'pattern'>): string[] {
  const anchors = new Set<string>();
  for (const key of action.patterns) {
    const pattern = view.pattern(key);
    if (!pattern) continue;
    for (const thing of [...(pattern.avoid ?? []), ...(pattern.dropped ?? [])]) anchors.add(thing);
    const failing = pattern.signature?.split(' :: ')[0];
    if (failing) anchors.add(failing);
    // What the statement names in code (`npm install` fails with …), but for what it says to do instead: naming
    // the fix is no evidence against an entry that gives it.
    const fixes = new Set([...codeSpans(pattern.fix ?? ''), ...(pattern.prefer ?? [])].map((f) => f.toLowerCase()));
    for (const span of codeSpans(pattern.statement)) if (!fixes.has(span.toLowerCase()) && ![...fixes].some((f) => span.toLowerCase().startsWith(f))) anchors.add(span);
    // The fix with other numbers (`nvm use 18` where `nvm use 20` worked): the sessions name the command, version aside.
    for (const fix of codeSpans(pattern.fix ?? '')) if (/\d/.test(fix)) anchors.add(fix.replace(/\s*[\w.-]*\d[\w.-]*.*$/, '').trim());
  }
  for (const quote of action.evidence) for (const span of quoteAnchors(quote)) anchors.add(span);
  return [...anchors].filter((a) => a.trim().length >= 2);
}

/** What a session quote names precisely: its code spans. Prose words of a quote name too much. */
function quoteAnchors(evidence: Evidence): string[] {
  return codeSpans(evidence.quote).filter((span) => span.length >= 3);
}

/**
 * A merge may only combine: every fact of the entries it removes must be in the entry it keeps (or writes). Facts
 * are what a note cannot lose without saying something else: its commands and paths, names, numbers, addresses,
 * and whether it forbids.
 */
function lostFacts(action: Action, entries: Entry[]): string | undefined {
  const [keep, ...gone] = entries;
  if (!keep) return undefined;
  const kept = action.content ?? keep.text;
  for (const entry of gone) {
    const missing = factsOf(entry.text).filter((fact) => !holdsFact(kept, fact));
    if (missing.length > 0) return `the entry it keeps would lose ${missing.slice(0, 3).map((m) => `"${m}"`).join(', ')} of ${where(entry)}`;
  }
  return undefined;
}

const NEGATION = /\b(never|not|don't|do not|no|avoid|without|must not|mustn't)\b/i;

export function factsOf(text: string): string[] {
  const plain = withoutReasons(text);
  const facts = new Set<string>(codeSpans(plain));
  for (const url of plain.match(/https?:\/\/[^\s)`'"<>]+/g) ?? []) facts.add(url.replace(/[.,;:]+$/, ''));
  for (const number of plain.match(/\b\d{2,}(?:\.\d+)*\b/g) ?? []) facts.add(number);
  // Paths, dotted names, snake_case, camelCase and CONSTANTS outside code spans.
  const prose = plain.replace(/`[^`\n]+`/g, ' ');
  for (const token of prose.match(/[A-Za-z_][\w-]*(?:[./][\w-]+)+|\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z]\w*\b|\b[A-Z]{3,}[A-Z0-9_]*\b/g) ?? []) {
    facts.add(token.replace(/[.,;:]+$/, ''));
  }
  if (NEGATION.test(prose)) facts.add('(a prohibition)');
  return [...facts];
}

function holdsFact(text: string, fact: string): boolean {
  if (fact === '(a prohibition)') return NEGATION.test(text.replace(/`[^`\n]+`/g, ' '));
  return text.toLowerCase().includes(fact.toLowerCase()) || mentions(text, fact);
}

function where(entry: Entry): string {
  const first = entry.text.split('\n')[0] ?? '';
  return `"${first.length > 60 ? `${first.slice(0, 59)}…` : first}" (${entry.path}:${entry.line})`;
}

function sectionName(entry: Entry): string {
  return `${entry.path}${entry.section.length ? ` › ${entry.section.join(' › ')}` : ''}`;
}
