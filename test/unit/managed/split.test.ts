import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyActions } from '../../../src/dream/apply.js';
import { comparableText } from '../../../src/dream/curate/effects.js';
import { splitDream, type SessionText } from '../../../src/dream/engines/managed/split.js';
import { entriesOf, parseDocument } from '../../../src/memory/index.js';
import { snapshotOf } from '../dream/fixtures.js';

const NOTES = 'memory/notes.md';
const TOOLS = 'memory/tools.md';

const INPUT = [
  {
    path: NOTES,
    text:
      '# Notes\n\n' +
      '- Install dependencies with `pnpm install`, never npm.\n' +
      '- The pricing service listens on port 8081 locally.\n' +
      '- Run `make lint` before pushing.\n' +
      '- The staging database is reset every Monday.\n',
  },
  {
    path: TOOLS,
    text: '# Tools\n\n- Use `rg` to search the code.\n- Search with `rg`, which respects .gitignore.\n- Old deploys used `fab deploy`.\n',
  },
];

const dream = 'drm_01test';

function split(output: Record<string, string>, sessions: SessionText[] = []) {
  return splitDream(snapshotOf(INPUT), new Map(Object.entries(output)), { dream, sessions });
}

/** Each file's entries as (section, words), sorted: what a person reads of memory, list marks and spacing aside. */
function entriesByFile(files: ReadonlyMap<string, string>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [path, text] of files) {
    result[path] = entriesOf(parseDocument(path, text), 'notes', 'dream')
      .map((e) => `${e.section.join(' > ')} | ${comparableText(e.text)}`)
      .sort();
  }
  return result;
}

describe('splitDream', () => {
  it('finds nothing when the dream wrote back the same entries, whatever their order or list marks', () => {
    const result = split({
      [NOTES]:
        '# Notes\n\n' +
        '* Run `make lint` before pushing\n' +
        '* Install dependencies with `pnpm install`, never npm.\n' +
        '* The pricing service listens on port 8081 locally.\n' +
        '* The staging database is reset every Monday.\n',
      [TOOLS]: INPUT[1]?.text ?? '',
    });
    expect(result.actions).toEqual([]);
    expect(result.moved).toEqual([]);
  });

  it('names an add, an update, a merge and a prune, each with the entries it touches', () => {
    const result = split({
      [NOTES]:
        '# Notes\n\n' +
        '- Install dependencies with `pnpm install`, never npm.\n' +
        '- The pricing service listens on port 8081 locally (set PRICING_PORT to change it).\n' +
        '- Run `make lint` before pushing.\n' +
        '- Feature flags live in `config/flags.yaml`.\n',
      [TOOLS]: '# Tools\n\n- Search the code with `rg`, which respects .gitignore.\n- Old deploys used `fab deploy`.\n',
    });
    const byType = Object.fromEntries(result.actions.map((a) => [a.type, a]));
    expect(result.actions.map((a) => a.type).sort()).toEqual(['add', 'merge', 'prune', 'update']);

    expect(byType.update?.targets.map((t) => t.raw)).toEqual(['- The pricing service listens on port 8081 locally.\n']);
    expect(byType.update?.content).toBe('The pricing service listens on port 8081 locally (set PRICING_PORT to change it).');

    expect(byType.merge?.targets.map((t) => t.raw)).toEqual(['- Use `rg` to search the code.\n', '- Search with `rg`, which respects .gitignore.\n']);
    expect(byType.merge?.content).toBe('Search the code with `rg`, which respects .gitignore.');
    expect(byType.merge?.paths).toEqual([TOOLS]);

    expect(byType.prune?.targets.map((t) => t.raw)).toEqual(['- The staging database is reset every Monday.\n']);
    expect(byType.add?.destination).toEqual({ path: NOTES, section: 'Notes' });
    expect(byType.add?.content).toBe('Feature flags live in `config/flags.yaml`.');
    for (const action of result.actions) expect(action.rationale).toContain(dream);
  });

  it('orders rewrites, then adds, then removals, so that a section rewritten whole never passes through empty', () => {
    const result = split({
      [NOTES]: '# Notes\n\n- Releases are cut on Thursdays.\n',
      [TOOLS]: INPUT[1]?.text ?? '',
    });
    const types = result.actions.map((a) => a.type);
    expect(types.indexOf('add')).toBeLessThan(types.indexOf('prune'));
    expect(types.filter((t) => t === 'prune')).toHaveLength(4);
  });

  it('leaves an entry the dream only moved to another file where it was, and says so', () => {
    const result = split({
      [NOTES]: '# Notes\n\n- Install dependencies with `pnpm install`, never npm.\n- The pricing service listens on port 8081 locally.\n- The staging database is reset every Monday.\n',
      [TOOLS]: `${INPUT[1]?.text ?? ''}- Run \`make lint\` before pushing.\n`,
    });
    expect(result.actions).toEqual([]);
    expect(result.moved).toHaveLength(1);
    expect(result.moved[0]).toContain('from memory/notes.md to memory/tools.md');
  });

  it('takes a file the dream deleted as the removal of each of its entries, and a new file as adds to it', () => {
    const result = split({ [NOTES]: INPUT[0]?.text ?? '', 'memory/deploy.md': '# Deploy\n\n- Deploy with `make ship` from main.\n' });
    expect(result.actions.filter((a) => a.type === 'prune').flatMap((a) => a.paths)).toEqual([TOOLS, TOOLS, TOOLS]);
    const add = result.actions.find((a) => a.type === 'add');
    expect(add?.destination).toEqual({ path: 'memory/deploy.md', section: 'Deploy' });
  });

  it('quotes, as evidence, the sessions that name what an action changes, and only those', () => {
    const sessions: SessionText[] = [
      { id: 's1', agent: 'claude', text: 'user: the pricing service moved\nassistant: set PRICING_PORT=9090 and restarted it' },
      { id: 's2', agent: 'codex', text: 'nothing about ports here' },
    ];
    const result = split(
      {
        [NOTES]: (INPUT[0]?.text ?? '').replace('port 8081 locally.', 'port 8081 locally (set PRICING_PORT to change it).'),
        [TOOLS]: INPUT[1]?.text ?? '',
      },
      sessions,
    );
    const [update] = result.actions;
    expect(update?.type).toBe('update');
    expect(update?.evidence).toEqual([{ sessionId: 's1', agent: 'claude', quote: 'assistant: set `PRICING_PORT`=9090 and restarted it' }]);
  });

  it('redacts what it quotes from a session', () => {
    const key = `sk-ant-api03-${'a'.repeat(80)}AA`;
    const result = split({ [NOTES]: `${INPUT[0]?.text ?? ''}- Deploy keys live in \`vault/deploy\`.\n`, [TOOLS]: INPUT[1]?.text ?? '' }, [
      { id: 's1', agent: 'claude', text: `export KEY=${key} && vault/deploy read` },
    ]);
    expect(result.actions[0]?.evidence[0]?.quote).toContain('`vault/deploy`');
    expect(JSON.stringify(result.actions)).not.toContain(key);
  });

  it('takes a note that shares only everyday words with a gone one as an add and a prune, not a rewrite', () => {
    const result = split({
      [NOTES]: (INPUT[0]?.text ?? '').replace('- The staging database is reset every Monday.\n', '- The billing database is backed up every night.\n'),
      [TOOLS]: INPUT[1]?.text ?? '',
    });
    expect(result.actions.map((a) => a.type).sort()).toEqual(['add', 'prune']);
  });

  it('takes a note that folds two in and says more as a merge', () => {
    const result = split({
      [NOTES]: INPUT[0]?.text ?? '',
      [TOOLS]: '# Tools\n\n- Search the code with `rg`, which respects .gitignore and is faster than grep on large monorepos.\n- Old deploys used `fab deploy`.\n',
    });
    expect(result.actions.map((a) => a.type)).toEqual(['merge']);
    expect(result.actions[0]?.targets).toHaveLength(2);
  });

  it('leaves out a file the dream wrote that is not Markdown, and names it', () => {
    const result = split({ [NOTES]: INPUT[0]?.text ?? '', [TOOLS]: INPUT[1]?.text ?? '', 'memory/scratch.json': '{"todo": 1}' });
    expect(result.actions).toEqual([]);
    expect(result.ignored).toEqual(['memory/scratch.json']);
  });

  it('gives the same actions, ids and all, for the same dream', () => {
    const output = { [NOTES]: '# Notes\n\n- Releases are cut on Thursdays.\n', [TOOLS]: INPUT[1]?.text ?? '' };
    expect(split(output)).toEqual(split(output));
  });
});

/** A dream's output as a generator makes it: each input entry kept, dropped, or reworded a little; new entries added. */
const WORDS = ['deploy', 'cache', 'lint', 'billing', 'gateway', 'schema', 'docker', 'queue', 'webhook', 'ledger', 'invoice', 'router', 'token', 'bucket', 'cron', 'kafka'];
const sentence = fc.array(fc.constantFrom(...WORDS), { minLength: 4, maxLength: 7 }).map((w) => `${w.join(' ')} matters`);

describe('splitDream, property: applying the actions to the input gives the output', () => {
  it('holds for entries kept, dropped, reworded and added under the sections of one file', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(sentence, { minLength: 1, maxLength: 6, selector: (s) => s }),
        fc.array(fc.constantFrom('keep', 'drop', 'reword'), { minLength: 6, maxLength: 6 }),
        fc.uniqueArray(fc.constantFrom('alpha omega', 'sigma tau', 'kappa zeta delta'), { maxLength: 3 }),
        (notes, fates, added) => {
          const input = `# Notes\n\n## Keep\n\n- anchor entry stays here\n\n## Work\n\n${notes.map((n) => `- ${n}\n`).join('')}`;
          const kept = notes.flatMap((n, i) => (fates[i] === 'drop' ? [] : fates[i] === 'reword' ? [`${n} always`] : [n]));
          const output = `# Notes\n\n## Keep\n\n- anchor entry stays here\n${added.map((a) => `- ${a} entry\n`).join('')}\n## Work\n\n${kept.map((n) => `- ${n}\n`).join('')}`;
          const memory = snapshotOf([{ path: NOTES, text: input }]);
          const { actions } = splitDream(memory, new Map([[NOTES, output]]), { dream });
          const applied = applyActions(new Map([[NOTES, input]]), actions);
          expect(entriesByFile(applied)).toEqual(entriesByFile(new Map([[NOTES, output]])));
        },
      ),
      { numRuns: 200 },
    );
  });
});
