import { afterEach, describe, expect, it } from 'vitest';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { commitFiles, git, makeMemoryRepo, type Files } from '../helpers/git.js';
import { mergeCommitMerge, rebaseMerge, squashMerge } from '../helpers/github-merge.js';
import { revertMessage } from '../helpers/messages.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';

const NOTES = `# Notes

## Tools

- Install dependencies with \`npm install\`.
- Deploys go through the staging branch first.
- The pricing service listens on port 8081.
- Pricing svc port is 8081 (local dev).

## Preferences
`;

function preferenceSession(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [{ user: 'Write the release notes for 2.3.' }, { assistant: 'Here is a draft.' }, { user: sentence }, { assistant: 'Understood, updated.' }]);
}

/** Sessions that give a cycle three actions on memory/notes.md: a merge, an update and an add. */
function baseFiles(extra: Files = {}): Files {
  return {
    'reverie.yaml': TEST_CONFIG,
    'memory/notes.md': NOTES,
    'sessions/coding-agent/s1.jsonl': npmMistakeSession('s1', '2026-11-02T09:00:00Z'),
    'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test'),
    'sessions/coding-agent/s3.jsonl': preferenceSession('s3', '2026-11-04T09:00:00Z', 'Always write dates in ISO 8601 format in release notes.'),
    'sessions/review-agent/s4.jsonl': preferenceSession('s4', '2026-11-05T09:00:00Z', 'no, release notes must always use ISO 8601 format for dates'),
    ...extra,
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function repoWith(files: Files): Promise<string> {
  const repo = await makeMemoryRepo(files);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

interface DreamJson {
  cycle: string;
  branch: string;
  outcome: string;
  actions: { id: string; type: string; summary: string; commit: string | null }[];
}

interface ActionJson {
  id: string;
  type: string;
  commit: string | null;
  status: string;
  applied_at: string | null;
  reverted_by: string | null;
  reverted_at: string | null;
}

interface CycleJson {
  cycle: string;
  status: string;
  partial: boolean;
  partly_reverted: boolean;
  label: string;
  counts: Record<string, number>;
  actions: ActionJson[];
}

interface StatusJson {
  last_cycle: { cycle: string; status: string; partial: boolean } | null;
  pending: { cycle: string }[];
}

function cycleIn(dir: string, cycle: string): CycleJson {
  const log = reverieJson<{ cycles: CycleJson[] }>(['log', '--repo', dir]);
  const found = log.cycles.find((c) => c.cycle === cycle);
  if (!found) throw new Error(`cycle ${cycle} is not in the log: ${JSON.stringify(log.cycles.map((c) => c.cycle))}`);
  return found;
}

/** The commits on main whose message carries the action's id, as native git finds them. */
function commitsCarrying(dir: string, id: string): string[] {
  return git(dir, ['log', '--format=%H', `--grep=Reverie-Action-Id: ${id}`, 'main']).split('\n').filter(Boolean);
}

describe('a cycle merged on GitHub counts as approved', () => {
  const styles = {
    'a merge commit': (dir: string, branch: string) => mergeCommitMerge(dir, branch, 12),
    'a squash merge': (dir: string, branch: string) => squashMerge(dir, branch, 12),
    'a rebase merge': (dir: string, branch: string) => rebaseMerge(dir, branch),
  };

  for (const [style, merge] of Object.entries(styles)) {
    it(`merged with ${style}: log and status call it approved, each action on its commit on main, and the next dream proposes nothing`, async () => {
      const dir = await repoWith(baseFiles());
      const proposed = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
      expect(proposed.actions.length).toBe(3);
      expect(reverieJson<StatusJson>(['status', '--repo', dir]).pending.map((p) => p.cycle)).toEqual([proposed.cycle]);

      merge(dir, proposed.branch);
      // GitHub leaves the local branch behind: it must not count as pending any more.
      expect(git(dir, ['branch', '--list', proposed.branch])).not.toBe('');

      const cycle = cycleIn(dir, proposed.cycle);
      expect(cycle).toMatchObject({ status: 'approved', partial: false, partly_reverted: false, label: 'approved', counts: { actions: 3, approved: 3, pending: 0 } });
      for (const action of cycle.actions) {
        expect(action.status).toBe('applied');
        expect(commitsCarrying(dir, action.id)).toContain(action.commit);
      }
      if (style === 'a squash merge') expect(new Set(cycle.actions.map((a) => a.commit))).toEqual(new Set([git(dir, ['rev-parse', 'main'])]));
      if (style === 'a merge commit') expect(cycle.actions.map((a) => a.commit)).toEqual(proposed.actions.map((a) => a.commit));
      if (style === 'a rebase merge') for (const action of cycle.actions) expect(proposed.actions.map((a) => a.commit)).not.toContain(action.commit);

      const status = reverieJson<StatusJson>(['status', '--repo', dir]);
      expect(status).toMatchObject({ last_cycle: { cycle: proposed.cycle, status: 'approved', partial: false }, pending: [] });
      expect(reverie(['status', '--repo', dir]).stdout).toContain('pending    none');
      expect(reverie(['log', '--repo', dir]).stdout).toContain(`cycle ${proposed.cycle}  approved  `);

      // Its sessions are recorded as processed by the merged bookkeeping commit: nothing to propose again.
      const main = git(dir, ['rev-parse', 'main']);
      const next = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
      expect(next.outcome).toBe('nothing-new');
      expect(next.actions).toEqual([]);
      expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    });
  }
});

describe('reverie log: the state of each cycle', () => {
  it('shows a cycle approved in part, and a rejected one', async () => {
    const dir = await repoWith(baseFiles());
    const first = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const [left] = first.actions;
    expect(reverie(['approve', first.cycle, '--except', left!.id, '--repo', dir]).code).toBe(0);
    const partly = cycleIn(dir, first.cycle);
    expect(partly).toMatchObject({ status: 'approved', partial: true, label: 'approved (2 of 3)', counts: { actions: 3, approved: 2, rejected: 1 } });
    expect(partly.actions.find((a) => a.id === left!.id)).toMatchObject({ status: 'rejected', commit: null, applied_at: null });
    expect(reverie(['log', '--repo', dir]).stdout).toContain(`cycle ${first.cycle}  approved (2 of 3)  `);

    await commitFiles(dir, {
      'sessions/coding-agent/s5.jsonl': preferenceSession('s5', '2026-11-06T09:00:00Z', 'Never bump the major version without asking first.'),
      'sessions/review-agent/s6.jsonl': preferenceSession('s6', '2026-11-07T09:00:00Z', 'Please never bump a major version without asking me.'),
    });
    const second = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    expect(reverie(['reject', second.cycle, '--reason', 'not now', '--repo', dir]).code).toBe(0);
    const rejected = cycleIn(dir, second.cycle);
    expect(rejected).toMatchObject({ status: 'rejected', partial: false, label: 'rejected' });
    expect(rejected.actions.every((a) => a.status === 'rejected')).toBe(true);
  });

  it('shows actions reverted later, by reverie-style and by plain git reverts: partly reverted, then reverted', async () => {
    const dir = await repoWith(baseFiles());
    const cycle = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(cycle.actions.length).toBe(3);
    const [one, two, three] = cycle.actions as [DreamJson['actions'][number], DreamJson['actions'][number], DreamJson['actions'][number]];

    // Newest first, as reverting a stack of changes goes. The first with reverie's trailers, written by hand.
    git(dir, ['revert', '--no-commit', three.commit!]);
    git(dir, ['commit', '-q', '-m', revertMessage(cycle.cycle, three.id, three.commit!)]);
    const byTrailers = git(dir, ['rev-parse', 'main']);
    const partly = cycleIn(dir, cycle.cycle);
    expect(partly).toMatchObject({ status: 'approved', partly_reverted: true, label: 'approved, 1 of 3 reverted', counts: { approved: 3, reverted: 1 } });
    expect(partly.actions.find((a) => a.id === three.id)).toMatchObject({ status: 'reverted', commit: three.commit, reverted_by: byTrailers });
    expect(reverie(['log', '--repo', dir]).stdout).toMatch(new RegExp(`${three.id} +${three.type} +reverted .*\\(reverted by ${byTrailers.slice(0, 7)}\\)`));

    git(dir, ['revert', '--no-edit', two.commit!]);
    git(dir, ['revert', '--no-edit', one.commit!]);
    const reverted = cycleIn(dir, cycle.cycle);
    expect(reverted).toMatchObject({ status: 'reverted', partly_reverted: false, label: 'reverted' });
    expect(reverted.actions.map((a) => a.status)).toEqual(['reverted', 'reverted', 'reverted']);
    expect(reverie(['log', '--repo', dir]).stdout).toContain(`cycle ${cycle.cycle}  reverted  `);
  });
});

describe('reverie stats', () => {
  it('counts proposed, approved, dropped and reverted actions per type, with the median time to revert', async () => {
    const dir = await repoWith(baseFiles());
    const approved = reverieJson<DreamJson>(['dream', '--repo', dir]);
    const update = approved.actions.find((a) => a.type === 'update')!;
    // Reverted two hours after it reached main.
    const landedAt = Number(git(dir, ['log', '-1', '--format=%ct', update.commit!]));
    git(dir, ['revert', '--no-commit', update.commit!]);
    git(dir, ['commit', '-q', '-m', revertMessage(approved.cycle, update.id, update.commit!)], { GIT_COMMITTER_DATE: `@${landedAt + 7200} +0000` });

    await commitFiles(dir, {
      'sessions/coding-agent/s5.jsonl': preferenceSession('s5', '2026-11-06T09:00:00Z', 'Never bump the major version without asking first.'),
      'sessions/review-agent/s6.jsonl': preferenceSession('s6', '2026-11-07T09:00:00Z', 'Please never bump a major version without asking me.'),
    });
    const rejected = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    expect(rejected.actions.map((a) => a.type)).toEqual(['add']);
    expect(reverie(['reject', rejected.cycle, '--repo', dir]).code).toBe(0);

    interface Row {
      type: string;
      proposed: number;
      approved: number;
      dropped: number;
      dropped_by: Record<string, number>;
      pending: number;
      reverted: number;
      median_seconds_to_revert: number | null;
    }
    const stats = reverieJson<{ cycles: number; types: Row[]; all: Row }>(['stats', '--repo', dir]);
    expect(stats.cycles).toBe(2);
    const byType = Object.fromEntries(stats.types.map((t) => [t.type, t]));
    expect(byType.update).toMatchObject({ proposed: 1, approved: 1, dropped: 0, reverted: 1, median_seconds_to_revert: 7200 });
    expect(byType.add).toMatchObject({ proposed: 2, approved: 1, dropped: 1, dropped_by: { left_out: 0, rejected: 1, no_longer_applied: 0 }, reverted: 0, median_seconds_to_revert: null });
    expect(byType.merge).toMatchObject({ proposed: 1, approved: 1, reverted: 0 });
    expect(stats.all).toMatchObject({ proposed: 4, approved: 3, dropped: 1, pending: 0, reverted: 1, median_seconds_to_revert: 7200 });

    const human = reverie(['stats', '--repo', dir]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^update\s+1\s+1\s+0\s+0\s+1\s+2 h$/m);
    expect(human.stdout).toMatch(/^all\s+4\s+3\s+1\s+0\s+1\s+2 h$/m);
  });
});

describe('reverie review', () => {
  it('lays out the pending cycle: each action with its rationale, diff and evidence, then how to decide', async () => {
    const hostile = 'Always write dates in ISO 8601 format in release notes.\x1b]0;owned\x07\x1b[2J';
    const dir = await repoWith(baseFiles({ 'sessions/coding-agent/s3.jsonl': preferenceSession('s3', '2026-11-04T09:00:00Z', hostile) }));
    const proposed = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);

    const review = reverie(['review', '--repo', dir]);
    expect(review.code, review.stderr).toBe(0);
    for (const action of proposed.actions) {
      expect(review.stdout).toContain(`${action.id}  ${action.type}  ${action.summary.slice(0, 30)}`);
    }
    expect(review.stdout).toContain('--- a/memory/notes.md');
    expect(review.stdout).toContain('+- Always write dates in ISO 8601');
    // The quote's escape sequences (a window title, a screen clear) are gone; its words are printed as data.
    expect(review.stdout).toMatch(/- s3 \(coding-agent, turn \d+\): "Always write dates in ISO 8601 format in release notes\."\n/);
    expect(review.stdout).not.toContain('\x1b');
    expect(review.stdout).not.toContain('\x07');
    expect(review.stdout).toContain(`reverie approve ${proposed.cycle}\n`);
    expect(review.stdout).toContain(`reverie approve ${proposed.cycle} --only `);
    expect(review.stdout).toContain(`reverie approve ${proposed.cycle} --except `);
    expect(review.stdout).toContain(`reverie reject ${proposed.cycle}`);

    interface ReviewJson {
      cycle: string;
      actions: { id: string; rationale: string; diff: string; evidence: { session_id: string; agent: string; quote: string }[] }[];
      commands: Record<string, string>;
    }
    const json = reverieJson<ReviewJson>(['review', proposed.cycle, '--repo', dir]);
    expect(json.cycle).toBe(proposed.cycle);
    expect(json.actions.map((a) => a.id)).toEqual(proposed.actions.map((a) => a.id));
    expect(json.actions.every((a) => a.rationale.length > 0 && a.diff.startsWith('--- a/memory/notes.md'))).toBe(true);
    // JSON keeps the quote as it was recorded: data, escaped by JSON itself.
    expect(json.actions.flatMap((a) => a.evidence).find((e) => e.session_id === 's3')?.quote).toContain('\x1b');
    expect(json.commands.approve).toBe(`reverie approve ${proposed.cycle}`);
  });

  it('asks which cycle when several wait, and says so when none does', async () => {
    const dir = await repoWith(baseFiles());
    const none = reverie(['review', '--repo', dir]);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('no cycle is waiting for review');

    const first = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    // A second pending cycle, as another runner could have pushed it: the same branch under the next cycle id.
    const other = `${first.cycle}-2`;
    git(dir, ['checkout', '-q', '-b', `reverie/dream-${other}`, first.branch]);
    const record = JSON.parse(git(dir, ['show', `${first.branch}:.reverie/cycles/${first.cycle}.json`])) as { cycle: string };
    await commitFiles(dir, { [`.reverie/cycles/${other}.json`]: `${JSON.stringify({ ...record, cycle: other })}\n` }, 'chore(reverie): record the second cycle');
    git(dir, ['checkout', '-q', 'main']);

    const several = reverie(['review', '--repo', dir]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain(`2 cycles are waiting for review: ${first.cycle} (3 actions), ${other} (3 actions)`);
    expect(reverie(['review', other, '--repo', dir]).stdout).toContain(`cycle ${other} on reverie/dream-${other}`);
  });
});
