import { readState } from '../dream/state.js';
import type { DreamState } from '../dream/types.js';
import { buildSnapshot } from '../memory/index.js';
import type { MemorySnapshot } from '../memory/types.js';
import { introductions, type Introduction } from '../git/blame.js';
import { readEntry } from '../git/log.js';
import type { Repo } from '../git/repo.js';
import type { MemorySymlink } from '../memory/symlinks.js';
import { notUtf8At, symlinksAt, type NotUtf8 } from './memory-files.js';
import { baseFilesAt } from './state-at.js';
import { inferredMarks } from './inferred-marks.js';
import { actionMarks, revertMark } from './trailers.js';
import type { RepoContext } from './repo-context.js';

// Opening the repository and its configuration lives in repo-context.ts, which loads less; re-exported for callers.
export { mainTip, openContext, sessionHashCacheFile, type RepoContext } from './repo-context.js';
export { baseWarnings, isStateFile } from './state-at.js';

export interface BaseView {
  memory: MemorySnapshot;
  state: DreamState;
  /** Symbolic links in the memory root: never followed, so not in `memory`; a command says so. */
  symlinks: MemorySymlink[];
  /** Memory files whose bytes are not UTF-8: a cycle refuses to run with one (see memory-files.ts). */
  notUtf8: NotUtf8[];
}

/**
 * The memory and the state as they are at a commit: a cycle works from main's commit, not the working tree.
 * `provenance: false` leaves out who wrote each entry and when, which walks the memory's history. (`status` reads the
 * state alone, without parsing the memory: state-at.ts.)
 */
export async function readBase(context: RepoContext, oid: string, { provenance = true }: { provenance?: boolean } = {}): Promise<BaseView> {
  const { repo, config } = context;
  const root = config.memory.root;
  const { files, markdown } = await baseFilesAt(context, oid);
  const memory = buildSnapshot(markdown, root, config.memory.namespaces);
  const [notUtf8, symlinks] = await Promise.all([notUtf8At(repo, oid, memory.files.map((f) => f.document)), symlinksAt(repo, oid, root)]);
  if (provenance) await addProvenance(repo, oid, memory);
  return { memory, state: readState(files), symlinks, notUtf8 };
}

/**
 * When each entry arrived, so that contradictions can favour the newer note, and who wrote it: a cycle's action (its
 * trailers say so) or a person, whose entries a cycle changes only on evidence. The files' histories are walked side
 * by side: they share their commits and trees (read once, see git/cache.ts), and the reads overlap.
 */
async function addProvenance(repo: Repo, oid: string, memory: MemorySnapshot): Promise<void> {
  const traced = memory.files.filter((file) => file.entries.length > 0);
  const found = await Promise.all(traced.map((file) => introductions(repo, oid, file.path, file.entries.map((e) => e.raw), { maxCommits: 100 })));
  await Promise.all(
    traced.map(async (file, i) => {
      for (const entry of file.entries) {
        const intro = found[i]?.get(entry.raw);
        if (!intro) continue;
        entry.introducedAt = intro.at;
        entry.writtenBy = (await writtenByCycle(repo, file.path, entry.raw, intro)) ? 'reverie' : 'person';
      }
    }),
  );
}

/**
 * The commit that brought the text is one of a cycle's actions. A pull request merged with a merge commit brought
 * its branch's text: the commit that wrote it is on the merged side, so that side is asked. A revert brought back
 * what an action had taken away: whoever wrote it before wrote it.
 */
async function writtenByCycle(repo: Repo, path: string, raw: string, intro: Introduction, depth = 0): Promise<boolean> {
  if (!intro.certain || depth > 2) return false;
  if (isActionCommit(intro.message)) return true;
  // A squash whose message lost the trailers: the actions its tree shows it brought (inferred-marks.ts).
  if (intro.parents.length === 1 && marksOf(intro.message).marks.length === 0 && (await inferredMarks(repo, intro.commit)).some((m) => m.action !== 'state')) return true;
  const reverted = marksOf(intro.message).revert?.commits[0];
  const earlier = reverted ? (await readEntry(repo, reverted).catch(() => undefined))?.parents[0] : intro.parents[1];
  if (!earlier) return false;
  const before = (await introductions(repo, earlier, path, [raw], { maxCommits: 50 })).get(raw);
  return before !== undefined && (await writtenByCycle(repo, path, raw, before, depth + 1));
}

/** What a commit's message says of it, read once per message: the entries of a memory were mostly brought by a few commits. */
interface MessageMarks {
  marks: ReturnType<typeof actionMarks>;
  revert: ReturnType<typeof revertMark>;
}

const messageMarks = new Map<string, MessageMarks>();
const MESSAGE_MARKS_LIMIT = 10_000;

function marksOf(message: string): MessageMarks {
  let known = messageMarks.get(message);
  if (!known) {
    known = { marks: actionMarks(message), revert: revertMark(message) };
    if (messageMarks.size >= MESSAGE_MARKS_LIMIT) messageMarks.clear();
    messageMarks.set(message, known);
  }
  return known;
}

function isActionCommit(message: string): boolean {
  return marksOf(message).marks.some((mark) => mark.action !== 'state' && mark.action !== 'revert');
}
