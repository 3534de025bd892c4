/**
 * Refs read the way isomorphic-git reads them (its GitRefManager.resolve and listRefs, version 1.44), with node:fs
 * and without loading isomorphic-git (see iso.ts): a command that only reads asks for main's tip and the cycle
 * branches, and nothing else of isomorphic-git. Where isomorphic-git would answer with an error (a circular symbolic
 * ref, a ref file that cannot be read), these answer `UNSURE`, and the caller asks isomorphic-git, so that the error
 * stays its own.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';

export const UNSURE = Symbol('ask isomorphic-git');

/** isomorphic-git's candidates for a short ref name, in its order. */
const refpaths = (ref: string) => [ref, `refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`, `refs/remotes/${ref}/HEAD`];

/** Files of the git directory that are never refs (isomorphic-git's GIT_FILES). */
const GIT_FILES = new Set(['config', 'description', 'index', 'shallow', 'commondir']);

/** The file's text, or null where isomorphic-git's FileSystem.read gives null (missing, a directory). */
function readRefFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // isomorphic-git's isNotFoundError, and a directory.
    if (typeof code === 'string' && (code === 'ENOENT' || code === 'ENOTDIR' || code.includes('ENS') || code === 'EISDIR')) return null;
    throw error;
  }
}

/** packed-refs as isomorphic-git's GitPackedRefs reads it: ref → oid, and `<tag>^{}` → the peeled oid. */
export function packedRefs(gitdir: string): Map<string, string> {
  const refs = new Map<string, string>();
  const text = readRefFile(`${gitdir}/packed-refs`);
  if (!text) return refs;
  let key: string | null = null;
  for (const line of text.trim().split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const i = line.indexOf(' ');
    if (line.startsWith('^')) refs.set(`${key}^{}`, line.slice(1));
    else {
      key = line.slice(i + 1);
      refs.set(key, line.slice(0, i));
    }
  }
  return refs;
}

/**
 * The oid `ref` resolves to, undefined where isomorphic-git throws NotFoundError, `UNSURE` where it would throw
 * anything else.
 */
export function resolveRefFile(gitdir: string, ref: string): string | undefined | typeof UNSURE {
  try {
    return resolve(gitdir, ref, new Set());
  } catch {
    return UNSURE;
  }
}

function resolve(gitdir: string, ref: string, visited: Set<string>): string | undefined | typeof UNSURE {
  if (ref.startsWith('ref: ')) return resolve(gitdir, ref.slice('ref: '.length), visited);
  if (ref.length === 40 && /[0-9a-f]{40}/.test(ref)) return ref;
  const packed = packedRefs(gitdir);
  for (const candidate of refpaths(ref).filter((p) => !GIT_FILES.has(p))) {
    const sha = readRefFile(`${gitdir}/${candidate}`) || packed.get(candidate);
    if (!sha) continue;
    // A circular symbolic ref: isomorphic-git says so with an error of its own.
    if (visited.has(candidate)) return UNSURE;
    visited.add(candidate);
    return resolve(gitdir, sha.trim(), visited);
  }
  return undefined;
}

/**
 * The full name of the branch HEAD points at, as isomorphic-git's currentBranch gives it with `fullname`: undefined
 * when HEAD is detached (an oid), `UNSURE` for a HEAD it reads otherwise (none, or not a plain symbolic ref or oid).
 */
export function headBranchFile(gitdir: string): string | undefined | typeof UNSURE {
  let text: string | null;
  try {
    text = readRefFile(`${gitdir}/HEAD`);
  } catch {
    return UNSURE;
  }
  const value = text?.trim();
  if (!value) return UNSURE;
  if (value.startsWith('ref: ')) {
    const target = value.slice('ref: '.length);
    return target.startsWith('refs/') ? target : undefined;
  }
  return value.length === 40 && /[0-9a-f]{40}/.test(value) ? undefined : UNSURE;
}

/** The names under `refs/heads` (loose and packed), as isomorphic-git's listBranches lists them. */
export function listBranchFiles(gitdir: string): string[] {
  const filepath = 'refs/heads';
  const root = `${gitdir}/${filepath}`;
  let files: string[];
  try {
    files = readdirDeep(root).map((file) => file.replace(`${root}/`, ''));
  } catch {
    files = [];
  }
  for (let key of packedRefs(gitdir).keys()) {
    if (!key.startsWith(filepath)) continue;
    key = key.replace(`${filepath}/`, '');
    if (!files.includes(key)) files.push(key);
  }
  return files.sort(compareRefNames);
}

function readdirDeep(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = `${dir}/${name}`;
    return statSync(file).isDirectory() ? readdirDeep(file) : [file];
  });
}

function compareRefNames(a: string, b: string): number {
  const plainA = a.replace(/\^\{\}$/, '');
  const plainB = b.replace(/\^\{\}$/, '');
  const order = -(plainA < plainB) || +(plainA > plainB);
  if (order === 0) return a.endsWith('^{}') ? 1 : -1;
  return order;
}
