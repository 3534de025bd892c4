import { describe, expect, it } from 'vitest';
import { openQuestions } from '../../../src/dream/curate/contradictions.js';
import { INBOX, snapshotOf } from './fixtures.js';

const entriesOf = (...lines: string[]) => snapshotOf([{ path: INBOX, text: `# Notes\n\n${lines.map((l) => `- ${l}\n`).join('')}` }]).files[0]?.entries ?? [];

describe('the questions a cycle asks, as the memory it leaves reads them', () => {
  const [npm, pnpm] = entriesOf('Install with `npm install`.', 'Always use pnpm, never npm.');
  const question = { a: npm!, b: pnpm!, reason: 'about npm: no session shows which is right' };

  it('a pair whose notes are both still there is asked once, at the lines where they are now', () => {
    const after = entriesOf('Deploys go through staging.', 'Install with `npm install`.', 'Always use pnpm, never npm.');
    const notices = openQuestions([question, { ...question }], after);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      kind: 'question',
      entries: [
        { path: INBOX, line: 4, text: 'Install with `npm install`.' },
        { path: INBOX, line: 5, text: 'Always use pnpm, never npm.' },
      ],
    });
    expect(notices[0]?.message).toContain(`${INBOX}:4`);
  });

  it('a pair one of whose notes an action of the cycle changed or removed is no longer a question', () => {
    expect(openQuestions([question], entriesOf('Always use pnpm, never npm.'))).toEqual([]);
    expect(openQuestions([question], entriesOf('Install with `pnpm install`.', 'Always use pnpm, never npm.'))).toEqual([]);
  });
});
