/**
 * The do-no-harm rules on excerpts of real memory files (test/fixtures/SOURCES.md, "Excerpts quoted in tests"): a
 * label keeps what it introduces, a person's rules stay, paraphrases a person wrote are not merged, what no session
 * settles is asked, not resolved.
 */
import { describe, expect, it } from 'vitest';
import { actionsFromProposals } from '../../../src/dream/engines/claude/curate.js';
import type { Proposal } from '../../../src/dream/engines/claude/schemas.js';
import { emptyState, guardFor, planCycle } from '../../../src/dream/plan.js';
import { parseDocument } from '../../../src/memory/index.js';
import { isRuleLine } from '../../../src/memory/rules.js';
import { structureProblems } from '../../../src/memory/structure.js';
import { INBOX, planInput, snapshotOf } from './fixtures.js';

/** browser-use/browser-use, CLAUDE.md @ 85ddbfedf609 (MIT), lines 34-62. */
const BROWSER_USE = `## Development Commands

**Setup:**
\`\`\`bash
uv venv --python 3.11
source .venv/bin/activate
uv sync
\`\`\`

**Testing:**
- Run CI tests: \`uv run pytest -vxs tests/ci\`
- Run all tests: \`uv run pytest -vxs tests/\`
- Run single test: \`uv run pytest -vxs tests/ci/test_specific_test.py\`

**Quality Checks:**
- Type checking: \`uv run pyright\`
- Linting/formatting: \`uv run ruff check --fix\` and \`uv run ruff format\`
- Pre-commit hooks: \`uv run pre-commit run --all-files\`

**MCP Server Mode:**
The library can run as an MCP server for integration with Claude Desktop:
\`\`\`bash
uvx browser-use[cli] --mcp
\`\`\`

## Code Style

- Use async python
- Use tabs for indentation in all python code, not spaces
`;

/** cline/cline, .clinerules/general.md @ 21cb8d2525bc (Apache-2.0), lines 15-17. */
const CLINE = `## Miscellaneous
- The whole repo (including \`apps/vscode\`) uses **bun** for package management and task running. Emit \`bun run X\` / \`bun install\` / \`bunx <bin>\` / \`bun file.ts\`, never npm/npx.
- Avoid provider-specific string matching / hardcoded provider branches when fixing provider/config plumbing.
- This is a VS Code extension—check \`package.json\` for available scripts before trying to verify builds (e.g., \`bun run compile\`, not \`bun run build\`).
`;

const file = (body: string) => ({ path: INBOX, text: `# Notes\n\n${body}` });

describe('a label and what it introduces are one entry (browser-use CLAUDE.md)', () => {
  it('reads each bold label with its code block or list as one unit, and leaves no label dangling', () => {
    const doc = parseDocument(INBOX, BROWSER_USE);
    const units = doc.blocks.filter((b) => b.kind === 'labelled').map((b) => b.raw.split('\n')[0]);
    expect(units).toEqual(['**Setup:**', '**Testing:**', '**Quality Checks:**', '**MCP Server Mode:**']);
    expect(structureProblems(doc)).toEqual([]);
  });

  it('a cycle with no sessions changes nothing in it, whoever wrote it', () => {
    for (const writtenBy of ['person', 'reverie'] as const) {
      const plan = planCycle(planInput({ files: [file(BROWSER_USE)], writtenBy }));
      expect(plan.actions, writtenBy).toEqual([]);
    }
  });

  it("refuses a model's merge of two labelled lists and a prune of a person's rule", () => {
    const memory = snapshotOf([file(BROWSER_USE)]);
    const entries = memory.files[0]?.entries ?? [];
    const testing = entries.find((e) => e.text.startsWith('**Testing:**'));
    const checks = entries.find((e) => e.text.startsWith('**Quality Checks:**'));
    const tabs = entries.find((e) => e.text.startsWith('Use tabs'));
    const step = (type: Proposal['type'], targets: string[], content: string | null = null): Proposal => ({ type, targets, content, file: null, section: null, patterns: [], summary: type, rationale: 'tidy' });
    const merged = 'Tests and checks run with uv: `uv run pytest`, `uv run pyright`, `uv run ruff check --fix`.';
    const { actions, dropped } = actionsFromProposals([step('merge', [testing?.id ?? '', checks?.id ?? ''], merged), step('prune', [tabs?.id ?? ''])], {
      memory,
      patterns: [],
      inbox: INBOX,
      guard: guardFor(memory, emptyState()),
    });
    expect(actions).toEqual([]);
    expect(dropped.map((d) => [d.action.type, d.reason]).sort()).toEqual([
      ['merge', expect.stringMatching(/written by a person and no session names it/)],
      ['prune', 'it cites no pattern with enough support from the sessions'],
    ]);
  });
});

describe("a person's rules stay (cline .clinerules/general.md)", () => {
  it('finds the rule lines, and a cycle over them leaves every one in place', () => {
    const rules = CLINE.split('\n').filter(isRuleLine);
    expect(rules).toHaveLength(2);
    const plan = planCycle(planInput({ files: [file(CLINE)] }));
    expect(plan.actions).toEqual([]);
  });

  it('a rule against npm contradicts a note that says `npm install`: with no session, a question, nothing removed', () => {
    const plan = planCycle(planInput({ files: [file(`${CLINE}- Install dependencies with \`npm install\`.\n`)] }));
    expect(plan.actions).toEqual([]);
    expect(plan.notices.map((n) => n.kind)).toEqual(['question']);
  });
});
