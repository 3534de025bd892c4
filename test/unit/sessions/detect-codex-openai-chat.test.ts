import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCodeReader } from '../../../src/sessions/readers/claude-code.js';
import { codexReader } from '../../../src/sessions/readers/codex.js';
import { openaiChatReader } from '../../../src/sessions/readers/openai-chat.js';
import { reverieJsonlReader } from '../../../src/sessions/readers/reverie-jsonl.js';
import type { SessionReader } from '../../../src/sessions/types.js';
import { FIXTURES } from './helpers.js';

/** A collection of real logs outside the repository (REVERIE_SHARED_FIXTURES=<folder>): its files are checked too when named. */
const SHARED = process.env.REVERIE_SHARED_FIXTURES ?? '';

/** What detection sees of a file: its first five non-empty lines, as load.ts hands them over. */
async function firstLines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, 5);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && !/^SOURCES.*\.md$/.test(e.name) && e.name !== 'README.md').map((e) => join(e.parentPath, e.name));
}

async function detected(reader: SessionReader, paths: string[]): Promise<string[]> {
  const claimed: string[] = [];
  for (const path of paths) if (reader.detect(await firstLines(path), path)) claimed.push(path);
  return claimed;
}

const codexFixtures = await filesUnder(join(FIXTURES, 'codex'));
const chatFixtures = await filesUnder(join(FIXTURES, 'openai-chat'));
const otherFixtures = [...(await filesUnder(join(FIXTURES, 'claude-code'))), ...(await filesUnder(join(FIXTURES, 'reverie')))];
/** Every fixture of every format, those the other readers are tested on included. */
const allFixtures = await filesUnder(FIXTURES);

// Anthropic's Messages API shares `messages` and `role` with the Chat format; its tool blocks tell it apart.
const anthropicRequest = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [
    { role: 'user', content: 'What is the weather in Paris?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C' }] },
  ],
};
const anthropicResponse = { id: 'msg_01', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn' };
const asDocument = (value: unknown) => JSON.stringify(value, null, 2).split('\n').slice(0, 5);

describe('codex detection', () => {
  it('claims its own samples, and the older bare format', async () => {
    expect(await detected(codexReader, codexFixtures)).toEqual(codexFixtures);
    expect(codexReader.detect(['{"id":"s-1","timestamp":"2025-05-01T09:00:00Z","instructions":null}'], 'x.jsonl')).toBe(true);
  });

  it('claims none of the other formats in test/fixtures', async () => {
    expect(await detected(codexReader, [...chatFixtures, ...otherFixtures])).toEqual([]);
    // Other readers' tests keep Codex records as samples of what they must not claim; those, and only those, are Codex.
    const claimed = await detected(codexReader, allFixtures);
    expect(claimed.filter((p) => !/codex/i.test(relative(FIXTURES, p)))).toEqual([]);
    expect(codexReader.detect(['{"reverie":"session/v1"}'], 'x')).toBe(false);
    expect(codexReader.detect(asDocument(anthropicRequest), 'x')).toBe(false);
    expect(codexReader.detect([JSON.stringify(anthropicResponse)], 'x')).toBe(false);
    // A bare Responses API item, without the meta line of the older format, is not claimed.
    expect(codexReader.detect(['{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}'], 'x')).toBe(false);
  });
});

describe('openai-chat detection', () => {
  it('claims its own samples: one line, pretty-printed, JSON Lines, a bare message array', async () => {
    expect(await detected(openaiChatReader, chatFixtures)).toEqual(chatFixtures);
    const trajectories = JSON.parse(await readFile(chatFixtures[0]!, 'utf8')) as { traj: unknown[] }[];
    const conversation = { messages: trajectories[1]!.traj };
    expect(openaiChatReader.detect(asDocument(conversation), 'x.json')).toBe(true);
    expect(openaiChatReader.detect(asDocument([conversation]), 'x.json')).toBe(true);
    expect(openaiChatReader.detect([JSON.stringify(conversation), JSON.stringify(conversation)], 'x.jsonl')).toBe(true);
    expect(openaiChatReader.detect([JSON.stringify(trajectories[1]!.traj)], 'x.json')).toBe(true);
  });

  it('needs to see the messages: a pretty-printed trajectory whose first keys are others is not claimed from five lines', () => {
    expect(openaiChatReader.detect(asDocument({ task_id: 1, reward: 0, info: {}, traj: [{ role: 'user', content: 'hi' }] }), 'x.json')).toBe(false);
  });

  it('claims none of the other formats in test/fixtures, nor Anthropic API JSON, nor a single message per line', async () => {
    expect(await detected(openaiChatReader, [...codexFixtures, ...otherFixtures])).toEqual([]);
    expect(await detected(openaiChatReader, allFixtures)).toEqual(chatFixtures);
    for (const value of [anthropicRequest, anthropicResponse, [anthropicResponse]]) {
      expect(openaiChatReader.detect([JSON.stringify(value)], 'x.json')).toBe(false);
      expect(openaiChatReader.detect(asDocument(value), 'x.json')).toBe(false);
    }
    expect(openaiChatReader.detect(['{"role":"user","content":"hi"}'], 'x.jsonl')).toBe(false);
    expect(openaiChatReader.detect(['{"reverie":"session/v1"}'], 'x')).toBe(false);
  });
});

describe('the existing readers do not claim the new formats', () => {
  it.each([
    ['claude-code', claudeCodeReader],
    ['reverie', reverieJsonlReader],
  ])('%s', async (_, reader) => {
    expect(await detected(reader, [...codexFixtures, ...chatFixtures])).toEqual([]);
  });
});

describe.skipIf(!existsSync(SHARED))('detection on the shared collection of real logs', () => {
  const shared = async (...dirs: string[]) => (await Promise.all(dirs.map((d) => filesUnder(join(SHARED, d))))).flat();
  const rel = (paths: string[]) => paths.map((p) => relative(SHARED, p));

  it('codex claims every Codex rollout and record there, and nothing else', async () => {
    const codex = await shared('agentcmd/codex', 'agent-history/real_sessions/codex');
    const others = await shared('sniffly', 'claude-code-viewer', 'agentcmd/claude', 'agentcmd/gemini', 'agent-history/real_sessions/claude', 'swe-agent', 'aider', 'tau-bench');
    expect(rel(await detected(codexReader, codex))).toEqual(rel(codex));
    expect(rel(await detected(codexReader, others))).toEqual([]);
  });

  it('openai-chat claims the tau-bench trajectories, and not their flattened few-shot text nor any other format', async () => {
    const chat = await shared('tau-bench/historical_trajectories');
    const others = await shared('sniffly', 'claude-code-viewer', 'agentcmd', 'agent-history', 'swe-agent', 'aider', 'tau-bench/few_shot_data');
    expect(rel(await detected(openaiChatReader, chat))).toEqual(rel(chat));
    expect(rel(await detected(openaiChatReader, others))).toEqual([]);
  });
});
