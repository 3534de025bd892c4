/**
 * reverie runs secretlint's recommended preset itself, synchronously (src/sessions/secretlint.ts). These tests hold
 * it to what secretlint's own engine reports on the same texts, so that an upgrade of the preset that our runner
 * cannot follow (a rule that needs more of the context, or scans asynchronously) fails here, not in a user's leak.
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended, rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { secretlintFindings, SECRETLINT_KINDS } from '../../../src/sessions/secretlint.js';

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
