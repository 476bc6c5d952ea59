// A V8 startup snapshot of the instance (dist/bundle/instance.blob): every
// module of the bundle already evaluated (zod's schemas, the task registry,
// pino, hono, yaml...), so an instance started with
// `node --snapshot-blob instance.blob` skips the module phase of its boot and
// runs main() (setDeserializeMainFunction in src/main.ts) at once.
//
// Opt-in (`npm run snapshot -w @silo/orchestrator` after `npm run build`):
// measured slower than the code-cache entry so far (bench/RESULTS-instance.md).
// Deserializing the 8 MB blob costs most of what it saves, and what the boot
// runs after the module phase (config parsing, wiring, the HTTP server, the
// first request) is compiled lazily from source, where the code cache of
// dist/bundle/main.js holds it compiled; and @hono/node-server with undici
// still load at run time. Next: run that path in the builder so that its
// bytecode is in the blob, and a blob for the image built inside it.
//
// Node 20's `--build-snapshot` runs one CommonJS script whose `require` knows
// built-in modules only, so dist/bundle/snapshot.cjs is a second bundle of the
// same entry in which the packages that cannot be evaluated into a snapshot
// are required on first use, from node_modules, through LAZY below:
// better-sqlite3 (a native addon), @hono/node-server (reads the global
// Request at load, which loads undici, whose WebAssembly parser the builder
// cannot hold), fflate (makes a TextDecoder at load, a native handle) and
// tinyglobby (its fdir loads picomatch from node_modules at load).
// (scripts/lazy-require.mjs).
//
// The blob is tied to the node binary that built it: `blob.json` records
// that binary's version, arch, platform and V8 cache tag, and the process
// driver starts the blob only when its own node matches (else the code-cache
// path, dist/bundle/main.js). Node itself refuses a blob of another version.
import { spawnSync } from 'node:child_process';
import { realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cachedDataVersionTag } from 'node:v8';
import { build } from 'esbuild';
import { lazyRequireSource } from './lazy-require.mjs';

const LAZY = ['better-sqlite3', '@hono/node-server', 'fflate', 'tinyglobby'];

/**
 * The prelude run before the bundle inside the snapshot builder: the lazy
 * packages, and the Array/TypedArray methods that V8 installs only when a
 * context starts (absent while building; Node's own `http` calls
 * `toSorted` at load), added for the build and removed before the heap is
 * written, so that V8 installs its own at start.
 */
function prelude() {
  return `'use strict';
const __siloLateRequire = require('node:module').createRequire(__filename);
{
  const { startupSnapshot } = require('node:v8');
  const TA = Object.getPrototypeOf(Uint8Array.prototype);
  const copy = (a) => Array.prototype.slice.call(a);
  const fills = [
    [Array.prototype, 'toSorted', function toSorted(c) { return copy(this).sort(c); }],
    [Array.prototype, 'toReversed', function toReversed() { return copy(this).reverse(); }],
    [Array.prototype, 'toSpliced', function toSpliced(...a) { const c = copy(this); c.splice(...a); return c; }],
    [Array.prototype, 'with', function (i, v) { const c = copy(this); c[i < 0 ? c.length + i : i] = v; return c; }],
    [TA, 'toSorted', function toSorted(c) { return this.slice().sort(c); }],
    [TA, 'toReversed', function toReversed() { return this.slice().reverse(); }],
    [TA, 'with', function (i, v) { const c = this.slice(); c[i < 0 ? c.length + i : i] = v; return c; }],
  ];
  for (const [proto, name, fn] of fills) {
    if (name in proto) continue;
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
    startupSnapshot.addSerializeCallback(() => delete proto[name]);
  }
}
const __siloModule = { exports: {} };
(function (exports, require, module) {`;
}
/**
 * Bundles `${dist}main.js` into `${dist}bundle/snapshot.cjs` and builds
 * `${dist}bundle/instance.blob` from it with this node. Returns
 * `{ ok, bytes, ms }` or `{ ok: false, reason }` (instances then start from
 * the code-cache entry, as without a snapshot).
 */
export async function buildSnapshot(dist) {
  const started = performance.now();
  const entry = `${dist}bundle/snapshot.cjs`;
  const blob = `${dist}bundle/instance.blob`;
  rmSync(blob, { force: true });
  rmSync(`${dist}bundle/blob.json`, { force: true });
  await build({
    entryPoints: [`${dist}main.js`],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['date-holidays', ...LAZY],
    define: { 'import.meta.url': '__siloModuleUrl' },
    banner: {
      js: `${prelude()}${lazyRequireSource(LAZY, `${dist}main.js`, '__siloLateRequire')}const __siloModuleUrl = require('node:url').pathToFileURL(__filename).href;`,
    },
    footer: { js: '}).call(__siloModule.exports, __siloModule.exports, require, __siloModule);' },
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  const run = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], {
    cwd: `${dist}bundle`,
    encoding: 'utf8',
    timeout: 120_000,
    env: { PATH: process.env.PATH },
  });
  if (run.status !== 0) {
    // Node warns about every built-in module it has not verified in snapshots: not an error.
    const errors = run.stderr
      .split('\n')
      .filter(
        (l) => l && !/not yet fully verified|It may still work|To request support|--trace-warnings/.test(l),
      );
    rmSync(blob, { force: true });
    return {
      ok: false,
      reason: `node --build-snapshot exited ${run.status}: ${errors.slice(0, 8).join(' / ')}`,
    };
  }
  writeFileSync(`${dist}bundle/blob.json`, `${JSON.stringify(blobStamp(), null, 1)}\n`);
  return { ok: true, ms: performance.now() - started };
}

/**
 * What the node binary that starts the blob must share with the one that
 * built it (`blob.json`): a blob of another binary makes Node 20 abort at
 * start (a failed V8 checksum), it does not fall back by itself. The binary's
 * path, size and mtime tell two builds of one version apart. The gateway's
 * check: gateway/src/runtime/process/orchestrator-entry.ts.
 */
export function blobStamp() {
  const exe = statSync(process.execPath);
  return {
    node: process.version,
    arch: process.arch,
    platform: process.platform,
    v8CacheTag: cachedDataVersionTag(),
    execPath: realpathSync(process.execPath),
    execSize: exe.size,
    execMtimeMs: exe.mtimeMs,
  };
}

// `npm run snapshot -w @silo/orchestrator` (after `npm run build`): opt-in, not part of
// the build, since it did not pay yet (bench/RESULTS-instance.md).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const dist = new URL('../dist/', import.meta.url).pathname;
  const result = await buildSnapshot(dist);
  process.stdout.write(
    result.ok
      ? `startup snapshot: dist/bundle/instance.blob (${result.ms.toFixed(0)} ms)\n`
      : `startup snapshot: none (${result.reason})\n`,
  );
  if (!result.ok) process.exitCode = 1;
}
