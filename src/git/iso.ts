/**
 * isomorphic-git, loaded the first time something needs it. It is the largest module of the command line (with pako,
 * half a megabyte of JavaScript): the commands that only read (`log`, `status`, `stats`, `why`) find what they ask
 * for with odb.ts and refs.ts and never load it; a write, or an object or ref out of the ordinary, loads it then.
 */
export type IsoGit = typeof import('isomorphic-git');

let loading: Promise<IsoGit> | undefined;

export function isoGit(): Promise<IsoGit> {
  // A CommonJS module: Node's import gives its exports by name and as `default`; a bundle (esbuild) only as `default`.
  loading ??= import('isomorphic-git').then((module) => ((module as { default?: IsoGit }).default ?? module) as IsoGit);
  return loading;
}
