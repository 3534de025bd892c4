import { describe, expect, it } from 'vitest';
import { compilePullBody, compilePullTitle } from '../../../src/compile/pull-body.js';
import type { LogEntry } from '../../../src/git/log.js';
import { onGitHubServer } from '../../../src/github/remote.js';

function entry(oid: string, agent: string, files: string, memory: string): LogEntry {
  return { oid, parents: [], message: '', subject: `compile(${agent}): ${files}`, body: '', trailers: { 'Reverie-Compile': [agent], 'Reverie-Memory-Commit': [memory] }, author: { name: 'reverie', email: 'r@example.com' }, timestamp: 0 };
}

const A = entry('a'.repeat(40), 'claude-code', 'CLAUDE.md', '1'.repeat(40));
const B = entry('b'.repeat(40), 'cursor', '.cursor/rules/notes.mdc', '2'.repeat(40));

describe('the pull request of reverie/compile', () => {
  it('names each agent once in its title, and lists every commit with its memory commit in its body', () => {
    expect(compilePullTitle([A, B, entry('c'.repeat(40), 'claude-code', 'CLAUDE.md', '3'.repeat(40))])).toBe('reverie: compiled memory for claude-code, cursor');
    const body = compilePullBody([A, B], { base: 'main', memoryRepository: 'acme/memory' });
    expect(body.split('\n')[0]).toBe('<!-- reverie-compile -->');
    expect(body).toContain('| `aaaaaaa` | claude-code | CLAUDE.md | [`111111111111`](https://github.com/acme/memory/commit/1111111111111111111111111111111111111111) |');
    expect(body).toContain('| `bbbbbbb` | cursor | .cursor/rules/notes.mdc |');
    // The newest memory commit is the one the text speaks of.
    expect(body).toContain('(memory commit [`222222222222`]');
    expect(body).toContain('in 2 commits on `reverie/compile`');
  });

  it('is the same text for the same commits, so a run that adds nothing leaves the pull request alone', () => {
    expect(compilePullBody([A], { base: 'main' })).toBe(compilePullBody([A], { base: 'main' }));
    expect(compilePullBody([A], { base: 'main' })).not.toBe(compilePullBody([A, B], { base: 'main' }));
    expect(compilePullBody([A], { base: 'main' })).toContain('memory commit `111111111111`');
  });

  it('escapes a name that could mention someone or render as markup', () => {
    const body = compilePullBody([entry('d'.repeat(40), '@octocat', '<b>x</b>.md', '4'.repeat(40))], { base: 'main' });
    expect(body).not.toMatch(/@octocat|<b>/);
  });
});

describe('onGitHubServer', () => {
  it('takes github.com for api.github.com and the same host for an Enterprise Server, in any URL form', () => {
    expect(onGitHubServer('https://github.com/acme/app.git', 'https://api.github.com')).toBe(true);
    expect(onGitHubServer('git@github.com:acme/app.git', 'https://api.github.com')).toBe(true);
    expect(onGitHubServer('ssh://git@ghe.example.com/acme/app', 'https://ghe.example.com/api/v3')).toBe(true);
    expect(onGitHubServer('https://gitlab.com/acme/app.git', 'https://api.github.com')).toBe(false);
    expect(onGitHubServer('/srv/git/app.git', 'https://api.github.com')).toBe(false);
  });
});
