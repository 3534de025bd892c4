/**
 * Commit messages in the shape reverie writes them (DESIGN.md, "Git conventions"), spelled out by hand so that
 * tests can build histories with native git without asking reverie's own code to write them.
 */

export function actionMessage(cycle: string, id: string, type: string, summary = `${type} ${id}`): string {
  return [
    `${type}(memory/notes.md): ${summary}`,
    '',
    'The rationale.',
    '',
    'Reverie-Cycle: ' + cycle,
    `Reverie-Action: ${type}`,
    `Reverie-Action-Id: ${id}`,
    'Reverie-Evidence: s1, s2',
    'Reverie-Engine: heuristic',
    '',
  ].join('\n');
}

export function stateMessage(cycle: string): string {
  return [`chore(reverie): record cycle ${cycle}`, '', 'Bookkeeping.', '', `Reverie-Cycle: ${cycle}`, 'Reverie-Action: state', 'Reverie-Engine: heuristic', ''].join('\n');
}

/** A revert commit as `reverie revert` writes one: the action it undoes, and the commit that carried it. */
export function revertMessage(cycle: string, id: string, commit: string): string {
  return [
    `revert(memory/notes.md): undo ${id}`,
    '',
    `Undoes ${id} of dream cycle ${cycle}.`,
    '',
    `Reverie-Cycle: ${cycle}`,
    'Reverie-Action: revert',
    `Reverie-Reverts: ${cycle}/${id}`,
    `Reverie-Revert-Of: ${commit}`,
    '',
  ].join('\n');
}

/** The body GitHub gives a squash merge: each commit message of the branch, oldest first, as a `* ` paragraph. */
export function squashMessage(title: string, messages: string[]): string {
  return `${title}\n\n${messages.map((m) => `* ${m.trim()}`).join('\n\n')}\n`;
}
