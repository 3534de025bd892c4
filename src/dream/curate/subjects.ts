import type { Entry } from '../../memory/types.js';

/**
 * The subject an entry names before it says anything: a bold label ("**Strategy A**: …"), a heading-like prefix
 * ("Postgres: …"), or a leading code span ("`make deploy` …"). Two entries with different subjects say things about
 * different things, however alike the rest of their words: two strategies, two packages, two commands.
 */
export function subjectOf(entry: Pick<Entry, 'text'>): string | undefined {
  const first = (entry.text.split('\n')[0] ?? '').trim();
  const bold = /^(?:\*\*|__)([^*_]{1,60}?)(?:\*\*|__)/.exec(first)?.[1];
  if (bold) return normalise(bold);
  const code = /^`([^`]{1,60})`/.exec(first)?.[1];
  if (code) return normalise(code);
  const prefix = /^([A-Za-z0-9][\w .@/-]{0,40}?):\s/.exec(first)?.[1];
  if (prefix && prefix.split(/\s+/).length <= 4) return normalise(prefix);
  return undefined;
}

export function differentSubjects(a: Pick<Entry, 'text'>, b: Pick<Entry, 'text'>): boolean {
  const sa = subjectOf(a);
  const sb = subjectOf(b);
  return sa !== undefined && sb !== undefined && sa !== sb;
}

function normalise(subject: string): string {
  return subject.toLowerCase().replace(/[:\s]+$/, '').replace(/\s+/g, ' ').trim();
}
