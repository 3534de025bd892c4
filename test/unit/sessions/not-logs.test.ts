import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionFormatError } from '../../../src/errors.js';
import { loadSessions } from '../../../src/sessions/load.js';
import { detectFormat, FORMATS } from '../../../src/sessions/readers/index.js';
import { tempDir } from './helpers.js';

/** The shared collection of real data (REVERIE_SHARED_FIXTURES), for the files of real projects. */
const SHARED = process.env.REVERIE_SHARED_FIXTURES ?? '';
const PROJECTS = SHARED === '' ? '' : join(SHARED, 'real-memory', 'logs-and-rules');
/** A fake GitHub token, built at run time so that no secret scanner flags this file. */
const TOKEN = ['ghp', '_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'].join('');

function whyNot(lines: string[], path = 'sessions/x.json'): string {
  try {
    detectFormat(lines, path);
  } catch (err) {
    expect(err).toBeInstanceOf(SessionFormatError);
    return (err as Error).message.replace(`${path}: `, '');
  }
  throw new Error(`a reader claimed ${lines[0]}`);
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2).split('\n').slice(0, 5);

describe('a file no reader claims is named for what it is', () => {
  it("a known agent's file that holds no session: prompt histories, checkpoint metadata", () => {
    expect(whyNot([JSON.stringify({ display: 'fix the tests', pastedContents: {}, timestamp: 1759000000000, project: '/work/app' })], '.claude/history.jsonl')).toMatch(/^Claude Code's prompt history/);
    expect(whyNot([JSON.stringify({ session_id: '0199', ts: 1759000000, text: 'fix the tests' })], '.codex/history.jsonl')).toMatch(/^Codex's prompt history/);
    expect(whyNot(pretty([{ sessionId: 's', messageId: 0, type: 'user', message: 'fix the tests', timestamp: '2025-10-01T10:00:00Z' }]), '.gemini/tmp/h/logs.json')).toMatch(/^Gemini CLI's message log/);
    const checkpoint = { checkpoint_id: '9e1b9e5502', session_id: 's', strategy: 'manual-commit', branch: 'main', files_touched: [] };
    expect(whyNot([JSON.stringify(checkpoint)])).toMatch(/^an Entire CLI checkpoint's metadata .*the full\.jsonl beside it$/);
    expect(whyNot(pretty(checkpoint))).toMatch(/^an Entire CLI checkpoint's metadata/);
  });

  it("a known agent's log in a layout reverie does not read", () => {
    const legacy = { sessionId: 's', startTime: '2025-09-01T10:00:00Z', chatMessages: [{ role: 'user', content: 'hi' }], timeline: [] };
    expect(whyNot(pretty(legacy), '.copilot/history-session-state/s.json')).toMatch(/^a GitHub Copilot CLI session in the older history-session-state layout/);
    expect(whyNot([JSON.stringify(legacy)])).toMatch(/^a GitHub Copilot CLI session in the older/);
    const chat = { version: 3, requesterUsername: 'me', responderUsername: 'GitHub Copilot', initialLocation: 'panel', requests: [] };
    expect(whyNot(pretty(chat))).toMatch(/^a VS Code Copilot Chat session/);
    expect(whyNot([JSON.stringify([{ ts: 1759000000000, type: 'say', say: 'text', text: 'hi' }])], 'tasks/1/ui_messages.json')).toMatch(/^Cline's \(or Roo Code's\) ui_messages\.json/);
    // OpenCode keeps a session across files: its metadata, each message, each part of a message.
    const time = { created: 1759000000000, updated: 1759000001000 };
    expect(whyNot(pretty({ id: 'ses_1', slug: 's', version: '1.1.36', projectID: 'p', directory: '/work/app', title: 't', time }))).toMatch(/^an OpenCode session's metadata/);
    expect(whyNot([JSON.stringify({ id: 'msg_1', sessionID: 'ses_1', role: 'user', time })])).toMatch(/^an OpenCode message /);
    expect(whyNot([JSON.stringify({ id: 'prt_1', sessionID: 'ses_1', messageID: 'msg_1', type: 'text', text: 'hi' })])).toMatch(/^an OpenCode message part/);
  });

  it('no log at all: says what it looks like, its first line redacted', () => {
    const formats = FORMATS.join(', ');
    expect(whyNot(['{"name":"app","version":"1.0.0","scripts":{}}'])).toBe(`unrecognised session log format (a JSON object with keys "name", "version", "scripts"; not one of: ${formats}); see docs/session-format.md`);
    expect(whyNot(['{"a":1}', '{"b":2}'], 'x.jsonl')).toMatch(/^unrecognised session log format \(JSON Lines with keys "a"; /);
    expect(whyNot(['{', '  "title": "notes",', '  "items": ['])).toMatch(/^unrecognised session log format \(a JSON document with keys "title", "items"; /);
    expect(whyNot(['# Release notes', '', 'Fixed a bug.'], 'notes.md')).toMatch(/^unrecognised session log format \(Markdown beginning "# Release notes"; /);
    const secret = whyNot([`export GITHUB_TOKEN=${TOKEN}`], 'env.md');
    expect(secret).not.toContain(TOKEN.slice(4));
    expect(secret).toContain('[REDACTED');
  });
});

describe('a log in a known format that gives no session is named among the files not read, without a warning', () => {
  it('an empty file, and an events log in which no one spoke', async () => {
    const repo = await tempDir();
    await mkdir(join(repo, 'sessions', 'bot'), { recursive: true });
    await writeFile(join(repo, 'sessions', 'bot', 'empty.jsonl'), '');
    const start = { type: 'session.start', data: { sessionId: 's', version: 1, producer: 'copilot-agent', startTime: '2026-07-05T03:51:38.763Z' }, id: 'e1', timestamp: '2026-07-05T03:51:38.822Z', parentId: null };
    await writeFile(join(repo, 'sessions', 'bot', 'events.jsonl'), `${JSON.stringify(start)}\n`);
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }] });
    expect(result).toMatchObject({ sessions: [], files: 0, warnings: [] });
    expect(result.unread).toEqual([
      { file: 'sessions/bot/empty.jsonl', reason: 'the file is empty; nothing to read' },
      { file: 'sessions/bot/events.jsonl', reason: 'read as copilot-cli, but no one spoke in it: nothing a person typed, no reply, no tool call; nothing to learn from' },
    ]);
  });

  it.skipIf(!existsSync(PROJECTS))('the real projects: every file of theirs is read or named with why', async () => {
    const repo = await tempDir();
    await cp(join(PROJECTS, 'daviswhitehead__chef-chopsky', 'sessions'), join(repo, 'chef'), { recursive: true });
    await cp(join(PROJECTS, 'EntityProcess__agentv', 'sessions'), join(repo, 'agentv'), { recursive: true });
    const chef = await loadSessions({ repoDir: repo, sources: [{ path: 'chef', format: 'auto' }] });
    // Two Cursor chats exported before anything was said in them.
    expect(chef.unread).toEqual(
      ['chef/2025-09-24_23-56Z-implement-typing-indicator-component.md', 'chef/2025-10-04_03-07Z-setup-chef-chopsky-staging-environment.md'].map((file) => ({
        file,
        reason: 'a SpecStory export without a message in it (the chat was empty when exported); nothing to learn from',
      })),
    );
    expect(chef.files).toBe((await readdir(join(repo, 'chef'))).length - 2);
    const agentv = await loadSessions({ repoDir: repo, sources: [{ path: 'agentv', format: 'auto' }] });
    const why = new Map<string, number>();
    for (const u of agentv.unread) {
      const kind = u.reason.startsWith("an Entire CLI checkpoint's metadata") ? 'metadata' : u.reason.startsWith('not a session log by its extension (.txt') ? 'txt' : u.reason;
      why.set(kind, (why.get(kind) ?? 0) + 1);
    }
    const names = (await readdir(join(repo, 'agentv'), { recursive: true })).map(String);
    const count = (end: string) => names.filter((n) => n.endsWith(end)).length;
    // 28 transcripts (full.jsonl): 17 Codex and Claude Code, 11 Copilot CLI, of which 7 eval runs in which no one spoke.
    expect(count('full.jsonl')).toBe(28);
    expect(agentv.files).toBe(21);
    expect(Object.fromEntries(why)).toEqual({
      metadata: count('metadata.json'),
      txt: count('.txt'),
      'read as copilot-cli, but no one spoke in it: nothing a person typed, no reply, no tool call; nothing to learn from': 7,
    });
    expect(agentv.warnings.filter((w) => !w.message.startsWith('not a session log by its extension') && !w.message.startsWith("an Entire CLI checkpoint's metadata"))).toEqual([]);
  });
});
