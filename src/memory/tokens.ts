/**
 * Offline, deterministic token estimate: good enough to hold a namespace to a budget, never a bill.
 * Each run of letters/digits costs one token per started 5 characters (short words are one token,
 * long identifiers a few), each punctuation or symbol character one token, each CJK character one
 * token (those scripts tokenise about a character at a time). Whitespace is free. On English prose
 * and Markdown this lands within about a quarter of Claude's tokenizer, and it never decreases when
 * text is appended, so a prune always lowers the count.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(TOKEN_PIECE)) {
    const piece = match[0];
    tokens += WORD.test(piece) ? Math.ceil([...piece].length / CHARACTERS_PER_WORD_TOKEN) : 1;
  }
  return tokens;
}

const CHARACTERS_PER_WORD_TOKEN = 5;
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
const WORD_CHARACTER = String.raw`(?![${CJK}])[\p{L}\p{N}\p{M}_]`;
const TOKEN_PIECE = new RegExp(String.raw`[${CJK}]|(?:${WORD_CHARACTER})+|[^\s]`, 'gu');
const WORD = new RegExp(String.raw`^(?:${WORD_CHARACTER})+$`, 'u');
