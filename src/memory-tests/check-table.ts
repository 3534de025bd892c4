/**
 * A memory check as Markdown: the tests that changed and the context cost per target, for `reverie check`'s output,
 * the head of a cycle's pull request and the Action's job summary. Pure; names from test files are escaped.
 */
import { inlineText } from '../github/markdown.js';
import { costOverrun, type ContextCost, type CostLimits } from '../memory/context-cost.js';
import { caseLocation, matchPlace } from './report.js';
import type { ComparedCase, MemoryCheck } from './compare.js';

/** GitHub caps a body; past this many cases the table stops and `reverie check --json` lists them all. */
const MAX_CASES_SHOWN = 30;

/** The sections, one line per element, with a heading of `level` (`###` in a check, `###` in a pull request too). */
export function memoryCheckMarkdown(check: MemoryCheck, level = '###'): string[] {
  // With agents to measure and no case to answer, the cost is the whole check.
  if (check.cases.length === 0) return [...costSection(check.costs, level), ...holdsNote(check)];
  return [...testsSection(check, level), '', ...costSection(check.costs, level)];
}

function testsSection(check: MemoryCheck, level: string): string[] {
  const total = check.cases.length;
  const mark = check.broken > 0 ? '❌' : check.fixed > 0 ? '✅' : check.stillFailing > 0 ? '⚠️' : '✅';
  const headline = `${mark} **${check.fixed} fixed, ${check.broken} broken**, ${check.stillFailing} still failing, ${check.passing} passing (${total} ${total === 1 ? 'case' : 'cases'})`;
  // Cases that pass before and after say nothing about the change: counted, not listed.
  const changed = check.cases.filter((c) => c.change !== 'passing');
  const order = ['broken', 'fixed', 'still failing'];
  const rows = [...changed].sort((a, b) => order.indexOf(a.change) - order.indexOf(b.change)).slice(0, MAX_CASES_SHOWN).map(caseRow);
  const more = changed.length > MAX_CASES_SHOWN ? ['', `… and ${changed.length - MAX_CASES_SHOWN} more (reverie check --json lists them all).`] : [];
  const table = rows.length > 0 ? ['', '| case | change | where | after the change |', '| :-- | :-- | :-- | :-- |', ...rows, ...more] : [];
  return [`${level} Memory tests`, '', headline, ...table, ...holdsNote(check)];
}

function caseRow(c: ComparedCase): string {
  const change = c.change === 'broken' ? '**broken** (pass → fail)' : c.change === 'fixed' ? 'fixed (fail → pass)' : 'still failing';
  const why = [...c.after.missing.map((t) => `missing "${t}"`), ...c.after.forbidden.map((f) => `gives "${f.term}" (${matchPlace(f)})`)].join('; ');
  return `| ${inlineText(c.name)} | ${change} | ${inlineText(caseLocation(c))} | ${inlineText(why || 'passes')} |`;
}

function holdsNote(check: MemoryCheck): string[] {
  if (check.holds.length === 0) return [];
  return ['', '> [!WARNING]', '> Not merged without a person:', ...check.holds.map((h) => `> - ${inlineText(h)}`)];
}

function costSection(costs: readonly ContextCost[], level: string): string[] {
  const rows = costs.map((c) => `| ${inlineText(c.target)} | ${sizeCell(c, 'tokens')} | ${sizeCell(c, 'lines')} | ${limitCell(c)} |`);
  return [
    `${level} Context cost per target`,
    '',
    '| target | tokens | lines | limit |',
    '| :-- | --: | --: | :-- |',
    ...rows,
    '',
    '_Tokens are estimated as reverie estimates them for budgets; lines and tokens of whole files, as loaded._',
  ];
}

function sizeCell(cost: ContextCost, measure: 'tokens' | 'lines'): string {
  const before = cost.before[measure];
  const after = cost.after[measure];
  return `${before} → ${after} (${signed(after - before)})`;
}

function limitCell(cost: ContextCost): string {
  const limits = (['tokens', 'lines', 'bytes'] as const).filter((k) => cost.limits[k] !== undefined);
  if (limits.length === 0) return '';
  const overrun = costOverrun(cost);
  return limits.map((k) => `${limitText(cost.limits, k)}${cost.overAfter.includes(k) ? ` (over${overrun.includes(k) ? '' : ', as before'}: ${cost.after[k]})` : ''}`).join(', ');
}

function limitText(limits: CostLimits, key: keyof CostLimits): string {
  return `${limits[key]} ${key}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '±0';
}
