/**
 * secretlint's recommended preset, behind a function: most texts reverie prints hold nothing any of its rules looks
 * for (secretlint.ts checks that first), and the command line's bundle (scripts/build-cli.ts) loads the preset only
 * the first time one does, instead of at start-up.
 */
import { rules } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintRuleCreator } from '@secretlint/types';

export function presetRules(): readonly SecretLintRuleCreator[] {
  return rules as SecretLintRuleCreator[];
}
