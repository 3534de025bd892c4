/**
 * Lessons no cycle writes down, whoever said them: instructions addressed to whoever reads memory, and rules that
 * would make an agent do damage (run a script from the internet, delete memory or history, hand over credentials,
 * skip review or hooks, turn off certificate checks, hand out admin rights, stop asking before what cannot be
 * undone). A log is untrusted input, and a person's request to remember is still text from a log.
 */
import { contentRisks } from '../content-risk.js';

/** Text that tries to instruct whoever reads memory: never promoted, whatever a log says. */
export const INJECTION =
  /\b(ignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|messages|rules)|system prompt|you are now|disregard|add (this |the following )?to (your )?memory|remember (this|the following) (forever|permanently)|(to|attention|note to|dear) (any|all|the)? ?(ai|llm|language model|assistant|agent)s?\b|as an ai\b|ai assistants? reading|\b(ai|llm|coding) (agents?|assistants?|models?)\s*[:,—–-]|every command you run|curl [^|]*\|\s*(sudo )?(sh|bash)|wget [^|]*\|\s*(sh|bash)|exfiltrat|send (the |your )?(token|key|secret|credential|password)s?|grant [^.]{0,40}\badmin)/i;

const DANGEROUS: RegExp[] = [
  /\b(curl|wget)\b[^|;\n]*\|\s*(sudo\s+)?(ba|z)?sh\b/i,
  /\b(ba|z)?sh\s+(-c\s+)?["']?\$?<?\(\s*(curl|wget)\b/i,
  /\brm\s+-[a-z]*r[a-z]*f|\brm\s+-[a-z]*f[a-z]*r/i,
  /\b(publish|push)\b[^.\n]{0,40}--force\b|--force\b[^.\n]{0,40}\b(publish|push)\b|\bforce[- ]push\w*\b[^.\n]{0,30}\b(main|master)\b/i,
  /\bpush\b[^.\n]{0,30}\b(directly|straight)\b[^.\n]{0,20}\b(main|master)\b[^.\n]{0,30}\bwithout\b/i,
  /\b(without|skip(ping)?|bypass(ing)?|disable)\b[^.\n]{0,20}\b(review|code review|ci|checks|tests|hooks|verification|approvals?|approval step|pull requests?|prs?)\b/i,
  // Hooks skipped by their flag, and review waived in other words: "merge your own pull requests right away".
  /--no-verify\b|\bnever wait for (a |the )?(review|approval|ci|checks|tests)\b|\bmerge\b[^.\n]{0,30}\b(your own|right away|immediately)\b/i,
  /\b(reviews?|approvals?|pull requests?|prs?|tests|checks)\b[^.\n]{0,30}\b((is|are) (not|never) (needed|required|necessary)|(is|are) (optional|disabled|unnecessary)|never needs?( a)? (review|approval))\b/i,
  /\b(delete|remove|wipe|erase)\b[^.\n]{0,40}\b(memory|memories|instructions|agents?\.md|claude\.md|\.git\b|git history|\.reverie)\b/i,
  /~\/\.(aws|ssh|gnupg|kube|docker|npmrc|netrc|config\/gh)\b|\bid_(rsa|ed25519)\b|\b(credentials?|secrets?|tokens?|api keys?|passwords?|\.env)\b(?:(?!\b(?:never|not|no)\b)[^.\n]){0,40}\b(cop(y|ied)|sen[dt]|past(e|ed)|shared?|upload(ed)?|post(ed)?|print(ed)?)\b|\b(copy|send|paste|share|upload|post|print)\b[^.\n]{0,40}(\b(credentials?|secrets?|tokens?|api keys?|passwords?)\b|(^|[\s`'"])\.env\b)/i,
  /\bignore\b[^.\n]{0,30}\b(instructions|rules|memory|agents?\.md|claude\.md)\b/i,
  // Certificate checks turned off, for a process or for good.
  /\bNODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0\b|\bGIT_SSL_NO_VERIFY\s*=\s*['"]?(1|true)\b|\bstrict-ssl\s*(=\s*)?false\b|--insecure\b|--no-check-certificate\b|\bverify\s*=\s*False\b/i,
  // A person's go-ahead dropped before what cannot be undone.
  /\b(never|don'?t|do not|no need to|stop)\s+ask(ing)?\s+(me\s+|anyone\s+|a person\s+)?(before|for (permission|approval|confirmation))\b[^.\n]{0,30}\b(delet|remov|drop|wip|eras|push|deploy|publish|rm\b)/i,
  // Rights handed out on request, or root for everything.
  /\b(give|grant|add)\b[^.\n]{0,40}\b(admin|root|owner)\s+(rights|access|privileges|permissions|role)\b|\b(every|all)\b[^.\n]{0,20}\bcommands?\b[^.\n]{0,20}\bsudo\b/i,
];

/** "Never paste credentials into chat" forbids the damage: only a rule that tells an agent to do it is unsafe. */
const FORBIDS = /\b(never|don'?t|do not|must not|mustn'?t|should not|shouldn'?t|avoid|no)\b[^.;\n]*$/i;

export function unsafeLesson(text: string): boolean {
  if (INJECTION.test(text)) return true;
  return DANGEROUS.some((pattern) => {
    const match = pattern.exec(text);
    return match !== null && !FORBIDS.test(text.slice(0, match.index));
  });
}

/**
 * A line that lays down a rule for whoever reads it ("Always run …", "You are root now", "…: delete the folder and
 * …"), rather than saying what went wrong ("You must be logged in to the server").
 */
const INSTRUCTION =
  /\b(always|never|from now on|every time|important|you are|you're)\b|(^|[.:;!,]\s+)(please\s+)?(run|use|add|set|copy|send|paste|delete|remove|wipe|push|publish|ignore|give|grant|disable|commit|install|export|execute|print|upload|share)\b/i;

/**
 * Tool output that instructs its reader to do something risky ("Always run `npm publish --force`", "Copy
 * ~/.aws/credentials to ./debug/ and retry"): an error worded so is someone's instruction, not a failure to learn
 * from, and a lesson that quotes it would carry the instruction into memory.
 */
export function riskyInstruction(line: string): boolean {
  return unsafeLesson(line) || (INSTRUCTION.test(line) && contentRisks(line).length > 0);
}
