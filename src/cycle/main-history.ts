/**
 * Where each cycle's actions landed on main, and which were reverted since, read from the commits alone. A cycle
 * reaches main by a fast-forward or a local replay (its own commits, on main's first-parent chain), or on GitHub by a
 * merge commit (its commits behind the merge's second parent), a squash (one commit carrying every action's trailers)
 * or a rebase (its commits under new ids). The trailers survive all of them, so the commits main can reach answer;
 * a squash whose message a person (or GitHub, from the pull request's description) wrote without them is read from
 * its tree instead.
 */
import { readEntry } from '../git/log.js';
import type { Repo } from '../git/repo.js';
import { KeptByOid } from '../util/read-cache.js';
import { inferredMarks } from './inferred-marks.js';
import { actionMarks, revertMark, type RevertMark } from './trailers.js';

/** Where something arrived on main. */
export interface Landing {
  /** The commit that carries it. */
  commit: string;
  /** The commit on main's first-parent chain that brought `commit` in: itself, or the merge commit that merged it. */
  landed: string;
  /** Committer time of `landed`, seconds since the epoch: when main got it. */
  time: number;
  /** Place of `landed` on the first-parent chain, 0 for the root: what lands later has a larger number. */
  position: number;
}

export interface MainHistory {
  tip: string;
  /** `<cycle>/<action id>` → the first commit on main that carries the action. */
  actions: Map<string, Landing>;
  /** Cycle → the first commit on main that carries its bookkeeping. */
  states: Map<string, Landing>;
  /** `<cycle>/<action id>` → the revert commit that undid the action and has not been undone itself. */
  reverts: Map<string, Landing>;
}

/** Every commit main can reach, in the order main got them, read for reverie's trailers. */
export async function readMainHistory(repo: Repo, tip: string): Promise<MainHistory> {
  const history: MainHistory = { tip, actions: new Map(), states: new Map(), reverts: new Map() };
  const carried = new Map<string, string[]>();
  const facts = new CommitFacts(repo);
  const ordered = await commitsInLandingOrder(facts, tip);
  facts.keep();
  for (const { oid, message, landing } of ordered) {
    const keys: string[] = [];
    const marks = actionMarks(message);
    // A squash whose message lost the trailers: its tree says which actions it brought (inferred-marks.ts).
    const inferred = marks.length === 0 && landing(oid).landed === oid ? await inferredMarks(repo, oid) : [];
    for (const mark of [...marks, ...inferred.filter((m) => !history.states.has(m.cycle))]) {
      if (mark.action === 'state') setOnce(history.states, mark.cycle, landing(oid));
      else if (mark.actionId && mark.action !== 'revert') {
        const key = `${mark.cycle}/${mark.actionId}`;
        keys.push(key);
        setOnce(history.actions, key, landing(oid));
      }
    }
    carried.set(oid, keys);
    const reverted = revertMark(message);
    if (reverted) applyRevert(history.reverts, reverted, carried, landing(oid));
  }
  return history;
}

/**
 * A revert undoes the actions it names. One that names only commits (a plain `git revert`) undoes the whole of each:
 * the actions it carried, and the reverts it made, which puts their actions back.
 */
function applyRevert(reverts: Map<string, Landing>, mark: RevertMark, carried: ReadonlyMap<string, string[]>, landing: Landing): void {
  if (mark.actions.length > 0) {
    for (const key of mark.actions) reverts.set(key, landing);
    return;
  }
  const commits = mark.commits.map((named) => fullOid(named, carried));
  for (const commit of commits) {
    for (const [key, revert] of reverts) if (revert.commit === commit) reverts.delete(key);
  }
  for (const key of commits.flatMap((c) => carried.get(c) ?? [])) reverts.set(key, landing);
}

/** `git revert` may name a commit by an abbreviated oid: the one commit seen so far that it names. */
function fullOid(named: string, seen: ReadonlyMap<string, unknown>): string {
  if (named.length === 40 || seen.has(named)) return named;
  const matches = [...seen.keys()].filter((oid) => oid.startsWith(named));
  return matches.length === 1 ? matches[0]! : named;
}

interface LandedCommit {
  oid: string;
  message: string;
  landing: (oid: string) => Landing;
}

/** What the history reads of a commit. */
interface Facts {
  parents: string[];
  message: string;
  /** Committer time, seconds since the epoch. */
  timestamp: number;
}

/**
 * The facts of each commit, by oid: read from the repository, or, when the command line keeps a read cache, from
 * those kept of main's history the last time it was read (KeptByOid): after a cycle lands, the history reads its new
 * commits alone, where it read every commit of main again.
 */
class CommitFacts {
  private readonly facts: KeptByOid<[parents: string[], timestamp: number, message: string]>;

  constructor(private readonly repo: Repo) {
    this.facts = new KeptByOid(repo.gitdir, 'main-commits');
  }

  async of(oid: string): Promise<Facts> {
    const [parents, timestamp, message] = await this.facts.get(oid, async () => {
      const entry = await readEntry(this.repo, oid);
      return [entry.parents, entry.timestamp, entry.message];
    });
    return { parents, timestamp, message };
  }

  keep(): void {
    this.facts.keep();
  }
}

/**
 * main's first-parent chain from the root, each merge preceded by the commits it brought in (parents before
 * children), so that a revert always comes after what it reverts.
 */
async function commitsInLandingOrder(facts: CommitFacts, tip: string): Promise<LandedCommit[]> {
  const chain: string[] = [];
  for (let next: string | undefined = tip; next; next = (await facts.of(next)).parents[0]) chain.push(next);
  chain.reverse();
  const known = new Set(chain);
  const ordered: LandedCommit[] = [];
  for (const [position, landed] of chain.entries()) {
    const entry = await facts.of(landed);
    const landing = (oid: string): Landing => ({ commit: oid, landed, time: entry.timestamp, position });
    for (const oid of await mergedIn(facts, entry.parents.slice(1), known)) {
      ordered.push({ oid, message: (await facts.of(oid)).message, landing });
    }
    ordered.push({ oid: landed, message: entry.message, landing });
  }
  return ordered;
}

/** The commits behind a merge's other parents that main did not have yet, parents before children; marks them known. */
async function mergedIn(facts: CommitFacts, heads: string[], known: Set<string>): Promise<string[]> {
  const order: string[] = [];
  const stack = heads.map((oid) => ({ oid, expanded: false })).reverse();
  for (let top = stack.pop(); top; top = stack.pop()) {
    if (known.has(top.oid)) continue;
    if (top.expanded) {
      known.add(top.oid);
      order.push(top.oid);
      continue;
    }
    stack.push({ oid: top.oid, expanded: true });
    const { parents } = await facts.of(top.oid);
    for (const parent of [...parents].reverse()) if (!known.has(parent)) stack.push({ oid: parent, expanded: false });
  }
  return order;
}

function setOnce<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}
