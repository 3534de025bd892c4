import { redact } from '../sessions/redact.js';
import { printable } from '../util/printable.js';

export { printable };

/**
 * Everything the CLI prints goes through here: one place that masks secrets (a quote from a log could
 * carry one), that keeps text from logs from driving the terminal (see printable), and that decides between
 * human text and a single JSON object (where JSON's escaping already keeps control characters inert).
 */
export interface Output {
  line(text?: string): void;
  json(value: unknown): void;
  warn(text: string): void;
}

export function consoleOutput(): Output {
  return {
    line: (text = '') => process.stdout.write(`${printable(redact(text))}\n`),
    json: (value) => process.stdout.write(`${redact(JSON.stringify(value, null, 2))}\n`),
    warn: (text) => process.stderr.write(`${printable(redact(text))}\n`),
  };
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function countBy<T>(items: T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

export function shortOid(oid: string | null | undefined): string {
  return oid ? oid.slice(0, 7) : '-------';
}

/** A quote from a log on one line, between double quotes: shown as what someone said, never as layout. */
export function quoted(text: string): string {
  return `"${text.replace(/\s+/g, ' ').trim()}"`;
}
