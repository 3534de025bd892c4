/**
 * A person's sentence as the rule a memory file would hold: short, self-contained, imperative, in their words.
 * "Cursor AI should NEVER access, print (e.g. cat) any environment files!!" becomes "Never access or print any
 * environment files (e.g. cat)."; "no, use pnpm — we don't use npm here" becomes "Use pnpm — we don't use npm here.";
 * "can you make sure to run the linter before you say you're done" becomes "Run the linter before you say you're
 * done.". What cannot be read as a rule comes back undefined, so that it is not written down.
 */
import { capitalize } from '../text.js';

/** Who the rule is addressed to, which a rule in memory leaves out. */
const ADDRESSEE = String.raw`(?:you|the agent|agents?|the ai|ai|cursor(?: ai| agent)?|copilot|claude(?: code)?|codex|gemini|the assistant|the model|we)`;
const MODAL = String.raw`(?:should|must|shall|need to|needs to|have to|has to|is to|are to|are supposed to|is supposed to)`;

/** Openers that frame the rule rather than state it. */
const OPENERS: RegExp[] = [
  // "No, use X" answers one message; "No emojis in commits" is the rule itself and keeps its "No".
  /^(no|nope|stop|wait|hey)\s*[,.!:;—–-]+\s*/i,
  /^(ok|okay|right|so|also|and|but|plus|btw|again|actually|hmm+)\b[,.!:;—–-]*\s*/i,
  /^(please|pls|plz|kindly)\s+/i,
  /^(can|could|would|will) you (please )?(also )?/i,
  /^(i'?d like|i would like|i want|i need|we want|we need) (you )?to /i,
  /^(make sure|ensure|be sure) to (always )?/i,
  /^(remember|don'?t forget) (to |that )?(you )?(always )?/i,
  /^(from now on|going forward|in (the )?future|next time|moving forward|as a rule|in general|generally)\b[,:]?\s*/i,
  /^(let'?s|lets)\s+(always\s+|never\s+)?/i,
  /^(we |you )?(really |just )?(need|have|want|got) to\s+/i,
  /^(one more thing|also note|note|important|critical|rule|reminder)\s*[:\-—–]\s*/i,
];

/** What ends a rule without adding to it. */
const TRAILERS = /(\s*(,\s*)?(please|pls|thanks|thank you|again|ok|okay|anymore|anymor|any more|ever again|from now on|going forward|in the future)\b)+[.!?]*$/i;

export function ruleStatement(sentence: string): string | undefined {
  let text = sentence.replace(/\s+/g, ' ').trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const opener of OPENERS) {
      const next = text.replace(opener, '');
      if (next !== text && next.trim() !== '') {
        text = next.trim();
        changed = true;
      }
    }
  }
  text = mainClauseImperative(text);
  text = text
    .replace(/[!?]+/g, (m) => (m.includes('?') ? '?' : '.'))
    .replace(TRAILERS, '')
    .replace(/\s*[.,;:]+$/, '')
    .trim();
  // A question asks; it does not state a rule.
  if (text === '' || /\?$/.test(text) || /^(why|what|how|where|when|which|who|is|are|does|do|did|can|could|should|would|will)\b.*\?/i.test(text)) return undefined;
  text = softenShouting(text);
  return `${capitalize(text)}.`;
}

/** "When building new features, we really need to prioritize simplicity" → "When building new features, prioritize simplicity". */
function mainClauseImperative(text: string): string {
  const lead = /^((?:when|whenever|if|before|after|while|for|in|on|during|once)\b[^,]{3,80},\s*)(.+)$/i.exec(text);
  if (!lead) return addressedToImperative(text);
  const main = addressedToImperative((lead[2] ?? '').replace(/^(we|you) (really |always |just )?(need|have|want|got) to\s+/i, ''));
  return `${lead[1]}${main}`;
}

/**
 * "Cursor AI should NEVER access …" → "Never access …"; "you must always …" → "Always …"; "we don't use X" →
 * "Do not use X"; "we use X" → "Use X"; "I prefer X" → "Prefer X"; "I don't want you to X" → "Do not X".
 */
function addressedToImperative(text: string): string {
  const modal = new RegExp(String.raw`^${ADDRESSEE}\s+${MODAL}\s+(never|always|not|only)?\s*`, 'i');
  const match = modal.exec(text);
  if (match) {
    const adverb = (match[1] ?? '').toLowerCase();
    const rest = text.slice(match[0].length);
    if (adverb === 'not') return `do not ${rest}`;
    return adverb ? `${adverb} ${rest}` : rest;
  }
  // "(a rule that) prevents the agent from ever running X" → "Never run X".
  const prevents = /^(?:prevents?|stops?|keeps?|forbids?|blocks?)\s+(?:the agent|agents|you|it|cursor|claude|copilot|the ai|ai)\s+from\s+(?:ever\s+)?([a-z]+ing)\b/i.exec(text);
  if (prevents?.[1]) return `never ${baseVerb(prevents[1])}${text.slice(prevents[0].length)}`;
  const rules: [RegExp, string][] = [
    [new RegExp(String.raw`^${ADDRESSEE}\s+(know|knows|remember|remembers|understand|understands|learn|learns)\s+(to|that)\s+`, 'i'), ''],
    [/^(we|you) (don'?t|do not) need to\s+/i, 'do not '],
    [/^(we|you) (don'?t|do not) need\s+/i, 'avoid '],
    [new RegExp(String.raw`^${ADDRESSEE}\s+(never|always|only)\s+`, 'i'), '$1 '],
    [new RegExp(String.raw`^${ADDRESSEE}\s+(don'?t|do not|can'?t|cannot|shouldn'?t|should not|mustn'?t|must not)\s+`, 'i'), 'do not '],
    [/^i (don'?t|do not) want (you |the agent |it )?to\s+/i, 'do not '],
    [/^i (don'?t|do not) want\s+/i, 'avoid '],
    [/^i (want|need|expect) (you |the agent |it )?to\s+/i, ''],
    [/^(i|we) (prefer|like)\s+/i, 'prefer '],
    [/^(i'?d|i would|we'?d|we would) rather\s+/i, 'prefer to '],
    [/^we (don'?t|do not|never) (use|follow|keep|run|write)\s+/i, 'do not $2 '],
    [/^we do (?!not\b)/i, 'use '],
    // "We log through slog everywhere" → "Log through slog everywhere"; "we are …", "we need …" say something else.
    [/^we (always |only |usually )?(?!(?:are|were|have|had|need|want|can|could|should|will|would|might|may|did|do|does|got|get|'re|'ve|'d|'ll)\b)([a-z]+)\s+/i, '$1$2 '],
    [/^(i'?d like|i would like|i want|i need|please give me) (a|an)\s+/i, 'give $2 '],
    [/^(it|this|that) (should|must) (always |never )?/i, '$3'],
  ];
  for (const [pattern, replacement] of rules) if (pattern.test(text)) return firstPerson(text.replace(pattern, replacement).replace(/^\s+/, ''));
  return firstPerson(text);
}

/** "running" → "run", "using" → "use", "pushing" → "push": enough English for the verbs rules are made of. */
export function baseVerb(gerund: string): string {
  const stem = gerund.toLowerCase().replace(/ing$/, '');
  const irregular: Record<string, string> = { writ: 'write', bit: 'bite', quit: 'quit', sit: 'sit' };
  if (irregular[stem]) return irregular[stem];
  if (stem.length > 3 && /([bdgmnpt])\1$/.test(stem)) return stem.slice(0, -1);
  if (/(?:^|[^aeiou])[aeiou][^aeiouwxy]$/.test(stem) && !/(?:it|en|er|on|ol|el|ow)$/.test(stem)) return `${stem}e`;
  if (/(?:at|iz|is|bl|tl|dl|us|ang|eg)$/.test(stem) && !/(?:ess)$/.test(stem)) return `${stem}e`;
  return stem;
}

/** What the person asks to see, said as what to do: "I'd like to see your plans" → "show your plans". */
function firstPerson(text: string): string {
  return text
    .replace(/\bi wanna\b/gi, 'I want to')
    .replace(/\bi'?d like to (see|hear|review) (your|the)\b/gi, 'show $2')
    .replace(/\bi (want|need) to (see|hear|review) (your|the)\b/gi, 'show $3');
}

/** Words a standing rule opens with: an adverb of habit or prohibition, or a verb that says how work is done. */
const RULE_OPENERS = new Set(
  (
    'always never only avoid prefer do don\'t dont use keep put write name store place follow run ensure make ' +
    'ask wait confirm verify document commit push format lint prefix mark label tag log call import export install ' +
    'pin treat default stick respect mention include exclude leave reply respond answer speak split group sort limit end search ' +
    'squash rebase branch'
  ).split(' '),
);

/** Verbs that ask for a piece of work now ("fix the issue where …", "clean up the docs"), not for a habit. */
const TASK_VERBS = new Set(
  (
    'fix remove delete implement create add make update change look investigate help explain review refactor build set ' +
    'setup clean move rename try debug show tell give find plan propose continue proceed start finish merge deploy ' +
    'enable disable integrate migrate convert replace rewrite restore revert undo redo go get see analyze analyse study ' +
    'research compare summarize summarise describe walk let confirm check verify test read'
  ).split(' '),
);

/**
 * Whether the rule a person asked to be recorded is one a file can hold: it states something, not what the person
 * means to do ("I'd like to provide instructions …"), and names something of its own ("do not make such mistakes"
 * names nothing once its session is gone).
 */
export function isRecordableRule(rule: string, specific: (text: string) => boolean): boolean {
  if (/^(i|i'm|i'd|i've|i'll|my|we're|we'd|we've|let me|here|this|that|these|those|it|there)\b/i.test(rule)) return false;
  if (/\bsuch\b/i.test(rule) && !specific(rule.replace(/\bsuch\b.*$/i, ''))) return false;
  return specific(rule);
}

/** Words that make a sentence about how things are always done, not about this one task. */
const HABIT = /\b(always|never|every|each time|whenever|by default|from now on|going forward|in (the )?future|instead of|rather than|,\s*not\b|don'?t|do not|avoid|prefer|no longer|anymore|everywhere|as a rule|in (this|our|the) (repo|repository|project|codebase|team)|before (you |we )?\w+|after (each|every)|first\b|at the end|when (you'?re|you are|you'?ve|you have|you) (done|finished?)|\bwhen done\b)/i;

/**
 * Whether a rewritten sentence reads as a standing rule: it opens with a habit or a prohibition, or with a verb of
 * how work is done, or asks for a task in words of habit ("run the linter before you say you're done"). "No
 * emojis in commits" is a rule; "No artifacts will be uploaded" states a fact about one run.
 */
export function isStandingRule(rule: string): boolean {
  const first = (rule.toLowerCase().match(/^[a-z']+/) ?? [''])[0] ?? '';
  if (first === 'no') return !/\b(will|is|are|was|were|be|been|has|have|had|can|could|would)\b/i.test(rule);
  if (first === 'do' && !/^do not\b/i.test(rule)) return false;
  if (RULE_OPENERS.has(first)) return true;
  // "Every migration needs a down step", "Migrations must be reversible": a rule about a thing.
  if (/^(every|each|all|any)\b/i.test(rule)) return true;
  if (/^(\S+\s+){0,6}?(should|must|shall|needs? to|has to|have to|is required to|are required to)\b/i.test(rule) && !/^(i|we|you|it|this|that|there)\b/i.test(rule)) return true;
  if (TASK_VERBS.has(first)) return HABIT.test(rule);
  if (/^(when|whenever|if|before|after|while|for|in|on|during|once)\b[^,]{3,80},\s*(\w+)/i.test(rule)) {
    const verb = /,\s*([a-z']+)/i.exec(rule)?.[1]?.toLowerCase() ?? '';
    return RULE_OPENERS.has(verb) || TASK_VERBS.has(verb);
  }
  return false;
}

/** "NEVER access" reads as a rule in lower case too; an acronym (`API`, `CI`) stays as it is. */
function softenShouting(text: string): string {
  const letters = text.match(/\p{L}/gu) ?? [];
  const upper = letters.filter((c) => c !== c.toLowerCase()).length;
  // A sentence typed in capitals is said loudly, not in acronyms.
  if (letters.length >= 12 && upper > letters.length * 0.6) return text.toLowerCase();
  return text.replace(/\b([A-Z]{4,})\b/g, (word) => (/^(NEVER|ALWAYS|ONLY|MUST|DON'T|NOT|DO|IMPORTANT|CRITICAL|EVERY|NONE|ANY)$/.test(word) ? word.toLowerCase() : word));
}
