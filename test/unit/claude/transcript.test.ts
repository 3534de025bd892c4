import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactTranscript, elideMiddle } from '../../../src/dream/engines/claude/transcript.js';
import type { Session, Turn } from '../../../src/sessions/types.js';

function turn(index: number, role: Turn['role'], text: string, extra: Partial<Turn> = {}): Turn {
  return { index, role, text, toolCalls: [], toolResults: [], ...extra };
}

const SESSION: Session = {
  id: 's1',
  agent: 'coding',
  format: 'claude-code',
  source: 'sessions/coding/s1.jsonl',
  hash: 'h1',
  outcome: { status: 'success', inferred: true },
  turns: [
    turn(0, 'user', 'Add a date picker to checkout.'),
    turn(1, 'user', '<command-name>/clear</command-name>', { synthetic: true }),
    turn(2, 'assistant', 'Installing dependencies first.', {
      toolCalls: [
        { id: 't1', name: 'Bash', input: { command: 'npm install', description: 'install' } },
        { id: 't2', name: 'Write', input: { file_path: 'src/picker.tsx', content: 'export const x = 1;\n'.repeat(200) } },
        { id: 't3', name: 'Bash', input: { command: 'git push --force' } },
      ],
    }),
    turn(3, 'user', '', {
      toolResults: [
        { toolCallId: 't1', isError: true, text: 'npm error code EUNSUPPORTEDPROTOCOL\nnpm error Unsupported URL Type "workspace:"' },
        { toolCallId: 't2', isError: false, text: 'File written (4,000 lines of output nobody needs)' },
        { toolCallId: 't3', isError: true, rejected: true, text: "The user doesn't want to proceed with this tool use." },
      ],
    }),
    turn(4, 'assistant', 'Switching to pnpm.', { sidechain: true }),
    turn(5, 'user', 'Thanks. My key is sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789, keep it out of git.'),
  ],
};

describe('compactTranscript', () => {
  it('keeps what people and the agent wrote, tool calls in short, and errors; not successful output or harness text', () => {
    const text = compactTranscript(SESSION);
    const lines = text.split('\n');
    expect(lines[0]).toBe('[turn 0] user: Add a date picker to checkout.');
    expect(text).not.toContain('/clear');
    expect(lines).toContain('[turn 2] assistant: Installing dependencies first.');
    expect(lines).toContain('[turn 2] tool Bash: {"command":"npm install","description":"install"}');
    expect(lines).toContain('[turn 2] tool Bash failed: npm error code EUNSUPPORTEDPROTOCOL\nnpm error Unsupported URL Type "workspace:"'.split('\n')[0]);
    expect(text).toContain('[turn 2] tool Bash declined by the user: The user doesn\'t want to proceed with this tool use.');
    expect(text).not.toContain('4,000 lines of output');
    // A file's content is shortened to a glimpse.
    const write = lines.find((l) => l.startsWith('[turn 2] tool Write:')) ?? '';
    expect(write.length).toBeLessThanOrEqual(260);
    expect(text).toContain('[turn 4] assistant (subagent): Switching to pnpm.');
  });

  it('redacts again whatever a reader let through', () => {
    const text = compactTranscript(SESSION);
    expect(text).not.toContain('sk-ant-api03-AbCdEf');
    expect(text).toContain('[REDACTED:anthropic-key]');
  });

  it('keeps the start and the end of a long session, and says what it left out', () => {
    const turns = Array.from({ length: 400 }, (_, i) => turn(i, i % 2 ? 'assistant' : 'user', `step ${i}: ${'word '.repeat(30)}`));
    const text = compactTranscript({ ...SESSION, turns }, 4_000);
    expect(text.length).toBeLessThanOrEqual(4_000);
    expect(text.startsWith('[turn 0] user: step 0')).toBe(true);
    expect(text.endsWith(`step 399: ${'word '.repeat(30).trim()}`)).toBe(true);
    expect(text).toMatch(/\[… \d+ lines \(\d+ characters\) from the middle of the session left out …\]/);
  });
});

describe('elideMiddle', () => {
  it('never goes over its limit, and keeps a text that fits as it is', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 120 }), { maxLength: 80 }), fc.integer({ min: 200, max: 3000 }), (lines, max) => {
        const text = elideMiddle(lines, max);
        expect(text.length).toBeLessThanOrEqual(max);
        if (lines.join('\n').length <= max) expect(text).toBe(lines.join('\n'));
      }),
    );
  });
});
