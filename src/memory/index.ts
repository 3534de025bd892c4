export type * from './types.js';
export { parseDocument, renderDocument, lineEnding } from './markdown.js';
export { entriesOf, entryId, entryText, formatEntry, isEntryBlock, type EntryKind } from './entries.js';
export { estimateTokens } from './tokens.js';
export { namespaceFor, namespaceMatcher, assertInsideRoot } from './namespaces.js';
export { buildSnapshot, tokensOf, isMarkdownPath, type SourceFile } from './snapshot.js';
export {
  replaceEntry,
  removeEntry,
  insertEntry,
  EntryNotFoundError,
  UnsafeEditError,
  type InsertOptions,
} from './edit.js';
