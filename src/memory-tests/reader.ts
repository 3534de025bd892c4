/**
 * The offline reader: answers memory test cases from a memory snapshot, as an agent that searches its memory would.
 * Entries are ranked by full-text relevance (minisearch's BM25) to the case's question together with its terms, the
 * best `top` are what the agent reads, and the case passes when they give every `expect` term and no `never` term.
 * Pure and deterministic: the same snapshot and cases give the same answers, so two revisions can be compared.
 */
import MiniSearch from 'minisearch';
import { isGeneric, terms } from '../dream/text.js';
import type { Entry, MemorySnapshot } from '../memory/types.js';
import type { MemoryTestCase } from './cases.js';

/** An entry the reader retrieved for a case, best first; for the claude reader, an entry its answer cited. */
export interface UsedEntry {
  path: string;
  line: number;
  text: string;
  /** The offline reader's relevance; the claude reader ranks nothing. */
  score?: number;
}

/** A term of the case and the entry it appeared in; `path` and `line` null: in the claude reader's answer itself. */
export interface TermMatch {
  term: string;
  path: string | null;
  line: number | null;
}

export interface CaseResult {
  id: string;
  name: string;
  file: string;
  line: number;
  question: string;
  passed: boolean;
  /** What the reader retrieved, best first. */
  entries: UsedEntry[];
  /** `expect` terms and where each was found. */
  found: TermMatch[];
  /** `expect` terms no retrieved entry gives. */
  missing: string[];
  /** `never` terms a retrieved entry gives (the claude reader: its answer gives). */
  forbidden: TermMatch[];
  /** The claude reader's answer, in the model's words. */
  answer?: string;
  /** Why the claude reader has no answer for the case (off its schema twice, a request that failed): it fails. */
  unanswered?: string;
}

/** Of a gist's content terms, the share the retrieved entries must hold between them for the memory to give it. */
export const GIST_SHARE = 0.5;

export interface MemoryTestReport {
  cases: CaseResult[];
  passed: number;
  failed: number;
}

/**
 * Words that say nothing about what is asked: left out of the ranking so that "how do we…" does not favour every
 * entry with "we" in it.
 */
const STOP_WORDS = new Set(
  'a an and are as at be but by can do does did for from has have how i if in into is it its me my of on or our should so than that the their then there these this to us was we what when where which who why will with would you your'.split(
    ' ',
  ),
);

/** Answers every case from the memory; entries of every file and namespace are candidates. */
export function answerCases(memory: MemorySnapshot, cases: readonly MemoryTestCase[]): MemoryTestReport {
  const entries = memory.files.flatMap((file) => file.entries);
  const search = indexOf(entries);
  const results = cases.map((testCase) => answerCase(testCase, entries, search));
  const passed = results.filter((r) => r.passed).length;
  return { cases: results, passed, failed: results.length - passed };
}

function indexOf(entries: readonly Entry[]): MiniSearch {
  const search = new MiniSearch({
    fields: ['text', 'section'],
    processTerm: (term) => {
      const word = term.toLowerCase();
      return STOP_WORDS.has(word) ? null : word;
    },
    searchOptions: { boost: { text: 2 }, combineWith: 'OR' },
  });
  // Ids are positions: two entries of the same text in one file share an entry id, not a position.
  search.addAll(entries.map((entry, i) => ({ id: i, text: entry.text, section: entry.section.join(' ') })));
  return search;
}

function answerCase(testCase: MemoryTestCase, entries: readonly Entry[], search: MiniSearch): CaseResult {
  const query = [testCase.question, ...testCase.expect, ...testCase.never, testCase.gist ?? ''].join(' ');
  const ranked = search
    .search(query)
    .map((hit) => ({ entry: entries[hit.id as number] as Entry, index: hit.id as number, score: hit.score }))
    // Equal scores in file order, whatever order the engine returns them in.
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, testCase.top);
  const used = ranked.map(({ entry, score }) => ({ path: entry.path, line: entry.line, text: entry.text, score: Math.round(score * 1000) / 1000 }));
  const where = (term: string): TermMatch | undefined => {
    const hit = used.find((entry) => containsTerm(entry.text, term));
    return hit ? { term, path: hit.path, line: hit.line } : undefined;
  };
  const found = testCase.expect.map(where).filter((m): m is TermMatch => m !== undefined);
  const missing = testCase.expect.filter((term) => !found.some((m) => m.term === term));
  if (testCase.gist !== undefined) {
    // The agent reads every entry retrieved: a rule can be given by two lines of a list as well as by one.
    const gist = testCase.gist;
    const hit = givesGist(used.map((entry) => entry.text), gist);
    if (hit !== undefined) found.push({ term: gist, path: used[hit]?.path ?? '', line: used[hit]?.line ?? 0 });
    else missing.push(gist);
  }
  const forbidden = testCase.never.map(where).filter((m): m is TermMatch => m !== undefined);
  return {
    id: testCase.id,
    name: testCase.name,
    file: testCase.file,
    line: testCase.line,
    question: testCase.question,
    passed: missing.length === 0 && forbidden.length === 0,
    entries: used,
    found,
    missing,
    forbidden,
  };
}

/**
 * The texts say most of what the gist says between them: at least GIST_SHARE of the gist's content terms (stemmed;
 * stop words, and words common to all engineering talk, left out) are among theirs, in any order and wording, so
 * "Show the plan and get approval before writing code" gives "Before writing code, explain your plan and wait for
 * approval". The index of the text that holds the most of them, or undefined when they do not give it.
 */
export function givesGist(texts: readonly string[], gist: string): number | undefined {
  const all = terms(gist);
  const telling = all.filter((t) => !isGeneric(t));
  const wanted = telling.length > 0 ? telling : all;
  if (wanted.length === 0 || texts.length === 0) return undefined;
  const held = texts.map((text) => new Set(terms(text)));
  const given = wanted.filter((t) => held.some((set) => set.has(t))).length;
  if (given < GIST_SHARE * wanted.length) return undefined;
  const shares = held.map((set) => wanted.filter((t) => set.has(t)).length);
  return shares.indexOf(Math.max(...shares));
}

/**
 * The term appears in the text as whole words, whatever the case, the spacing or the Markdown emphasis around it:
 * `never npm` is not found in "pnpm", and "Use **pnpm**" gives `use pnpm`.
 */
export function containsTerm(text: string, term: string): boolean {
  const haystack = normalise(text);
  const needle = normalise(term);
  if (needle === '') return false;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    if (!isWordChar(haystack[at - 1]) && !isWordChar(haystack[at + needle.length])) return true;
  }
  return false;
}

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[*`]/g, '').replace(/\s+/g, ' ').trim();
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}_]/u.test(char);
}
