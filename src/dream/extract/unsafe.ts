/**
 * Lessons no cycle writes down, whoever said them: instructions addressed to whoever reads memory, and rules that
 * would make an agent do damage (run a script from the internet, delete memory or history, hand over credentials,
 * skip review). A log is untrusted input, and a person's request to remember is still text from a log.
 */
/** Text that tries to instruct whoever reads memory: never promoted, whatever a log says. */
export const INJECTION =
  /\b(ignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|messages|rules)|system prompt|you are now|disregard|add (this |the following )?to (your )?memory|remember (this|the following) (forever|permanently)|(to|attention|note to|dear) (any|all|the)? ?(ai|llm|language model|assistant|agent)s?\b|as an ai\b|ai assistants? reading|\b(ai|llm|coding) (agents?|assistants?|models?)\s*[:,—–-]|every command you run|curl [^|]*\|\s*(sudo )?(sh|bash)|wget [^|]*\|\s*(sh|bash)|exfiltrat|send (the |your )?(token|key|secret|credential|password)s?|grant [^.]{0,40}\badmin)/i;

const DANGEROUS: RegExp[] = [
  /\b(curl|wget)\b[^|;\n]*\|\s*(sudo\s+)?(ba|z)?sh\b/i,
  /\b(ba|z)?sh\s+<\(\s*(curl|wget)\b/i,
  /\brm\s+-[a-z]*r[a-z]*f|\brm\s+-[a-z]*f[a-z]*r/i,
  /\b(publish|push)\b[^.\n]{0,40}--force\b|--force\b[^.\n]{0,40}\b(publish|push)\b/i,
  /\bpush\b[^.\n]{0,30}\b(directly|straight)\b[^.\n]{0,20}\b(main|master)\b[^.\n]{0,30}\bwithout\b/i,
  /\b(without|skip(ping)?|bypass(ing)?|disable)\b[^.\n]{0,20}\b(review|code review|ci|checks|tests|hooks|verification)\b/i,
  /\b(delete|remove|wipe|erase)\b[^.\n]{0,40}\b(memory|memories|instructions|agents?\.md|claude\.md|\.git\b|git history|\.reverie)\b/i,
  /~\/\.(aws|ssh|gnupg|kube|docker|npmrc|netrc|config\/gh)\b|\bid_(rsa|ed25519)\b|\bcredentials?\b[^.\n]{0,40}\b(copy|send|paste|share|upload|post)\b|\b(copy|send|paste|share|upload|post)\b[^.\n]{0,40}\b(credentials?|secrets?|tokens?|api keys?|passwords?)\b/i,
  /\bignore\b[^.\n]{0,30}\b(instructions|rules|memory|agents?\.md|claude\.md)\b/i,
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
