import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSessionFile } from '../../../src/sessions/load.js';
import { claudeCodeReader } from '../../../src/sessions/readers/claude-code.js';
import { reverieJsonlReader } from '../../../src/sessions/readers/reverie-jsonl.js';
import { CLAUDE, FIXTURES, readAll, sourceOfLines, tempDir } from './helpers.js';

const realLines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
const claudeLines = await realLines(join(CLAUDE, '-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl'));
const reverieLines = await realLines(join(FIXTURES, 'reverie/deploy-bot/2025-06-01.jsonl'));

/** A real line, damaged: cut, spliced with noise, or with one JSON value swapped for anything. */
function mutated(lines: string[]): fc.Arbitrary<string> {
  const line = fc.constantFrom(...lines);
  const cut = fc.tuple(line, fc.nat()).map(([l, n]) => l.slice(0, n % (l.length + 1)));
  const noisy = fc.tuple(line, fc.nat(), fc.string()).map(([l, n, s]) => l.slice(0, n % l.length) + s + l.slice(n % l.length));
  const swapped = fc.tuple(line, fc.jsonValue()).map(([l, v]) => {
    const record = JSON.parse(l) as Record<string, unknown>;
    const keys = Object.keys(record);
    const key = keys[JSON.stringify(v).length % keys.length]!;
    return JSON.stringify({ ...record, [key]: v });
  });
  const deep = fc.tuple(line, fc.jsonValue()).map(([l, v]) => {
    const record = JSON.parse(l) as { message?: { content?: unknown } };
    if (record.message) record.message.content = Array.isArray(record.message.content) ? [v, ...record.message.content] : v;
    return JSON.stringify(record);
  });
  return fc.oneof(line, cut, noisy, swapped, deep, fc.string(), fc.json());
}

describe('readers never throw on damaged input', () => {
  it('claude-code: random and mutated lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutated(claudeLines), { maxLength: 30 }), async (lines) => {
        const { sessions, warnings } = await readAll(claudeCodeReader, sourceOfLines(lines));
        for (const s of sessions) expect(s.turns.length).toBeGreaterThan(0);
        for (const w of warnings) expect(w.file).toBe('memory/agent/log.jsonl');
      }),
      { numRuns: 300 },
    );
  });

  it('reverie: random and mutated lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutated(reverieLines), { maxLength: 30 }), async (lines) => {
        await readAll(reverieJsonlReader, sourceOfLines(['{"reverie":"session/v1"}', ...lines]));
      }),
      { numRuns: 300 },
    );
  });

  it('load: random bytes in a file become sessions or warnings, never an exception', async () => {
    const dir = await tempDir();
    const path = join(dir, 'log.jsonl');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('auto', 'claude-code', 'reverie'), async (bytes, format) => {
        await writeFile(path, bytes);
        const result = await readSessionFile({ path, display: 'log.jsonl', format });
        for (const w of result.warnings) expect(w.file).toBe('log.jsonl');
      }),
      { numRuns: 200 },
    );
  });
});
