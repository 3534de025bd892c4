/**
 * One do-no-harm case: a real memory file as the curated file of a fresh memory repo of one layout, real logs of
 * other projects as its sessions, one cycle in review mode; then what the cycle did to the file, read back from the
 * cycle's branch with native git.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { dream } from '../../src/cycle/dream.js';
import { initMemoryRepo } from '../../src/cycle/init.js';
import { templatesDir } from '../../src/cycle/init.js';
import type { Layout } from '../../src/cycle/skeleton.js';
import type { RecordedAction } from '../../src/dream/state.js';
import { parseDocument } from '../../src/memory/markdown.js';
import { isEntryBlock } from '../../src/memory/entries.js';
import { buildSnapshot } from '../../src/memory/snapshot.js';
import { formatFindings } from '../../src/memory/lint.js';
import { isRuleLine } from '../../src/memory/rules.js';

export interface HarmCase {
  name: string;
  text: string;
  layout: Layout;
  /** Session logs to copy in: destination (relative to the repository) → source file. */
  sessions: [string, string][];
}

export interface HarmResult {
  name: string;
  layout: Layout;
  path: string;
  actions: { type: string; summary: string }[];
  /** Destructive actions on hand-written entries (a merge of verbatim duplicates in one section aside). */
  harmful: { type: string; summary: string }[];
  ruleLines: number;
  rulesLost: string[];
  /** Structure findings of the result that the file did not have. */
  structure: string[];
  budgetWarnings: number;
  outcome: string;
}

/** Real logs of other projects: Claude Code, Codex and Gemini CLI sessions that say nothing about these files. */
export function sessionSources(fixtures: string): [string, string][] {
  const from = (folder: string, agent: string, names: string[]): [string, string][] =>
    names.map((name) => [`sessions/${agent}/${name}`, path.join(fixtures, folder, name)]);
  return [
    ...from('sniffly/-Users-chip-dev-ai-music', 'claude', [
      'ba79134d-b6e9-4867-af0c-6941038c9e4b.jsonl',
      'd3ad4cdc-5657-435d-98fa-0035d53e383d.jsonl',
      'fed8ce56-bc79-401f-a83e-af084253362f.jsonl',
      'ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl',
    ]),
    ...from('claude-code-viewer', 'claude-viewer', [
      '1af7fc5e-8455-4414-9ccd-011d40f70b2a.jsonl',
      '5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl',
      'fe5e1c67-53e7-4862-81ae-d0e013e3270b.jsonl',
    ]),
    ...from('agentcmd/claude/full', 'claude-cmd', [
      '06381696-0074-49f8-863e-6ad4fac507f9.jsonl',
      'full-session-five.jsonl',
      'full-session-four.jsonl',
      'full-session-two.jsonl',
      'full-session.jsonl',
    ]),
    ...from('agentcmd/codex/full', 'codex', [
      'rollout-2025-09-24T19-22-20-01997e76-d124-7592-9cac-2ec05abbca08.jsonl',
      'rollout-2025-09-24T20-12-23-01997ea4-a70d-7da3-8c20-c736db82a7c5.jsonl',
      'rollout-2025-09-25T08-02-05-0199812e-64f0-7f73-91fc-095dda01c36e.jsonl',
      'rollout-2025-09-25T09-49-46-01998190-fba6-7f40-9309-dc4e48c5844a.jsonl',
      'rollout-2025-09-25T15-12-14-019982b8-3422-79e0-8b3b-05abaf4f3c3e.jsonl',
    ]),
    ...from('agentcmd/gemini/full', 'gemini', [
      'session-2025-10-27T19-55-981c87cb.json',
      'session-2025-10-29T10-36-453aa339.json',
      'session-2025-10-29T10-36-9c9a14e1.json',
      'session-2025-10-29T10-36-f96c76b0.json',
      'session-2025-10-29T10-39-a63242d9.json',
      'session-2025-10-29T10-40-359abdd0.json',
    ]),
  ];
}

const PERSON = { GIT_AUTHOR_NAME: 'Maintainer', GIT_AUTHOR_EMAIL: 'maintainer@example.com', GIT_COMMITTER_NAME: 'Maintainer', GIT_COMMITTER_EMAIL: 'maintainer@example.com' };

export function git(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...PERSON, ...env },
  });
}

/** The curated file a layout's cycles write new entries to (its inbox), from the layout's memory section. */
export async function inboxOf(layout: Layout): Promise<string> {
  const section = await readFile(path.join(templatesDir(), 'layouts', layout, 'reverie.memory.yaml'), 'utf8');
  const memory = (parse(section) as { memory: { root: string; inbox: string } }).memory;
  return memory.root === '.' || memory.root === '' ? memory.inbox : `${memory.root}/${memory.inbox}`;
}

export async function runHarmCase(c: HarmCase): Promise<HarmResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reverie-harm-'));
  try {
    const file = await inboxOf(c.layout);
    // The team's file is there first; `reverie init` then keeps it and sizes the layout to it.
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), c.text);
    await initMemoryRepo(dir, { name: 'Maintainer', email: 'maintainer@example.com' }, { layout: c.layout });
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '--allow-empty', '-m', 'memory: our hand-written rules'], { GIT_AUTHOR_DATE: '2026-10-01T10:00:00Z', GIT_COMMITTER_DATE: '2026-10-01T10:00:00Z' });
    for (const [to, from] of c.sessions) {
      await mkdir(path.dirname(path.join(dir, to)), { recursive: true });
      await cp(from, path.join(dir, to));
    }
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'sessions: logs of the agents'], { GIT_AUTHOR_DATE: '2026-11-01T10:00:00Z', GIT_COMMITTER_DATE: '2026-11-01T10:00:00Z' });
    const result = await dream({ repoDir: dir, mode: 'review', now: new Date('2026-12-01T00:00:00Z') });
    // A cycle with nothing to review is merged at once and its branch deleted: its commits are then on main.
    const tip = result.merged ? 'HEAD' : result.branch;
    const after = tip ? git(dir, ['show', `${tip}:${file}`]) : c.text;
    const actions: RecordedAction[] = tip && result.cycle ? JSON.parse(git(dir, ['show', `${tip}:.reverie/cycles/${result.cycle}.json`])).actions : [];
    return {
      name: c.name,
      layout: c.layout,
      path: file,
      actions: actions.map((a) => ({ type: a.type, summary: a.summary })),
      harmful: actions.filter((a) => isHarmful(a, file, c.text)).map((a) => ({ type: a.type, summary: a.summary })),
      ...rulesKept(c.text, after),
      structure: newStructureFindings(file, c.text, after),
      budgetWarnings: (result as { notices?: { kind: string }[] }).notices?.filter((n) => n.kind === 'budget').length ?? 0,
      outcome: result.outcome,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every entry of the file was written by a person: any action that removes or rewrites one is harm, but for verbatim duplicates merged within one section. */
function isHarmful(action: RecordedAction, file: string, original: string): boolean {
  if (action.type === 'add') return false;
  const mine = action.targets.filter((t) => t.path === file && original.includes(t.raw.trimEnd()));
  if (mine.length === 0) return false;
  if (action.type === 'merge') return !verbatimInOneSection(mine.map((t) => t.raw), file, original);
  return true;
}

function verbatimInOneSection(raws: string[], file: string, original: string): boolean {
  const blocks = parseDocument(file, original).blocks.filter(isEntryBlock);
  const sections = raws.map((raw) => blocks.find((b) => b.raw === raw)?.section.join('\u0000'));
  const texts = new Set(raws.map((r) => r.trim()));
  return texts.size === 1 && new Set(sections).size === 1 && sections[0] !== undefined;
}

function rulesKept(before: string, after: string): { ruleLines: number; rulesLost: string[] } {
  const rules = before.split(/\r?\n/).filter((line) => isRuleLine(line));
  const kept = new Set(after.split(/\r?\n/));
  return { ruleLines: rules.length, rulesLost: rules.filter((line) => !kept.has(line)) };
}

function newStructureFindings(file: string, before: string, after: string): string[] {
  const findings = (text: string) => {
    const snapshot = buildSnapshot([{ path: file, text }], path.dirname(file) === '.' ? '' : path.dirname(file).split('/')[0] ?? '', [
      { name: 'all', paths: ['**/*.md'], policy: 'dream' },
    ]);
    return snapshot.files.flatMap((f) => formatFindings(f)).map((f) => `${f.rule}: ${f.message}`);
  };
  const had = new Map<string, number>();
  for (const f of findings(before)) had.set(f, (had.get(f) ?? 0) + 1);
  return findings(after).filter((f) => {
    const n = had.get(f) ?? 0;
    had.set(f, n - 1);
    return n <= 0;
  });
}
