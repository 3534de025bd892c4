import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { readLines } from '../../../src/sessions/lines.js';
import type { LogSource, ReaderEvent, ReadWarning, SessionReader } from '../../../src/sessions/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const CLAUDE = join(FIXTURES, 'claude-code');

/** A fresh temporary folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'reverie-sessions-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function sourceOf(path: string, display = path, agent?: string): LogSource {
  return {
    path: display,
    ...(agent ? { agent } : {}),
    async *lines() {
      for await (const line of readLines(path)) yield line.text;
    },
  };
}

export function sourceOfLines(lines: string[], display = 'memory/agent/log.jsonl'): LogSource {
  return {
    path: display,
    async *lines() {
      yield* lines;
    },
  };
}

export async function readAll(reader: SessionReader, source: LogSource) {
  const events: ReaderEvent[] = [];
  for await (const event of reader.read(source)) events.push(event);
  const sessions = events.flatMap((e) => (e.kind === 'session' ? [e.session] : []));
  const warnings: ReadWarning[] = events.flatMap((e) => (e.kind === 'warning' ? [e.warning] : []));
  return { sessions, warnings };
}

/** Reads `lines`, noting for each session how many lines had been consumed when it was handed out. */
export async function handedOutAt(reader: SessionReader, lines: string[], path: string): Promise<[string, number][]> {
  let consumed = 0;
  const source: LogSource = {
    path,
    async *lines() {
      for (const line of lines) {
        consumed++;
        yield line;
      }
    },
  };
  const out: [string, number][] = [];
  for await (const event of reader.read(source)) if (event.kind === 'session') out.push([event.session.id, consumed]);
  return out;
}

