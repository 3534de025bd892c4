import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copilotCliReader } from '../../../src/sessions/readers/copilot-cli.js';
import { detectFormat } from '../../../src/sessions/readers/index.js';
import type { Turn } from '../../../src/sessions/types.js';
import { FIXTURES, readAll, sourceOf, sourceOfLines } from './helpers.js';

const COPILOT = join(FIXTURES, 'copilot-cli', 'agentv');
const EVAL_RUN = '325365b92c-0.jsonl';
const HOOK_DEBUG = '9e1b9e5502-0.first28.jsonl';
/** The project whose checkpoints hold Copilot CLI logs, in the shared collection of real data (REVERIE_SHARED_FIXTURES). */
const SHARED = process.env.REVERIE_SHARED_FIXTURES ?? '';
const AGENTV = SHARED === '' ? '' : join(SHARED, 'real-memory', 'logs-and-rules', 'EntityProcess__agentv', 'sessions');

const calls = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolCalls);
const results = (s: { turns: Turn[] }) => s.turns.flatMap((t) => t.toolResults);
/** A fake GitHub token, built at run time so that no secret scanner flags this file. */
const TOKEN = ['ghp', '_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'].join('');

async function one(path: string, display = path) {
  const { sessions, warnings } = await readAll(copilotCliReader, sourceOf(path, display));
  expect(warnings).toEqual([]);
  expect(sessions).toHaveLength(1);
  return sessions[0]!;
}

async function read(events: object[], display = 'home/.copilot/session-state/5f1e0c1a-0000-4000-8000-000000000001/events.jsonl') {
  return readAll(copilotCliReader, sourceOfLines(events.map((e) => JSON.stringify(e)), display));
}

function expectPaired(session: { turns: Turn[] }): void {
  const seen = new Set<string>();
  for (const turn of session.turns) {
    for (const result of turn.toolResults) expect(seen).toContain(result.toolCallId);
    for (const call of turn.toolCalls) seen.add(call.id);
  }
}

let clock = Date.parse('2026-06-25T01:50:34.000Z');
/** One event as the CLI writes it: type, data, id, timestamp, parentId. */
function ev(type: string, data: object, extra: object = {}): object {
  clock += 1000;
  return { type, data, id: `e${clock}`, timestamp: new Date(clock).toISOString(), parentId: null, ...extra };
}
const start = (data: object = {}) =>
  ev('session.start', { sessionId: 'c0ffee00-1111-4222-8333-444455556666', version: 1, producer: 'copilot-agent', copilotVersion: '1.0.64', startTime: '2026-06-25T01:50:34.000Z', context: { cwd: '/work/app', branch: 'main' }, ...data });
const user = (content: string, data: object = {}, extra: object = {}) => ev('user.message', { content, transformedContent: `<current_datetime>x</current_datetime>\n\n${content}`, attachments: [], ...data }, extra);
const said = (content: string, requests: { id: string; name: string; args: object }[] = [], extra: object = {}) =>
  ev('assistant.message', { messageId: `m${clock}`, content, toolRequests: requests.map((r) => ({ toolCallId: r.id, name: r.name, arguments: r.args, type: 'function' })), reasoningText: 'thinking it over' }, extra);
const started = (id: string, name: string, args: object, extra: object = {}) => ev('tool.execution_start', { toolCallId: id, toolName: name, arguments: args }, extra);
const done = (id: string, content: string, extra: object = {}) => ev('tool.execution_complete', { toolCallId: id, success: true, result: { content, detailedContent: content } }, extra);
const failed = (id: string, message: string, code?: string) => ev('tool.execution_complete', { toolCallId: id, success: false, error: { message, ...(code ? { code } : {}) } });

describe('copilot-cli reader: real logs', () => {
  it('reads an eval run: id, agent, cwd, branch, times, the question and the answer', async () => {
    const s = await one(join(COPILOT, EVAL_RUN), `sessions/db/325365b92c/0/full.jsonl`);
    expect(s.id).toBe('1afc31c8-d97f-4331-bae9-b6417f1b79a9');
    // The Entire layout names no agent: the folder that holds the log does, as for the other formats.
    expect(s.agent).toBe('0');
    expect(s.cwd).toBe('/home/entity/projects/EntityProcess/agentv__worktrees/dashboard-vercel-playground-ux');
    expect(s.gitBranch).toBe('fix/copilot-sdk-epipe');
    expect(s.startedAt).toBe('2026-06-23T05:17:20.668Z');
    expect(s.endedAt).toBe('2026-06-23T05:17:39.041Z');
    // What the person typed, not the harness's transformed copy with its timestamp and reminders; no system prompt.
    expect(s.turns.map((t) => [t.role, t.text])).toEqual([
      ['user', '[[ ## user_query ## ]]\n\nWhat is 2+2?'],
      ['assistant', '2 + 2 is **4**.'],
    ]);
    // The eval harness that drove the CLI filled in a template (`[[ ## user_query ## ]]`): no person typed it.
    expect(s.turns[0]?.synthetic).toBe(true);
    expect(s.outcome).toEqual({ status: 'unknown', inferred: true });
  });

  it('reads tool calls with their inputs, and their results, from the start of a debugging session', async () => {
    const s = await one(join(COPILOT, HOOK_DEBUG), 'sessions/26/9e1b9e5502/0/full.jsonl');
    expect(s.id).toBe('10fb4666-56f0-4352-90fc-715caf95b418');
    expect(s.turns[0]?.text).toMatch(/^investigate why i get {2}Check hook recovered and main state \(shell\)/);
    expect(s.turns[0]?.text).toMatch(/Denied by preToolUse hook from ".github\/hooks\/entire.json" \(hook errored\)\s+and fix$/);
    expect(s.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(calls(s)).toEqual([
      {
        id: 'toolu_bdrk_01SMxhwX6xh7yd7zJ2Mvkhq7',
        name: 'bash',
        input: {
          command: 'cat /home/entity/projects/EntityProcess/agentv/.github/hooks/entire.json 2>/dev/null && echo "---" && ls /home/entity/projects/EntityProcess/agentv/.github/hooks/ 2>/dev/null',
          description: 'Read the hook config and list hooks directory',
        },
      },
      { id: 'toolu_bdrk_016Vhz9rZBJHNBAPu8Crj4h1', name: 'bash', input: { command: 'which entire 2>/dev/null && entire --version 2>/dev/null; echo "exit: $?"', description: 'Check if entire CLI is installed' } },
    ]);
    expect(results(s).map((r) => r.isError)).toEqual([false, false]);
    expect(results(s)[1]?.text).toBe('/home/entity/.local/bin/entire\nEntire CLI 0.7.6\nGo version: go1.26.4\nOS/Arch: linux/amd64\nexit: 0\n<shellId: 1 completed with exit code 0>');
    expectPaired(s);
  });

  it('is what detection picks for these logs', async () => {
    for (const file of [EVAL_RUN, HOOK_DEBUG]) {
      const lines = (await readFile(join(COPILOT, file), 'utf8')).split('\n').slice(0, 5);
      expect(detectFormat(lines, `sessions/${file}`).format).toBe('copilot-cli');
    }
  });
});

/** Every `full.jsonl` of the project that Copilot CLI wrote. */
async function copilotLogs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const logs = entries.filter((e) => e.endsWith('full.jsonl')).map((e) => join(dir, e));
  const copilot: string[] = [];
  for (const log of logs) if ((await readFile(log, 'utf8')).startsWith('{"type":"session.start"')) copilot.push(log);
  return copilot.sort();
}

/** What the file itself says, counted without the reader: the events a session is made of. */
function countEvents(text: string) {
  const events = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
  const requested = new Set<string>();
  for (const e of events) {
    if (e.type === 'assistant.message') for (const r of e.data.toolRequests ?? []) requested.add(r.toolCallId);
    if (e.type === 'tool.execution_start') requested.add(e.data.toolCallId);
  }
  const completions = events.filter((e) => e.type === 'tool.execution_complete');
  const exitCode = (e: (typeof events)[number]) => /completed with exit code (\d+)>\s*$/.exec(e.data.result?.content ?? '')?.[1];
  return {
    // What a person typed: not the prompts agentv's eval harness filled in from its template.
    prompts: events
      .filter((e) => e.type === 'user.message')
      .map((e) => String(e.data.content).trim())
      .filter((p) => !p.startsWith('[[ ## user_query ## ]]')),
    templated: events.filter((e) => e.type === 'user.message' && String(e.data.content).startsWith('[[ ## user_query ## ]]')).length,
    replies: events.filter((e) => e.type === 'assistant.message' && String(e.data.content).trim() !== '').length,
    calls: requested.size,
    results: completions.length,
    errors: completions.filter((e) => e.data.success === false || (exitCode(e) ?? '0') !== '0').length,
  };
}

describe.skipIf(!existsSync(AGENTV))('copilot-cli reader: every Copilot CLI log of a real project', () => {
  it('reads the 11 logs whole: sessions, turns, tool calls, results and errors as the files count them', async () => {
    const logs = await copilotLogs(AGENTV);
    expect(logs).toHaveLength(11);
    const totals = { calls: 0, errors: 0, typed: 0, templated: 0, silent: 0 };
    for (const log of logs) {
      const display = relative(AGENTV, log);
      const lines = (await readFile(log, 'utf8')).split('\n');
      expect(detectFormat(lines.slice(0, 5), display).format, display).toBe('copilot-cli');
      const counted = countEvents(lines.join('\n'));
      if (counted.prompts.length === 0 && counted.replies === 0 && counted.calls === 0) {
        // The harness asked and the model answered nothing: no one spoke, no session.
        const { sessions, warnings } = await readAll(copilotCliReader, sourceOf(log, display));
        expect([sessions, warnings], display).toEqual([[], []]);
        totals.silent++;
        continue;
      }
      const s = await one(log, display);
      const typed = s.turns.filter((t) => t.role === 'user' && !t.synthetic && t.text !== '');
      expect(typed.map((t) => t.text), display).toEqual(counted.prompts);
      expect(s.turns.filter((t) => t.role === 'assistant' && t.text !== ''), display).toHaveLength(counted.replies);
      expect(calls(s), display).toHaveLength(counted.calls);
      expect(results(s), display).toHaveLength(counted.results);
      expect(results(s).filter((r) => r.isError), display).toHaveLength(counted.errors);
      expectPaired(s);
      expect(s.turns.filter((t) => t.role === 'user' && t.synthetic && t.text !== ''), display).toHaveLength(counted.templated);
      totals.calls += counted.calls;
      totals.errors += counted.errors;
      totals.typed += typed.length;
      totals.templated += counted.templated;
    }
    // The one long session: 68 bash, view, edit and stop_bash calls; a read_bash on a stopped shell and two commands
    // that exited 1 and 128 failed. Nine of the eleven are eval runs, their prompts filled in by the harness; in seven
    // of them the log holds no reply (the model's answer is empty), so no one spoke.
    expect(totals).toEqual({ calls: 68, errors: 3, typed: 2, templated: 2, silent: 7 });
  });

  it('reads the long session to its end: the summary the model gave, and the outcome', async () => {
    const log = join(AGENTV, '26', '9e1b9e5502', '0', 'full.jsonl');
    const s = await one(log, 'sessions/26/9e1b9e5502/0/full.jsonl');
    expect(s.turns).toHaveLength(108);
    expect(s.turns.at(-1)).toMatchObject({ role: 'assistant' });
    expect(s.turns.at(-1)?.text).toMatch(/^\*\*Root cause & fix summary:\*\*/);
    const stopped = results(s).find((r) => r.isError && r.text.includes('was already stopped'));
    expect(stopped?.text).toMatch(/^failure: shellId: 30 was already stopped via stop_bash\./);
    expect(s.outcome).toEqual({ status: 'success', inferred: true, reason: 'ended with an assistant reply after successful tool calls' });
  });

  it('redacts a secret wherever the log holds one: prompt, tool input, tool output', async () => {
    const log = join(AGENTV, '26', '9e1b9e5502', '0', 'full.jsonl');
    const lines = (await readFile(log, 'utf8')).split('\n').map((line) => {
      if (!line.startsWith('{"type":"user.message"') && !line.startsWith('{"type":"tool.execution_')) return line;
      const e = JSON.parse(line) as { type: string; data: Record<string, any> };
      if (e.type === 'user.message') e.data.content += ` token ${TOKEN}`;
      if (e.type === 'tool.execution_start' && e.data.arguments?.command) e.data.arguments.command += ` --token ${TOKEN}`;
      if (e.type === 'tool.execution_complete' && e.data.result) e.data.result.content = `GITHUB_TOKEN=${TOKEN}\n${e.data.result.content}`;
      return JSON.stringify(e);
    });
    const { sessions } = await readAll(copilotCliReader, sourceOfLines(lines, 'sessions/full.jsonl'));
    const text = JSON.stringify(sessions);
    expect(text).not.toContain(TOKEN.slice(4));
    expect(text).toContain('[REDACTED');
    // The token was in every result the tool returned (a failed call returns an error instead).
    const returned = results(sessions[0]!).filter((r) => !r.text.startsWith('failure:'));
    expect(returned).toHaveLength(67);
    expect(returned.every((r) => r.text.startsWith('GITHUB_TOKEN=[REDACTED'))).toBe(true);
  });
});

describe('copilot-cli reader: events the schema defines', () => {
  it('a call the person declined when asked is a rejected error; an error result keeps its code', async () => {
    const { sessions, warnings } = await read([
      start(),
      user('clean the build folder'),
      said('', [{ id: 't1', name: 'bash', args: { command: 'rm -rf build' } }]),
      started('t1', 'bash', { command: 'rm -rf build' }),
      ev('permission.requested', { requestId: 'p1', permissionRequest: { kind: 'shell', toolCallId: 't1', fullCommandText: 'rm -rf build' } }),
      ev('permission.completed', { requestId: 'p1', toolCallId: 't1', result: { kind: 'denied-interactively-by-user' } }),
      failed('t1', 'The user rejected this tool call.', 'denied'),
      said('', [{ id: 't2', name: 'view', args: { path: '/work/app/missing.ts' } }]),
      failed('t2', 'Path does not exist'),
      said('I could not remove it.'),
    ]);
    expect(warnings).toEqual([]);
    const s = sessions[0]!;
    expect(results(s)).toEqual([
      { toolCallId: 't1', isError: true, rejected: true, text: 'denied: The user rejected this tool call.' },
      { toolCallId: 't2', isError: true, text: 'Path does not exist' },
    ]);
    expect(s.outcome.status).toBe('failure');
  });

  it('a non-zero exit code in a successful bash result is a failed command', async () => {
    const { sessions } = await read([
      start(),
      user('run the tests'),
      said('', [{ id: 't1', name: 'bash', args: { command: 'npm test' } }]),
      done('t1', '1 failing\n<shellId: 2 completed with exit code 1>'),
    ]);
    expect(results(sessions[0]!)[0]).toMatchObject({ isError: true });
    expect(sessions[0]!.outcome).toMatchObject({ status: 'failure', reason: 'the last bash call failed: 1 failing' });
  });

  it('an abort by the person becomes the interrupt other formats record, after the interrupted call', async () => {
    const { sessions } = await read([
      start(),
      user('deploy it'),
      said('', [{ id: 't1', name: 'bash', args: { command: 'make deploy' } }]),
      ev('abort', { reason: 'user_initiated' }),
      failed('t1', 'The operation was aborted'),
      user('no, stage first'),
      said('Staging first.'),
    ]);
    const s = sessions[0]!;
    expect(s.turns.map((t) => [t.role, t.text, t.synthetic ?? false])).toEqual([
      ['user', 'deploy it', false],
      ['assistant', '', false],
      ['user', '', false],
      ['user', '[Request interrupted by user]', true],
      ['user', 'no, stage first', false],
      ['assistant', 'Staging first.', false],
    ]);
  });

  it('an abort the log ends on leaves the outcome "interrupted"; an abort by a credit limit is no interrupt', async () => {
    const ended = await read([start(), user('deploy it'), said('On it.'), ev('abort', { reason: 'user_initiated' })]);
    expect(ended.sessions[0]!.outcome).toEqual({ status: 'unknown', inferred: true, reason: 'interrupted by the user' });
    const limit = await read([start(), user('deploy it'), said('On it.'), ev('abort', { reason: 'autopilot_credit_limit' })]);
    expect(limit.sessions[0]!.turns.map((t) => t.text)).toEqual(['deploy it', 'On it.']);
  });

  it('a sub-agent is a sidechain: its prompt is the main agent speaking, its failures not the session outcome', async () => {
    const { sessions } = await read([
      start(),
      user('review the branch'),
      said('', [{ id: 'task1', name: 'task', args: { prompt: 'review src/' } }]),
      ev('subagent.started', { toolCallId: 'task1', agentName: 'code-review', agentDisplayName: 'Code review', agentDescription: 'reviews' }),
      user('review src/', {}, { agentId: 'sub-1' }),
      said('', [{ id: 's1', name: 'bash', args: { command: 'git diff' } }], { agentId: 'sub-1' }),
      failed('s1', 'fatal: bad revision'),
      ev('subagent.completed', { toolCallId: 'task1', agentName: 'code-review' }),
      done('task1', 'No issues found.'),
      said('The review found no issues.'),
    ]);
    const s = sessions[0]!;
    const sub = s.turns.filter((t) => t.sidechain);
    expect(sub.map((t) => [t.role, t.text, t.synthetic ?? false])).toEqual([
      ['user', 'review src/', true],
      ['assistant', '', false],
    ]);
    expect(s.outcome.status).toBe('success');
  });

  it('a message another agent or a skill injected, or autopilot\'s "continue", is not the person typing', async () => {
    const { sessions } = await read([
      start(),
      user('use the pdf skill', { source: 'skill-pdf' }),
      user('continue', { isAutopilotContinuation: true }),
      user('fix the login form', { attachments: [{ type: 'file', path: '/work/app/login.ts', displayName: 'login.ts' }] }),
      said('Done.'),
    ]);
    expect(sessions[0]!.turns.map((t) => [t.text, t.synthetic ?? false])).toEqual([
      ['use the pdf skill', true],
      ['continue', true],
      ['fix the login form\n[attachment: login.ts]', false],
      ['Done.', false],
    ]);
  });

  it('a rewind undoes the message it names and all after it', async () => {
    const first = user('add a cache');
    const second = user('actually, add a retry');
    const { sessions, warnings } = await read([
      start(),
      first,
      said('', [{ id: 't1', name: 'edit', args: { path: 'a.ts' } }]),
      done('t1', 'edited'),
      second,
      said('', [{ id: 't2', name: 'edit', args: { path: 'b.ts' } }]),
      done('t2', 'edited'),
      ev('session.snapshot_rewind', { upToEventId: (second as { id: string }).id, eventsRemoved: 3 }),
      user('add a timeout'),
      said('Added a timeout.'),
      ev('session.snapshot_rewind', { upToEventId: 'not-a-message', eventsRemoved: 1 }),
    ]);
    expect(sessions[0]!.turns.map((t) => t.text)).toEqual(['add a cache', '', '', 'add a timeout', 'Added a timeout.']);
    expect(calls(sessions[0]!).map((c) => c.id)).toEqual(['t1']);
    expect(warnings.map((w) => w.message)).toEqual(['session.snapshot_rewind to an event that is not a message of this file; nothing undone']);
  });

  it('a session error is a notice of the harness; a shutdown in error is the outcome', async () => {
    const { sessions } = await read([
      start(),
      user('summarise the logs'),
      ev('session.error', { errorType: 'rate_limit', message: 'You have exceeded your rate limit.' }),
      ev('session.shutdown', { shutdownType: 'error', errorReason: 'model unavailable', codeChanges: {}, modelMetrics: {}, sessionStartTime: 0, totalApiDurationMs: 0 }),
    ]);
    const s = sessions[0]!;
    expect(s.turns[1]).toMatchObject({ role: 'system', text: 'rate_limit: You have exceeded your rate limit.', synthetic: true });
    expect(s.outcome).toEqual({ status: 'failure', inferred: false, reason: 'the session ended in an error: model unavailable' });
  });

  it('a call the model did not list in a message (one the person ran) is still a call', async () => {
    const { sessions } = await read([start(), user('what changed?'), started('u1', 'bash', { command: 'git status' }), done('u1', 'clean\n<shellId: 0 completed with exit code 0>'), said('Nothing changed.')]);
    expect(calls(sessions[0]!)).toEqual([{ id: 'u1', name: 'bash', input: { command: 'git status' } }]);
    expectPaired(sessions[0]!);
  });

  it('names a newer schema version once and reads what it knows; a corrupt line is named by its number', async () => {
    const lines = [JSON.stringify(start({ version: 2 })), JSON.stringify(user('hello')), '{"type":"assistant.mess', JSON.stringify(ev('assistant.newthing', { x: 1 })), JSON.stringify(said('Hi.'))];
    const { sessions, warnings } = await readAll(copilotCliReader, sourceOfLines(lines, 'logs/events.jsonl'));
    expect(sessions[0]!.turns.map((t) => t.text)).toEqual(['hello', 'Hi.']);
    expect(warnings).toEqual([
      { file: 'logs/events.jsonl', line: 1, message: 'Copilot CLI event schema version 2 (this reader knows version 1); events of unknown types were passed over' },
      { file: 'logs/events.jsonl', line: 3, message: expect.stringMatching(/^not valid JSON/) },
    ]);
  });

  it('a log in Copilot CLI\'s own folder is named by its folder; the agent is Copilot\'s', async () => {
    const { sessions } = await read([ev('user.message', { content: 'hi' }), said('Hello.')], 'home/.copilot/session-state/5f1e0c1a-0000-4000-8000-000000000001/events.jsonl');
    expect(sessions[0]).toMatchObject({ id: '5f1e0c1a-0000-4000-8000-000000000001', agent: 'copilot-cli' });
    const older = await read([ev('user.message', { content: 'hi' }), said('Hello.')], 'home/.copilot/session-state/5f1e0c1a-0000-4000-8000-000000000002.jsonl');
    expect(older.sessions[0]).toMatchObject({ id: '5f1e0c1a-0000-4000-8000-000000000002', agent: 'copilot-cli' });
  });

  it('a log of hooks and the system prompt alone holds no session', async () => {
    const { sessions } = await read([start(), ev('hook.start', { hookType: 'sessionStart' }), ev('system.message', { role: 'system', content: 'You are the GitHub Copilot CLI' })]);
    expect(sessions).toEqual([]);
  });
});
