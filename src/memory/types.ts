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

/**
 * `labelled`: a label or intro paragraph with the list, code block or table it introduces, one unit. `import`: lines
 * that only import other files (`@AGENTS.md`). `other`: tables, quotes, thematic breaks, link definitions.
 */
export type BlockKind = 'heading' | 'item' | 'paragraph' | 'labelled' | 'code' | 'blank' | 'frontmatter' | 'html' | 'import' | 'other';

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
 * The unit of curation: a list item (with its nested lines), a paragraph, or a label with the list, code block or
 * table it introduces, under its heading.
 * Identity is by path + exact raw text, so an action that names an entry still finds it after
 * unrelated edits elsewhere in the file, and knows it no longer applies if the entry itself changed.
 */
export interface Entry {
  /** `<path>#<12 hex of sha256(raw)>`; unique within a document except for exact duplicates. */
  id: string;
  path: string;
  kind: 'item' | 'paragraph' | 'labelled';
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
  /**
   * Who wrote this exact text: `reverie` when the commit that brought it carries a cycle's action trailers, `person`
   * for any other commit. Unknown (absent) counts as a person: what a cycle cannot prove it wrote, a person did.
   */
  writtenBy?: 'person' | 'reverie';
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
