/**
 * Memory test cases: what a team expects its agents' memory to give for a question or situation, written in YAML
 * under `.reverie/tests/` and validated like reverie.yaml (every mistake named by file, line and key).
 */
import { STATE_DIR } from '../dream/state.js';
import { readYaml, YamlReader } from '../config/yaml-reader.js';

/** Where test files live in the memory repo, beside the rest of reverie's state. */
export const TESTS_DIR = `${STATE_DIR}/tests`;

/** How many entries the reader retrieves for a case unless the case says otherwise (`top:`). */
export const DEFAULT_TOP = 5;
const MAX_TOP = 50;

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

/** The cases of one test file; a mistake in it is a ConfigError naming `file`, the line and the key. */
export function parseTestFile(text: string, file: string): MemoryTestCase[] {
  const { doc, lines, value } = readYaml(text, file);
  return new CaseReader(doc, lines, file).read(value ?? {});
}

/** The cases of several files, in path order; two cases of one name in the same file are a mistake. */
export function parseTestFiles(files: readonly { path: string; text: string }[]): MemoryTestCase[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).flatMap((f) => parseTestFile(f.text, f.path));
}

class CaseReader extends YamlReader {
  read(raw: unknown): MemoryTestCase[] {
    const top = this.object(raw, [], ['cases']);
    const seen = new Set<string>();
    return this.array(top.cases ?? [], ['cases']).map((item, i) => {
      const at = ['cases', i];
      const record = this.object(item, at, ['name', 'question', 'expect', 'never', 'top']);
      const name = this.string(record.name, [...at, 'name']);
      if (seen.has(name)) this.fail(`a case named "${name}" is already in this file; give each case its own name`, [...at, 'name']);
      seen.add(name);
      const expect = this.terms(record.expect, [...at, 'expect']);
      const never = this.terms(record.never, [...at, 'never']);
      if (expect.length === 0 && never.length === 0) this.fail('needs `expect:` (what the memory must give) or `never:` (what it must not), or both', at);
      const topCount = record.top === undefined ? DEFAULT_TOP : this.integer(record.top, [...at, 'top'], 1);
      if (topCount > MAX_TOP) this.fail(`must be at most ${MAX_TOP}`, [...at, 'top']);
      return {
        id: `${this.file}#${name}`,
        name,
        file: this.file,
        line: this.lineOf(at) ?? 1,
        question: this.string(record.question, [...at, 'question']),
        expect,
        never,
        top: topCount,
      };
    });
  }

  /** A term, or a list of them: a one-item list is common enough to be written without the dashes. */
  private terms(value: unknown, at: (string | number)[]): string[] {
    if (value === undefined) return [];
    if (typeof value === 'string') return [this.string(value, at)];
    return this.array(value, at).map((term, j) => this.string(term, [...at, j]));
  }
}
