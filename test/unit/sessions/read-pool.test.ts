import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listSessionFiles, loadSessions, streamSessions } from '../../../src/sessions/load.js';
import { MIN_FILES_FOR_THREADS, readInWorkers, readThreadsFor } from '../../../src/sessions/read-pool.js';
import type { Session } from '../../../src/sessions/types.js';
import { transcript } from '../../helpers/transcript.js';
import { FIXTURES, tempDir } from './helpers.js';

/** Every fixture log of every format, copied until there are enough logs for worker threads, with a few bad ones. */
async function manyLogs(): Promise<string> {
  const dir = await tempDir();
  const samples: { name: string; text: string }[] = [];
  for (const folder of ['claude-code', 'codex', 'copilot-cli', 'gemini-cli', 'aider', 'specstory', 'anthropic-messages', 'openai-chat']) {
    const walk = async (at: string): Promise<void> => {
      for (const entry of await readdir(at, { withFileTypes: true })) {
        const path = join(at, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (/\.(?:jsonl|json|md)$/.test(entry.name) && !entry.name.startsWith('SOURCES')) samples.push({ name: entry.name, text: await readFile(path, 'utf8') });
      }
    };
    await walk(join(FIXTURES, folder));
  }
  await mkdir(join(dir, 'sessions/agent'), { recursive: true });
  for (let i = 0; i < MIN_FILES_FOR_THREADS + 40; i++) {
    const sample = samples[i % samples.length]!;
    // Each copy a log of its own; some with a corrupt line or a token in them.
    const extra = i % 5 === 0 ? '\n{"type":"user","message":{"content":"trunc\n' : i % 7 === 0 ? `\n{"note":"ghp_${'k3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG'}"}\n` : '\n'.repeat(i % 3);
    await writeFile(join(dir, 'sessions/agent', `${String(i).padStart(4, '0')}-${sample.name}`), sample.text + extra);
  }
  // A log too large to read whole (streamed on the main thread in its turn), a binary file, an empty one.
  const output = 'y'.repeat(1_200_000);
  await writeFile(join(dir, 'sessions/agent/0100-large.jsonl'), transcript({ sessionId: 'large' }, [{ user: 'Run it.' }, { bash: 'make', output }, { assistant: 'Done.' }]));
  await writeFile(join(dir, 'sessions/agent/0101-binary.jsonl'), Buffer.from([0x7b, 0, 1, 2, 0x7d]));
  await writeFile(join(dir, 'sessions/agent/0102-empty.jsonl'), '');
  return dir;
}

describe('reading logs on worker threads', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await manyLogs();
  });

  it('gives what one thread gives, byte for byte, sessions handed on in the same order', async () => {
    const sources = [{ path: 'sessions', format: 'auto' }];
    const one = await loadSessions({ repoDir: dir, sources, readThreads: 1 });
    expect(one.sessions.length).toBeGreaterThan(MIN_FILES_FOR_THREADS);
    expect(one.warnings.some((w) => w.line !== undefined)).toBe(true);
    expect(JSON.stringify(one)).not.toContain('k3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG');
    // Streamed, skipping what was processed: the same sessions handed on, in the same order, on both.
    const skipHashes = new Set(one.sessions.filter((_, i) => i % 2 === 0).map((s) => s.hash));
    const streamed = async (readThreads: number) => {
      const seen: Session[] = [];
      const result = await streamSessions({ repoDir: dir, sources, skipHashes, readThreads }, (s) => seen.push(s));
      return JSON.stringify({ seen, result });
    };
    expect(await streamed(2)).toBe(await streamed(1));
    const seenAll: Session[] = [];
    const all = await streamSessions({ repoDir: dir, sources, readThreads: 2 }, (s) => seenAll.push(s));
    expect(JSON.stringify({ ...all, sessions: seenAll })).toBe(JSON.stringify({ warnings: one.warnings, files: one.files, skipped: one.skipped, read: one.sessions.length, unread: one.unread, sessions: one.sessions }));
  }, 60_000);

  it('reads on the workers indeed: no log is left to this thread but the one too large to read whole', async () => {
    const { files } = await listSessionFiles(dir, [{ path: 'sessions', format: 'auto' }]);
    const large: string[] = [];
    let whole = 0;
    const reads = readInWorkers(
      files,
      {},
      2,
      () => Promise.reject(new Error('read on this thread')),
      (file) => {
        large.push(file.display);
        return { file, opened: { problem: new Error('not opened') } };
      },
    );
    for await (const read of reads) if ('whole' in read) whole++;
    expect(large).toEqual(['sessions/agent/0100-large.jsonl']);
    expect(whole).toBe(files.length - 1);
  }, 60_000);

  it('is used for many logs only, and only when asked for', () => {
    expect(readThreadsFor(MIN_FILES_FOR_THREADS - 1, 2)).toBe(1);
    expect(readThreadsFor(10_000, 1)).toBe(1);
    expect(readThreadsFor(10_000, 0)).toBe(1);
    const saved = process.env.REVERIE_READ_THREADS;
    try {
      delete process.env.REVERIE_READ_THREADS;
      expect(readThreadsFor(10_000)).toBe(1);
    } finally {
      if (saved !== undefined) process.env.REVERIE_READ_THREADS = saved;
    }
  });
});
