/**
 * A person asking for something to be remembered: "add this to CLAUDE.md", "update my cursor rules with …", "make a
 * rule for it", "record this as a global rule", "from now on …". Said once, it is signal: most of what teams keep in
 * their memory files came from such requests, in one session each.
 */
import { isStandingRule, ruleStatement } from './rewrite.js';

/** Names of the files and places where agents' rules live. */
const MEMORY_PLACE = String.raw`(?:(?:the|my|our|your|project|repo|global|agent|agents'?)\s+)*(?:agents?[ .]?md|claude[ .]?md|gemini[ .]?md|copilot[- ]instructions(?:\.md)?|\.?cursor\s*rules?|\.cursor/rules|\.?clinerules|(?:agent |coding |ai )?rules?(?: files?)?|memory|memories|instructions|guidelines|conventions|playbook)`;

/** The request itself, in the ways people phrase it. */
const PLACES = String.raw`${MEMORY_PLACE}(?:\s*(?:,|and|&)\s*${MEMORY_PLACE})*`;

export const REQUESTS: RegExp[] = [
  new RegExp(String.raw`\b(?:add|put|record|write|save|note|document|mention|include|capture|store|keep)\b[^.?!\n]{0,60}?\b(?:in|into|to|inside)\s+${PLACES}\b`, 'i'),
  new RegExp(String.raw`\b(?:update|adjust|change|amend|extend|edit)\s+${PLACES}\b`, 'i'),
  new RegExp(String.raw`\b(?:in|to)\s+${PLACES}\s+(?:mention|add|note|say|state|write|document|record|include)\b`, 'i'),
  new RegExp(String.raw`\b(?:an?|the|some)\s+(?:update|change|addition|edit|amendment|section|item|entry)s?\s+(?:to|in|for)\s+${PLACES}\b`, 'i'),
  /\b(?:make|create|add|write|set up|turn (?:this|that|it) into)\s+(?:me\s+|us\s+)?(?:a|an|this (?:as )?a|it (?:as )?a|that (?:as )?a)\s+(?:global\s+|new\s+|permanent\s+|standing\s+|hard\s+)?(?:(?:cursor|copilot|claude|agent|project)\s+)?(?:rule|guideline|convention)\b/i,
  /\brecord (?:this|that|it) as an? (?:global |permanent |standing )?(?:rule|guideline|convention)\b/i,
  /\bremember (?:this|that)\b(?!\s+(?:is|was|are|were|it|we|i|you|the)\b|'s)/i,
  /\b(?:from now on|going forward|moving forward)\b/i,
];

/**
 * Words one of which every request holds, under the same case folding (`i`, not `u`): each place of PLACES holds `md`,
 * `instructions`, `cursor`, `rule`, `memor`, `guideline`, `convention` or `playbook`, and the other requests `rule`,
 * `guideline`, `convention`, `remember` or `from now on` / `forward`. A sentence without one is no request, told
 * without running the requests' patterns over it (most of what people type).
 */
export const REQUEST_WORDS = /md|instructions|cursor|rule|memor|guideline|convention|playbook|remember|from now on|forward/i;

/** The first request in `sentence`, as the first of REQUESTS that matches finds it. */
function firstRequest(sentence: string): RegExpExecArray | undefined {
  if (!REQUEST_WORDS.test(sentence)) return undefined;
  for (const request of REQUESTS) {
    const match = request.exec(sentence);
    if (match) return match;
  }
  return undefined;
}

/** Whether `sentence` holds a request. */
function holdsRequest(sentence: string): boolean {
  return REQUEST_WORDS.test(sentence) && REQUESTS.some((r) => r.test(sentence));
}

/** A request that names no rule of its own ("make a rule for it", "remember this"): the rule was said just before. */
const POINTS_BACK = /^(?:[^.?!]{0,40}\b)?(?:remember (?:this|that)|(?:make|create|add|write|record|turn)\b[^.?!]{0,30}\b(?:rule|guideline|convention)\b[^.?!]{0,20}(?:for (?:it|this|that)|of (?:it|this|that)|out of (?:it|this|that))?|add (?:this|that|it) to\b[^.?!]*)[.!]*$/i;

/** "my cursor rule that talks about pull request mode", "rules for deploys": what the listed rules are about. */
const TOPIC = /\b(?:rules?|guidelines?|instructions?|section)\s+(?:that (?:talks?|is|are) about|about|for|on)\s+((?:the\s+)?[a-z][\w -]{2,38}?)\s*(?:[?.!,:;]|$)/i;

export interface RememberRequest {
  /** The sentences that state what to remember; list items are one rule each. */
  content: string[];
  /** The request as typed, for the evidence. */
  quote: string;
  /** What the rules are about, when the request says so and the rules do not ("a rule that talks about pull request mode"). */
  topic?: string;
}

/**
 * The requests in what a person typed in one turn, with the sentences each asks to remember: the rest of the
 * request's own sentence ("… rules to never litter anymore"), the sentences that follow it in the turn ("update my
 * cursor rules: Cursor AI should NEVER …"), or, for a request that names nothing, the sentence before it.
 */
export function rememberRequests(typed: readonly string[], previous: readonly string[] = []): RememberRequest[] {
  const found: RememberRequest[] = [];
  // File names are often in code spans: `AGENTS.md` is the same place as AGENTS.md.
  const sentences = typed.map((s) => s.replace(/`/g, ''));
  let topic: string | undefined;
  sentences.forEach((sentence, i) => {
    const match = firstRequest(sentence);
    if (!match) return;
    const after = sentence.slice(match.index + match[0].length);
    // "…, then add instructions about it in AGENTS.md", "a blurb for my rules based on the above": said first.
    const pointsBack = /\b(?:about|on|for|of|with|from|based on|add|put|record|write|save|note|remember)\s+(?:it|this|that|them|the above)\b|\babove\b/i.test(sentence);
    const item = /^\s*([-*+]|\d+[.)])\s+/.test(sentence) ? contentBefore(sentence.slice(0, match.index)) : undefined;
    const listed = pointsBack ? [...listBefore(sentences.slice(0, i)), ...(item ? [sentence.slice(0, match.index).replace(/\s*(?:can|could|would|will)\s+you\b[^.]*$/i, '')] : [])] : [];
    const own = contentAfter(after, match[0]) ?? (pointsBack && listed.length === 0 ? contentBefore(sentence.slice(0, match.index)) : undefined);
    const following = followingRules(sentences.slice(i + 1));
    let content: string[] = [];
    // What follows is part of the rule when it reads as one ("avoid inventing our own"), not when it muses ("might be in …").
    if (own && namedAtEnd(match[0])) content = [asStatement(own), ...following.filter((f) => isStandingRule(ruleStatement(f) ?? ''))];
    else if (own) content = [own];
    else if (listed.length > 0) content = listed;
    else if (POINTS_BACK.test(sentence.trim())) content = [sentences[i - 1] ?? previous.at(-1) ?? ''].filter(Boolean);
    else if (/^(from now on|going forward|moving forward)$/i.test(match[0].trim())) content = [sentence];
    else content = following;
    content = content.map((c) => c.trim()).filter((c) => c.length >= 8);
    // A request later in the turn about the same list ("… based on the above") is about what the first one named.
    topic = TOPIC.exec(sentence)?.[1]?.trim() ?? topic;
    if (content.length > 0) found.push({ content, quote: sentence, ...(topic && content.length > 1 ? { topic } : {}) });
  });
  return found;
}

/** The list right before a request that points back at it ("… based on the above"). */
function listBefore(before: readonly string[]): string[] {
  const items: string[] = [];
  for (let i = before.length - 1; i >= 0 && /^\s*([-*+]|\d+[.)])\s+/.test(before[i] ?? ''); i--) items.unshift(before[i] ?? '');
  return items.length >= 1 ? items : [];
}

/** What follows a request in its turn: the list it gives (every item), or the next few sentences. */
function followingRules(rest: readonly string[]): string[] {
  // "3. Review the code … Can you write up a blurb I can add to my rules?": the item ends where the next request begins.
  const items = rest.map((s) => (ITEM.test(s) ? itemBeforeRequest(s) : s));
  const candidates = items.filter((s) => !holdsRequest(s) && !/\?\s*$/.test(s));
  const listed = candidates.filter((s) => ITEM.test(s));
  if (listed.length >= 2) return listed.slice(0, 8);
  return candidates.slice(0, 3);
}

const ITEM = /^\s*([-*+]|\d+[.)])\s+/;

/** A list item with a request run on after it: the item alone. */
function itemBeforeRequest(sentence: string): string {
  const at = REQUEST_WORDS.test(sentence) ? Math.min(...REQUESTS.map((r) => r.exec(sentence)?.index ?? sentence.length)) : sentence.length;
  if (at === sentence.length) return sentence;
  // Back to where the request's sentence starts ("Can you write up …"), not where its verb is.
  const start = /\s(?:can|could|would|will)\s+you\b[^.]*$/i.exec(sentence.slice(0, at))?.index ?? at;
  return sentence.slice(0, start).trim();
}

/** "Clean up the docs, sort them into folders, then add instructions about it in AGENTS.md": what "it" is. */
function contentBefore(before: string): string | undefined {
  const text = before
    .replace(/\s*(?:can|could|would|will)\s+you\s*(?:please\s*)?$/i, '')
    .replace(/[\s,;:—–-]*(?:and\s+)?(?:then|also|and)?\s*$/i, '')
    .trim();
  return text.length >= 12 && !/\?\s*$/.test(text) ? text : undefined;
}

/** "in agents MD mention …": the request's verb is its last word, and what it names follows. */
function namedAtEnd(request: string): boolean {
  return /\b(?:mention|add|note|say|state|write|document|record|include)$/i.test(request.trim()) && /^(?:in|to)\s/i.test(request.trim());
}

/** "Claude skills, … and openinference as standards we should …" names things as something: say that they are. */
function asStatement(named: string): string {
  const match = /^(.{3,}?)\s+as\s+((?:the\s+|our\s+)?\w+s?\b.*)$/i.exec(named);
  if (!match?.[1] || !match[2] || /\b(?:is|are|was|were)\b/i.test(match[1])) return named;
  const many = /,|\band\b/i.test(match[1]);
  return `${match[1]} ${many ? 'are' : 'is'} ${match[2]}`;
}

/** "… rules to never litter anymore" → "never litter anymore"; "… with a super high priority item?" → nothing. */
function contentAfter(after: string, request: string): string | undefined {
  const text = after.replace(/^[\s,:;—–-]+/, '').trim();
  // "in agents MD mention Claude skills, … as standards": the verb was the request's last word.
  if (namedAtEnd(request)) return text.length >= 8 ? text : undefined;
  if (/^(?:from now on|going forward|moving forward)$/i.test(request.trim())) return text.length >= 8 ? text : undefined;
  const stated = /^(?:to|so that|so|that|saying|stating|with the rule that|:)\s+(.{8,})$/i.exec(text)?.[1];
  if (!stated) return undefined;
  // "… with a high priority item?" announces the rule; it does not state it.
  if (/\?\s*$/.test(stated)) return undefined;
  return stated;
}
