import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../../src/sessions/readers/index.js';
import { hashFile, listSessionFiles, loadSessions, readSessionFile } from '../../../src/sessions/load.js';
import { contentHash } from '../../../src/sessions/identity.js';
import type { Session } from '../../../src/sessions/types.js';
import { CLAUDE, FIXTURES, tempDir } from './helpers.js';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const PROJECT = '-Users-chip-dev-ai-music';
const PUSH = `${PROJECT}/fed8ce56-bc79-401f-a83e-af084253362f.jsonl`;

/** A memory repo with real logs, and the kinds of clutter real folders have. */
async function makeRepo(): Promise<string> {
  const repo = await tempDir();
  const projects = join(repo, 'sessions/claude');
  await mkdir(join(projects, PROJECT), { recursive: true });
  await cp(join(CLAUDE, PUSH), join(projects, PUSH));
  await cp(join(CLAUDE, `${PROJECT}/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl`), join(projects, PROJECT, 'ff71dbed.jsonl'));
  await cp(join(CLAUDE, 'claude-code-viewer'), join(projects, 'sample-project'), { recursive: true });
  await cp(join(FIXTURES, 'reverie/deploy-bot'), join(repo, 'sessions/deploy-bot'), { recursive: true });
  await writeFile(join(repo, 'sessions/README.md'), '# not a log\n');
  await mkdir(join(repo, 'sessions/.git'), { recursive: true });
  await writeFile(join(repo, 'sessions/.git/x.jsonl'), 'ignored\n');
  await mkdir(join(repo, 'sessions/node_modules/pkg'), { recursive: true });
  await writeFile(join(repo, 'sessions/node_modules/pkg/x.jsonl'), 'ignored\n');
  return repo;
}

describe('loadSessions', async () => {
  const repo = await makeRepo();
  const outside = await tempDir();

  it('reads every session under a glob, in sorted path order, with agent, source, format and hash', async () => {
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions/**', format: 'auto' }] });
    expect(result.warnings).toEqual([]);
    expect(result.files).toBe(5);
    expect(result.skipped).toBe(0);
    // A file of summaries alone is read, and named with why it gave no session: not a problem, so no warning.
    expect(result.unread).toContainEqual({
      file: 'sessions/claude/-Users-chip-dev-ai-music/ff71dbed.jsonl',
      reason: 'Claude Code summaries (the titles of sessions kept in other files), not a conversation; nothing to learn from',
    });
    expect(result.sessions.map((s) => [s.source, s.agent, s.format, s.id])).toEqual([
      [`sessions/claude/${PUSH}`, PROJECT, 'claude-code', 'fed8ce56-bc79-401f-a83e-af084253362f'],
      ['sessions/claude/sample-project/1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl', 'sample-project', 'claude-code', '1af7fc5e-8455-4414-9ccd-011d40f70b2a'],
      ['sessions/claude/sample-project/5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl', 'sample-project', 'claude-code', '5c0375b4-57a5-4f26-b12d-d022ee4e51b7'],
      ['sessions/claude/sample-project/agent-test-hash-123.jsonl', 'sample-project', 'claude-code', '5c0375b4-57a5-4f26-b12d-d022ee4e51b7:agent-test-hash-123'],
      ['sessions/deploy-bot/2025-06-01.jsonl', 'deploy-bot', 'reverie', '2025-06-01-a'],
      ['sessions/deploy-bot/2025-06-01.jsonl', 'deploy-bot', 'reverie', '2025-06-01-b'],
    ]);
    const push = result.sessions[0]!;
    expect(push.hash).toBe(sha256(await readFile(join(CLAUDE, PUSH))));
    // A log of several sessions: each is known by what was read of it, not by the bytes of the whole log.
    const [a, b] = [result.sessions[4]!, result.sessions[5]!];
    expect([a.hash, b.hash]).toEqual([contentHash(a), contentHash(b)]);
    expect(a.hash).not.toBe(await hashFile(join(repo, 'sessions/deploy-bot/2025-06-01.jsonl')));
  });

  it('skips sessions already processed, by hash, and counts them', async () => {
    const first = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }] });
    const all = new Set(first.sessions.map((s) => s.hash));
    const again = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }], skipHashes: all });
    expect(again).toMatchObject({ sessions: [], skipped: 6, files: 5, warnings: [] });
    const oneLeft = new Set([...all].filter((h) => h !== first.sessions[5]?.hash));
    const partial = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }], skipHashes: oneLeft });
    expect(partial.sessions.map((s) => s.id)).toEqual(['2025-06-01-b']);
    expect(partial.skipped).toBe(5);
  });

  it('takes the agent from the source when given, and accepts absolute paths and explicit formats', async () => {
    const result = await loadSessions({
      repoDir: outside,
      sources: [{ path: join(repo, 'sessions/claude', PROJECT), format: 'claude-code', agent: 'music-bot' }],
    });
    expect(result.sessions.map((s) => [s.agent, s.source])).toEqual([['music-bot', join(repo, 'sessions/claude', PUSH)]]);
  });

  it('honours a glob that names an extension, and a single file', async () => {
    await writeFile(join(repo, 'sessions/deploy-bot/extra.log'), '{"reverie":"session/v1"}\n{"role":"user","text":"hi"}\n');
    const byExt = await listSessionFiles(repo, [{ path: 'sessions/*/*.log', format: 'auto' }]);
    expect(byExt.files.map((f) => f.display)).toEqual(['sessions/deploy-bot/extra.log']);
    const single = await listSessionFiles(repo, [{ path: 'sessions/deploy-bot/2025-06-01.jsonl', format: 'reverie' }]);
    expect(single.files).toEqual([{ path: join(repo, 'sessions/deploy-bot/2025-06-01.jsonl'), display: 'sessions/deploy-bot/2025-06-01.jsonl', format: 'reverie' }]);
  });

  it('lists each file once, for the first source that names it', async () => {
    const { files } = await listSessionFiles(repo, [
      { path: 'sessions/deploy-bot', format: 'reverie', agent: 'first' },
      { path: 'sessions/**/*.jsonl', format: 'auto' },
    ]);
    const deploy = files.filter((f) => f.display.startsWith('sessions/deploy-bot/'));
    expect(deploy).toEqual([expect.objectContaining({ format: 'reverie', agent: 'first' })]);
    expect(files.map((f) => f.display)).toEqual([...files.map((f) => f.display)].sort());
  });

  it('warns about a path that does not exist, and finds nothing for a glob that matches nothing', async () => {
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'nope', format: 'auto' }, { path: 'nothing/**', format: 'auto' }] });
    expect(result).toEqual({ sessions: [], warnings: [{ file: 'nope', message: 'no such file or folder' }], files: 0, skipped: 0, unread: [] });
  });

  it('does not follow symlinks out of the tree, but takes links inside it, and names every link it does not follow', async () => {
    const dir = join(repo, 'linked');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(outside, 'secret.jsonl'), '{"reverie":"session/v1"}\n{"role":"user","text":"outside"}\n');
    await symlink(join(outside, 'secret.jsonl'), join(dir, 'out.jsonl'));
    await symlink(outside, join(dir, 'outdir'));
    await symlink(join(dir, 'sub'), join(dir, 'subdir'));
    await symlink(join(dir, 'gone.jsonl'), join(dir, 'dangling.jsonl'));
    await cp(join(FIXTURES, 'reverie/deploy-bot/2025-06-01.jsonl'), join(dir, 'real.jsonl'));
    await symlink(join(dir, 'real.jsonl'), join(dir, 'alias.jsonl'));
    const { files, unread, warnings } = await listSessionFiles(repo, [{ path: 'linked', format: 'auto' }]);
    expect(files.map((f) => basename(f.path))).toEqual(['alias.jsonl', 'real.jsonl']);
    expect(unread).toEqual([
      { file: 'linked/dangling.jsonl', reason: 'a symbolic link to nothing (or to itself); not followed' },
      { file: 'linked/out.jsonl', reason: 'a symbolic link out of linked; not followed' },
      { file: 'linked/outdir', reason: 'a symbolic link out of linked; not followed' },
      { file: 'linked/subdir', reason: 'a symbolic link to a folder; not entered' },
    ]);
    expect(warnings).toEqual(unread.map(({ file, reason }) => ({ file, message: reason })));
    const loaded = await loadSessions({ repoDir: repo, sources: [{ path: 'linked', format: 'auto' }] });
    expect(loaded.sessions.map((s) => s.turns[0]?.text)).not.toContain('outside');
    expect(loaded.unread.map((u) => u.file)).toEqual(unread.map((u) => u.file));
  });
});

describe('loadSessions: bad files become warnings', async () => {
  const repo = await tempDir();
  const logs = join(repo, 'logs/bot');
  await mkdir(logs, { recursive: true });
  const push = await readFile(join(CLAUDE, PUSH));
  await writeFile(join(logs, 'a-empty.jsonl'), '');
  await writeFile(join(logs, 'b-binary.jsonl'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
  await writeFile(join(logs, 'c-unknown.jsonl'), '{"hello":"world"}\n');
  await writeFile(join(logs, 'd-latin1.jsonl'), Buffer.concat([Buffer.from('{"reverie":"session/v1"}\n{"role":"user","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
  const pushLines = push.toString('utf8').split('\n');
  await writeFile(join(logs, 'e-corrupt.jsonl'), [...pushLines.slice(0, 4), '{"type":"user","mess', '{{{ broken', ...pushLines.slice(4)].join('\n'));
  await writeFile(join(logs, 'f-long.jsonl'), `{"reverie":"session/v1"}\n{"role":"user","text":"${'x'.repeat(5000)}"}\n{"role":"user","text":"short"}\n`);

  it('reads what it can and names the file (and line) of every problem', async () => {
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'logs', format: 'auto' }], maxLineBytes: 4096 });
    expect(result.files).toBe(3);
    // An empty file is named, without a warning: nothing is wrong with it, and nothing was in it.
    expect(result.unread).toEqual([
      { file: 'logs/bot/a-empty.jsonl', reason: 'the file is empty; nothing to read' },
      { file: 'logs/bot/b-binary.jsonl', reason: 'binary file (contains NUL bytes); skipped' },
      { file: 'logs/bot/c-unknown.jsonl', reason: expect.stringMatching(/^unrecognised session log format/) },
    ]);
    expect(result.warnings).toEqual([
      { file: 'logs/bot/b-binary.jsonl', message: 'binary file (contains NUL bytes); skipped' },
      { file: 'logs/bot/c-unknown.jsonl', message: `unrecognised session log format (a JSON object with keys "hello"; not one of: ${FORMATS.join(', ')}); see docs/session-format.md` },
      { file: 'logs/bot/d-latin1.jsonl', line: 2, message: 'invalid UTF-8; bad bytes replaced with U+FFFD' },
      { file: 'logs/bot/e-corrupt.jsonl', line: 5, message: expect.stringMatching(/^not valid JSON/) },
      { file: 'logs/bot/e-corrupt.jsonl', line: 6, message: expect.stringMatching(/^not valid JSON/) },
      { file: 'logs/bot/f-long.jsonl', line: 2, message: 'line longer than 4096 bytes; skipped' },
    ]);
    const byFile = Object.fromEntries(result.sessions.map((s): [string, Session] => [basename(s.source), s]));
    expect(Object.keys(byFile)).toEqual(['d-latin1.jsonl', 'e-corrupt.jsonl', 'f-long.jsonl']);
    expect(byFile['d-latin1.jsonl']?.turns[0]?.text).toBe('caf\uFFFD');
    expect(byFile['e-corrupt.jsonl']?.turns).toHaveLength(10);
    expect(byFile['f-long.jsonl']?.turns.map((t) => t.text)).toEqual(['short']);
  });

  it('reports an unknown configured format for each file, naming it', async () => {
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'logs/bot/c-unknown.jsonl', format: 'teletype' }] });
    expect(result.warnings).toEqual([{ file: 'logs/bot/c-unknown.jsonl', message: `unknown session format "teletype" (known: ${FORMATS.join(', ')})` }]);
  });

  it('turns a file that cannot be read into a warning', async () => {
    const gone = { path: join(repo, 'gone.jsonl'), display: 'gone.jsonl', format: 'auto' };
    expect(await readSessionFile(gone)).toEqual({ sessions: [], skipped: 0, warnings: [{ file: 'gone.jsonl', message: 'cannot read (ENOENT)' }] });
    await mkdir(join(repo, 'folder.jsonl'));
    const folder = { path: join(repo, 'folder.jsonl'), display: 'folder.jsonl', format: 'reverie' };
    expect((await readSessionFile(folder)).warnings).toEqual([{ file: 'folder.jsonl', message: 'cannot read (EISDIR)' }]);
  });

  it.skipIf(process.getuid?.() === 0)('turns a file without read permission into a warning, and reads the others', async () => {
    const locked = join(logs, 'g-locked.jsonl');
    await writeFile(locked, '{"reverie":"session/v1"}\n');
    await chmod(locked, 0o000);
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'logs', format: 'auto' }] });
    expect(result.warnings).toContainEqual({ file: 'logs/bot/g-locked.jsonl', message: 'cannot read (EACCES)' });
    expect(result.sessions.length).toBeGreaterThan(0);
    await chmod(locked, 0o644);
  });
});

describe('loadSessions: every file under a source is read or named', () => {
  it('names a README among the files not read, and warns about package.json, a log in no known format and other files', async () => {
    const repo = await tempDir();
    const tau = join(FIXTURES, 'openai-chat', 'tau-bench');
    const names = await readdir(tau);
    const chat = names.find((n) => n.endsWith('.json')) as string;
    await mkdir(join(repo, 'sessions', 'bot'), { recursive: true });
    await cp(join(tau, chat), join(repo, 'sessions', 'bot', chat));
    await writeFile(join(repo, 'sessions', 'README.md'), '# Session logs\n\nDrop agent logs here.\n');
    await writeFile(join(repo, 'sessions', 'package.json'), '{ "name": "not-a-log" }\n');
    await writeFile(join(repo, 'sessions', 'bot', 'broken.jsonl'), 'not json at all\n');
    await writeFile(join(repo, 'sessions', 'bot', 'notes.txt'), 'todo: export the logs\n');
    await writeFile(join(repo, 'sessions', 'bot', '.gitkeep'), '');
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }] });
    expect(result.sessions.map((s) => s.format)).toContain('openai-chat');
    expect(result.files).toBe(1);
    // Each says what reverie saw in it.
    const unknown = (shape: string) => `unrecognised session log format (${shape}; not one of: ${FORMATS.join(', ')}); see docs/session-format.md`;
    expect(result.unread).toEqual([
      { file: 'sessions/bot/.gitkeep', reason: 'not a session log by its extension (none; logs end in .jsonl, .ndjson, .json, .md); not read' },
      { file: 'sessions/bot/notes.txt', reason: 'not a session log by its extension (.txt; logs end in .jsonl, .ndjson, .json, .md); not read' },
      { file: 'sessions/README.md', reason: unknown('Markdown beginning "# Session logs"') },
      { file: 'sessions/bot/broken.jsonl', reason: unknown('text beginning "not json at all"') },
      { file: 'sessions/package.json', reason: unknown('a JSON object with keys "name"') },
    ]);
    // A README or a hidden file only describes or keeps its folder: named above, but no warning on every cycle.
    expect(result.warnings.map((w) => w.file)).toEqual(['sessions/bot/notes.txt', 'sessions/bot/broken.jsonl', 'sessions/package.json']);
  });

  it('a log whose only line is longer than the longest line read is not read, and says so, with the line', async () => {
    const repo = await tempDir();
    await mkdir(join(repo, 'sessions', 'bot'), { recursive: true });
    await writeFile(join(repo, 'sessions', 'bot', 'huge.jsonl'), `{"reverie":"session/v1","pad":"${'x'.repeat(5000)}"}\n\n`);
    const result = await loadSessions({ repoDir: repo, sources: [{ path: 'sessions', format: 'auto' }], maxLineBytes: 4096 });
    expect(result).toMatchObject({ sessions: [], files: 0 });
    const message = 'no line to tell the format by: line 1 is longer than 4096 bytes, and no other line has text; not read';
    expect(result.warnings).toEqual([{ file: 'sessions/bot/huge.jsonl', line: 1, message }]);
    expect(result.unread).toEqual([{ file: 'sessions/bot/huge.jsonl', reason: message }]);
  });

  it('names a FIFO instead of waiting on it forever, in a folder and when named on its own', async () => {
    const repo = await tempDir();
    await mkdir(join(repo, 'sessions'), { recursive: true });
    execFileSync('mkfifo', [join(repo, 'sessions', 'pipe.jsonl')]);
    const reason = 'not a regular file; not read';
    for (const path of ['sessions', 'sessions/pipe.jsonl']) {
      const result = await loadSessions({ repoDir: repo, sources: [{ path, format: 'auto' }] });
      expect(result.warnings).toEqual([{ file: 'sessions/pipe.jsonl', message: reason }]);
      expect(result.unread).toEqual([{ file: 'sessions/pipe.jsonl', reason }]);
    }
  });
});

describe('loadSessions: redaction', () => {
  it("hands on sessions whose every text went through our table and secretlint's preset, in a log of any format", async () => {
    const dir = await tempDir();
    // A Shopify token only the preset knows, in a message, a tool input and a tool result; and a password in prose.
    const shop = 'shpat_' + 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const log = [
      { reverie: 'session/v1', agent: 'shop-bot' },
      { session: 'x', role: 'user', text: `Sync the shop with ${shop}; the password Sup3rS3cret!x is for the admin.` },
      { session: 'x', type: 'tool_call', id: 'c1', name: 'Bash', input: { command: `shop-sync --token ${shop}` } },
      { session: 'x', type: 'tool_result', call: 'c1', error: true, text: `401 for token ${shop}` },
    ];
    await writeFile(join(dir, 'shop.jsonl'), log.map((record) => JSON.stringify(record)).join('\n'));
    const { sessions, warnings } = await loadSessions({ repoDir: dir, sources: [{ path: '*.jsonl', format: 'auto' }] });
    expect(warnings).toEqual([]);
    const text = JSON.stringify(sessions);
    expect(text).not.toContain(shop.slice(6));
    expect(text).not.toContain('Sup3rS3cret');
    const turns = sessions[0]?.turns ?? [];
    expect(turns.find((t) => t.role === 'user')?.text).toContain('Sync the shop with [REDACTED:secretlint-shopify];');
    expect(turns.flatMap((t) => t.toolCalls)[0]?.input).toEqual({ command: 'shop-sync --token [REDACTED:secretlint-shopify]' });
    expect(turns.flatMap((t) => t.toolResults)[0]?.text).toBe('401 for token [REDACTED:secretlint-shopify]');
    expect(text).toContain('the password [REDACTED:password-in-prose] is for the admin');
  });
});
