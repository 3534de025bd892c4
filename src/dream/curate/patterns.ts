import type { Entry } from '../../memory/types.js';
import { commandHead, effectiveProgram } from '../extract/commands.js';
import { codeSpans, jaccard, terms, weightedOverlap } from '../text.js';
import type { Action, Pattern, PatternKind } from '../types.js';
import { makeAction, short } from './action.js';
import { claimsOf, conflictBetween, entryClaims, entryTerms as entryTermsOf, mentions, PACKAGE_MANAGERS, programOf, recommends, sameOrPart, withoutReasons } from '../claims.js';
import { resolveAction } from './contradictions.js';
import { sameSection } from './harm.js';
import { byArguments, namesReplacement, namesWhatIsGone, sharedSubject } from './gone.js';
import type { Workspace } from './workspace.js';

export const SECTIONS: Record<PatternKind, string> = {
  mistake: 'Mistakes to avoid',
  preference: 'Preferences',
  workflow: 'Workflows',
  fact: 'Facts',
};

const KIND_ORDER: PatternKind[] = ['mistake', 'preference', 'workflow', 'fact'];

/**
 * Brings each signal pattern into memory: nothing if memory already says it, an `update` of the entry it
 * corrects or completes, a `prune` of entries it shows to be wrong when another entry already says it right,
 * or an `add` to the inbox.
 */
export function planPatternActions(workspace: Workspace, patterns: Pattern[], inbox: string): Action[] {
  const actions: Action[] = [];
  const apply = (action: Action) => {
    if (workspace.propose(action)) actions.push(action);
  };
  for (const pattern of ordered(patterns)) {
    const entries = workspace.entries();
    // A failure with no fix found ("make: No rule to make target 'docs'") can only show what is gone: it adds
    // nothing, so nothing this cycle wrote can outrank it.
    if (pattern.kind === 'mistake' && !pattern.fix) {
      for (const entry of entries.filter((e) => e.policy === 'dream' && !workspace.isFresh(e) && isRefutedBy(e, pattern))) apply(pruneAction(entry, pattern, undefined));
      continue;
    }
    const statement = claimsOf(pattern.statement);
    const conflicting = entries.filter((e) => conflictBetween(statement, entryClaims(e)) !== undefined);
    const overruled = conflicting.find((e) => e.policy === 'protected');
    if (overruled) {
      // Sessions never overrule what people wrote in a protected namespace; the reviewer sees why nothing was added.
      workspace.refuse(addAction(pattern, inbox), `it contradicts the protected instructions in ${overruled.path}:${overruled.line}`);
      continue;
    }
    // What this cycle wrote stands: patterns come best supported first, so a later one that disagrees waits.
    const outranked = conflicting.find((e) => workspace.isFresh(e));
    if (outranked) {
      workspace.refuse(addAction(pattern, inbox), `it contradicts ${short(outranked, 80)}, which this cycle writes with more support`);
      continue;
    }
    // A lesson about arguments (`--squash`, not `--merge`) or about a script of the same program (`npm run evals`,
    // not `npm run eval`) is no verdict on the program every note of it names.
    const contradicted = aboutArguments(pattern) || withinOneProgram(pattern) ? [] : conflicting;
    const stale = entries.filter((e) => e.policy === 'dream' && !workspace.isFresh(e) && (isRefutedBy(e, pattern) || contradicted.includes(e)));
    // Naming `main` somewhere does not make a note the right side of "branch off `develop`": it must be on that subject.
    const covering = entries.filter(
      (e) =>
        !stale.includes(e) &&
        (covers(e, pattern) || (stale.length > 0 && recommendsFix(e, pattern))) &&
        (!byArguments(pattern) || stale.every((x) => sharedSubject(e, x, pattern) >= (mentionsGone(e, pattern) ? 1 : SAME_SUBJECT))) &&
        stale.every((x) => sharedSubject(e, x, pattern) >= 1),
    );
    // A fact a person corrected: every entry that names the old thing is rewritten in its own words, the new name in.
    if (pattern.kind === 'fact' && stale.length > 0 && pattern.dropped?.length && pattern.added?.length) {
      for (const entry of stale) apply(correctionAction(entry, pattern));
      continue;
    }
    if (covering.length > 0) {
      for (const entry of stale) apply(settle(entry, pattern, covering, workspace));
      continue;
    }
    // A note that gives the failing command gets the one that worked in its place, and keeps the rest of its words.
    const substituted = stale.filter((entry) => {
      const action = substitutionAction(entry, pattern);
      if (action) apply(action);
      return action !== undefined;
    });
    if (substituted.length > 0 && substituted.length === stale.length) continue;
    const incomplete = entries.find((e) => e.policy === 'dream' && !workspace.isFresh(e) && !stale.includes(e) && completes(e, pattern));
    const unsettled = stale.filter((e) => !substituted.includes(e));
    const [first, ...others] = incomplete ? [incomplete, ...unsettled] : unsettled;
    if (first) {
      apply(updateAction(first, pattern, incomplete === first));
      for (const entry of others) apply(pruneAction(entry, pattern, undefined));
      continue;
    }
    apply(addAction(pattern, inbox));
  }
  return actions;
}

function ordered(patterns: Pattern[]): Pattern[] {
  return [...patterns].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.support.sessions - a.support.sessions || a.key.localeCompare(b.key),
  );
}

/**
 * A note the sessions show wrong, when memory also holds one that says it right: the two disagreed and
 * the sessions settle it, which is a resolve when the right one is curated, a prune when it is protected.
 * The right one is the covering note most about the same subject; a note this cycle wrote is no side.
 */
function settle(stale: Entry, pattern: Pattern, covering: Entry[], workspace: Workspace): Action {
  const [winner] = covering.filter((e) => !workspace.isFresh(e)).sort((a, b) => sharedSubject(b, stale, pattern) - sharedSubject(a, stale, pattern));
  // A resolve pairs two notes of one section; elsewhere, the stale note goes and the review shows what still says it.
  if (!winner || winner.policy !== 'dream' || !sameSection(winner, stale)) return pruneAction(stale, pattern, winner ?? covering[0]);
  const reason = `${pattern.support.sessions} session(s) show it: ${pattern.statement.replace(/[.\s]+$/, '')}`;
  return resolveAction({ winner, loser: stale, reason, evidence: { sessions: pattern.support.sessions, evidence: pattern.evidence, patterns: [pattern.key] } });
}

/** The note names what is gone, in any words ("there is no long-lived develop branch"). */
function mentionsGone(entry: Entry, pattern: Pattern): boolean {
  return (pattern.dropped ?? []).some((d) => mentions(withoutReasons(entry.text), d));
}

/** Two subject words in common, besides the ones the lesson is about, make two notes one subject. */
const SAME_SUBJECT = 2;

/**
 * The note gives the fix's command with other numbers: "`nvm use 18`" when the sessions needed
 * "`nvm use 20`", a port or a version that has moved on.
 */
function olderFormOfFix(entry: Entry, pattern: Pattern): boolean {
  const fixes = perPattern(pattern).numberedFixes;
  if (fixes.length === 0) return false;
  return codeSpans(withoutReasons(entry.text)).some((span) =>
    fixes.some((fix) => commandHead(span) === commandHead(fix) && numbersOf(span).length > 0 && !numbersOf(span).some((n) => numbersOf(fix).includes(n))),
  );
}

function numbersOf(span: string): string[] {
  return span.match(/\b\d{2,}\b/g) ?? [];
}

/** Memory already says what the pattern says. */
export function covers(entry: Entry, pattern: Pattern): boolean {
  // A "Why:" line quotes the note a resolve replaced: it says nothing the note itself says.
  const text = withoutReasons(entry.text);
  const prefer = pattern.prefer ?? [];
  const avoid = pattern.avoid ?? [];
  switch (pattern.kind) {
    case 'workflow':
      return prefer.length > 0 && prefer.every((head) => mentions(text, head));
    case 'mistake': {
      if (byArguments(pattern)) return namesReplacement(entry, pattern) && !namesWhatIsGone(entry, pattern);
      const action = actionOf(pattern);
      if (prefer[0]) {
        const claims = entryClaims(entry);
        const program = effectiveProgram(prefer[0]);
        const avoided = avoid.some((a) => claims.avoids.includes(a) || claims.avoids.includes(a.split(' ')[0] ?? a));
        // Naming the fix is not enough ("Redis runs in docker compose"): the note must be about the failure too.
        const aboutFailure = avoid.some((a) => mentions(text, a) || mentions(text, effectiveProgram(a))) || sharedSignatureWords(entry, pattern) >= 2;
        return (recommendsCommand(text, prefer[0]) && aboutFailure) || (claims.recommends.includes(program) && avoided);
      }
      const fixes = perPattern(pattern).fixes;
      // A tool's name alone ("never edit it by hand") is no note about its failure: the note must name the fix or the error.
      // The failure may be named by its error rather than its command ("fail with connection refused").
      if (fixes.length > 0) {
        const named = (c: string) => mentions(text, c) || recommendsCommand(text, c);
        return (mentions(text, action) || sharedSignatureWords(entry, pattern, action.toLowerCase()) >= 2) && fixes.every(named);
      }
      return namesAction(text, pattern) && sharedSignatureWords(entry, pattern) >= 2;
    }
    case 'preference':
    case 'fact': {
      const claims = entryClaims(entry);
      const statementTerms = perPattern(pattern).statementTerms;
      const entryTerms = entryTermsOf(entry);
      const shared = statementTerms.filter((t) => entryTerms.includes(t)).length;
      // Words in common by chance ("jobs write their own tables or go through the API" and "write table tests
      // in Go") are no paraphrase: a paraphrase keeps at least two of the words side by side.
      // A short statement is found inside many long notes: the note must not be mostly about something else, and
      // must say it the same way round ("don't write code yet" is not said by "write code as if it ships today").
      const similar =
        shared >= Math.min(2, statementTerms.length) &&
        weightedOverlap(statementTerms, entryTerms, () => 1) >= 0.6 &&
        (statementTerms.length < 3 || sharesNeighbours(statementTerms, entryTerms)) &&
        (statementTerms.length >= 4 || jaccard(statementTerms, entryTerms) >= 0.25) &&
        perPattern(pattern).forbids === forbids(text);
      // Recommending the same tool is not enough: "install Playwright with `pnpm exec …`" does not say "pnpm, not npm".
      const sameAdvice = prefer.some((p) => claims.recommends.includes(p)) && (avoid.length === 0 || avoid.some((a) => claims.avoids.includes(a)));
      return sameAdvice || similar;
    }
  }
}

const PROHIBITION = /\b(never|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|avoid|no longer)\b|^\s*no\b/i;

function forbids(text: string): boolean {
  return PROHIBITION.test(text.replace(/`[^`\n]*`/g, ' '));
}

/** The entry recommends what the pattern shows to fail, or what a person asked not to do. */
export function isRefutedBy(entry: Entry, pattern: Pattern): boolean {
  if (pattern.kind === 'workflow') return false;
  if (namesWhatIsGone(entry, pattern) || olderFormOfFix(entry, pattern)) return true;
  const prefer = pattern.prefer ?? [];
  // The note must recommend the thing as a command or tool, not merely name it ("Python code in `jobs/`…").
  const recommended = entryClaims(entry).recommends;
  // "run `yarn` inside `web/`" recommends what failed as `yarn install`: a bare package manager installs.
  const said = (avoided: string, r: string) => recommends(entry.text, avoided) || (r === programOf(avoided) && PACKAGE_MANAGERS.has(r) && /\binstall\b/.test(avoided) && recommends(entry.text, r));
  return (pattern.avoid ?? []).some(
    (avoided) => recommended.some((r) => (sameOrPart(avoided, r) || sameOrPart(r, avoided)) && said(avoided, r)) && !prefer.some((p) => mentions(entry.text, p)),
  );
}

/** The note tells agents to do what fixed the mistake (`pnpm install` where `yarn install` failed). */
function recommendsFix(entry: Entry, pattern: Pattern): boolean {
  const fix = pattern.prefer?.[0];
  return pattern.kind === 'mistake' && fix !== undefined && recommendsCommand(withoutReasons(entry.text), fix);
}

/** The text says to run `head`, as written or with options in between (`pnpm --filter web exec vitest run`). */
function recommendsCommand(text: string, head: string): boolean {
  if (recommends(text, head)) return true;
  return [...text.matchAll(/`([^`\n]+)`/g)].some((m) => commandHead(m[1] ?? '') === head && recommends(text, m[1] ?? ''));
}

/** Two words next to each other in one text (in either order) are next to each other in the other. */
function sharesNeighbours(a: string[], b: string[]): boolean {
  const pairs = (ts: string[]) => new Set(ts.slice(1).map((t, i) => [ts[i], t].sort().join(' ')));
  const inB = pairs(b);
  return [...pairs(a)].some((p) => inB.has(p));
}

/** The entry is about the same failure but lacks the fix the sessions found. */
function completes(entry: Entry, pattern: Pattern): boolean {
  if (pattern.kind !== 'mistake' || !pattern.fix) return false;
  // The failing command itself (`pnpm install`), not just its program: "lint with `pnpm --filter web lint`"
  // says nothing about why `pnpm install` fails. And words of the error besides the program's name.
  const program = actionOf(pattern).toLowerCase();
  return namesAction(entry.text, pattern) && sharedSignatureWords(entry, pattern, program) >= 2;
}

/**
 * The note names what failed: the command (`pnpm install`, not just `pnpm`), or a tool by any form of its
 * name ("edits built from memory fail" names the Edit tool).
 */
function namesAction(text: string, pattern: Pattern): boolean {
  if (pattern.statement.startsWith('`')) {
    const failing = codeSpans(pattern.statement)[0] ?? '';
    return mentions(text, /\s/.test(failing) ? commandHead(failing) : actionOf(pattern));
  }
  const [tool] = terms(actionOf(pattern));
  return tool !== undefined && terms(text).includes(tool);
}

/** The fix is the same command with other arguments: a lesson about the arguments, not the command. */
function aboutArguments(pattern: Pattern): boolean {
  return byArguments(pattern) || (pattern.added?.length ?? 0) > 0;
}

/** The failing command and its fix run the same program: the lesson chooses among its scripts or subcommands. */
function withinOneProgram(pattern: Pattern): boolean {
  const programs = new Set([...(pattern.avoid ?? []), ...(pattern.prefer ?? [])].map(effectiveProgram));
  return pattern.kind === 'mistake' && (pattern.avoid?.length ?? 0) > 0 && (pattern.prefer?.length ?? 0) > 0 && programs.size === 1;
}

function actionOf(pattern: Pattern): string {
  return (pattern.signature ?? '').split(' :: ')[0] ?? '';
}

/**
 * What a pattern says, read once per pattern rather than once per entry it is weighed against: a cycle weighs
 * each pattern against every entry of the memory.
 */
interface PatternReading {
  /** The fix's code spans that give numbers (`nvm use 20`): a note with the same command and other numbers is older. */
  numberedFixes: string[];
  statementTerms: string[];
  forbids: boolean;
  fixes: string[];
  signatureWords: string[];
}

const readings = new WeakMap<Pattern, PatternReading>();

function perPattern(pattern: Pattern): PatternReading {
  let reading = readings.get(pattern);
  if (!reading) {
    reading = {
      numberedFixes: pattern.kind === 'mistake' && pattern.fix ? codeSpans(pattern.fix).filter((f) => numbersOf(f).length > 0) : [],
      statementTerms: terms(pattern.statement),
      forbids: forbids(pattern.statement),
      fixes: pattern.fix ? fixCommands(pattern.fix) : [],
      signatureWords: terms((pattern.signature ?? '').split(' :: ')[1] ?? ''),
    };
    readings.set(pattern, reading);
  }
  return reading;
}

function sharedSignatureWords(entry: Entry, pattern: Pattern, except?: string): number {
  const words = perPattern(pattern).signatureWords.filter((w) => w !== except);
  const entryTerms = entryTermsOf(entry);
  return words.filter((w) => entryTerms.includes(w)).length;
}

/** The fix's commands as a note would name them: program and subcommand, without the options that say where (`pnpm add` for `pnpm --filter web add -D x`). */
function fixCommands(fix: string): string[] {
  return [...fix.matchAll(/`([^`]+)`/g)].map((m) => commandHead(m[1] ?? '').split(' ').slice(0, 2).join(' '));
}

function supportText(pattern: Pattern): string {
  const agents = [...new Set(pattern.evidence.map((e) => e.agent))];
  return `seen in ${pattern.support.sessions} sessions across ${pattern.support.agents} agent(s) (${agents.join(', ')})`;
}

function addAction(pattern: Pattern, inbox: string): Action {
  return makeAction({
    type: 'add',
    content: pattern.statement,
    destination: { path: inbox, section: SECTIONS[pattern.kind] },
    summary: `${pattern.kind}: ${pattern.statement}`,
    rationale: `A recurring ${pattern.kind}, ${supportText(pattern)}, that memory does not mention yet.`,
    evidence: pattern.evidence,
    patterns: [pattern.key],
    identity: pattern.key,
  });
}

function updateAction(entry: Entry, pattern: Pattern, completing: boolean): Action {
  const why = completing
    ? `The entry describes this failure but not the fix that worked in the sessions (${supportText(pattern)}).`
    : `The sessions contradict the entry: ${supportText(pattern)}. Rewritten to say what works.`;
  return makeAction({
    type: 'update',
    targets: [entry],
    content: pattern.statement,
    summary: `${completing ? 'complete' : 'correct'} ${short(entry, 52)}`,
    rationale: `${why} Was: ${short(entry, 120)}.`,
    evidence: pattern.evidence,
    patterns: [pattern.key],
    identity: `${pattern.key}@${entry.id.split('#')[1] ?? entry.id}`,
  });
}

/**
 * A note that recommends the command the sessions show failing, with the command that worked in its place: the rest
 * of the note (what it is for, where it runs, what else it says) is its writer's and stays. "Install dependencies
 * with `npm install`." becomes "Install dependencies with `pnpm install`.", not a line about the error.
 */
function substitutionAction(entry: Entry, pattern: Pattern): Action | undefined {
  const [avoided] = pattern.avoid ?? [];
  const [preferred] = pattern.prefer ?? [];
  if (pattern.kind !== 'mistake' || !avoided || !preferred || aboutArguments(pattern)) return undefined;
  let replaced = false;
  // "with plain `pytest`" said the failing command was enough as it is: the word goes with it.
  const content = entry.text.replace(/(\b(?:plain|bare|just)\s+)?`([^`\n]+)`/g, (whole, _plain: string | undefined, span: string) => {
    if (!span.startsWith(avoided) || commandHead(span) !== avoided) return whole;
    replaced = true;
    return `\`${preferred}${span.slice(avoided.length)}\``;
  });
  if (!replaced) return undefined;
  return makeAction({
    type: 'update',
    targets: [entry],
    content,
    summary: `${avoided} → ${preferred} in ${short(entry, 40)}`,
    rationale: `The sessions show \`${avoided}\` failing and \`${preferred}\` working (${supportText(pattern)}): ${pattern.statement.replace(/[.\s]+$/, '')}. The entry named \`${avoided}\`; the rest of it is kept as written.`,
    evidence: pattern.evidence,
    patterns: [pattern.key],
    identity: `${pattern.key}@${entry.id.split('#')[1] ?? entry.id}`,
  });
}

/** The entry with the old name replaced by the new one, where it names the old one; nothing else of it changes. */
function correctionAction(entry: Entry, pattern: Pattern): Action {
  const [old = '', replacement = ''] = [pattern.dropped?.[0], pattern.added?.[0]];
  const escaped = old.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const content = entry.text.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'gi'), replacement);
  return makeAction({
    type: 'update',
    targets: [entry],
    content,
    summary: `${old} → ${replacement} in ${short(entry, 40)}`,
    rationale: `A person corrected this: ${pattern.statement.replace(/[.\s]+$/, '')} (${supportText(pattern)}). The entry named ${old}; the rest of it is kept as written.`,
    evidence: pattern.evidence,
    patterns: [pattern.key],
    identity: `${pattern.key}@${entry.id.split('#')[1] ?? entry.id}`,
  });
}

function pruneAction(entry: Entry, pattern: Pattern, keptBy: Entry | undefined): Action {
  const kept = keptBy ? ` Memory already says what works: ${short(keptBy, 100)} (${keptBy.path}:${keptBy.line}).` : '';
  return makeAction({
    type: 'prune',
    targets: [entry],
    summary: `drop ${short(entry, 56)}: contradicted by sessions`,
    rationale: `Recent sessions contradict this entry: ${pattern.statement} (${supportText(pattern)}).${kept}`,
    evidence: pattern.evidence,
    patterns: [pattern.key],
    ...(keptBy ? { keeps: keptBy } : {}),
  });
}
