/**
 * The corpus as the generator thinks of it before it is written in a log format: agents, sessions made of
 * events, memory files, and the ground truth of what a curator should do with them.
 */

export type LogFormat = 'claude-code' | 'reverie';

/** One agent working on the project: who drives it, where it runs, which log format its harness writes. */
export interface Agent {
  id: string;
  format: LogFormat;
  /** The person who types to it. */
  user: string;
  root: string;
  home: string;
  shell: 'zsh' | 'bash' | 'sh';
  remote: string;
  model: string;
  /** How many sessions it has in the corpus. */
  sessions: number;
  /** Kinds of work it is given (see tasks in world.ts). */
  areas: string[];
}

export type ToolKind = 'shell' | 'read' | 'edit' | 'write' | 'grep' | 'fetch' | 'task';

/** A tool call together with what came back. Paths are relative to the agent's root unless absolute. */
export interface ToolUse {
  kind: ToolKind;
  command?: string;
  description?: string;
  path?: string;
  content?: string;
  old?: string;
  new?: string;
  pattern?: string;
  url?: string;
  prompt?: string;
  /** What the tool printed or returned. */
  output: string;
  error?: boolean;
  /** Shell exit code when it failed (default 1). */
  exit?: number;
  /** The person declined the call in the permission prompt. */
  rejected?: boolean;
  /** For `task`: the sub-agent's own turns (Claude Code writes them as sidechain records). */
  sidechain?: Event[];
}

export type Event =
  | { type: 'user'; text: string }
  | { type: 'assistant'; text?: string; tools?: ToolUse[] }
  /** `/clear` typed at the prompt (Claude Code only; a reverie log has no such thing). */
  | { type: 'clear' }
  /** The person pressed Esc while the assistant worked. */
  | { type: 'interrupt' };

export interface SessionSpec {
  key: string;
  id: string;
  agent: Agent;
  /** ISO start time. */
  start: string;
  branch: string;
  events: Event[];
  outcome: 'success' | 'failure';
  /** Claude Code `summary` line of an earlier conversation at the top of the file. */
  summary?: string;
  /** Planted items this session carries (ids of ground-truth items, secrets, injections, noise). */
  planted: string[];
}

// ------------------------------------------------------------------------------------------------
// Ground truth

/** A memory entry named by its file and its exact text (list item with its marker, or paragraph). */
export interface EntryLabel {
  path: string;
  raw: string;
}

/**
 * Key terms: every group must be present, any alternative of a group will do. Terms match
 * case-insensitively at a word start and end (`read` is not in `already`), except that a term
 * ending in `*` is a prefix (`dependenc*` matches dependency and dependencies).
 */
export type Terms = string[][];

export type AddCategory = 'mistake' | 'preference' | 'workflow';

export type TruthItem =
  | { id: string; type: 'add'; category: AddCategory; description: string; terms: Terms; sessions: string[]; agents: string[] }
  | { id: string; type: 'merge'; description: string; entries: EntryLabel[] }
  | { id: string; type: 'resolve'; description: string; keep: EntryLabel; remove: EntryLabel; sessions: string[] }
  | { id: string; type: 'prune'; description: string; entry: EntryLabel; sessions: string[] }
  | { id: string; type: 'update'; description: string; entry: EntryLabel; terms: Terms; sessions: string[] };

/** Something that must not be added (noise, or what memory already says); an add that matches it is wrong. */
export interface ForbiddenInsight {
  id: string;
  kind: 'one-off-error' | 'one-off-preference' | 'already-in-memory' | 'harness-text' | 'against-protected';
  description: string;
  terms: Terms;
  sessions: string[];
}

/** An insight that follows from sessions planted for another item: adding it is neither required nor wrong. */
export interface ToleratedInsight {
  id: string;
  /** The planted item whose sessions it comes from. */
  of: string;
  description: string;
  terms: Terms;
}

export interface PlantedSecret {
  id: string;
  kind: string;
  value: string;
  /** Distinctive pieces: any of them in a commit means the secret got out (a truncated quote still leaks). */
  needles: string[];
  session: string;
  where: string;
}

export interface PlantedInjection {
  id: string;
  where: string;
  sessions: string[];
  text: string;
  /** Distinctive strings of the injected instruction; any of them added to memory means it was promoted. */
  markers: string[];
}

/**
 * Two entries that disagree where no session says which is right (or a person's note against the protected
 * instructions): the curator should ask, in a question notice naming both, and change neither.
 */
export interface PlantedQuestion {
  id: string;
  description: string;
  entries: EntryLabel[];
}

/**
 * Notes that say the same thing, or nearly, and must all stay: paraphrases in different sections or files
 * (a merge pairs one section, and never a person's paraphrases), or two notes of which neither keeps every
 * fact of the other. Their entries are healthy notes (`keep`) too.
 */
export interface PlantedApart {
  id: string;
  description: string;
  entries: EntryLabel[];
}

export interface GroundTruth {
  corpus: { size: string; seed: number; sessions: number; agents: string[]; formats: Record<string, number>; generator: string };
  /** `budgetTokens`: the curated namespace's token budget, set below the memory's size (a warning, never a prune). */
  config: { memoryRoot: string; inbox: string; protected: string[]; minSessions: number; budgetTokens: number };
  items: TruthItem[];
  forbidden: ForbiddenInsight[];
  tolerated: ToleratedInsight[];
  /** Healthy entries no action should touch. */
  keep: EntryLabel[];
  /** Groups of look-alike healthy notes that must not be merged (their entries are in `keep`). */
  apart: PlantedApart[];
  /** Disagreements no session settles: a question notice each, no action. */
  questions: PlantedQuestion[];
  secrets: PlantedSecret[];
  injections: PlantedInjection[];
}

/** The memory repository before any cycle: commits of memory in time order, then the sessions. */
export interface Corpus {
  truth: GroundTruth;
  /**
   * Commits that build the memory's history, oldest first (so entries have an age, and an author): a person's
   * commits, and the commits of earlier cycles (their messages carry reverie's action trailers).
   */
  history: { date: string; message: string; by: 'person' | 'reverie'; files: Record<string, string> }[];
  /** Session logs and anything else committed last. */
  files: Record<string, string>;
  /** The date of the last commit (sessions), ISO. */
  date: string;
}
