/**
 * Importing agents' logs into a sessions folder: real logs (the fixtures) with a planted secret, copied, read back
 * with the readers, de-duplicated by content, and never written anywhere but the sessions folder.
 */
import { appendFile, copyFile, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnsafePathError } from '../../../src/errors.js';
import { importLogs, redactLog } from '../../../src/sessions/import.js';
import { readSessionFile } from '../../../src/sessions/load.js';
import type { Session } from '../../../src/sessions/types.js';
import { CLAUDE_LOG, CODEX_LOG, COPILOT_SESSION, FIXTURES, GEMINI_LOG } from '../../helpers/agent-homes.js';
import { makeTempDir } from '../../helpers/git.js';

/** A token of GitHub's shape, made here so that no scanner takes the test for a leak. */
const TOKEN = `ghp_${'x7Kq2Lm9'.repeat(4)}abcd`;

/** What a reader makes of a log, without where it sits (the copy is elsewhere, under its agent's folder). */
async function sessionsOf(file: string): Promise<Omit<Session, 'source' | 'hash' | 'agent'>[]> {
  const { sessions } = await readSessionFile({ path: file, display: file, format: 'auto' });
  return sessions.map(({ source: _s, hash: _h, agent: _a, ...rest }) => rest);
}

describe('importLogs', () => {
  let dir: string;
  let repo: string;
  let logs: string;
  beforeEach(async () => {
    dir = await makeTempDir('reverie-import-');
    repo = path.join(dir, 'repo');
    logs = path.join(dir, 'logs');
    await mkdir(repo);
    await mkdir(logs);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of a fixture in the logs folder, with `edit` applied to its text. */
  async function log(fixture: string, name: string, edit: (text: string) => string = (t) => t): Promise<string> {
    const file = path.join(logs, name);
    await writeFile(file, edit(await readFile(path.join(FIXTURES, fixture), 'utf8')));
    return file;
  }

  it('writes each log redacted, in a form its reader reads back to the same sessions', async () => {
    const claude = await log(`claude-code/-Users-chip-dev-ai-music/${CLAUDE_LOG}`, CLAUDE_LOG, (t) => t.replace('"push to github"', `"push to github with ${TOKEN}"`));
    const gemini = await log(`gemini-cli/${GEMINI_LOG}`, GEMINI_LOG, (t) => t.replace('Can you make me an ai agent', `My token is ${TOKEN}. Can you make me an ai agent`));
    const codex = await log(`codex/agentcmd/${CODEX_LOG}`, CODEX_LOG);
    const copilot = await log('copilot-cli/agentv/325365b92c-0.jsonl', 'events.jsonl');
    expect((await readFile(claude, 'utf8')).includes(TOKEN) && (await readFile(gemini, 'utf8')).includes(TOKEN)).toBe(true);

    const result = await importLogs({
      repoDir: repo,
      folder: 'sessions',
      logs: [
        { path: claude, agent: 'claude-code', name: CLAUDE_LOG },
        { path: gemini, agent: 'gemini-cli', name: GEMINI_LOG },
        { path: codex, agent: 'codex', name: CODEX_LOG },
        { path: copilot, agent: 'copilot-cli', name: `${COPILOT_SESSION}.jsonl` },
      ],
    });
    expect(result.skipped).toEqual([]);
    expect(result.copied.map((c) => [c.to, c.redacted, c.sessions])).toEqual([
      [`sessions/claude-code/${CLAUDE_LOG}`, 1, 1],
      [`sessions/gemini-cli/${GEMINI_LOG}`, 1, 1],
      [`sessions/codex/${CODEX_LOG}`, 0, 1],
      [`sessions/copilot-cli/${COPILOT_SESSION}.jsonl`, 0, 1],
    ]);
    expect(result.bytes).toBe(result.copied.reduce((n, c) => n + c.bytes, 0));
    for (const [from, to] of [
      [claude, `claude-code/${CLAUDE_LOG}`],
      [gemini, `gemini-cli/${GEMINI_LOG}`],
      [codex, `codex/${CODEX_LOG}`],
      [copilot, `copilot-cli/${COPILOT_SESSION}.jsonl`],
    ] as const) {
      const copy = path.join(repo, 'sessions', to);
      const text = await readFile(copy, 'utf8');
      expect(text).not.toContain(TOKEN);
      const [original, copied] = await Promise.all([sessionsOf(from), sessionsOf(copy)]);
      expect(copied.length).toBeGreaterThan(0);
      expect(copied).toEqual(original);
    }
    // The Gemini CLI document stays indented as it was, so that detection still sees its first keys.
    expect((await readFile(path.join(repo, 'sessions/gemini-cli', GEMINI_LOG), 'utf8')).split('\n').slice(0, 2)).toEqual(['{', expect.stringMatching(/^ {2}"sessionId"/)]);
    // A log with nothing to redact is copied byte for byte.
    expect(await readFile(path.join(repo, 'sessions/codex', CODEX_LOG))).toEqual(await readFile(codex));
  });

  it('does not copy a log already in the sessions folder, under any name; a grown log replaces its copy', async () => {
    const claude = await log(`claude-code/-Users-chip-dev-ai-music/${CLAUDE_LOG}`, CLAUDE_LOG);
    await mkdir(path.join(repo, 'sessions/by-hand'), { recursive: true });
    await copyFile(claude, path.join(repo, 'sessions/by-hand/copied-earlier.jsonl'));
    const codex = await log(`codex/agentcmd/${CODEX_LOG}`, CODEX_LOG);
    const both = [
      { path: claude, agent: 'claude-code', name: CLAUDE_LOG },
      { path: codex, agent: 'codex', name: CODEX_LOG },
    ];
    const first = await importLogs({ repoDir: repo, folder: 'sessions', logs: both });
    expect(first.skipped).toEqual([{ from: claude, to: `sessions/claude-code/${CLAUDE_LOG}`, reason: 'already in the sessions folder as sessions/by-hand/copied-earlier.jsonl' }]);
    expect(first.copied.map((c) => c.to)).toEqual([`sessions/codex/${CODEX_LOG}`]);

    const again = await importLogs({ repoDir: repo, folder: 'sessions', logs: both });
    expect(again.copied).toEqual([]);
    expect(again.skipped.map((s) => s.reason)).toEqual(['already in the sessions folder as sessions/by-hand/copied-earlier.jsonl', 'already imported, unchanged']);

    const line = (await readFile(codex, 'utf8')).trimEnd().split('\n').pop() ?? '';
    await appendFile(codex, `${line}\n`);
    const grown = await importLogs({ repoDir: repo, folder: 'sessions', logs: both });
    expect(grown.copied.map((c) => [c.to, c.replaced])).toEqual([[`sessions/codex/${CODEX_LOG}`, 'grown']]);
    expect(await readFile(path.join(repo, 'sessions/codex', CODEX_LOG))).toEqual(await readFile(codex));
    expect(await readdir(path.join(repo, 'sessions/codex'))).toEqual([CODEX_LOG]);

    // A log cut shorter than its copy does not replace what the copy holds.
    const full = await readFile(codex, 'utf8');
    await writeFile(codex, full.slice(0, full.indexOf('\n') + 1));
    const cut = await importLogs({ repoDir: repo, folder: 'sessions', logs: both });
    expect(cut.copied).toEqual([]);
    expect(cut.skipped[1]?.reason).toBe('the copy already there holds more of this log than the log itself');
  });

  it('does not copy a log whose copy gives no session, saying why', async () => {
    const summaries = await log('claude-code/-Users-chip-dev-ai-music/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl', 'ff71dbed.jsonl');
    const notLog = path.join(logs, 'notes.jsonl');
    await writeFile(notLog, '{"name":"reverie","version":"1.0.0"}\n');
    const result = await importLogs({
      repoDir: repo,
      folder: 'sessions',
      logs: [
        { path: summaries, agent: 'claude-code', name: 'ff71dbed.jsonl' },
        { path: notLog, agent: 'claude-code', name: 'notes.jsonl' },
      ],
    });
    expect(result.copied).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^no session in it: Claude Code summaries/),
      expect.stringMatching(/^no session in it: .*(unrecognised|not a session log|JSON object)/),
    ]);
    expect(await readdir(repo)).toEqual([]);
  });

  it('writes nothing with dryRun, and two logs of one import never to the same name', async () => {
    const a = await log(`codex/agentcmd/${CODEX_LOG}`, 'a.jsonl');
    const b = await log(`claude-code/-Users-chip-dev-ai-music/${CLAUDE_LOG}`, 'b.jsonl');
    const result = await importLogs({
      repoDir: repo,
      folder: 'sessions',
      dryRun: true,
      logs: [
        { path: a, agent: 'codex', name: 'same.jsonl' },
        { path: b, agent: 'codex', name: 'same.jsonl' },
      ],
    });
    expect(result.copied.map((c) => c.to)).toEqual(['sessions/codex/same.jsonl']);
    expect(result.skipped.map((s) => s.reason)).toEqual(['another log of this import goes to the same name']);
    expect(await readdir(repo)).toEqual([]);
  });

  it('refuses to write through a symbolic link or out of the repository', async () => {
    const codex = await log(`codex/agentcmd/${CODEX_LOG}`, CODEX_LOG);
    const outside = path.join(dir, 'outside');
    await mkdir(outside);
    const one = (agent: string, name = CODEX_LOG) => [{ path: codex, agent, name }];

    await expect(importLogs({ repoDir: repo, folder: '../outside', logs: one('codex') })).rejects.toThrow(UnsafePathError);
    await expect(importLogs({ repoDir: repo, folder: '/tmp', logs: one('codex') })).rejects.toThrow(UnsafePathError);
    await symlink(outside, path.join(repo, 'linked'));
    await expect(importLogs({ repoDir: repo, folder: 'linked/sessions', logs: one('codex') })).rejects.toThrow(/symbolic link/);

    await mkdir(path.join(repo, 'sessions'));
    await symlink(outside, path.join(repo, 'sessions/codex'));
    await mkdir(path.join(repo, 'sessions/claude-code'));
    await symlink(path.join(outside, 'target.jsonl'), path.join(repo, 'sessions/claude-code', CODEX_LOG));
    const result = await importLogs({ repoDir: repo, folder: 'sessions', logs: [...one('codex'), ...one('claude-code'), ...one('..'), ...one('gemini-cli', '../x.jsonl')] });
    expect(result.copied).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'codex/ in the sessions folder is a symbolic link; not written through',
      'a symbolic link is at that name; not written through',
      'not a plain file name; not written',
      'not a plain file name; not written',
    ]);
    expect(await readdir(outside)).toEqual([]);
  });

  it('redacts a log of any format, keeping a line that holds no secret as it was', () => {
    const jsonl = Buffer.from(`{"a":"plain"}\r\n{"b":"key ${TOKEN}","n":1.50}\nnot json ${TOKEN}\n`);
    const out = redactLog(jsonl, 'x.jsonl');
    expect(out.redacted).toBe(2);
    const lines = out.bytes.toString('utf8').split('\n');
    expect(lines[0]).toBe('{"a":"plain"}\r');
    expect(JSON.parse(lines[1] ?? '')).toEqual({ b: 'key [REDACTED:github-token]', n: 1.5 });
    expect(lines[2]).toBe('not json [REDACTED:github-token]');
    const markdown = redactLog(Buffer.from(`#### deploy with ${TOKEN}  \n`), 'x.md');
    expect(markdown.bytes.toString('utf8')).toBe('#### deploy with [REDACTED:github-token]  \n');
    const clean = Buffer.from('{"a":1}\n');
    expect(redactLog(clean, 'x.jsonl').bytes).toBe(clean);
  });
});
