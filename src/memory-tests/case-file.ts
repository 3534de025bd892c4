/**
 * A memory test file read: its YAML validated like reverie.yaml, every mistake named by file, line and key. Apart
 * from cases.ts so that what only needs to know about cases (a cycle's cases made from sessions, a repository with no
 * test file) does not load the YAML parser.
 */
import { readYaml, YamlReader } from '../config/yaml-reader.js';
import { DEFAULT_TOP, MAX_TOP, type MemoryTestCase } from './cases.js';

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
