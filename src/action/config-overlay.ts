/**
 * reverie.yaml as the Action runs it: the repository's own file with the settings it leaves open filled in from the
 * run (the GitHub repository and API, the default branch) and the Action's inputs laid over it (model, sessions).
 * The result is written to a scratch file for the cycle; the repository's file is never changed. Pure: text in,
 * text out, through the YAML document so that every key reverie.yaml sets is kept as written.
 */
import { isMap, parseDocument, type Document } from 'yaml';
import type { ConfigOverrides } from './inputs.js';

export function overlayConfig(text: string, overrides: ConfigOverrides): string {
  const doc: Document = parseDocument(text);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  if (!isMap(doc.get('github'))) doc.set('github', doc.createNode({ remote: 'origin', ...(overrides.githubRepo ? { repo: overrides.githubRepo } : {}) }));
  if (overrides.apiUrl) setUnlessSet(doc, ['github', 'api_url'], overrides.apiUrl);
  if (overrides.main) setUnlessSet(doc, ['git', 'main'], overrides.main);
  if (overrides.model) setIn(doc, ['claude', 'model'], overrides.model);
  if (overrides.sessions) doc.set('sessions', doc.createNode(overrides.sessions.map((glob) => ({ path: glob }))));
  return doc.toString();
}

function setUnlessSet(doc: Document, keys: [string, string], value: string): void {
  if (doc.getIn(keys) === undefined || doc.getIn(keys) === null) setIn(doc, keys, value);
}

/** `doc.setIn`, making the section a map first when the file has it empty (`git:` with nothing under it). */
function setIn(doc: Document, [section, key]: [string, string], value: string): void {
  if (!isMap(doc.get(section))) doc.set(section, doc.createNode({}));
  doc.setIn([section, key], value);
}
