/**
 * Small text tools shared by extraction and curation: words to comparable terms, and similarity.
 * Deliberately simple and deterministic; the offline engine must give the same answer every run.
 */

const STOPWORDS = new Set(
  `a an the and or but if then else when while for to of in on at by with from into onto over under about as is are was
  were be been being it its this that these those there here we you i me my our your they them he she his her do does did
  doing have has had having can could should would will shall may might must not no yes so than too very just also
  only all any some each every both either neither more most other such own same what which who whom whose how where
  anything something nothing everything prefer
  please always never dont don't do not use using used make sure let lets let's ok okay thanks thank again instead rather
  like want need needs get got one ones thing things way really actually still even now already before after
  dont doesnt didnt isnt arent wasnt cant wont wouldnt shouldnt youre were theyre weve youve ive im ill its thats lets
  next time`.split(/\s+/),
);

/**
 * Words every kind of engineering talk uses, whatever the subject ("date" in "out of date", "local" in
 * "run it locally"): sharing one of them says little about two sentences sharing a subject. Stemmed forms.
 */
const GENERIC = new Set(
  `time date day week local locally new old first last next good bad big small full part case cases line lines file fil
  code change chang work fix add remov update updat check build run test tests start stop end set put take give keep
  call show look find read write open close move copy say tell ask know think see try help mean seem turn
  output input result error issue problem task step thing stuff bit place part point way side kind type name names
  value values list item items data text message messag number count order sort group page table row column field
  user users person people team everyone anyone someone somebody nobody
  today tomorrow yesterday morning night minute hour second seconds minutes hours days weeks month months year years
  after before during until since while later earlier soon again once twice often usually sometimes
  out up down off over back away around through across along here there
  right wrong true false yes same different other another each every
  main master branch branches repository folder directory path paths`.split(/\s+/),
);

/** Is this term too common in engineering talk to tie two sentences to one subject? */
export function isGeneric(term: string): boolean {
  return GENERIC.has(term);
}

/** Words that mean the same for our purposes; keeps paraphrases comparable. */
const SYNONYMS: Record<string, string> = {
  svc: 'service',
  services: 'service',
  repo: 'repository',
  repos: 'repository',
  deps: 'dependency',
  dependencies: 'dependency',
  dep: 'dependency',
  pkg: 'package',
  packages: 'package',
  config: 'configuration',
  cfg: 'configuration',
  db: 'database',
  env: 'environment',
  tests: 'test',
  testing: 'test',
  spec: 'test',
  specs: 'test',
  listens: 'listen',
  listening: 'listen',
  runs: 'run',
  running: 'run',
  ran: 'run',
  serves: 'listen',
  served: 'listen',
  install: 'install',
  installs: 'install',
  installing: 'install',
  installed: 'install',
  migrations: 'migration',
  migrate: 'migration',
  comments: 'comment',
  commits: 'commit',
  committing: 'commit',
  lint: 'lint',
  linter: 'lint',
  linting: 'lint',
  typecheck: 'typecheck',
  'type-check': 'typecheck',
  typechecking: 'typecheck',
  finished: 'done',
  finish: 'done',
  finishing: 'done',
  complete: 'done',
  completed: 'done',
};

/** A light suffix stripper: enough to make "notes"/"note", "failed"/"fail" meet, never clever. */
export function stem(word: string): string {
  const w = SYNONYMS[word] ?? word;
  if (/\d/.test(w)) return w;
  // "applies" → apply, "apis" → api, "docs" → doc; "class", "status", "this" keep their s.
  if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length === 4 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) return SYNONYMS[w.slice(0, -1)] ?? w.slice(0, -1);
  if (w.length <= 4) return w;
  for (const suffix of ['ing', 'edly', 'ed', 'es', 's', 'ly']) {
    // "pushes" → push, but "messages" → message: -es is a suffix only after a hissing sound.
    if (suffix === 'es' && !/(s|x|z|ch|sh)es$/.test(w)) continue;
    if (w.endsWith(suffix) && w.length - suffix.length >= (suffix === 'ing' ? 3 : 4)) {
      const base = w.slice(0, -suffix.length);
      return SYNONYMS[base] ?? base;
    }
  }
  return w;
}

const termsCache = new Map<string, string[]>();
const CACHE_LIMIT = 100_000;

/** Content terms of a text: lower-cased, stemmed, stop words and one-letter tokens removed, in order, unique. */
export function terms(text: string): string[] {
  const cached = termsCache.get(text);
  if (cached) return cached;
  // Frozen: the same array is handed to every caller, so none may change it.
  const result = Object.freeze(readTerms(text)) as string[];
  if (termsCache.size >= CACHE_LIMIT) termsCache.clear();
  termsCache.set(text, result);
  return result;
}

/**
 * `terms` of a text read once, as a session's sentences are while it streams in: not cached. The cache serves texts
 * compared again and again (memory entries, patterns); a session's sentences would only fill it, and a sentence cut
 * from a longer text keeps that whole text alive for as long as the cache holds it.
 */
export function termsOnce(text: string): string[] {
  return readTerms(text);
}

function readTerms(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const plain = text.toLowerCase().replace(/([a-z])['’]([a-z]+)\b/g, '$1$2');
  for (const token of plain.match(/[a-z0-9][a-z0-9_.:/@+-]*[a-z0-9]|[a-z0-9]/g) ?? []) {
    for (const part of splitToken(token)) {
      if (part.length < 2 || STOPWORDS.has(part)) continue;
      const term = stem(part);
      if (STOPWORDS.has(term)) continue;
      if (!seen.has(term)) {
        seen.add(term);
        out.push(term);
      }
    }
  }
  return out;
}

/** `services/pricing` → services, pricing; `localhost:8081` → localhost, 8081; keeps `python3`, `v2`. */
function splitToken(token: string): string[] {
  if (/^[a-z0-9]+$/.test(token)) return [token];
  return token.split(/[./:@+_-]+/).filter(Boolean);
}

/** Inline code spans of Markdown text (the strongest anchors a note has: commands, paths, names). */
export function codeSpans(text: string): string[] {
  if (!text.includes('`')) return [];
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => (m[1] ?? '').trim()).filter(Boolean);
}

/** Inverse document frequency over a set of documents, for weighting shared terms. */
export function idfTable(documents: string[][]): (term: string) => number {
  const df = new Map<string, number>();
  for (const doc of documents) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = documents.length;
  const weights = new Map<string, number>();
  return (term) => {
    let w = weights.get(term);
    if (w === undefined) {
      w = Math.log(1 + (n + 1) / ((df.get(term) ?? 0) + 0.5));
      weights.set(term, w);
    }
    return w;
  };
}

/**
 * Weighted overlap: the weight of the shared terms over the weight of the smaller side.
 * A short note contained in a longer one scores high, which is what a paraphrased duplicate looks like.
 */
export function weightedOverlap(a: string[], b: string[], weight: (t: string) => number): number {
  const setB = new Set(b);
  const shared = [...new Set(a)].filter((t) => setB.has(t));
  if (shared.length === 0) return 0;
  const sum = (ts: Iterable<string>) => [...new Set(ts)].reduce((acc, t) => acc + weight(t), 0);
  return sum(shared) / Math.min(sum(a), sum(b));
}

/** Shared weight over the weight of the union: symmetric, so a long note is not like every short one it mentions. */
export function weightedJaccard(a: string[], b: string[], weight: (t: string) => number): number {
  const setA = new Set(a);
  const setB = new Set(b);
  let shared = 0;
  let union = 0;
  for (const t of new Set([...setA, ...setB])) {
    union += weight(t);
    if (setA.has(t) && setB.has(t)) shared += weight(t);
  }
  return union === 0 ? 0 : shared / union;
}

export function jaccard(a: string[], b: string[]): number {
  const setA = new Set(a);
  const setB = new Set(b);
  let shared = 0;
  for (const t of setA) if (setB.has(t)) shared++;
  const union = setA.size + setB.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** A quote short enough for a commit body: one line, at most `max` characters. */
export function quote(text: string, max = 140): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/** Sentences of a text, for picking out the one that carries a cue. */
export function sentences(text: string): string[] {
  return text
    // Not after an abbreviation, nor after the number of a list item ("1. Ensure …").
    .split(/(?<![^\w](?:e\.g|i\.e|etc|vs|cf)\.)(?<!(?:^|\n)[ \t]*\d{1,3}\.)(?<=[.!?])\s+|\n+/i)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A short hex digest, for ids and fingerprints. */
export { shortHash } from '../util/hash.js';
