import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aiderReader } from '../../../src/sessions/readers/aider.js';
import type { LogSource, Turn } from '../../../src/sessions/types.js';
import { FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const AIDER = join(FIXTURES, 'aider');
const SESSIONS = 'chat-history.SESSIONS-EXCERPT.md';
const DISPLAY = 'projects/aider/.aider.chat.history.md';

async function readFixture(file = SESSIONS, display = DISPLAY) {
  return readAll(aiderReader, sourceOf(join(AIDER, file), display));
}

async function session(startedAt: string) {
  const { sessions } = await readFixture();
  const found = sessions.find((s) => s.startedAt === startedAt);
  expect(found, startedAt).toBeDefined();
  return found!;
}

const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);
const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
const TOKEN = ['ghp', '_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'].join('');

/**
 * Written for these tests, line by line in the shapes aider's source writes (io.py append_chat_history, user_input,
 * confirm_ask; base_coder.py handle_shell_commands; commands.py cmd_run): the real sample predates aider running the
 * shell commands a model suggests.
 */
const NEWER = [
  '',
  '# aider chat started at 2025-05-19 19:18:12',
  '',
  '> /home/dev/.local/bin/aider --model sonnet  ',
  '> Aider v0.83.1  ',
  '> Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output  ',
  '> Git repo: .git with 12 files  ',
  '> Repo-map: using 4096 tokens, auto refresh  ',
  '',
  '#### add a /health endpoint to app.py  ',
  '#### and run the tests  ',
  '',
  "I'll add the endpoint, then run the tests.",
  '',
  'app.py',
  '```python',
  '<<<<<<< SEARCH',
  '=======',
  '@app.route("/health")',
  'def health():',
  '    return "ok"',
  '>>>>>>> REPLACE',
  '```',
  '',
  '```bash',
  'pytest -q',
  'rm -rf build/',
  '```',
  '',
  '> Tokens: 3.1k sent, 214 received. Cost: $0.01 message, $0.01 session.  ',
  '> Applied edit to app.py  ',
  '> Commit 3f9c2ab feat: Add /health endpoint  ',
  '> pytest -q                     ',
  'rm -rf build/  ',
  "> Run shell commands? (Y)es/(N)o/(D)on't ask again [Yes]: n  ",
  '> pytest -q  ',
  "> Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: y  ",
  '> Running pytest -q  ',
  "> Add command output to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y  ",
  '> Added 12 lines of output to the chat.  ',
  '> You can use /undo to undo and discard each aider commit.  ',
  '',
  '#### /run npm run lint  ',
  '> Add 1.3k tokens of command output to the chat? (Y)es/(N)o [Yes]: y  ',
  '> Added 55 lines of output to the chat.  ',
  '',
  '#### /test npm test  ',
  '> Added 40 lines of output to the chat.  ',
  '',
  'The test fails because `health` returns a string; Flask needs a response.',
  '',
];

describe('aider reader: the real history', () => {
  it('reads one session per run, in file order, with ids and start times from the headers', async () => {
    const { sessions, warnings } = await readFixture();
    expect(warnings).toEqual([]);
    // The run at 19:33:02 only printed aider's banner: nothing to learn from, no session.
    expect(sessions.map((s) => s.id)).toEqual([
      'projects/aider/.aider.chat.history@2024-08-05T19:33:32',
      'projects/aider/.aider.chat.history@2024-08-05T20:39:59',
      'projects/aider/.aider.chat.history@2024-08-06T09:06:27',
      'projects/aider/.aider.chat.history@2024-08-07T12:46:04',
      'projects/aider/.aider.chat.history@2024-08-07T13:24:55',
      'projects/aider/.aider.chat.history@2024-08-09T16:51:14',
    ]);
    for (const s of sessions) {
      expect(s.agent).toBe('aider');
      expect(s.startedAt).toBe(s.id.split('@')[1]);
      expect(s.turns.map((t) => t.index)).toEqual([...s.turns.keys()]);
    }
  });

  it('reads what the person typed, the reply, and the edit aider applied', async () => {
    const s = await session('2024-08-05T19:33:32');
    expect(s.turns.map((t) => [t.role, t.synthetic ?? false])).toEqual([
      ['user', false],
      ['assistant', false],
      ['user', false],
      ['user', true],
      ['user', true],
    ]);
    expect(s.turns[0]?.text).toBe('Use the Spinner instead of the inlined custom spinner');
    expect(s.turns[1]?.text).toMatch(/^Certainly! I'll modify the `run_install` function/);
    expect(s.turns[1]?.text).toContain('<<<<<<< SEARCH');
    expect(s.turns[1]?.toolCalls).toEqual([{ id: 'aider-1', name: 'edit', input: { file_path: 'aider/utils.py' } }]);
    expect(s.turns[2]?.toolResults).toEqual([{ toolCallId: 'aider-1', isError: false, text: 'Applied edit to aider/utils.py' }]);
    expect(s.turns.slice(3).map((t) => t.text)).toEqual(['/diff', '/ex']);
  });

  it("leaves aider's bookkeeping out: token counts, commits, the banner, ^C", async () => {
    const all = JSON.stringify((await readFixture()).sessions);
    for (const noise of ['Tokens: ', 'Commit 3', 'Aider v0.4', 'Repo-map:', '^C again', 'You can use /undo']) expect(all).not.toContain(noise);
  });

  it('reads /test as a shell call whose failure shows in the output aider added to the chat', async () => {
    const s = await session('2024-08-06T09:06:27');
    expect(s.turns.slice(0, 4).map((t) => [t.role, t.synthetic ?? false, t.text.slice(0, 40)])).toEqual([
      ['user', true, '/test pytest tests/basic/test_main.py'],
      ['assistant', true, ''],
      ['user', true, ''],
      ['assistant', false, 'Based on the test output, it appears tha'],
    ]);
    expect(s.turns[1]?.toolCalls).toEqual([{ id: 'aider-1', name: 'shell', input: { command: 'pytest tests/basic/test_main.py' } }]);
    const [result] = s.turns[2]!.toolResults;
    expect(result?.isError).toBe(true);
    expect(result?.text).toMatch(/^=+ test session starts =+/);
    expect(result?.text).toContain('2 failed, 25 passed in 4.37s');
    // Old aider logged the output twice (once whole, once line by line as it added it): the copy is left out.
    expect(result?.text.match(/test session starts/g)).toHaveLength(1);
    expect(s.turns.some((t) => t.role === 'system')).toBe(false);
  });

  it('reads `!cmd` as a shell call with its output', async () => {
    const s = await session('2024-08-07T12:46:04');
    expect(calls(s).map((c) => c.input.command)).toEqual(['ls', 'ls --color']);
    expect(results(s)[0]).toMatchObject({ toolCallId: 'aider-1', isError: false });
    expect(results(s)[0]?.text).toMatch(/^CNAME\nCONTRIBUTING.md\n/);
    expect(s.turns[0]).toMatchObject({ role: 'user', text: '!ls', synthetic: true });
  });

  it('reads edits that did not apply as failed edit calls, lint output as harness text', async () => {
    const s = await session('2024-08-07T13:24:55');
    const failed = results(s).filter((r) => r.isError);
    expect(failed).toHaveLength(3);
    for (const r of failed) {
      expect(r.text).toMatch(/^The LLM did not conform to the edit format\./);
      expect(r.text).toContain('# 1 SEARCH/REPLACE block failed to match!');
    }
    const byId = new Map(calls(s).map((c) => [c.id, c]));
    expect(byId.get(failed[0]!.toolCallId)).toMatchObject({ name: 'edit', input: { file_path: 'aider/main.py' } });
    const lint = s.turns.find((t) => t.role === 'system');
    expect(lint).toMatchObject({ synthetic: true });
    expect(lint?.text).toMatch(/^# Fix any errors below, if possible\./);
    expect(s.turns.at(-1)?.toolCalls[0]).toMatchObject({ name: 'shell', input: { command: 'aider ~/tmp/foo.txt README.me' } });
  });

  it('reads instructions typed at the "add the output?" prompt as the person speaking', async () => {
    const s = await session('2024-08-09T16:51:14');
    const at = s.turns.findIndex((t) => t.text === "the test is failing because glob_filtered_to_repo doesn't apply to read_only files");
    expect(at).toBeGreaterThan(0);
    expect(s.turns[at]).toMatchObject({ role: 'user' });
    expect(s.turns[at]?.synthetic).toBeUndefined();
    expect(s.turns[at - 1]?.toolResults[0]).toMatchObject({ isError: true });
    expect(s.turns[at - 2]?.toolCalls[0]?.input.command).toBe('pytest tests/basic/test_commands.py -k test_cmd_read_with_external_file');
    expect(s.outcome).toMatchObject({ status: 'failure', inferred: true });
  });

  it('marks slash commands and messages aider sends in the person’s name as synthetic, keeps /ask and /help requests', async () => {
    const { sessions } = await readAll(
      aiderReader,
      sourceOfLines(['# aider chat started at 2024-08-10 10:00:00', '', '#### /ask why does it fail?  ', '', '#### /undo  ', '', '#### # Question:  why does it fail?  ', '']),
    );
    expect(sessions[0]?.turns.map((t) => [t.text, t.synthetic ?? false])).toEqual([
      ['/ask why does it fail?', false],
      ['/undo', true],
      ['# Question:  why does it fail?', true],
    ]);
  });
});

describe('aider reader: newer aider', () => {
  it('reads the shell commands a reply suggested: declined ones as rejected calls, run ones as calls', async () => {
    const { sessions, warnings } = await readAll(aiderReader, sourceOfLines(NEWER, 'app/.aider.chat.history.md'));
    expect(warnings).toEqual([]);
    const [s] = sessions;
    expect(s?.id).toBe('app/.aider.chat.history@2025-05-19T19:18:12');
    expect(s?.agent).toBe('app');
    expect(s?.turns[0]).toMatchObject({ role: 'user', text: 'add a /health endpoint to app.py\nand run the tests' });
    expect(s?.turns[1]?.text).toMatch(/^I'll add the endpoint/);
    expect(s?.turns[1]?.text).toContain('>>>>>>> REPLACE');
    expect(calls(s!).map((c) => [c.name, c.input])).toEqual([
      ['edit', { file_path: 'app.py' }],
      ['shell', { command: 'pytest -q' }],
      ['shell', { command: 'rm -rf build/' }],
      ['shell', { command: 'pytest -q' }],
      ['shell', { command: 'npm run lint' }],
      ['shell', { command: 'npm test' }],
    ]);
    const byCall = new Map(results(s!).map((r) => [r.toolCallId, r]));
    expect(byCall.get('aider-2')).toMatchObject({ isError: true, rejected: true });
    expect(byCall.get('aider-3')).toMatchObject({ isError: true, rejected: true });
    // Newer aider does not log a command's output: nothing is known of how `pytest -q` or `/run` went.
    expect(byCall.has('aider-4')).toBe(false);
    expect(byCall.has('aider-5')).toBe(false);
    // `/test` adds its output to the chat only when the command failed.
    expect(byCall.get('aider-6')).toEqual({ toolCallId: 'aider-6', isError: true, text: 'Added 40 lines of output to the chat.' });
    expect(s?.turns.at(-1)).toMatchObject({ role: 'assistant', text: 'The test fails because `health` returns a string; Flask needs a response.' });
    expect(s?.outcome.status).toBe('failure');
  });

  it('reads a history whose trailing spaces an editor stripped the same way', async () => {
    const strict = (await readAll(aiderReader, sourceOfLines(NEWER))).sessions[0]!;
    const stripped = (await readAll(aiderReader, sourceOfLines(NEWER.map((l) => l.trimEnd())))).sessions[0]!;
    expect(stripped.turns.filter((t) => !t.synthetic).map((t) => [t.role, t.text])).toEqual(strict.turns.filter((t) => !t.synthetic).map((t) => [t.role, t.text]));
    expect(calls(stripped).map((c) => c.name)).toContain('edit');
  });
});

describe('aider reader: streaming, damaged and odd input', () => {
  it('hands out each session when the next one starts, before the file is read to its end', async () => {
    let pulled = 0;
    const lines = [...NEWER, '# aider chat started at 2025-05-19 19:30:00', '', '#### hello  ', '', 'Hi!', '', ...Array<string>(1000).fill('filler')];
    const source: LogSource = {
      path: 'h.md',
      async *lines() {
        for (const line of lines) {
          pulled++;
          yield line;
        }
      },
    };
    for await (const event of aiderReader.read(source)) {
      if (event.kind === 'session') {
        expect(event.session.id).toBe('h@2025-05-19T19:18:12');
        expect(pulled).toBe(NEWER.length + 1);
        break;
      }
    }
  });

  it('reads content before the first header as a session of its own, and numbers repeated start times', async () => {
    const { sessions } = await readAll(
      aiderReader,
      sourceOfLines(
        ['#### fix the build  ', '', 'Done.', '', '# aider chat started at 2024-08-05 19:33:02', '', '#### a  ', '', '# aider chat started at 2024-08-05 19:33:02', '', '#### b  '],
        'x/h.md',
      ),
    );
    expect(sessions.map((s) => [s.id, s.startedAt, s.turns[0]?.text])).toEqual([
      ['x/h', undefined, 'fix the build'],
      ['x/h@2024-08-05T19:33:02', '2024-08-05T19:33:02', 'a'],
      ['x/h@2024-08-05T19:33:02#2', '2024-08-05T19:33:02', 'b'],
    ]);
  });

  it('reads a copy that starts in the middle of a run', async () => {
    const { sessions, warnings } = await readFixture('chat-history.STARTS-MID-SESSION.md');
    expect(warnings).toEqual([]);
    // What precedes the first header is lint output aider sent in the person's name: no one spoke.
    expect(sessions.map((s) => s.startedAt)).toEqual(['2024-08-05T19:33:32']);
  });

  it('warns about a header whose time cannot be read, and still reads the session', async () => {
    const { sessions, warnings } = await readAll(aiderReader, sourceOfLines(['# aider chat started at 2024-13-45 25:61:00', '', '#### hi  ', '', 'Hello.'], 'h.md'));
    expect(warnings).toEqual([{ file: 'h.md', line: 1, message: 'unreadable start time "2024-13-45 25:61:00"' }]);
    expect(sessions[0]?.id).toBe('h@2024-13-45T25:61:00');
    expect(sessions[0]?.startedAt).toBeUndefined();
  });

  it('reads a history cut off inside a reply or inside a message of several lines', async () => {
    const cutReply = NEWER.slice(0, 20);
    const reply = (await readAll(aiderReader, sourceOfLines(cutReply))).sessions[0];
    expect(reply?.turns.map((t) => t.role)).toEqual(['user', 'assistant']);
    const cutMessage = ['# aider chat started at 2024-08-05 19:33:02', '', '#### !ls  ', '> CNAME', 'README.md'];
    const message = (await readAll(aiderReader, sourceOfLines(cutMessage))).sessions[0];
    expect(results(message!)[0]?.text).toBe('CNAME\nREADME.md');
  });

  it('reads nothing from empty input or a file of blank lines', async () => {
    expect(await readAll(aiderReader, sourceOfLines([]))).toEqual({ sessions: [], warnings: [] });
    expect(await readAll(aiderReader, sourceOfLines(['', '', '-*- mode: fundamental -*-']))).toEqual({ sessions: [], warnings: [] });
  });

  it('never hands out a token planted in a prompt, a reply, a command or its output', async () => {
    const lines = [
      '# aider chat started at 2024-08-05 19:33:02',
      '',
      `#### use the token ${TOKEN}  `,
      '',
      `Setting GITHUB_TOKEN=${TOKEN} now.`,
      '',
      `#### !git push https://${TOKEN}@github.com/x/y  `,
      `> remote: invalid credentials for ${TOKEN}`,
      'fatal: Authentication failed  ',
    ];
    const { sessions } = await readAll(aiderReader, sourceOfLines(lines));
    const all = JSON.stringify(sessions);
    expect(all).not.toContain(TOKEN);
    expect(all).toContain('[REDACTED:github-token]');
    expect(results(sessions[0]!)[0]?.isError).toBe(true);
  });
});
