/** `reverie sessions`: what reverie reads from logs, before any cycle, as a user runs it. */
import { describe, expect, it } from 'vitest';
import { reverie, reverieJson } from '../helpers/cli.js';

interface Listed {
  files: number;
  sessions: { id: string; format: string; agent: string; turns: number; tool_calls: number; outcome: string }[];
  warnings: { file: string; message: string }[];
}

describe('reverie sessions', () => {
  it('detects the format of every log it is given and lists its sessions', () => {
    const listed = reverieJson<Listed>(['sessions', 'test/fixtures/codex', 'test/fixtures/gemini-cli', 'test/fixtures/aider', 'test/fixtures/reverie']);
    expect(listed.code).toBe(0);
    const formats = new Set(listed.sessions.map((s) => s.format));
    expect([...formats].sort()).toEqual(['aider', 'codex', 'gemini-cli', 'reverie']);
    expect(listed.sessions.every((s) => s.turns > 0)).toBe(true);
    expect(listed.sessions.some((s) => s.tool_calls > 0)).toBe(true);
  });

  it('reads the given paths as the format named with --format, for the agent named with --agent', () => {
    const listed = reverieJson<Listed>(['sessions', 'test/fixtures/openai-chat', '--format', 'openai-chat', '--agent', 'support-bot']);
    expect(listed.sessions.length).toBeGreaterThan(0);
    expect(listed.sessions.every((s) => s.format === 'openai-chat' && s.agent === 'support-bot')).toBe(true);
  });

  it('refuses an unknown format with exit code 2 and the list of known ones', () => {
    const result = reverie(['sessions', 'test/fixtures/codex', '--format', 'teletype']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown session format "teletype"');
    expect(result.stderr).toContain('claude-code');
  });
});
