/**
 * Text from session logs, inside a pull request on GitHub, is untrusted: it must not render as HTML, mention a
 * person or a team (`@org/team` pings them), link an issue (`#12`, `GH-12`, `owner/repo#12`), or become a link.
 * Two ways out, for the two places such text goes: a code block (nothing inside one renders, mentions included), and
 * inline text escaped as below.
 */
import { printable } from '../util/printable.js';

/** A fenced code block holding `text` verbatim: the fence is longer than any run of backticks inside. */
export function codeBlock(text: string, language = 'text'): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${printable(text).replace(/\n?$/, '')}\n${fence}`;
}

/** A zero-width space: it breaks a mention, an issue reference or a link without changing what a reader sees. */
const BREAK = '\u200b';

/**
 * `text` as one line of inline Markdown that renders as written and pings no one. HTML special characters and
 * Markdown punctuation become entities, so nothing turns into markup. Mentions and references are found in the
 * rendered text (entities decoded), so entities alone do not stop them: a zero-width space after `@` and `#`, in
 * `GH-`, after `://` and `www.` does, and keeps a link from forming.
 */
export function inlineText(text: string): string {
  return printable(text)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/([@#])/g, `$1${BREAK}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${BREAK}-`)
    .replace(/:\/\//g, `:${BREAK}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${BREAK}.`)
    .replace(/[&<>"'`*_~[\]()\\|!]/g, (c) => `&#${c.charCodeAt(0)};`);
}
