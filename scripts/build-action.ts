/**
 * Bundles the GitHub Action (src/action/main.ts and everything it imports, dependencies included) into the one
 * committed file action.yml runs, so that a runner executes it as checked out, with no install step.
 *
 * The build is deterministic (same sources, same lockfile, same esbuild: same bytes), which is what lets a test
 * rebuild it in memory and fail when the committed file is stale. esbuild is pinned to an exact version for that.
 *
 *   npm run build:action
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ACTION_BUNDLE = 'dist-action/index.js';

/**
 * An ES module, as the package is one. Bundled CommonJS dependencies call `require('fs')` and the like, which an ES
 * module does not have; the banner gives them Node's own.
 */
const BANNER = [
  '// The reverie GitHub Action, bundled by `npm run build:action` from src/action/main.ts. Do not edit: rebuild.',
  "import { createRequire as __reverieCreateRequire } from 'node:module';",
  'const require = __reverieCreateRequire(import.meta.url);',
].join('\n');

export const actionBuildOptions: BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['src/action/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  // action.yml runs it on node24; the CLI and library support Node 20, and so does the bundle.
  target: 'node20',
  // Paths in the bundle's comments are relative to the repository, never to the machine that built it.
  sourcemap: false,
  legalComments: 'eof',
  charset: 'utf8',
  banner: { js: BANNER },
  logLevel: 'silent',
};

/** The bundle's bytes, built in memory. */
export async function bundleAction(): Promise<Uint8Array> {
  const result = await build({ ...actionBuildOptions, write: false, outfile: ACTION_BUNDLE });
  const [file] = result.outputFiles;
  if (!file || result.outputFiles.length !== 1) throw new Error(`expected one output file, got ${result.outputFiles.length}`);
  return file.contents;
}

async function main(): Promise<void> {
  const bytes = await bundleAction();
  const target = path.join(ROOT, ACTION_BUNDLE);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, bytes);
  process.stdout.write(`${ACTION_BUNDLE}: ${(bytes.length / 1024).toFixed(0)} KiB\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
