import { describe, expect, it } from 'vitest';
import { printable, quoted } from '../../../src/cli/output.js';

describe('printable', () => {
  it('drops escape sequences and control characters, and keeps newlines and tabs', () => {
    const hostile = 'a\x1b[31mred\x1b[0m b\x1b]0;new title\x07c \x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ d\x1bM\re\x00\x7f\x9bf\tg\nh';
    expect(printable(hostile)).toBe('ared bc link def\tg\nh');
  });

  it('drops bidirectional overrides that make a line read differently from what it holds', () => {
    expect(printable('access = "user\u202e \u2066// admin\u2069\u2066"')).toBe('access = "user // admin"');
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    expect(printable('Déjà vu — ok ✓ 🎉')).toBe('Déjà vu — ok ✓ 🎉');
  });
});

describe('quoted', () => {
  it('puts a quote on one line between double quotes', () => {
    expect(quoted('  two\nlines\there ')).toBe('"two lines here"');
  });
});
