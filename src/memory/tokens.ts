/**
 * Offline, deterministic token estimate: good enough to hold a namespace to a budget, never a bill.
 * Each run of letters/digits costs one token per started 5 characters (short words are one token,
 * long identifiers a few), each punctuation or symbol character one token, each CJK character one
 * token (those scripts tokenise about a character at a time). Whitespace is free. On English prose
 * and Markdown this lands within about a quarter of Claude's tokenizer, and it never decreases when
 * text is appended, so a prune always lowers the count.
 */
export function estimateTokens(text: string): number {
  if (ASCII.test(text)) return estimateAsciiTokens(text);
  let tokens = 0;
  for (const match of text.matchAll(TOKEN_PIECE)) {
    const piece = match[0];
    tokens += WORD.test(piece) ? Math.ceil([...piece].length / CHARACTERS_PER_WORD_TOKEN) : 1;
  }
  return tokens;
}

const CHARACTERS_PER_WORD_TOKEN = 5;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The same count for text that is all ASCII, without the Unicode pattern: most memory is, and curation counts a file
 * again after every action. In ASCII a word character is a letter, a digit or `_`, and whitespace is what `\s` is.
 */
function estimateAsciiTokens(text: string): number {
  let tokens = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (word) {
      run++;
      continue;
    }
    if (run > 0) tokens += Math.ceil(run / CHARACTERS_PER_WORD_TOKEN);
    run = 0;
    const space = c === 32 || (c >= 9 && c <= 13);
    if (!space) tokens++;
  }
  if (run > 0) tokens += Math.ceil(run / CHARACTERS_PER_WORD_TOKEN);
  return tokens;
}
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
const WORD_CHARACTER = String.raw`(?![${CJK}])[\p{L}\p{N}\p{M}_]`;
const TOKEN_PIECE = new RegExp(String.raw`[${CJK}]|(?:${WORD_CHARACTER})+|[^\s]`, 'gu');
const WORD = new RegExp(String.raw`^(?:${WORD_CHARACTER})+$`, 'u');
