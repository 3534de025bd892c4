/**
 * The bundled example (examples/memory-repo) as a team that has dreamed before has it: the team's own files in one
 * commit, then the inbox, whose notes earlier cycles wrote, in a commit with a cycle's trailers. Who wrote what
 * matters: a cycle merges and prunes the notes cycles wrote, and changes what people wrote only on evidence.
 */
import fs from 'node:fs';
import * as git from 'isomorphic-git';

/** The file whose notes earlier cycles wrote. */
export const CYCLE_WRITTEN = 'memory/notes.md';

const TEAM = { name: 'Acme Team', email: 'team@acme.example', timestamp: 1763900000, timezoneOffset: 0 };
const REVERIE = { name: 'reverie', email: 'reverie@users.noreply.github.com', timestamp: 1763900600, timezoneOffset: 0 };

/** Commits the example copied into `dir` (a folder that is not a repository yet) on a new `main`. */
export async function commitExample(dir: string): Promise<void> {
  await git.init({ fs, dir, defaultBranch: 'main' });
  for (const [filepath] of await git.statusMatrix({ fs, dir })) if (filepath !== CYCLE_WRITTEN) await git.add({ fs, dir, filepath });
  await git.commit({ fs, dir, message: 'chore: memory and session logs of the acme-shop agents\n', author: TEAM });
  await git.add({ fs, dir, filepath: CYCLE_WRITTEN });
  await git.commit({
    fs,
    dir,
    message: [
      `add(${CYCLE_WRITTEN}): notes from the October cycles`,
      '',
      'What earlier dream cycles wrote to the inbox.',
      '',
      'Reverie-Cycle: 20261101-030000',
      'Reverie-Action: add',
      'Reverie-Action-Id: 5eed0001',
      'Reverie-Evidence: none',
      'Reverie-Engine: heuristic',
      '',
    ].join('\n'),
    author: REVERIE,
  });
}
