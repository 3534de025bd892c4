/**
 * Bundles the command line (src/cli/main.ts, its commands and their dependencies) over the file tsc emitted for it,
 * dist/cli/main.js, with one chunk per command, loaded when that command runs. Node reads one file per chunk instead
 * of several hundred modules, which is most of a short command's time; the library (dist/index.js) stays unbundled.
 *
 *   npm run build   (tsc, then this)
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = 'dist/cli';
const META = ((i) => (i >= 0 ? process.argv[i + 1] : undefined))(process.argv.indexOf('--metafile'));

/** Bundled CommonJS dependencies call `require`, which an ES module does not have; the banner gives them Node's own. */
const BANNER = [
  '// The reverie command line, bundled by `npm run build` from src/cli/main.ts. Do not edit: rebuild.',
  "import { createRequire as __reverieCreateRequire } from 'node:module';",
  'const require = __reverieCreateRequire(import.meta.url);',
].join('\n');

/**
 * Node's own modules by `require`, not `import`: to make an ES module namespace of a built-in module, Node reads every
 * export, and that runs the lazy getters (node:fs's `promises` and streams, node:crypto's `webcrypto`, node:util's
 * `parseArgs` and `MIMEType`), which load a dozen more built-in modules a command never uses: 8 to 10 ms each for
 * node:fs and node:crypto. Through `require` the module is the same object, and its exports are read when used.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    const builtins = new Set(builtinModules);
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) =>
      args.kind === 'import-statement' && builtins.has(args.path.replace(/^node:/, '')) ? { path: args.path, namespace: 'node-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * commander loads node:child_process when it loads (10 ms and more: with it come net, dgram and their kin) for the
 * one thing it needs it for, running a subcommand that is a separate executable, which reverie has none of: it is
 * loaded when that happens.
 */
const commanderSpawnsLazily: Plugin = {
  name: 'commander-spawns-lazily',
  setup(build) {
    build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`${args.path} no longer loads node:child_process as ${eager}: see commanderSpawnsLazily`);
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(eager, lazy), loader: 'js' };
    });
  },
};

/** secretlint's preset as a CommonJS file of its own, beside the chunks: see presetOnDemand. */
const PRESET_FILE = 'secretlint-preset.cjs';

/**
 * secretlint's recommended preset (130 KB of code with what it bundles) is loaded the first time a text holds
 * something one of its rules looks for (src/sessions/secretlint.ts says what), not when the command starts: most
 * commands print nothing of the kind. Redaction is synchronous, and an ES module cannot be loaded synchronously, so
 * the preset is bundled apart as CommonJS and taken with `require` (the banner's) from the chunk that asks for it.
 */
const presetOnDemand: Plugin = {
  name: 'preset-on-demand',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]sessions[\\/]secretlint-preset\.ts$/ }, () => ({
      contents: `let rules;\nexport function presetRules() {\n  return (rules ??= require('./${PRESET_FILE}').rules);\n}\n`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/secretlint-preset\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * The preset's p12 reader (node-forge, 880 KB) reads a key file from disk, and runs only for a source named `*.p12`:
 * reverie gives the rules text with no file name (secretlint.ts, sourceOf), so it never runs, and it is left out of
 * the preset's file rather than bundled into it. Were it ever reached, its import fails, which the rule catches.
 */
const p12ReaderLeftOut: Plugin = {
  name: 'p12-reader-left-out',
  setup(build) {
    build.onResolve({ filter: /^\.\/index-[\w-]+\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && /secretlint-rule-preset-recommend/.test(args.importer) ? { path: args.path, namespace: 'p12-left-out' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'p12-left-out' }, () => ({
      contents: "throw new Error('the p12 reader of secretlint\\'s preset is not bundled: reverie gives its rules no file');",
      loader: 'js',
    }));
  },
};

/**
 * An id of the code this build is made of: every source file, and the dependencies as locked. The command line keys
 * what it caches between runs with it (src/util/read-cache.ts), so that no build takes an answer another worked out.
 */
async function buildId(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(path.join(ROOT, 'src'), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
    .sort();
  for (const file of [...files, 'package.json', 'package-lock.json']) {
    hash.update(`${file}\0`).update(await readFile(path.join(ROOT, file)).catch(() => Buffer.alloc(0))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function main(): Promise<void> {
  // Chunks of an earlier build would be left behind under new names.
  await rm(path.join(ROOT, OUT, 'chunks'), { recursive: true, force: true });
  // tsc's map is of the module this bundle replaces.
  await rm(path.join(ROOT, OUT, 'main.js.map'), { force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: OUT,
    chunkNames: 'chunks/[name]-[hash]',
    allowOverwrite: true,
    sourcemap: false,
    legalComments: 'eof',
    charset: 'utf8',
    banner: { js: BANNER },
    define: { __REVERIE_BUILD__: JSON.stringify(await buildId()) },
    logLevel: 'warning',
    plugins: [builtinsByRequire, commanderSpawnsLazily, presetOnDemand],
    metafile: true,
  });
  // The preset's `require('./…')` is relative to the file that holds it, which must be a chunk beside PRESET_FILE.
  const askers = Object.entries(result.metafile.outputs).filter(([, output]) => Object.keys(output.inputs).some((input) => input.endsWith('src/sessions/secretlint-preset.ts')));
  if (askers.length === 0 || askers.some(([file]) => path.dirname(file) !== `${OUT}/chunks`)) throw new Error(`secretlint-preset.ts must be bundled into chunks only, not into ${askers.map(([file]) => file).join(', ')}`);
  await build({
    absWorkingDir: ROOT,
    stdin: { contents: "export { rules } from '@secretlint/secretlint-rule-preset-recommend';", resolveDir: ROOT, sourcefile: 'secretlint-preset.js', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: path.join(OUT, 'chunks', PRESET_FILE),
    sourcemap: false,
    legalComments: 'eof',
    charset: 'utf8',
    logLevel: 'warning',
    plugins: [p12ReaderLeftOut],
  });
  // `--metafile <file>`: what each chunk holds, for esbuild's analyser or a look at what a command loads.
  if (META !== undefined && result.metafile) await writeFile(path.resolve(ROOT, META), JSON.stringify(result.metafile));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
