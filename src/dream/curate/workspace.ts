import { buildSnapshot, entriesOf, estimateTokens, namespaceMatcher } from '../../memory/index.js';
import { blockView, documentBlocks } from '../../memory/markdown.js';
import { entriesAfterEdit } from '../../memory/entries.js';
import { editedEntries, EntryVersion, type EditedEntries } from '../../memory/entry-versions.js';
import { Memo } from '../../util/memo.js';
import { describeProblem, newProblems, structureProblems, type StructureProblem } from '../../memory/structure.js';
import type { Splice } from '../../memory/markdown.js';
import type { Entry, MemoryDocument, MemoryFile, MemorySnapshot, Namespace } from '../../memory/types.js';
import { ActionConflictError, applyActionEdits, pathsRead, recordApplied, type AppliedEdits } from '../apply.js';
import type { Action, DroppedAction, EntryRef } from '../types.js';
import { contentRefusal, type PatternSubject } from './content.js';
import { comparableText, effectsOf } from './effects.js';
import { harmOf, type PatternFacts } from './harm.js';

/** Says why an action must not be applied, or nothing when it may. */
export type Guard = (action: Action) => string | undefined;

/** The rules of this cycle that are not about one action alone. */
export interface CurationPolicy {
  /** The share of the curated entries one cycle may remove (`approval.max_prune_ratio`); no limit when absent. */
  maxRemovedShare?: number;
  /** What the sessions say about a pattern, by key: whether an action's evidence names the entries it changes. */
  pattern?: (key: string) => PatternFacts | undefined;
  /** What a pattern is about, by key, in each way the sessions said it: an add or update must be about what it cites. */
  subjects?: (key: string) => PatternSubject[];
  /** The most actions one cycle takes (`curate.max_actions`); no limit when absent. */
  maxActions?: number;
  /**
   * Refuse an add that would take a curated namespace past its token budget (see `overBudget`). The claude engine
   * sets it: a model's answer is not bounded by the sessions the way the offline engine's one note per pattern is.
   */
  holdBudgets?: boolean;
}

/**
 * The memory as it will be after the actions planned so far. Each curation step looks at this rather
 * than at the original, so that later actions name entries exactly as they will exist when applied.
 * Every action goes through the same gate: the guard (protected paths, rejected before), the do-no-harm rules
 * (harm.ts), the cycle's share of removals, and the shape of the files it changes.
 */
export class Workspace {
  private files: Map<string, string>;
  private current: MemorySnapshot;
  /** Who wrote each entry, by path and text: the same words can be a person's in one file and a cycle's in another. */
  private readonly provenance: Map<string, Pick<Entry, 'introducedAt' | 'writtenBy'>>;
  /** Entries written by this plan (their text without trailing blanks): no other action may take back what the same cycle just added. */
  private readonly fresh = new Set<string>();
  /** How many entries of the memory as it stands have each text (without trailing blanks), kept up to date per action. */
  private readonly texts = new Map<string, number>();
  /** The entries of the memory as it stands, in file order, worked out once per snapshot. */
  private all: Entry[] | undefined;
  /**
   * The entries of each version of a file this workspace read, by its document: a file's entries after an edit are
   * the runs of the entries before it that the edit left alone, moved to their new lines only when read.
   */
  private readonly versions = new WeakMap<MemoryDocument, EntryVersion>();
  /** What the edit that made each version of a file did to its entries, when it was worked out from the version before. */
  private readonly editsOf = new WeakMap<MemoryDocument, EditedEntries>();
  /** A short file's entries by text without trailing blanks, built when first asked for; a file an action leaves alone keeps its index. */
  private readonly byText = new WeakMap<MemoryFile, Map<string, Entry[]>>();
  /** How often each short file was asked for entries by text before it had an index. */
  private readonly asked = new WeakMap<MemoryFile, number>();
  /** Entries an action of this plan kept (path and text): no later action removes them. */
  private readonly kept = new Set<string>();
  private readonly curatedAtStart: number;
  private removed = 0;
  /** Actions taken so far by fingerprint: the plan numbers repeats (`#2`), and a rejection may name one of them. */
  private readonly taken = new Map<string, number>();
  private takenCount = 0;
  /** Patterns an add of this plan wrote: one add per pattern. */
  private readonly addedPatterns = new Set<string>();
  /** Each file's text when curation began, and how many actions of this plan changed it since. */
  private readonly baseTexts: ReadonlyMap<string, string>;
  private readonly edits = new Map<string, number>();
  /** The splices of each of those actions, by file, in order (see AppliedTrace.history). */
  private readonly history = new Map<string, Splice[][]>();
  /** The structure problems of the text of each file checked last. */
  private readonly lastProblems = new Map<string, { text: string; problems: StructureProblem[] }>();
  /** The versions of files this workspace read after an edit: every entry of them has the provenance of its text. */
  private readonly read = new WeakSet<EntryVersion>();
  /** The rules people wrote in protected namespaces, which no text a cycle writes may go against. */
  private readonly rules: Entry[];

  /** Actions the guard refused, with the reason. */
  readonly dropped: DroppedAction[] = [];

  constructor(
    private readonly base: MemorySnapshot,
    private readonly guard: Guard = () => undefined,
    private readonly policy: CurationPolicy = {},
  ) {
    this.files = new Map(base.files.map((f) => [f.path, f.document.text]));
    this.baseTexts = new Map(this.files);
    this.current = base;
    this.provenance = new Map(
      base.files.flatMap((f) =>
        f.entries.filter((e) => e.introducedAt || e.writtenBy).map((e) => [provenanceKey(e), { introducedAt: e.introducedAt, writtenBy: e.writtenBy }] as const),
      ),
    );
    this.curatedAtStart = base.files.filter((f) => f.policy === 'dream').reduce((n, f) => n + f.entries.length, 0);
    for (const entry of this.entries()) count(this.texts, bare(entry.raw), 1);
    this.rules = base.files.filter((f) => f.policy === 'protected').flatMap((f) => f.entries);
  }

  get snapshot(): MemorySnapshot {
    return this.current;
  }

  /** Every entry of the memory as it stands. The same array until an action changes the memory: read it, never change it. */
  entries(): Entry[] {
    this.all ??= this.current.files.flatMap((f) => f.entries);
    return this.all;
  }

  /** The entries of one file with this exact text, in file order (one file may hold the same line twice). */
  occurrences(path: string, raw: string): Entry[] {
    return this.sameText(path, raw).filter((e) => e.raw === raw);
  }

  /** The entries of one file whose text is `raw` but for trailing blanks, in file order. */
  private sameText(path: string, raw: string): Entry[] {
    const file = this.current.files.find((f) => f.path === path);
    if (!file) return [];
    const version = this.versions.get(file.document) ?? (file.entries.length >= LONG_FILE ? this.versionOf(file) : undefined);
    if (version && version.length >= LONG_FILE) return version.withKey(bare(raw), bare);
    let index = this.byText.get(file);
    if (!index) {
      // Most versions of a file are asked about a few entries before the next action changes it: a look through its
      // entries costs less than an index of them, until one version is asked more often.
      const asked = (this.asked.get(file) ?? 0) + 1;
      this.asked.set(file, asked);
      if (asked <= SCANS_BEFORE_INDEX) return withText(file.entries, raw);
      index = new Map();
      for (const entry of file.entries) {
        const key = bare(entry.raw);
        (index.get(key) ?? index.set(key, []).get(key))?.push(entry);
      }
      this.byText.set(file, index);
    }
    return index.get(bare(raw)) ?? [];
  }

  /** The entries of a file as this workspace has them: a file no action changed yet, as the snapshot gave them. */
  private versionOf(file: MemoryFile): EntryVersion {
    let version = this.versions.get(file.document);
    if (!version) {
      version = EntryVersion.of(file.entries);
      this.versions.set(file.document, version);
    }
    return version;
  }

  text(path: string): string | undefined {
    return this.files.get(path);
  }

  /** Applies the action unless a rule refuses it; says which. */
  propose(action: Action): boolean {
    const refusal =
      this.guarded(action) ??
      contentRefusal(action, { rules: this.rules, subjects: (key) => this.policy.subjects?.(key) ?? [], added: this.addedPatterns }) ??
      harmOf(action, this.view()) ??
      this.overRemovalShare(action) ??
      this.overActionCap();
    if (refusal) return this.refuse(action, refusal);
    let applied: AppliedEdits;
    try {
      applied = applyActionEdits(this.files, action);
    } catch (error) {
      // An edit that would disturb the rest of its file is refused by the memory layer: report it, go on.
      if (error instanceof ActionConflictError) return this.refuse(action, error.message);
      throw error;
    }
    const { changed } = applied;
    const broken = this.brokenStructure(changed) ?? this.overBudget(action, changed);
    if (broken) return this.refuse(action, broken);
    this.record(action, applied);
    this.commit(action, changed);
    this.taken.set(action.fingerprint, (this.taken.get(action.fingerprint) ?? 0) + 1);
    this.takenCount++;
    if (action.type === 'add') for (const key of action.patterns) this.addedPatterns.add(key);
    return true;
  }

  /** A cycle is reviewed as a whole: past `curate.max_actions`, the rest waits for the next cycle (its patterns stay unwritten). */
  private overActionCap(): string | undefined {
    const cap = this.policy.maxActions;
    return cap !== undefined && this.takenCount >= cap ? `the cycle already has ${cap} actions, as many as curate.max_actions allows; it waits for a later cycle` : undefined;
  }

  /** The guard, asked about the action and about the name the plan will give it if it repeats an earlier one. */
  private guarded(action: Action): string | undefined {
    const before = this.taken.get(action.fingerprint) ?? 0;
    return this.guard(action) ?? (before > 0 ? this.guard({ ...action, fingerprint: `${action.fingerprint}#${before + 1}` }) : undefined);
  }

  /** Records an action the cycle will not take, with the reason, for the report. */
  refuse(action: Action, reason: string): false {
    // Later rounds of curation may propose the same step again: the report names it once.
    if (!this.dropped.some((d) => d.action.fingerprint === action.fingerprint && d.reason === reason)) this.dropped.push({ action, reason });
    return false;
  }

  isFresh(entry: Entry): boolean {
    return this.fresh.has(bare(entry.raw));
  }

  isKept(entry: Entry): boolean {
    return this.kept.has(keyOf(entry));
  }

  /** The entry a reference names, as it is now (the first of exact duplicates). */
  find(ref: EntryRef): Entry | undefined {
    return this.sameText(ref.path, ref.raw)[0];
  }

  private view() {
    return {
      find: (ref: EntryRef) => this.find(ref),
      isFresh: (entry: Entry) => this.isFresh(entry),
      isKept: (entry: Entry) => this.isKept(entry),
      pattern: (key: string) => this.policy.pattern?.(key),
    };
  }

  /** max_prune_ratio bounds what a cycle proposes, not only what it may apply unreviewed. */
  private overRemovalShare(action: Action): string | undefined {
    const share = this.policy.maxRemovedShare;
    const removing = effectsOf(action).removed.length;
    if (share === undefined || removing === 0 || this.curatedAtStart === 0) return undefined;
    const total = this.removed + removing;
    if (total / this.curatedAtStart <= share) return undefined;
    return `the cycle would remove ${total} of ${this.curatedAtStart} curated entries, more than approval.max_prune_ratio (${share})`;
  }

  /**
   * An add may not take a curated namespace past its token budget (`budget_tokens`), nor further past it: new notes
   * wait until the namespace has room (a person splits a topic out, or raises the budget), and nothing is deleted to
   * make room. Rewrites are not held to it: they change what is there, within the length of one note.
   */
  private overBudget(action: Action, changed: Map<string, string>): string | undefined {
    if (!this.policy.holdBudgets || action.type !== 'add') return undefined;
    const { root, namespaces } = this.current;
    const budgeted = namespaces.filter((n) => n.policy === 'dream' && n.budgetTokens !== undefined);
    if (budgeted.length === 0) return undefined;
    const namespaceOf = namespaceMatcher(root, namespaces);
    for (const namespace of budgeted) {
      const paths = [...new Set([...this.files.keys(), ...changed.keys()])].filter((path) => namespaceOf(path)?.name === namespace.name);
      if (!paths.some((path) => changed.has(path))) continue;
      const tokensOf = (texts: Map<string, string>) => paths.reduce((sum, path) => sum + estimateTokens(texts.get(path) ?? ''), 0);
      const before = tokensOf(this.files);
      const after = tokensOf(new Map([...this.files, ...changed]));
      const budget = namespace.budgetTokens as number;
      if (after > budget && after > before) {
        return `it would take namespace "${namespace.name}" to about ${after} tokens, over its budget of ${budget} (budget_tokens): a new note waits until the namespace has room`;
      }
    }
    return undefined;
  }

  /** An edit may not leave a heading with nothing under it, or a label with nothing to introduce. */
  private brokenStructure(changed: Map<string, string>): string | undefined {
    for (const [path, text] of changed) {
      const before = this.files.get(path);
      const problems = newProblems(before === undefined ? [] : this.problemsOf(path, before), this.problemsOf(path, text));
      if (problems[0]) return describeProblem(path, problems[0]);
    }
    return undefined;
  }

  /** The structure problems of a file's text: those of its text after an action are those of its text before the next. */
  private problemsOf(path: string, text: string): StructureProblem[] {
    const last = this.lastProblems.get(path);
    if (last?.text === text) return last.problems;
    const problems = structureProblems({ blocks: blockView(text) });
    this.lastProblems.set(path, { text, problems });
    return problems;
  }

  /** Keeps what the action did, for writing the cycle (see Replayer), and counts the edits of each file. */
  private record(action: Action, { splices, edits }: AppliedEdits): void {
    const reads = new Map(pathsRead(action).map((path) => [path, this.edits.get(path) ?? 0]));
    recordApplied(action, { base: this.baseTexts, reads, splices, edits, history: this.history });
    for (const [path, made] of splices) {
      this.edits.set(path, (this.edits.get(path) ?? 0) + 1);
      (this.history.get(path) ?? this.history.set(path, []).get(path))?.push(made);
    }
  }

  private commit(action: Action, changed: Map<string, string>): void {
    const effects = effectsOf(action);
    this.removed += effects.removed.length;
    // Only the changed files' entries can come or go, and of those only the ones between what the edit left alone at
    // the start and at the end of the file: the count of each text is kept up to date from them alone.
    const was = new Map(this.current.files.filter((f) => changed.has(f.path)).map((f) => [f.path, f]));
    const existed = (raw: string) => (this.texts.get(raw) ?? 0) > 0;
    for (const [path, text] of changed) this.files.set(path, text);
    this.rebuild();
    const now = this.current.files.filter((f) => changed.has(f.path));
    const edits = [...changed.keys()].map((path) => {
      const after = now.find((f) => f.path === path);
      const known = after && this.editsOf.get(after.document);
      return known ?? entriesChanged(was.get(path)?.entries ?? [], after?.entries ?? []);
    });
    const arrived = edits.flatMap((edit) => edit.added).filter((entry) => !existed(bare(entry.raw)));
    for (const edit of edits) {
      for (const entry of edit.removed) count(this.texts, bare(entry.raw), -1);
      for (const entry of edit.added) count(this.texts, bare(entry.raw), 1);
    }
    for (const entry of arrived) this.fresh.add(bare(entry.raw));
    for (const ref of effects.kept) {
      const entry = this.find(ref);
      if (entry) this.kept.add(keyOf(entry));
    }
  }

  private rebuild(): void {
    const files = [...this.files].map(([path, text]) => ({ path, text }));
    this.current = buildSnapshot(files, this.base.root, this.base.namespaces, this.current, (document, namespace, before) => this.entriesOf(document, namespace, before));
    this.all = undefined;
  }

  /**
   * A changed file's entries, each with who wrote its text. A file this workspace read before takes over the entries
   * the edit left alone, which have theirs already; only the entries read anew are looked up.
   */
  private entriesOf(document: MemoryDocument, namespace: Namespace, before: MemoryFile | undefined): Entry[] | (() => Entry[]) {
    const located = (entry: Entry) => {
      const known = this.provenance.get(provenanceKey(entry));
      if (known?.introducedAt) entry.introducedAt = known.introducedAt;
      if (known?.writtenBy) entry.writtenBy = known.writtenBy;
    };
    const previous = before && this.versions.get(before.document);
    const carried = previous && this.read.has(previous) && before.namespace === namespace.name && before.policy === namespace.policy;
    // A short file's entries are all read again soon enough: moving them at once costs less than keeping their runs.
    const edited = carried && previous.length >= LONG_FILE ? editedEntries({ blocks: documentBlocks(before.document), version: previous }, document, namespace.name, namespace.policy, located) : undefined;
    if (edited) {
      const version = edited.version;
      this.editsOf.set(document, edited);
      this.read.add(version);
      this.versions.set(document, version);
      return () => version.all();
    }
    let entries: Entry[];
    if (carried) {
      entries = entriesAfterEdit({ blocks: before.document.blocks, entries: previous.all() }, document, namespace.name, namespace.policy, located);
    } else {
      entries = entriesOf(document, namespace.name, namespace.policy);
      entries.forEach(located);
    }
    const version = EntryVersion.of(entries);
    this.read.add(version);
    this.versions.set(document, version);
    return entries;
  }
}

/** Files with at least this many entries keep their entries after an edit as runs (see memory/entry-versions.ts). */
const LONG_FILE = 512;

const SCANS_BEFORE_INDEX = 8;

/** The entries whose text is `raw` but for trailing blanks, in order. */
function withText(entries: readonly Entry[], raw: string): Entry[] {
  const key = bare(raw);
  const found: Entry[] = [];
  // An index, not for...of: this runs over a file's entries several times an action, and an iterator's results were
  // most of what curation allocated.
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    if (entry.raw === raw || (entry.raw.startsWith(key) && bare(entry.raw) === key)) found.push(entry);
  }
  return found;
}

/** The entries of a file before and after an edit, without those it begins and ends with in both. */
function entriesChanged(before: Entry[], after: Entry[]): { removed: Entry[]; added: Entry[] } {
  let start = 0;
  while (start < before.length && start < after.length && before[start]?.raw === after[start]?.raw) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end]?.raw === after[after.length - 1 - end]?.raw) end++;
  return { removed: before.slice(start, before.length - end), added: after.slice(start, after.length - end) };
}

function count(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n === 0) counts.delete(key);
  else counts.set(key, n);
}

function keyOf(entry: Pick<Entry, 'path' | 'text'>): string {
  return `${entry.path}\u0000${comparableText(entry.text)}`;
}

/** By path and text, without trailing blanks: an entry that becomes the file's last loses its final line break. */
function provenanceKey(entry: Pick<Entry, 'path' | 'raw'>): string {
  return `${entry.path}\u0000${bare(entry.raw)}`;
}

/**
 * An entry's text without trailing blanks, the key of most of this file's maps: read once per text, since the entries
 * of a long file are looked at again after every edit to it and all but the edited ones are the same texts.
 */
const bare = (raw: string): string => bareTexts.get(raw);
const bareTexts = new Memo<string>(50_000, (raw) => raw.trimEnd());
