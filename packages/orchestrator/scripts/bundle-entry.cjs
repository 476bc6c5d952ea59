// The instance bundle's entry, copied by scripts/bundle.mjs to
// dist/bundle/main.js (beside instance.cjs, the bundled instance itself).
//
// Node 20 keeps no compiled code between runs (no module.enableCompileCache,
// no NODE_COMPILE_CACHE: both came in Node 22), so this entry does it with
// V8's code cache: it compiles instance.cjs as one `vm.Script` with the
// cached data that the bundle step wrote (instance.cjs.cache, produced by a
// real boot of this same file), which skips parsing and compiling what a boot
// runs. V8 rejects a cache made by another Node/V8 version, other flags or
// another source; the instance then compiles as usual (just slower).
//
// `SILO_CODE_CACHE_WRITE=1` (the bundle step only) writes the cache when the
// process exits, so that it holds every function the boot compiled.
//
// CommonJS (dist/bundle/package.json says so), so that Node starts it through its CommonJS loader
// without setting up the ES module loader (~8 ms of CPU at load ~15), and written to be valid as an
// ES module too: an installed copy (gateway/src/versions) has no package.json beside it, and one
// under a `"type": "module"` folder is loaded as a module. `process.getBuiltinModule`: Node ≥ 20.16.
const load = typeof require === 'function' ? require : process.getBuiltinModule;
const { readFileSync, writeFileSync } = load('node:fs');
const { createRequire } = load('node:module');
const { dirname, join } = load('node:path');
const { Script } = load('node:vm');

// This entry is always the main script (`node main.js`): where `__filename` is not defined, argv[1] is this file.
const file = join(dirname(typeof __filename === 'string' ? __filename : process.argv[1]), 'instance.cjs');

/** instance.cjs compiled with its code cache when V8 accepts it; the source text is not kept here. */
function compile() {
  const cacheFile = `${file}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache (a bundle built without one): compile as usual.
  }
  // The same wrapper as Node's CommonJS loader, in strict mode as the ES modules it was bundled from.
  // Decoded as latin1: the bundle is ASCII (scripts/bundle.mjs checks it), and Node 20's UTF-8
  // decoding of a 1.3 MB file took ~45 ms where latin1 takes well under 1 ms.
  const source = readFileSync(file).toString('latin1').replace(/^#!.*/, '');
  const script = new Script(
    `(function (exports, require, module, __filename, __dirname) {"use strict";${source}\n})`,
    { filename: file, cachedData },
  );
  if (process.env.SILO_CODE_CACHE_WRITE === '1') {
    process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  return script.runInThisContext();
}

const instance = { exports: {} };
compile().call(instance.exports, instance.exports, createRequire(file), instance, file, dirname(file));
