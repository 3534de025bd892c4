/**
 * Text from session logs (quotes, and summaries and rationales built from them) as inert data on a terminal: ANSI
 * escape sequences and control characters could move the cursor, rewrite what was printed or retitle the window,
 * and bidirectional overrides can make a line read differently from what it says. Newlines and tabs stay.
 */
export function printable(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
  );
}

