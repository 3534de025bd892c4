/**
 * Pure helpers around a corpus: its memory as the cycle will see it, a check that every entry the ground
 * truth names really is an entry of that memory, and hand-made plans (the perfect one, the empty one, with the
 * questions a perfect curator asks) turned into Outcomes without git, for the scorer's tests.
 */
import { applyActions } from '../../src/dream/apply.js';
import { makeAction } from '../../src/dream/curate/action.js';
import type { Action } from '../../src/dream/types.js';
import { buildSnapshot } from '../../src/memory/index.js';
import type { Entry, Namespace } from '../../src/memory/types.js';
import type { Corpus, EntryLabel } from './model.js';
import { addedLines, normalizeEntry, toScored, type AskedQuestion, type Outcome } from './score.js';

const NAMESPACES: Namespace[] = [
  { name: 'instructions', paths: ['instructions/**'], policy: 'protected' },
  { name: 'notes', paths: ['**/*.md'], policy: 'dream', budgetTokens: 1200 },
];

/** The memory files at the end of the corpus' history (what main holds when the cycle starts). */
export function memoryOf(corpus: Corpus): Record<string, string> {
  const files: Record<string, string> = {};
  for (const step of corpus.history) for (const [path, text] of Object.entries(step.files)) if (path.startsWith('memory/')) files[path] = text;
  return files;
}

function entriesOf(files: Record<string, string>): Entry[] {
  const snapshot = buildSnapshot(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    'memory',
    NAMESPACES,
  );
  return snapshot.files.flatMap((f) => f.entries);
}

/** Every entry label of the truth names exactly one entry of the memory; returns the problems found. */
export function validateTruth(corpus: Corpus): string[] {
  const entries = entriesOf(memoryOf(corpus));
  const labels: EntryLabel[] = [...corpus.truth.keep, ...corpus.truth.questions.flatMap((q) => q.entries)];
  for (const item of corpus.truth.items) {
    if (item.type === 'merge') labels.push(...item.entries);
    if (item.type === 'resolve') labels.push(item.keep, item.remove);
    if (item.type === 'prune' || item.type === 'update') labels.push(item.entry);
  }
  const problems: string[] = [];
  for (const label of labels) {
    const found = entries.filter((e) => e.path === label.path && normalizeEntry(e.raw) === normalizeEntry(label.raw));
    if (found.length !== 1) problems.push(`${label.path}: "${label.raw}" is ${found.length} entries`);
  }
  return problems;
}

function entryFor(entries: Entry[], label: EntryLabel): Entry {
  const entry = entries.find((e) => e.path === label.path && normalizeEntry(e.raw) === normalizeEntry(label.raw));
  if (!entry) throw new Error(`no entry "${label.raw}" in ${label.path}`);
  return entry;
}

/** The plan a perfect curator would make: exactly the planted actions, nothing else. */
export function perfectPlan(corpus: Corpus): Action[] {
  const entries = entriesOf(memoryOf(corpus));
  const inbox = corpus.truth.config.inbox;
  return corpus.truth.items.map((item) => {
    const draft = { summary: item.id, rationale: item.description, identity: item.id };
    switch (item.type) {
      case 'add':
        return makeAction({ ...draft, type: 'add', content: `${item.description}: ${item.terms.map((g) => g[0]).join(', ')}.`, destination: { path: inbox, section: 'Mistakes to avoid' } });
      case 'merge':
        return makeAction({ ...draft, type: 'merge', targets: item.entries.map((e) => entryFor(entries, e)) });
      case 'resolve':
        return makeAction({ ...draft, type: 'resolve', targets: [entryFor(entries, item.keep), entryFor(entries, item.remove)] });
      case 'prune':
        return makeAction({ ...draft, type: 'prune', targets: [entryFor(entries, item.entry)] });
      case 'update':
        return makeAction({ ...draft, type: 'update', targets: [entryFor(entries, item.entry)], content: `${item.description}: ${item.terms.map((g) => g[0]).join(', ')}.` });
    }
  });
}

/** The questions a perfect curator asks: one per planted disagreement no session settles. */
export function perfectQuestions(corpus: Corpus): AskedQuestion[] {
  return corpus.truth.questions.map((q) => ({ entries: q.entries.map((e) => ({ path: e.path, text: normalizeEntry(e.raw) })), message: q.description }));
}

/** A plan applied to the corpus' memory without git: what the scorer sees for it. */
export function outcomeOf(corpus: Corpus, actions: Action[], questions: AskedQuestion[] = []): Outcome {
  const before = memoryOf(corpus);
  const applied = applyActions(new Map(Object.entries(before)), actions);
  const after = Object.fromEntries(applied);
  const committed = Object.entries(addedLines(before, after)).map(([where, lines]) => ({ commit: 'plan', where, text: lines.join('\n') }));
  for (const a of actions) committed.push({ commit: 'plan', where: 'message', text: `${a.type}: ${a.summary}\n\n${a.rationale}` });
  return { actions: actions.map(toScored), questions, before, after, committed };
}
