import { describe, expect, it } from 'vitest';
import { actionMessage, stateMessage } from '../../../src/cycle/messages.js';
import { recordedRun } from '../../../src/dream/state.js';
import { makeAction } from '../../../src/dream/curate/action.js';
import { parseCommitMessage } from '../../../src/git/index.js';

const run = recordedRun({ model: 'claude-sonnet-5-5', usage: { input: 1200, output: 340, cacheWrite: 2048, cacheRead: 6144 }, costUsd: 0.0123, requests: 5, cachedSessions: 2, warnings: [] });

describe('trailers of a cycle that called a model', () => {
  it('name the model on each action commit', () => {
    const action = makeAction({ type: 'add', summary: 'use pnpm', rationale: 'Seen in 3 sessions.', content: 'Use pnpm.', destination: { path: 'memory/notes.md', section: 'Facts' }, identity: 'k' });
    const { trailers } = parseCommitMessage(actionMessage(action, 'C1', 'claude', 'claude-sonnet-5-5'));
    expect(trailers).toMatchObject({ 'Reverie-Engine': ['claude'], 'Reverie-Model': ['claude-sonnet-5-5'] });
    expect(parseCommitMessage(actionMessage(action, 'C1', 'heuristic')).trailers).not.toHaveProperty('Reverie-Model');
  });

  it('carry the model, the tokens and the cost on the bookkeeping commit', () => {
    const { trailers } = parseCommitMessage(stateMessage('C1', 'claude', 'record cycle C1', run));
    expect(trailers).toMatchObject({
      'Reverie-Model': ['claude-sonnet-5-5'],
      'Reverie-Tokens': ['input=1200 output=340 cache-write=2048 cache-read=6144'],
      'Reverie-Cost': ['$0.0123'],
    });
    expect(parseCommitMessage(stateMessage('C1', 'claude', 'record', { ...run, cost_usd: null })).trailers).toMatchObject({ 'Reverie-Cost': ['unknown'] });
    expect(run).toEqual({ model: 'claude-sonnet-5-5', usage: { input: 1200, output: 340, cache_write: 2048, cache_read: 6144 }, cost_usd: 0.0123, requests: 5, cached_sessions: 2, warnings: [] });
  });
});
