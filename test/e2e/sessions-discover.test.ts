/**
 * `reverie sessions --discover` and `reverie sessions import` as a user runs them: HOME points at a temp folder
 * holding real logs in each agent's own layout, and the memory repository is a real one.
 */
import { readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODEX_LOG, GEMINI_LOG, populateHome } from '../helpers/agent-homes.js';
import { reverie, reverieJson } from '../helpers/cli.js';
import { TEST_CONFIG } from '../helpers/config.js';
import { git, makeTempDir, makeTempRepo, type TempRepo } from '../helpers/git.js';

interface Discovered {
  agents: { agent: string; folder: string; logs: number; bytes: number; newest: string | null; files: { path: string; project: string | null }[] }[];
}

interface Imported {
  dry_run: boolean;
  folder: string;
  copied: { from: string; to: string; bytes: number }[];
  skipped: { from: string; reason: string }[];
  bytes: number;
  commit: string | null;
}

describe('reverie sessions --discover and import', () => {
  let home: string;
  let repo: TempRepo;
  let env: Record<string, string>;
  beforeEach(async () => {
    home = await makeTempDir('reverie-home-');
    await populateHome(home);
    // The machine's own settings must not lead the test to its real logs.
    env = { HOME: home, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', GEMINI_CLI_HOME: '', COPILOT_HOME: '' };
    repo = await makeTempRepo({ 'reverie.yaml': TEST_CONFIG, 'memory/notes.md': '# Notes\n' });
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
    await repo.cleanup();
  });

  it('lists each agent’s log folder with its logs, their size, the newest and their projects', () => {
    const found = reverieJson<Discovered>(['sessions', '--discover'], { env });
    expect(found.code).toBe(0);
    expect(found.agents.map((a) => [a.agent, a.logs])).toEqual([
      ['claude-code', 2],
      ['codex', 1],
      ['gemini-cli', 1],
      ['copilot-cli', 1],
    ]);
    expect(found.agents[0]?.folder).toBe(path.join(home, '.claude', 'projects'));
    expect(found.agents.every((a) => a.bytes > 0 && a.newest !== null)).toBe(true);

    const human = reverie(['sessions', '--discover'], { env });
    expect(human.stdout).toContain('claude-code  ~/.claude/projects: 2 logs');
    expect(human.stdout).toContain('  /Users/chip/dev/ai-music');
    expect(human.stdout).toContain('project hash 1b37d21d2d34…');
    expect(human.stdout).toContain('5 logs of 4 agents');
  });

  it('narrows by agent, project and date, and says what it cannot take', async () => {
    expect(reverieJson<Discovered>(['sessions', '--discover', '--agent', 'codex,gemini-cli'], { env }).agents.map((a) => a.agent)).toEqual(['codex', 'gemini-cli']);
    const inProject = reverieJson<Discovered>(['sessions', '--discover', '--project', '/Users/jnarowski/Dev'], { env });
    expect(inProject.agents.map((a) => a.logs)).toEqual([0, 1, 0, 0]);
    const old = new Date('2025-01-01T00:00:00Z');
    await utimes(path.join(home, '.gemini/tmp', (await readdir(path.join(home, '.gemini/tmp')))[0] ?? '', 'chats', GEMINI_LOG), old, old);
    expect(reverieJson<Discovered>(['sessions', '--discover', '--since', '2026-01-01'], { env }).agents.map((a) => a.logs)).toEqual([2, 1, 0, 1]);

    const badDate = reverie(['sessions', '--discover', '--since', 'last tuesday'], { env });
    expect([badDate.code, badDate.stderr]).toEqual([2, expect.stringContaining('--since: "last tuesday" is not a date')]);
    const badAgent = reverie(['sessions', '--discover', '--agent', 'cursor'], { env });
    expect([badAgent.code, badAgent.stderr]).toEqual([2, expect.stringContaining('no known log folder for "cursor"')]);
    expect(reverie(['sessions', '--since', '2026-01-01'], { env, cwd: repo.dir }).code).toBe(2);
  });

  it('imports the logs redacted into the sessions folder, commits them only when asked, and never twice', async () => {
    const dry = reverieJson<Imported>(['sessions', 'import', '--repo', repo.dir, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.copied.length).toBe(5);
    expect(await readdir(repo.dir)).not.toContain('sessions');

    const imported = reverieJson<Imported>(['sessions', 'import', '--repo', repo.dir, '--commit'], { env });
    expect(imported.code).toBe(0);
    expect(imported.copied.map((c) => c.to).sort()).toEqual([
      'sessions/claude-code/agent-components.jsonl',
      'sessions/claude-code/fed8ce56-bc79-401f-a83e-af084253362f.jsonl',
      `sessions/codex/${CODEX_LOG}`,
      'sessions/copilot-cli/1afc31c8-d97f-4331-bae9-b6417f1b79a9.jsonl',
      `sessions/gemini-cli/${GEMINI_LOG}`,
    ]);
    expect(imported.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(repo.dir, ['log', '-1', '--format=%s'])).toBe('sessions: import 5 logs (claude-code 2, codex 1, gemini-cli 1, copilot-cli 1)');
    expect(git(repo.dir, ['status', '--porcelain'])).toBe('');
    expect(git(repo.dir, ['ls-files', 'sessions']).split('\n').length).toBe(5);

    // The copies are read by the configuration's own source, each in its own format.
    const listed = reverieJson<{ sessions: { format: string; agent: string }[] }>(['sessions', '--repo', repo.dir], { env });
    expect(new Set(listed.sessions.map((s) => `${s.format}/${s.agent}`))).toEqual(new Set(['claude-code/claude-code', 'codex/codex', 'gemini-cli/gemini-cli', 'copilot-cli/copilot-cli']));

    const again = reverie(['sessions', 'import', '--repo', repo.dir], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('copied 0 logs (0 B) into sessions/, skipped 5');
    expect(again.stdout).toContain('already imported, unchanged');
  });

  it('copies but does not commit when other changes are staged', async () => {
    await writeFile(path.join(repo.dir, 'memory/notes.md'), '# Notes\n\n- staged by hand\n');
    git(repo.dir, ['add', 'memory/notes.md']);
    const result = reverie(['sessions', 'import', '--repo', repo.dir, '--commit', '--agent', 'codex'], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('other changes are staged (memory/notes.md)');
    expect(await readdir(path.join(repo.dir, 'sessions/codex'))).toEqual([CODEX_LOG]);
    expect(git(repo.dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
  });

  it('says so when no sessions source is a folder inside the repository', async () => {
    const config = (await readFile(path.join(repo.dir, 'reverie.yaml'), 'utf8')).replace('  - path: sessions/**', '  - path: ~/.claude/projects\n  - path: logs/*.jsonl\n    format: claude-code');
    await writeFile(path.join(repo.dir, 'reverie.yaml'), config);
    const result = reverie(['sessions', 'import', '--repo', repo.dir], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('reverie.yaml has no sessions source to import into');
    expect(result.stderr).toContain('~/.claude/projects: outside the repository; logs/*.jsonl: read as claude-code only');
  });

  it('refuses a sessions folder that leads out of the repository through a link, writing nothing', async () => {
    const outside = await makeTempDir('reverie-outside-');
    try {
      await symlink(outside, path.join(repo.dir, 'logs'));
      const config = (await readFile(path.join(repo.dir, 'reverie.yaml'), 'utf8')).replace('  - path: sessions/**', '  - path: logs/**');
      await writeFile(path.join(repo.dir, 'reverie.yaml'), config);
      const result = reverie(['sessions', 'import', '--repo', repo.dir], { env });
      expect(result.code).toBe(6);
      expect(result.stderr).toContain('logs: a symbolic link on the way to the sessions folder');
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('documents the options in --help', () => {
    const help = reverie(['sessions', '--help']);
    expect(help.stdout).toContain('--discover');
    expect(help.stdout).toContain('import');
    const importHelp = reverie(['sessions', 'import', '--help']);
    for (const option of ['--agent', '--project', '--since', '--dry-run', '--commit', '--json']) expect(importHelp.stdout).toContain(option);
  });
});
