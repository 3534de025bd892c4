/**
 * Lines that state a rule: what a person wrote so that an agent does, or never does, something. A cycle keeps them
 * unless the sessions show them wrong; they are the part of a memory file its owner minds most.
 */

/** Words that make a sentence a rule in English, whatever its case ("Never", "Do NOT", "MUST", "REQUIRED"). */
const ENGLISH =
  /\b(never|always|must|mustn't|do not|don't|dont|shall|should not|shouldn't|required|requires|mandatory|prohibited|forbidden|not allowed|not permitted|avoid|under no circumstances|at all times|no exceptions?|make sure|ensure|only use|use only|critical|important)\b/i;

/** The same in the other languages memory files are written in: Japanese, Chinese, German, French, Spanish. */
const OTHER =
  /(禁止|必ず|しないこと|してはいけない|しないでください|厳禁|絶対に|必须|禁止|不要|不得|务必|\bnie(mals)?\b|\bimmer\b|\bmuss\b|\bverboten\b|\bjamais\b|\btoujours\b|\bdoit\b|\binterdit\b|\bnunca\b|\bsiempre\b|\bdebe\b|\bprohibido\b)/i;

/** A line that opens with an emphatic NO ("NO emojis", "NO default exports"). */
const SHOUTED_NO = /^\W*NO\s+\S/;

/** True when the line (a whole line of a memory file, with or without its Markdown marks) states a rule. */
export function isRuleLine(line: string): boolean {
  const text = line.trim();
  if (text === '') return false;
  return ENGLISH.test(text) || OTHER.test(text) || SHOUTED_NO.test(text);
}

/** True when any line of the text states a rule. */
export function statesRule(text: string): boolean {
  return text.split(/\r?\n/).some(isRuleLine);
}
