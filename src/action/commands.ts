/**
 * The runner's side of the protocol between a GitHub Action and its runner, as pure functions: workflow commands
 * (`::warning file=...::message` lines on stdout) and the `name<<delimiter` blocks of the GITHUB_OUTPUT file. The
 * protocol is a few lines of text; owning them avoids bundling @actions/core for four functions.
 */
import { printable } from '../util/printable.js';

/** Properties of an annotation: where it points and what it is called. */
export interface AnnotationProperties {
  title?: string;
  /** Path relative to the workspace, `/`-separated: GitHub links the annotation to that file of the commit. */
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
}

/** A message as the runner reads it: `%`, CR and LF encoded, so that text cannot end the command or start another. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as a message, and `:` and `,` too, which separate properties from each other and the message. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line, e.g. `::warning file=a.md,line=3::text`. */
export function workflowCommand(name: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export function annotation(level: 'error' | 'warning' | 'notice', message: string, properties: AnnotationProperties = {}): string {
  return workflowCommand(level, { title: properties.title, file: properties.file, line: properties.line, endLine: properties.endLine, col: properties.col }, message);
}

/**
 * Tells the runner to replace `secret` with `***` in everything the job prints from here on. The command line
 * itself is consumed by the runner and never shown.
 */
export function addMask(secret: string): string {
  return `::add-mask::${escapeData(secret)}`;
}

/**
 * Step outputs in the GITHUB_OUTPUT file's multi-line syntax:
 * ```
 * name<<delimiter
 * value
 * delimiter
 * ```
 * A value holding the delimiter would end early and let the rest set other outputs, so that is refused.
 */
export function outputBlock(outputs: Record<string, string>, delimiter: string): string {
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`output ${name} contains the delimiter ${delimiter}`);
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return text;
}

/**
 * A line to print that cannot be taken for a workflow command. The runner reads `::command::` only at the start of a
 * line, so text (which may come from session logs) is kept on one line behind a prefix of ours; it reads the older
 * `##[command]` anywhere in a line, so that is broken up with a zero-width space.
 */
export function logLine(prefix: string, text: string): string {
  return `${prefix}${printable(text).replace(/[\r\n]+/g, ' ').replace(/##\[/g, '#\u200b#[')}`;
}
