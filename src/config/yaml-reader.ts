/**
 * Reading a YAML file whose every mistake is named by file, line and key: reverie.yaml (parse.ts) and the memory test
 * files (memory-tests/cases.ts). The plain values are walked while the YAML document stays at hand for its positions.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document } from 'yaml';
import { ConfigError } from '../errors.js';

export type Path = (string | number)[];

export interface YamlText {
  doc: Document;
  lines: LineCounter;
  /** The document as plain values; undefined for an empty file. */
  value: unknown;
}

/** Parses `text`; invalid YAML, an alias without its anchor or aliases that expand too far are a ConfigError naming `file`. */
export function readYaml(text: string, file: string): YamlText {
  const lines = new LineCounter();
  // logLevel: what yaml would print on its own (a key that is a list, stringified) goes unsaid; the key is refused.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0]?.line;
    throw new ConfigError(`invalid YAML: ${firstError.message.split('\n')[0]}`, file, line);
  }
  return { doc, lines, value: plainValue(doc, lines, file) };
}

/**
 * How far aliases may expand the document: yaml's own default, set here so that it cannot change under us. A
 * reverie.yaml has no need for aliases beyond a few; a "billion laughs" document is refused long before it costs.
 */
const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain values. Aliases are resolved here, so this is where an alias with no anchor before it, or
 * aliases that expand without bound, come to light: both are mistakes in the file, named with the alias's line.
 */
function plainValue(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const aliases: Alias[] = [];
    visit(doc, { Alias: (_key, node) => void aliases.push(node) });
    const unresolved = aliases.find((alias) => alias.resolve(doc) === undefined);
    // Each alias alone, in the order of the file: the first that expands too far on its own is where the growth is.
    const tooLarge = unresolved ? undefined : (aliases.find((alias) => !expandsWithin(alias, doc)) ?? aliases[0]);
    const culprit = unresolved ?? tooLarge;
    const line = culprit?.range ? lines.linePos(culprit.range[0]).line : undefined;
    if (unresolved) throw new ConfigError(`invalid YAML: the alias *${unresolved.source} has no anchor &${unresolved.source} before it`, file, line);
    if (tooLarge) throw new ConfigError(`invalid YAML: aliases expand too far (past ${MAX_ALIAS_COUNT} nodes); write the values out instead`, file, line);
    throw new ConfigError(`invalid YAML: ${(error as Error).message.split('\n')[0]}`, file);
  }
}

function expandsWithin(alias: Alias, doc: Document): boolean {
  try {
    alias.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
    return true;
  } catch {
    return false;
  }
}

/** Walks the plain values while keeping the YAML document at hand, so every error can name its line. */
export class YamlReader {
  constructor(
    protected readonly doc: Document,
    protected readonly lines: LineCounter,
    protected readonly file: string,
  ) {}

  protected object(value: unknown, at: Path, allowed: string[]): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail('must be a mapping', at);
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (allowed.includes(key)) continue;
      const close = closest(key, allowed);
      this.fail(`unknown key${close ? ` (did you mean "${close}"?)` : ''}; expected one of: ${allowed.join(', ')}`, [...at, key]);
    }
    return record;
  }

  protected array(value: unknown, at: Path): unknown[] {
    if (!Array.isArray(value)) this.fail('must be a list', at);
    return value as unknown[];
  }

  protected string(value: unknown, at: Path): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail('must be a non-empty string', at);
    return (value as string).trim();
  }

  protected boolean(value: unknown, at: Path): boolean {
    if (typeof value !== 'boolean') this.fail('must be true or false', at);
    return value as boolean;
  }

  protected integer(value: unknown, at: Path, min: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) this.fail(`must be a whole number of at least ${min}`, at);
    return value as number;
  }

  protected oneOf<T extends string>(value: unknown, allowed: readonly string[], at: Path): T {
    if (typeof value !== 'string' || !allowed.includes(value)) this.fail(`must be one of: ${allowed.join(', ')}`, at);
    return value as T;
  }

  protected fail(message: string, at: Path): never {
    throw new ConfigError(message, this.file, this.lineOf(at), formatKey(at));
  }

  /**
   * The line of the deepest node of `at` that exists in the document (the key itself for unknown keys), else the
   * line where the document starts: an error always has a line.
   */
  protected lineOf(at: Path): number | undefined {
    const start = this.lines.linePos((this.doc.contents as { range?: [number] } | null)?.range?.[0] ?? 0).line;
    if (at.length === 0) return start;
    for (let depth = at.length; depth > 0; depth--) {
      const parent = depth > 1 ? this.doc.getIn(at.slice(0, depth - 1), true) : this.doc.contents;
      const key = at[depth - 1];
      if (isMap(parent)) {
        // As plain values, keys are strings: `1:` and `true:` are the keys "1" and "true", and a list or a mapping
        // as a key is its flow text (`[ a, b ]`), never a key reverie knows, so the first such key is the one.
        const pair =
          parent.items.find((p) => isScalar(p.key) && (p.key.value === key || String(p.key.value ?? '') === String(key))) ??
          (/^[[{]/.test(String(key)) ? parent.items.find((p) => p.key !== null && !isScalar(p.key)) : undefined);
        const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
        if (range) return this.lines.linePos(range[0]).line;
      }
      if (isSeq(parent) && typeof key === 'number') {
        const range = (parent.items[key] as { range?: [number, number, number] } | undefined)?.range;
        if (range) return this.lines.linePos(range[0]).line;
      }
    }
    return start;
  }
}

function formatKey(at: Path): string {
  return at.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('') || '(top level)';
}

/** The allowed key a typo most likely meant: at most two edits away. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
