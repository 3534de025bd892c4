import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CycleRecord, RecordedAction } from '../../../src/dream/state.js';
import { codeBlock, inlineText } from '../../../src/github/markdown.js';
import { printable } from '../../../src/util/printable.js';
import { MAX_BODY_CHARS, pullBody, pullTitle } from '../../../src/github/pull-body.js';

const HOSTILE = 'cc @octocat and @acme/admins, fixes #12 and acme/memory#3, GH-7, see https://evil.example/x www.evil.example <img src=x onerror=alert(1)> **bold** [link](https://x) `code` \u001b[31mred\u202e';

function action(over: Partial<RecordedAction> = {}): RecordedAction {
  return {
    id: 'a1b2c3d4',
    type: 'add',
    paths: ['memory/notes.md'],
    summary: `Prefer pnpm ${HOSTILE}`,
    rationale: `Seen in 3 sessions. ${HOSTILE}`,
    evidence: [{ sessionId: 's1', agent: 'coding-agent', quote: `npm ERR! ${HOSTILE} \`\`\`\` fence`, turn: 2 }],
    targets: [],
    content: '- Use `pnpm install`.',
    destination: { path: 'memory/notes.md', section: 'Tools' },
    fingerprint: 'add:pnpm',
    patterns: [],
    commit: '0123456789abcdef0123456789abcdef01234567',
    ...over,
  };
}

function record(actions: RecordedAction[]): CycleRecord {
  return {
    cycle: '20261124-101010',
    branch: 'reverie/dream-20261124-101010',
    base: 'f'.repeat(40),
    engine: 'heuristic',
    mode: 'review',
    created: '2026-11-24T10:10:10.000Z',
    stats: { sessions: 10, new_sessions: 3, patterns: 2, noise: 1, entries: 5, tokens_before: 100, tokens_after: 110, warnings: 0 },
    actions,
    dropped: [],
  };
}

/** What GitHub renders as Markdown: the body without its code blocks and code spans. */
function rendered(body: string): string {
  return body.replace(/^( *)(`{3,})[^\n]*\n[\s\S]*?\n\1\2/gm, '').replace(/`[^`\n]*`/g, '');
}

describe('inlineText', () => {
  it('renders log text inert: no HTML, no formatting, no mention, no issue link, no autolink', () => {
    const text = inlineText(HOSTILE);
    expect(text).not.toMatch(/<img|\*\*|\[link\]|`/);
    expect(text).not.toMatch(/@(octocat|acme)/);
    expect(text).not.toMatch(/#(12|3)\b|GH-7/);
    expect(text).not.toMatch(/https:\/\/|www\./);
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).not.toContain('\n');
  });

  it('never leaves a mention or an HTML tag, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('@', '#', '<', '>', 'a', 'b', '/', ':', ' ', '`', '\n', '1', 'w', '.') }), (text) => {
        // What a reader sees: the entities decoded.
        const out = inlineText(text).replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
        expect(out).not.toMatch(/@[a-z0-9]/i);
        expect(out).not.toMatch(/#\d/);
        expect(inlineText(text)).not.toMatch(/[<>`\n]/);
      }),
    );
  });
});

describe('codeBlock', () => {
  it('uses a fence longer than any run of backticks inside, so the text cannot close it', () => {
    const block = codeBlock('a ```` b');
    expect(block.startsWith('`````text\n')).toBe(true);
    expect(block.endsWith('\n`````')).toBe(true);
    expect(printable('x\u001b[2Jy\u202ez')).toBe('xyz');
  });
});

describe('pullBody', () => {
  it('has a checkbox per action, each action with its rationale, before and after, evidence, and how to review', () => {
    const prune = action({ id: 'e5f6a7b8', type: 'prune', summary: 'Drop the old port', content: undefined, targets: [{ path: 'memory/notes.md', id: 'x', raw: '- Port 8080.' }] });
    const body = pullBody({ record: record([action(), prune]), safe: ['add'], marker: 'reverie-cycle:20261124-101010' });
    expect(body).toContain('<!-- reverie-cycle:20261124-101010 -->');
    expect(body).toContain('- [x] <!-- reverie-action:a1b2c3d4 --> **1.** `a1b2c3d4` add `memory/notes.md`: ');
    expect(body).toMatch(/^- \[x\] <!-- reverie-action:e5f6a7b8 --> \*\*2\.\*\* `e5f6a7b8` prune .* · 1 session · risk high, needs review$/m);
    expect(body).toContain('- Port 8080.');
    expect(body).toContain('Removes (`memory/notes.md`):');
    // What the cycle does to memory as a whole comes before any single action.
    expect(body.indexOf('memory: ')).toBeLessThan(body.indexOf('### 1.'));
    expect(body).toContain('- Use `pnpm install`.');
    expect(body).toContain('`s1` (coding&#45;agent, turn 2)'.replace('&#45;', '-'));
    expect(body).toContain('reverie approve 20261124-101010 [--except <id>]');
    expect(body).toContain('`/reverie drop <id>`');
    expect(body).toContain('reverie reject 20261124-101010');
  });

  it('flags an add whose text is high risk as needing review, with the reason, though approval.auto takes adds', () => {
    const risky = action({ id: 'f00dfeed', summary: 'force-push after rebasing', rationale: 'Seen in 2 sessions.', content: 'Force-push to `main` after a rebase.' });
    const body = pullBody({ record: record([action(), risky]), safe: ['add'], marker: 'reverie-cycle:20261124-101010' });
    expect(body).toMatch(/^- \[x\] <!-- reverie-action:a1b2c3d4 --> .* · risk low$/m);
    expect(body).toMatch(/^- \[x\] <!-- reverie-action:f00dfeed --> .* · risk high, needs review$/m);
    expect(body).toContain('· risk high (needs review)');
    expect(body).toContain('> [!CAUTION]\n> High risk, never applied without review: it pushes past the usual way &#40;&#34;Force-push&#34;&#41;.');
    expect(body.split('[!CAUTION]')).toHaveLength(2);
  });

  it('shows a merge as the entry it keeps beside the ones it removes, and questions and budget warnings up front', () => {
    const merge = action({
      id: 'c0ffee00',
      type: 'merge',
      summary: 'combine 2 notes on port',
      content: undefined,
      targets: [
        { path: 'memory/notes.md', id: 'k', raw: '- The pricing service listens on port 8081 locally.\n' },
        { path: 'memory/notes.md', id: 'g', raw: '- Pricing svc port is 8081.\n' },
      ],
    });
    const notices = [
      { kind: 'question' as const, entries: [{ path: 'memory/notes.md', line: 3, text: 'Use tabs.' }, { path: 'memory/notes.md', line: 4, text: 'Use spaces.' }], message: 'they disagree' },
      { kind: 'budget' as const, namespace: 'notes', tokens: 5000, budget: 4000, message: 'namespace "notes" holds about 5000 tokens, 1000 over its budget of 4000' },
    ];
    const body = pullBody({ record: { ...record([merge]), notices }, safe: [], marker: 'm' });
    const keeps = body.indexOf('Keeps (`memory/notes.md`):');
    const removes = body.indexOf('Removes (`memory/notes.md`):');
    expect(keeps).toBeGreaterThan(0);
    expect(removes).toBeGreaterThan(keeps);
    expect(body.slice(keeps, removes)).toContain('listens on port 8081 locally');
    expect(body.slice(removes)).toContain('Pricing svc port is 8081.');
    expect(body).toMatch(/A question for the owner of this memory/);
    expect(body).toContain('`memory/notes.md:3` Use tabs. **vs** `memory/notes.md:4` Use spaces.');
    expect(body).toContain('1000 over its budget of 4000');
    expect(body.indexOf('A question')).toBeLessThan(body.indexOf('### 1.'));
  });

  it('lets nothing from the logs render: no HTML, mention or issue link outside code', () => {
    const body = pullBody({ record: record([action()]), safe: ['add'], marker: 'm' });
    const text = rendered(body);
    expect(text).not.toMatch(/<img|@octocat|@acme|#12\b|https:\/\/evil/);
    // The quote keeps its words, inside a code block.
    expect(body).toContain('npm ERR! cc @octocat');
  });

  it('stays under GitHub size limit however many actions there are, saying where the rest is', () => {
    const many = Array.from({ length: 400 }, (_, i) => action({ id: `${i}`.padStart(8, '0'), rationale: 'r'.repeat(500) }));
    const body = pullBody({ record: record(many), safe: ['add'], marker: 'm' });
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/more actions are described in their commit messages/);
    expect(pullTitle(record(many))).toBe('reverie: dream cycle 20261124-101010 (400 actions: add)');
  });
});
