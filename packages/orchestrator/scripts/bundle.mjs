#!/usr/bin/env node
// Bundles the instance's entry (dist/main.js, compiled by `tsc -b`) and every
// module it imports into one file, dist/bundle/instance.cjs, started through
// dist/bundle/main.js (a copy of bundle-entry.cjs), which the process driver
// and the orchestrator image run. Node then reads and compiles one file
// instead of resolving and loading a few hundred (the orchestrator's and
// contracts' dist/, hono, zod, yaml, pino, croner, nanoid): module loading was
// most of an instance's cold start (see bench/RESULTS.md).
//
// The bundle is CommonJS so that the entry can compile it with V8's code
// cache (Node 20 has none for ES modules): after bundling, one real boot of
// the entry in a scratch folder (a socket, one API request, SIGTERM) writes
// instance.cjs.cache. Without it (that boot failed) the instance still runs,
// compiling as before. `import.meta.url` (which CommonJS lacks) becomes the
// file's URL.
//
// better-sqlite3 stays outside (a native addon, loaded from node_modules as
// before), fflate and tinyglobby are required on first use (LAZY below), and so
// is date-holidays (about half the bundle's bytes: its
// calendars, moment-timezone, astronomia), which triggers/calendar-conditions.ts
// requires on the first PublicHoliday condition instead of at boot. Beside it,
// inputs.json lists the workspace files it was made from, relative to the repo
// root.
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeCodeCache } from './code-cache.mjs';
import { lazyRequireSource } from './lazy-require.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
// Required on first use (scripts/lazy-require.mjs), not at boot: fflate builds its tables
// and a TextDecoder at load and serves only flow archives; tinyglobby's fdir loads
// picomatch from node_modules at load and serves only script tasks' file globs.
const LAZY = ['fflate', 'tinyglobby'];
// Node's readline (stdin secrets only) is required on first use too. Not the other builtins
// loaded at boot (crypto, http2, tls, worker_threads, child_process, assert): undici (behind the
// global Request), pino and Node itself load them at boot anyway (checked with moduleLoadList).
const LAZY_BUILTINS = ['node:readline'];
/**
 * zod's `locales` namespace holds its error messages in ~40 languages (290 KB, 22 % of the bundle's
 * source, which every boot reads, copies and keeps); zod itself uses English only, and nothing here
 * calls `z.config(z.locales.xx())`: `z.locales` keeps `en` alone.
 */
const zodEnglishOnly = {
  name: 'silo-zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: resolve(args.resolveDir, '../locales/en.js'), namespace: 'silo-zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'silo-zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
const outfile = `${dist}bundle/instance.cjs`;
rmSync(`${dist}bundle`, { recursive: true, force: true });
const result = await build({
  entryPoints: [`${dist}main.js`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['better-sqlite3', 'date-holidays', ...LAZY],
  plugins: [zodEnglishOnly],
  define: { 'import.meta.url': '__siloModuleUrl' },
  banner: {
    js: `${lazyRequireSource([...LAZY, ...LAZY_BUILTINS], `${dist}main.js`)}const __siloModuleUrl = require('node:url').pathToFileURL(__filename).href;`,
  },
  legalComments: 'none',
  // ASCII only (non-ASCII characters escaped), so that bundle-entry.cjs may decode it as latin1.
  charset: 'ascii',
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
});
// The workspace files it was made from (not node_modules): the process driver
// starts the bundle only while none of them is newer (a later `tsc -b`).
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sources = Object.keys(result.metafile.inputs)
  .map((input) => relative(root, resolve(input)).split('\\').join('/'))
  .filter((path) => !path.includes('node_modules/'));
writeFileSync(`${dist}bundle/inputs.json`, `${JSON.stringify(sources, null, 1)}\n`);
// bundle-entry.cjs reads the bundle as latin1, which only equals UTF-8 for ASCII.
if (readFileSync(outfile).some((byte) => byte > 0x7f)) throw new Error(`${outfile} is not ASCII`);
const inputs = Object.keys(result.metafile.inputs).length;
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes;
process.stdout.write(`bundled ${inputs} modules into ${outfile} (${(bytes / 1024).toFixed(0)} KB)\n`);
copyFileSync(fileURLToPath(new URL('./bundle-entry.cjs', import.meta.url)), `${dist}bundle/main.js`);
// main.js is CommonJS: Node then starts it without its ES module loader (bundle-entry.cjs).
writeFileSync(`${dist}bundle/package.json`, '{ "type": "commonjs" }\n');
const cache = await writeCodeCache(`${dist}bundle/main.js`);
process.stdout.write(
  cache.ok
    ? `code cache: ${(cache.bytes / 1024).toFixed(0)} KB from one boot (${cache.ms.toFixed(0)} ms)\n`
    : `code cache: none (${cache.reason}); instances compile the bundle at each start\n`,
);
