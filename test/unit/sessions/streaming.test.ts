/**
 * A log holding thousands of sessions is read in bounded memory: each reader hands a session out before the file
 * ends, and the loader hands it on with its own hash, so that nothing keeps a whole file's sessions.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash, SessionIdentities } from '../../../src/sessions/identity.js';
import { streamSessions } from '../../../src/sessions/load.js';
import { anthropicMessagesReader } from '../../../src/sessions/readers/anthropic-messages.js';
import { openaiChatReader } from '../../../src/sessions/readers/openai-chat.js';
import { IDLE_LINES } from '../../../src/sessions/readers/open-sessions.js';
import { reverieJsonlReader } from '../../../src/sessions/readers/reverie-jsonl.js';
import type { Session } from '../../../src/sessions/types.js';
import { handedOutAt, readAll, sourceOfLines, tempDir } from './helpers.js';

const conversation = (n: number) => JSON.stringify({ id: `c${n}`, messages: [{ role: 'user', content: `task ${n}` }, { role: 'assistant', content: `done ${n}` }] });

describe('readers hand sessions out before the file ends', () => {
  it('OpenAI Chat Completions: a conversation a line, each handed out once the next shows the file holds several', async () => {
    const lines = Array.from({ length: 50 }, (_, n) => conversation(n));
    const at = await handedOutAt(openaiChatReader, lines, 'logs/runs.jsonl');
    expect(at.map(([id]) => id)).toEqual(lines.map((_, n) => `c${n}`));
    expect(at[0]?.[1]).toBe(2);
    expect(at[10]?.[1]).toBe(11);
  });

  it('OpenAI Chat Completions: a file of one conversation is still named after the file', async () => {
    const { sessions } = await readAll(openaiChatReader, sourceOfLines([JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] })], 'logs/one.jsonl'));
    expect(sessions.map((s) => s.id)).toEqual(['logs/one']);
  });

  it('Anthropic Messages: conversations a line are handed out as read, numbered by place', async () => {
    const lines = Array.from({ length: 30 }, (_, n) => JSON.stringify({ messages: [{ role: 'user', content: `task ${n}` }, { role: 'assistant', content: [{ type: 'text', text: `done ${n}` }] }] }));
    const at = await handedOutAt(anthropicMessagesReader, lines, 'logs/convos.jsonl');
    expect(at.map(([id]) => id)).toEqual(lines.map((_, n) => `logs/convos#${n + 1}`));
    expect(at[5]?.[1]).toBe(6);
  });

  it('Anthropic Messages: a thread of logged calls is handed out once no call has continued it for a while', async () => {
    // Each call repeats its conversation so far; thread 0 stops early, then thousands of short threads follow.
    const call = (thread: number, step: number) =>
      JSON.stringify({
        request: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: `thread ${thread}` }, ...(step > 0 ? [{ role: 'assistant', content: `ok ${thread}` }, { role: 'user', content: 'go on' }] : [])] },
        response: { type: 'message', role: 'assistant', content: [{ type: 'text', text: step > 0 ? `done ${thread}` : `ok ${thread}` }] },
      });
    const lines = Array.from({ length: IDLE_LINES + 4000 }, (_, i) => call(Math.floor(i / 2), i % 2));
    const at = await handedOutAt(anthropicMessagesReader, lines, 'logs/proxy.jsonl');
    expect(at).toHaveLength(lines.length / 2);
    expect(at[0]?.[0]).toBe('logs/proxy#1');
    expect(at[0]?.[1]).toBeLessThan(lines.length);
  });

  it('Anthropic Messages: an Agent SDK stream that goes on after it was handed out is read as a part of its own', async () => {
    const message = (session: string, n: number) => JSON.stringify({ type: 'assistant', session_id: session, message: { id: `m-${session}-${n}`, role: 'assistant', content: [{ type: 'text', text: `step ${n}` }] } });
    const lines = [message('s1', 0), ...Array.from({ length: IDLE_LINES + 2000 }, (_, n) => message('s2', n)), message('s1', 1)];
    const { sessions, warnings } = await readAll(anthropicMessagesReader, sourceOfLines(lines, 'logs/sdk.jsonl'));
    expect(sessions.map((s) => s.id)).toEqual(['s1', 's2', 's1#2']);
    expect(warnings.map((w) => [w.line, w.message])).toEqual([[lines.length, expect.stringContaining('session s1 continues')]]);
  });

  it('reverie JSONL: interleaved sessions, one idle long enough is handed out early; one that resumes is a part of its own', async () => {
    const header = JSON.stringify({ reverie: 'session/v1', agent: 'bot' });
    const turn = (session: string, n: number) => JSON.stringify({ session, role: 'user', text: `step ${n}` });
    const lines = [header, turn('a', 0), ...Array.from({ length: IDLE_LINES + 2000 }, (_, n) => turn('b', n)), turn('a', 1)];
    const at = await handedOutAt(reverieJsonlReader, lines, 'logs/bot.jsonl');
    expect(at.map(([id]) => id)).toEqual(['a', 'b', 'a#2']);
    expect(at[0]?.[1]).toBeLessThan(lines.length);
    const { warnings } = await readAll(reverieJsonlReader, sourceOfLines(lines, 'logs/bot.jsonl'));
    expect(warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('session a continues'));
  });
});

describe('session identity', () => {
  const session = (id: string): Session => ({ id, agent: 'bot', format: 'reverie', source: 'logs/x.jsonl', hash: '', turns: [], outcome: { status: 'unknown', inferred: true } });

  it('holds back the first session until a second shows the file holds several, then hands each on at once', () => {
    const out: Session[] = [];
    const identities = new SessionIdentities((s) => out.push(s));
    identities.add(session('a'));
    expect(out).toEqual([]);
    identities.add(session('b'));
    expect(out.map((s) => s.id)).toEqual(['a', 'b']);
    identities.add(session('c'));
    expect(out.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    identities.end('file-hash');
    expect(out.map((s) => s.hash)).toEqual(out.map((s) => contentHash(s)));
  });

  it('gives a file of one session the hash of its bytes', () => {
    const out: Session[] = [];
    const identities = new SessionIdentities((s) => out.push(s));
    identities.add(session('a'));
    identities.end('file-hash');
    expect(out.map((s) => s.hash)).toEqual(['file-hash']);
  });

  it('does not depend on where the log sits', () => {
    expect(contentHash(session('a'))).toBe(contentHash({ ...session('a'), source: 'moved/x.jsonl' }));
    expect(contentHash(session('a'))).not.toBe(contentHash(session('b')));
  });

  it('sees only the appended session of a many-session log as new, also when the log is large enough to stream', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'logs'), { recursive: true });
    const file = join(dir, 'logs/runs.jsonl');
    // Over a megabyte, so that the loader streams the file instead of reading it whole.
    const padding = 'x'.repeat(2000);
    const lines = Array.from({ length: 600 }, (_, n) => JSON.stringify({ id: `c${n}`, messages: [{ role: 'user', content: `task ${n} ${padding}` }] }));
    await writeFile(file, `${lines.join('\n')}\n`);
    const sources = [{ path: 'logs', format: 'auto' }];
    const first: Session[] = [];
    await streamSessions({ repoDir: dir, sources }, (s) => first.push(s));
    expect(first).toHaveLength(600);
    expect(new Set(first.map((s) => s.hash)).size).toBe(600);
    await appendFile(file, `${JSON.stringify({ id: 'c600', messages: [{ role: 'user', content: 'one more' }] })}\n`);
    const again: Session[] = [];
    const result = await streamSessions({ repoDir: dir, sources, skipHashes: new Set(first.map((s) => s.hash)) }, (s) => again.push(s));
    expect(again.map((s) => s.id)).toEqual(['c600']);
    expect(result.skipped).toBe(600);
  });
});
