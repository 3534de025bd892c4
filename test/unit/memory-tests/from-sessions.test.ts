import { describe, expect, it } from 'vitest';
import { HoldOut } from '../../../src/cycle/hold-out.js';
import { extractPatterns, observeSession } from '../../../src/dream/extract/index.js';
import type { ObservedSession } from '../../../src/dream/extract/observation.js';
import { buildSnapshot } from '../../../src/memory/index.js';
import type { Namespace } from '../../../src/memory/types.js';
import { checkMemory } from '../../../src/memory-tests/compare.js';
import { sessionCases } from '../../../src/memory-tests/from-sessions.js';
import { answerCases, givesGist } from '../../../src/memory-tests/reader.js';
import { npmThenPnpm, session } from '../../helpers/sessions.js';

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`;
const NAMESPACES: Namespace[] = [{ name: 'notes', paths: ['**/*.md'], policy: 'dream' }];
const memory = (lines: string[]) => buildSnapshot([{ path: 'memory/notes.md', text: `# Notes\n\n${lines.map((l) => `- ${l}\n`).join('')}` }], 'memory', NAMESPACES);

/** A person states the same standing rule in their own words, in a session of its own. */
function planFirst(id: string, start: string, words: string): ObservedSession {
  return observeSession(session({ id, start }, [{ user: words }, { assistant: 'Understood.' }]));
}

/** The records a cycle folded from the sessions it extracted. */
const recordsOf = (sessions: ObservedSession[]) => extractPatterns(sessions, {}, 2).records;

describe('sessionCases: tests from sessions held out of extraction', () => {
  const early = [npmThenPnpm('s1', 'claude', day(1)), npmThenPnpm('s2', 'codex', day(2), 'fix the login form')].map(observeSession);
  const held = [observeSession(npmThenPnpm('s3', 'claude', day(3), 'add a search box'))];

  it('a failure that recurred, with the fix that worked, asks for the fix', () => {
    const cases = sessionCases(held, recordsOf(early), 2);
    expect(cases).toHaveLength(1);
    const [only] = cases;
    expect(only).toMatchObject({ file: 'sessions/claude/s3.jsonl', expect: ['pnpm install'], never: [], top: 5 });
    expect(only?.question).toContain('npm fails');
    expect(only?.id).toMatch(/^sessions\/claude\/s3\.jsonl#mistake:/);
    expect(only?.line).toBeGreaterThan(0);
  });

  it('makes no case of a lesson no other session showed: the memory had nothing to learn it from', () => {
    expect(sessionCases(held, {}, 2)).toEqual([]);
    // Two held-out sessions agreeing is a lesson too, but not one the cycle saw.
    const twoHeld = [...held, observeSession(npmThenPnpm('s4', 'codex', day(4), 'fix the cart'))];
    expect(sessionCases(twoHeld, {}, 2)).toEqual([]);
    // What a benchmark compares a team's memory on: lessons only the held-out sessions show, with the support to act.
    expect(sessionCases(twoHeld, {}, 2, { alsoNew: true }).map((c) => c.expect)).toEqual([['pnpm install']]);
    expect(sessionCases(held, {}, 2, { alsoNew: true })).toEqual([]);
  });

  it('a failure with no fix known makes no case', () => {
    const failing = (id: string, start: string) =>
      observeSession(session({ id, start }, [{ user: 'Deploy it.' }, { bash: 'make deploy', output: 'make: *** No rule to make target', error: true }, { assistant: 'It failed.' }]));
    expect(sessionCases([failing('h', day(5))], recordsOf([failing('a', day(1)), failing('b', day(2))]), 2)).toEqual([]);
  });

  it('a standing rule a person restated asks for most of it, in any words', () => {
    const earlier = [planFirst('p1', day(1), 'Always show me the plan and wait for my approval before writing code.'), planFirst('p2', day(2), 'Always show the plan and wait for approval before you write code.')];
    const cases = sessionCases([planFirst('p3', day(3), 'Always show the plan and wait for approval before writing any code.')], recordsOf(earlier), 2);
    expect(cases).toHaveLength(1);
    const [rule] = cases;
    expect(rule?.expect).toEqual([]);
    expect(rule?.gist).toMatch(/plan/i);
    const reworded = answerCases(memory(['Before any code is written, show the plan and get approval.']), cases);
    expect(reworded.passed).toBe(1);
    const unrelated = answerCases(memory(['Use pnpm for installs.', 'Keep commits small.']), cases);
    expect(unrelated.cases[0]).toMatchObject({ passed: false, missing: [rule?.gist] });
  });

  it('is answered before and after a change like any case: learned is fixed, lost is broken and holds the cycle', () => {
    const cases = sessionCases(held, recordsOf(early), 2);
    const without = memory(['Keep commits small.']);
    const withFix = memory(['Keep commits small.', '`npm install` fails with `Unsupported URL Type`: run `pnpm install` instead.']);
    expect(checkMemory(without, withFix, cases, 'none')).toMatchObject({ fixed: 1, broken: 0, holds: [] });
    const lost = checkMemory(withFix, without, cases, 'none');
    expect(lost).toMatchObject({ fixed: 0, broken: 1 });
    expect(lost.holds[0]).toMatch(/\(sessions\/claude\/s3\.jsonl, turn \d+\)/);
  });
});

describe('givesGist', () => {
  it('holds when the entries say at least half of what the gist says between them, and names the one that says most', () => {
    expect(givesGist(['Run the linter before every commit.'], 'Always run the linter before committing.')).toBe(0);
    expect(givesGist(['Use pnpm.'], 'Always run the linter before committing.')).toBeUndefined();
    expect(givesGist(['anything'], 'the and of')).toBeUndefined();
    const gist = 'Never print or cat the .env files; only .env.example may be read.';
    expect(givesGist(['Use pnpm.', 'Never `cat` a `.env` file.', 'Read `.env.example` for the variables.'], gist)).toBe(1);
    expect(givesGist(['Use pnpm.', 'Keep every variable documented.'], gist)).toBeUndefined();
  });
});

describe('HoldOut', () => {
  const observed = (id: string, startedAt: string) => ({ id, startedAt }) as ObservedSession;
  const run = (size: number, sessions: ObservedSession[]) => {
    const passed: string[] = [];
    const hold = new HoldOut<string>(size, (s) => passed.push(s.forEngine));
    for (const s of sessions) hold.offer(s, s.id);
    return { held: hold.settle().map((s) => s.id), passed };
  };

  it('holds the newest sessions, whatever order they stream in, and passes every other one on once', () => {
    const { held, passed } = run(2, [observed('c', day(3)), observed('a', day(1)), observed('e', day(5)), observed('b', day(2)), observed('d', day(4))]);
    expect(held).toEqual(['e', 'd']);
    expect(passed.sort()).toEqual(['a', 'b', 'c']);
  });

  it('holds at most half of the new sessions, so each cycle learns from some and none waits for ever', () => {
    expect(run(5, [observed('a', day(1))])).toEqual({ held: [], passed: ['a'] });
    expect(run(5, [observed('a', day(1)), observed('b', day(2)), observed('c', day(3))]).held).toEqual(['c']);
    expect(run(0, [observed('a', day(1)), observed('b', day(2))])).toEqual({ held: [], passed: ['a', 'b'] });
  });
});
