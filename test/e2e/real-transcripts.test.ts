/**
 * Robustness on real logs: the Claude Code transcripts in test/fixtures/claude-code (copied from public repositories,
 * see test/fixtures/SOURCES.md) go through the built CLI in a real repository, in auto and in review mode. Whatever the
 * heuristics make of them, a cycle must finish cleanly: one JSON object on stdout, every session counted, the protected
 * instructions untouched, a clean working tree and object store, and nothing new on a second run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_CONFIG } from '../helpers/config.js';
import { reverie } from '../helpers/cli.js';
import { git, makeTempRepo, type Files } from '../helpers/git.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/claude-code/', import.meta.url));

const CONFIG = TEST_CONFIG;

const INSTRUCTIONS = `# Instructions

- Never push to main directly; open a pull request.
- Install dependencies with \`npm install\`.
`;

const NOTES = `# Notes

## Tools

- Install dependencies with \`pnpm install\`.
- Run the tests with \`python -m pytest\`.
- The dev server listens on port 3000.
- Locally, the dev server listens on port 3000.

## Preferences

- Keep commits small.
`;

/** Every fixture transcript, in a folder per agent (the fixture's own folder), as the memory repo holds them. */
function transcripts(): Files {
  const files: Files = {};
  for (const agent of readdirSync(FIXTURES).sort()) {
    const folder = path.join(FIXTURES, agent);
    if (!statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).sort()) {
      if (name.endsWith('.jsonl')) files[`sessions/${agent}/${name}`] = readFileSync(path.join(folder, name), 'utf8');
    }
  }
  return files;
}

/**
 * Sessions in the transcripts, counted without the code under test: per file, the distinct `sessionId`s of its
 * user and assistant records (a file of only a `summary` record holds none).
 */
function countSessions(files: Files): number {
  let sessions = 0;
  for (const text of Object.values(files)) {
    const ids = new Set<string>();
    for (const line of (text ?? '').split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as { type?: string; sessionId?: string };
        if ((record.type === 'user' || record.type === 'assistant') && record.sessionId) ids.add(record.sessionId);
      } catch {
        // A damaged line is the reader's to report, not a session.
      }
    }
    sessions += ids.size;
  }
  return sessions;
}

interface DreamJson {
  cycle: string | null;
  branch: string | null;
  base: string;
  mode: string;
  merged: boolean;
  outcome: string;
  approval: string;
  actions: { id: string; type: string; paths: string[]; summary: string; commit: string | null; evidence: string[] }[];
  dropped: { id: string; reason: string }[];
  stats: { sessions: number; new_sessions: number; warnings: number };
  warnings: { file: string; line: number | null; message: string }[];
}

/** Runs `reverie dream --json` and checks the output contract: exit 0 and exactly one JSON object on stdout. */
function dream(dir: string, args: string[] = []): DreamJson {
  const run = reverie(['dream', '--repo', dir, '--json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  let parsed: unknown;
  expect(() => (parsed = JSON.parse(run.stdout)), `stdout is not one JSON value:\n${run.stdout}`).not.toThrow();
  expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), run.stdout).toBe(true);
  expect(run.stdout.trim().startsWith('{')).toBe(true);
  return parsed as DreamJson;
}

function fsck(dir: string): void {
  const run = spawnSync('git', ['fsck', '--full', '--strict', '--no-dangling'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  expect(run.status, `git fsck failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/error|warning|missing|broken|corrupt/i);
}

/** What a finished cycle must leave, whatever it decided. */
function checkRepository(dir: string, files: Files, result: DreamJson): void {
  expect(git(dir, ['status', '--porcelain'])).toBe('');
  fsck(dir);
  expect(readFileSync(path.join(dir, 'memory/instructions/CLAUDE.md'), 'utf8')).toBe(INSTRUCTIONS);
  for (const ref of ['main', ...(result.branch && !result.merged ? [result.branch] : [])]) {
    expect(git(dir, ['diff', '--name-only', result.base, ref, '--', 'memory/instructions']), ref).toBe('');
    expect(git(dir, ['diff', '--name-only', result.base, ref, '--', 'sessions', 'reverie.yaml']), ref).toBe('');
  }
  for (const action of result.actions) {
    expect(action.summary.trim()).not.toBe('');
    for (const p of action.paths) {
      expect(p.startsWith('memory/'), p).toBe(true);
      expect(p.startsWith('memory/instructions/'), p).toBe(false);
    }
  }
  // Warnings, if any, name a file of the repository (a log it could not fully read).
  for (const warning of result.warnings) {
    expect(warning.file, JSON.stringify(warning)).toMatch(/\S/);
    expect(files[warning.file] !== undefined || warning.file.startsWith('sessions/'), JSON.stringify(warning)).toBe(true);
    expect(warning.message).toMatch(/\S/);
  }
  expect(result.stats.warnings).toBe(result.warnings.length);
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

const logs = transcripts();
const FILES: Files = { 'reverie.yaml': CONFIG, 'memory/instructions/CLAUDE.md': INSTRUCTIONS, 'memory/notes.md': NOTES, ...logs };
const SESSIONS = countSessions(logs);

describe('reverie dream over real Claude Code transcripts', () => {
  it('the fixtures hold sessions from several agents', () => {
    expect(Object.keys(logs).length).toBeGreaterThanOrEqual(10);
    expect(new Set(Object.keys(logs).map((f) => f.split('/')[1])).size).toBeGreaterThanOrEqual(3);
    expect(SESSIONS).toBeGreaterThanOrEqual(8);
  });

  it('auto: reads every session, commits cleanly, and a second run says nothing new', async () => {
    const dir = await repoWith(FILES);
    const base = git(dir, ['rev-parse', 'main']);
    const result = dream(dir);
    expect(result.base).toBe(base);
    expect(result.mode).toBe('auto');
    expect(result.stats.sessions).toBe(SESSIONS);
    expect(result.stats.new_sessions).toBe(SESSIONS);
    expect(result.outcome, result.approval).toBe('committed');
    expect(result.merged, result.approval).toBe(true);
    checkRepository(dir, FILES, result);
    // main moved by one commit per action and the bookkeeping commit, which touches only .reverie/.
    expect(git(dir, ['rev-list', '--count', `${base}..main`])).toBe(String(result.actions.length + 1));
    expect(git(dir, ['show', '--name-only', '--format=', 'main']).split('\n').every((f) => f.startsWith('.reverie/'))).toBe(true);

    const main = git(dir, ['rev-parse', 'main']);
    const again = dream(dir);
    expect(again.outcome, JSON.stringify(again.actions)).toBe('nothing-new');
    expect(again.actions).toEqual([]);
    expect(again.stats).toMatchObject({ sessions: SESSIONS, new_sessions: 0 });
    expect(git(dir, ['rev-parse', 'main'])).toBe(main);
    expect(reverie(['dream', '--repo', dir]).stdout).toContain('nothing new');
    checkRepository(dir, FILES, again);
  });

  it('review: leaves main alone until approved, then a second run says nothing new', async () => {
    const dir = await repoWith(FILES);
    const base = git(dir, ['rev-parse', 'main']);
    const result = dream(dir, ['--mode', 'review']);
    expect(result.mode).toBe('review');
    expect(result.stats.sessions).toBe(SESSIONS);
    expect(result.stats.new_sessions).toBe(SESSIONS);
    expect(result.outcome, result.approval).toBe('committed');
    checkRepository(dir, FILES, result);
    if (result.actions.length > 0) {
      // Actions wait on their branch; main has not moved.
      expect(result.merged).toBe(false);
      expect(git(dir, ['rev-parse', 'main'])).toBe(base);
      const tip = git(dir, ['rev-parse', result.branch as string]);
      expect(git(dir, ['rev-list', '--count', `${base}..${tip}`])).toBe(String(result.actions.length + 1));
      const waiting = dream(dir, ['--mode', 'review']);
      expect(waiting.outcome).toBe('pending-review');
      const approved = reverie(['approve', result.cycle as string, '--repo', dir]);
      expect(approved.code, approved.stderr).toBe(0);
      expect(git(dir, ['rev-parse', 'main'])).toBe(tip);
    } else {
      // A cycle with nothing to review only records bookkeeping, which needs no approval.
      expect(result.merged).toBe(true);
    }
    expect(git(dir, ['status', '--porcelain'])).toBe('');
    fsck(dir);
    const again = dream(dir, ['--mode', 'review']);
    expect(again.outcome, JSON.stringify(again.actions)).toBe('nothing-new');
    expect(again.stats).toMatchObject({ sessions: SESSIONS, new_sessions: 0 });
    expect(readFileSync(path.join(dir, 'memory/instructions/CLAUDE.md'), 'utf8')).toBe(INSTRUCTIONS);
  });
});
