import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCommitMessage, parseCommitMessage } from '../../../src/git/index.js';

describe('commit messages', () => {
  it('formats subject, body and trailers the way git expects', () => {
    const message = formatCommitMessage({
      subject: 'merge(memory/tools.md): combine 3 notes on pnpm',
      body: 'Three notes said the same.\n\nEvidence:\n- s1: "use pnpm"',
      trailers: [
        ['Reverie-Cycle', 'dream-20260101-000000'],
        ['Reverie-Action', 'merge'],
        ['Reverie-Evidence', 's1, s2'],
        ['Reverie-Evidence', 's3'],
      ],
    });
    expect(message).toBe(
      'merge(memory/tools.md): combine 3 notes on pnpm\n\n' +
        'Three notes said the same.\n\nEvidence:\n- s1: "use pnpm"\n\n' +
        'Reverie-Cycle: dream-20260101-000000\nReverie-Action: merge\nReverie-Evidence: s1, s2\nReverie-Evidence: s3\n',
    );
    expect(parseCommitMessage(message)).toEqual({
      subject: 'merge(memory/tools.md): combine 3 notes on pnpm',
      body: 'Three notes said the same.\n\nEvidence:\n- s1: "use pnpm"',
      trailers: {
        'Reverie-Cycle': ['dream-20260101-000000'],
        'Reverie-Action': ['merge'],
        'Reverie-Evidence': ['s1, s2', 's3'],
      },
    });
  });

  it('parses messages without body or trailers, and never reads the subject as a trailer', () => {
    expect(parseCommitMessage('fix: a thing\n')).toEqual({ subject: 'fix: a thing', body: '', trailers: {} });
    expect(parseCommitMessage('subject\n\nKey: v\n')).toEqual({ subject: 'subject', body: '', trailers: { Key: ['v'] } });
    expect(parseCommitMessage('subject\n\nbody line\nKey: v\n')).toEqual({
      subject: 'subject',
      body: 'body line\nKey: v',
      trailers: {},
    });
    expect(parseCommitMessage('Revert "x"\r\n\r\nThis reverts commit abc.\r\n')).toEqual({
      subject: 'Revert "x"',
      body: 'This reverts commit abc.',
      trailers: {},
    });
  });

  it('unfolds continuation lines and folds multi-line values', () => {
    expect(parseCommitMessage('s\n\nKey: one\n  two\nOther: x\n').trailers).toEqual({ Key: ['one two'], Other: ['x'] });
    const message = formatCommitMessage({ subject: 'a\nb', trailers: [['Key', 'one\ntwo']] });
    expect(message).toBe('a b\n\nKey: one two\n');
  });

  it('refuses bad trailer keys and empty subjects', () => {
    expect(() => formatCommitMessage({ subject: 's', trailers: [['Bad Key', 'v']] })).toThrow(/trailer key/);
    expect(() => formatCommitMessage({ subject: ' \n' })).toThrow(/subject/);
  });

  it('round-trips: parse(format(x)) gives x back', () => {
    const line = fc.stringMatching(/^[^\r\n]*\S[^\r\n]*$/);
    const key = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/);
    const value = fc.stringMatching(/^\S(?:[^\r\n]*\S)?$/);
    const body = fc.array(fc.array(line, { minLength: 1, maxLength: 4 }), { maxLength: 4 });
    const trailers = fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(line, body, trailers, (subject, paragraphs, pairs) => {
        const text = paragraphs.map((p) => p.join('\n')).join('\n\n');
        const parsed = parseCommitMessage(formatCommitMessage({ subject, body: text, trailers: pairs }));
        const grouped: Record<string, string[]> = {};
        for (const [k, v] of pairs) (grouped[k] ??= []).push(v);
        expect(parsed).toEqual({ subject: subject.trim(), body: normalised(text), trailers: grouped });
      }),
    );
  });
});

/** What formatting does to a body: blank lines at the ends and trailing whitespace of the last line go. */
function normalised(body: string): string {
  const lines = body.split('\n');
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  if (lines.length) lines[lines.length - 1] = lines[lines.length - 1]!.trimEnd();
  return lines.join('\n');
}
