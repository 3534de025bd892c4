/**
 * A very large log read in bounded memory: writes one Claude Code JSONL log of about `--mb` megabytes (the records
 * of the benchmark's generated sessions, one after the other, so many sessions in one file, with a 50 MB line and
 * a corrupt line in the middle), then streams it the way a cycle does, observing each session and letting it go, and
 * prints the time and the peak RSS of the process against the size of the file.
 *
 *     npx tsx bench/sessions/big-log.ts [--mb 1000]
 *
 * The log is written by a child process, so that the peak RSS printed is the reading's alone.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { observeSession } from '../../src/dream/extract/index.js';
import { streamSessions } from '../../src/sessions/load.js';
import { generateSession } from '../perf/sessions.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '1000' }, 'write-to': { type: 'string' } } });
const TARGET = Number(values.mb) * 1e6;

async function writeLog(path: string): Promise<number> {
  const out = createWriteStream(path);
  const write = (text: string) => new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  let bytes = 0;
  for (let n = 0; bytes < TARGET; n++) {
    const text = generateSession(n).text;
    await write(text);
    bytes += Buffer.byteLength(text);
    if (n === 1000) {
      // A 50 MB line and a corrupt one: cut short and skipped with a warning, the rest read.
      const huge = `${JSON.stringify({ type: 'user', sessionId: 'huge', message: { role: 'user', content: 'x'.repeat(50_000_000) } })}\n`;
      await write(huge);
      await write('{"type": "assistant", "message": {"content": [\n');
      bytes += Buffer.byteLength(huge);
    }
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return bytes;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(os.tmpdir(), 'reverie-big-log-'));
  try {
    await mkdir(join(root, 'sessions', 'bench-agent'), { recursive: true });
    const file = join(root, 'sessions', 'bench-agent', 'big.jsonl');
    const t0 = performance.now();
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--mb', String(values.mb), '--write-to', file], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`writing the log failed (${child.status})`);
    const size = (await stat(file)).size;
    console.log(`wrote ${(size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s; reading it as a cycle does`);
    const before = process.memoryUsage().rss;
    let observed = 0;
    const t1 = performance.now();
    const result = await streamSessions({ repoDir: root, sources: [{ path: 'sessions', format: 'auto' }] }, (session) => {
      observeSession(session);
      observed++;
    });
    const seconds = (performance.now() - t1) / 1000;
    const peak = process.resourceUsage().maxRSS / 1024;
    console.log(`| log | sessions | warnings | time | MB/s | RSS before | peak RSS |`);
    console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
    console.log(`| ${(size / 1e6).toFixed(0)} MB, one file | ${observed} | ${result.warnings.length} | ${seconds.toFixed(1)} s | ${(size / 1e6 / seconds).toFixed(1)} | ${(before / 1e6).toFixed(0)} MB | ${peak.toFixed(0)} MB |`);
    for (const w of result.warnings.slice(0, 3)) console.log(`warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const run = values['write-to'] ? writeLog(values['write-to']).then(() => undefined) : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
