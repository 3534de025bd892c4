/**
 * Memory test cases: what a team expects its agents' memory to give for a question or situation, written in YAML
 * under `.reverie/tests/` and validated like reverie.yaml (every mistake named by file, line and key) by case-file.ts.
 */
import { STATE_DIR } from '../dream/state.js';

/** Where test files live in the memory repo, beside the rest of reverie's state. */
export const TESTS_DIR = `${STATE_DIR}/tests`;

/** How many entries the reader retrieves for a case unless the case says otherwise (`top:`). */
export const DEFAULT_TOP = 5;
/** The most entries a case may ask for. */
export const MAX_TOP = 50;

export interface MemoryTestCase {
  /** `<file>#<name>`: the same case in two runs (a base and a cycle), so results can be compared. */
  id: string;
  name: string;
  /** The test file, repository-relative, and the line the case starts on. */
  file: string;
  line: number;
  /** The question an agent would have, or the situation it is in. */
  question: string;
  /** Terms or phrases that must appear in the entries retrieved for the question. */
  expect: string[];
  /** Terms or phrases that must not appear in the entries retrieved for the question. */
  never: string[];
  /** How many entries are retrieved. */
  top: number;
  /**
   * A lesson in a session's words (cases made from sessions, from-sessions.ts): one retrieved entry must say most of
   * what it says, in whatever words the memory's author chose, as its content terms count.
   */
  gist?: string;
  /** For a case from a session: the turn of the session that showed the lesson again (`file` is the session's log). */
  turn?: number;
}

/** A test file: `.yaml` or `.yml` directly in the tests folder. */
export function isTestFile(path: string): boolean {
  return path.startsWith(`${TESTS_DIR}/`) && !path.slice(TESTS_DIR.length + 1).includes('/') && /\.ya?ml$/i.test(path);
}
