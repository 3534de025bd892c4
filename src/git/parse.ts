/**
 * Trees and commits parsed from their raw content into exactly the shapes isomorphic-git's readTree and readCommit
 * return, for the objects odb.ts reads itself. Only the ordinary case is handled here: anything isomorphic-git
 * treats specially (a name it refuses as unsafe, a mode it normalises, a signed commit, names whose order needs
 * code points) gives undefined, and the caller lets isomorphic-git read that object, so that the answer, or the
 * error, stays isomorphic-git's.
 */
import type { CommitObject, TreeEntry } from 'isomorphic-git';

const TYPE_OF_MODE: Record<string, TreeEntry['type']> = {
  '040000': 'tree',
  '100644': 'blob',
  '100755': 'blob',
  '120000': 'blob',
  '160000': 'commit',
};

/** The entries of a tree object, sorted by name as isomorphic-git sorts them; undefined when out of the ordinary. */
export function parseTree(content: Buffer): TreeEntry[] | undefined {
  const entries: TreeEntry[] = [];
  let cursor = 0;
  while (cursor < content.length) {
    const space = content.indexOf(32, cursor);
    const nul = content.indexOf(0, cursor);
    if (space < 0 || nul < space || nul + 21 > content.length) return undefined;
    const written = content.toString('latin1', cursor, space);
    const mode = written === '40000' ? '040000' : written;
    const type = TYPE_OF_MODE[mode];
    const path = content.toString('utf8', space + 1, nul);
    if (!type || !isOrdinaryName(path)) return undefined;
    entries.push({ mode, path, oid: content.toString('hex', nul + 1, nul + 21), type });
    cursor = nul + 21;
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A name isomorphic-git takes as it is: no separators, no `.`/`..`/`.git` in any of the disguises it checks
 * (case, trailing dots and spaces, NTFS short names and streams, HFS+ ignorable characters), and no character from
 * U+D800 up, for which its sort order is not plain string order.
 */
function isOrdinaryName(name: string): boolean {
  if (name === '' || /[/\\:\ud800-\uffff\u200c-\u200f\u202a-\u202e\u206a-\u206f]/.test(name)) return false;
  const normalized = name.toLowerCase().replace(/[. ]+$/, '');
  return name !== '.' && name !== '..' && normalized !== '.git' && !/^\.?git~[1-9]$/.test(normalized);
}

/** A commit object as isomorphic-git's readCommit returns it (`commit` and `payload`); undefined when out of the ordinary. */
export function parseCommit(content: Buffer): { commit: CommitObject; payload: string } | undefined {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  if (split < 0) return undefined;
  const lines = text.slice(0, split).split('\n');
  // Continued headers (a signature, a mergetag) and headers out of git's order are isomorphic-git's to read.
  if (lines.some((line) => line.startsWith(' ') || line.startsWith('gpgsig')) || !lines[0]?.startsWith('tree ')) return undefined;
  const parent: string[] = [];
  let index = 1;
  for (; index < lines.length && (lines[index] as string).startsWith('parent '); index++) parent.push((lines[index] as string).slice(7));
  const headers = new Map<string, string>();
  for (const line of lines.slice(index)) {
    const key = line.slice(0, line.indexOf(' '));
    // The first occurrence of a header wins, as in git (and isomorphic-git).
    if (key !== 'tree' && key !== 'parent' && !headers.has(key)) headers.set(key, line.slice(line.indexOf(' ') + 1));
  }
  const author = person(headers.get('author'));
  const committer = person(headers.get('committer'));
  if (!author || !committer || headers.size !== 2) return undefined;
  const commit: CommitObject = { message: normalizeNewlines(text.slice(split + 2)), tree: lines[0].slice(5), parent, author, committer };
  return { commit, payload: normalizeNewlines(text) };
}

function person(value: string | undefined): CommitObject['author'] | undefined {
  const match = value === undefined ? null : /^(.*) <(.*)> (.*) (.*)$/.exec(value);
  const zone = match ? /(\+|-)(\d\d)(\d\d)/.exec(match[4] as string) : null;
  if (!match || !zone) return undefined;
  const minutes = (zone[1] === '+' ? 1 : -1) * (Number(zone[2]) * 60 + Number(zone[3]));
  return { name: match[1] as string, email: match[2] as string, timestamp: Number(match[3]), timezoneOffset: minutes === 0 ? minutes : -minutes };
}

/** isomorphic-git's normalisation of a message: no CR, no newlines up front, exactly one at the end. */
function normalizeNewlines(text: string): string {
  return `${text.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`;
}
