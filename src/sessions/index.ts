/** The sessions module: read agents' logs into redacted, normalised sessions. */
export type * from './types.js';
export { redact, redactText, redactTextValue, redactValue, RULES, RULE_NAMES, type RedactionRule } from './redact.js';
export { SECRETLINT_KINDS } from './secretlint.js';
export { readLines, hashFile, DEFAULT_MAX_LINE_BYTES, type Line, type LineReader, type ReadSummary } from './lines.js';
export { inferOutcome } from './outcome.js';
export { READERS, FORMATS, detectFormat, readerFor } from './readers/index.js';
export { REVERIE_FORMAT_VERSION } from './readers/reverie-jsonl.js';
export { MAX_FIELD_CHARS } from './readers/common.js';
export {
  loadSessions,
  listSessionFiles,
  readSessionFile,
  type LoadOptions,
  type LoadResult,
  type SessionFile,
  type SessionSource,
} from './load.js';
