import type { Entry } from '../memory/types.js';
import { commandHead } from './extract/commands.js';
import { Memo } from '../util/memo.js';
import { codeSpans, terms } from './text.js';

/**
 * What a memory line recommends and what it warns against. Curation compares these, not whole texts:
 * "Install with `npm install`" and "never use npm" disagree although they share few words.
 */
export interface Claims {
  recommends: string[];
  avoids: string[];
  /** Content terms without the recommended/avoided objects: what the line is about. */
  topic: string[];
  /** Actions in prose the line forbids, with what they act on ("never edit a migration that has been merged" → edit: migration, merged). */
  forbids: { verb: string; object: string[] }[];
  /** Actions in prose the line tells to take ("…: edit the file and re-run it" → edit). */
  does: string[];
}

// "no, use pnpm" opens a correction; "no npm" or "no longer" negates what follows.
const NEGATION_BEFORE = /\b(not|never|don't|dont|do not|avoid|instead of|rather than|no longer|without|stop using|no\b(?!\s*[,.!—–-]))\b[^.;:!?]{0,24}$/i;
const FAILURE_AFTER = /^[^.;!?]{0,30}\b(fails?|failed|breaks?|broken|doesn't work|does not work|won't work|errors? out|is deprecated|is not supported)\b/i;
const PREFER_WORDS = /\b(?:use|using|with|run|prefer|via|always use|switch to|through)\s+`?([a-z][\w.+-]*)`?/gi;
const AVOID_WORDS = /\b(?:not|never|don't use|do not use|avoid|instead of|rather than|no longer use|stop using)\s+`?([a-z][\w.+-]*)`?/gi;
/** "fails with `npm error …`" quotes an error; it recommends nothing. */
const FAILS_WITH = /\b(fails?|failed|failing|errors?|errored|exits?|exited|crash(?:es|ed)?|breaks?|dies)\s+with\s*$/i;
const USE_BEFORE = /\b(use|using|with|run|via|prefer|through|switch to|instead of|rather than|not|never|avoid)\s+(?:(?:plain|just|only|the|a)\s+)?$/i;
const NOT_OBJECTS = new Set(['the', 'a', 'an', 'it', 'that', 'this', 'them', 'to', 'be', 'any', 'use', 'run', 'just', 'plain', 'your', 'our', 'their']);

/**
 * Tools a note may name in prose without code formatting. Other prose words after "use"/"no" are not
 * objects: "no local time zones" says nothing about anything called `local`. Code spans always count.
 */
const KNOWN_TOOLS = new Set([
  'npm', 'pnpm', 'yarn', 'bun', 'npx', 'node', 'deno', 'pip', 'pip3', 'uv', 'poetry', 'pipenv', 'conda', 'python', 'python3',
  'pytest', 'jest', 'vitest', 'mocha', 'ava', 'eslint', 'biome', 'oxlint', 'prettier', 'dprint', 'ruff', 'black', 'mypy', 'tsc',
  'webpack', 'vite', 'esbuild', 'rollup', 'parcel', 'docker', 'podman', 'kubectl', 'helm', 'terraform', 'git', 'gh', 'make',
  'cargo', 'rustc', 'go', 'gradle', 'maven', 'mvn', 'brew', 'apt', 'curl', 'wget', 'sudo', 'tabs', 'spaces', 'merge',
  'rebase', 'squash', 'playwright', 'cypress', 'selenium', 'storybook', 'nvm', 'volta', 'fnm', 'sed', 'awk', 'jq',
]);

/** Groups of tools that stand in for each other: recommending two of one group for one job is a conflict. */
export const ALTERNATIVES: string[][] = [
  ['npm', 'pnpm', 'yarn', 'bun'],
  ['jest', 'vitest', 'mocha', 'ava'],
  ['pip', 'uv', 'poetry', 'pipenv', 'conda'],
  ['tabs', 'spaces'],
  ['eslint', 'biome', 'oxlint'],
  ['prettier', 'biome', 'dprint'],
  ['webpack', 'vite', 'esbuild', 'rollup', 'parcel'],
  ['merge', 'rebase', 'squash'],
];

/** Claims of a text never change: curation compares every pair of entries, so each text is read once. */
const claimsCache = new Memo<Claims>(100_000, (text) => Object.freeze(readClaims(text)));

export function claimsOf(fullText: string): Claims {
  return claimsCache.get(fullText);
}

function readClaims(fullText: string): Claims {
  const text = withoutReasons(fullText);
  // "X fails …: run Y first, then retry" keeps X as the way to go; only "use Z instead" replaces it.
  const retried = /\bthen retry\b/i.test(text);
  const recommends = new Set<string>();
  const avoids = new Set<string>();
  const consider = (object: string, index: number) => {
    const negative = NEGATION_BEFORE.test(text.slice(Math.max(0, index - 40), index)) || (!retried && FAILURE_AFTER.test(text.slice(index + object.length)));
    for (const name of objectNames(object)) (negative ? avoids : recommends).add(name);
  };
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    const span = match[1] ?? '';
    const index = match.index ?? 0;
    if (FAILS_WITH.test(text.slice(Math.max(0, index - 24), index))) continue;
    // A code span is a recommendation when it is a command, or named right after "use"/"with"/"run":
    // "rebase on `main`" names a branch, not a tool to use.
    if (/\s/.test(span.trim()) || USE_BEFORE.test(text.slice(Math.max(0, index - 16), index))) consider(span, index + 1);
  }
  for (const match of text.matchAll(PREFER_WORDS)) {
    // "use `make check`" names the command `make check`, read above from its code span; not the tool make.
    if (match[0].includes('`')) continue;
    if (FAILS_WITH.test(text.slice(Math.max(0, (match.index ?? 0) - 24), (match.index ?? 0) + 5))) continue;
    const word = objectWord(match[1]);
    if (word && !NOT_OBJECTS.has(word) && KNOWN_TOOLS.has(word)) consider(word, (match.index ?? 0) + match[0].indexOf(match[1] ?? '', 1));
  }
  for (const match of text.matchAll(AVOID_WORDS)) {
    if (match[0].includes('`')) continue;
    const word = objectWord(match[1]);
    if (word && !NOT_OBJECTS.has(word) && KNOWN_TOOLS.has(word)) avoids.add(word);
  }
  for (const a of avoids) recommends.delete(a);
  const objects = new Set([...recommends, ...avoids]);
  return { recommends: [...recommends], avoids: [...avoids], topic: terms(text).filter((t) => !objects.has(t)), ...proseActions(text) };
}

/** Verbs too general to be a rule by themselves; tools after them are read as recommends/avoids. */
const GENERAL_VERBS = new Set(['use', 'run', 'be', 'do', 'have', 'get', 'let', 'go', 'make', 'keep', 'try', 'see', 'ask']);
const FORBID = /\b(?:never|don't|do not|must not|should not|shouldn't)\s+([a-z]+)\b([^.;:!?]*)/gi;
/** A verb at the start of a clause is an instruction: "To fix it, edit the file", "…: edit it directly". */
const IMPERATIVE = /(?:^|[:;,]\s*|\band\s+)([a-z]+)\s+(?:it|the|them|this|that|a|an|your|its)\b/gi;

function proseActions(text: string): { forbids: Claims['forbids']; does: string[] } {
  const forbids: Claims['forbids'] = [];
  const does = new Set<string>();
  for (const m of text.matchAll(FORBID)) {
    const verb = (m[1] ?? '').toLowerCase();
    if (!GENERAL_VERBS.has(verb) && !KNOWN_TOOLS.has(verb)) forbids.push({ verb, object: terms(m[2] ?? '') });
  }
  for (const m of text.matchAll(IMPERATIVE)) {
    const verb = (m[1] ?? '').toLowerCase();
    if (GENERAL_VERBS.has(verb) || KNOWN_TOOLS.has(verb) || NOT_OBJECTS.has(verb) || forbids.some((f) => f.verb === verb)) continue;
    if (!negatedAt(text, m.index ?? 0)) does.add(verb);
  }
  return { forbids: [...forbids], does: [...does] };
}

/**
 * A rule in prose people wrote ("never edit a migration that has been merged") against a note that tells
 * agents to do just that to the same thing ("to fix a merged migration, edit it directly").
 */
export function proseConflict(rule: Claims, note: Claims): string | undefined {
  for (const { verb, object } of rule.forbids) {
    if (!note.does.includes(verb)) continue;
    // What the rule forbids doing it to must be what the note is about: "edit … a migration", not any edit.
    const subject = object.find((t) => note.topic.includes(t));
    if (subject) return `${verb} ${subject}`;
  }
  return undefined;
}

/** A tool name as written in prose: `npm.` at the end of a sentence is `npm`. */
function objectWord(word: string | undefined): string {
  return (word ?? '').toLowerCase().replace(/[.+-]+$/, '');
}

/**
 * The note without its "Why:" lines: a resolution keeps the reason next to the note it kept, and the
 * reason quotes the note it replaced, which is not a recommendation.
 */
export function withoutReasons(text: string): string {
  // Most notes give no reason: they come back as they are, without being split into lines.
  if (!/why:/i.test(text)) return text;
  return text
    .split('\n')
    .filter((line) => !/^\s*(?:[-*+]\s+)?Why:/i.test(line))
    .join('\n');
}

/**
 * `pnpm install --frozen-lockfile` names the command `pnpm install`; `pnpm` alone names the tool. A note about
 * one subcommand says nothing about the others: "don't `kubectl apply`" is no rule against `kubectl rollout`.
 */
function objectNames(object: string): string[] {
  // Read as a command is read: `pnpm --filter web lint` runs `pnpm lint`, `cd web && npm run codegen` runs npm.
  const words = commandHead(object.trim().toLowerCase()).split(/\s+/);
  const first = words[0] ?? '';
  if (!/^[a-z][\w.+-]*$/.test(first)) return [];
  const second = words[1];
  if (!second || !/^[a-z][\w-]*$/.test(second)) return [first];
  // `pnpm exec jest` and `pnpm exec vitest` run two tools: a wrapper verb keeps the word after it.
  const third = words[2];
  return WRAPPERS.has(second) && third && /^[a-z][\w.-]*$/.test(third) ? [`${first} ${second} ${third}`] : [`${first} ${second}`];
}

const WRAPPERS = new Set(['run', 'exec', 'x', 'dlx']);

/** A rule about a tool (`npm`) covers its commands (`npm install`); a rule about a command covers only it. */
export function sameOrPart(rule: string, object: string): boolean {
  return rule === object || (!rule.includes(' ') && object.split(' ')[0] === rule);
}

/** `npm install` → npm: the program a command or tool name runs. */
export function programOf(object: string): string {
  return object.split(' ')[0] ?? object;
}

/** Is what starts at `index` of `text` negated ("not `main`", "never use X")? */
export function negatedAt(text: string, index: number): boolean {
  return NEGATION_BEFORE.test(text.slice(Math.max(0, index - 40), index));
}

/** Does `text` say to do `phrase` (as a command or tool), rather than not to? */
export function recommends(fullText: string, phrase: string): boolean {
  const text = withoutReasons(fullText);
  const at = findPhrase(text, phrase);
  if (at < 0) return false;
  return !NEGATION_BEFORE.test(text.slice(Math.max(0, at - 40), at)) && !FAILURE_AFTER.test(text.slice(at + phrase.length));
}

/** Index of `phrase` as whole words (so `npm install` is not found inside `pnpm install`), or -1. */
export function findPhrase(text: string, phrase: string): number {
  const match = phrasePattern(phrase).exec(text);
  return match ? match.index : -1;
}

/** Compiled patterns by phrase: curation asks about the same few phrases against every entry of the memory. */
const phrasePatterns = new Memo(10_000, (phrase) => {
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  return new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'i');
});

function phrasePattern(phrase: string): RegExp {
  return phrasePatterns.get(phrase);
}

export function mentions(text: string, phrase: string): boolean {
  return findPhrase(text, phrase) >= 0;
}

/** Two entries disagree when one recommends what the other avoids, or two alternatives for the same job. */
export function conflictBetween(a: Claims, b: Claims): string | undefined {
  // Most pairs recommend and avoid nothing in common: the words they share are counted only when it can matter.
  let shared: string[] | undefined;
  const sharedTopic = () => (shared ??= a.topic.filter((t) => b.topic.includes(t)));
  // "never npm" is a rule about npm wherever it appears; "don't run X in watch mode" is about watch mode only.
  const sameSubject = () => a.topic.length === 0 || b.topic.length === 0 || sharedTopic().length > 0;
  // Avoiding a tool rules out its commands; recommending a tool does not recommend every command of it ("use bun"
  // and "`bun run compile`, not `bun run build`" agree).
  const direct = a.recommends.find((r) => b.avoids.some((v) => sameOrPart(v, r))) ?? b.recommends.find((r) => a.avoids.some((v) => sameOrPart(v, r)));
  if (direct && sameSubject()) return direct;
  const numbers = differentNumbers(a, b);
  if (numbers) return numbers;
  // Two tools of one kind recommended side by side are only a conflict when the notes are about the same job.
  if (a.recommends.length === 0 || b.recommends.length === 0 || sharedTopic().length < 2) return undefined;
  const programsA = a.recommends.map(programOf);
  const programsB = b.recommends.map(programOf);
  for (const group of ALTERNATIVES) {
    const fromA = a.recommends.filter((r) => group.includes(programOf(r)) && !programsB.includes(programOf(r)));
    const fromB = b.recommends.filter((r) => group.includes(programOf(r)) && !programsA.includes(programOf(r)));
    // `yarn install` and `pnpm install` are rivals; `yarn install` and `pnpm lint` do different jobs.
    const rivals = fromA.flatMap((x) => fromB.filter((y) => sameJob(x, y)).map((y) => [x, y] as const));
    const [x, y] = rivals[0] ?? [];
    if (x && y) return `${programOf(x)} vs ${programOf(y)}`;
  }
  return undefined;
}

export const PACKAGE_MANAGERS: ReadonlySet<string> = new Set(['npm', 'pnpm', 'yarn', 'bun']);

/** The job a command does: its subcommand; a bare package manager installs; `run`/`exec` say nothing yet. */
function jobOf(name: string): string {
  const [program = '', sub, what] = name.split(' ');
  if (sub === undefined) return PACKAGE_MANAGERS.has(program) ? 'install' : '';
  // `npm run build` builds, `uv run python` runs Python; a bare `pnpm run` could be anything.
  if (WRAPPERS.has(sub)) return what ?? '';
  return sub;
}

function sameJob(x: string, y: string): boolean {
  const [jx, jy] = [jobOf(x), jobOf(y)];
  return jx === '' || jy === '' || jx === jy || (['install', 'i', 'add'].includes(jx) && ['install', 'i', 'add'].includes(jy));
}

/**
 * Two notes that say the same thing about the same subject but with other numbers ("listens on 5432" and
 * "listens on 55432") disagree: most of the smaller note's words must be shared, and no number.
 */
function differentNumbers(a: Claims, b: Claims): string | undefined {
  const numbersA = numbersOf(a);
  const numbersB = numbersOf(b);
  if (numbersA.length === 0 || numbersB.length === 0 || numbersA.some((n) => numbersB.includes(n))) return undefined;
  const wordsA = a.topic.filter((t) => !isNumber(t));
  const wordsB = b.topic.filter((t) => !isNumber(t));
  const shared = wordsA.filter((t) => wordsB.includes(t)).length;
  const smaller = Math.min(wordsA.length, wordsB.length);
  const larger = Math.max(wordsA.length, wordsB.length);
  return shared >= 3 && shared / smaller >= 0.8 && shared / larger >= 0.6 ? `${numbersA[0]} vs ${numbersB[0]}` : undefined;
}

const isNumber = (t: string) => /^\d{2,}$/.test(t);

/** The numbers among a note's topic words, found once per claims: most notes are weighed against many others. */
const topicNumbers = new WeakMap<Claims, string[]>();

function numbersOf(claims: Claims): string[] {
  let numbers = topicNumbers.get(claims);
  if (!numbers) {
    numbers = claims.topic.filter(isNumber);
    topicNumbers.set(claims, numbers);
  }
  return numbers;
}

/** An entry's terms without its "Why:" lines, read once per text, as claimsOf reads claims. Read it, never change it. */
const termsByText = new Memo(50_000, (text) => terms(withoutReasons(text)));

export function entryTerms(entry: Pick<Entry, 'text'>): string[] {
  return termsByText.get(entry.text);
}

export function entryClaims(entry: Entry): Claims {
  return claimsOf(entry.text);
}


export { codeSpans };
