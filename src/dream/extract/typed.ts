/**
 * What a person typed in a turn, without what they pasted into it: code, logs and tool output, text quoted from the
 * agent (`>` lines), documents and prompts copied in (a plan, a checklist, a template), and bare mentions of files.
 * Only what a person typed can be their preference; pasted text is someone else's words, and where injections hide.
 */

export interface TypedOptions {
  /**
   * Keep list items even in a long turn: a person who asks for rules to be recorded often lists them ("update my
   * rules: - always …"), and those items are theirs.
   */
  keepLists?: boolean;
}

/** Lines a log, a terminal or a tool printed. */
const LOG_LINE: RegExp[] = [
  /^\s*\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/, // 2025-09-25T22:44:30.04Z …
  /^.{0,40}\d{2}T\d{2}:\d{2}:\d{2}/, // the same, its start cut off where a reader shortened a long paste
  /^\s*\[…[^\]]*omitted[^\]]*\]\s*$/, // where a reader shortened it
  /^\s*\[?\d{1,2}:\d{2}(:\d{2})?(\.\d+)?\]?\s/, // 12:03:11 …
  /##\[\w+\]/, // GitHub Actions groups
  /^\s+at\s+\S+\s*\(?\S*:\d+/, // stack frames
  /^\s*(Traceback \(most recent call last\)|File ".*", line \d+)/,
  /^\s*(npm (warn|error|ERR!|notice)|yarn (warn|error)|pnpm (warn|ERR)|error(\[[\w-]+\])?:|warning:|hint:|fatal:|note:|FAIL(ED)?\b|PASS\b|ERROR\b|WARN\b|INFO\b|DEBUG\b|TRACE\b)/,
  /^\s*(✓|✗|×|✔|✘|⨯|●|ℹ|⚠|›|❯|➜|\$ |% |> \w|#\s?\d+\s)/,
  /^\s*[\w.-]+@[\w.-]+:[~/]/, // user@host:~/dir$
  /^\s*(drwx|-rw-|lrwx)/, // ls -l
  /\b(exit code|exited with|status code) \d+\b/i,
  /^\s*\d+\s*\|/, // source excerpt with line numbers
  /^\s*[\w.-]+\.(py|ts|tsx|js|jsx|go|rs|rb|java|kt|cs|cpp|c|h):\d+(:\d+)?\b/, // file:line:col
];

/** Lines of code. */
const CODE_LINE: RegExp[] = [
  /^\s*(import|export|const|let|var|def|class|function|return|async|await|from|public|private|package|func|fn|use|#include|SELECT|INSERT|UPDATE|CREATE TABLE)\b.*[=({;:'"]/,
  /[;{}]\s*$/,
  /=>|\)\s*\{|\w+\([^)]*\)\s*;/,
  /^\s*[\w.$]+\s*=\s*\S/, // x = 1
  /^\s*[<{[\]}]/, // markup, JSON
  /^\s*"[\w-]+"\s*:/, // "key": value
  /^\s*[\w-]+:\s*$/, // yaml key
];

const QUOTED = /^\s*>/;
const HEADING = /^\s*#{1,6}\s/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const CHECKBOX = /^\s*([-*+]|\d+[.)])\s+\[[ xX]\]/;
const LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+\S/;
/** A line that is only a file, a folder, a URL or an editor variable (`@src/app.ts`, `#terminalSelection`). */
const BARE_MENTION = /^\s*[@#]?[\w.~/:-]*[/.][\w.~/:#?=&%-]*\s*[.,]?\s*$/;
/** Mentions inside a sentence: Cursor's `@file`, Copilot's `#variable`, `@agent`. */
const MENTION = /(^|\s)[@#](?:https?:\/\/\S+|[\w.~/-]+)/g;

/** A turn this long with this many list lines is a document pasted in, not typed. */
const DOCUMENT_CHARS = 600;
const DOCUMENT_LIST_LINES = 4;

const LETTER = /^\p{L}$/u;
const NUMBER_OR_SPACE = /^[\p{N}\s]$/u;

/**
 * Symbols against letters: a line that is mostly punctuation is data, not a sentence. Counted code point by code
 * point, ASCII without a regular expression: every line of every turn passes here, pasted logs included.
 */
export function symbolic(line: string): boolean {
  let letters = 0;
  let symbols = 0;
  for (const ch of line) {
    const c = ch.charCodeAt(0);
    if (c < 128) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
      else if (!((c >= 48 && c <= 57) || c === 32 || (c >= 9 && c <= 13))) symbols++;
    } else if (LETTER.test(ch)) letters++;
    else if (!NUMBER_OR_SPACE.test(ch)) symbols++;
  }
  return letters === 0 || symbols > letters * 0.5;
}

function pasted(line: string): boolean {
  return QUOTED.test(line) || LOG_LINE.some((p) => p.test(line)) || CODE_LINE.some((p) => p.test(line)) || TABLE_ROW.test(line) || CHECKBOX.test(line) || HEADING.test(line) || BARE_MENTION.test(line) || symbolic(line);
}

export function typedText(text: string, options: TypedOptions = {}): string {
  const withoutFences = text.replace(/^\s*(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^\s*\1[^\n]*$|(?![\s\S]))/gm, '\n');
  const lines = withoutFences.split(/\r?\n/);
  const listLines = lines.filter((l) => LIST_ITEM.test(l)).length;
  const document = !options.keepLists && text.length > DOCUMENT_CHARS && listLines >= DOCUMENT_LIST_LINES;
  const kept: string[] = [];
  let blank = true;
  // A document pasted in (a prompt template, a plan, a spec) is someone else's words, but for the ask that opens it.
  let seenText = false;
  for (const raw of lines) {
    if (document && seenText && (raw.trim() === '' || LIST_ITEM.test(raw))) break;
    const line = raw.replace(/\t/g, '    ');
    if (line.trim() === '') {
      if (!blank) kept.push('');
      blank = true;
      continue;
    }
    // An indented block after a blank line is code, or output, pasted as it was.
    if (/^ {4,}\S/.test(line) && blank) continue;
    if (pasted(line) || (document && LIST_ITEM.test(line))) continue;
    const words = line.replace(MENTION, '$1').replace(/\s+/g, ' ').trim();
    if (words === '' || symbolic(words)) continue;
    kept.push(words);
    blank = false;
    seenText = true;
  }
  return kept.join('\n').trim();
}
