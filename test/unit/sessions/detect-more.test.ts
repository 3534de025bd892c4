/**
 * Detection of the Gemini CLI, GitHub Copilot CLI, aider and SpecStory formats: each recognises its own logs from the first non-empty
 * lines (as readers/index.ts hands them: DETECT_LINES of them) and the path, and claims no other format's.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiderReader } from '../../../src/sessions/readers/aider.js';
import { copilotCliReader } from '../../../src/sessions/readers/copilot-cli.js';
import { geminiCliReader } from '../../../src/sessions/readers/gemini-cli.js';
import { specstoryReader } from '../../../src/sessions/readers/specstory.js';
import type { SessionReader } from '../../../src/sessions/types.js';
import { FIXTURES } from './helpers.js';

const DETECT_LINES = 5;
/** A collection of real logs outside the repository (REVERIE_SHARED_FIXTURES=<folder>): its files are checked too when named. */
const SHARED = process.env.REVERIE_SHARED_FIXTURES ?? '';
const OURS: Record<string, SessionReader> = { 'gemini-cli': geminiCliReader, 'copilot-cli': copilotCliReader, aider: aiderReader, specstory: specstoryReader };

async function firstLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, DETECT_LINES);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !/^(?:SOURCES|README|LICENSE)/.test(e.name)).map((e) => join(e.parentPath ?? e.path, e.name));
}

/** Which of our readers claim a file; `as` is the path detection is told. */
async function claimants(path: string, as = path): Promise<string[]> {
  const lines = await firstLines(path);
  return Object.entries(OURS)
    .filter(([, reader]) => reader.detect(lines, as))
    .map(([format]) => format);
}

describe('detection of gemini-cli, copilot-cli, aider and specstory logs', () => {
  it.each(Object.keys(OURS))('each %s fixture is claimed by its reader alone', async (format) => {
    for (const file of await filesUnder(join(FIXTURES, format))) {
      // Told the path the format lives at, and a neutral one: the content alone must do for the first lines shown.
      const home = format === 'specstory' ? `proj/.specstory/history/${relative(join(FIXTURES, format), file)}` : relative(FIXTURES, file);
      expect(await claimants(file, home), file).toEqual([format]);
    }
  });

  it('recognises aider histories by their default name and specstory exports by their folder, whatever the first lines', () => {
    expect(aiderReader.detect(['Some text'], 'work/app/.aider.chat.history.md')).toBe(true);
    expect(specstoryReader.detect(['Some text'], 'work/app/.specstory/history/2025-01-01_10-00-00Z-x.md')).toBe(true);
    expect(aiderReader.detect(['Some text'], 'work/app/notes.md')).toBe(false);
    expect(specstoryReader.detect(['Some text'], 'work/app/notes.md')).toBe(false);
  });

  it('claims no log of the other formats in test/fixtures', async () => {
    // Other readers' tests keep some of our logs as negative samples (`not-anthropic/gemini-session-*.json`).
    const ours = (f: string) => Object.keys(OURS).some((format) => f.startsWith(join(FIXTURES, format))) || /gemini-session/.test(f);
    const others = (await filesUnder(FIXTURES)).filter((f) => !ours(f));
    expect(others.length).toBeGreaterThan(10);
    for (const file of others) expect(await claimants(file), file).toEqual([]);
  });

  it.skipIf(!existsSync(SHARED))('claims no log of the other formats in the shared fixture collection', async () => {
    // Two projects of real-memory/logs-and-rules keep SpecStory exports as their logs (its README says so).
    const specstory = /\/real-memory\/logs-and-rules\/(?:ThatHunky__gryag|daviswhitehead__chef-chopsky)\/sessions\//;
    // And one keeps Copilot CLI logs among its Entire checkpoints (full.jsonl beside Codex and Claude Code ones).
    const copilot = async (f: string) => /\/EntityProcess__agentv\/sessions\/.*\/full\.jsonl$/.test(f) && (await firstLines(f))[0]?.includes('"producer":"copilot-agent"');
    const others = (await filesUnder(SHARED)).filter((f) => !/\/(?:gemini|aider)\//.test(f) && !specstory.test(f));
    expect(others.length).toBeGreaterThan(50);
    let copilotLogs = 0;
    for (const file of others) {
      if (await copilot(file)) {
        copilotLogs++;
        expect(await claimants(file), file).toEqual(['copilot-cli']);
      } else expect(await claimants(file), file).toEqual([]);
    }
    expect(copilotLogs).toBe(11);
  });

  it('claims no OpenAI chat or Anthropic Messages JSON, compact or pretty-printed', () => {
    const openai = { messages: [{ role: 'user', content: 'hi' }], sessionId: 'x' };
    const anthropic = { id: 'msg_01', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hi' }], model: 'claude-sonnet-4' };
    for (const value of [openai, anthropic, [openai]]) {
      for (const lines of [[JSON.stringify(value)], JSON.stringify(value, null, 2).split('\n').slice(0, DETECT_LINES)]) {
        for (const [format, reader] of Object.entries(OURS)) expect(reader.detect(lines, 'log.json'), `${format}: ${lines[0]}`).toBe(false);
      }
    }
  });
});
