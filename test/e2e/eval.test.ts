/**
 * The side-by-side eval (bench/quality/eval.ts): skipped without a key, and with one it runs both engines on the
 * quality corpus; here against the fake Anthropic API named by ANTHROPIC_BASE_URL, as a real run names the real one.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { evalText, runEval } from '../../bench/quality/eval.js';
import { proposal, scriptedModel } from '../helpers/claude-model.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'sk-ant-api03-fake-key-for-the-eval-0000';

function runScript(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/quality/eval.ts')], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A modest model: it notices the package manager the agents use, and curation adds what it is shown. */
const model = () =>
  scriptedModel([{ match: /pnpm (install|add|--filter)[^"\\]{0,40}/, observation: { kind: 'fact', statement: 'The web app is a pnpm workspace: use `pnpm`.', topic: 'package manager', fix: null } }], (view) =>
    view.patterns.map((p) => proposal('add', { content: p.statement, patterns: [p.key], summary: p.statement })),
  );

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('bench/quality/eval.ts', () => {
  it('says it is skipped and exits 0 without ANTHROPIC_API_KEY', async () => {
    const result = await runScript({ ANTHROPIC_API_KEY: '' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^skipped: ANTHROPIC_API_KEY is not set/);
  });

  it('runs both engines on the same corpus and prints their scores side by side', async () => {
    const scripted = model();
    fake = await startFakeAnthropic({ apiKey: API_KEY, respond: scripted.responder, minimumCacheableTokens: 512 });
    const report = await runEval({ size: 'default', seed: 1, env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url } });
    const text = evalText(report);

    expect(fake.violations).toEqual([]);
    expect(scripted.mapped.length).toBeGreaterThan(40);
    expect(scripted.curated).toHaveLength(1);
    expect(text).toMatch(/^reverie eval: heuristic vs claude \(claude-haiku-5-5 \(map\) \+ claude-opus-5-5 \(curate\)\) on the quality corpus, size default, seed 1/);
    expect(text).toMatch(/^add +\d+ +\d+ +\d+ +\d+ +[\d.]+ +[\d.]+ +\d+ +\d+ +\d+ /m);
    expect(text).toMatch(/^secrets leaked +0 \/ \d+ +0 \/ \d+/m);
    expect(text).toMatch(/^claude: \d+ requests, \d+ in \+ \d+ out \(cache: \d+ written, \d+ read\), \$\d+\.\d{4}/m);
    // Phase by phase: every session read by the map model, the one curate request by the curate model.
    expect(text).toMatch(new RegExp(`^  map +claude-haiku-5-5: ${scripted.mapped.length} requests, \\d+ in \\+ \\d+ out \\(cache: \\d+ written, \\d+ read\\), \\$\\d+\\.\\d{4}$`, 'm'));
    expect(text).toMatch(/^  curate +claude-opus-5-5: 1 request, \d+ in \+ \d+ out \(cache: \d+ written, \d+ read\), \$\d+\.\d{4}$/m);
    expect('skipped' in report).toBe(false);
    if (!('skipped' in report)) expect(report.engines[0].score.overall.tp).toBeGreaterThan(report.engines[1].score.overall.tp);
  });

  it('puts each phase on the model it is given', async () => {
    const scripted = model();
    fake = await startFakeAnthropic({ apiKey: API_KEY, respond: scripted.responder, minimumCacheableTokens: 512 });
    const report = await runEval({ size: 'default', seed: 1, model: 'claude-sonnet-5-5', curateModel: 'claude-fable-5-2', env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url } });
    expect(evalText(report)).toMatch(/^reverie eval: heuristic vs claude \(claude-sonnet-5-5 \(map\) \+ claude-fable-5-2 \(curate\)\)/);
    expect(fake.requestsFor('claude-fable-5-2')).toHaveLength(1);
    expect(fake.requestsFor('claude-sonnet-5-5')).toHaveLength(scripted.mapped.length);
  });

  it('runs as a script with the key and endpoint from the environment', async () => {
    fake = await startFakeAnthropic({ apiKey: API_KEY, respond: model().responder, minimumCacheableTokens: 512 });
    const result = await runScript({ ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('reverie eval: heuristic vs claude');
    expect(result.stdout + result.stderr).not.toContain(API_KEY);
  });
});
