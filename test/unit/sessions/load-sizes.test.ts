import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessions } from '../../../src/sessions/load.js';
import { transcript } from '../../helpers/transcript.js';
import { tempDir } from './helpers.js';

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

/**
 * A small log is read with one read and parsed from memory, a large one (over 1 MiB) is streamed: the two
 * must not differ in anything but speed. The same log is written at both sizes, with one tool output over
 * `maxLineBytes` (a cut line: a warning, the rest read) and CRLF line ends.
 */
async function logOfSize(big: boolean) {
  const dir = await tempDir();
  const output = 'x'.repeat(big ? 1_200_000 : 1_200);
  const text = transcript({ sessionId: 'sizes' }, [
    { user: 'Please run the tests.' },
    { bash: 'pnpm test', output },
    { assistant: 'Done: the tests pass.' },
  ]).replace(/\n/g, '\r\n');
  await mkdir(join(dir, 'sessions/agent'), { recursive: true });
  await writeFile(join(dir, 'sessions/agent/log.jsonl'), text);
  const loaded = await loadSessions({ repoDir: dir, sources: [{ path: 'sessions', format: 'auto' }], maxLineBytes: big ? 1_000_000 : 1_000 });
  return { text, loaded };
}

describe('loadSessions on small and large logs', () => {
  it('reads a log over 1 MiB (streamed) as it reads the same log small (from memory)', async () => {
    const small = await logOfSize(false);
    const large = await logOfSize(true);
    expect(Buffer.byteLength(large.text)).toBeGreaterThan(1024 * 1024);
    for (const { text, loaded } of [small, large]) {
      expect(loaded.sessions).toHaveLength(1);
      expect(loaded.sessions[0]?.hash).toBe(sha256(text));
      expect(loaded.warnings.map((w) => [w.line, w.message.replace(/\d+ bytes/, 'N bytes')])).toEqual([[3, 'line longer than N bytes; skipped']]);
    }
    const shape = (l: typeof small.loaded) => l.sessions.map((s) => s.turns.map((t) => [t.role, t.text, t.toolCalls.length, t.toolResults.length]));
    expect(shape(large.loaded)).toEqual(shape(small.loaded));
  });
});
