import { afterEach, describe, expect, it } from 'vitest';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { commitFiles, git, makeTempRepo, type Files } from '../helpers/git.js';
import { mergeCommitMerge, rebaseMerge, squashMerge } from '../helpers/github-merge.js';
import { revertMessage } from '../helpers/messages.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';

const OLD_LINE = '- Install dependencies with `npm install`.';

const NOTES = `# Notes

## Tools

${OLD_LINE}
- Pricing svc port is 8081 (local dev).

## Preferences
`;

function preferenceSession(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [{ user: 'Write the release notes for 2.3.' }, { assistant: 'Here is a draft.' }, { user: sentence }, { assistant: 'Understood, updated.' }]);
}

/** Sessions that give a cycle two actions on memory/notes.md: an update of the npm line and an added preference. */
function baseFiles(): Files {
  return {
    'reverie.yaml': TEST_CONFIG,
    'memory/notes.md': NOTES,
    'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
    'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
    'sessions/coding-agent/s3.jsonl': preferenceSession('s3', '2026-11-04T09:00:00Z', 'Always write dates in ISO 8601 format in release notes.'),
    'sessions/review-agent/s4.jsonl': preferenceSession('s4', '2026-11-05T09:00:00Z', 'no, release notes must always use ISO 8601 format for dates'),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function repoWith(files: Files): Promise<string> {
  const repo = await makeTempRepo(files);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

interface DreamJson {
  cycle: string;
  branch: string;
  actions: { id: string; type: string; summary: string; commit: string | null }[];
}

interface ActionJson {
  cycle: string;
  id: string;
  type: string;
  summary: string | null;
  rationale: string | null;
  evidence: { session_id: string; agent: string | null; quote: string | null }[];
}

interface LineJson {
  line: number;
  text: string;
  origin: {
    kind: 'action' | 'revert' | 'hand-written';
    commit: string;
    subject: string;
    author: { name: string; email: string };
    date: string;
    cycle?: string;
    engine?: string | null;
    exact?: boolean;
    actions?: ActionJson[];
    reverted?: { commit: string | null; cycle: string | null; action_id: string | null; type: string | null; summary: string | null }[];
  };
}

function why(dir: string, spec = 'memory/notes.md'): { file: string; main: string; lines: LineJson[] } {
  return reverieJson(['why', spec, '--repo', dir]);
}

/** Native git's blame of the file at main: the independent check of which commit wrote each line. */
function nativeBlame(dir: string, path = 'memory/notes.md'): string[] {
  return git(dir, ['blame', '--root', '-l', '-s', 'main', '--', path])
    .split('\n')
    .map((line) => line.slice(0, 40));
}

function lineWith(lines: LineJson[], text: string): LineJson {
  const found = lines.find((l) => l.text.includes(text));
  if (!found) throw new Error(`no line with "${text}" in:\n${lines.map((l) => l.text).join('\n')}`);
  return found;
}

describe('reverie why', () => {
  it('traces lines of a fast-forwarded cycle to their action, with rationale and evidence; the rest is hand-written', async () => {
    const dir = await repoWith(baseFiles());
    const initial = git(dir, ['rev-parse', 'main']);
    const cycle = reverieJson<DreamJson>(['dream', '--repo', dir]);
    const update = cycle.actions.find((a) => a.type === 'update')!;
    const add = cycle.actions.find((a) => a.type === 'add')!;

    const result = why(dir);
    expect(result.file).toBe('memory/notes.md');
    expect(result.lines.map((l) => l.origin.commit)).toEqual(nativeBlame(dir));
    expect(result.lines.map((l) => l.line)).toEqual(result.lines.map((_, i) => i + 1));

    const updated = lineWith(result.lines, 'pnpm install');
    expect(updated.origin).toMatchObject({ kind: 'action', commit: update.commit, cycle: cycle.cycle, engine: 'heuristic', exact: true });
    const [action] = updated.origin.actions!;
    expect(action).toMatchObject({ cycle: cycle.cycle, id: update.id, type: 'update', summary: update.summary });
    expect(action!.rationale).toContain('failing');
    expect(action!.evidence.map((e) => e.session_id).sort()).toEqual(['s1', 's2']);
    expect(action!.evidence.every((e) => e.agent && e.quote?.includes('Unsupported URL Type'))).toBe(true);

    expect(lineWith(result.lines, 'ISO 8601').origin.actions?.map((a) => a.id)).toEqual([add.id]);
    expect(lineWith(result.lines, '# Notes').origin).toMatchObject({ kind: 'hand-written', commit: initial, subject: 'initial', author: { name: 'Test', email: 'test@example.com' } });

    const human = reverie(['why', `memory/notes.md:${updated.line}`, '--repo', dir]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`line ${updated.line}: update ${update.id} (${update.summary}), cycle ${cycle.cycle} (heuristic), ${update.commit!.slice(0, 7)}`);
    expect(human.stdout).toMatch(/why: .*failing/);
    expect(human.stdout).toMatch(/evidence: s1 \(coding-agent, turn \d+\): "npm error Unsupported URL Type/);
    expect(human.stdout).toContain(`${updated.line} | ${updated.text}`);
    // Consecutive hand-written lines come as one group.
    expect(reverie(['why', 'memory/notes.md', '--repo', dir]).stdout).toMatch(/^lines 1-4: hand-written, by Test <test@example\.com> in [0-9a-f]{7} \d{4}-\d\d-\d\d "initial"$/m);
  });

  const styles = {
    'a merge commit': (dir: string, branch: string) => mergeCommitMerge(dir, branch, 21),
    'a squash merge': (dir: string, branch: string) => squashMerge(dir, branch, 21),
    'a rebase merge': (dir: string, branch: string) => rebaseMerge(dir, branch),
  };
  for (const [style, merge] of Object.entries(styles)) {
    it(`traces lines of a cycle merged on GitHub with ${style} to their actions`, async () => {
      const dir = await repoWith(baseFiles());
      const cycle = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
      merge(dir, cycle.branch);
      const { lines } = why(dir);
      expect(lines.map((l) => l.origin.commit)).toEqual(nativeBlame(dir));
      for (const [text, type] of [['pnpm install', 'update'], ['ISO 8601', 'add']] as const) {
        const line = lineWith(lines, text);
        const action = cycle.actions.find((a) => a.type === type)!;
        expect(line.origin).toMatchObject({ kind: 'action', cycle: cycle.cycle, exact: true });
        expect(line.origin.actions?.map((a) => [a.id, a.type, a.summary])).toEqual([[action.id, type, action.summary]]);
        expect(line.origin.actions?.[0]?.evidence.length).toBeGreaterThan(0);
        if (style === 'a merge commit') expect(line.origin.commit).toBe(action.commit);
        else expect(line.origin.commit).not.toBe(action.commit);
      }
      if (style === 'a squash merge') {
        // The blank line the add put before its entry is in no action's content: the squash's actions are listed.
        const blank = lines[lines.indexOf(lineWith(lines, 'ISO 8601')) - 1]!;
        expect(blank.text).toBe('');
        expect(blank.origin).toMatchObject({ kind: 'action', exact: false });
        expect(blank.origin.actions?.map((a) => a.id).sort()).toEqual(cycle.actions.map((a) => a.id).sort());
        expect(reverie(['why', `memory/notes.md:${blank.line}`, '--repo', dir]).stdout).toContain(`one of ${cycle.actions.length} actions squashed into cycle ${cycle.cycle}`);
      }
    });
  }

  it('says a line was restored by a revert, and which action it undid; and names the author of a hand edit', async () => {
    const dir = await repoWith(baseFiles());
    const cycle = reverieJson<DreamJson>(['dream', '--repo', dir]);
    const update = cycle.actions.find((a) => a.type === 'update')!;
    // A revert made by hand, as `reverie revert` writes one: the old line comes back.
    const current = git(dir, ['show', 'main:memory/notes.md']);
    const updatedLine = current.split('\n').find((l) => l.includes('pnpm install'))!;
    const revert = await commitFiles(dir, { 'memory/notes.md': `${current.replace(updatedLine, OLD_LINE)}\n` }, revertMessage(cycle.cycle, update.id, update.commit!), '2026-12-02T10:00:00Z');
    const edit = await commitFiles(dir, { 'memory/notes.md': `${current.replace(updatedLine, OLD_LINE).replace('(local dev)', '(local dev, and CI)')}\n` }, 'docs: the port in CI', '2026-12-03T10:00:00Z');

    const { lines } = why(dir);
    expect(lines.map((l) => l.origin.commit)).toEqual(nativeBlame(dir));
    expect(lineWith(lines, 'npm install').origin).toMatchObject({
      kind: 'revert',
      commit: revert,
      date: '2026-12-02T10:00:00.000Z',
      reverted: [{ commit: update.commit, cycle: cycle.cycle, action_id: update.id, type: 'update', summary: update.summary }],
    });
    expect(lineWith(lines, 'and CI').origin).toMatchObject({ kind: 'hand-written', commit: edit, subject: 'docs: the port in CI', date: '2026-12-03T10:00:00.000Z', author: { name: 'Test' } });

    const human = reverie(['why', 'memory/notes.md', '--repo', dir]).stdout;
    expect(human).toContain(`restored by a revert, ${revert.slice(0, 7)} 2026-12-02`);
    expect(human).toContain(`update ${update.id} of cycle ${cycle.cycle}: ${update.summary}`);
    expect(human).toContain(`hand-written, by Test <test@example.com> in ${edit.slice(0, 7)} 2026-12-03 "docs: the port in CI"`);
  });

  it('refuses a file that is not on main and a line past its end', async () => {
    const dir = await repoWith(baseFiles());
    const missing = reverie(['why', 'memory/missing.md', '--repo', dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('memory/missing.md is not a file on main');
    const past = reverie(['why', 'memory/notes.md:99', '--repo', dir]);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('has 8 lines');
  });
});
