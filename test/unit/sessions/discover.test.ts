/**
 * Finding the logs agents keep on a machine: a home folder in a temp dir holding real logs (the fixtures) in each
 * agent's own layout.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLogs, placeOf } from '../../../src/sessions/discover.js';
import { CLAUDE_LOG, CODEX_LOG, COPILOT_SESSION, GEMINI_HASH, GEMINI_LOG, place, populateHome } from '../../helpers/agent-homes.js';
import { makeTempDir } from '../../helpers/git.js';

describe('discoverLogs', () => {
  let home: string;
  beforeEach(async () => {
    home = await makeTempDir('reverie-home-');
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('finds each agent’s logs in its usual folder, with the working directory each records', async () => {
    await populateHome(home);
    const agents = await discoverLogs({ home, env: {} });
    expect(agents.map((a) => a.agent)).toEqual(['claude-code', 'codex', 'gemini-cli', 'copilot-cli']);
    const claude = agents[0];
    expect(claude?.folder).toBe(path.join(home, '.claude/projects'));
    expect(claude?.logs.map((l) => l.relative)).toEqual([
      '-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl',
      '-path-to-Demo/fe5e1c67-53e7-4862-81ae-d0e013e3270b/subagents/agent-components.jsonl',
    ]);
    expect(claude?.logs[0]?.project).toBe('/Users/chip/dev/ai-music');
    expect(claude?.bytes).toBe(claude?.logs.reduce((n, l) => n + l.bytes, 0));
    expect(agents[1]?.logs[0]?.project).toBe('/Users/jnarowski/Dev/spectora/src/spectora-labs-monorepo-v2');
    expect(agents[2]?.logs[0]?.projectHash).toBe(GEMINI_HASH);
    expect(agents[3]?.logs[0]?.project).toBe('/home/entity/projects/EntityProcess/agentv__worktrees/dashboard-vercel-playground-ux');
    expect(agents.every((a) => a.newest !== undefined && a.logs.length > 0)).toBe(true);
  });

  it('leaves out an agent whose folder is missing, and files that are not its session logs', async () => {
    await place(home, `.codex/sessions/2025/09/25/${CODEX_LOG}`, `codex/agentcmd/${CODEX_LOG}`);
    await writeFile(path.join(home, '.codex/history.jsonl'), '{"session_id":"x","ts":1,"text":"hi"}\n');
    await mkdir(path.join(home, `.gemini/tmp/${GEMINI_HASH}`), { recursive: true });
    await writeFile(path.join(home, `.gemini/tmp/${GEMINI_HASH}/logs.json`), '[]');
    const agents = await discoverLogs({ home, env: {} });
    expect(agents.map((a) => [a.agent, a.logs.length])).toEqual([
      ['codex', 1],
      ['gemini-cli', 0],
    ]);
  });

  it('follows the variables that move each agent’s folder', async () => {
    const elsewhere = path.join(home, 'elsewhere');
    await place(elsewhere, `claude/projects/-Users-chip-dev-ai-music/${CLAUDE_LOG}`, `claude-code/-Users-chip-dev-ai-music/${CLAUDE_LOG}`);
    await place(elsewhere, `codex/sessions/2025/09/25/${CODEX_LOG}`, `codex/agentcmd/${CODEX_LOG}`);
    await place(elsewhere, `gemini/.gemini/tmp/${GEMINI_HASH}/chats/${GEMINI_LOG}`, `gemini-cli/${GEMINI_LOG}`);
    await place(elsewhere, `copilot/session-state/${COPILOT_SESSION}.jsonl`, 'copilot-cli/agentv/325365b92c-0.jsonl');
    const env = {
      CLAUDE_CONFIG_DIR: path.join(elsewhere, 'claude'),
      CODEX_HOME: path.join(elsewhere, 'codex'),
      GEMINI_CLI_HOME: path.join(elsewhere, 'gemini'),
      COPILOT_HOME: path.join(elsewhere, 'copilot'),
    };
    const agents = await discoverLogs({ home, env });
    expect(agents.map((a) => [a.agent, a.logs.length, a.folder.startsWith(elsewhere)])).toEqual([
      ['claude-code', 1, true],
      ['codex', 1, true],
      ['gemini-cli', 1, true],
      ['copilot-cli', 1, true],
    ]);
  });

  it('narrows to agents, to a project (the folder or inside it; Gemini CLI by its hash) and to a date', async () => {
    await populateHome(home);
    expect((await discoverLogs({ home, env: {}, agents: ['codex'] })).map((a) => a.agent)).toEqual(['codex']);

    const inChip = await discoverLogs({ home, env: {}, project: '/Users/chip' });
    expect(inChip.map((a) => [a.agent, a.logs.length])).toEqual([
      ['claude-code', 1],
      ['codex', 0],
      ['gemini-cli', 0],
      ['copilot-cli', 0],
    ]);
    // A sibling whose name starts the same is not inside.
    expect((await discoverLogs({ home, env: {}, project: '/Users/chi', agents: ['claude-code'] }))[0]?.logs).toEqual([]);

    // Gemini CLI's project is the sha256 of its path: the fixture's is not known, so one is made for a folder.
    const project = path.join(home, 'work', 'app');
    const hash = createHash('sha256').update(project).digest('hex');
    await place(home, `.gemini/tmp/${hash}/chats/${GEMINI_LOG}`, `gemini-cli/${GEMINI_LOG}`);
    const file = path.join(home, `.gemini/tmp/${hash}/chats/${GEMINI_LOG}`);
    const text = (await readFile(file, 'utf8')).replace(GEMINI_HASH, hash);
    await writeFile(file, text);
    const gemini = await discoverLogs({ home, env: {}, project, agents: ['gemini-cli'] });
    expect(gemini[0]?.logs.map((l) => l.projectHash)).toEqual([hash]);

    const old = new Date('2025-01-01T00:00:00Z');
    await utimes(path.join(home, '.codex/sessions/2025/09/25', CODEX_LOG), old, old);
    const recent = await discoverLogs({ home, env: {}, since: new Date('2026-01-01T00:00:00Z'), agents: ['codex', 'claude-code'] });
    expect(recent.map((a) => [a.agent, a.logs.length])).toEqual([
      ['claude-code', 2],
      ['codex', 0],
    ]);
  });

  it('finds aider and SpecStory logs in the project --project names', async () => {
    const project = path.join(home, 'app');
    await place(project, '.aider.chat.history.md', 'aider/chat-history.SESSIONS-EXCERPT.md');
    await place(project, '.specstory/history/2026-01-16_16-46-41Z.md', 'specstory/2026-01-16_16-46-41Z.md');
    expect((await discoverLogs({ home, env: {} })).map((a) => a.agent)).toEqual([]);
    const agents = await discoverLogs({ home, env: {}, project });
    expect(agents.map((a) => [a.agent, a.logs.length])).toEqual([
      ['aider', 1],
      ['specstory', 1],
    ]);
    expect(placeOf('aider')?.importName('.aider.chat.history.md', project)).toBe('app.aider.chat.history.md');
    expect(placeOf('copilot-cli')?.importName(`${COPILOT_SESSION}/events.jsonl`, '')).toBe(`${COPILOT_SESSION}.jsonl`);
  });

  it('does not follow a symbolic link out of an agent’s folder', async () => {
    const outside = path.join(home, 'outside');
    await place(outside, `p/${CLAUDE_LOG}`, `claude-code/-Users-chip-dev-ai-music/${CLAUDE_LOG}`);
    await mkdir(path.join(home, '.claude/projects/-real'), { recursive: true });
    await symlink(path.join(outside, 'p'), path.join(home, '.claude/projects/linked'));
    await symlink(path.join(outside, 'p', CLAUDE_LOG), path.join(home, '.claude/projects/-real/linked.jsonl'));
    const agents = await discoverLogs({ home, env: {} });
    expect(agents.map((a) => [a.agent, a.logs.length])).toEqual([['claude-code', 0]]);
  });
});
