import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionFormatError } from '../../../src/errors.js';
import { detectFormat, FORMATS, readerFor } from '../../../src/sessions/readers/index.js';
import { CLAUDE, FIXTURES } from './helpers.js';

async function firstLines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').slice(0, 5);
}

describe('detectFormat', () => {
  it.each([
    '-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl', // summary first
    '-Users-chip-dev-ai-music/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl', // summary only
    'agentcmd/06381696-0074-49f8-863e-6ad4fac507f9.jsonl', // file-history-snapshot first
    'claude-code-viewer/agent-test-hash-123.jsonl',
  ])('recognises Claude Code: %s', async (rel) => {
    expect(detectFormat(await firstLines(join(CLAUDE, rel)), rel).format).toBe('claude-code');
  });

  it('recognises Claude Code 2.1 records that start with a queue operation', () => {
    const line = '{"type":"queue-operation","operation":"enqueue","timestamp":"2026-06-05T04:56:32.693Z","sessionId":"06090cb1-3e64-433a-bc7e-a621c0f596d2"}';
    expect(detectFormat([line], 'x.jsonl').format).toBe('claude-code');
  });

  it('recognises the reverie header', async () => {
    expect(detectFormat(await firstLines(join(FIXTURES, 'reverie/deploy-bot/2025-06-01.jsonl')), 'x').format).toBe('reverie');
  });

  it('looks past a corrupt first line', async () => {
    const lines = await firstLines(join(CLAUDE, 'claude-code-viewer/1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl'));
    expect(detectFormat(['{oops', ...lines.slice(1)], 'x').format).toBe('claude-code');
  });

  it.each([
    [['{"role":"user","content":"hi"}'], 'not one of'],
    [['# Markdown chat history'], 'not one of'],
    [['\u0000\u0001binary'], 'not one of'],
    [[], 'the file is empty'],
  ])('names the file when it knows no format: %j', (lines, hint) => {
    const err = (() => {
      try {
        detectFormat(lines, 'sessions/odd.jsonl');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SessionFormatError);
    expect((err as SessionFormatError).file).toBe('sessions/odd.jsonl');
    expect((err as Error).message).toMatch(/^sessions\/odd\.jsonl: unrecognised session log format/);
    expect((err as Error).message).toContain(hint);
  });
});

describe('readerFor', () => {
  it('finds every registered format, and names the file for an unknown one', () => {
    for (const format of FORMATS) expect(readerFor(format, 'x').format).toBe(format);
    expect(() => readerFor('teletype', 'a.md')).toThrow(SessionFormatError);
    expect(() => readerFor('teletype', 'a.md')).toThrow(`a.md: unknown session format "teletype" (known: ${FORMATS.join(', ')})`);
  });
});
