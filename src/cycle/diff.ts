import { createTwoFilesPatch } from 'diff';
import { applyActions } from '../dream/apply.js';
import type { Action } from '../dream/types.js';
import { readFilesAt } from '../git/index.js';
import type { RepoContext } from './context.js';

/** The change a list of actions would make to the memory at `base`, as one unified diff (git's a/ b/ style). */
export async function planDiff({ repo, config }: RepoContext, base: string, actions: Action[]): Promise<string> {
  const root = config.memory.root;
  const before = await readFilesAt(repo, base, (p) => root === '' || p.startsWith(`${root}/`), { under: [root] });
  return unifiedDiff(before, applyActions(before, actions));
}

export function unifiedDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths
    .filter((p) => before.get(p) !== after.get(p))
    .map((p) => {
      const old = before.get(p);
      const next = after.get(p);
      return createTwoFilesPatch(old === undefined ? '/dev/null' : `a/${p}`, next === undefined ? '/dev/null' : `b/${p}`, old ?? '', next ?? '', '', '', {
        context: 3,
      })
        .split('\n')
        .filter((line) => !/^={5,}$/.test(line))
        .join('\n');
    })
    .join('');
}
