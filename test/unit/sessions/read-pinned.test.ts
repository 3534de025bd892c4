/**
 * What reading real logs gives, pinned: a digest of every session (turns, texts, redactions, ids, hashes) and every
 * warning read from the real Codex rollouts, and from the real logs of the other formats whose reading goes through
 * the same shared code (lines, detection, redaction's two passes, identities). Work done to read faster must leave
 * each digest as it is; a change meant to alter what is read updates the digest in the same commit, and says why.
 *
 * The repository's fixtures are always read; the shared collection of real data (REVERIE_SHARED_FIXTURES=<folder>)
 * too when it is there, its Codex rollouts taken from the projects that hold them.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSessionFile } from '../../../src/sessions/load.js';
import { FIXTURES } from './helpers.js';

const SHARED = process.env.REVERIE_SHARED_FIXTURES ?? '';

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : /\.jsonl?$/.test(name) ? [path] : [];
    });
}

/**
 * sha256 of what reading each file gives, in sorted path order, the path relative to `root` (so that the digest is
 * the same wherever the files are). `format` is the reader named, or `auto` for detection too.
 */
async function digestOf(root: string, files: string[], format: string): Promise<string> {
  const hash = createHash('sha256');
  for (const path of files) {
    const display = relative(root, path).replaceAll('\\', '/');
    const read = await readSessionFile({ path, display, format });
    hash.update(`${display}\n${JSON.stringify(read)}\n`);
  }
  return hash.digest('hex');
}

/** The JSON Lines logs under a folder. */
function rollouts(dir: string): string[] {
  return filesUnder(dir).filter((path) => /\.jsonl$/.test(path));
}

describe('reading real logs, pinned', () => {
  it('the Codex rollouts of the repository read as they did, named or detected', async () => {
    const files = rollouts(join(FIXTURES, 'codex'));
    expect(files.length).toBeGreaterThan(1);
    expect(await digestOf(FIXTURES, files, 'codex')).toBe(PINNED.fixturesCodex);
    expect(await digestOf(FIXTURES, files, 'auto')).toBe(PINNED.fixturesCodex);
  });

  it('the logs of the other formats in the repository read as they did, detected', async () => {
    const folders = ['claude-code', 'copilot-cli', 'gemini-cli', 'openai-chat', 'anthropic-messages'];
    const files = folders.flatMap((folder) => filesUnder(join(FIXTURES, folder)));
    expect(files.length).toBeGreaterThan(10);
    expect(await digestOf(FIXTURES, files, 'auto')).toBe(PINNED.fixturesOthers);
  });

  const codexFolders = ['agentcmd/codex', 'agent-history/real_sessions/codex', 'real-memory/logs-and-rules/EntityProcess__agentv/sessions'];
  it.skipIf(SHARED === '' || !codexFolders.every((folder) => existsSync(join(SHARED, folder))))(
    'the Codex rollouts of the shared collection read as they did',
    async () => {
      const files = codexFolders.flatMap((folder) => rollouts(join(SHARED, folder))).filter((path) => isCodex(path));
      expect(files.length).toBeGreaterThanOrEqual(20);
      expect(await digestOf(SHARED, files, 'codex')).toBe(PINNED.sharedCodex);
      expect(await digestOf(SHARED, files, 'auto')).toBe(PINNED.sharedCodex);
    },
    120_000,
  );
});

/** A file Codex wrote: its first record is one of a rollout's (the agentcmd project also keeps single records as samples). */
function isCodex(path: string): boolean {
  const head = firstBytes(path, 4096);
  return ['"session_meta"', '"response_item"', '"event_msg"', '"turn_context"'].some((type) => head.includes(type));
}

function firstBytes(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const PINNED = {
  fixturesCodex: 'b4df2192d01642b1d919d96989033a5d4097ce3b3d116fb0ea3ee2084dd27553',
  // The one unrecognised file's warning lists the formats tried, managed-agents among them since that reader came.
  fixturesOthers: '31aa8939aadd94d3e9d224339a522086c88a99ee9c10bdce6b4628bbcb5fdf6e',
  sharedCodex: 'cebe0706d241788850cc0adfe67166e59f039d7f20bf5590f9166ab5487e842e',
};
