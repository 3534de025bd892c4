import { describe, expect, it } from 'vitest';
import { actionMarks, revertMark } from '../../../src/cycle/trailers.js';

const actionCommit = (id: string, type: string) =>
  `${type}(memory/notes.md): a summary\n\nThe rationale.\n\nEvidence:\n- s1 (bot): "a quote"\n\nReverie-Cycle: 20261124-101010\nReverie-Action: ${type}\nReverie-Action-Id: ${id}\nReverie-Evidence: s1, s2\nReverie-Engine: heuristic\n`;

describe('actionMarks', () => {
  it('reads the one action of a cycle commit', () => {
    expect(actionMarks(actionCommit('a1b2c3d4', 'add'))).toEqual([
      { cycle: '20261124-101010', action: 'add', actionId: 'a1b2c3d4', engine: 'heuristic', evidence: ['s1', 's2'] },
    ]);
  });

  it('reads every action of a squash merge, whose body holds each commit message in turn', () => {
    const squash = [
      'Dream cycle 20261124-101010 (#7)',
      '',
      ...[actionCommit('aaaa1111', 'add'), actionCommit('bbbb2222', 'prune')].map((m) => `* ${m}`),
      '* chore(reverie): record cycle\n\nBookkeeping.\n\nReverie-Cycle: 20261124-101010\nReverie-Action: state\nReverie-Engine: heuristic\n',
      'Co-authored-by: Someone <someone@example.com>',
    ].join('\n');
    expect(actionMarks(squash).map((m) => [m.action, m.actionId])).toEqual([
      ['add', 'aaaa1111'],
      ['prune', 'bbbb2222'],
      ['state', undefined],
    ]);
  });

  it('ignores a message with no reverie trailers, and a quoted trailer-like line inside prose', () => {
    expect(actionMarks('fix typo\n\nSigned-off-by: A <a@example.com>\n')).toEqual([]);
    expect(actionMarks('note\n\nThe log said Reverie-Cycle: x in the middle of a sentence.\n')).toEqual([]);
  });
});

describe('revertMark', () => {
  it('reads what a revert commit undoes', () => {
    const message = 'revert(memory/notes.md): undo a1b2c3d4\n\nReverie-Action: revert\nReverie-Reverts: 20261124-101010/a1b2c3d4\nReverie-Revert-Of: 0123456789abcdef0123456789abcdef01234567\n';
    expect(revertMark(message)).toEqual({ actions: ['20261124-101010/a1b2c3d4'], commits: ['0123456789abcdef0123456789abcdef01234567'] });
    expect(revertMark(actionCommit('a', 'add'))).toBeUndefined();
  });

  it('reads a plain git revert, as a reviewer makes one on a cycle branch', () => {
    const message = 'Revert "prune(memory/notes.md): drop the old port"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n';
    expect(revertMark(message)).toEqual({ actions: [], commits: ['0123456789abcdef0123456789abcdef01234567'] });
  });
});
