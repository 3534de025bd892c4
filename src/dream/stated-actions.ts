/**
 * What a text tells an agent to do or not to do, read as acts on things: "Never push to main directly" forbids
 * pushing to main; "Push directly to main; a pull request is not needed" tells to push to main and says a pull
 * request is not needed. Two texts oppose each other when one tells to do what the other forbids, to the same thing,
 * in any words for the act ("wipe" is "delete") and any form of the rule ("without review", "skip the tests", "a pull
 * request is not needed", "`git push --force origin main`"). Tool-level disagreements (npm against pnpm) are
 * claims.ts's; this reads the acts that tools do not name. Pure and deterministic.
 */
import { negatedAt, withoutReasons } from './claims.js';
import { commandHead } from './extract/commands.js';
import { terms } from './text.js';
import { Memo } from '../util/memo.js';

export interface StatedAction {
  /** The act, one word for every way of saying it (`delete` for delete, remove, wipe, `rm`). */
  act: string;
  /** What it is done to: content words, manner words ("directly", "always") aside. */
  objects: string[];
  /** Every content word of the clause after the act, its conditions too ("before deleting anything in staging"). */
  context: string[];
  /** Said not to be done: "never push", "don't delete". */
  negated: boolean;
}

/** An act said to be unneeded or left out ("without review", "skip the tests", "a pull request is not needed"). */
export interface WaivedThing {
  objects: string[];
}

export interface Reading {
  actions: StatedAction[];
  waived: WaivedThing[];
}

/** Each act by the words for it, in any inflection. */
const ACTS: [string, RegExp][] = [
  ['push', /^(?:force-)?push(?:es|ed|ing)?$/],
  ['delete', /^(?:delet(?:e|es|ed|ing)|remov(?:e|es|ed|ing)|wip(?:e|es|ed|ing)|eras(?:e|es|ed|ing)|purg(?:e|es|ed|ing)|destroy\w*|truncat\w*|rm|drop(?:s|ped|ping)?)$/],
  ['rewrite', /^(?:rewrit\w*|rewrote|edit(?:s|ed|ing)?|modif(?:y|ies|ied|ying)|chang(?:e|es|ed|ing)|overwrit\w*|alter(?:s|ed|ing)?)$/],
  ['merge', /^merg(?:e|es|ed|ing)$/],
  ['commit', /^commit(?:s|ted|ting)?$/],
  ['publish', /^(?:publish\w*|releas(?:e|es|ed|ing))$/],
  ['deploy', /^(?:deploy\w*|ship(?:s|ped|ping)?)$/],
  ['review', /^review(?:s|ed|ing)?$/],
  ['approve', /^approv(?:e|es|ed|ing)$/],
  ['wait', /^wait(?:s|ed|ing)?$/],
  ['open', /^(?:open(?:s|ed|ing)?|creat(?:e|es|ed|ing)|rais(?:e|es|ed|ing))$/],
  ['run', /^(?:run|runs|running|ran|execut\w*|pip(?:e|es|ed|ing)|invok\w*)$/],
  ['share', /^(?:past(?:e|es|ed|ing)|cop(?:y|ies|ied|ying)|send(?:s|ing)?|sent|shar(?:e|es|ed|ing)|post(?:s|ed|ing)?|print(?:s|ed|ing)?|upload\w*|expos(?:e|es|ed|ing)|leak\w*|email\w*)$/],
  ['follow', /^follow(?:s|ed|ing)?$/],
  ['ignore', /^(?:ignor(?:e|es|ed|ing)|disregard\w*)$/],
  ['ask', /^ask(?:s|ed|ing)?$/],
  ['test', /^test(?:s|ed|ing)?$/],
  ['install', /^install\w*$/],
  ['use', /^(?:use|uses|used|using)$/],
  ['enable', /^enabl(?:e|es|ed|ing)$/],
  ['disable', /^disabl(?:e|es|ed|ing)$/],
  ['keep', /^(?:keep(?:s|ing)?|kept|preserv\w*|retain\w*)$/],
];

/** Acts that undo each other: following an instruction and ignoring it, keeping a file and deleting it. */
const OPPOSITES: [string, string][] = [
  ['follow', 'ignore'],
  ['enable', 'disable'],
  ['keep', 'delete'],
];

/** Words before the act that leave it as it is: who does it, how often, how gladly. */
const LEAD_IN = new Set(['always', 'please', 'just', 'only', 'also', 'then', 'first', 'so', 'and', 'but', 'now', 'simply', 'you', 'we', 'i', 'agents', 'agent', 'maintainers', 'everyone', 'people', 'devs', 'developers', 'should', 'must', 'can', 'may', 'will', 'need', 'to', 'have', 'feel', 'free', 'go', 'ahead', 'and', 'instead', 'from', 'on', 'the', 'each', 'every', 'time']);
/** Words that say the act after them is not to be done. */
const NEGATIONS = /^(?:never|don'?t|do not|dont|must not|mustn'?t|should not|shouldn'?t|cannot|can'?t|no need to|avoid|stop|not)$/;
/** Where the things an act is done to end: what follows says when, how or why. */
const OBJECT_END = /\b(?:without|unless|when|whenever|if|before|after|because|since|until|while|then|once|instead|rather|except|so that|as)\b/i;
/** Words that say how or how much, never what. */
const MANNER = new Set(['directly', 'direct', 'straight', 'right', 'away', 'immediately', 'anything', 'everything', 'something', 'all', 'new', 'one', 'ones', 'freely', 'yourself', 'own', 'ever', 'also', 'again', 'first']);

/** Verdicts on a thing that waive it ("a pull request is not needed", "reviews are optional"). */
const WAIVED_AFTER = /^(.{2,60}?)\s+(?:is|are)\s+(?:not|never)\s+(?:needed|required|necessary|mandatory)|^(.{2,60}?)\s+(?:is|are)\s+(?:optional|unnecessary|disabled|overkill)|\bnever\s+needs?\s+(?:a\s+|an\s+|any\s+)?(.{2,40})$|^no\s+(.{2,40}?)\s+(?:is\s+)?(?:needed|required|necessary)\b/i;
/** A gerund said to be fine ("Pushing to main is fine") tells to do it; said to be forbidden, not to. */
const VERDICT_ON_GERUND = /^(\S+ing)\b(.{0,60}?)\s+(?:is|are)\s+(?:(fine|ok|okay|allowed|acceptable|safe|encouraged)|(not allowed|forbidden|prohibited|banned))\b/i;

export function actOf(word: string): string | undefined {
  const w = word.toLowerCase();
  return ACTS.find(([, pattern]) => pattern.test(w))?.[0];
}

/**
 * The acts `text` tells to do or not to do, and the things it says are not needed. Read once per text: every proposal
 * of a cycle is set against the same protected rules. Read it, never change it.
 */
export function readActs(fullText: string): Reading {
  return actsByText.get(fullText);
}

const actsByText = new Memo(20_000, readActsOf);

function readActsOf(fullText: string): Reading {
  const text = withoutReasons(fullText);
  const actions: StatedAction[] = [];
  const waived: WaivedThing[] = [];
  for (const clause of commandActs(text, actions)) readClause(clause, actions, waived);
  return { actions, waived };
}

/**
 * Commands in code spans are acts too (`git push --force origin main` pushes to main, `rm -rf .git` deletes .git);
 * they are read here, and the prose is handed back with each span as its words, to be read clause by clause.
 */
function commandActs(text: string, actions: StatedAction[]): string[] {
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    const span = match[1] ?? '';
    const at = match.index ?? 0;
    // "fails with `…`" quotes an error: no act of anyone's.
    if (/\b(?:fails?|failed|failing|errors?|exits?|exited)\s+with\s*$/i.test(text.slice(Math.max(0, at - 24), at))) continue;
    const act = commandAct(span);
    if (!act) continue;
    const failing = /^[^.;!?]{0,30}\b(?:fails?|failed|breaks?|broken|doesn't work|does not work|is deprecated)\b/i.test(text.slice(at + match[0].length));
    actions.push({ ...act, context: act.objects, negated: negatedAt(text, at) || failing });
  }
  return text
    .replace(/`([^`\n]+)`/g, (_, span: string) => ` ${span} `)
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, '')
    .split(/[.;:!?\n]+/)
    .flatMap(commaClauses)
    .flatMap(coordinated)
    .map((c) => c.trim())
    .filter(Boolean);
}

/** A comma starts a clause only before an act ("…, then retry", "…, never ask"): else it lists things ("credentials, tokens or keys"). */
function commaClauses(sentence: string): string[] {
  const out: string[] = [];
  for (const piece of sentence.split(/,\s*/)) {
    const first = bare(piece.replace(/^(?:and|then|but|or)\s+/i, '').split(/\s+/)[0] ?? '');
    const opens = actOf(first) !== undefined || NEGATIONS.test(first) || LEAD_IN.has(first);
    if (out.length > 0 && !opens) out[out.length - 1] = `${out[out.length - 1]}, ${piece}`;
    else out.push(piece);
  }
  return out;
}

/**
 * "open a pull request and wait for review" is two acts; "never delete or rewrite anything" is one negation of two
 * acts on one thing. A clause is cut before "and"/"then" only where a new act starts and the one before has its object.
 */
function coordinated(clause: string): string[] {
  const pieces = clause.split(/\s+(?:and\s+then|and|then)\s+/i);
  const out: string[] = [];
  for (const piece of pieces) {
    const previous = out[out.length - 1];
    const startsAct = actOf(bare(piece.split(/\s+/)[0] ?? '')) !== undefined;
    const previousDone = previous !== undefined && actOf(bare(previous.split(/\s+/).at(-1) ?? '')) === undefined;
    if (previous !== undefined && !(startsAct && previousDone)) out[out.length - 1] = `${previous} and ${piece}`;
    else out.push(piece);
  }
  return out;
}

function bare(word: string): string {
  return word.toLowerCase().replace(/^[^\w'-]+|[^\w'-]+$/g, '');
}

/** `git push --force origin main` → push {force, origin, main}; `rm -rf .git` → delete {.git}. */
function commandAct(span: string): Omit<StatedAction, 'negated' | 'context'> | undefined {
  const words = commandHead(span).split(/\s+/);
  const [program = '', sub = ''] = words;
  const args = span.split(/\s+/).slice(program === 'rm' ? 1 : 2);
  const objects = objectTerms(args.join(' '));
  if (program === 'rm') return { act: 'delete', objects };
  if (['git', 'gh', 'hg', 'npm', 'pnpm', 'yarn', 'cargo', 'docker'].includes(program)) {
    const act = actOf(sub);
    return act ? { act, objects } : undefined;
  }
  return undefined;
}

function readClause(clause: string, actions: StatedAction[], waived: WaivedThing[]): void {
  const verdict = VERDICT_ON_GERUND.exec(clause);
  const gerundAct = verdict ? actOf(verdict[1] ?? '') : undefined;
  if (verdict && gerundAct) {
    const objects = objectTerms(verdict[2] ?? '');
    actions.push({ act: gerundAct, objects, context: objects, negated: verdict[4] !== undefined });
    return;
  }
  const waiver = WAIVED_AFTER.exec(clause);
  if (waiver) {
    const thing = objectTerms(waiver[1] ?? waiver[2] ?? waiver[3] ?? waiver[4] ?? '');
    if (thing.length > 0) waived.push({ objects: thing });
    return;
  }
  for (const m of clause.matchAll(/\b(?:without|skip(?:s|ped|ping)?|bypass(?:es|ed|ing)?|no need for)\s+(?:the\s+|a\s+|any\s+|all\s+|waiting\s+for\s+)?([^,]{2,40}?)(?=$|[,]|\s+(?:and|or|but|then|when|if|before|after)\b)/gi)) {
    const thing = objectTerms(m[1] ?? '');
    if (thing.length > 0) waived.push({ objects: thing });
  }
  const words = clause.split(/\s+/);
  let negated = false;
  let i = 0;
  for (; i < words.length; i++) {
    const word = bare(words[i] ?? '');
    const pair = `${word} ${bare(words[i + 1] ?? '')}`;
    if (NEGATIONS.test(pair)) {
      negated = true;
      i++;
      continue;
    }
    if (NEGATIONS.test(word)) {
      negated = true;
      continue;
    }
    if (!LEAD_IN.has(word)) break;
  }
  const acts: string[] = [];
  // "never delete or rewrite …": the acts one negation and one object share.
  for (; i < words.length; i++) {
    const act = actOf(bare(words[i] ?? ''));
    if (!act) break;
    if (bare(words[i] ?? '').startsWith('force-')) acts.push('force');
    acts.push(act);
    if (!/^(?:or|and|\/)$/i.test(words[i + 1] ?? '')) break;
    i++;
  }
  const verbs = acts.filter((a) => a !== 'force');
  if (verbs.length === 0) return;
  const rest = words.slice(i + 1).join(' ');
  const end = OBJECT_END.exec(rest);
  const what = end ? rest.slice(0, end.index) : rest;
  // "never follow it": what "it" is, another sentence says; the act alone is no rule about anything here.
  if (what.trim() !== '' && objectTerms(what).length === 0 && PRONOUNS.test(what.trim())) return;
  const objects = [...(acts.includes('force') ? ['force'] : []), ...objectTerms(what)];
  const context = [...new Set([...objects, ...objectTerms(rest)])];
  for (const act of verbs) actions.push({ act, objects, context, negated });
}

const PRONOUNS = /^(?:(?:it|them|this|that|these|those|so|one)\b\s*)+$/i;

function objectTerms(text: string): string[] {
  return terms(text).filter((t) => !MANNER.has(t));
}

/**
 * How `note` goes against `rule`, or nothing: it tells to do an act the rule forbids, or forbids one the rule asks
 * for, to a thing both name ("push main"); it does the opposite act ("ignore instructions" where the rule says to
 * follow them); or it waives what the rule asks for ("a pull request is not needed" against "open a pull request").
 */
export function opposition(rule: string, note: string): string | undefined {
  const r = readActs(rule);
  const n = readActs(note);
  for (const ruled of r.actions) {
    for (const said of n.actions) {
      const sameAct = ruled.act === said.act && ruled.negated !== said.negated;
      const oppositeAct = ruled.negated === said.negated && OPPOSITES.some(([a, b]) => (ruled.act === a && said.act === b) || (ruled.act === b && said.act === a));
      if (!sameAct && !oppositeAct) continue;
      const shared = sharedObjects(ruled, said);
      if (shared !== undefined) return `${said.negated ? 'not ' : ''}${said.act}${shared ? ` ${shared}` : ''}`;
    }
    if (ruled.negated) continue;
    for (const thing of n.waived) {
      const shared = thing.objects.filter((t) => ruled.objects.includes(t));
      if (shared.length > 0) return `no ${shared.join(' ')}`;
      // "without asking" waives the act itself, which the rule asks for only where its conditions hold ("ask before
      // deleting anything in staging" says nothing of asking before adding a dependency).
      const where = terms(note);
      if (thing.objects.includes(ruled.act) && (ruled.context.length === 0 || ruled.context.some((t) => where.includes(t)))) return `no ${ruled.act}`;
    }
  }
  return undefined;
}

/**
 * What two acts are both done to. A rule that names nothing the act is done to holds wherever its conditions do
 * ("ask before deleting anything in staging" is about deleting in staging; "never deploy" is about any deploy).
 */
function sharedObjects(ruled: StatedAction, said: StatedAction): string | undefined {
  if (ruled.objects.length === 0) {
    if (ruled.context.length === 0) return '';
    const near = ruled.context.filter((t) => said.context.includes(t));
    return near.length > 0 ? near.join(' ') : undefined;
  }
  const shared = ruled.objects.filter((t) => said.objects.includes(t));
  return shared.length > 0 ? shared.join(' ') : undefined;
}
