/**
 * A generated memory of a given number of entries: one protected instructions file, the inbox and topic files,
 * notes built from a made-up project vocabulary, so that they are as distinct as real notes are, plus a few
 * planted paraphrased duplicates and contradictions for curation to act on.
 */
import { lexicon, Rng } from './rng.js';

const WORDS = lexicon(4000, 'reverie-bench:memory-lexicon');

/**
 * Notes are put together from open-ended parts, most words from the lexicon and one code span or number of their
 * own, so that two notes share no more than real notes about different things do (a fixed template would make
 * every "Deploys of X go through Y" note a paraphrase of every other).
 */
const SUBJECTS = ['The {w} {thing}', '`{w}.{v}()`', 'The `{w}` {thing}', '{W} {thing}', 'Every {w} {thing} in `{v}/`', 'The {w} {v} {thing}'];
const THINGS = ['service', 'job', 'script', 'table', 'module', 'queue', 'dashboard', 'endpoint', 'cache', 'worker', 'build', 'fixture', 'report', 'migration', 'component'];
const PREDICATES = [
  'listens on port {port} in local development',
  'returns null while the {x} {y} is cold',
  'is owned by the {x} team; ask in #{y} before changing it',
  'takes about {n} minutes on the {x} runner',
  'must be imported from `@acme/{x}`, never from its `src/{y}` folder',
  'reads `config/{x}.yaml` at startup and ignores `{y}` overrides',
  'is rebuilt nightly around {hour}:00 UTC from `{x}-export`',
  'breaks when {x} is newer than {v2}; pin it in `{y}.lock`',
  'needs `{x}_{y}` set, or it silently falls back to {z}',
  'is deprecated in favour of `{x}-{y}`; new code should not call it',
  'writes to `s3://acme-{x}/{y}/` and keeps {n} days of history',
  'retries {n} times with `--{x}-backoff` before it pages anyone',
  'is flaky on {x}; rerun it once before digging into {y}',
  'runs in the {x} namespace with {n} replicas behind `{y}-ingress`',
  'depends on the {x} feature flag, which is off in {y}',
];
const TAILS = ['', '', '', ' (see #{num})', ', as of the {x} migration', '; {z} learned this the hard way', ', which the {x} runbook also covers', ' since the {x} {y} incident'];

export interface MemoryLayout {
  /** Path (relative to the repository) → text. */
  files: Map<string, string>;
  entries: number;
}

export interface MemoryOptions {
  /**
   * Every this many notes, one repeats an earlier note of its own section in other words (a duplicate for curation
   * to merge). Without it, every 90th note repeats a note anywhere in the memory, as the default memory always has.
   */
  duplicateEvery?: number;
  /** Every topic as two sections of the inbox instead of a file of its own: one long file, as many teams keep. */
  oneFile?: boolean;
  /** Every this many notes, one gives an earlier note's port another value (a contradiction to resolve). */
  contradictEvery?: number;
}

/** Memory files holding `entries` entries in total. Deterministic. */
export function generateMemory(entries: number, seed = 'reverie-bench:memory', options: MemoryOptions = {}): MemoryLayout {
  const duplicateEvery = options.duplicateEvery ?? 90;
  const contradictEvery = options.contradictEvery ?? 150;
  const rng = new Rng(seed);
  const files = new Map<string, string>();
  const instructions = Math.min(20, Math.floor(entries / 50));
  const inbox = Math.min(60, Math.floor(entries / 16));
  const topics = Math.max(1, Math.round((entries - instructions - inbox) / 40));
  const topicEntries = entries - instructions - inbox;
  const written: string[] = [];
  let sectionStart = 0;
  const note = (): string => {
    // Every 90th note repeats an earlier one in other words, every 150th contradicts one: what curation is for.
    const n = written.length;
    const earlier = written[rng.int(0, Math.max(0, n - 1))];
    let text: string;
    const local = written.slice(sectionStart);
    if (options.duplicateEvery && n % duplicateEvery === Math.floor(duplicateEvery / 2) && local.length > 0) text = restated(rng.pick(local));
    else if (n > 0 && n % duplicateEvery === Math.floor(duplicateEvery / 2) && earlier) text = paraphrase(earlier);
    else if (n > 0 && n % contradictEvery === Math.floor(contradictEvery / 2) && earlier && /port \d+/.test(earlier)) text = earlier.replace(/port \d+/, `port ${rng.int(3000, 9999)}`);
    else text = composeNote(rng);
    written.push(text);
    const nested = rng.chance(0.1) ? `\n  ${capital(rng.pick(WORDS))} ${rng.pick(WORDS)} was the reason, see #${rng.int(100, 999)}.` : '';
    return `- ${text}${nested}\n`;
  };
  const section = (heading: string, count: number): string => {
    sectionStart = written.length;
    let out = `\n## ${heading}\n\n`;
    for (let i = 0; i < count; i++) out += note();
    return out;
  };

  files.set('memory/instructions/CLAUDE.md', `# Instructions\n\nHand-written; reverie reads these and never changes them.\n${section('Rules', instructions)}`);
  files.set(
    'memory/notes.md',
    `# Notes\n\nWhat the agents have learned. New entries land here; reverie curates this file.\n` +
      section('Mistakes to avoid', Math.floor(inbox / 3)) +
      section('Preferences', Math.floor(inbox / 3)) +
      section('Workflows', inbox - 2 * Math.floor(inbox / 3)),
  );
  let left = topicEntries;
  for (let i = 0; i < topics; i++) {
    const count = i === topics - 1 ? left : Math.floor(topicEntries / topics);
    left -= count;
    const name = WORDS[i] ?? `topic-${i}`;
    const half = Math.floor(count / 2);
    if (options.oneFile) files.set('memory/notes.md', `${files.get('memory/notes.md')}${section(`${capital(name)}: services`, half)}${section(`${capital(name)}: how we work`, count - half)}`);
    else files.set(`memory/topics/${name}.md`, `# ${capital(name)}\n${section('Services', half)}${section('How we work', count - half)}`);
  }
  return { files, entries };
}

function composeNote(rng: Rng): string {
  const template = `${rng.pick(SUBJECTS)} ${rng.pick(PREDICATES)}${rng.pick(TAILS)}.`;
  const w = rng.pick(WORDS);
  const sentence = template
    .replaceAll('{thing}', () => rng.pick(THINGS))
    .replaceAll('{W}', capital(w))
    .replaceAll('{w}', w)
    .replaceAll(/\{[vxyz]\}/g, () => rng.pick(WORDS))
    .replaceAll('{v2}', () => `${rng.int(1, 9)}.${rng.int(0, 30)}`)
    .replaceAll('{n}', () => String(rng.int(2, 90)))
    .replaceAll('{num}', () => String(rng.int(100, 9999)))
    .replaceAll('{hour}', () => String(rng.int(0, 23)).padStart(2, '0'))
    .replaceAll('{port}', () => String(rng.int(3000, 9999)));
  return capital(sentence);
}

/** The same note in other words: the anchors (code spans, numbers) kept, the filler changed. */
function paraphrase(text: string): string {
  return `Note: ${text.replace(/^The /, 'the ').replace(/; /, ', so ').replace(/\.$/, '')} (seen again).`;
}

/** The same note again with a word of its own, in the same section: a duplicate a later cycle finds and merges. */
function restated(text: string): string {
  return `${text.replace(/\.$/, '')}, as seen again.`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
