/**
 * A person correcting a fact: "Railway was replaced by Render", "we no longer use `yarn`, we use `pnpm`", "the
 * `develop` branch was renamed to `main`". What memory says of the old thing is out of date at once: one session is
 * enough, and the entry that names it is updated in place (its words kept, the old name replaced by the new).
 */

export interface Correction {
  old: string;
  new: string;
  sentence: string;
}

/** The change, between the old name (before it) and the new one (after it). */
const CHANGES: { pattern: RegExp; newFirst?: boolean }[] = [
  { pattern: /\s(?:was|has been|is|got)\s+(?:replaced|superseded)\s+(?:by|with)\s/i },
  { pattern: /\s(?:was|has been|is|got)\s+(?:renamed|moved|migrated)\s+to\s/i },
  { pattern: /\s(?:was|has been|is)\s+(?:shut down|deprecated|retired|removed|decommissioned|gone)\s*[;,:—–-]\s*(?:we\s+)?(?:use|it'?s|now use|switch to)\s/i },
  { pattern: /(?:^|\s)we\s+(?:no longer|don'?t)\s+use\s(?=\S+(?:\s+any ?more)?\s*[;,:—–-]\s*(?:we\s+)?(?:use|it'?s|now use)\s)/i },
  { pattern: /\s+now\b[;,]?\s+not\s/i, newFirst: true },
];

const NOT_A_NAME = /^(it|this|that|they|we|you|i|now|instead|which|what|something|anything|one|them|there)$/i;

/** The name right before `at`: a code span, else the last word. */
function nameBefore(text: string): string | undefined {
  const span = /`([^`]{1,60})`[^`]{0,20}$/.exec(text)?.[1];
  if (span) return span;
  const word = /([\w@./:-]+)\s*$/.exec(text)?.[1];
  return word && !NOT_A_NAME.test(word) ? word : undefined;
}

/** The name right after `at`: a code span, else the next word. */
function nameAfter(text: string): string | undefined {
  const span = /^\s*`([^`]{1,60})`/.exec(text)?.[1];
  if (span) return span;
  const word = /^\s*([\w@./:-]*\w)/.exec(text)?.[1];
  return word && !NOT_A_NAME.test(word) ? word : undefined;
}

/** The correction a person's sentence states, with the old and the new name. */
export function correctionsIn(sentence: string): Correction[] {
  for (const { pattern, newFirst } of CHANGES) {
    const m = pattern.exec(sentence);
    if (!m) continue;
    const before = sentence.slice(0, m.index + (m[0].startsWith(' ') || m[0].startsWith('\t') ? 0 : 0));
    const after = sentence.slice(m.index + m[0].length);
    let first: string | undefined;
    let second: string | undefined;
    if (/we\s+(?:no longer|don'?t)\s+use/i.test(m[0])) {
      first = nameAfter(after);
      second = nameAfter(after.replace(/^\s*(?:`[^`]*`|\S+)(?:\s+any ?more)?\s*[;,:—–-]\s*(?:we\s+)?(?:use|it'?s|now use)\s/i, ''));
    } else if (newFirst) {
      second = nameBefore(before.replace(/^.*\b(?:use|it'?s)\s+(?=\S+$|`[^`]*`$)/i, ''));
      first = nameAfter(after);
    } else {
      first = nameBefore(before);
      second = nameAfter(after);
    }
    if (first && second && first.toLowerCase() !== second.toLowerCase()) return [{ old: first, new: second, sentence }];
  }
  return [];
}
