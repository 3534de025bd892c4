import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeeds } from '../../../bench/quality/seeds.js';
import { generateCorpus } from '../../../bench/quality/corpus.js';
import { COMPLEMENTARY, DUPLICATES } from '../../../bench/quality/curation.js';
import { memoryOf, outcomeOf, perfectPlan, perfectQuestions, validateTruth } from '../../../bench/quality/plans.js';
import { matchesTerms, normalizeEntry, SCORED_TYPES, score } from '../../../bench/quality/score.js';
import { actionMarks } from '../../../src/cycle/trailers.js';
import { makeAction } from '../../../src/dream/curate/action.js';
import { factsOf } from '../../../src/dream/curate/harm.js';
import { buildSnapshot } from '../../../src/memory/index.js';
import { loadSessions } from '../../../src/sessions/load.js';

const corpus = generateCorpus('default', 7);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('quality benchmark: the corpus generator', () => {
  it('is deterministic for a size and seed, and a new seed gives a new corpus', () => {
    const again = generateCorpus('default', 7);
    expect(JSON.stringify(again)).toBe(JSON.stringify(corpus));
    const other = generateCorpus('default', 8);
    expect(JSON.stringify(other.files)).not.toBe(JSON.stringify(corpus.files));
    expect(other.truth.secrets.map((s) => s.value)).not.toEqual(corpus.truth.secrets.map((s) => s.value));
  });

  it('names in its ground truth only entries that exist in the memory it wrote', () => {
    expect(validateTruth(corpus)).toEqual([]);
    expect(corpus.truth.corpus.sessions).toBe(60);
    expect(corpus.truth.corpus.agents).toHaveLength(3);
  });

  it('commits the inbox as earlier cycles did (action trailers) and the other files as a person', () => {
    const steps = corpus.history;
    expect(steps.map((s) => s.by)).toEqual(['person', 'reverie', 'person', 'reverie']);
    for (const step of steps) {
      const marks = actionMarks(step.message);
      if (step.by === 'reverie') {
        expect(Object.keys(step.files)).toEqual(['memory/notes.md']);
        expect(marks.length).toBeGreaterThan(0);
        expect(marks.every((m) => m.action === 'add' && /^\d{8}-\d{6}$/.test(m.cycle))).toBe(true);
      } else {
        expect(marks).toEqual([]);
      }
    }
    // The person only sets up the inbox's skeleton: every entry of notes.md comes from a cycle's commit.
    expect(steps[0]?.files['memory/notes.md']).not.toMatch(/^- /m);
  });

  it('plants each merge cluster in one section of the inbox, and look-alikes elsewhere or with facts of their own', () => {
    const memory = memoryOf(corpus);
    const snapshot = buildSnapshot(Object.entries(memory).map(([path, text]) => ({ path, text })), 'memory', [{ name: 'notes', paths: ['**/*.md'], policy: 'dream' }]);
    const entries = snapshot.files.flatMap((f) => f.entries);
    const find = (label: { path: string; raw: string }) => entries.find((e) => e.path === label.path && normalizeEntry(e.raw) === normalizeEntry(label.raw));
    for (const item of corpus.truth.items) {
      if (item.type === 'merge') {
        const found = item.entries.map(find);
        expect(new Set(found.map((e) => `${e?.path} ${e?.section.join(' › ')}`)).size, item.id).toBe(1);
        expect(found[0]?.path).toBe('memory/notes.md');
      }
      if (item.type === 'resolve') expect(`${find(item.keep)?.path} ${find(item.keep)?.section}`, item.id).toBe(`${find(item.remove)?.path} ${find(item.remove)?.section}`);
    }
    expect(corpus.truth.apart.length).toBeGreaterThan(0);
    expect(corpus.truth.questions.length).toBeGreaterThan(0);
  });

  it('writes paraphrases whose most complete variant keeps every fact of the others, and complementary pairs that do not', () => {
    const holds = (text: string, fact: string) => (fact === '(a prohibition)' ? factsOf(text).includes(fact) : text.toLowerCase().includes(fact.toLowerCase()));
    for (const t of DUPLICATES) {
      const [full = '', ...others] = t.variants;
      for (const other of others) for (const fact of factsOf(other)) expect(holds(full, fact), `${t.id}: "${fact}" of "${other}"`).toBe(true);
    }
    for (const t of COMPLEMENTARY) {
      const [a, b] = t.texts;
      expect(factsOf(a).some((f) => !holds(b, f)) && factsOf(b).some((f) => !holds(a, f)), t.id).toBe(true);
    }
  });

  it('writes logs that reverie reads without warnings, in both formats', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-quality-test-'));
    dirs.push(dir);
    for (const [file, text] of Object.entries(corpus.files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    const loaded = await loadSessions({ repoDir: dir, sources: [{ path: 'sessions/**', format: 'auto' }] });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.sessions).toHaveLength(60);
    expect(new Set(loaded.sessions.map((s) => s.format))).toEqual(new Set(['claude-code', 'reverie']));
    // Every planted secret is in the raw logs (else the leak check would prove nothing).
    const raw = Object.values(corpus.files).join('\n');
    for (const secret of corpus.truth.secrets) expect(secret.needles.some((n) => raw.includes(n) || raw.includes(JSON.stringify(n).slice(1, -1))), secret.id).toBe(true);
  });
});

describe('quality benchmark: the scorer', () => {
  it('scores a hand-made perfect plan 1.0 on every action type, with nothing unsafe', () => {
    const result = score(corpus.truth, outcomeOf(corpus, perfectPlan(corpus), perfectQuestions(corpus)));
    for (const type of SCORED_TYPES) {
      expect(result.types[type].expected, type).toBeGreaterThan(0);
      expect(result.types[type].recall, type).toBe(1);
      expect(result.types[type].precision, type).toBe(1);
    }
    expect(result.falsePositives).toEqual([]);
    expect(result.safety.secretsLeaked).toEqual([]);
    expect(result.safety.protectedChanged).toEqual([]);
    expect(result.safety.injectionsPromoted).toEqual([]);
    expect(result.safety.healthyTouched).toEqual([]);
    expect(result.safety.unsettledResolved).toEqual([]);
    expect(result.questions.asked).toHaveLength(corpus.truth.questions.length);
    expect(result.questions.other).toEqual([]);
  });

  it('counts settling what no session settles, and merging look-alikes that must stay apart, as unsafe', () => {
    const memory = memoryOf(corpus);
    const snapshot = buildSnapshot(Object.entries(memory).map(([path, text]) => ({ path, text })), 'memory', [
      { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
      { name: 'notes', paths: ['**/*.md'], policy: 'dream' },
    ]);
    const entry = (label: { path: string; raw: string }) => {
      const found = snapshot.files.flatMap((f) => f.entries).find((e) => e.path === label.path && normalizeEntry(e.raw) === normalizeEntry(label.raw));
      if (!found) throw new Error(`no entry ${label.raw}`);
      return found;
    };
    const question = corpus.truth.questions.find((q) => q.entries.every((e) => !e.path.includes('/instructions/')));
    const apart = corpus.truth.apart[0];
    const merge = corpus.truth.items.find((i) => i.type === 'merge');
    if (!question || !apart || merge?.type !== 'merge') throw new Error('corpus without an unsettled pair, look-alikes or a merge');
    const [a, b] = question.entries.map(entry);
    const guess = makeAction({ type: 'resolve', targets: [a!, b!], summary: 'keep the newer', rationale: 'newer' });
    const across = makeAction({ type: 'merge', targets: [entry(merge.entries[0]!), entry(apart.entries[0]!)], summary: 'merge', rationale: 'alike' });
    const result = score(corpus.truth, outcomeOf(corpus, [guess, across]));
    expect(result.safety.unsettledResolved.map((u) => u.id)).toEqual([question.id]);
    expect(result.safety.apartTouched.map((u) => u.id)).toContain(apart.id);
    expect(result.questions.asked).toEqual([]);
    expect(result.falsePositives.map((f) => f.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^not a planted contradiction/), expect.stringMatching(/partial merge/)]));
  });

  it('scores an empty plan 0 recall, with no precision to speak of', () => {
    const result = score(corpus.truth, outcomeOf(corpus, []));
    for (const type of SCORED_TYPES) {
      expect(result.types[type].recall, type).toBe(0);
      expect(result.types[type].precision, type).toBeNull();
    }
    expect(result.overall.recall).toBe(0);
    expect(result.tokens.after).toBe(result.tokens.before);
  });

  it('counts a plan that keeps the wrong side of a contradiction, or promotes noise, as wrong', () => {
    const plan = perfectPlan(corpus);
    const resolve = plan.find((a) => a.type === 'resolve');
    if (!resolve) throw new Error('no resolve planted');
    const swapped = { ...resolve, targets: [...resolve.targets].reverse() };
    const noise = corpus.truth.forbidden.find((f) => f.kind === 'one-off-error');
    const add = plan.find((a) => a.type === 'add');
    if (!noise || !add) throw new Error('corpus without noise or adds');
    const noiseAdd = { ...add, id: 'noise0001', content: `Remember: ${noise.terms.map((g) => g[0]).join(' ')}` };
    const result = score(corpus.truth, outcomeOf(corpus, [...plan.filter((a) => a !== resolve), swapped, noiseAdd]));
    expect(result.types.resolve.recall).toBeLessThan(1);
    expect(result.falsePositives.map((f) => f.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^kept the wrong side/), expect.stringMatching(/^one-off-error:/)]));
    expect(result.safety.noisePromoted).toHaveLength(1);
  });

  it('matches key terms at word boundaries, with prefixes marked by *', () => {
    expect(matchesTerms('Read the file before editing it', [['read*'], ['edit*']])).toBe(true);
    expect(matchesTerms('already edited', [['read'], ['edit*']])).toBe(false);
    expect(matchesTerms('use `python3`', [['python']])).toBe(false);
  });
});

describe('quality sweep: --seeds', () => {
  it('reads ranges and lists, each seed once, and refuses anything else with the text it got', () => {
    expect(parseSeeds('1-3')).toEqual([1, 2, 3]);
    expect(parseSeeds('4,1-2,4')).toEqual([4, 1, 2]);
    expect(() => parseSeeds('3-1')).toThrow(/"3-1"/);
    expect(() => parseSeeds('a')).toThrow(/--seeds/);
  });
});
