/**
 * The one pull request `reverie compile` keeps up to date in a repository it writes into (review mode): its title and
 * body, as pure functions of the commits waiting on `reverie/compile`. Made from the branch alone, so that a run that
 * adds nothing makes the same text and leaves the pull request as it is.
 */
import type { LogEntry } from '../git/log.js';
import { inlineText } from '../github/markdown.js';
import { COMPILE_BRANCH } from './branch-names.js';

/** The marker the body carries, so that a person reading the source knows which tool keeps it. */
export const COMPILE_PULL_MARKER = '<!-- reverie-compile -->';

/** A compile commit as the pull request lists it: which agent, which files, from which memory commit. */
interface CompiledCommit {
  oid: string;
  agent: string;
  files: string;
  memoryCommit: string | undefined;
}

function compiledCommit(entry: LogEntry): CompiledCommit {
  const subject = /^compile\(([^)]*)\): (.*)$/.exec(entry.subject);
  return {
    oid: entry.oid,
    agent: entry.trailers['Reverie-Compile']?.[0] ?? subject?.[1] ?? '?',
    files: subject?.[2] ?? entry.subject,
    memoryCommit: entry.trailers['Reverie-Memory-Commit']?.[0],
  };
}

export function compilePullTitle(commits: readonly LogEntry[]): string {
  const agents = [...new Set(commits.map((c) => compiledCommit(c).agent))];
  return `reverie: compiled memory for ${agents.join(', ')}`;
}

/** `memoryRepository`: `owner/name` of the memory repository on GitHub, when known, to link its commits. */
export function compilePullBody(commits: readonly LogEntry[], options: { base: string; memoryRepository?: string; serverUrl?: string }): string {
  const rows = commits.map(compiledCommit).map((c) => `| \`${c.oid.slice(0, 7)}\` | ${inlineText(c.agent)} | ${inlineText(c.files)} | ${c.memoryCommit ? memoryLink(c.memoryCommit, options) : ''} |`);
  const latest = [...commits].reverse().map(compiledCommit).find((c) => c.memoryCommit)?.memoryCommit;
  return [
    COMPILE_PULL_MARKER,
    '## Compiled memory',
    '',
    `\`reverie compile\` wrote the approved memory${latest ? ` (memory commit ${memoryLink(latest, options)})` : ''} into the files each agent reads here, ${commits.length === 1 ? 'in one commit' : `in ${commits.length} commits`} on \`${COMPILE_BRANCH}\`:`,
    '',
    '| commit | agent | files | from memory commit |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Merging into \`${inlineText(options.base)}\` takes the files in. A later compile adds its commits here while this pull request is open; closed without merging, it stays closed until the memory changes again.`,
    '',
    'Edit the memory, not these files: a file edited by hand after it is merged comes back to the memory repository as a proposed change (`reverie/hand-edit-…`).',
  ].join('\n');
}

function memoryLink(oid: string, options: { memoryRepository?: string; serverUrl?: string }): string {
  const short = `\`${oid.slice(0, 12)}\``;
  return options.memoryRepository ? `[${short}](${options.serverUrl ?? 'https://github.com'}/${options.memoryRepository}/commit/${oid})` : short;
}
