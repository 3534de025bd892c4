/**
 * The model's proposals, turned into the same Action objects the offline engine makes (fingerprint, id, paths,
 * targets, content, destination, evidence from the patterns' quotes, rationale) or refused with a reason. A proposal
 * is taken at its word only where the word can be checked: every target must be an entry of memory, named by its
 * exact id, in a curated namespace; every step but a merge must cite a pattern
 * with enough support; new text must be a short note, with no heading, no secret and nothing addressed to an AI.
 * What passes then goes through the guards every engine's actions go through (protected paths, outside memory,
 * rejected before), the rules on what a cycle may write (curate/content.ts: nothing harmful, nothing against the
 * protected instructions, about the pattern it cites) and the do-no-harm rules (a person's entry changes only on
 * evidence that names it), and is applied to a Workspace in order, so that a step that no longer applies is refused
 * too.
 * Pure: no model, no files.
 */
import type { Entry, MemorySnapshot } from '../../../memory/types.js';
import { redactText } from '../../../sessions/redact.js';
import { shortHash } from '../../../util/hash.js';
import { makeAction, type ActionDraft } from '../../curate/action.js';
import { SECTIONS } from '../../curate/patterns.js';
import { Workspace, type Guard } from '../../curate/workspace.js';
import { INJECTION } from '../../extract/preferences.js';
import type { Action, DroppedAction, Evidence, Pattern } from '../../types.js';
import type { Proposal } from './schemas.js';

export interface CurateContext {
  memory: MemorySnapshot;
  /** The patterns offered to the model: a step may cite only these. */
  patterns: Pattern[];
  /** Repository path of the inbox, where an add goes unless it names another curated file. */
  inbox: string;
  guard: Guard;
  /** The share of the curated entries one cycle may remove (`approval.max_prune_ratio`). */
  maxRemovedShare?: number;
  /** The most actions one cycle takes (`curate.max_actions`). */
  maxActions?: number;
}

export interface CurateResult {
  actions: Action[];
  dropped: DroppedAction[];
  memoryAfter: MemorySnapshot;
}

const MAX_CONTENT = 500;
const MAX_CONTENT_LINES = 8;
const MAX_RATIONALE = 600;
const MAX_SECTION = 80;
const MAX_EVIDENCE = 6;

export function actionsFromProposals(proposals: readonly Proposal[], context: CurateContext): CurateResult {
  const known = new Map(context.patterns.map((p) => [p.key, p]));
  const workspace = new Workspace(context.memory, context.guard, {
    ...(context.maxRemovedShare !== undefined ? { maxRemovedShare: context.maxRemovedShare } : {}),
    ...(context.maxActions !== undefined ? { maxActions: context.maxActions } : {}),
    holdBudgets: true,
    pattern: (key) => known.get(key),
    subjects: (key) => [known.get(key)].filter((p) => p !== undefined),
  });
  const dropped: DroppedAction[] = [];
  const actions: Action[] = [];
  const check = proposalChecker(context);
  for (const proposal of proposals) {
    const checked = check(proposal);
    if ('refusal' in checked) {
      dropped.push({ action: refusedProposal(proposal), reason: checked.refusal });
      continue;
    }
    if (workspace.propose(checked.action)) actions.push(checked.action);
  }
  return { actions, dropped: [...dropped, ...workspace.dropped], memoryAfter: workspace.snapshot };
}

type Checked = { action: Action } | { refusal: string };

function proposalChecker(context: CurateContext): (proposal: Proposal) => Checked {
  const entries = new Map(context.memory.files.flatMap((f) => f.entries.map((e) => [e.id, e] as const)));
  const patterns = new Map(context.patterns.map((p) => [p.key, p]));
  const writableFiles = new Set(context.memory.files.filter((f) => f.policy === 'dream').map((f) => f.path));
  const known = new Set(context.memory.files.flatMap((f) => f.entries.map((e) => comparable(e.text))));

  return (proposal) => {
    const targets: Entry[] = [];
    for (const id of proposal.targets) {
      const entry = entries.get(id.trim());
      if (!entry) return { refusal: `it names entry "${clip(oneLine(id), 80)}", which is not in memory` };
      if (entry.policy === 'protected') return { refusal: `${entry.path} is in the protected namespace "${entry.namespace}"` };
      if (targets.includes(entry)) return { refusal: `it names entry ${entry.id} twice` };
      targets.push(entry);
    }
    const arity = arityProblem(proposal.type, targets.length);
    if (arity) return { refusal: arity };

    const cited = [...new Set(proposal.patterns.map((k) => k.trim()))].filter((k) => patterns.has(k)).sort();
    if (cited.length === 0 && proposal.type !== 'merge') return { refusal: 'it cites no pattern with enough support from the sessions' };

    const content = contentOf(proposal);
    if (typeof content === 'object') return content;
    if (content === undefined && ['add', 'update', 'merge'].includes(proposal.type)) return { refusal: `a ${proposal.type} needs the entry's new text` };
    if (proposal.type === 'prune' && content !== undefined) return { refusal: 'a prune writes no text' };
    if (proposal.type === 'add' && content !== undefined && known.has(comparable(content))) return { refusal: 'memory already says it, word for word' };

    const support = cited.map((k) => patterns.get(k) as Pattern);
    const draft: ActionDraft = {
      type: proposal.type,
      summary: oneLine(redactText(proposal.summary)) || `${proposal.type} proposed by the model`,
      rationale: rationaleOf(proposal, support),
      evidence: evidenceOf(support),
      targets,
      patterns: cited,
    };
    if (content !== undefined) draft.content = content;
    if (proposal.type === 'add') {
      const path = proposal.file?.trim() || context.inbox;
      if (path !== context.inbox && !writableFiles.has(path) && !isProtectedFile(context.memory, path)) {
        return { refusal: `${clip(oneLine(path), 120)} is not a curated memory file (an add goes to the inbox or an existing file)` };
      }
      draft.destination = { path, section: sectionOf(proposal, support) };
      draft.identity = cited.join(',');
    }
    if (proposal.type === 'update') draft.identity = `${cited.join(',')}@${targets[0]?.id.split('#')[1] ?? ''}`;
    return { action: makeAction(draft) };
  };
}

/** How many targets each step takes: one commit per step keeps each one easy to review and to revert. */
function arityProblem(type: Proposal['type'], count: number): string | undefined {
  if (type === 'add' && count !== 0) return 'an add names no existing entry';
  if ((type === 'update' || type === 'prune') && count !== 1) return `a ${type} names exactly one entry (it names ${count})`;
  if ((type === 'merge' || type === 'resolve') && count < 2) return `a ${type} names at least two entries (it names ${count})`;
  return undefined;
}

/** The new entry text, cleaned; undefined when there is none; a refusal when it cannot be a memory note. */
function contentOf(proposal: Proposal): string | undefined | { refusal: string } {
  if (proposal.content === null) return undefined;
  // Models often write the list marker the file will add anyway.
  const text = proposal.content.trim().replace(/^[-*+]\s+/, '').replace(/\r\n?/g, '\n');
  if (text === '') return undefined;
  if (text.length > MAX_CONTENT || text.split('\n').length > MAX_CONTENT_LINES) return { refusal: `its text is longer than a memory note (${MAX_CONTENT} characters, ${MAX_CONTENT_LINES} lines)` };
  if (/^\s{0,3}#{1,6}\s/m.test(text)) return { refusal: 'its text holds a heading; a step writes one entry' };
  if (INJECTION.test(text)) return { refusal: 'its text reads as an instruction to an AI, not a note about the project' };
  if (redactText(text) !== text) return { refusal: 'its text holds what looks like a secret' };
  return text;
}

function sectionOf(proposal: Proposal, support: Pattern[]): string {
  const named = oneLine(proposal.section ?? '').replace(/^#+\s*/, '');
  if (named && named.length <= MAX_SECTION && !INJECTION.test(named)) return named;
  return SECTIONS[support[0]?.kind ?? 'fact'];
}

function rationaleOf(proposal: Proposal, support: Pattern[]): string {
  const why = clip(oneLine(redactText(proposal.rationale)), MAX_RATIONALE);
  const seen = support.map((p) => `${p.key} (seen in ${p.support.sessions} sessions across ${p.support.agents} agent(s))`);
  return [why, seen.length ? `Patterns: ${seen.join('; ')}.` : ''].filter(Boolean).join(' ');
}

/** The cited patterns' quotes, one per session, agents not quoted yet first. */
function evidenceOf(support: Pattern[]): Evidence[] {
  const picked: Evidence[] = [];
  const all = support.flatMap((p) => p.evidence);
  for (const e of all) if (!picked.some((x) => x.sessionId === e.sessionId) && !picked.some((x) => x.agent === e.agent)) picked.push(e);
  for (const e of all) if (!picked.some((x) => x.sessionId === e.sessionId)) picked.push(e);
  return picked.slice(0, MAX_EVIDENCE);
}

/** What the report shows of a proposal that never became an action. */
function refusedProposal(proposal: Proposal): Action {
  return makeAction({
    type: proposal.type,
    summary: oneLine(redactText(proposal.summary)) || `${proposal.type} proposed by the model`,
    rationale: clip(oneLine(redactText(proposal.rationale)), MAX_RATIONALE),
    identity: `refused:${shortHash(JSON.stringify(proposal), 12)}`,
  });
}

function isProtectedFile(memory: MemorySnapshot, path: string): boolean {
  return memory.files.some((f) => f.path === path && f.policy === 'protected');
}

function comparable(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').replace(/[.\s]+$/, '').trim();
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
