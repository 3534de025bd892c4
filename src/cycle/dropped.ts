/**
 * What a reviewer dropped from a cycle on its branch: an action commit reverted there (with `git revert`, or with
 * `reverie revert` in review mode), or an action dropped from its pull request (a checkbox, a `/reverie drop`
 * comment), which the record lists. A cycle that replaces or rebuilds it remembers these as rejected.
 */
import { cyclePath, parseCycleRecord, type RecordedAction } from '../dream/state.js';
import { readFileAt, readLog, type Repo } from '../git/index.js';
import { revertMark } from './trailers.js';

export async function droppedOnBranch(repo: Repo, { tip, main, cycle }: { tip: string; main: string; cycle: string }): Promise<RecordedAction[]> {
  const text = await readFileAt(repo, tip, cyclePath(cycle));
  if (!text) return [];
  const record = parseCycleRecord(text);
  const commits = await readLog(repo, tip, { since: main });
  const marks = commits.flatMap((c) => {
    const mark = revertMark(c.message);
    return mark ? [mark] : [];
  });
  const revertedCommits = marks.flatMap((m) => m.commits);
  const revertedIds = new Set(marks.flatMap((m) => m.actions).filter((a) => a.startsWith(`${cycle}/`)).map((a) => a.slice(cycle.length + 1)));
  const onPullRequest = new Set((record.reviewer_drops ?? []).map((d) => d.id));
  return record.actions.filter((a) => onPullRequest.has(a.id) || revertedIds.has(a.id) || (a.commit !== undefined && revertedCommits.some((oid) => a.commit!.startsWith(oid))));
}
