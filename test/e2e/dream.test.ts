import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../helpers/config.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { commitFiles, git, makeMemoryRepo, makeTempRepo, type Files } from '../helpers/git.js';
import { npmMistakeSession, transcript } from '../helpers/transcript.js';

const CONFIG = TEST_CONFIG;

const NOTES = `# Notes

## Tools

- Install dependencies with \`npm install\`.
- The pricing service listens on port 8081.
- Pricing svc port is 8081 (local dev).

## Preferences
`;

const INSTRUCTIONS = `# Instructions

- Never push to main directly; open a pull request.
`;

function preferenceSession(id: string, start: string, sentence: string): string {
  return transcript({ sessionId: id, start }, [
    { user: 'Write the release notes for 2.3.' },
    { assistant: 'Here is a draft.' },
    { user: sentence },
    { assistant: 'Understood, updated.' },
  ]);
}

function baseFiles(extra: Files = {}): Files {
  return {
    'reverie.yaml': CONFIG,
    'memory/notes.md': NOTES,
    'memory/instructions/CLAUDE.md': INSTRUCTIONS,
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

async function repoWith(files: Files) {
  const repo = await makeMemoryRepo(files);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

interface DreamJson {
  cycle: string | null;
  branch: string | null;
  base: string;
  mode: string;
  merged: boolean;
  outcome: string;
  actions: { id: string; type: string; paths: string[]; summary: string; commit: string | null; evidence: string[] }[];
  stats: { sessions: number; new_sessions: number; patterns: number; noise: number };
  dropped: { reason: string }[];
}

describe('reverie dream (auto)', () => {
  it('commits one action per commit on a dream branch and fast-forwards main', async () => {
    const dir = await repoWith(baseFiles());
    const before = git(dir, ['rev-parse', 'main']);
    const result = reverieJson<DreamJson>(['dream', '--repo', dir]);

    expect(result.code).toBe(0);
    expect(result.base).toBe(before);
    expect(result.mode).toBe('auto');
    expect(result.merged).toBe(true);
    expect(result.branch).toMatch(/^reverie\/dream-\d{8}-\d{6}$/);
    expect(result.stats).toMatchObject({ sessions: 4, new_sessions: 4 });
    const types = result.actions.map((a) => a.type).sort();
    expect(types).toEqual(expect.arrayContaining(['add', 'merge']));

    // main = base + one commit per action + the state commit, each action's commit on main.
    const log = git(dir, ['log', '--format=%H %s', `${before}..main`]).split('\n').reverse();
    expect(log).toHaveLength(result.actions.length + 1);
    result.actions.forEach((action, i) => {
      expect(log[i]?.startsWith(action.commit ?? 'missing')).toBe(true);
      const message = git(dir, ['log', '-1', '--format=%B', action.commit as string]);
      expect(message.split('\n')[0]).toMatch(new RegExp(`^${action.type}\\(memory/[^)]+\\): .+`));
      const trailers = git(dir, ['log', '-1', '--format=%(trailers:only,unfold)', action.commit as string]);
      expect(trailers).toContain(`Reverie-Cycle: ${result.cycle}`);
      expect(trailers).toContain(`Reverie-Action: ${action.type}`);
      expect(trailers).toContain('Reverie-Engine: heuristic');
      expect(trailers).toMatch(/Reverie-Evidence: .+/);
    });
    expect(log[log.length - 1]).toMatch(/chore\(reverie\): record cycle/);
    // The bookkeeping commit touches only .reverie/.
    const stateFiles = git(dir, ['show', '--name-only', '--format=', 'main']).split('\n');
    expect(stateFiles.every((f) => f.startsWith('.reverie/'))).toBe(true);

    // The working tree follows main, and git sees it clean.
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    const notes = readFileSync(path.join(dir, 'memory/notes.md'), 'utf8');
    expect(notes).toContain('pnpm install');
    expect(notes.match(/8081/g)).toHaveLength(1);
    // The protected file is untouched.
    expect(readFileSync(path.join(dir, 'memory/instructions/CLAUDE.md'), 'utf8')).toBe(INSTRUCTIONS);
    // The merged branch is gone; main holds its commits.
    expect(git(dir, ['branch', '--list', 'reverie/*'])).toBe('');
  });

  it('says "nothing new" on a second run over the same sessions and leaves main alone', async () => {
    const dir = await repoWith(baseFiles());
    expect(reverie(['dream', '--repo', dir]).code).toBe(0);
    const main = git(dir, ['rev-parse', 'main']);
    const again = reverie(['dream', '--repo', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing new');
    const json = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(json.outcome).toBe('nothing-new');
    expect(json.actions).toEqual([]);
    expect(json.stats.new_sessions).toBe(0);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
  });

  it('grows support across cycles: a pattern seen once, then again in a later cycle, is promoted', async () => {
    const dir = await repoWith({ ...baseFiles(), 'sessions/review-agent/s2.jsonl': null, 'sessions/review-agent/s4.jsonl': null });
    const first = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(first.actions.filter((a) => a.type === 'add')).toEqual([]);
    await commitFiles(dir, { 'sessions/review-agent/s2.jsonl': npmMistakeSession('s2', '2026-11-03T09:00:00Z', 'fix the flaky cart test') });
    const second = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(second.stats.new_sessions).toBe(1);
    const npm = second.actions.find((a) => a.summary.includes('npm') || a.summary.includes('Install'));
    expect(npm, JSON.stringify(second.actions)).toBeDefined();
    expect(npm?.evidence.sort()).toEqual(['s1', 's2']);
  });
});

describe('reverie dream (review), approve and reject', () => {
  it('leaves main alone, then approve fast-forwards it', async () => {
    const dir = await repoWith(baseFiles());
    const main = git(dir, ['rev-parse', 'main']);
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    expect(result.merged).toBe(false);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    const tip = git(dir, ['rev-parse', result.branch as string]);

    const blocked = reverie(['dream', '--repo', dir, '--mode', 'review']);
    expect(blocked.code).toBe(0);
    expect(blocked.stdout).toContain(`${result.cycle} is waiting for review`);

    const approved = reverie(['approve', result.cycle as string, '--repo', dir]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(git(dir, ['rev-parse', 'main'])).toBe(tip);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    expect(reverie(['dream', '--repo', dir]).stdout).toContain('nothing new');
  });

  it('approve --except leaves one action out, replays the rest, and remembers the one left out', async () => {
    const dir = await repoWith(baseFiles());
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    expect(result.actions.length).toBeGreaterThan(1);
    const [left, ...kept] = result.actions as [DreamJson['actions'][number], ...DreamJson['actions']];
    const unknown = reverie(['approve', result.cycle as string, '--only', 'deadbeef', '--repo', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no action deadbeef');

    const approved = reverieJson<{ actions: { id: string; commit: string }[] }>(['approve', result.cycle as string, '--except', left.id, '--repo', dir]);
    expect(approved.code).toBe(0);
    expect(approved.actions.map((a) => a.id)).toEqual(kept.map((a) => a.id));
    const subjects = git(dir, ['log', '--format=%s', `${result.base}..main`]);
    expect(subjects).not.toContain(left.summary.slice(0, 30));
    expect(git(dir, ['status', '--porcelain'])).toBe('');

    const log = reverieJson<{ cycles: { cycle: string; actions: { id: string; status: string }[] }[] }>(['log', '--repo', dir]);
    const statuses = Object.fromEntries(log.cycles[0]?.actions.map((a) => [a.id, a.status]) ?? []);
    expect(statuses[left.id]).toBe('rejected');
    expect(kept.every((a) => statuses[a.id] === 'applied')).toBe(true);

    await commitFiles(dir, { 'sessions/coding-agent/s5.jsonl': npmMistakeSession('s5', '2026-11-06T09:00:00Z', 'bump the stripe sdk') });
    const later = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'dry-run']);
    expect(later.actions.map((a) => a.id)).not.toContain(left.id);
  });

  it('drop rebuilds the waiting branch without an action, keep brings it back, and approve takes the drop as a rejection', async () => {
    const dir = await repoWith(baseFiles());
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const branch = result.branch as string;
    const [first, second] = result.actions as [DreamJson['actions'][number], DreamJson['actions'][number]];
    const before = git(dir, ['log', '--format=%s', `main..${branch}`]).split('\n');

    const unknown = reverie(['drop', result.cycle as string, 'deadbeef', '--repo', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`cycle ${result.cycle} has no action deadbeef`);
    const dropped = reverieJson<{ changed: boolean; dropped: string[]; remaining: string[] }>(['drop', result.cycle as string, second.id, '--json', '--repo', dir]);
    expect(dropped).toMatchObject({ changed: true, dropped: [second.id] });
    const after = git(dir, ['log', '--format=%s', `main..${branch}`]).split('\n');
    expect(after).toHaveLength(before.length - 1);
    const status = reverieJson<{ cycles: { cycle: string; actions: { id: string; status: string }[] }[] }>(['log', '--repo', dir]);
    expect(status.cycles[0]?.actions.find((a) => a.id === second.id)?.status).toBe('rejected');
    expect(reverie(['drop', result.cycle as string, second.id, '--repo', dir]).stdout).toContain(`${second.id} is dropped already`);

    const kept = reverie(['keep', result.cycle as string, second.id, '--repo', dir]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(git(dir, ['log', '--format=%s', `main..${branch}`]).split('\n')).toEqual(before);

    reverie(['drop', result.cycle as string, `${second.id},${first.id}`, '--repo', dir]);
    // main moves meanwhile: approval replays the branch's actions, and only those, on it.
    await commitFiles(dir, { 'memory/other.md': '# Other\n\n- Deploys go out on Tuesdays.\n' });
    const approved = reverie(['approve', result.cycle as string, '--repo', dir]);
    expect(approved.code, approved.stderr).toBe(0);
    const log = reverieJson<{ cycles: { cycle: string; actions: { id: string; status: string }[] }[] }>(['log', '--repo', dir]);
    const statuses = Object.fromEntries(log.cycles[0]?.actions.map((a) => [a.id, a.status]) ?? []);
    expect(statuses[first.id]).toBe('rejected');
    expect(statuses[second.id]).toBe('rejected');
    expect(Object.values(statuses).filter((s) => s === 'applied')).toHaveLength(result.actions.length - 2);
    expect(git(dir, ['log', '--format=%s', 'main']).split('\n').filter((s) => s.includes(second.summary.slice(0, 30)))).toEqual([]);
    await commitFiles(dir, { 'sessions/coding-agent/s5.jsonl': npmMistakeSession('s5', '2026-11-06T09:00:00Z', 'bump the stripe sdk') });
    const later = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'dry-run']);
    expect(later.actions.map((a) => a.id)).not.toContain(second.id);
  });

  it('reject remembers the actions: a later cycle with more evidence does not propose them again', async () => {
    const dir = await repoWith(baseFiles());
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const main = git(dir, ['rev-parse', 'main']);
    const rejected = reverie(['reject', result.cycle as string, '--reason', 'not now', '--repo', dir]);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(git(dir, ['branch', '--list', 'reverie/*'])).toBe('');
    // main moved by one bookkeeping commit that touches only .reverie/.
    expect(git(dir, ['rev-parse', 'main~1'])).toBe(main);
    expect(git(dir, ['diff', '--name-only', main, 'main']).split('\n').every((f) => f.startsWith('.reverie/'))).toBe(true);

    await commitFiles(dir, { 'sessions/coding-agent/s5.jsonl': npmMistakeSession('s5', '2026-11-06T09:00:00Z', 'bump the stripe sdk') });
    const later = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const proposedAgain = later.actions.filter((a) => result.actions.some((r) => r.id === a.id));
    expect(proposedAgain).toEqual([]);

    const log = reverieJson<{ cycles: { cycle: string; status: string; reason?: string }[] }>(['log', '--repo', dir]);
    expect(log.cycles.find((c) => c.cycle === result.cycle)).toMatchObject({ status: 'rejected', reason: 'not now' });
  });

  it('replays on a main that moved, and reports the action that no longer applies', async () => {
    const dir = await repoWith(baseFiles());
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const merge = result.actions.find((a) => a.type === 'merge');
    expect(merge).toBeDefined();
    // Someone edits one of the merged entries on main meanwhile.
    await commitFiles(dir, { 'memory/notes.md': NOTES.replace('Pricing svc port is 8081 (local dev).', 'Pricing svc port is 8081 in local dev and 443 behind the proxy.') }, 'docs: proxy port');
    const moved = git(dir, ['rev-parse', 'main']);
    const approved = reverieJson<{ actions: { id: string }[]; dropped: { id: string; reason: string }[] }>(['approve', result.cycle as string, '--repo', dir]);
    expect(approved.code).toBe(0);
    expect(approved.dropped.map((d) => d.id)).toContain(merge?.id);
    expect(approved.actions.map((a) => a.id)).not.toContain(merge?.id);
    expect(git(dir, ['merge-base', '--is-ancestor', moved, 'main'])).toBe('');
    expect(readFileSync(path.join(dir, 'memory/notes.md'), 'utf8')).toContain('443 behind the proxy');
  });
});

describe('approve, reject and revert --dry-run', () => {
  it('approve --dry-run on a main that moved names the action that would no longer apply, as approve then drops it', async () => {
    const dir = await repoWith(baseFiles());
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const merge = result.actions.find((a) => a.type === 'merge')!;
    await commitFiles(dir, { 'memory/notes.md': NOTES.replace('Pricing svc port is 8081 (local dev).', 'Pricing svc port is 8081 in local dev and 443 behind the proxy.') }, 'docs: proxy port');
    const refs = git(dir, ['for-each-ref']);
    const objects = git(dir, ['count-objects']);
    const dry = reverieJson<{ refs: { branch: string; change: string }[]; commits: string[]; notes: string[]; github: string[] }>(['approve', result.cycle as string, '--dry-run', '--repo', dir]);
    expect(dry.code).toBe(0);
    expect(dry.refs.map((r) => `${r.branch} ${r.change}`)).toEqual(['main new-commits', `${result.branch} delete`]);
    expect(dry.notes).toEqual([expect.stringMatching(new RegExp(`^merge ${merge.id} would be dropped: merge ${merge.id} no longer applies`))]);
    expect(dry.github).toEqual([]);
    expect(git(dir, ['for-each-ref'])).toBe(refs);
    expect(git(dir, ['count-objects'])).toBe(objects);
    const moved = git(dir, ['rev-parse', 'main']);
    const approved = reverieJson<{ actions: { id: string }[]; dropped: { id: string }[] }>(['approve', result.cycle as string, '--repo', dir]);
    expect(approved.dropped.map((d) => d.id)).toEqual([merge.id]);
    // The commits it named are the ones approve wrote.
    expect(git(dir, ['log', '--reverse', '--format=%s', `${moved}..main`]).split('\n')).toEqual(dry.commits);
  });

  it('reject and revert --dry-run write nothing here either', async () => {
    const dir = await repoWith(baseFiles());
    const result = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const refs = git(dir, ['for-each-ref']);
    const rejected = reverie(['reject', result.cycle as string, '--dry-run', '--repo', dir]);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toContain(`dry run: nothing written; reverie reject ${result.cycle} would`);
    expect(git(dir, ['for-each-ref'])).toBe(refs);
    reverie(['approve', result.cycle as string, '--repo', dir]);
    const after = git(dir, ['for-each-ref']);
    const reverted = reverieJson<{ commits: string[] }>(['revert', result.cycle as string, '--dry-run', '--repo', dir]);
    expect(reverted.code).toBe(0);
    expect(reverted.commits).toHaveLength(result.actions.length);
    expect(git(dir, ['for-each-ref'])).toBe(after);
    const main = git(dir, ['rev-parse', 'main']);
    reverie(['revert', result.cycle as string, '--repo', dir]);
    expect(git(dir, ['log', '--reverse', '--format=%s', `${main}..main`]).split('\n')).toEqual(reverted.commits);
  });
});

describe('reverie dream: safety and failures', () => {
  it('dry-run prints a diff and writes nothing', async () => {
    const dir = await repoWith(baseFiles());
    const refs = git(dir, ['show-ref']);
    const result = reverie(['dream', '--repo', dir, '--mode', 'dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('--- a/memory/notes.md');
    expect(result.stdout).toContain('+++ b/memory/notes.md');
    expect(git(dir, ['show-ref'])).toBe(refs);
    expect(existsSync(path.join(dir, '.reverie'))).toBe(false);
  });

  it('refuses a second cycle while one holds the lock, and names the holder', async () => {
    const dir = await repoWith(baseFiles());
    const { writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    writeFileSync(path.join(dir, '.git/reverie.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose: 'dream' }));
    const main = git(dir, ['rev-parse', 'main']);
    const result = reverie(['dream', '--repo', dir]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/lock/i);
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
  });

  it('rejects a bad config with the file, line and key, and changes nothing', async () => {
    const dir = await repoWith(baseFiles({ 'reverie.yaml': CONFIG.replace('min_sessions: 2', 'min_sessions: two') }));
    const main = git(dir, ['rev-parse', 'main']);
    const result = reverie(['dream', '--repo', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reverie.yaml:16');
    expect(result.stderr).toContain('extract.min_sessions');
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    expect(git(dir, ['branch', '--list', 'reverie/*'])).toBe('');
  });

  it('skips and counts a corrupt log line, and reads the rest', async () => {
    const session = npmMistakeSession('s2', '2026-11-03T09:00:00Z').split('\n');
    session.splice(2, 0, '{"type":"user", "message": {oops');
    const dir = await repoWith(baseFiles({ 'sessions/review-agent/s2.jsonl': session.join('\n') }));
    const result = reverieJson<DreamJson & { warnings: { file: string; line: number | null }[] }>(['dream', '--repo', dir]);
    expect(result.code).toBe(0);
    expect(result.warnings).toEqual([expect.objectContaining({ file: expect.stringContaining('s2.jsonl'), line: 3 })]);
    expect(result.stats).toMatchObject({ new_sessions: 4 });
  });

  it('never writes a protected namespace, even when sessions contradict it', async () => {
    const dir = await repoWith(
      baseFiles({ 'memory/instructions/CLAUDE.md': `${INSTRUCTIONS}- Install dependencies with \`npm install\`.\n` }),
    );
    const result = reverieJson<DreamJson>(['dream', '--repo', dir]);
    expect(result.code).toBe(0);
    for (const action of result.actions) expect(action.paths.some((p) => p.startsWith('memory/instructions/'))).toBe(false);
    expect(git(dir, ['diff', '--stat', result.base, 'main', '--', 'memory/instructions'])).toBe('');
  });

  it('keeps secrets from logs out of commits', async () => {
    const leaky = transcript({ sessionId: 's9', start: '2026-11-07T09:00:00Z' }, [
      { user: 'Deploy the preview.' },
      { bash: 'npm install', output: 'npm error Unsupported URL Type "workspace:": workspace:* ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ', error: true },
      { bash: 'pnpm install', output: 'done' },
    ]);
    const dir = await repoWith(baseFiles({ 'sessions/coding-agent/s9.jsonl': leaky }));
    const base = git(dir, ['rev-parse', 'main']);
    expect(reverie(['dream', '--repo', dir]).code).toBe(0);
    const everything = git(dir, ['log', '-p', '--format=%B', `${base}..main`]);
    expect(everything).toContain('Unsupported URL Type');
    expect(everything).not.toContain('sk-ant-api03-abcdefghijklmnopqrstuvwxyz');
  });
});

describe('reverie init, log and status', () => {
  it('init makes a memory repo and is idempotent', async () => {
    const { makeTempDir } = await import('../helpers/git.js');
    const dir = path.join(await makeTempDir(), 'memory-repo');
    const first = reverie(['init', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'reverie.yaml'))).toBe(true);
    expect(existsSync(path.join(dir, 'memory/instructions'))).toBe(true);
    expect(git(dir, ['log', '--format=%s'])).toContain('initialise');
    const head = git(dir, ['rev-parse', 'HEAD']);
    const second = reverie(['init', dir]);
    expect(second.stdout).toContain('nothing changed');
    expect(git(dir, ['rev-parse', 'HEAD'])).toBe(head);
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    expect(reverie(['dream', '--repo', dir]).code).toBe(0);
  });

  it('init in an existing repository keeps its main branch name and does not commit', async () => {
    const repo = await makeTempRepo({ 'README.md': '# agent\n' });
    cleanups.push(repo.cleanup);
    git(repo.dir, ['branch', '-m', 'trunk']);
    expect(reverie(['init', repo.dir]).code).toBe(0);
    expect(readFileSync(path.join(repo.dir, 'reverie.yaml'), 'utf8')).toContain('main: trunk');
    expect(git(repo.dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
  });

  it('log lists cycles newest first with their actions; status shows waiting sessions and pending cycles', async () => {
    const dir = await repoWith(baseFiles());
    const first = reverieJson<DreamJson>(['dream', '--repo', dir]);
    await commitFiles(dir, {
      'sessions/coding-agent/s5.jsonl': preferenceSession('s5', '2026-11-06T09:00:00Z', 'Never bump the major version without asking first.'),
      'sessions/review-agent/s6.jsonl': preferenceSession('s6', '2026-11-07T09:00:00Z', 'Please never bump a major version without asking me.'),
    });
    const status = reverieJson<{ sessions_waiting: number; pending: unknown[] }>(['status', '--repo', dir]);
    expect(status).toMatchObject({ sessions_waiting: 2, pending: [] });
    const second = reverieJson<DreamJson>(['dream', '--repo', dir, '--mode', 'review']);
    const log = reverieJson<{ cycles: { cycle: string; status: string; actions: { id: string; commit: string | null }[] }[] }>(['log', '--repo', dir]);
    expect(log.cycles.map((c) => c.cycle)).toEqual([second.cycle, first.cycle]);
    expect(log.cycles[1]?.status).toBe('approved');
    expect(log.cycles[1]?.actions.map((a) => a.commit)).toEqual(first.actions.map((a) => a.commit));
    const human = reverie(['status', '--repo', dir]);
    expect(human.stdout).toContain(second.branch as string);
  });
});
