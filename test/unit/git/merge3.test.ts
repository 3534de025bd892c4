import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeText } from '../../../src/git/merge3.js';
import { makeTempDir } from '../../helpers/git.js';

const lines = (...items: string[]) => items.map((l) => `${l}\n`).join('');

/** Starts of every line: each line is a unit, as each entry of a flat list is. */
const everyLine = (...texts: string[]) => {
  const [base = '', ours = '', theirs = ''] = texts;
  const starts = (text: string) => new Set(Array.from({ length: text.split('\n').length }, (_, i) => i));
  return { unitStarts: { base: starts(base), ours: starts(ours), theirs: starts(theirs) } };
};

describe('mergeText', () => {
  it('takes a change of either side, and both when they are apart', () => {
    const base = lines('a', 'b', 'c', 'd', 'e');
    expect(mergeText(base, base, lines('a', 'B', 'c', 'd', 'e'))).toEqual({ text: lines('a', 'B', 'c', 'd', 'e'), conflicts: [] });
    expect(mergeText(lines('a', 'b', 'c', 'd', 'E'), base, base).text).toBe(lines('a', 'b', 'c', 'd', 'E'));
    expect(mergeText(lines('a', 'b', 'c', 'd', 'E'), base, lines('A', 'b', 'c', 'd', 'e'))).toEqual({ text: lines('A', 'b', 'c', 'd', 'E'), conflicts: [] });
    expect(mergeText(lines('a', 'b', 'c', 'x', 'd', 'e'), base, lines('a', 'c', 'd', 'e')).text).toBe(lines('a', 'c', 'x', 'd', 'e'));
  });

  it('is clean when both sides made the same change', () => {
    const base = lines('a', 'b', 'c');
    expect(mergeText(lines('a', 'B', 'c'), base, lines('a', 'B', 'c'))).toEqual({ text: lines('a', 'B', 'c'), conflicts: [] });
  });

  it('reports a conflict with the lines of all three sides and marks it in the text', () => {
    const result = mergeText(lines('a', 'ours', 'c'), lines('a', 'b', 'c'), lines('a', 'theirs', 'c'));
    expect(result.conflicts).toEqual([
      { baseStart: 1, oursStart: 1, theirsStart: 1, baseLines: ['b'], oursLines: ['ours'], theirsLines: ['theirs'] },
    ]);
    expect(result.text).toBe(lines('a', '<<<<<<< ours', 'ours', '=======', 'theirs', '>>>>>>> theirs', 'c'));
  });

  it('places conflicts by each side’s own line numbers after earlier clean changes', () => {
    const base = lines('a', 'b', 'c', 'd');
    const result = mergeText(lines('x', 'y', 'a', 'b', 'c', 'D1'), base, lines('a', 'c', 'D2'));
    expect(result.conflicts).toEqual([expect.objectContaining({ baseStart: 3, oursStart: 5, theirsStart: 2, oursLines: ['D1'], theirsLines: ['D2'] })]);
  });

  it('treats changes that touch as a conflict, as git does, unless they meet where units start', () => {
    const base = lines('- one', '- added', '- two');
    const theirs = lines('- one', '- two');
    const ours = lines('- one', '- added', '- later', '- two');
    expect(mergeText(ours, base, theirs).conflicts).toHaveLength(1);
    expect(mergeText(ours, base, theirs, everyLine(base, ours, theirs))).toEqual({ text: lines('- one', '- later', '- two'), conflicts: [] });
  });

  it('keeps touching changes in conflict when one of them is inside a unit on its side', () => {
    const base = lines('- one', '- updated', '- two');
    const theirs = lines('- one', '- original', '- two');
    const ours = lines('- one', '- updated', '  with a nested line', '- two');
    const units = everyLine(base, ours, theirs);
    units.unitStarts.ours.delete(2);
    expect(mergeText(ours, base, theirs, units).conflicts).toHaveLength(1);
  });

  it('never orders two different insertions at one place', () => {
    const base = lines('a', 'b');
    const ours = lines('a', 'x', 'b');
    const theirs = lines('a', 'y', 'b');
    expect(mergeText(ours, base, theirs, everyLine(base, ours, theirs)).conflicts).toHaveLength(1);
  });

  it('keeps line endings and a missing final line break as they are', () => {
    const base = 'a\r\nb\r\nc';
    expect(mergeText('a\r\nb\r\nc!', base, 'A\r\nb\r\nc')).toEqual({ text: 'A\r\nb\r\nc!', conflicts: [] });
    expect(mergeText('', '', '')).toEqual({ text: '', conflicts: [] });
    expect(mergeText('x\n', '', '').text).toBe('x\n');
  });

  it('handles lines that name Object.prototype members', () => {
    const base = lines('constructor', '__proto__', 'toString') + 'hasOwnProperty';
    const theirs = lines('constructor', 'toString') + 'hasOwnProperty';
    expect(mergeText(base, base, theirs)).toEqual({ text: theirs, conflicts: [] });
  });
});

describe('mergeText against git merge-file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** git merge-file's answer: the merged text when clean, undefined on a conflict. */
  function gitMerge(ours: string, base: string, theirs: string): string | undefined {
    const files = { ours, base, theirs };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const run = spawnSync('git', ['merge-file', '-p', 'ours', 'base', 'theirs'], { cwd: dir, encoding: 'utf8' });
    return run.status === 0 ? run.stdout : undefined;
  }

  const base = lines('# Notes', '', '## Tools', '', '- one', '- two', '- three', '', '## Preferences', '', '- four', '- five');
  const cases: [string, string, string][] = [
    [base.replace('- two\n', '- TWO\n'), base, base.replace('- five', '- FIVE')],
    [base.replace('- one\n', ''), base, base.replace('- four\n', '- four\n- four and a half\n')],
    [base.replace('- two\n', '- 2\n'), base, base.replace('- two\n', '- deux\n')],
    [base.replace('## Tools', '## Tooling'), base, base.replace('- three\n', '')],
    [base.replace('- one\n- two\n', '- one and two\n'), base, base.replace('- two\n- three\n', '- two and three\n')],
    [base + lines('- six'), base, base.replace('# Notes', '# Memory')],
    [base, base, ''],
  ];

  it.each(cases.map((c, i) => [i, ...c] as const))('case %i: clean exactly when git is, with the same text', (_, ours, b, theirs) => {
    const expected = gitMerge(ours, b, theirs);
    const result = mergeText(ours, b, theirs);
    if (expected === undefined) expect(result.conflicts.length).toBeGreaterThan(0);
    else expect(result).toEqual({ text: expected, conflicts: [] });
  });
});
