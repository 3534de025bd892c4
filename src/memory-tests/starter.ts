/**
 * The starter test file `reverie init` writes: a few cases built from the rules the memory already states, each
 * expecting the rule's most telling words. Only cases the reader answers from that same memory are kept, so the file
 * passes on the memory it was made from, and a later change that loses one of those rules fails it.
 */
import { stringify } from 'yaml';
import { statesRule } from '../memory/rules.js';
import type { Entry, MemorySnapshot } from '../memory/types.js';
import { DEFAULT_TOP, TESTS_DIR, type MemoryTestCase } from './cases.js';
import { answerCases } from './reader.js';

export const STARTER_TEST_FILE = `${TESTS_DIR}/memory.yaml`;

/** Enough cases to show the format and guard the first rules; a team writes the rest. */
const MAX_STARTER_CASES = 3;
const TERMS_PER_CASE = 2;

/** Words that make a line a rule (rules.ts) or say little on their own: never what a case expects. */
const PLAIN_WORDS = new Set(
  'about after all also always and any are because before but can critical do does dont each ensure every for from have important into its make mandatory must never not only other should sure than that the their them then there these they this those use used using when where which while will with without you your'.split(
    ' ',
  ),
);

const HEADER = `# Memory tests: what the agents' memory must give. \`reverie test\` answers each case from the memory at main
# (or --ref <rev>): it retrieves the entries most relevant to the question, and the case passes when they contain
# every \`expect\` term and no \`never\` term. Written by \`reverie init\` from rules the memory states; edit freely.
`;

const EXAMPLE = `# A case looks like this:
#   - name: package manager
#     question: Which package manager installs dependencies?
#     expect: [pnpm]
#     never: [npm install]
`;

/** The starter file's text for this memory. */
export function starterTestFile(memory: MemorySnapshot): string {
  const cases = starterCases(memory);
  if (cases.length === 0) return `${HEADER}${EXAMPLE}cases: []\n`;
  const plain = cases.map((c) => ({ name: c.name, question: c.question, expect: c.expect }));
  return `${HEADER}${stringify({ cases: plain }, { lineWidth: 0 })}`;
}

/** Cases for the first rule entries of the memory, in file order, that the reader passes on this memory. */
export function starterCases(memory: MemorySnapshot): MemoryTestCase[] {
  const entries = memory.files.flatMap((file) => file.entries);
  const rarity = documentFrequency(entries);
  const names = new Set<string>();
  const candidates: MemoryTestCase[] = [];
  for (const entry of entries) {
    if (!statesRule(entry.text)) continue;
    const terms = keyTerms(entry.text, rarity);
    if (terms.length === 0) continue;
    const name = uniqueName(`rule in ${entry.path}: ${terms.join(', ')}`, names);
    candidates.push({
      id: `${STARTER_TEST_FILE}#${name}`,
      name,
      file: STARTER_TEST_FILE,
      line: 0,
      question: `What is the rule on ${terms.join(' and ')}?`,
      expect: terms,
      never: [],
      top: DEFAULT_TOP,
    });
  }
  const passing = new Set(answerCases(memory, candidates).cases.filter((r) => r.passed).map((r) => r.id));
  return candidates.filter((c) => passing.has(c.id)).slice(0, MAX_STARTER_CASES);
}

/** The entry's most telling words: the rarest across the memory, then the longest, then the first. */
function keyTerms(text: string, rarity: ReadonlyMap<string, number>): string[] {
  const words = [...new Set(wordsOf(text))].filter((word) => word.length >= 3 && !PLAIN_WORDS.has(word) && !/^\d+$/.test(word));
  return words
    .map((word, position) => ({ word, position, seen: rarity.get(word) ?? 0 }))
    .sort((a, b) => a.seen - b.seen || b.word.length - a.word.length || a.position - b.position)
    .slice(0, TERMS_PER_CASE)
    .sort((a, b) => a.position - b.position)
    .map((t) => t.word);
}

/** In how many entries each word appears. */
function documentFrequency(entries: readonly Entry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) for (const word of new Set(wordsOf(entry.text))) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Whole words as the reader matches them (letters, digits and underscores, any script), lower case. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base} (${n})`;
  taken.add(name);
  return name;
}
