import { dryRunLines, type DryRun } from '../cycle/dry-run.js';
import { redactText, redactTextValue } from '../sessions/redact.js';
import { plural } from '../util/plural.js';
import { printable } from '../util/printable.js';

export { plural, printable };

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
    line: (text = '') => process.stdout.write(`${printable(redactText(text))}\n`),
    json: (value) => process.stdout.write(`${JSON.stringify(redactTextValue(plainJson(value)), null, 2)}\n`),
    warn: (text) => process.stderr.write(`${printable(redactText(text))}\n`),
  };
}

/**
 * The value as JSON.stringify sees it (toJSON applied, undefined left out), so that redaction walks plain data.
 * Each string is redacted, rather than the JSON text: a rule's match must never cut through JSON's quoting.
 */
function plainJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
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

/** What went wrong on GitHub without failing the cycle (labels), or what the reviewer should know (unpushed commits). */
export function printPullWarnings(out: Output, pull: { warnings: string[] } | undefined): void {
  for (const warning of pull?.warnings ?? []) out.warn(`warning: ${warning}`);
}

/** A decision's `--dry-run`: one JSON object, or what would happen in the order it would. */
export function printDryRun(out: Output, flags: { json?: boolean }, run: DryRun): void {
  if (flags.json) return out.json({ dry_run: true, ...run });
  for (const line of dryRunLines(run)) out.line(line);
}
