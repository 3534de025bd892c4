/**
 * reverie runs secretlint's recommended preset itself, synchronously (src/sessions/secretlint.ts). These tests hold
 * it to what secretlint's own engine reports on the same texts, so that an upgrade of the preset that our runner
 * cannot follow (a rule that needs more of the context, or scans asynchronously) fails here, not in a user's leak.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lintSource } from '@secretlint/core';
import { creator as recommended, rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayHoldPresetSecret, PRESET_RULE_IDS, PRESET_VERSION, runPreset, secretlintFindings, SECRETLINT_KINDS } from '../../../src/sessions/secretlint.js';

// Secrets are assembled at run time so that no scanner mistakes this file for a leak.
const j = (...parts: string[]): string => parts.join('');

const TEXTS = [
  j('curl -X POST https://hooks.slack.com/services/', 'T0A1B2C3D/B0A1B2C3D/q8Rk2mZLp4vN7xB1cT9wY3hJ', " -d '{}'"),
  j('SLACK=', 'xoxb-', '1234567890-0987654321-Xq7vB2nM9kL4pR8sT1wZ'),
  j('const shop = "', 'shpat_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90', '";'),
  j('LINEAR=', 'lin_api_', 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4'),
  j('aws_secret_access_key => "', 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r', '"'),
  j('DATABASE_URL=postgres://app:', 'Kiwi88Lime', '@db.internal:5432/app'),
  j('mongodb+srv://admin:', 'Quay77lantern', '@cluster0.abcde.mongodb.net/app?retryWrites=true'),
  j('git clone https://deploy:', 'Harbor-x7Kq-tide42', '@git.example.com/org/repo.git'),
  j('//registry.npmjs.org/:_authToken=', 'npm_', 'k3Jd9q2PzLmN8vB7xT1yR4wE6uI0oA5sD2fG'),
  j('GH=', 'ghp_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'),
  'commit 5c1b231a3e4d5f6a7b8c9d0e1f2a3b4c5d6e7f80 and nothing secret',
];

const CONFIG = { rules: [{ id: recommended.meta.id, rule: recommended }] };

async function secretlintRanges(text: string): Promise<[number, number][]> {
  const result = await lintSource({ source: { content: text, filePath: 'session.log', ext: '.log', contentType: 'text' }, options: { config: CONFIG, noPhysicFilePath: true } });
  return result.messages.map((m) => [m.range[0], m.range[1]]);
}

describe('secretlintFindings', () => {
  it('covers every range secretlint itself reports on the same text', async () => {
    for (const text of TEXTS) {
      const ours = secretlintFindings(text);
      for (const [start, end] of await secretlintRanges(text)) {
        expect(
          ours.some((f) => f.start <= start && f.end >= end),
          `${JSON.stringify(text.slice(0, 30))}: ${start}-${end}`,
        ).toBe(true);
      }
    }
  });

  it('finds the secret in each of the texts that holds one, and nothing in the one that does not', () => {
    for (const text of TEXTS.slice(0, -1)) expect(secretlintFindings(text), text.slice(0, 30)).not.toEqual([]);
    expect(secretlintFindings(TEXTS.at(-1) ?? '')).toEqual([]);
  });

  it('runs every rule of the preset but the one that obeys comments in the text', () => {
    const ids = (presetRules as { meta: { id: string } }[]).map((rule) => rule.meta.id);
    expect(ids).toContain('@secretlint/secretlint-rule-filter-comments');
    expect(SECRETLINT_KINDS).toHaveLength(ids.length - 1);
    expect(SECRETLINT_KINDS).toContain('secretlint-slack');
    expect(SECRETLINT_KINDS).not.toContain('secretlint-filter-comments');
  });

  it('leaves out a report whose secret an earlier pass judged', () => {
    const text = TEXTS[5] ?? '';
    expect(secretlintFindings(text)).not.toEqual([]);
    expect(secretlintFindings(text, (secret) => secret.includes('Kiwi88Lime'))).toEqual([]);
  });

  it('merges overlapping reports into one span per secret', () => {
    const text = TEXTS[0] ?? '';
    const findings = secretlintFindings(text);
    expect(findings).toHaveLength(1);
    expect(text.slice(findings[0]?.start, findings[0]?.end)).toMatch(/^https:\/\/hooks\.slack\.com\/services\/\S+q8Rk2mZLp4vN7xB1cT9wY3hJ$/);
  });
});

/**
 * secretlintFindings skips the preset for a text that holds none of the literals its rules need (PRESET_NEEDS): that
 * must never leave out what the rules would have found.
 */
describe('the look for what the preset needs', () => {
  it('knows every rule of the installed preset, of the version it was read from', () => {
    const ids = (presetRules as { meta: { id: string } }[]).map((rule) => rule.meta.id).filter((id) => id !== '@secretlint/secretlint-rule-filter-comments');
    expect(PRESET_RULE_IDS).toEqual(ids);
    const manifest = createRequire(import.meta.url).resolve('@secretlint/secretlint-rule-preset-recommend/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    expect(version, 'a new version of the preset: read its rules again, update PRESET_NEEDS, then PRESET_VERSION').toBe(PRESET_VERSION);
  });

  it('lets through every text of the samples, and keeps out a line with none of the literals', () => {
    for (const text of TEXTS.slice(0, -1)) expect(mayHoldPresetSecret(text), text.slice(0, 30)).toBe(true);
    expect(mayHoldPresetSecret('cycle 20260201-000000  heuristic/auto  1 new session')).toBe(false);
  });

  // Pieces of the samples and of the rules' shapes, cut anywhere, joined with noise: texts on both sides of the look.
  const pieces = [...TEXTS, j('sk-', 'a1b2c3d4e5f60718293a', 'T3BlbkFJ', 'a1b2c3d4e5f60718293a'), j('SG.', 'a'.repeat(22), '.', 'b'.repeat(43)), j('-----BEGIN RSA PRIVATE KEY-----\n', 'MI', 'A'.repeat(120), '\n-----END RSA PRIVATE KEY-----')];
  const piece = fc.tuple(fc.constantFrom(...pieces), fc.nat(), fc.nat()).map(([text, a, b]) => {
    const from = a % (text.length + 1);
    return text.slice(from, from + 1 + (b % (text.length + 1 - from)));
  });
  const noise = fc.string({ unit: fc.constantFrom(...' :/@=._-"\'\nAaSsKkxo0123456789'.split('')), maxLength: 12 });
  const text = fc.array(fc.oneof(piece, noise, fc.constantFrom(...pieces)), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));

  it('finds what the whole preset finds, in any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const whole = runPreset(t);
        if (whole.length > 0) expect(mayHoldPresetSecret(t), t).toBe(true);
        expect(secretlintFindings(t)).toEqual(whole);
      }),
      { numRuns: 2000 },
    );
  });
});
