/**
 * The shape a reader relies on: every heading has something under it, and every label ("Key files:") has the list,
 * code or table it announces. `reverie lint` reports what breaks it; a cycle may not make it worse.
 */
import { eachBlock, type BlockView } from './markdown.js';
import type { Block } from './types.js';

export interface StructureProblem {
  kind: 'empty-section' | 'dangling-label';
  /** 1-based line of the heading or label. */
  line: number;
  /** The heading's or label's text: what identifies the problem across edits that move lines. */
  text: string;
}

const LABEL_END = /:[ \t]*(?:\*\*|__|\*|_)?[ \t]*$/;
const BOLD_LABEL = /^[ \t]*(\*\*|__)[^*_\n]+\1[ \t]*:?[ \t]*$/;

export function structureProblems(doc: { blocks: readonly Block[] | BlockView }): StructureProblem[] {
  // Each block where the text it came from has it, when the blocks were derived and not made (markdown.ts): what the
  // passes read of a block is its own but its line, read from the view for the few blocks a problem names.
  const view = doc.blocks;
  const blocks: Block[] = [];
  eachBlock(view, (block) => blocks.push(block));
  const lineOf = (index: number) => (view.at(index) as Block).line;
  return [...emptySections(blocks, lineOf), ...danglingLabels(blocks, lineOf)];
}

/** Headings with nothing under them but blank lines and empty sub-headings, up to the next heading of their level. */
function emptySections(blocks: readonly Block[], lineOf: (index: number) => number): StructureProblem[] {
  const problems: StructureProblem[] = [];
  blocks.forEach((block, index) => {
    if (block.kind !== 'heading') return;
    const level = block.level ?? 1;
    for (let next = index + 1; next < blocks.length; next++) {
      const after = blocks[next] as Block;
      if (after.kind === 'heading' && (after.level ?? 1) <= level) break;
      if (after.kind !== 'heading' && after.kind !== 'blank') return;
    }
    problems.push({ kind: 'empty-section', line: lineOf(index), text: block.heading ?? '' });
  });
  return problems;
}

/** A label or intro paragraph with nothing after it in its section: what it announced is gone. */
function danglingLabels(blocks: readonly Block[], lineOf: (index: number) => number): StructureProblem[] {
  const problems: StructureProblem[] = [];
  blocks.forEach((block, index) => {
    if (block.kind !== 'paragraph') return;
    const lines = block.raw.replace(/(\r?\n)+$/, '').split(/\r?\n/);
    const last = lines.at(-1) ?? '';
    if (!LABEL_END.test(last) && !(lines.length === 1 && BOLD_LABEL.test(last))) return;
    const next = blocks.slice(index + 1).find((b) => b.kind !== 'blank');
    if (next === undefined || next.kind === 'heading') problems.push({ kind: 'dangling-label', line: lineOf(index), text: last.trim() });
  });
  return problems;
}

/** Problems `after` has that `before` had not, matched by kind and text (lines move with every edit). */
export function newProblems(before: readonly StructureProblem[], after: readonly StructureProblem[]): StructureProblem[] {
  const had = new Map<string, number>();
  for (const p of before) had.set(`${p.kind}\u0000${p.text}`, (had.get(`${p.kind}\u0000${p.text}`) ?? 0) + 1);
  return after.filter((p) => {
    const key = `${p.kind}\u0000${p.text}`;
    const left = had.get(key) ?? 0;
    had.set(key, left - 1);
    return left <= 0;
  });
}

export function describeProblem(path: string, problem: StructureProblem): string {
  return problem.kind === 'empty-section'
    ? `the heading "${problem.text}" (${path}:${problem.line}) would have nothing under it`
    : `the label "${problem.text}" (${path}:${problem.line}) would introduce nothing`;
}
