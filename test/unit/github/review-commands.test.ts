import { describe, expect, it } from 'vitest';
import { actionMarker, checkboxStates, parseCommands } from '../../../src/github/review-commands.js';
import { readReviewEvent } from '../../../src/github/events.js';

const body = (a: boolean, b: boolean) =>
  ['intro', `- [${a ? 'x' : ' '}] ${actionMarker('a1b2c3d4')} **1.** \`a1b2c3d4\` add`, `- [${b ? 'X' : ' '}] ${actionMarker('e5f6a7b8')} **2.** \`e5f6a7b8\` prune`, '- [ ] a box without a marker'].join('\n');

describe('checkboxes', () => {
  it('reads each action box by its marker, and nothing else', () => {
    expect([...checkboxStates(body(true, false))]).toEqual([
      ['a1b2c3d4', true],
      ['e5f6a7b8', false],
    ]);
  });

  it('does not take a marker in the middle of a line for a box', () => {
    expect(checkboxStates(`text - [x] ${actionMarker('a1b2c3d4')}`).size).toBe(0);
  });
});

describe('comment commands', () => {
  it('reads one command per line, ids separated by commas or spaces, in backticks or not', () => {
    const commands = parseCommands('Looks good mostly.\n/reverie drop `a1b2c3d4`, e5f6a7b8\n/Reverie KEEP 1234abcd\r\n/reverie why a1b2c3d4');
    expect(commands.map((c) => [c.name, 'ids' in c ? c.ids : undefined])).toEqual([
      ['drop', ['a1b2c3d4', 'e5f6a7b8']],
      ['keep', ['1234abcd']],
      ['why', ['a1b2c3d4']],
    ]);
  });

  it('keeps a rejection reason as written, and reads approve, help and unknown words', () => {
    const commands = parseCommands('/reverie reject  wrong port: it is 8082 now\n/reverie approve\n/reverie\n/reverie merge');
    expect(commands).toEqual([
      { name: 'reject', reason: 'wrong port: it is 8082 now', line: '/reverie reject  wrong port: it is 8082 now' },
      { name: 'approve', line: '/reverie approve' },
      { name: 'help', line: '/reverie' },
      { name: 'unknown', word: 'merge', line: '/reverie merge' },
    ]);
  });

  it('ignores commands quoted, in code blocks, mid-line or glued to another word', () => {
    const comment = ['> /reverie approve', '```', '/reverie reject no', '```', '    /reverie drop a1', 'please /reverie approve', '/reverieapprove'].join('\n');
    expect(parseCommands(comment)).toEqual([]);
  });
});

describe('review events', () => {
  const pull = { number: 7, head: { ref: 'reverie/dream-20261201-030000', sha: 'abc' }, body: 'after', merged: false };
  it('reads a body edit with what it was before', () => {
    const event = readReviewEvent('pull_request', JSON.stringify({ action: 'edited', pull_request: pull, changes: { body: { from: 'before' } }, sender: { login: 'ada', type: 'User' } }));
    expect(event).toEqual({ kind: 'body-edited', pull: 7, branch: 'reverie/dream-20261201-030000', headSha: 'abc', before: 'before', after: 'after', sender: { login: 'ada', bot: false } });
  });

  it('ignores pull requests of other branches, title edits, and comments on issues', () => {
    expect(readReviewEvent('pull_request', JSON.stringify({ action: 'edited', pull_request: { ...pull, head: { ref: 'feature/x' } }, changes: { body: { from: '' } } })).kind).toBe('ignored');
    expect(readReviewEvent('pull_request', JSON.stringify({ action: 'edited', pull_request: pull, changes: { title: { from: 'x' } } })).kind).toBe('ignored');
    expect(readReviewEvent('issue_comment', JSON.stringify({ action: 'created', issue: { number: 3 }, comment: { id: 1, body: '/reverie approve', user: { login: 'ada' } } })).kind).toBe('ignored');
    expect(readReviewEvent('push', '{}').kind).toBe('ignored');
    expect(readReviewEvent('issue_comment', 'not json').kind).toBe('ignored');
  });

  it('marks bots as bots', () => {
    const event = readReviewEvent('issue_comment', JSON.stringify({ action: 'created', issue: { number: 3, pull_request: {} }, comment: { id: 9, body: '/reverie approve', user: { login: 'renovate[bot]', type: 'Bot' } } }));
    expect(event).toMatchObject({ kind: 'comment', pull: 3, commentId: 9, sender: { login: 'renovate[bot]', bot: true } });
  });
});
