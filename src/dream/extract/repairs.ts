/**
 * A check that keeps failing on the same rule, and the edit that made it pass: "`mise run lint` fails on `noctx`"
 * teaches nothing without the rule it names and the change that repaired it (`exec.CommandContext`). The rule is what
 * recurs across sessions; the edit is what a later session should do at once.
 */

/**
 * What names the rule a linter reported, as its own tools print it. A linter's rule is the team's convention, broken
 * again and again; a compiler's type error (`TS2345`) is the code being written, which is the work itself.
 */
const RULE_IDS: RegExp[] = [
  /\((?<id>[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)\)\s*$/m, // golangci-lint, pylint: `… (noctx)`
  /\s(?<id>(?:@[\w-]+\/)?[a-z]+(?:-[a-z0-9]+)+)\s*$/m, // eslint: `12:5  error  …  no-unused-vars`
  /\b(?<id>clippy::[a-z_]+)\b/, // clippy
  /(?:^|\s)(?:[\w./-]+:\d+:\d+:?\s+)(?<id>[A-Z]{1,3}\d{3,4})\b/m, // ruff, flake8, pylint codes: `x.py:1:1: F401`
];

/** The first rule id the output names, or nothing. */
export function ruleIdOf(output: string): string | undefined {
  for (const pattern of RULE_IDS) {
    const id = pattern.exec(output)?.groups?.id;
    if (id && !/^(error|warning|info|note|fail|failed)$/i.test(id)) return id;
  }
  return undefined;
}

/** What an edit tool call changed: the text it removed and the text it wrote. */
export function editOf(name: string, input: Record<string, unknown>): { file?: string; before: string; after: string } | undefined {
  const file = [input.file_path, input.path, input.filePath, input.target_file].find((v): v is string => typeof v === 'string');
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  if (typeof input.new_string === 'string' || typeof input.newString === 'string') {
    return { ...(file ? { file } : {}), before: text(input.old_string ?? input.oldString), after: text(input.new_string ?? input.newString) };
  }
  if (Array.isArray(input.edits)) {
    const edits = input.edits.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null);
    return { ...(file ? { file } : {}), before: edits.map((e) => text(e.old_string)).join('\n'), after: edits.map((e) => text(e.new_string)).join('\n') };
  }
  const patch = text(input.patch ?? input.input ?? (name === 'apply_patch' ? input.command : undefined));
  if (/^\*\*\* (Begin Patch|Update File)|^@@/m.test(patch)) {
    const lines = patch.split('\n');
    const updated = /^\*\*\* Update File: (.+)$/m.exec(patch)?.[1];
    return {
      ...(updated ? { file: updated } : file ? { file } : {}),
      before: lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).map((l) => l.slice(1)).join('\n'),
      after: lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1)).join('\n'),
    };
  }
  return undefined;
}

/** Names the edit brought in (`exec.CommandContext`, `ctx`, `WithTimeout`): what to write next time. */
export function introducedNames(before: string, after: string): string[] {
  const names = (text: string) => new Set(text.match(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|\b[A-Za-z_$]*[a-z][A-Z][\w$]*\b/g) ?? []);
  const old = names(before);
  return [...names(after)].filter((n) => !old.has(n) && n.length >= 4).slice(0, 3);
}
