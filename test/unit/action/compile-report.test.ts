import { describe, expect, it } from 'vitest';
import { compileAnnotations, compileOutcome, compileOutputs, compileSummary } from '../../../src/action/compile-report.js';
import type { AgentReport, CompileReport } from '../../../src/compile/run.js';

function agent(overrides: Partial<AgentReport> = {}): AgentReport {
  return {
    agent: 'claude-code',
    format: 'claude-md',
    into: '../app',
    destination: { kind: 'git', dir: '/w/app', branch: 'reverie/compile' },
    files: [{ path: 'CLAUDE.md', action: 'unchanged', bytes: 10, lines: 2 }],
    size: { tokens: 3, lines: 2, bytes: 10 },
    over: [],
    warnings: [],
    hand_edits: [],
    untraceable: [],
    commit: null,
    ...overrides,
  };
}

function report(agents: AgentReport[], overrides: Partial<CompileReport> = {}): CompileReport {
  return { mode: 'review', check: false, memory_commit: 'f'.repeat(40), agents, record_commit: null, stale: false, failed: false, ...overrides };
}

const inApp = (file: string) => (file.startsWith('../app/') ? `app/${file.slice('../app/'.length)}` : undefined);

describe('command: compile on the workflow run', () => {
  it('an untraceable edit is an error on its file and line in the workspace; a limit overrun names its source', () => {
    const r = report([agent({ untraceable: [{ file: '../app/CLAUDE.md', line: 3, message: 'the header was edited' }], over: [{ limit: 'bytes', size: 40000, max: 32768, over_by: 7232, source: 'Codex', file: 'AGENTS.md' }] })], { failed: true, stale: true });
    expect(compileAnnotations(r, inApp)).toEqual([
      '::error title=reverie%3A over a limit::agent claude-code: ../app/AGENTS.md: 40000 bytes of at most 32768, over by 7232 (Codex); nothing of claude-code was written',
      '::error title=reverie%3A hand edit that cannot be traced,file=app/CLAUDE.md,line=3::the header was edited; the file is left as it is',
    ]);
    expect(compileOutcome(r)).toBe('failed');
  });

  it('under check each stale file is an error; past ten, a notice says how many more', () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ path: `r${i}.mdc`, action: 'write' as const, bytes: 1, lines: 1 }));
    const r = report([agent({ files })], { check: true, stale: true });
    const lines = compileAnnotations(r, () => undefined);
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(10);
    expect(lines.at(-1)).toBe('::notice title=reverie%3A more::2 more errors: the job summary lists them');
    expect(compileOutputs(r, [])).toEqual({ outcome: 'stale', stale: 'true', 'pull-request-number': '', 'pull-request-url': '' });
  });

  it('a written run: outcome compiled, the pull request in the outputs and the summary', () => {
    const r = report([agent({ files: [{ path: 'CLAUDE.md', action: 'write', bytes: 10, lines: 2 }], commit: 'c'.repeat(40) })], { stale: true });
    const github = [{ into: '../app', repository: 'acme/app', branch: 'reverie/compile', push: 'pushed' as const, pull: { number: 7, url: 'https://github.com/acme/app/pull/7', action: 'created' as const } }];
    expect(compileOutputs(r, github)).toEqual({ outcome: 'compiled', stale: 'false', 'pull-request-number': '7', 'pull-request-url': 'https://github.com/acme/app/pull/7' });
    const summary = compileSummary(r, github);
    expect(summary).toContain('| claude-code | claude-md | ../app (`reverie/compile`) | write CLAUDE.md |');
    expect(summary).toContain('- acme/app: `reverie/compile` pushed; pull request [#7](https://github.com/acme/app/pull/7) created');
    expect(compileOutcome(report([agent()]))).toBe('up-to-date');
  });
});
