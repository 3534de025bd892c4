import { describe, expect, it } from 'vitest';
import { failureAnnotation, failureOf, failureOutputs, failureSummary, jobSummary, MAX_WARNING_ANNOTATIONS, resultAnnotations, stepOutputs } from '../../../src/action/report.js';
import type { DreamResult } from '../../../src/cycle/dream.js';
import type { BudgetForecast } from '../../../src/dream/types.js';
import { ConfigError, GitHubCredentialsError, GitHubError, GitHubRateLimitError, GitHubUnavailableError, LockedError, ModelApiError, UsageError } from '../../../src/errors.js';

const HOSTILE = 'cc @octocat, fixes #12, see https://evil.example <img src=x onerror=alert(1)> **bold** `code` | cell\n::error::injected %0A';
const OID = 'c0ffee0123456789abcdef0123456789abcdef01';

function result(over: Partial<DreamResult> = {}): DreamResult {
  return {
    cycle: '20261124-101010',
    branch: 'reverie/dream-20261124-101010',
    base: 'b'.repeat(40),
    mode: 'review',
    merged: false,
    actions: [{ id: 'a1b2c3d4', type: 'add', paths: ['memory/notes.md'], summary: `preference: ${HOSTILE}`, commit: OID, evidence: ['s1', 's2'], risk: 'low', risk_reasons: [] }],
    stats: { sessions: 10, new_sessions: 4, patterns: 2, noise: 1, entries: 5, tokens_before: 100, tokens_after: 110, warnings: 0, unread_files: 0 },
    outcome: 'committed',
    approval: 'waiting for review',
    dropped: [],
    notices: [],
    impact: { entries: { before: 5, after: 6 }, tokens: { before: 100, after: 110 }, added: 1, rewritten: 0, removed: 0, removedShare: 0, budget: [], questions: [] },
    warnings: [],
    unread: [],
    pending: [],
    pull: { number: 7, url: 'https://github.com/acme/memory/pull/7', action: 'created', warnings: [] },
    ...over,
  };
}

const inWorkspace = (file: string) => (file.startsWith('/') ? undefined : file);

/** What GitHub renders as Markdown: without code blocks and code spans. */
function rendered(markdown: string): string {
  return markdown.replace(/^( *)(`{3,})[^\n]*\n[\s\S]*?\n\1\2/gm, '').replace(/`[^`\n]*`/g, '');
}

describe('stepOutputs', () => {
  it('sets every output, empty where it does not apply', () => {
    expect(stepOutputs(result())).toEqual({ cycle: '20261124-101010', branch: 'reverie/dream-20261124-101010', outcome: 'committed', actions: '1', 'pull-request-number': '7', 'pull-request-url': 'https://github.com/acme/memory/pull/7', merged: 'false' });
    expect(stepOutputs(result({ cycle: null, branch: null, actions: [], outcome: 'nothing-new', pull: undefined }))).toEqual({ cycle: '', branch: '', outcome: 'nothing-new', actions: '0', 'pull-request-number': '', 'pull-request-url': '', merged: 'false' });
  });

  it('points at the pull request a waiting run waits behind', () => {
    const waiting = result({ outcome: 'pending-review', pull: undefined, pendingPulls: [{ number: 3, url: 'https://github.com/acme/memory/pull/3', branch: 'reverie/dream-x' }] });
    expect(stepOutputs(waiting)).toMatchObject({ 'pull-request-number': '3', 'pull-request-url': 'https://github.com/acme/memory/pull/3' });
  });
});

describe('failureOutputs', () => {
  const pull = { number: 7, url: 'https://github.com/acme/memory/pull/7', action: 'created' as const, warnings: [] };

  it('says what a failed run had done: nothing, a pushed branch, a pull request', () => {
    expect(failureOutputs([])).toEqual({ cycle: '', branch: '', outcome: 'failed', actions: '0', 'pull-request-number': '', 'pull-request-url': '', merged: 'false' });
    const committed = [{ phase: 'commit' as const, cycle: '20261124-101010', branch: 'reverie/dream-20261124-101010', commits: 3, actions: 2 }];
    expect(failureOutputs(committed)).toEqual({ cycle: '20261124-101010', branch: 'reverie/dream-20261124-101010', outcome: 'failed', actions: '2', 'pull-request-number': '', 'pull-request-url': '', merged: 'false' });
    expect(failureOutputs([...committed, { phase: 'publish', pull }])).toMatchObject({ 'pull-request-number': '7', 'pull-request-url': pull.url });
    expect(failureSummary('GitHub failed', [...committed, { phase: 'publish', pull }])).toBe(
      '## reverie: dream cycle failed\n\nGitHub failed\n\n- cycle 20261124-101010: branch `reverie/dream-20261124-101010` committed (2 actions)\n- pull request [#7](https://github.com/acme/memory/pull/7)\n',
    );
  });
});

describe('resultAnnotations', () => {
  it('point session log warnings at their file and line when it is in the workspace', () => {
    const lines = resultAnnotations(result({ warnings: [{ file: 'sessions/a.jsonl', line: 4, message: 'not JSON' }, { file: '/tmp/logs/b.jsonl', line: 2, message: 'truncated' }] }), inWorkspace);
    expect(lines).toEqual([
      '::warning title=reverie%3A session log or memory file,file=sessions/a.jsonl,line=4::not JSON',
      '::warning title=reverie%3A session log or memory file::/tmp/logs/b.jsonl:2: truncated',
    ]);
  });

  it('mask what looks like a secret in a quoted log line', () => {
    const secret = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const [line] = resultAnnotations(result({ warnings: [{ file: 'sessions/a.jsonl', line: 1, message: `not JSON: {"token": "${secret}"` }] }), inWorkspace);
    expect(line).toMatch(/^::warning title=reverie%3A session log or memory file,file=sessions\/a\.jsonl,line=1::not JSON/);
    expect(line).not.toContain(secret);
  });

  it('keep text from logs inside the one command line', () => {
    const lines = resultAnnotations(result({ dropped: [{ id: 'd1', type: 'prune', summary: HOSTILE, reason: 'protected' }] }), inWorkspace);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::warning title=reverie%3A action dropped::prune d1 /);
    expect(lines[0]).not.toMatch(/\n/);
    expect(lines[0]).toContain('%0A::error::injected %250A');
  });

  it('show at most as many warnings as GitHub does, and say how many more there are', () => {
    const warnings = Array.from({ length: 25 }, (_, i) => ({ file: `sessions/${i}.jsonl`, message: 'bad' }));
    const lines = resultAnnotations(result({ warnings }), inWorkspace);
    expect(lines.filter((l) => l.startsWith('::warning'))).toHaveLength(MAX_WARNING_ANNOTATIONS);
    expect(lines.at(-1)).toBe('::notice title=reverie%3A more warnings::15 more warnings: the job summary lists them');
  });

  it('give notice of a cycle waiting for review', () => {
    expect(resultAnnotations(result({ outcome: 'pending-review', approval: 'cycle x is waiting for review (#3)' }), inWorkspace)).toEqual(['::notice title=reverie%3A waiting for review::cycle x is waiting for review (#3)']);
  });
});

describe('jobSummary', () => {
  it('tables the actions with links to their commits and the pull request; text from logs renders inert', () => {
    const summary = jobSummary(result(), { serverUrl: 'https://github.com', repository: 'acme/memory' });
    expect(summary).toContain('## reverie: dream cycle 20261124-101010');
    expect(summary).toContain('| pull request | [#7](https://github.com/acme/memory/pull/7) (created) |');
    expect(summary).toContain(`[\`c0ffee0\`](https://github.com/acme/memory/commit/${OID})`);
    const text = rendered(summary);
    expect(text).not.toMatch(/<img|\*\*bold|@octocat|#12\b|https:\/\/evil/);
    // One row per action: a `|` or a newline from a log does not break the table.
    expect(summary.split('\n').filter((l) => l.startsWith('| 1 |'))).toHaveLength(1);
    expect(summary.split('\n').find((l) => l.startsWith('| 1 |'))?.split(/(?<!\\)\|/).length).toBe(9);
  });

  it('marks a high-risk action with its reasons, in one cell, and an ordinary one by its level', () => {
    const risky = { ...result().actions[0]!, id: 'e5f6a7b8', risk: 'high' as const, risk_reasons: [`it tells to push ("push directly to main | ${HOSTILE}")`] };
    const summary = jobSummary(result({ actions: [...result().actions, risky] }), { serverUrl: 'https://github.com' });
    const rows = summary.split('\n').filter((l) => /^\| [12] \|/.test(l));
    expect(rows[0]).toContain('| low |');
    expect(rows[1]).toContain('**high**: it tells to push');
    expect(rows[1]?.split(/(?<!\\)\|/).length).toBe(9);
    expect(rendered(summary)).not.toMatch(/<img|@octocat|https:\/\/evil/);
  });

  it('shows commits without links when the repository is unknown, and a dry run\'s diff in a code block', () => {
    const dry = jobSummary(result({ outcome: 'dry-run', mode: 'dry-run', branch: null, pull: undefined, actions: result().actions.map((a) => ({ ...a, commit: null })), diff: `+- ${HOSTILE}\n+\`\`\`\n` }), { serverUrl: 'https://github.com' });
    expect(dry).toContain('````diff');
    expect(rendered(dry)).not.toMatch(/https:\/\/evil|<img/);
    expect(jobSummary(result(), { serverUrl: 'https://github.com' })).toContain('| `c0ffee0` |');
  });
});

describe('jobSummary of a dry run on the claude engine', () => {
  const phase = { model: 'claude-haiku-5-5', requests: 20, inputTokens: 30_000, outputTokens: 10_000, costUsd: 0.008, prefixTokens: 900, cacheMinimum: 512 };
  const estimate = {
    sessions: 20,
    requests: 21,
    inputTokens: 35_000,
    outputTokens: 11_500,
    costUsd: 0.15,
    method: 'count_tokens' as const,
    batch: false,
    phases: { map: phase, curate: { ...phase, model: 'claude-opus-5-5', requests: 1 } },
  };
  /** The summary as GitHub shows it: character references read back. */
  const shown = (markdown: string) => markdown.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  const dryRun = (budget?: BudgetForecast) =>
    result({
      outcome: 'dry-run',
      mode: 'dry-run',
      cycle: null,
      branch: null,
      pull: undefined,
      actions: [],
      run: { model: 'claude-opus-5-5', usage: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, costUsd: 0, requests: 0, cachedSessions: 0, warnings: [], estimate: { ...estimate, ...(budget ? { budget } : {}) } },
    });

  it('shows the estimate, and what the budget would cover of it', () => {
    const forecast: BudgetForecast = { usd: 0.06, stops: 'map', mapCovered: 14, mapRequests: 20, curate: false, needed: { usd: 0.5 }, message: 'the budget of $0.06 covers the map of about 14 of 20 sessions; curate would not run (a budget of about $0.50 would cover the whole cycle)' };
    const summary = shown(jobSummary(dryRun(forecast), { serverUrl: 'https://github.com' }));
    expect(summary).toContain('| estimate | 20 sessions to extract, 21 requests, about $0.1500 (output guessed; prompts counted by the API) |');
    expect(summary).toContain('| budget | **would stop**: the budget of $0.06 covers the map of about 14 of 20 sessions; curate would not run (a budget of about $0.50 would cover the whole cycle) |');
  });

  it('says so when the budget covers the cycle, and has no budget row without a budget', () => {
    const forecast = { usd: 2.5, mapCovered: 20, mapRequests: 20, curate: true, needed: { usd: 0.5 }, message: 'the budget of $2.50 covers the whole cycle (about $0.1500)' };
    expect(shown(jobSummary(dryRun(forecast), { serverUrl: 'https://github.com' }))).toContain('| budget | the budget of $2.50 covers the whole cycle (about $0.1500) |');
    const without = jobSummary(dryRun(), { serverUrl: 'https://github.com' });
    expect(without).toContain('| estimate |');
    expect(without).not.toContain('| budget |');
  });
});

describe('failureOf', () => {
  it('points a configuration error at its file and line', () => {
    const failure = failureOf(new ConfigError('must be one of: auto, review, dry-run', '/w/reverie.yaml', 2, 'mode'), () => 'reverie.yaml');
    expect(failureAnnotation(failure)).toBe('::error title=reverie%3A configuration,file=reverie.yaml,line=2::/w/reverie.yaml:2 (mode): must be one of: auto, review, dry-run');
  });

  it('speaks of the github-token input and its permissions, not of environment variables', () => {
    const failure = failureOf(new GitHubCredentialsError('could not read the repository: HTTP 401. The token is not valid: set GITHUB_TOKEN (or GH_TOKEN) to a token with contents: write and pull-requests: write.', 401), inWorkspace);
    expect(failure.message).toContain('set the github-token input to a token');
    expect(failure.message).toContain('permissions: { contents: write, pull-requests: write }');
    expect(failure.message).not.toContain('GITHUB_TOKEN');
    expect(failureOf(new GitHubCredentialsError('the token was refused. Set GITHUB_TOKEN (or GH_TOKEN) to a token.'), inWorkspace).message).toMatch(/^the token was refused\. Set the github-token input to a token\./);
  });

  it('speaks of the token only when GitHub refused the credentials; a server error or a rate limit says to run again', () => {
    const unavailable = failureOf(new GitHubUnavailableError('could not push reverie/dream-1: the git server did not answer (HTTP 503)', 503), inWorkspace);
    expect(unavailable).toEqual({ title: 'reverie: GitHub unavailable', message: expect.stringContaining('Re-run the workflow') });
    const limited = failureOf(new GitHubRateLimitError('rate limited; run it again at 2026-11-24 17:35:00 UTC (in 10 minutes) or later', 429, new Date()), inWorkspace);
    expect(limited).toEqual({ title: 'reverie: GitHub rate limit', message: expect.stringContaining('17:35:00 UTC') });
    const rejected = failureOf(new GitHubError('GitHub refused to open a pull request (HTTP 422: No commits between main and x).', 422), inWorkspace);
    expect(rejected.title).toBe('reverie: GitHub refused a request');
    for (const failure of [unavailable, limited, rejected]) expect(failure.message).not.toMatch(/token|permission/i);
  });

  it('speaks of the anthropic-api-key input for the claude engine', () => {
    expect(failureOf(new UsageError('the claude engine needs an API key in ANTHROPIC_API_KEY'), inWorkspace).message).toBe('the claude engine needs an API key in the anthropic-api-key input');
    expect(failureOf(new ModelApiError('invalid x-api-key', 401), inWorkspace).message).toContain('Check the anthropic-api-key input');
  });

  it('suggests a concurrency group when another cycle holds the lock', () => {
    expect(failureOf(new LockedError('a cycle is running'), inWorkspace).message).toContain('concurrency');
  });

  it('says an unexpected error is a bug, and an input error what to change', () => {
    expect(failureOf(new TypeError('x is undefined'), inWorkspace)).toEqual({ title: 'reverie: unexpected error', message: expect.stringContaining('a bug') });
    expect(failureOf(new UsageError('input mode must be one of auto'), inWorkspace)).toEqual({ title: 'reverie: input', message: 'input mode must be one of auto' });
  });
});

describe('a failed cycle (most sessions got no usable answer)', () => {
  const reason = '3 of the 4 sessions sent got no usable answer from the model, more than half: nothing committed';
  const failed = result({
    cycle: null,
    branch: null,
    actions: [],
    pull: undefined,
    outcome: 'failed',
    approval: `failed: ${reason}`,
    warnings: [
      { file: '', message: `the cycle failed: ${reason}` },
      { file: 'sessions/a.jsonl', message: 'session a: no usable answer from the model (the answer was off its schema twice); not marked processed, the next cycle sends it again' },
    ],
  });

  it('says so in the job summary: the reason, then each session without an answer', () => {
    const summary = jobSummary(failed, { serverUrl: 'https://github.com' });
    expect(summary).toMatch(/^## reverie: dream cycle failed\n/);
    expect(summary).toContain('| outcome | failed |');
    expect(summary).toContain(`failed: ${reason}`);
    expect(summary).toContain('### Warnings (2)');
    expect(summary).toContain(`- the cycle failed: ${reason}`);
    expect(summary).toContain('- sessions/a.jsonl: session a: no usable answer from the model');
  });

  it('fails the step: outcome failed, an error annotation, and the warning about the cycle names no file', () => {
    expect(stepOutputs(failed)).toMatchObject({ outcome: 'failed', cycle: '', branch: '' });
    const lines = resultAnnotations(failed, inWorkspace);
    expect(lines[0]).toBe(`::warning title=reverie%3A cycle::the cycle failed: ${reason}`);
    expect(lines[1]).toMatch(/^::warning title=reverie%3A session log or memory file,file=sessions\/a\.jsonl::session a: no usable answer/);
    expect(lines.at(-1)).toBe(`::error title=reverie%3A cycle failed::failed: ${reason}`);
  });
});
