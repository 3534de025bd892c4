import { buildSnapshot } from '../../memory/index.js';
import type { Entry, MemorySnapshot } from '../../memory/types.js';
import { ActionConflictError, applyAction } from '../apply.js';
import type { Action, DroppedAction } from '../types.js';

/** Says why an action must not be applied, or nothing when it may. */
export type Guard = (action: Action) => string | undefined;

/**
 * The memory as it will be after the actions planned so far. Each curation step looks at this rather
 * than at the original, so that later actions name entries exactly as they will exist when applied.
 */
export class Workspace {
  private files: Map<string, string>;
  private current: MemorySnapshot;
  private readonly introduced: Map<string, string>;
  /** Entries written by this plan (their text without trailing blanks): a budget prune must not take back what the same cycle just added. */
  private readonly fresh = new Set<string>();

  /** Actions the guard refused, with the reason. */
  readonly dropped: DroppedAction[] = [];

  constructor(
    private readonly base: MemorySnapshot,
    private readonly guard: Guard = () => undefined,
  ) {
    this.files = new Map(base.files.map((f) => [f.path, f.document.text]));
    this.current = base;
    this.introduced = new Map(base.files.flatMap((f) => f.entries.filter((e) => e.introducedAt).map((e) => [e.raw, e.introducedAt as string])));
  }

  get snapshot(): MemorySnapshot {
    return this.current;
  }

  entries(): Entry[] {
    return this.current.files.flatMap((f) => f.entries);
  }

  text(path: string): string | undefined {
    return this.files.get(path);
  }

  /** Applies the action unless the guard refuses it; says which. */
  propose(action: Action): boolean {
    const refusal = this.guard(action);
    if (refusal) return this.refuse(action, refusal);
    try {
      this.apply(action);
    } catch (error) {
      // An edit that would disturb the rest of its file is refused by the memory layer: report it, go on.
      if (error instanceof ActionConflictError) return this.refuse(action, error.message);
      throw error;
    }
    return true;
  }

  /** Records an action the cycle will not take, with the reason, for the report. */
  refuse(action: Action, reason: string): false {
    this.dropped.push({ action, reason });
    return false;
  }

  isFresh(entry: Entry): boolean {
    return this.fresh.has(entry.raw.trimEnd());
  }

  apply(action: Action): void {
    const changed = applyAction(this.files, action);
    const before = new Set(this.entries().map((e) => e.raw.trimEnd()));
    for (const [path, text] of changed) this.files.set(path, text);
    this.rebuild();
    for (const file of this.current.files) {
      if (!changed.has(file.path)) continue;
      for (const entry of file.entries) if (!before.has(entry.raw.trimEnd())) this.fresh.add(entry.raw.trimEnd());
    }
  }

  private rebuild(): void {
    const files = [...this.files].map(([path, text]) => ({ path, text }));
    const previous = this.current;
    const snapshot = buildSnapshot(files, this.base.root, this.base.namespaces, previous);
    const reused = new Set(previous.files);
    for (const file of snapshot.files) {
      if (reused.has(file)) continue;
      for (const entry of file.entries) {
        const time = this.introduced.get(entry.raw);
        if (time) entry.introducedAt = time;
      }
    }
    this.current = snapshot;
  }
}
