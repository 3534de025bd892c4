/**
 * What a decision (`approve`, `reject`, `revert`) would do, computed without writing anything: the refs that would
 * move, the commits that would be written, what would happen on GitHub. `--dry-run` prints it; nothing is written,
 * not even an object, so a dry run leaves the repository byte for byte as it was.
 */

export interface RefChange {
  /** `main`, `reverie/dream-…`: a local branch. */
  branch: string;
  /** `fast-forward` to an existing commit; `new-commits` on top of `from`; a branch created or deleted. */
  change: 'fast-forward' | 'new-commits' | 'create' | 'delete';
  from: string | null;
  /** The commit a fast-forward goes to; null when the commits are not written yet, or for a deletion. */
  to: string | null;
}

export interface DryRun {
  command: 'approve' | 'reject' | 'revert';
  /** What the command was given: the cycle, or what revert names. */
  target: string;
  /** What would happen before the decision itself: main brought up to GitHub's. */
  first: string[];
  refs: RefChange[];
  /** The commits that would be written, oldest first, by subject. */
  commits: string[];
  /** What would happen on GitHub, in order, in words. */
  github: string[];
  /** What else the person should know: actions left out, actions that no longer apply. */
  notes: string[];
}

/** A dry run for a terminal: what would happen, in the order it would. */
export function dryRunLines(run: DryRun): string[] {
  const short = (oid: string | null) => (oid ? oid.slice(0, 7) : '');
  const refLine = (r: RefChange): string => {
    const commits = `${run.commits.length} new ${run.commits.length === 1 ? 'commit' : 'commits'}`;
    if (r.change === 'fast-forward') return `${r.branch}: ${short(r.from)} → ${short(r.to)} (fast-forward)`;
    if (r.change === 'new-commits') return `${r.branch}: ${short(r.from)} → ${commits} on top`;
    if (r.change === 'create') return `${r.branch}: created, with ${commits} on ${short(r.from)}`;
    return `${r.branch}: deleted (was ${short(r.from)})`;
  };
  return [
    `dry run: nothing written; reverie ${run.command} ${run.target} would`,
    ...run.first.map((f) => `  first ${f}`),
    ...run.commits.map((c) => `  commit ${c}`),
    ...run.refs.map((r) => `  move ${refLine(r)}`),
    ...run.github.map((g) => `  on GitHub: ${g}`),
    ...run.notes.map((n) => `  note: ${n}`),
  ];
}
