/**
 * Curation takes shortcuts where the memory did not change: the pairs a duplicate is looked for among, ranked once per
 * entry; a pass of duplicates after no action not run again; the look for the next conflict resumed where the last
 * stopped. Each is checked here against the long way round, on generated memories.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimsOf, entryTerms } from '../../../src/dream/claims.js';
import { nextConflict, pairKey } from '../../../src/dream/curate/contradictions.js';
import { duplicateCandidates, planMerges } from '../../../src/dream/curate/duplicates.js';
import { comparableText } from '../../../src/dream/curate/effects.js';
import { Workspace } from '../../../src/dream/curate/workspace.js';
import { idfTable } from '../../../src/dream/text.js';
import type { Entry } from '../../../src/memory/index.js';
import { INBOX, snapshotOf } from '../dream/fixtures.js';

const WORDS = ['deploy', 'staging', 'database', 'port', 'listens', 'cache', 'install', 'workspace', 'tests', 'service', 'web', 'api', 'the', 'before', 'always'];
const TOOLS = ['npm', 'pnpm', 'yarn', 'jest', 'vitest', 'pip', 'uv', 'docker', '`npm install`', '`pnpm install`', '`make migrate`'];
const NUMBERS = ['5432', '55432', '8080', '8081', '18', '20'];
const PHRASES = ['use', 'never use', "don't use", 'run', 'avoid', 'prefer', 'instead of', 'with'];

/** A note of few words from a small vocabulary: duplicates, near duplicates and conflicts are common. */
const note = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...WORDS) },
      fc.constantFrom(...NUMBERS),
      fc.tuple(fc.constantFrom(...PHRASES), fc.constantFrom(...TOOLS)).map(([p, t]) => `${p} ${t}`),
    ),
    { minLength: 2, maxLength: 8 },
  )
  .map((parts) => `${parts.join(' ')}.`);

/** Notes in a few sections of the inbox, some said twice, and a protected file of rules. */
const memory = fc.record({
  sections: fc.array(fc.array(note, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
  repeats: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
  rules: fc.array(note, { maxLength: 3 }),
});

function snapshotFrom({ sections, repeats, rules }: { sections: string[][]; repeats: [number, number][]; rules: string[] }) {
  const bodies = sections.map((notes) => [...notes]);
  // The same words again, in another section or the same one.
  for (const [from, to] of repeats) {
    const all = bodies.flat();
    bodies[to % bodies.length]?.push(all[from % all.length] as string);
  }
  const inbox = `# Notes\n\n${bodies.map((notes, k) => `## Part ${k}\n\n${notes.map((n) => `- ${n}\n`).join('')}`).join('\n')}`;
  const files = [{ path: INBOX, text: inbox }];
  if (rules.length > 0) files.push({ path: 'memory/instructions/rules.md', text: `# Rules\n\n${rules.map((r) => `- ${r}\n`).join('')}` });
  return snapshotOf(files, undefined, 'reverie');
}

/** candidateIndex as it was written before its terms were ranked once per entry: the reference. */
function candidatesTheLongWay(entries: Entry[]): number[][] {
  const termsOf = new Map(entries.map((e) => [e, entryTerms(e)]));
  const weight = idfTable([...termsOf.values()]);
  const bySection = new Map<string, Map<string, number[]>>();
  const byText = new Map<string, number[]>();
  const place = entries.map((entry) => {
    const key = [entry.path, ...entry.section].join('\u0000');
    return bySection.get(key) ?? bySection.set(key, new Map()).get(key) ?? new Map<string, number[]>();
  });
  entries.forEach((entry, index) => {
    const byTerm = place[index] as Map<string, number[]>;
    for (const term of new Set(termsOf.get(entry) ?? [])) (byTerm.get(term) ?? byTerm.set(term, []).get(term))?.push(index);
    const text = comparableText(entry.text);
    (byText.get(text) ?? byText.set(text, []).get(text))?.push(index);
  });
  const heaviest = (entry: Entry): string[] => {
    const ranked = [...new Set(termsOf.get(entry) ?? [])].sort((x, y) => weight(y) - weight(x) || (x < y ? -1 : 1));
    const total = ranked.reduce((sum, t) => sum + weight(t), 0);
    const prefix: string[] = [];
    let sum = 0;
    for (const t of ranked) {
      prefix.push(t);
      sum += weight(t);
      if (sum > 0.7 * total + 1e-9) break;
    }
    return prefix;
  };
  const partners = new Map<number, Set<number>>();
  const link = (x: number, y: number) => {
    if (x === y) return;
    const [lo, hi] = x < y ? [x, y] : [y, x];
    (partners.get(lo) ?? partners.set(lo, new Set()).get(lo))?.add(hi);
  };
  entries.forEach((entry, i) => {
    for (const j of byText.get(comparableText(entry.text)) ?? []) link(i, j);
    const byTerm = place[i] as Map<string, number[]>;
    for (const term of heaviest(entry)) for (const j of byTerm.get(term) ?? []) link(i, j);
  });
  return entries.map((_, i) => [...(partners.get(i) ?? [])].sort((x, y) => x - y));
}

const fingerprints = (actions: { fingerprint: string }[]) => actions.map((a) => a.fingerprint);

describe('curation shortcuts equal the long way round', () => {
  it('the candidates for duplicates are those ranking each pair term by term gives', () => {
    fc.assert(
      fc.property(memory, (m) => {
        const entries = snapshotFrom(m).files.flatMap((f) => f.entries);
        expect(duplicateCandidates(entries)).toEqual(candidatesTheLongWay(entries));
      }),
      { numRuns: 300 },
    );
  });

  it('a pass of duplicates after no action finds what a pass run anew finds', () => {
    fc.assert(
      fc.property(memory, (m) => {
        // Two workspaces of the same memory, taken through the same first pass; the second pass of one may be the
        // shortcut, the other's is run anew (another function to keep notes apart, which the shortcut does not know).
        const apart = (_a: Entry, _b: Entry) => false;
        const short = new Workspace(snapshotFrom(m));
        const long = new Workspace(snapshotFrom(m));
        expect(fingerprints(planMerges(short, apart))).toEqual(fingerprints(planMerges(long, apart)));
        expect(fingerprints(planMerges(short, apart))).toEqual(fingerprints(planMerges(long, (a, b) => apart(a, b))));
        expect(short.snapshot.files.map((f) => f.document.text)).toEqual(long.snapshot.files.map((f) => f.document.text));
      }),
      { numRuns: 200 },
    );
  });

  it('a pass after one that refused merges, or kept other notes apart, looks again', () => {
    fc.assert(
      fc.property(memory, (m) => {
        // A guard that refuses each merge the first time: the first call's last pass skips the notes it refused, the
        // second call's does not, and may merge them.
        const once = () => {
          const seen = new Set<string>();
          return (action: { type: string; fingerprint: string }) => (action.type === 'merge' && !seen.has(action.fingerprint) && seen.add(action.fingerprint) ? 'not this time' : undefined);
        };
        const noneApart = (_a: Entry, _b: Entry) => false;
        const short = new Workspace(snapshotFrom(m), once());
        const long = new Workspace(snapshotFrom(m), once());
        expect(fingerprints(planMerges(short, noneApart))).toEqual(fingerprints(planMerges(long, noneApart)));
        expect(fingerprints(planMerges(short, noneApart))).toEqual(fingerprints(planMerges(long, (a, b) => noneApart(a, b))));
        // Everything kept apart finds nothing; with nothing kept apart, the same memory is looked at again.
        const apartFirst = new Workspace(snapshotFrom(m));
        const direct = new Workspace(snapshotFrom(m));
        expect(planMerges(apartFirst, () => true)).toEqual([]);
        expect(fingerprints(planMerges(apartFirst, noneApart))).toEqual(fingerprints(planMerges(direct, noneApart)));
      }),
      { numRuns: 200 },
    );
  });

  it('the next conflict, resumed among the same entries, is the one a look from the first pair finds', () => {
    fc.assert(
      fc.property(memory, (m) => {
        const entries = snapshotFrom(m).files.flatMap((f) => f.entries);
        for (const e of entries) claimsOf(e.text);
        const settled = new Set<string>();
        for (let step = 0; step < 20; step++) {
          const resumed = nextConflict(entries, settled);
          const anew = nextConflict([...entries], new Set(settled));
          expect(resumed && [resumed.a.line, resumed.b.line, resumed.conflict]).toEqual(anew && [anew.a.line, anew.b.line, anew.conflict]);
          if (!resumed) break;
          settled.add(pairKey(resumed.a, resumed.b));
        }
      }),
      { numRuns: 300 },
    );
  });
});
