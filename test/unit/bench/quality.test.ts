import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSeeds } from '../../../bench/quality/seeds.js';
import { generateCorpus } from '../../../bench/quality/corpus.js';
import { outcomeOf, perfectPlan, validateTruth } from '../../../bench/quality/plans.js';
import { matchesTerms, SCORED_TYPES, score } from '../../../bench/quality/score.js';
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
    const result = score(corpus.truth, outcomeOf(corpus, perfectPlan(corpus)));
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
