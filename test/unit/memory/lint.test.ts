import { describe, expect, it } from 'vitest';
import { CLAUDE_CODE_MEMORY_INDEX, MANAGED_AGENTS_MEMORY, lineCount, type Harness } from '../../../src/memory/harness.js';
import { buildSnapshot, estimateTokens, type Namespace } from '../../../src/memory/index.js';
import { LINT_RULES, lintMemory, protectedFindings, type Finding } from '../../../src/memory/lint.js';

const namespaces: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'notes', paths: ['**/*.md'], policy: 'dream' },
];

interface Case {
  files: Record<string, string>;
  namespaces?: Namespace[];
  harness?: Harness;
  /** Other files of the repository, for links. */
  others?: string[];
}

function lint({ files, namespaces: ns = namespaces, harness = 'none', others = [] }: Case): Finding[] {
  const snapshot = buildSnapshot(Object.entries(files).map(([path, text]) => ({ path, text })), 'memory', ns);
  return lintMemory({ snapshot, repositoryPaths: new Set([...Object.keys(files), ...others]), harness });
}

function rules(findings: Finding[]): string[] {
  return findings.map((f) => `${f.file}:${f.line ?? '-'} ${f.rule} ${f.severity}`);
}

const clean = '# Notes\n\n## Tools\n\n- Use pnpm, never npm.\n- Run `pnpm test` before pushing.\n';

describe('lintMemory', () => {
  it('finds nothing in clean memory', () => {
    expect(lint({ files: { 'memory/notes.md': clean, 'memory/instructions/style.md': '# Style\n\n- Named exports only.\n' } })).toEqual([]);
  });

  it('names every rule it can report, each with a description', () => {
    expect(Object.keys(LINT_RULES).sort()).toEqual([
      'budget/over',
      'format/duplicate-heading',
      'format/empty-entry',
      'format/empty-heading',
      'format/symlink',
      'format/unclosed-comment',
      'format/unclosed-fence',
      'format/unreadable',
      'harness/cutoff',
      'links/missing-file',
      'links/missing-heading',
      'protected/dream-commit',
      'secrets/found',
      'structure/dangling-label',
      'structure/empty-section',
    ]);
  });
});

describe('structure rules', () => {
  it('structure/empty-section: a heading with nothing under it but empty sub-headings; a parent of content is not empty', () => {
    const text = '# Notes\n\n## Empty\n\n## Parent\n\n### Child\n\n- a\n\n## Only empty children\n\n### Nothing\n';
    expect(rules(lint({ files: { 'memory/notes.md': text } }))).toEqual([
      'memory/notes.md:3 structure/empty-section warning',
      'memory/notes.md:11 structure/empty-section warning',
      'memory/notes.md:13 structure/empty-section warning',
    ]);
  });

  it('structure/dangling-label: a label followed by a heading or the end of the file; one with its list is a unit', () => {
    const text = '# Notes\n\nKey files:\n\n## Next\n\n**Commands:**\n- `make`\n\nThe rule is as follows:\n\nDo X.\n\n**Ends here:**\n';
    expect(rules(lint({ files: { 'memory/notes.md': text } }))).toEqual(['memory/notes.md:3 structure/dangling-label warning', 'memory/notes.md:14 structure/dangling-label warning']);
  });
});

describe('format rules', () => {
  it('format/unreadable: a NUL byte or an undecodable byte, and nothing else about that file', () => {
    expect(rules(lint({ files: { 'memory/notes.md': '# Notes\n\n- ok\n- bad \u0000 byte\n- [x](missing.md)\n' } }))).toEqual(['memory/notes.md:4 format/unreadable error']);
    expect(rules(lint({ files: { 'memory/notes.md': '- caf\uFFFD\n' } }))).toEqual(['memory/notes.md:1 format/unreadable error']);
    expect(lint({ files: { 'memory/notes.md': '- café, naïve, 日本語\n' } })).toEqual([]);
  });

  it('format/unreadable: a memory file the shell could not read at all is an error naming why', () => {
    const snapshot = buildSnapshot([{ path: 'memory/notes.md', text: clean }], 'memory', namespaces);
    const findings = lintMemory({ snapshot, repositoryPaths: new Set(), unreadable: [{ path: 'memory/locked.md', reason: 'cannot be read (EACCES)' }] });
    expect(findings).toEqual([{ file: 'memory/locked.md', line: null, rule: 'format/unreadable', severity: 'error', message: 'cannot be read (EACCES)' }]);
  });

  it('format/symlink: a link out of the repository is an error, a link inside it a warning; the link is named, never read', () => {
    const snapshot = buildSnapshot([{ path: 'memory/notes.md', text: clean }], 'memory', namespaces);
    const symlinks = [
      { path: 'memory/passwd.md', target: '/etc/passwd' },
      { path: 'memory/up.md', target: '../../outside.md' },
      { path: 'memory/drive.md', target: 'C:\\Users\\me\\notes.md' },
      { path: 'memory/alias.md', target: 'notes.md' },
      { path: 'memory/team/readme.md', target: '../../README.md' },
      { path: 'memory', target: '/home/me/memory' },
    ];
    expect(rules(lintMemory({ snapshot, repositoryPaths: new Set(), symlinks }))).toEqual([
      'memory:- format/symlink error',
      'memory/alias.md:- format/symlink warning',
      'memory/drive.md:- format/symlink error',
      'memory/passwd.md:- format/symlink error',
      'memory/team/readme.md:- format/symlink warning',
      'memory/up.md:- format/symlink error',
    ]);
    const [inside] = lintMemory({ snapshot, repositoryPaths: new Set(), symlinks: [{ path: 'memory/team/readme.md', target: '../../README.md' }] });
    expect(inside?.message).toBe('a symbolic link to "../../README.md": reverie never follows it, and checks and curates README.md itself when that is memory');
  });

  it('format/unclosed-fence: a fence that runs to the end of the file, not one closed by a longer fence of its kind', () => {
    expect(rules(lint({ files: { 'memory/notes.md': '# Notes\n\n```sh\npnpm test\n\n- an entry swallowed\n' } }))).toEqual(['memory/notes.md:3 format/unclosed-fence error']);
    expect(lint({ files: { 'memory/notes.md': '# Notes\n\n~~~\ncode\n~~~~\n\n```\n`` not a close\n```\n' } })).toEqual([]);
  });

  it('format/unclosed-comment: an HTML comment with no -->', () => {
    expect(rules(lint({ files: { 'memory/notes.md': '# Notes\n\n<!-- draft\n\n- hidden entry\n' } }))).toEqual(['memory/notes.md:3 format/unclosed-comment error']);
    expect(lint({ files: { 'memory/notes.md': '# Notes\n\n<!-- a comment\n   on two lines -->\n\n- seen\n' } })).toEqual([]);
  });

  it('format/duplicate-heading: the same heading under the same parent, in any case; not under different parents', () => {
    const twice = '# Notes\n\n## Tools\n\n- a\n\n## tools\n\n- b\n';
    expect(rules(lint({ files: { 'memory/notes.md': twice } }))).toEqual(['memory/notes.md:7 format/duplicate-heading error']);
    const apart = '# Notes\n\n## Deploy\n\n### Steps\n\n- a\n\n## Release\n\n### Steps\n\n- b\n';
    expect(lint({ files: { 'memory/notes.md': apart } })).toEqual([]);
  });

  it('format/empty-entry: a list item with no text', () => {
    expect(rules(lint({ files: { 'memory/notes.md': '# Notes\n\n- a\n-\n- b\n' } }))).toEqual(['memory/notes.md:4 format/empty-entry error']);
  });

  it('format/empty-heading: a warning', () => {
    expect(rules(lint({ files: { 'memory/notes.md': '# Notes\n\n##\n\n- a\n' } }))).toEqual(['memory/notes.md:3 format/empty-heading warning']);
  });
});

describe('budget/over', () => {
  const text = '# Notes\n\n- Use pnpm, never npm, in this repository.\n';
  const tokens = estimateTokens(text);
  const withBudget = (budget: number, policy: Namespace['policy'] = 'dream'): Namespace[] => [{ name: 'notes', paths: ['**/*.md'], policy, budgetTokens: budget }];

  it('is quiet at the budget exactly, warns one token over for a dream namespace (the next cycle prunes it)', () => {
    expect(lint({ files: { 'memory/notes.md': text }, namespaces: withBudget(tokens) })).toEqual([]);
    const [over] = lint({ files: { 'memory/notes.md': text }, namespaces: withBudget(tokens - 1) });
    expect(over).toMatchObject({ file: 'memory/notes.md', line: null, rule: 'budget/over', severity: 'warning' });
    expect(over?.message).toContain(`about ${tokens} tokens, over its budget of ${tokens - 1}`);
  });

  it('is an error for a protected namespace, which no cycle will shrink, and names its largest file', () => {
    const files = { 'memory/a.md': text, 'memory/b.md': `${text}- And another, longer entry to make this file the largest.\n` };
    expect(rules(lint({ files, namespaces: withBudget(1, 'protected') }))).toEqual(['memory/b.md:- budget/over error']);
  });
});

describe('harness/cutoff', () => {
  const linesOf = (n: number, line = '- a note') => `${Array.from({ length: n }, () => line).join('\n')}\n`;

  it('claude-code: MEMORY.md loads 200 lines; line 201 is the first the agent never sees', () => {
    expect(lineCount(linesOf(200))).toBe(CLAUDE_CODE_MEMORY_INDEX.maxLines);
    expect(lint({ files: { 'memory/MEMORY.md': linesOf(200) }, harness: 'claude-code' })).toEqual([]);
    const [cut] = lint({ files: { 'memory/MEMORY.md': linesOf(201) }, harness: 'claude-code' });
    expect(cut).toMatchObject({ file: 'memory/MEMORY.md', line: 201, rule: 'harness/cutoff', severity: 'error' });
    expect(cut?.message).toContain('first 200 lines');
  });

  it('claude-code: MEMORY.md loads 25,000 bytes; one byte more is cut, at the line that holds it', () => {
    const line = `- ${'x'.repeat(97)}`; // 100 bytes with its line break
    const exact = linesOf(CLAUDE_CODE_MEMORY_INDEX.maxBytes / 100 / 2, line).repeat(2);
    expect(Buffer.byteLength(exact)).toBe(25_000);
    expect(lineCount(exact)).toBe(250);
    const atLimit = `${linesOf(150, line)}${'y'.repeat(24_999 - 150 * 100)}\n`;
    expect(Buffer.byteLength(atLimit)).toBe(25_000);
    expect(lint({ files: { 'memory/MEMORY.md': atLimit }, harness: 'claude-code' })).toEqual([]);
    const over = `${linesOf(150, line)}${'y'.repeat(25_000 - 150 * 100)}\n`;
    expect(rules(lint({ files: { 'memory/MEMORY.md': over }, harness: 'claude-code' }))).toEqual(['memory/MEMORY.md:151 harness/cutoff error']);
  });

  it('claude-code: only MEMORY.md is cut; CLAUDE.md and topic files load in full', () => {
    expect(lint({ files: { 'memory/CLAUDE.md': linesOf(500), 'memory/topic.md': linesOf(500) }, harness: 'claude-code' })).toEqual([]);
  });

  it('managed-agents: each memory holds 100,000 bytes; without a harness nothing is cut', () => {
    const atLimit = `- ${'x'.repeat(MANAGED_AGENTS_MEMORY.maxBytes - 3)}\n`;
    expect(Buffer.byteLength(atLimit)).toBe(100_000);
    const big = { 'memory/big.md': atLimit, 'memory/bigger.md': `- a\n- ${'x'.repeat(MANAGED_AGENTS_MEMORY.maxBytes - 6)}\n` };
    expect(rules(lint({ files: big, harness: 'managed-agents' }))).toEqual(['memory/bigger.md:2 harness/cutoff error']);
    expect(lint({ files: big, harness: 'none' })).toEqual([]);
    expect(lint({ files: { 'memory/MEMORY.md': linesOf(300) }, harness: 'managed-agents' })).toEqual([]);
  });
});

describe('secrets/found', () => {
  const token = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

  it('reports the line and the kind of secret, never the secret', () => {
    const [found, ...rest] = lint({ files: { 'memory/notes.md': `# Notes\n\n- Deploy token: ${token}\n` } });
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ file: 'memory/notes.md', line: 3, rule: 'secrets/found', severity: 'error' });
    expect(found?.message).toContain('github-token');
    expect(JSON.stringify(found)).not.toContain(token);
  });

  it('no finding quotes it: a label, a heading or a link that holds one is named with the secret masked', () => {
    const text = `# Notes\n\n**Deploy with ${token}:**\n\n## Token ${token}\n\n## Tools\n\n- See [the runbook](runbook.md?token=${token}).\n`;
    const findings = lint({ files: { 'memory/notes.md': text } });
    expect(rules(findings)).toEqual([
      'memory/notes.md:3 secrets/found error',
      'memory/notes.md:3 structure/dangling-label warning',
      'memory/notes.md:5 secrets/found error',
      'memory/notes.md:5 structure/empty-section warning',
      'memory/notes.md:9 links/missing-file error',
      'memory/notes.md:9 secrets/found error',
    ]);
    expect(findings.find((f) => f.rule === 'structure/dangling-label')?.message).toContain('[REDACTED:github-token]');
    expect(JSON.stringify(findings)).not.toContain(token.slice(4));
  });

  it('finds a private key block and an assigned password, even in code', () => {
    const text = '# Notes\n\n```\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----\n```\n\nDB_PASSWORD="hunter2-Staging-42"\n';
    expect(rules(lint({ files: { 'memory/notes.md': text } }))).toEqual(['memory/notes.md:4 secrets/found error', 'memory/notes.md:9 secrets/found error']);
  });

  // The secrets that hide in prose and flags, and one only secretlint's preset knows: each reported with its kind.
  const hidden: [kind: string, line: string, secret: string][] = [
    ['password-in-prose', '- For staging, the password Sup3rS3cret!x still works.', 'Sup3rS3cret!x'],
    ['cli-password', '- Dump with `mysql -u root -pMango7Tango app`.', 'Mango7Tango'],
    ['cli-user-password', '- Trigger CI with `curl -u deploy:Kiwi88Lime https://ci.example.com/job/build`.', 'Kiwi88Lime'],
    ['pin', '- The staging pin is 4821.', '4821'],
    ['webhook-url', '- Alerts go to https://hooks.slack.com/services/' + 'T0A1B2C3D/B0A1B2C3D/q8Rk2mZLp4vN7xB1cT9wY3hJ', 'q8Rk2mZLp4vN7xB1cT9wY3hJ'],
    ['cli-secret-setting', '- Run `aws configure set aws_secret_access_key ' + 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r`.', 'q8Rk2mZ/Lp4vN7xB1cT9wY3hJ6fD0sGa5eQ+uK2r'],
    ['connection-string-password', '- `Server=db;Database=app;User ID=sa;Password=Kiwi 88 Lime;`', 'Kiwi 88 Lime'],
    ['secretlint-shopify', '- The shop key is ' + 'shpat_' + 'a1b2c3d4e5f60718293a4b5c6d7e8f90' + '.', 'a1b2c3d4e5f60718293a4b5c6d7e8f90'],
  ];

  it.each(hidden)('reports a %s with its kind, never the secret', (kind, line, secret) => {
    const findings = lint({ files: { 'memory/notes.md': `# Notes\n\n${line}\n` } });
    expect(rules(findings)).toEqual(['memory/notes.md:3 secrets/found error']);
    expect(findings[0]?.message).toContain(kind);
    expect(JSON.stringify(findings)).not.toContain(secret);
  });

  it('leaves the look-alikes of those kinds alone', () => {
    const text = [
      '# Notes',
      '',
      '- The password field is required; use the password manager.',
      '- Connect with `mysql -u root -p app` (it prompts), or `curl -u root` for the local proxy.',
      '- Pin node 20 and pin react to 18.2.0.',
      '- Post to `$SLACK_WEBHOOK_URL`, e.g. https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      '- `aws configure set region eu-west-1`; the key comes from `${{ secrets.AWS_SECRET_ACCESS_KEY }}`.',
      '- Locally: postgres://user:password@localhost:5432/app',
      '',
    ].join('\n');
    expect(lint({ files: { 'memory/notes.md': text } })).toEqual([]);
  });

  it('leaves redaction placeholders, placeholders and ordinary prose alone', () => {
    const text = '# Notes\n\n- The deploy token was [REDACTED:github-token]; it lives in the vault.\n- Set `GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}`.\n- Tokens expire after 90 days.\n';
    expect(lint({ files: { 'memory/notes.md': text } })).toEqual([]);
  });
});

describe('protected/dream-commit', () => {
  const commit = (changedPaths: string[]) => ({ oid: 'abcdef1234567890abcdef1234567890abcdef12', cycle: '20261101-000000', actions: ['merge'], changedPaths });

  it('is an error for each protected file a dream commit changed', () => {
    const findings = protectedFindings({ root: 'memory', namespaces }, [commit(['memory/instructions/style.md', 'memory/notes.md'])]);
    expect(rules(findings)).toEqual(['memory/instructions/style.md:- protected/dream-commit error']);
    expect(findings[0]?.message).toContain('abcdef1');
    expect(findings[0]?.message).toContain('20261101-000000');
  });

  it('is quiet when dream commits change only dream namespaces, or files outside memory', () => {
    expect(protectedFindings({ root: 'memory', namespaces }, [commit(['memory/notes.md', '.reverie/state.json', 'instructions/x.md'])])).toEqual([]);
  });

  it('is reported by lintMemory from the dream commits it is given', () => {
    const snapshot = buildSnapshot([{ path: 'memory/notes.md', text: clean }], 'memory', namespaces);
    const findings = lintMemory({ snapshot, repositoryPaths: new Set(), dreamCommits: [commit(['memory/instructions/style.md'])] });
    expect(rules(findings)).toEqual(['memory/instructions/style.md:- protected/dream-commit error']);
  });
});

describe('links', () => {
  const index = (body: string) => ({ 'memory/_index.md': `# Index\n\n${body}\n`, 'memory/tools.md': '# Tools\n\n## Mistakes to avoid\n\n- a\n\n## Setup\n\n### Steps\n\n- install\n\n## Deploy\n\n### Steps\n\n- ship\n' });

  it('links/missing-file: a relative link to a file that does not exist', () => {
    expect(rules(lint({ files: index('- [Deploy](deploy.md)') }))).toEqual(['memory/_index.md:3 links/missing-file error']);
  });

  it('resolves links to memory files, other files of the repository, folders, and encoded names', () => {
    const body = [
      '- [Tools](tools.md) and [Tools again](./tools.md)',
      '- [README](../README.md), [logs](../sessions/) and [a diagram](img/flow%20chart.png "Flow")',
      '- [ref]: tools.md',
    ].join('\n');
    expect(lint({ files: index(body), others: ['README.md', 'sessions/a/one.jsonl', 'memory/img/flow chart.png'] })).toEqual([]);
  });

  it('links/missing-file: a link that climbs out of the repository', () => {
    expect(rules(lint({ files: index('- [Secrets](../../etc/passwd)') }))).toEqual(['memory/_index.md:3 links/missing-file error']);
  });

  it('links/missing-heading: an anchor the linked memory file does not have; repeated headings get -1', () => {
    const body = '- [Mistakes](tools.md#mistakes-to-avoid), [deploy steps](tools.md#steps-1), [top](#index)\n- [Nope](tools.md#release) [self](#nothing)';
    expect(rules(lint({ files: index(body) }))).toEqual(['memory/_index.md:4 links/missing-heading error', 'memory/_index.md:4 links/missing-heading error']);
  });

  it('ignores URLs, root-relative paths, and links inside code', () => {
    const body = '- [site](https://example.com/x.md) [mail](mailto:a@b.c) [root](/memories/x.md)\n- `[code](missing.md)`\n\n```\n[fenced](missing.md)\n```';
    expect(lint({ files: index(body) })).toEqual([]);
  });

  it('does not check anchors in files that are not memory, which it cannot read', () => {
    expect(lint({ files: index('- [Guide](../README.md#anything)'), others: ['README.md'] })).toEqual([]);
  });
});
