import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMask, annotation, escapeData, escapeProperty, logLine, outputBlock, workflowCommand } from '../../../src/action/commands.js';

/** How the runner decodes a message or a property value. */
function unescape(text: string): string {
  return text.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

describe('workflow commands', () => {
  it('escape data so that it stays on the command line and decodes back to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeData(text);
        expect(escaped).not.toMatch(/[\r\n]/);
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });

  it('escape properties so that they cannot end the property list or start another property', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeProperty(text);
        expect(escaped).not.toMatch(/[\r\n:,]/);
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });

  it('write annotations as the runner reads them', () => {
    expect(annotation('warning', 'bad line\nsecond: 100%', { title: 'reverie: log', file: 'sessions/a,b.jsonl', line: 3 })).toBe(
      '::warning title=reverie%3A log,file=sessions/a%2Cb.jsonl,line=3::bad line%0Asecond: 100%25',
    );
    expect(annotation('error', 'plain')).toBe('::error::plain');
    expect(workflowCommand('notice', { title: undefined, file: '' }, 'x')).toBe('::notice::x');
    expect(addMask('ab%\ncd')).toBe('::add-mask::ab%25%0Acd');
  });

  it('keep printed text on one line behind our prefix, with the old ##[command] syntax broken', () => {
    expect(logLine('reverie: ', 'one\r\n::add-mask::x\n##[set-output name=a;]b \u001b[31mred')).toBe('reverie: one ::add-mask::x #\u200b#[set-output name=a;]b red');
  });
});

describe('outputBlock', () => {
  const DELIMITER = 'ghadelimiter_0d4f1b7c-9a44-4c8e-a1f2-3b5e6d7c8a9b';

  /** How the runner reads the GITHUB_OUTPUT file. */
  function read(text: string): Record<string, string> {
    const outputs: Record<string, string> = {};
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
      if (!match) continue;
      const end = lines.indexOf(match[2]!, i + 1);
      outputs[match[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    }
    return outputs;
  }

  it('round-trips any values, multi-line ones included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,12}$/), fc.string()), (outputs) => {
        fc.pre(Object.values(outputs).every((v) => !v.includes('\r')));
        expect(read(outputBlock(outputs, DELIMITER))).toEqual(outputs);
      }),
    );
  });

  it('refuses a value that holds the delimiter, which would let it set other outputs', () => {
    expect(() => outputBlock({ pr: `1\n${DELIMITER}\nmerged<<x\ntrue` }, DELIMITER)).toThrow(/delimiter/);
  });
});
