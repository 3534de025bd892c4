/**
 * What a reviewer says on a cycle's pull request, read as commands: the task-list checkboxes of its body (one per
 * action, found by a hidden marker) and `/reverie …` lines of a comment. Pure text in, plain values out.
 */

/** The hidden marker that ties a checkbox line of the body to an action; text from sessions never renders as it. */
export function actionMarker(id: string): string {
  return `<!-- reverie-action:${id} -->`;
}

const CHECKBOX = /^[ \t]*[-*+][ \t]+\[([ xX])\][ \t]+<!-- reverie-action:([0-9A-Za-z._-]+) -->/gm;

/** The actions' checkboxes in a body: id → ticked. */
export function checkboxStates(body: string): Map<string, boolean> {
  const states = new Map<string, boolean>();
  for (const match of body.matchAll(CHECKBOX)) states.set(match[2]!, match[1] !== ' ');
  return states;
}

/** Marks a comment as reverie's reply, which is never read for commands. */
export const REPLY_MARKER = '<!-- reverie-reply -->';

export type ReviewCommand =
  | { name: 'drop' | 'keep' | 'why'; ids: string[]; line: string }
  | { name: 'approve'; line: string }
  | { name: 'reject'; reason: string; line: string }
  | { name: 'help'; line: string }
  | { name: 'unknown'; word: string; line: string };


const COMMAND_LINE = /^\/reverie(?:[ \t]+(.*))?$/i;

/**
 * The `/reverie` commands of a comment, in order: one per line that starts with `/reverie`. Lines in a code block or a
 * quote are someone showing or quoting a command, not giving one.
 */
export function parseCommands(comment: string): ReviewCommand[] {
  const commands: ReviewCommand[] = [];
  let fence: string | undefined;
  for (const raw of comment.split(/\r?\n/)) {
    const line = raw.trim();
    const opening = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (opening && opening[0] === fence[0] && opening.length >= fence.length) fence = undefined;
      continue;
    }
    if (opening) {
      fence = opening;
      continue;
    }
    // Indented four spaces is a code block too.
    if (/^( {4}|\t)/.test(raw)) continue;
    const match = COMMAND_LINE.exec(line);
    if (match) commands.push(readCommand((match[1] ?? '').trim(), line));
  }
  return commands;
}

function readCommand(rest: string, line: string): ReviewCommand {
  const [first = '', ...words] = rest.split(/\s+/).filter(Boolean);
  const word = first.toLowerCase();
  const argument = rest.slice(first.length).trim();
  switch (word) {
    case 'drop':
    case 'keep':
    case 'why':
      return { name: word, ids: ids(words), line };
    case 'approve':
      return { name: 'approve', line };
    case 'reject':
      return { name: 'reject', reason: argument, line };
    case '':
    case 'help':
      return { name: 'help', line };
    default:
      return { name: 'unknown', word: first, line };
  }
}

/** `a1b2, c3d4 e5f6` and `` `a1b2` ``: ids as a reviewer types or copies them from the body. */
function ids(words: string[]): string[] {
  return [...new Set(words.join(' ').split(/[\s,]+/).map((w) => w.replace(/^[`'"#]+|[`'".,;:]+$/g, '')).filter(Boolean))];
}

/** The help a reply gives: every command, one line each. */
export function commandHelp(): string[] {
  return [
    '- `/reverie drop <id> [<id> …]`: rebuild this branch without these actions; they are not proposed again (the same as unticking their boxes).',
    '- `/reverie keep <id> [<id> …]`: bring dropped actions back.',
    '- `/reverie why <id>`: the action\'s rationale, the entries before and after, and its evidence.',
    '- `/reverie approve`: merge this pull request (branch protection still applies).',
    '- `/reverie reject <reason>`: record the rejection on main with the reason, and close this pull request.',
    '- `/reverie help`: this list.',
  ];
}
