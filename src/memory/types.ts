/** Policy of a namespace: `dream` entries are curated by cycles; `protected` ones are read as context only. */
export type Policy = 'dream' | 'protected';

export interface Namespace {
  name: string;
  /** Globs relative to the memory root. */
  paths: string[];
  policy: Policy;
  /** Token budget for the whole namespace; a cycle brings a namespace that exceeds it back under. */
  budgetTokens?: number;
}

/**
 * A memory file split into blocks. Concatenating `blocks[i].raw` in order gives back the file's
 * text byte for byte, which is what lets a cycle touch one entry and leave the rest untouched.
 */
export interface MemoryDocument {
  /** Path relative to the repository root (posix), e.g. `memory/notes.md`. */
  path: string;
  text: string;
  blocks: Block[];
}

export type BlockKind = 'heading' | 'item' | 'paragraph' | 'code' | 'blank' | 'frontmatter' | 'html' | 'other';

export interface Block {
  kind: BlockKind;
  /** Exact source text of the block, including its trailing line break(s). */
  raw: string;
  /** Character offset of `raw` in the document text. */
  start: number;
  /** 1-based line on which the block starts. */
  line: number;
  /** For headings: level 1-6. */
  level?: number;
  /** For headings: the text, trimmed, without `#` marks or setext underline (setext lines joined by a space). */
  heading?: string;
  /**
   * Heading trail under which the block sits, outermost first (heading texts, without `#`).
   * A heading's own trail holds its parent headings, not itself.
   */
  section: string[];
}

/**
 * The unit of curation: a list item (with its nested lines) or a paragraph, under its heading.
 * Identity is by path + exact raw text, so an action that names an entry still finds it after
 * unrelated edits elsewhere in the file, and knows it no longer applies if the entry itself changed.
 */
export interface Entry {
  /** `<path>#<12 hex of sha256(raw)>`; unique within a document except for exact duplicates. */
  id: string;
  path: string;
  kind: 'item' | 'paragraph';
  raw: string;
  /** The entry's text without list marker, indentation or trailing whitespace; nested lines joined by `\n`. */
  text: string;
  section: string[];
  line: number;
  namespace: string;
  policy: Policy;
  /** Estimated tokens of `raw`. */
  tokens: number;
  /** ISO time of the commit that introduced this exact text, when known (blame-lite, filled in by the shell). */
  introducedAt?: string;
}

export interface MemoryFile {
  path: string;
  namespace: string;
  policy: Policy;
  document: MemoryDocument;
  entries: Entry[];
}

/** The memory in scope of a cycle, as read from the base commit. */
export interface MemorySnapshot {
  root: string;
  files: MemoryFile[];
  namespaces: Namespace[];
}
