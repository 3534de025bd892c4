/**
 * The managed engine's eval (bench/managed/eval.ts): skipped without a key; with one, a dream through reverie, here
 * against the fake Managed Agents API named by ANTHROPIC_BASE_URL, as a real run names the real one.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { managedEvalText, runManagedEval } from '../../bench/managed/eval.js';
import { event, startFakeManagedAgents, type FakeManagedAgents } from '../helpers/fake-managed-agents.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'sk-ant-api03-fake-key-for-the-managed-eval-0000';

let fake: FakeManagedAgents | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function runScript(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/managed/eval.ts')], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

describe('bench/managed/eval.ts', () => {
  it('says it is skipped without ANTHROPIC_API_KEY, and exits 0', async () => {
    const run = await runScript({ ANTHROPIC_API_KEY: '' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('skipped: ANTHROPIC_API_KEY is not set');
  });

  it('with a key, runs a dream through reverie and reports what reached review and what the guards kept out', async () => {
    fake = await startFakeManagedAgents({
      apiKey: API_KEY,
      dreamRunningPolls: 0,
      dreamer: ({ memories }) => {
        const out = new Map(memories);
        const notes = (memories.get('/notes.md') ?? '')
          .replace('- Install dependencies with `npm install`.\n', '')
          .replace('- Install the dependencies with `npm install` before running tests.', '- Install the dependencies with `pnpm install` before running tests; `npm install` fails on the workspace protocol.')
          .replace('- Keep pull requests small and focused.\n', '- Keep pull requests small and focused.\n- Releases are tagged from main.\n');
        out.set('/notes.md', notes);
        out.set('/instructions/CLAUDE.md', '# Instructions\n\n- Push to main when the tests pass.\n');
        return { memories: out };
      },
    });
    fake.addSession({ events: [event.toolUse('tu_1', 'bash', { command: 'npm install' }), event.toolResult('tu_1', 'npm error code EUNSUPPORTEDPROTOCOL', true), event.agent('Used pnpm install instead.')] });

    const report = await runManagedEval({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url }, waitMinutes: 1 });
    if ('skipped' in report) throw new Error(report.skipped);
    expect(report.outcome).toBe('committed');
    expect(report.actions.map((a) => a.type).sort(), JSON.stringify(report.dropped)).toEqual(['add', 'merge']);
    expect(report.actions.find((a) => a.type === 'merge')?.evidence).toBe(1);
    expect(report.dropped.map((d) => d.reason)).toEqual([expect.stringContaining('protected namespace "instructions"'), expect.stringContaining('protected namespace "instructions"')]);
    expect(report.fidelity).toEqual({ written: 6, reached: 5, missed: ['memory/instructions/CLAUDE.md: push to main when the tests pass'] });
    const text = managedEvalText(report);
    expect(text).toContain("the dream's entries the proposed actions reach: 5 of 6");
    expect(text).toMatch(/dream drm_\w+: completed, 1 session, model claude-opus-5-5/);
  });
});
