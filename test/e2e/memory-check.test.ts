import { afterEach, describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/memory/tokens.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { commitFiles, git, makeMemoryRepo, makeTempRepo, type Files } from '../helpers/git.js';
import { npmMistakeSession } from '../helpers/transcript.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const NOTES = `# Notes

## Tools

- Use pnpm for every install; never npm install, it rewrites the lockfile.
- Run the linter before every commit.
`;

const CASES = `cases:
  - name: package manager
    question: Which package manager installs dependencies?
    expect: pnpm
  - name: deploys
    question: How do I ship a release?
    expect: make release
`;

const CONFIG_WITH_BUDGET = TEST_CONFIG.replace('      policy: dream\n', '      policy: dream\n      budget_tokens: 4000\n');

interface CheckJson {
  ok: boolean;
  memory_tests: null | {
    fixed: number;
    broken: number;
    still_failing: number;
    passing: number;
    cases: { name: string; change: string; missing: string[] }[];
    costs: { target: string; limits: { tokens?: number }; before: { tokens: number; lines: number }; after: { tokens: number; lines: number } }[];
    holds: string[];
  };
}

describe('reverie check with memory tests', () => {
  it('reports the cases a branch fixes and breaks, and what each target loads before and after', async () => {
    const { dir, cleanup } = await makeTempRepo({ 'reverie.yaml': CONFIG_WITH_BUDGET, 'memory/notes.md': NOTES, '.reverie/tests/memory.yaml': CASES });
    cleanups.push(cleanup);
    git(dir, ['checkout', '-q', '-b', 'change']);
    const changed = `${NOTES.replace(/^- Use pnpm.*\n/m, '')}- Ship a release with make release from a clean checkout.\n`;
    await commitFiles(dir, { 'memory/notes.md': changed }, 'swap the package manager rule for the release rule');

    const json = reverieJson<CheckJson>(['check', '--repo', dir, '--head', 'change']);
    expect(json.code).toBe(1);
    expect(json.ok).toBe(false);
    expect(json.memory_tests).toMatchObject({ fixed: 1, broken: 1, still_failing: 0, passing: 0 });
    expect(json.memory_tests?.cases).toEqual([
      expect.objectContaining({ name: 'package manager', change: 'broken', missing: ['pnpm'] }),
      expect.objectContaining({ name: 'deploys', change: 'fixed', missing: [] }),
    ]);
    expect(json.memory_tests?.holds).toEqual(['it breaks memory test "package manager" (.reverie/tests/memory.yaml:2)']);
    const notes = json.memory_tests?.costs.find((c) => c.target === 'namespace notes');
    expect(notes).toMatchObject({
      limits: { tokens: 4000 },
      before: { tokens: estimateTokens(NOTES), lines: 6 },
      after: { tokens: estimateTokens(changed), lines: 6 },
    });

    const text = reverie(['check', '--repo', dir, '--head', 'change']);
    expect(text.code).toBe(1);
    // Lint finds nothing wrong; the headline says what fails the check.
    expect(text.stdout).toContain('❌ **0 errors, 0 warnings, 1 memory check failed**');
    expect(text.stdout).toContain('**1 fixed, 1 broken**, 0 still failing, 0 passing (2 cases)');
    expect(text.stdout).toMatch(/\| package manager \| \*\*broken\*\* \(pass → fail\) \| \.reverie\/tests\/memory\.yaml:2 \| missing &#34;pnpm&#34; \|/);
    expect(text.stdout).toContain('| deploys | fixed (fail → pass) |');
    const delta = estimateTokens(changed) - estimateTokens(NOTES);
    const sign = delta > 0 ? `+${delta}` : delta < 0 ? `−${-delta}` : '±0';
    expect(text.stdout).toContain(`| namespace notes | ${estimateTokens(NOTES)} → ${estimateTokens(changed)} (${sign}) | 6 → 6 (±0) | 4000 tokens |`);
    expect(text.stderr).toContain('the change needs a person: it breaks memory test "package manager"');
  });

  it('passes a branch that only fixes a case, and names a target the branch takes over its budget', async () => {
    // Room for the short release rule, not for the long one.
    const shortRule = `${NOTES}- Ship with make release.\n`;
    const tight = TEST_CONFIG.replace('      policy: dream\n', `      policy: dream\n      budget_tokens: ${estimateTokens(shortRule)}\n`);
    const { dir, cleanup } = await makeTempRepo({ 'reverie.yaml': tight, 'memory/notes.md': NOTES, '.reverie/tests/memory.yaml': CASES });
    cleanups.push(cleanup);
    git(dir, ['checkout', '-q', '-b', 'fix']);
    await commitFiles(dir, { 'memory/notes.md': shortRule }, 'the release rule');
    const fixed = reverieJson<CheckJson>(['check', '--repo', dir, '--head', 'fix']);
    expect(fixed).toMatchObject({ code: 0, ok: true, memory_tests: { fixed: 1, broken: 0, passing: 1, holds: [] } });

    git(dir, ['checkout', '-q', '-b', 'long']);
    await commitFiles(dir, { 'memory/notes.md': `${NOTES}- Ship with make release, from a clean checkout of main, after the changelog is written and reviewed.\n` }, 'a long rule');
    const over = reverieJson<CheckJson>(['check', '--repo', dir, '--head', 'long', '--base', 'main']);
    expect(over.code).toBe(1);
    expect(over.memory_tests?.holds).toEqual([expect.stringMatching(/^it takes namespace notes to \d+ tokens, over its limit of \d+ \(budget_tokens of namespace notes\)$/)]);
  });

  it('measures what Claude Code loads of MEMORY.md against its 200 lines', async () => {
    const config = `${TEST_CONFIG}lint:\n  harness: claude-code\n`;
    const index = `# Memory\n\n${Array.from({ length: 190 }, (_, i) => `- note ${i}`).join('\n')}\n`;
    const { dir, cleanup } = await makeTempRepo({ 'reverie.yaml': config, 'memory/MEMORY.md': index, '.reverie/tests/memory.yaml': CASES });
    cleanups.push(cleanup);
    git(dir, ['checkout', '-q', '-b', 'grow']);
    const grown = `${index}${Array.from({ length: 20 }, (_, i) => `- more ${i}`).join('\n')}\n`;
    await commitFiles(dir, { 'memory/MEMORY.md': grown }, 'grow the index');
    const json = reverieJson<CheckJson>(['check', '--repo', dir, '--head', 'grow']);
    const row = json.memory_tests?.costs.find((c) => c.target === 'Claude Code memory/MEMORY.md');
    expect(row).toMatchObject({ limits: { lines: 200, bytes: 25000 }, before: { lines: 192, tokens: estimateTokens(index) }, after: { lines: 212, tokens: estimateTokens(grown) } });
    expect(json.memory_tests?.holds).toContainEqual(expect.stringContaining('it takes Claude Code memory/MEMORY.md to 212 lines, over its limit of 200'));
  });

  it('measures the agents of `agents:` without any test file, and fails a change that takes one over its limit', async () => {
    const config = `${TEST_CONFIG}agents:\n  - name: claude-code\n    loads: ["notes.md"]\n    max_lines: 7\n`;
    const { dir, cleanup } = await makeTempRepo({ 'reverie.yaml': config, 'memory/notes.md': NOTES });
    cleanups.push(cleanup);
    git(dir, ['checkout', '-q', '-b', 'grow']);
    const grown = `${NOTES}- Ship with make release.\n- Tag every release.\n`;
    await commitFiles(dir, { 'memory/notes.md': grown }, 'two rules');
    const json = reverieJson<CheckJson>(['check', '--repo', dir, '--head', 'grow']);
    expect(json.code).toBe(1);
    expect(json.memory_tests?.cases).toEqual([]);
    expect(json.memory_tests?.costs[0]).toMatchObject({ target: 'agent claude-code', limits: { lines: 7 }, before: { lines: 6, tokens: estimateTokens(NOTES) }, after: { lines: 8, tokens: estimateTokens(grown) } });
    expect(json.memory_tests?.holds).toEqual(['it takes agent claude-code to 8 lines, over its limit of 7 (agents: claude-code in reverie.yaml)']);
    const text = reverie(['check', '--repo', dir, '--head', 'grow']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Context cost per target');
    expect(text.stdout).not.toContain('### Memory tests');
  });

  it('says nothing of tests in a repository without test files', async () => {
    const { dir, cleanup } = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': NOTES });
    cleanups.push(cleanup);
    git(dir, ['checkout', '-q', '-b', 'change']);
    await commitFiles(dir, { 'memory/notes.md': NOTES.replace(/^- Use pnpm.*\n/m, '') }, 'drop a rule');
    const json = reverieJson<CheckJson>(['check', '--repo', dir, '--head', 'change']);
    expect(json).toMatchObject({ code: 0, ok: true, memory_tests: null });
    const text = reverie(['check', '--repo', dir, '--head', 'change']);
    expect(text.stdout).not.toContain('Memory tests');
    expect(text.stdout).not.toContain('Context cost');
  });
});

/** Two sessions that fix npm to pnpm (an update) and two notes on one port (a merge that keeps the second). */
const CYCLE_NOTES = `# Notes

## Tools

- Install dependencies with \`npm install\`.
- The pricing service listens on port 8081.
- Pricing svc port is 8081 (local dev).

## Preferences
`;

const INSTALL_CASE = `  - name: installs
    question: How do I install dependencies?
    expect: pnpm install
`;

const PRICING_CASE = `  - name: pricing port
    question: Which port does the pricing service listen on?
    expect: pricing service listens
`;

function cycleFiles(extra: Files = {}): Files {
  return {
    'reverie.yaml': TEST_CONFIG,
    'memory/notes.md': CYCLE_NOTES,
    'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
    'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
    ...extra,
  };
}

interface DreamJson {
  cycle: string;
  branch: string;
  merged: boolean;
  approval: string;
  actions: { type: string }[];
  memory_tests: null | { fixed: number; broken: number; holds: string[]; cases: { name: string; change: string }[] };
}

describe('a dream cycle with memory tests', () => {
  it('holds back in auto mode a cycle that merges away a rule a case needs, main untouched, the reason named', async () => {
    const { dir, cleanup } = await makeMemoryRepo(cycleFiles({ '.reverie/tests/memory.yaml': `cases:\n${PRICING_CASE}${INSTALL_CASE}` }));
    cleanups.push(cleanup);
    const main = git(dir, ['rev-parse', 'main']);
    const result = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(result.actions.map((a) => a.type).sort()).toEqual(['merge', 'update']);
    expect(result.merged).toBe(false);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    expect(result.approval).toContain('sent to review: it breaks memory test "pricing port" (.reverie/tests/memory.yaml:2)');
    expect(result.approval).toContain(`reverie approve ${result.cycle}`);
    expect(result.memory_tests).toMatchObject({ fixed: 1, broken: 1 });
    expect(result.memory_tests?.cases).toEqual([expect.objectContaining({ name: 'pricing port', change: 'broken' }), expect.objectContaining({ name: 'installs', change: 'fixed' })]);
    // The whole cycle waits on its branch, none of it marked to reach main on its own later.
    const record = JSON.parse(git(dir, ['show', `${result.branch}:.reverie/cycles/${result.cycle}.json`])) as { safe_part?: boolean; memory_tests?: { broken: number } };
    expect(record.safe_part).toBeUndefined();
    expect(record.memory_tests?.broken).toBe(1);
    // A second run waits behind it and still leaves main alone.
    reverieJson(['dream', '--repo', dir]);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
  });

  it('fast-forwards main over a cycle that turns a failing case green, and reports it fixed', async () => {
    const { dir, cleanup } = await makeMemoryRepo(cycleFiles({ '.reverie/tests/memory.yaml': `cases:\n${INSTALL_CASE}` }));
    cleanups.push(cleanup);
    const before = reverieJson<{ failed: number }>(['test', '--repo', dir]);
    expect(before.failed).toBe(1);
    const result = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(result.merged).toBe(true);
    expect(result.memory_tests).toMatchObject({ fixed: 1, broken: 0, holds: [] });
    expect(reverieJson<{ failed: number; code: number }>(['test', '--repo', dir])).toMatchObject({ code: 0, failed: 0 });
  });

  it('runs a cycle without test files exactly as before: merged, nothing recorded of tests', async () => {
    const { dir, cleanup } = await makeMemoryRepo(cycleFiles());
    cleanups.push(cleanup);
    const result = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(result.merged).toBe(true);
    expect(result.memory_tests).toBeNull();
    expect(git(dir, ['show', `main:.reverie/cycles/${result.cycle}.json`])).not.toContain('memory_tests');
  });
});

describe('a dream cycle that holds out its newest sessions (extract.hold_out)', () => {
  const HOLD_OUT_CONFIG = TEST_CONFIG.replace('  min_sessions: 2\n', '  min_sessions: 2\n  hold_out: 1\n');
  const files: Files = {
    'reverie.yaml': HOLD_OUT_CONFIG,
    'memory/notes.md': '# Notes\n\n## Tools\n\n- Run the linter before every commit.\n',
    'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
    'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
    'sessions/coding-agent/s3.jsonl': npmMistakeSession('s3', '2026-11-04T09:00:00Z', 'add a search box'),
  };
  type HeldJson = DreamJson & { held_out?: { id: string; source: string }[]; stats: { new_sessions: number }; memory_tests: DreamJson['memory_tests'] & { cases: { file: string; turn?: number }[] } };

  it('tests the cycle with the newest session: the fix it learned from the others is what that session needed', async () => {
    const { dir, cleanup } = await makeMemoryRepo(files);
    cleanups.push(cleanup);
    const result = reverieJson<HeldJson>(['dream', '--repo', dir]);
    expect(result.held_out).toEqual([{ id: 's3', source: 'sessions/coding-agent/s3.jsonl' }]);
    expect(result.stats.new_sessions).toBe(2);
    expect(result.merged).toBe(true);
    expect(result.memory_tests).toMatchObject({ fixed: 1, broken: 0, holds: [] });
    expect(result.memory_tests?.cases).toEqual([expect.objectContaining({ change: 'fixed', file: 'sessions/coding-agent/s3.jsonl', turn: expect.any(Number) })]);
    const record = JSON.parse(git(dir, ['show', `main:.reverie/cycles/${result.cycle}.json`])) as { memory_tests?: { fixed: number } };
    expect(record.memory_tests?.fixed).toBe(1);
    // Held out is not processed: the next cycle extracts it, and holds nothing back from a night with one session.
    const next = reverieJson<HeldJson>(['dream', '--repo', dir]);
    expect(next.stats.new_sessions).toBe(1);
    expect(next.held_out).toEqual([]);
    expect(reverieJson<HeldJson>(['dream', '--repo', dir]).stats.new_sessions).toBe(0);
  });

  it('keeps the held-out session cases in the record, answered again when a reviewer drops an action', async () => {
    // Two actions: the fix for npm, and a merge of the two notes on the pricing port.
    const { dir, cleanup } = await makeMemoryRepo({ ...files, 'memory/notes.md': CYCLE_NOTES, 'reverie.yaml': HOLD_OUT_CONFIG.replace('mode: auto', 'mode: review') });
    cleanups.push(cleanup);
    const result = reverieJson<HeldJson & { actions: { id: string; type: string }[] }>(['dream', '--repo', dir]);
    expect(result.merged).toBe(false);
    expect(result.memory_tests).toMatchObject({ fixed: 1 });
    const record = () => JSON.parse(git(dir, ['show', `${result.branch}:.reverie/cycles/${result.cycle}.json`])) as { session_cases?: { file: string; expect: string[] }[]; memory_tests?: { fixed: number; stillFailing: number } };
    expect(record().session_cases).toEqual([expect.objectContaining({ file: 'sessions/coding-agent/s3.jsonl', expect: ['pnpm install'] })]);
    expect(result.actions.map((a) => a.type).sort()).toEqual(['merge', 'update']);
    const fix = result.actions.find((a) => a.type === 'update');
    reverieJson(['drop', '--repo', dir, result.cycle, fix?.id as string]);
    // Without the action that taught it, the session's case is asked again and fails again; it is not forgotten.
    expect(record().memory_tests).toMatchObject({ fixed: 0, stillFailing: 1 });
  });

  it('says on the terminal how many sessions it held out', async () => {
    const { dir, cleanup } = await makeMemoryRepo(files);
    cleanups.push(cleanup);
    const text = reverie(['dream', '--repo', dir]);
    expect(text.stdout).toContain('(3 new, 1 of them held out to test the memory)');
    expect(text.stdout).toContain('sessions/coding-agent/s3.jsonl, turn');
  });
});
